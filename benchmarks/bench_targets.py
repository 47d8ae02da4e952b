"""Label rates of the continuous targets: ``GenomicFeaturesH5`` through
``RandomPositionsSampler`` (1000 bp windows, 200 bp bins, batches of 64) and
``BigWigTargets`` (batches of 64 windows from 10 tracks), single process.

    .venv/bin/python benchmarks/bench_targets.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import h5py
import numpy as np

CHROMS = {f"chr{i}": 9_000_000 for i in range(1, 10)}
N_INTERVALS = 200_000
N_TRACKS = 10


def _rate(draw, seconds: float, per_call: int) -> float:
    draw()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        draw()
        n += per_call
    return n / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    import pyBigWig

    from selene_sdk.samplers import RandomPositionsSampler
    from selene_sdk.sequences import Genome
    from selene_sdk.targets import BigWigTargets, GenomicFeaturesH5

    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="selene-bench-targets-") as tmp:
        fasta = os.path.join(tmp, "g.fa")
        letters = np.frombuffer(b"ACGT", np.uint8)
        with open(fasta, "wb") as out:
            for chrom, size in CHROMS.items():
                out.write(
                    f">{chrom}\n".encode() + letters[rng.integers(0, 4, size)].tobytes() + b"\n"
                )
        names = list(CHROMS)
        chrom = rng.integers(0, len(names), N_INTERVALS)
        start = rng.integers(0, 9_000_000 - 2_000, N_INTERVALS)
        order = np.lexsort((start, chrom))
        bed = os.path.join(tmp, "t.bed")
        with open(bed, "w") as out:
            for i, (c, s) in enumerate(zip(chrom[order], start[order])):
                out.write(f"{names[c]}\t{s}\t{s + int(rng.integers(150, 1500))}\t{i}\n")
        h5 = os.path.join(tmp, "t.h5")
        with h5py.File(h5, "w") as f:
            f.create_dataset("targets", data=rng.random((N_INTERVALS, N_TRACKS), dtype=np.float32))
        features = [f"t{i}" for i in range(N_TRACKS)]
        t0 = time.perf_counter()
        h5_targets = GenomicFeaturesH5(bed, h5, features)
        h5_build = time.perf_counter() - t0
        sampler = RandomPositionsSampler(Genome(fasta), h5_targets, features)
        h5_rate = _rate(lambda: sampler.sample(64), args.seconds, 64)

        paths = []
        for k in range(N_TRACKS):
            path = os.path.join(tmp, f"t{k}.bw")
            bw = pyBigWig.open(path, "w")
            bw.addHeader(list(CHROMS.items()))
            for c, size in CHROMS.items():
                values = rng.gamma(1.0, 2.0, size // 50).astype(np.float64)
                bw.addEntries(c, 0, values=values, span=50, step=50)
            bw.close()
            paths.append(path)
        tracks = BigWigTargets(paths, features)
        qc = np.array(names, dtype=object)[rng.integers(0, len(names), 64)]

        def batch():
            qs = rng.integers(0, 9_000_000 - 200, 64)
            tracks.get_feature_data_batch(qc, qs, qs + 200)

        t0 = time.perf_counter()
        batch()  # fills the cache: every chromosome of every track
        first = time.perf_counter() - t0
        bw_rate = _rate(batch, args.seconds, 64)
        cached_gib = tracks._cached / 2**30
        tracks = BigWigTargets(paths, features, cache_bytes=0)  # every window from the files
        uncached_rate = _rate(batch, args.seconds, 64)
    print(
        f"GenomicFeaturesH5: index of {N_INTERVALS:,} intervals built in {h5_build:.2f} s; "
        f"{h5_rate:,.0f} labelled samples/s (RandomPositionsSampler, batches of 64)"
    )
    print(
        f"BigWigTargets: {N_TRACKS} tracks x {sum(CHROMS.values()) / 1e6:.0f} Mb cached in "
        f"{first:.1f} s ({cached_gib:.1f} GiB); {bw_rate:,.0f} samples/s "
        "(batches of 64 windows of 200 bp)"
    )
    print(f"BigWigTargets without a cache (cache_bytes=0): {uncached_rate:,.0f} samples/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
