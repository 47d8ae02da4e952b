"""Genome scale: start-up time, memory and sampling rate on an hg38-sized genome.

Generates (in a temporary directory, never committed) a 3.1 Gb genome with the 25 hg38
chromosome sizes, assembly gaps (N runs: telomeres, a centromere, scattered gaps) and
soft-masking (lower-case runs, ~45% of the bases), plus ``--intervals`` feature intervals
(default 5 million, 100 features). Then, each in a fresh process:

* first start-up: an empty genome cache, so the FASTA is parsed and the cache written;
* second start-up: the cache exists (the case of every run after the first);
* memory: ``RandomPositionsSampler`` drawing batches of 64 in the main process, then
  through ``SamplerDataLoader`` with 2 workers; resident memory (RSS) and proportional set
  size (PSS: a page shared by n processes counts 1/n in each) of the main process and of
  each worker, from ``/proc/PID/smaps_rollup``, and the private memory of each worker
  (what a per-worker copy of the genome or the index would show up in).

    .venv/bin/python benchmarks/bench_genome_scale.py [--scale 1.0] [--intervals 5000000]
        [--seconds 10] [--workdir DIR] [--keep]

``--scale 0.05`` gives a quick try (155 Mb). Results go to stdout and
``benchmarks/results/genome_scale.json``. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

#: hg38 primary chromosome lengths (chr1..22, X, Y, M): 3.088 Gb.
HG38 = {
    "chr1": 248_956_422, "chr2": 242_193_529, "chr3": 198_295_559, "chr4": 190_214_555,
    "chr5": 181_538_259, "chr6": 170_805_979, "chr7": 159_345_973, "chr8": 145_138_636,
    "chr9": 138_394_717, "chr10": 133_797_422, "chr11": 135_086_622, "chr12": 133_275_309,
    "chr13": 114_364_328, "chr14": 107_043_718, "chr15": 101_991_189, "chr16": 90_338_345,
    "chr17": 83_257_441, "chr18": 80_373_285, "chr19": 58_617_616, "chr20": 64_444_167,
    "chr21": 46_709_983, "chr22": 50_818_468, "chrX": 156_040_895, "chrY": 57_227_415,
    "chrM": 16_569,
}  # fmt: skip
N_FEATURES = 100
BATCH = 64
LINE = 60
RESULTS = Path(__file__).resolve().parent / "results" / "genome_scale.json"


# -- data -----------------------------------------------------------------------------------
def _chromosome(rng: np.random.Generator, length: int) -> np.ndarray:
    """ASCII codes of one chromosome: random ACGT, soft-masked runs, N gaps."""
    seq = np.frombuffer(b"ACGT", np.uint8)[rng.integers(0, 4, length, dtype=np.uint8)]
    # soft-masking: runs of 300 bp, each masked with probability 0.45
    block = 300
    masked = np.repeat(rng.random(-(-length // block)) < 0.45, block)[:length]
    seq[masked] += 32  # 'A' -> 'a'
    telomere = min(10_000, length // 10)
    seq[:telomere] = ord("N")
    seq[length - telomere :] = ord("N")
    if length > 10_000_000:
        middle = length // 2
        seq[middle : middle + length // 100] = ord("N")  # a centromere-like gap of 1%
        for start in rng.integers(0, length - 50_000, 20):
            seq[start : start + int(rng.integers(1_000, 50_000))] = ord("N")
    return seq


def write_genome(path: Path, sizes: dict[str, int], seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    with open(path, "wb") as out:
        for name, length in sizes.items():
            seq = _chromosome(rng, length)
            out.write(f">{name}\n".encode())
            full = length // LINE * LINE
            lines = np.empty((full // LINE, LINE + 1), np.uint8)
            lines[:, :LINE] = seq[:full].reshape(-1, LINE)
            lines[:, LINE] = ord("\n")
            out.write(lines.tobytes())
            if full < length:
                out.write(seq[full:].tobytes() + b"\n")


def write_intervals(path: Path, sizes: dict[str, int], n: int, seed: int = 1) -> list[str]:
    import pandas as pd

    rng = np.random.default_rng(seed)
    names = np.array(list(sizes))
    lengths = np.array(list(sizes.values()), dtype=np.int64)
    chrom = rng.choice(len(names), n, p=lengths / lengths.sum())
    width = rng.integers(100, 2_000, n)
    start = (rng.random(n) * np.maximum(lengths[chrom] - width, 1)).astype(np.int64)
    features = np.array([f"feature{i}" for i in range(N_FEATURES)])
    order = np.lexsort((start, chrom))
    frame = pd.DataFrame(
        {
            "chrom": names[chrom[order]],
            "start": start[order],
            "end": start[order] + width[order],
            "feature": features[rng.integers(0, N_FEATURES, n)],
        }
    )
    frame.to_csv(path, sep="\t", header=False, index=False)
    return list(features)


# -- measurements (in child processes) ----------------------------------------------------
def _memory(pid: int) -> dict[str, float]:
    """RSS, PSS and private memory of a process in MB (``/proc/PID/smaps_rollup``)."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 3 and parts[-1] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1]) / 1024
    return {
        "rss_mb": round(fields.get("Rss", 0.0), 1),
        "pss_mb": round(fields.get("Pss", 0.0), 1),
        "private_mb": round(fields.get("Private_Clean", 0.0) + fields.get("Private_Dirty", 0.0), 1),
    }


