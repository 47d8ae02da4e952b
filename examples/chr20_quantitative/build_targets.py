"""Build the targets of the quantitative chr20 tutorial from the blood DHS regions.

Reads ``data/blood_dhs_most_variable.chr20.bed.gz`` (chrom, start, end and one
accessibility score per blood cell type: Mono, CD4, CD8, Nkcell, Bcell, Ery) and writes,
beside this file (never into ``data/``):

* ``targets/dhs_index.bed``, ``targets/dhs.h5``: the regions with a row index, and the
  matrix of scores (rows x cell types) under ``targets``, for ``GenomicFeaturesH5``;
* ``targets/<cell type>.bw``: one bigWig per cell type (the score over each region), for
  ``BigWigTargets``;
* ``targets/cell_types.txt``: the cell types, one per line;
* ``targets/regions.bed``: the regions to sample windows from.

    ../../.venv/bin/python build_targets.py
"""

from __future__ import annotations

import gzip
import os

import h5py
import numpy as np
import pyBigWig

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
OUT = os.path.join(HERE, "targets")


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    with gzip.open(os.path.join(DATA, "blood_dhs_most_variable.chr20.bed.gz"), "rt") as handle:
        header = handle.readline().lstrip("#").split()
        rows = [line.split() for line in handle if line.strip()]
    cells = header[3:]
    rows.sort(key=lambda r: (r[0], int(r[1])))
    chroms = [r[0] for r in rows]
    starts = np.array([int(r[1]) for r in rows])
    ends = np.array([int(r[2]) for r in rows])
    scores = np.array([[float(x) for x in r[3:]] for r in rows], dtype=np.float32)

    with open(os.path.join(OUT, "dhs_index.bed"), "w") as out:
        for i, (c, s, e) in enumerate(zip(chroms, starts, ends)):
            out.write(f"{c}\t{s}\t{e}\t{i}\n")
    with h5py.File(os.path.join(OUT, "dhs.h5"), "w") as h5:
        h5.create_dataset("targets", data=scores)
    with open(os.path.join(OUT, "cell_types.txt"), "w") as out:
        out.write("\n".join(cells) + "\n")
    with open(os.path.join(OUT, "regions.bed"), "w") as out:
        for c, s, e in zip(chroms, starts, ends):
            out.write(f"{c}\t{s}\t{e}\n")

    sizes = {}
    with open(os.path.join(DATA, "hg19_chr20.fa.gz.fai")) as fai:
        for line in fai:
            name, length = line.split("\t")[:2]
            sizes[name] = int(length)
    # bigWig entries may not overlap: where regions do, the later one starts after the former
    keep_start = np.maximum(starts, np.concatenate(([0], np.maximum.accumulate(ends)[:-1])))
    for j, cell in enumerate(cells):
        bw = pyBigWig.open(os.path.join(OUT, f"{cell}.bw"), "w")
        bw.addHeader(sorted(sizes.items()))
        ok = keep_start < ends
        bw.addEntries(
            [chroms[i] for i in np.flatnonzero(ok)],
            keep_start[ok].tolist(),
            ends=ends[ok].tolist(),
            values=scores[ok, j].astype(float).tolist(),
        )
        bw.close()
    print(f"{len(rows)} regions, {len(cells)} cell types ({', '.join(cells)}) -> {OUT}")


if __name__ == "__main__":
    main()
