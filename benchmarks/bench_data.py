"""Data-layer benchmark: genome load time and memory, windows/s for encode + label.

Generates a random genome (default 60 Mb over 6 chromosomes, with N runs) and a 50-feature
BED file, then measures

* first load (builds the memory-mapped cache) and second load of the ``Genome``;
* resident memory attributable to the genome after touching every page;
* windows/s for batches of 64 windows of 1000 bp: bounds check, one-hot encoding and
  labels of the 200 bp centre bin (threshold 0.5) -- our vectorised batch path;
* the same through a naive per-window path (pysam FASTA fetch + tabix query + explicit
  overlap arithmetic), the way a per-sample implementation works.

Run: ``.venv/bin/python benchmarks/bench_data.py [--genome-mb 60] [--seconds 5]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
import pysam

from selene_sdk.sequences import Genome
from selene_sdk.targets import GenomicFeatures

WINDOW, BIN, BATCH, N_FEATURES = 1000, 200, 64, 50


def rss_bytes() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def make_data(directory: str, genome_mb: int, seed: int = 0) -> tuple[str, str, list[str]]:
    rng = np.random.default_rng(seed)
    n_chroms = 6
    chrom_len = genome_mb * 1_000_000 // n_chroms
    fasta = os.path.join(directory, "genome.fa")
    with open(fasta, "w") as out:
        for c in range(n_chroms):
            codes = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, chrom_len)].copy()
            for start in rng.integers(0, chrom_len - 50_000, size=20):  # N runs
                codes[start : start + rng.integers(100, 50_000)] = ord("N")
            out.write(f">chr{c + 1}\n")
            seq = codes.tobytes()
            for i in range(0, len(seq), 60):
                out.write(seq[i : i + 60].decode())
                out.write("\n")
    features = [f"feat{i:02d}" for i in range(N_FEATURES)]
    rows = []
    for c in range(n_chroms):
        n = 40_000
        starts = np.sort(rng.integers(0, chrom_len - 2000, n))
        lengths = rng.integers(50, 1500, n)
        feats = rng.integers(0, N_FEATURES, n)
        rows += [(f"chr{c + 1}", s, s + w, features[f]) for s, w, f in zip(starts, lengths, feats)]
    bed = os.path.join(directory, "features.bed")
    with open(bed, "w") as out:
        out.writelines(f"{c}\t{s}\t{e}\t{f}\n" for c, s, e, f in rows)
    bgz = pysam.tabix_index(bed, preset="bed", force=True)  # for the naive path
    pysam.faidx(fasta)
    return fasta, bgz, features


def batch_path(genome: Genome, targets: GenomicFeatures, rng, chroms, lens) -> int:
    """One batch through the vectorised path; returns the number of windows kept."""
    ids = rng.integers(0, len(chroms), BATCH)  # chromosome ids (Genome.chrom_ids order)
    centres = (rng.random(BATCH) * (lens[ids] - 2 * WINDOW)).astype(np.int64) + WINDOW
    starts, ends = centres - WINDOW // 2, centres + WINDOW // 2
    ok = genome.coords_in_bounds_batch(ids, starts, ends)
    strands = np.where(rng.random(BATCH) < 0.5, "+", "-")
    seqs = genome.get_encodings_batch(ids[ok], starts[ok], ends[ok], strands[ok])
    names = chroms[ids[ok]]
    labels = targets.get_feature_data_batch(names, centres[ok] - BIN // 2, centres[ok] + BIN // 2)
    assert seqs.shape[1:] == (WINDOW, 4) and labels.shape[1] == N_FEATURES
    return len(seqs)


ONEHOT = np.full((256, 4), 0.25, dtype=np.float32)
for i, b in enumerate(b"ACGT"):
    ONEHOT[b] = np.eye(4)[i]
    ONEHOT[b + 32] = np.eye(4)[i]


def naive_window(fasta, tabix, features, chrom, centre, strand):
    """Per-window fetch + tabix + explicit overlap, as a per-sample implementation does."""
    seq = fasta.fetch(chrom, centre - WINDOW // 2, centre + WINDOW // 2)
    if strand == "-":
        seq = seq[::-1].translate(str.maketrans("ACGTacgt", "TGCAtgca"))
    enc = ONEHOT[np.frombuffer(seq.encode(), dtype=np.uint8)]
    lo, hi = centre - BIN // 2, centre + BIN // 2
    cover = np.zeros((BIN, len(features)), dtype=bool)
    index = {f: i for i, f in enumerate(features)}
    for row in tabix.fetch(chrom, lo, hi):
        fields = row.split("\t")
        s, e = max(int(fields[1]), lo) - lo, min(int(fields[2]), hi) - lo
        cover[s:e, index[fields[3]]] = True
    labels = (cover.sum(axis=0) > int(0.5 * BIN - 1)).astype(np.float32)
    return enc, labels


def timed(fn, seconds: float) -> tuple[int, float]:
    count, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        count += fn()
    return count, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--genome-mb", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SELENE_SDK_CACHE_DIR"] = os.path.join(tmp, "cache")
        print(f"generating a {args.genome_mb} Mb genome and {N_FEATURES}-feature BED ...")
        fasta, bgz, features = make_data(tmp, args.genome_mb)

        base_rss = rss_bytes()
        t0 = time.perf_counter()
        genome = Genome(fasta, init_unpicklable=True)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        genome = Genome(fasta, init_unpicklable=True)
        second = time.perf_counter() - t0
        total = sum(n for _, n in genome.get_chr_lens())
        arrays = genome._ensure()
        checksum = int(np.asarray(arrays.data[::4096]).sum())  # touch every page
        checksum += int(np.asarray(arrays.data).sum() % 7)
        genome_rss = rss_bytes() - base_rss
        print(
            f"genome: {total / 1e6:.1f} Mb; first load {first:.2f} s, second load "
            f"{second * 1000:.2f} ms ({first / second:.0f}x faster)"
        )
        print(
            f"resident memory after touching every base: {genome_rss / total:.2f} bytes/base "
            f"(checksum {checksum})"
        )

        t0 = time.perf_counter()
        targets = GenomicFeatures(bgz, features, feature_thresholds=0.5)
        print(
            f"targets: {len(targets._table)} intervals indexed in {time.perf_counter() - t0:.2f} s"
        )

        chroms = genome.chrom_names
        lens = np.array([genome.len_chrs[c] for c in chroms], dtype=np.int64)
        rng = np.random.default_rng(1)
        for _ in range(5):
            batch_path(genome, targets, rng, chroms, lens)  # warm-up
        n_fast, t_fast = timed(lambda: batch_path(genome, targets, rng, chroms, lens), args.seconds)
        fast_rate = n_fast / t_fast

        fa = pysam.FastaFile(fasta)
        tabix = pysam.TabixFile(bgz)

        def naive_batch() -> int:
            kept = 0
            for _ in range(BATCH):
                i = rng.integers(0, len(chroms))
                centre = int(rng.integers(WINDOW, lens[i] - WINDOW))
                strand = "+" if rng.random() < 0.5 else "-"
                enc, _ = naive_window(fa, tabix, features, chroms[i], centre, strand)
                kept += enc.shape[0] == WINDOW
            return kept

        n_naive, t_naive = timed(naive_batch, args.seconds)
        naive_rate = n_naive / t_naive
        print(
            f"encode + label, batches of {BATCH} x {WINDOW} bp, {BIN} bp bin, "
            f"{N_FEATURES} features, single process:"
        )
        print(f"  selene_sdk batch path: {fast_rate:10,.0f} windows/s")
        print(f"  naive per-window path: {naive_rate:10,.0f} windows/s")
        print(f"  speed-up: {fast_rate / naive_rate:.1f}x  (targets: >= 20,000 windows/s, >= 30x)")


if __name__ == "__main__":
    main()
