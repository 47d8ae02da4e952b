"""Fast ISM on a GPU: mutations/s of ``saturation_mutagenesis(fast=True)`` next to naive
ISM and the naive model-only ceiling, whether the plan passed its check, and how far its
results are from naive ISM's, with TF32 convolutions on (PyTorch's default on CUDA) and
off (rates only with PyTorch's setting).

Models: the DeepSEA-like benchmark model of ``bench_analyze.py`` and the same layout at
DeepSEA's widths (320/480/960). Each rate is the best of ``--repeats`` runs, each ratio
the median of the runs' ratios to a ceiling measured just before (the ceiling at the same
batch size as naive ISM, 64, and at 512); fast ISM also with groups of other sizes. Then
the file API (HDF5, 4 outputs) in float32 and bf16. Without CUDA it prints one line and
exits 0, unless ``--device cpu`` (a dry run, with ``--quick`` sizes, 30 s).

    .venv/bin/python benchmarks/gpu_fast_ism.py [--device cuda] [--quick]"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_analyze as ba
from gpu_check import forward_ceiling

GROUPS = (512, 2048, 8192)


class _Plans(logging.Handler):
    """The selene_sdk log lines that say whether a fast-ISM plan was used."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if "fast ISM" in message:
            self.lines.append(message)


def _rate(n: int, fn) -> float:
    start = time.perf_counter()
    fn()  # numpy results: the device has finished
    return n / (time.perf_counter() - start)


def _paired(repeats: int, ours, ceiling) -> tuple[float, float, float]:
    rates, ceilings, ratios = [], [], []
    for _ in range(repeats):
        c = ceiling()
        o = ours()
        rates.append(o)
        ceilings.append(c)
        ratios.append(o / c)
    return max(rates), max(ceilings), float(np.median(ratios))


def _row(label: str, result: tuple[float, float, float], against: str) -> None:
    ours, ceil, ratio = result
    print(
        f"  {label:<34} {ours:>12,.0f} mut/s   {against} {ceil:>10,.0f}   ratio {ratio:6.2f}",
        flush=True,
    )


def agreement(model, device, X, plans: _Plans):
    """Print whether the plan was used and its largest differences from naive ISM (on the
    device, and in float32 on the CPU for the first sequence); return the model."""
    from selene_sdk.predict import saturation_mutagenesis

    model = model.to(device).eval()
    plans.lines.clear()
    fast = saturation_mutagenesis(model, X, fast=True)
    used = plans.lines[-1] if plans.lines else "(no log line)"
    naive = saturation_mutagenesis(model, X)
    diff = float(np.abs(fast.predictions - naive.predictions).max())
    print(f"  plan: {used}", flush=True)
    print(f"  largest |fast - naive| on {len(naive.predictions):,} mutants: {diff:.3g}", flush=True)
    cpu = saturation_mutagenesis(_cpu_copy(model), X[:1]).predictions
    first = slice(0, cpu.shape[0])
    print(
        "  largest difference from float32 naive ISM on the CPU (first sequence): "
        f"fast {np.abs(fast.predictions[first] - cpu).max():.3g}, "
        f"naive {np.abs(naive.predictions[first] - cpu).max():.3g}",
        flush=True,
    )
    return model


def array_rows(model, device, X, repeats) -> None:
    from selene_sdk.predict import mutagenesis, saturation_mutagenesis

    n_mut = X.shape[0] * X.shape[1] * 3

    def c64():
        return forward_ceiling(model, device, "32", n_mut)

    def c512():
        return forward_ceiling(model, device, "32", n_mut, batch=512)

    def run(fast: bool, batch: int = 64):
        return _rate(n_mut, lambda: saturation_mutagenesis(model, X, fast=fast, batch_size=batch))

    _row("naive ISM, batch 64", _paired(repeats, lambda: run(False), c64), "ceiling b64 ")
    _row("naive ISM, batch 512", _paired(repeats, lambda: run(False, 512), c512), "ceiling b512")
    _row("fast ISM (default groups)", _paired(repeats, lambda: run(True), c64), "ceiling b64 ")
    # groups of other sizes (at most one sequence's mutations each)
    default = mutagenesis.GROUP_ROWS, mutagenesis.FAST_CUDA_GROUP_ROWS
    try:
        for rows in GROUPS:
            mutagenesis.GROUP_ROWS = mutagenesis.FAST_CUDA_GROUP_ROWS = rows
            label = f"fast ISM, groups of {rows}"
            _row(label, _paired(repeats, lambda: run(True), c64), "ceiling b64 ")
            _row(label, _paired(repeats, lambda: run(True), c512), "ceiling b512")
    finally:
        mutagenesis.GROUP_ROWS, mutagenesis.FAST_CUDA_GROUP_ROWS = default


