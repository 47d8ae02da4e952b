"""A TrainModel job for torchrun, used by tests/test_distributed.py.

    torchrun --standalone --nproc_per_node=2 tests/distributed_job.py OUT_DIR MAX_STEPS [RESUME]

Trains TinyCNN on MotifSampler (batch 8, report every 2 steps) in OUT_DIR, resuming from
RESUME when given. Each rank writes ``rank<r>.json`` beside OUT_DIR: a fingerprint of each
batch it trained on, its validation predictions (gathered over the ranks) and loss.
"""

from __future__ import annotations

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from selene_sdk import distributed
from selene_sdk.train_model import TrainModel
from tests.training_helpers import MotifSampler, TinyCNN


def fingerprint(inputs: torch.Tensor, targets: torch.Tensor) -> float:
    """A number that tells batches ``(B, 4, L)`` / ``(B, F)`` apart."""
    weights = torch.arange(1, inputs.shape[-1] + 1, dtype=torch.float64)
    return float((inputs.double() * weights).sum() + 1000 * targets.double().sum())


def main() -> None:
    out_dir, max_steps = sys.argv[1], int(sys.argv[2])
    resume = sys.argv[3] if len(sys.argv) > 3 else None
    with distributed.job() as ranks:
        # in a function: the DDP wrapper is freed before the process group goes
        train_and_record(ranks, out_dir, max_steps, resume)


def make_trainer(out_dir: str, max_steps: int, resume: str | None = None) -> TrainModel:
    """The job's TrainModel (TinyCNN on MotifSampler, batch 8, report every 2 steps)."""
    return TrainModel(
        TinyCNN(),
        MotifSampler(seed=3),
        torch.nn.BCELoss(),
        torch.optim.SGD,
        {"lr": 0.1},
        batch_size=8,
        max_steps=max_steps,
        report_stats_every_n_steps=2,
        output_dir=out_dir,
        n_validation_samples=50,
        n_data_workers=0,
        checkpoint_resume=resume,
        use_scheduler=False,
    )


def train_and_record(ranks, out_dir: str, max_steps: int, resume: str | None) -> None:
    torch.manual_seed(0)
    trainer = make_trainer(out_dir, max_steps, resume)
    seen: list[float] = []
    train = trainer.train

    def recording_train(inputs, targets):
        seen.append(fingerprint(inputs, targets))
        return train(inputs, targets)

    trainer.train = recording_train
    trainer.train_and_validate()
    predictions, loss = trainer._predict(trainer._validation_data)
    record = {
        "rank": ranks.rank,
        "world_size": ranks.world_size,
        "batches": seen,
        "validation_predictions": predictions.tolist(),
        "validation_loss": loss,
    }
    where = os.path.join(os.path.dirname(os.path.abspath(out_dir)), f"rank{ranks.rank}.json")
    with open(where, "w") as handle:
        json.dump(record, handle)


if __name__ == "__main__":
    main()
