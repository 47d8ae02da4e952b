"""Throughput of tangermeme's in-silico mutagenesis next to the model-only ceiling.

A side-by-side driver for ``bench_analyze.py``: the same DeepSEA-like model (class
``DeepSeaLike``, imported from there), random one-hot ``(N, 4, L)`` sequences, and
``tangermeme.saturation_mutagenesis`` (tangermeme 1.6.0) measured in mutations/s (3 * L
single-base mutations per sequence):

* ``naive``: ``fast=False``, one full forward pass per edited sequence.
* ``fast``: ``fast=True`` (fastISM: the model is captured with ``torch.export``, the
  activations of each reference sequence are cached, and each edit recomputes only the
  positions of each layer it can change). tangermeme only tries the fast path when it
  estimates that ``fast=False`` would take more than 30 s (``_FAST_MIN_SECONDS``), so here
  that threshold is set to 0 to measure the fast path at any size; the time of each call
  includes its capture and its check against ``fast=False`` on one batch. If tangermeme
  falls back to ``fast=False`` (it warns), the row is labelled ``fast-fallback``.
* ``forced`` (only if asked for): as ``fast``, and tangermeme's check that the fast path is
  not slower than ``fast=False`` (``_FAST_MAX_RELATIVE_TIME``) is lifted too, so the fast
  path runs even where tangermeme would decline it (its check of the results still runs).
* ``auto`` (only if asked for): ``fast=True`` with tangermeme's own 30 s threshold.

Each call is ``saturation_mutagenesis(model, X, batch_size=--batch, device="cpu",
raw_outputs=True, fast=...)``. The ceiling is the same number of forward passes at batch
64 on random tensors already in memory, 16 distinct batches used in turn (as ``ceiling()``
in ``bench_analyze.py``); each run is measured right after its ceiling, and each mode is
warmed up first on a short span. tangermeme lives in its own virtualenv (torch 2.13.0 CPU,
as the project's), so run this with that virtualenv's python, from the repository root::

    ~/.cache/tangermeme-venv/bin/python benchmarks/bench_tangermeme_ism.py \\
        --threads 2 --sequences 2 --length 1000 --widths 64,96,128 --features 50

One machine-readable line per measurement goes to stdout,
``TANGERMEME <mode> <mutations/s> <ceiling mutations/s>``; lines starting with ``#`` are
comments.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch

# The same model and sizes as bench_analyze.py: imported, not copied (its module level
# needs only numpy and torch, which this virtualenv has).
from bench_analyze import BATCH, DeepSeaLike, F, L
from torch import nn

_INPUTS: list[torch.Tensor] = []


def ceiling(model: nn.Module, n_sequences: int, length: int, batch: int = BATCH) -> float:
    """Sequences/s of bare forward passes on random tensors already in memory (16 distinct
    batches used in turn: one batch reused every time would stay in the CPU cache, which
    no real input does)."""
    model.eval()
    if not _INPUTS or _INPUTS[0].shape != (batch, 4, length):
        _INPUTS[:] = [torch.rand(batch, 4, length) for _ in range(16)]
    n_batches = max(1, round(n_sequences / batch))
    with torch.inference_mode():
        model(_INPUTS[0])
        start = time.perf_counter()
        for i in range(n_batches):
            model(_INPUTS[i % 16])
        elapsed = time.perf_counter() - start
    return n_batches * batch / elapsed


def one_hot(n: int, length: int, seed: int = 4) -> torch.Tensor:
    """Random one-hot sequences, shape (n, 4, length), float32."""
    codes = np.random.default_rng(seed).integers(0, 4, (n, length))
    return torch.from_numpy(np.eye(4, dtype=np.float32)[codes].transpose(0, 2, 1).copy())


def run_ism(sm_module, model, X, mode: str, batch: int, end: int = -1) -> tuple[float, str]:
    """One ``saturation_mutagenesis`` call; return (seconds, label). The label is the mode,
    or ``fast-fallback`` when tangermeme warned that it used ``fast=False`` instead."""
    threshold, relative = sm_module._FAST_MIN_SECONDS, sm_module._FAST_MAX_RELATIVE_TIME
    if mode in ("fast", "forced"):
        sm_module._FAST_MIN_SECONDS = 0.0
    if mode == "forced":
        sm_module._FAST_MAX_RELATIVE_TIME = float("inf")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            start = time.perf_counter()
            sm_module.saturation_mutagenesis(
                model,
                X,
                end=end,
                batch_size=batch,
                device="cpu",
                raw_outputs=True,
                fast=mode != "naive",
            )
            seconds = time.perf_counter() - start
    finally:
        sm_module._FAST_MIN_SECONDS = threshold
        sm_module._FAST_MAX_RELATIVE_TIME = relative
    fallback = [w for w in caught if "using fast=False" in str(w.message)]
    if fallback and mode != "naive":
        print(f"# {mode}: {fallback[0].message}", flush=True)
        return seconds, f"{mode}-fallback"
    return seconds, mode


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sequences", type=int, default=2, help="sequences per ISM call")
    parser.add_argument("--length", type=int, default=L)
    parser.add_argument("--widths", default="64,96,128", help="conv widths (DeepSEA: 320,480,960)")
    parser.add_argument("--features", type=int, default=F)
    parser.add_argument("--batch", type=int, default=BATCH, help="saturation_mutagenesis batch")
    parser.add_argument("--modes", default="naive,fast", help="naive, fast, forced, auto")
    parser.add_argument("--repeats", type=int, default=1, help="(ceiling, run) pairs per mode")
    args = parser.parse_args(argv)

    import tangermeme
    import tangermeme.saturation_mutagenesis as sm

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    widths = tuple(int(w) for w in args.widths.split(","))
    model = DeepSeaLike(widths, args.length, args.features).eval()
    X = one_hot(args.sequences, args.length)
    n_mut = 3 * args.length * args.sequences
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for mode in modes:
        if mode not in ("naive", "fast", "forced", "auto"):
            parser.error(f"unknown mode {mode!r}")
    print(
        f"# tangermeme {tangermeme.__version__}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads; DeepSeaLike{widths}, L={args.length}, "
        f"{args.features} features, {sum(p.numel() for p in model.parameters()):,} "
        f"parameters; {args.sequences} sequences = {n_mut:,} mutations per call, "
        f"batch {args.batch}",
        flush=True,
    )
    ceiling(model, BATCH, args.length)  # warm-up
    for mode in modes:
        run_ism(sm, model, X[:1], mode, args.batch, end=min(args.length, 64))  # warm-up
        for _ in range(args.repeats):
            ceil = ceiling(model, n_mut, args.length)
            seconds, label = run_ism(sm, model, X, mode, args.batch)
            print(f"TANGERMEME {label} {n_mut / seconds:.1f} {ceil:.1f}", flush=True)


if __name__ == "__main__":
    main()
