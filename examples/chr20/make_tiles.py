"""Write ``tiles.bed`` beside this tutorial: chr20 cut into 100 kb tiles, skipping tiles
that are mostly N.

IntervalsSampler draws windows inside these tiles, and with proportional holdouts whole
tiles go to validation and test: a holdout by region, since one chromosome cannot be held
out by chromosome.

``python make_tiles.py [DATA_DIR] [OUTPUT]`` reads ``DATA_DIR/hg19_chr20.fa.gz`` (default
``data``) and writes ``OUTPUT`` (default ``tiles.bed`` in the current directory). Nothing is
written into ``DATA_DIR``, which may be a link to a shared, read-only copy of the data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from selene_sdk.sequences import Genome

TILE = 100_000


def main(data_dir: str = "data", output: str = "tiles.bed") -> Path:
    genome = Genome(Path(data_dir) / "hg19_chr20.fa.gz")
    rows = []
    for chrom, length in genome.get_chr_lens():
        for start in range(0, length - TILE + 1, TILE):
            codes = genome.get_codes_batch([chrom], np.array([start]), TILE)
            if genome.unknown_fraction(codes)[0] < 0.5:
                rows.append(f"{chrom}\t{start}\t{start + TILE}\n")
    target = Path(output)
    target.write_text("".join(rows))
    print(f"wrote {len(rows)} tiles to {target}")
    return target


if __name__ == "__main__":
    main(*sys.argv[1:])
