"""The GPU check: our rates next to the model-only ceiling on one device, for precision 32
and bf16, on the DeepSEA-like benchmark model and the cheap model (benchmarks/bench_analyze.py).

For each (model, precision):

* training: ``TrainModel`` steps/s on a ``RandomPositionsSampler`` over a generated genome
  (1000 bp windows, 50 features, batches of 64, 2 DataLoader workers), next to the same
  number of forward + backward + optimizer steps on random tensors already on the device;
  and the sampler's samples/s through the workers alone (the data pipeline must keep up);
* VEP variants/s, ISM mutations/s (naive and ``fast=True``) and FASTA predictions/s
  (``AnalyzeSequences``), each next to the same number of forward passes on random
  tensors on the device.

Without CUDA it prints one line and exits 0, unless ``--device cpu`` (a dry run of the
script itself, with ``--quick`` sizes).

    .venv/bin/python benchmarks/gpu_check.py [--device cuda] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_analyze as ba

BATCH = 64
PRECISIONS = ("32", "bf16")


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _autocast(device: torch.device, precision: str):
    if precision == "32":
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)


def forward_ceiling(model, device, precision: str, n: int, batch: int = BATCH) -> float:
    """Sequences/s of bare forward passes on random batches already on the device."""
    model = model.to(device).eval()
    inputs = [torch.rand(batch, 4, ba.L, device=device) for _ in range(8)]
    batches = max(2, n // batch)
    with torch.inference_mode(), _autocast(device, precision):
        model(inputs[0])
        _sync(device)
        t0 = time.perf_counter()
        for i in range(batches):
            model(inputs[i % 8])
        _sync(device)
    return batches * batch / (time.perf_counter() - t0)


def train_ceiling(model, device, precision: str, steps: int) -> float:
    """Steps/s of forward + backward + SGD on random batches already on the device."""
    model = model.to(device).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.BCELoss()
    xs = [torch.rand(BATCH, 4, ba.L, device=device) for _ in range(8)]
    ys = [(torch.rand(BATCH, ba.F, device=device) < 0.1).float() for _ in range(8)]

    def step(i):
        optimizer.zero_grad(set_to_none=True)
        with _autocast(device, precision):
            out = model(xs[i % 8])
        loss_fn(out.float(), ys[i % 8]).backward()
        optimizer.step()

    step(0)
    _sync(device)
    t0 = time.perf_counter()
    for i in range(steps):
        step(i)
    _sync(device)
    return steps / (time.perf_counter() - t0)


def make_training_data(tmp: str, genome: str) -> tuple[str, list[str]]:
    rng = np.random.default_rng(4)
    features = [f"f{i}" for i in range(ba.F)]
    rows = []
    for c in range(4):
        starts = np.sort(rng.integers(0, 1_000_000 - 2_000, 4_000))
        for s in starts:
            rows.append(
                f"chr{c + 1}\t{s}\t{s + int(rng.integers(100, 1500))}\t{rng.choice(features)}"
            )
    path = os.path.join(tmp, "features.bed")
    with open(path, "w") as handle:
        handle.write("\n".join(rows) + "\n")
    return path, features


def training_rates(model_cls, device, precision, tmp, genome, steps) -> dict[str, float]:
    from selene_sdk.samplers import RandomPositionsSampler
    from selene_sdk.samplers.dataloader import SamplerDataLoader
    from selene_sdk.sequences import Genome
    from selene_sdk.train_model import TrainModel

    targets, features = make_training_data(tmp, genome)

    def sampler():
        return RandomPositionsSampler(
            Genome(genome), targets, features, validation_holdout=["chr4"], test_holdout=None,
            sequence_length=ba.L, center_bin_to_predict=200,
        )  # fmt: skip

    out = os.path.join(tmp, f"train-{model_cls.__name__}-{precision}")
    torch.manual_seed(0)
    trainer = TrainModel(
        model_cls(), sampler(), torch.nn.BCELoss(), torch.optim.SGD, {"lr": 0.01},
        batch_size=BATCH, max_steps=steps, report_stats_every_n_steps=steps, output_dir=out,
        n_validation_samples=BATCH, use_cuda=device.type == "cuda", n_data_workers=2,
        precision=precision, use_scheduler=False, cpu_n_threads=torch.get_num_threads(),
    )  # fmt: skip
    _sync(device)
    t0 = time.perf_counter()
    trainer.train_and_validate()
    _sync(device)
    ours = steps / (time.perf_counter() - t0)
    loader = iter(SamplerDataLoader(sampler(), num_workers=2, batch_size=BATCH))
    next(loader)
    t0 = time.perf_counter()
    for _ in range(steps):
        next(loader)
    pipeline = steps * BATCH / (time.perf_counter() - t0)
    return {
        "train steps/s": ours,
        "train ceiling": train_ceiling(model_cls(), device, precision, steps),
        "pipeline samples/s": pipeline,
    }


def analysis_rates(model_cls, device, precision, tmp, genome, vcf, n_variants, fasta, n_fasta,
                   ism, n_ism) -> list[tuple[str, float, float, str]]:  # fmt: skip
    from selene_sdk.predict import AnalyzeSequences
    from selene_sdk.sequences import Genome

    model = model_cls()
    analyzer = AnalyzeSequences(
        model, None, ba.L, [f"f{i}" for i in range(ba.F)], batch_size=BATCH,
        reference_sequence=Genome(genome), device=device, precision=precision,
    )  # fmt: skip
    rows = []
    out = os.path.join(tmp, f"out-{model_cls.__name__}-{precision}")
    t = ba.timed(lambda: analyzer.variant_effect_prediction(vcf, ["abs_diffs"], out))
    rows.append(
        (
            "VEP",
            n_variants / t,
            forward_ceiling(model, device, precision, 2 * n_variants) / 2,
            "variants/s",
        )
    )
    t = ba.timed(lambda: analyzer.get_predictions(fasta, out))
    rows.append(
        (
            "prediction",
            n_fasta / t,
            forward_ceiling(model, device, precision, n_fasta),
            "sequences/s",
        )
    )
    mutations = n_ism * ba.L * 3
    t = ba.timed(lambda: analyzer.in_silico_mutagenesis_from_file(ism, ["logits"], out))
    ceiling = forward_ceiling(model, device, precision, mutations)
    rows.append(("ISM", mutations / t, ceiling, "mutations/s"))
    t = ba.timed(lambda: analyzer.in_silico_mutagenesis_from_file(ism, ["logits"], out, fast=True))
    rows.append(("fast ISM", mutations / t, ceiling, "mutations/s"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--quick", action="store_true", help="small sizes (a dry run)")
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("gpu_check: no CUDA device here; nothing measured (run it on a GPU machine)")
        return 0
    quick = args.quick or device.type == "cpu"
    n_variants, n_fasta, n_ism, steps = (400, 400, 1, 12) if quick else (20_000, 20_000, 4, 300)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"gpu_check on {name}, torch {torch.__version__}, {time.strftime('%Y-%m-%d')}")
    warnings.simplefilter("ignore")
    os.environ.setdefault("SELENE_SDK_PROGRESS", "0")
    table = []
    with tempfile.TemporaryDirectory(prefix="selene-gpu-check-") as tmp:
        genome = ba.make_genome(tmp)
        vcf = ba.make_vcf(tmp, genome, n_variants)
        fasta = ba.make_fasta(tmp, n_fasta)
        ism = ba.make_fasta(tmp, n_ism, name="ism.fa")
        for model_cls in (ba.DeepSeaLike, ba.Cheap):
            for precision in PRECISIONS:
                t = training_rates(model_cls, device, precision, tmp, genome, steps)
                table.append(
                    (
                        model_cls.__name__,
                        precision,
                        "train",
                        t["train steps/s"],
                        t["train ceiling"],
                        "steps/s",
                    )
                )
                table.append(
                    (
                        model_cls.__name__,
                        precision,
                        "data pipeline",
                        t["pipeline samples/s"],
                        t["train ceiling"] * BATCH,
                        "samples/s",
                    )
                )
                for op, ours, ceil, unit in analysis_rates(
                    model_cls,
                    device,
                    precision,
                    tmp,
                    genome,
                    vcf,
                    n_variants,
                    fasta,
                    n_fasta,
                    ism,
                    n_ism,
                ):
                    table.append((model_cls.__name__, precision, op, ours, ceil, unit))
    head = ("model", "precision", "operation", "ours", "ceiling", "ratio")
    print("\n{:<12} {:<9} {:<14} {:>12} {:>12} {:>6}  unit".format(*head))
    for model, precision, op, ours, ceil, unit in table:
        cells = f"{ours:>12,.1f} {ceil:>12,.1f} {ours / ceil:>6.2f}"
        print(f"{model:<12} {precision:<9} {op:<14} {cells}  {unit}")
    print(
        "\n(data pipeline: samples/s through 2 DataLoader workers next to what training consumes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