def _cpu_copy(model):
    import copy

    return copy.deepcopy(model).cpu()


def file_rows(model_cls, device, tmp, genome, fasta, n_mut, repeats) -> None:
    from selene_sdk.predict import AnalyzeSequences
    from selene_sdk.sequences import Genome

    save = ["abs_diffs", "diffs", "logits", "predictions"]
    for precision in ("32", "bf16"):
        model = model_cls()
        analyzer = AnalyzeSequences(
            model, None, ba.L, [f"f{i}" for i in range(ba.F)], batch_size=ba.BATCH,
            reference_sequence=Genome(genome), device=device, precision=precision,
        )  # fmt: skip
        out = os.path.join(tmp, f"files-{precision}")

        def ceiling(model=model, precision=precision):
            return forward_ceiling(model, device, precision, n_mut)

        for fast in (False, True):

            def run(fast=fast, analyzer=analyzer, out=out):
                return _rate(
                    n_mut,
                    lambda: analyzer.in_silico_mutagenesis_from_file(
                        fasta, save, out, output_format="hdf5", fast=fast
                    ),
                )

            run()
            label = f"{'fast' if fast else 'naive'} ISM, HDF5, {precision}"
            _row(label, _paired(repeats, run, ceiling), "ceiling b64 ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--quick", action="store_true", help="small sizes (a dry run)")
    parser.add_argument("--sequences", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("gpu_fast_ism: no CUDA device here; nothing measured (run it on a GPU machine)")
        return 0
    quick = args.quick or device.type == "cpu"
    n_seq, repeats = (1, 1) if quick else (args.sequences, args.repeats)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"gpu_fast_ism on {name}, torch {torch.__version__}, {time.strftime('%Y-%m-%d %H:%M')}")
    warnings.simplefilter("ignore")
    os.environ.setdefault("SELENE_SDK_PROGRESS", "0")
    plans = _Plans()
    logging.getLogger("selene_sdk").addHandler(plans)
    logging.getLogger("selene_sdk").setLevel(logging.INFO)
    X = np.eye(4, dtype=np.float32)[np.random.default_rng(4).integers(0, 4, (n_seq, ba.L))]
    models = [("DeepSEA-like (64/96/128)", lambda: ba.DeepSeaLike())]
    if not quick:
        models.append(("DeepSEA widths (320/480/960)", lambda: ba.DeepSeaLike((320, 480, 960))))
    tf32_default = torch.backends.cudnn.allow_tf32
    try:
        for label, make in models:
            # rates with PyTorch's settings; with TF32 the other way only the agreement
            # (float32 convolutions without TF32 ran 40x slower on an H200)
            for tf32 in (tf32_default, not tf32_default):
                torch.backends.cudnn.allow_tf32 = tf32
                print(f"\n{label}, cuDNN TF32 {'on' if tf32 else 'off'}", flush=True)
                torch.manual_seed(0)
                model = agreement(make(), device, X, plans)
                if tf32 == tf32_default:
                    array_rows(model, device, X, repeats)
        torch.backends.cudnn.allow_tf32 = tf32_default
        print(f"\nfile API, DeepSEA-like, cuDNN TF32 {'on' if tf32_default else 'off'}")
        with tempfile.TemporaryDirectory(prefix="selene-gpu-ism-") as tmp:
            genome = ba.make_genome(tmp)
            fasta = ba.make_fasta(tmp, n_seq, seed=9, name="ism.fa")
            file_rows(ba.DeepSeaLike, device, tmp, genome, fasta, n_seq * ba.L * 3, repeats)
    finally:
        torch.backends.cudnn.allow_tf32 = tf32_default
    return 0


if __name__ == "__main__":
    sys.exit(main())