def _mapped(pid: int, path: str) -> float:
    """MB of ``path`` resident in process ``pid``'s address space (its mmap)."""
    total, inside = 0.0, False
    with open(f"/proc/{pid}/smaps") as handle:
        for line in handle:
            first = line.split(maxsplit=1)[0]
            if "-" in first and not first.endswith(":"):  # a mapping's header line
                inside = line.rstrip().endswith(path)
            elif inside and first == "Rss:":
                total += int(line.split()[1]) / 1024
    return round(total, 1)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            out += [int(p) for p in handle.read().split()]
    return out


def _build(data: dict[str, str]):
    from selene_sdk.samplers import RandomPositionsSampler
    from selene_sdk.sequences import Genome
    from selene_sdk.targets import GenomicFeatures

    times = {}
    t0 = time.perf_counter()
    genome = Genome(data["fasta"])
    genome.get_chr_lens()  # loads (first start-up: parses the FASTA, writes the cache)
    times["genome_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    rss_before = _memory(os.getpid())["rss_mb"]
    targets = GenomicFeatures(data["intervals"], data["feature_list"])
    targets.get_feature_data("chr1", 1_000_000, 1_001_000)  # builds the index
    times["targets_s"] = time.perf_counter() - t1
    times["index_mb"] = _memory(os.getpid())["rss_mb"] - rss_before
    t2 = time.perf_counter()
    sampler = RandomPositionsSampler(genome, targets, data["feature_list"], seed=7)
    sampler.sample(batch_size=BATCH)
    times["sampler_and_first_batch_s"] = time.perf_counter() - t2
    times["total_s"] = time.perf_counter() - t0
    return genome, sampler, {k: round(v, 2) for k, v in times.items()}


def _rate(draw, seconds: float) -> float:
    draw()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        draw()
        n += 1
    return round(n * BATCH / (time.perf_counter() - t0), 1)


def child(mode: str, data: dict[str, str], seconds: float) -> dict:
    genome, sampler, times = _build(data)
    out = {"startup": times, "main_after_startup": _memory(os.getpid())}
    if mode == "startup":
        return out
    from selene_sdk.samplers.dataloader import SamplerDataLoader

    cache = genome._ensure().cache_file
    out["samples_per_s_main"] = _rate(lambda: sampler.sample(batch_size=BATCH), seconds)
    loader = iter(SamplerDataLoader(sampler, num_workers=2, batch_size=BATCH))
    out["samples_per_s_2_workers"] = _rate(lambda: next(loader), seconds)
    workers = _children(os.getpid())
    out["main"] = _memory(os.getpid()) | {"genome_mapped_mb": _mapped(os.getpid(), cache)}
    out["workers"] = [_memory(p) | {"genome_mapped_mb": _mapped(p, cache)} for p in workers]
    out["pss_total_mb"] = round(out["main"]["pss_mb"] + sum(w["pss_mb"] for w in out["workers"]), 1)
    out["cache_file"] = cache
    return out


def _run_child(mode: str, data: dict[str, str], seconds: float, env: dict) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--data", json.dumps(data)]
    command += ["--seconds", str(seconds)]
    t0 = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child {mode} failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = round(time.perf_counter() - t0, 2)  # with Python's imports
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of hg38's sizes")
    parser.add_argument("--intervals", type=int, default=5_000_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="per sampling rate")
    parser.add_argument("--workdir", help="where the generated files go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, json.loads(args.data), args.seconds)))
        return 0

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="selene-genome-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    sizes = {c: max(int(n * args.scale), 20_000) for c, n in HG38.items()}
    data = {
        "fasta": str(workdir / "genome.fa"),
        "intervals": str(workdir / "features.bed"),
        "features": str(workdir / "features.txt"),
    }
    try:
        t0 = time.perf_counter()
        write_genome(Path(data["fasta"]), sizes)
        features = write_intervals(Path(data["intervals"]), sizes, args.intervals)
        Path(data["features"]).write_text("\n".join(features) + "\n")
        data["feature_list"] = features
        generated_s = time.perf_counter() - t0
        cache = workdir / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        env = os.environ | {"SELENE_SDK_CACHE_DIR": str(cache), "SELENE_SDK_PROGRESS": "0"}
        first = _run_child("startup", data, args.seconds, env)
        second = _run_child("startup", data, args.seconds, env)
        memory = _run_child("memory", data, args.seconds, env)
        bases = sum(sizes.values())
        cache_bytes = sum(f.stat().st_size for f in cache.iterdir())
        report = {
            "date": time.strftime("%Y-%m-%d"),
            "bases": bases,
            "chromosomes": len(sizes),
            "intervals": args.intervals,
            "generate_s": round(generated_s, 1),
            "fasta_bytes": os.path.getsize(data["fasta"]),
            "cache_bytes": cache_bytes,
            "cache_bytes_per_base": round(cache_bytes / bases, 4),
            "first_startup": first["startup"] | {"process_wall_s": first["process_wall_s"]},
            "second_startup": second["startup"] | {"process_wall_s": second["process_wall_s"]},
            "memory": {k: v for k, v in memory.items() if k != "startup"},
        }
        print(json.dumps(report, indent=2))
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {RESULTS}")
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
