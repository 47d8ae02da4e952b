"""Training throughput of one process against torchrun with N processes (CPU, gloo).

Runs the demo's configuration (its DeepSEA-like model, batches of 64 per process) for
``--steps`` steps, once as one process with ``cpu_n_threads: N`` and once under
``torchrun --nproc_per_node=N`` with one thread per process, and prints steps/s and
samples/s side by side. On a machine with few cores this is informational: N processes
share the same cores as the N threads.

    .venv/bin/python benchmarks/bench_ranks.py [--ranks 2] [--steps 60]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RATE = re.compile(r"\[STEP (\d+)/\d+\] train loss \S+, ([\d.]+) steps/s")


def _config(text: str, steps: int, threads: int) -> str:
    values = {
        "max_steps": steps,
        "report_stats_every_n_steps": steps,
        "n_test_samples": 64,
        "n_validation_samples": 64,
        "cpu_n_threads": threads,
    }
    lines = []
    for line in text.splitlines():
        key = line.strip().split(":", 1)[0]
        lines.append(f"  {key}: {values[key]}" if key in values and line.startswith("  ") else line)
    return "\n".join(line for line in lines if not line.startswith("ops:")) + "\nops: [train]\n"


def _run(work: Path, command: list[str]) -> tuple[float, float]:
    env = os.environ | {"OMP_NUM_THREADS": "1", "SELENE_SDK_PROGRESS": "0"}
    t0 = time.perf_counter()
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    rates = RATE.findall(done.stdout + done.stderr)
    if not rates:
        raise RuntimeError("no [STEP] line in the log")
    return float(rates[-1][1]), wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="selene-bench-ranks-"))
    try:
        demo = root / "demo"
        subprocess.run(
            [sys.executable, "-m", "selene_sdk.demo", "--quick", "--output-dir", str(demo)],
            check=True,
            capture_output=True,
        )
        text = (demo / "demo.yml").read_text()
        rows = []
        for name, world in (("1 process", 1), (f"torchrun, {args.ranks} processes", args.ranks)):
            work = root / f"w{world}"
            shutil.copytree(demo, work, ignore=shutil.ignore_patterns("results"))
            threads = args.ranks if world == 1 else 1
            (work / "demo.yml").write_text(_config(text, args.steps, threads))
            if world == 1:
                command = [sys.executable, "-m", "selene_sdk", "demo.yml"]
            else:
                command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
                command += [f"--nproc_per_node={world}", "-m", "selene_sdk", "demo.yml"]
            steps_per_s, wall = _run(work, command)
            rows.append((name, threads, steps_per_s, steps_per_s * 64 * world, wall))
        print(f"{'run':<26} {'threads/process':>15} {'steps/s':>8} {'samples/s':>10} {'wall s':>7}")
        for name, threads, rate, samples, wall in rows:
            print(f"{name:<26} {threads:>15} {rate:>8.2f} {samples:>10.0f} {wall:>7.1f}")
        print(f"ratio of samples/s: {rows[1][3] / rows[0][3]:.2f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
