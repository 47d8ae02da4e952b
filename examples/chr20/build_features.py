"""Build ``selene_features.chr20.bed.gz`` (+ ``.tbi``) and ``selene_distinct_features.txt``
from the four public annotation files, if you obtained those rather than the prepared files.

Features: ``CTCF`` (CTCF sites), ``CpG_island``, ``TSS_500bp`` (each TSS +/- 250 bp) and
``blood_DHS_variable`` (most variable blood DHS regions).

``python build_features.py DATA_DIR`` reads the annotation BEDs from ``DATA_DIR`` and writes
the label files into it. ``DATA_DIR`` must be a directory of your own: when it is a link
(as ``data`` is in this project's workspace, pointing at the shared prepared copy, which
already holds these files) the script refuses to write.
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


def main(data_dir: str = "data") -> int:
    data = Path(data_dir)
    if data.is_symlink():
        print(
            f"build_features.py: {data} is a link to {data.resolve()}; not writing there. "
            "The prepared copy already holds the label files; give a directory of your own.",
            file=sys.stderr,
        )
        return 1
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
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
