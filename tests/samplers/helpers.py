"""Helpers for sampler tests: small random genomes, feature files and slow reference code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from selene_sdk.sequences import Genome

_COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def revcomp(seq: str) -> str:
    """Reverse complement of a DNA string (independent of the package's code)."""
    return seq.translate(_COMPLEMENT)[::-1]


def write_fasta(path: Path, records: dict[str, str]) -> Path:
    with open(path, "w") as handle:
        for name, seq in records.items():
            handle.write(f">{name}\n")
            for i in range(0, len(seq), 60):
                handle.write(seq[i : i + 60] + "\n")
    return path


def write_bed(path: Path, rows: list[tuple]) -> Path:
    with open(path, "w") as handle:
        for row in rows:
            handle.write("\t".join(str(x) for x in row) + "\n")
    return path


def random_sequence(rng: np.random.Generator, n: int) -> str:
    return np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, n)].tobytes().decode()


@dataclass
class World:
    """A small genome with features, and the plain-Python truth to test against."""

    genome: Genome
    records: dict[str, str]
    fasta: Path
    targets: Path
    intervals: Path
    features: list[str]
    feature_rows: list[tuple[str, int, int, str]]


def make_world(tmp_path: Path, seed: int = 0, lengths: dict[str, int] | None = None) -> World:
    rng = np.random.default_rng(seed)
    lengths = lengths or {"chr1": 40_000, "chr2": 30_000, "chr3": 25_000, "chr4": 20_000}
    records = {c: random_sequence(rng, n) for c, n in lengths.items()}
    # A run of N in chr1 so that the unknown-base filter has something to reject.
    seq = records["chr1"]
    records["chr1"] = seq[:5000] + "N" * 3000 + seq[8000:]
    fasta = write_fasta(tmp_path / "genome.fa", records)
    features = ["f0", "f1", "f2"]
    rows = []
    for chrom, n in lengths.items():
        for _ in range(60):
            start = int(rng.integers(0, n - 800))
            rows.append(
                (chrom, start, start + int(rng.integers(20, 800)), str(rng.choice(features)))
            )
    rows.sort(key=lambda r: (r[0], r[1]))
    targets = write_bed(tmp_path / "features.bed", rows)
    interval_rows = [(c, s, e) for c, s, e, _ in rows[::3]]
    for chrom, n in lengths.items():  # random stretches: mostly negative windows
        for start in rng.integers(0, n - 500, 15):
            interval_rows.append((chrom, int(start), int(start) + 500))
    interval_rows.sort()
    intervals = write_bed(tmp_path / "intervals.bed", interval_rows)
    return World(Genome(fasta), records, fasta, targets, intervals, features, rows)


def slow_labels(
    rows: list[tuple[str, int, int, str]],
    features: list[str],
    chrom: str,
    start: int,
    end: int,
    threshold: float,
) -> np.ndarray:
    """Labels of one bin by per-base coverage in plain Python (Selene's documented rule)."""
    length = end - start
    out = np.zeros(len(features), dtype=np.float32)
    for i, name in enumerate(features):
        covered = np.zeros(length, dtype=bool)
        for c, s, e, f in rows:
            if c == chrom and f == name and s < end and e > start:
                covered[max(s, start) - start : min(e, end) - start] = True
        need = max(0, int(np.float32(threshold) * np.float32(length) - np.float32(1)))
        out[i] = float(covered.sum() > need)
    return out
