"""Write the small, random example data that the configs in this directory refer to.

Usage (from this directory): ``python make_data.py`` -> ``data/`` with a 9-chromosome
genome, 3-feature targets (bgzipped + tabix-indexed), intervals, a ``.mat`` and a ``.bed``
test set, sequences to predict, two VCFs, the model file and untrained weights. Then e.g.
``selene validate train_random_positions.yml`` or ``selene run evaluate_mat.yml``.
Everything is generated from a fixed seed; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import os
import shutil

import numpy as np

FEATURES = ["CTCF", "GATA1", "POL2"]
CHROMS = [f"chr{i}" for i in range(1, 10)]
CHROM_LENGTH = 20_000
SEQUENCE_LENGTH = 100
HERE = os.path.dirname(os.path.abspath(__file__))


def _write_fasta(path: str, records: dict[str, str], width: int = 60) -> None:
    with open(path, "w") as handle:
        for name, seq in records.items():
            handle.write(f">{name}\n")
            for i in range(0, len(seq), width):
                handle.write(seq[i : i + width] + "\n")


def make_example_data(directory: str = "data", seed: int = 0) -> dict[str, str]:
    """Create the example files in ``directory``; returns name -> path."""
    import pysam
    import scipy.io
    import torch

    rng = np.random.default_rng(seed)
    os.makedirs(directory, exist_ok=True)
    paths: dict[str, str] = {}

    def path(name: str) -> str:
        paths[name] = os.path.join(directory, name)
        return paths[name]

    genome = {c: "".join(rng.choice(list("ACGT"), CHROM_LENGTH)) for c in CHROMS}
    _write_fasta(path("genome.fa"), genome)
    pysam.faidx(paths["genome.fa"])

    with open(path("distinct_features.txt"), "w") as handle:
        handle.write("\n".join(FEATURES) + "\n")

    rows = []
    for chrom in CHROMS:
        starts = np.sort(rng.integers(0, CHROM_LENGTH - 300, 40))
        for start in starts:
            end = int(start + rng.integers(50, 300))
            rows.append((chrom, int(start), end, FEATURES[int(rng.integers(len(FEATURES)))]))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    plain = os.path.join(directory, "targets.bed")
    with open(plain, "w") as handle:
        handle.writelines(f"{c}\t{s}\t{e}\t{f}\n" for c, s, e, f in rows)
    paths["targets.bed.gz"] = pysam.tabix_index(plain, preset="bed", force=True)

    with open(path("intervals.bed"), "w") as handle:
        handle.writelines(f"{c}\t{max(0, s - 100)}\t{e + 100}\n" for c, s, e, _ in rows[::3])

    n = 48
    onehot = np.eye(4, dtype=np.uint8)[rng.integers(0, 4, (n, SEQUENCE_LENGTH))]
    scipy.io.savemat(
        path("test.mat"),
        {
            "testxdata": onehot.transpose(0, 2, 1),  # (N, 4, L)
            "testdata": (rng.random((n, len(FEATURES))) < 0.3).astype(np.uint8),
        },
    )

    with open(path("test_data.bed"), "w") as handle:
        for i in range(n):
            chrom = CHROMS[7 + i % 2]
            start = int(rng.integers(0, CHROM_LENGTH - SEQUENCE_LENGTH))
            labels = ";".join(str(j) for j in range(len(FEATURES)) if rng.random() < 0.3)
            strand = "+-"[i % 2]
            handle.write(f"{chrom}\t{start}\t{start + SEQUENCE_LENGTH}\t{strand}\t{labels}\n")

    _write_fasta(
        path("sequences.fa"),
        {f"seq{i}": "".join(rng.choice(list("ACGT"), 80 + 20 * i)) for i in range(3)},
    )

    for name, chrom in (("variants_a.vcf", "chr1"), ("variants_b.vcf", "chr2")):
        with open(path(name), "w") as handle:
            handle.write("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\n")
            for pos in sorted(rng.integers(1_000, CHROM_LENGTH - 1_000, 5)):
                ref = genome[chrom][pos - 1]
                alt = "ACGT"[("ACGT".index(ref) + 1) % 4]
                handle.write(f"{chrom}\t{pos}\tvar{pos}\t{ref}\t{alt}\n")

    shutil.copy(os.path.join(HERE, "tiny_cnn.py"), path("tiny_cnn.py"))
    from selene_sdk.models import load_model_module

    torch.manual_seed(seed)
    model = load_model_module(paths["tiny_cnn.py"]).TinyCNN(SEQUENCE_LENGTH, len(FEATURES))
    torch.save({"state_dict": model.state_dict()}, path("tiny_cnn.pth.tar"))
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=os.path.join(HERE, "data"))
    written = make_example_data(parser.parse_args().directory)
    print(f"wrote {len(written)} files to {os.path.dirname(next(iter(written.values())))}")
