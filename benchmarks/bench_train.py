"""Training and evaluation speed through the CLI, next to the model-only ceilings.

* Training: steps/s of ``python -m selene_sdk`` on a train config (a DeepSEA-like model:
  DeepSEA's layout with 64/96/128 channels instead of 320/480/960; batch 64,
  1000 bp windows, 200 bp bins, 50 features, RandomPositionsSampler, 2 data workers), read
  from the log's steady-state report, against the **ceiling**: the same model's
  forward + backward + optimizer step on random tensors already in memory, same threads.
* Evaluation: samples/s of ``EvaluateModel.evaluate`` (from its log) against the
  forward-only ceiling (``torch.inference_mode``, same batch size and threads).

Targets: >= 0.90 of each ceiling. Run:
``.venv/bin/python benchmarks/bench_train.py [--steps 60] [--threads 2] [--workdir DIR]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_samplers import make_data  # the same generated 54 Mb genome

BATCH, LENGTH, N_FEATURES = 64, 1000, 50

#: The model file the CLI run uses (full-width DeepSEA trains at ~0.2 steps/s on 2 cores,
#: too slow to benchmark repeatedly; this is the "DeepSEA-like" model of the issue).
MODEL_FILE = """
import torch
from torch import nn


class DeepSeaLike(nn.Module):
    def __init__(self, sequence_length, n_targets, widths=(64, 96, 128)):
        super().__init__()
        c1, c2, c3 = widths
        self.conv = nn.Sequential(
            nn.Conv1d(4, c1, 8), nn.ReLU(inplace=True), nn.MaxPool1d(4, 4), nn.Dropout(0.2),
            nn.Conv1d(c1, c2, 8), nn.ReLU(inplace=True), nn.MaxPool1d(4, 4), nn.Dropout(0.2),
            nn.Conv1d(c2, c3, 8), nn.ReLU(inplace=True), nn.Dropout(0.5),
        )
        n = ((sequence_length - 7) // 4 - 7) // 4 - 7
        self.head = nn.Sequential(
            nn.Linear(c3 * n, n_targets), nn.ReLU(inplace=True),
            nn.Linear(n_targets, n_targets), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.head(self.conv(x).flatten(1))


def criterion():
    return nn.BCELoss()


def get_optimizer(lr):
    return torch.optim.SGD, {"lr": lr, "weight_decay": 1e-6, "momentum": 0.9}
"""


def load_model_module(workdir: Path):
    import importlib.util

    path = workdir / "deepsea_like.py"
    path.write_text(MODEL_FILE)
    spec = importlib.util.spec_from_file_location("deepsea_like", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def random_one_hot() -> torch.Tensor:
    """Random sequences, one-hot ``(B, 4, L)``: the same kind of input the real run sees."""
    bases = torch.randint(0, 4, (BATCH, LENGTH))
    return torch.nn.functional.one_hot(bases, 4).float().transpose(1, 2).contiguous()


def ceiling_train(module, threads: int, steps: int) -> float:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = module.DeepSeaLike(LENGTH, N_FEATURES)
    loss_fn = module.criterion()
    opt_class, kwargs = module.get_optimizer(0.01)
    optimizer = opt_class(model.parameters(), **kwargs)
    x = random_one_hot()
    y = (torch.rand(BATCH, N_FEATURES) < 0.1).float()
    model.train()

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    for _ in range(3):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - t0)


def ceiling_forward(module, threads: int, batches: int) -> float:
    torch.set_num_threads(threads)
    model = module.DeepSeaLike(LENGTH, N_FEATURES).eval()
    x = random_one_hot()
    with torch.inference_mode():
        for _ in range(3):
            model(x)
        t0 = time.perf_counter()
        for _ in range(batches):
            model(x)
    return batches * BATCH / (time.perf_counter() - t0)


TRAIN_CONFIG = """
ops: [train]
model:
  path: {model_file}
  class: DeepSeaLike
  class_args: {{sequence_length: {length}, n_targets: {n_features}}}
sampler: !obj:selene_sdk.samplers.RandomPositionsSampler
  reference_sequence: !obj:selene_sdk.sequences.Genome {{input_path: {fasta}}}
  target_path: {targets}
  features: !obj:selene_sdk.utils.load_features_list {{input_path: {features}}}
  sequence_length: {length}
  center_bin_to_predict: 200
train_model: !obj:selene_sdk.TrainModel
  batch_size: {batch}
  max_steps: {max_steps}
  report_stats_every_n_steps: {report}
  n_validation_samples: 128
  cpu_n_threads: {threads}
  n_data_workers: 2
lr: 0.01
output_dir: {out}
create_subdirectory: False
"""

EVALUATE_CONFIG = """
ops: [evaluate]
model:
  path: {model_file}
  class: DeepSeaLike
  class_args: {{sequence_length: {length}, n_targets: {n_features}}}
sampler: !obj:selene_sdk.samplers.RandomPositionsSampler
  reference_sequence: !obj:selene_sdk.sequences.Genome {{input_path: {fasta}}}
  target_path: {targets}
  features: !obj:selene_sdk.utils.load_features_list {{input_path: {features}}}
  sequence_length: {length}
  center_bin_to_predict: 200
  mode: test
evaluate_model: !obj:selene_sdk.EvaluateModel
  features: !obj:selene_sdk.utils.load_features_list {{input_path: {features}}}
  trained_model_path: {weights}
  batch_size: {batch}
  n_test_samples: {n_test}
output_dir: {out}
create_subdirectory: False
"""


def run_cli(config_text: str, path: Path) -> None:
    from selene_sdk.cli import legacy_main

    path.write_text(textwrap.dedent(config_text))
    if legacy_main([str(path)]) != 0:
        raise SystemExit(f"the CLI run of {path} failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=90, help="steps per measurement x 3")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--n-test", type=int, default=3200)
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()
    # The command line tunes its process (selene_sdk.tune_process); measure ours and the
    # ceilings in the same state, as `selene run` would.
    import selene_sdk

    selene_sdk.tune_process()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench_train_"))
    os.environ.setdefault("SELENE_SDK_CACHE_DIR", str(workdir / "cache"))
    data = make_data(workdir / "data")
    module = load_model_module(workdir)
    fields = dict(
        model_file=workdir / "deepsea_like.py",
        length=LENGTH,
        n_features=N_FEATURES,
        fasta=data["fasta"],
        targets=data["targets"],
        features=data["features"],
        batch=BATCH,
        threads=args.threads,
    )

    # This machine's speed drifts (shared virtual cores): compare medians -- of six ceiling
    # bursts (three before, three after our run) and of our steady-state report windows
    # (the first, with warm-up, is dropped).
    print(f"model-only training ceiling ({args.threads} threads) ...", flush=True)
    burst = max(10, args.steps // 3)
    ceilings = [ceiling_train(module, args.threads, burst) for _ in range(3)]
    out = workdir / "train"
    shutil.rmtree(out, ignore_errors=True)  # logs are appended to: start clean
    run_cli(
        TRAIN_CONFIG.format(max_steps=4 * burst, report=burst, out=out, **fields),
        workdir / "train.yml",
    )
    log = (out / "selene_sdk.train_model.log").read_text()
    rates = [float(x) for x in re.findall(r"train loss [0-9.]+, ([0-9.]+) steps/s", log)]
    train_rate = statistics.median(rates[1:])
    ceilings += [ceiling_train(module, args.threads, burst) for _ in range(3)]
    train_ceiling = statistics.median(ceilings)

    print("forward-only ceiling ...", flush=True)
    n_forward = max(10, args.n_test // BATCH)
    forward = [ceiling_forward(module, args.threads, n_forward) for _ in range(3)]
    eval_rates = []
    for repeat in range(3):
        eval_out = workdir / f"evaluate{repeat}"
        shutil.rmtree(eval_out, ignore_errors=True)
        run_cli(
            EVALUATE_CONFIG.format(
                weights=out / "best_model.pth.tar", n_test=args.n_test, out=eval_out, **fields
            ),
            workdir / "evaluate.yml",
        )
        eval_log = (eval_out / "selene_sdk.evaluate_model.log").read_text()
        eval_rates.append(float(re.findall(r"([0-9.]+) samples/s", eval_log)[-1]))
    forward += [ceiling_forward(module, args.threads, n_forward) for _ in range(3)]
    eval_rate, forward_ceiling = statistics.median(eval_rates), statistics.median(forward)

    print()
    print(
        f"DeepSEA-like model (64/96/128 channels), batch {BATCH}, {LENGTH} bp, "
        f"{N_FEATURES} features, {args.threads} torch threads, 2 data workers"
    )
    print(
        f"  training through the CLI: {train_rate:7.2f} steps/s   ceiling "
        f"{train_ceiling:7.2f} steps/s   ratio {train_rate / train_ceiling:.2f}  "
        "(target >= 0.90)"
    )
    print(
        f"  evaluation:               {eval_rate:7.0f} samples/s ceiling "
        f"{forward_ceiling:7.0f} samples/s ratio {eval_rate / forward_ceiling:.2f}  "
        "(target >= 0.90)"
    )


if __name__ == "__main__":
    main()
