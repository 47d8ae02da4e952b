"""Build ``data/selene_features.chr20.bed.gz`` (+ ``.tbi``) and the feature list from the
four public annotation files, if you obtained those rather than the prepared file.

Features: ``CTCF`` (CTCF sites), ``CpG_island``, ``TSS_500bp`` (each TSS +/- 250 bp) and
``blood_DHS_variable`` (most variable blood DHS regions).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pysam

from selene_sdk.io.bed import read_bed

SOURCES = {
    "CTCF": ("ctcf_sites.chr20.bed.gz", 0),
    "CpG_island": ("cpg_islands.chr20.bed.gz", 0),
    "TSS_500bp": ("gencode_tss.chr20.bed.gz", 250),
    "blood_DHS_variable": ("blood_dhs_most_variable.chr20.bed.gz", 0),
}


def main(data_dir: str = "data") -> None:
    data = Path(data_dir)
    rows = []
    for feature, (name, flank) in SOURCES.items():
        table = read_bed(data / name)
        for chrom, start, end in zip(table.chroms, table.starts, table.ends):
            rows.append((chrom, max(0, int(start) - flank), int(end) + flank, feature))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    plain = data / "selene_features.chr20.bed"
    plain.write_text("".join(f"{c}\t{s}\t{e}\t{f}\n" for c, s, e, f in rows))
    pysam.tabix_index(str(plain), preset="bed", force=True)
    (data / "selene_distinct_features.txt").write_text("".join(f"{f}\n" for f in SOURCES))
    print(f"wrote {len(rows)} intervals to {plain}.gz")


if __name__ == "__main__":
    main(*sys.argv[1:])
