"""A tiny in-memory sampler with planted motifs and a small CNN, for training tests."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from selene_sdk.sequences.encoding import DNA

MOTIFS = ("ACGTACGTAC", "TTGGCCAATT")
_MODE_IDS = {"train": 0, "validate": 1, "test": 2}


class MotifSampler:
    """Random sequences; feature ``i`` is 1 when motif ``i`` was planted (probability 0.4).

    Implements the sampler contract TrainModel uses, including the stateless
    ``sample_for_step``.
    """

    def __init__(self, seed: int = 0, length: int = 60, mode: str = "train"):
        self.seed = seed
        self.length = length
        self.modes = ["train", "validate", "test"]
        self.mode = mode
        self.features = [f"motif{i}" for i in range(len(MOTIFS))]
        self.save_datasets: dict = {}
        self.calls: list[tuple] = []

    def set_mode(self, mode: str) -> None:
        if mode not in self.modes:
            raise ValueError(mode)
        self.mode = mode

    def get_feature_from_index(self, index: int) -> str:
        return self.features[index]

    def _draw(self, rng: np.random.Generator, n: int):
        codes = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, (n, self.length))]
        targets = (rng.random((n, len(MOTIFS))) < 0.4).astype(np.float32)
        for j, motif in enumerate(MOTIFS):
            motif_codes = np.frombuffer(motif.encode(), dtype=np.uint8)
            for i in np.nonzero(targets[:, j])[0]:
                pos = rng.integers(0, self.length - len(motif))
                codes[i, pos : pos + len(motif)] = motif_codes
        return DNA.encode(codes), targets

    def sample_for_step(self, step, batch_size, mode="train", return_coordinates=False):
        self.calls.append((step, mode))
        rng = np.random.default_rng([self.seed, _MODE_IDS[mode], step])
        return self._draw(rng, batch_size)

    def _dataset(self, mode: str, batch_size: int, n_samples: int):
        rng = np.random.default_rng([self.seed, _MODE_IDS[mode], 10**9])
        seqs, targets = self._draw(rng, n_samples)
        batches = [
            (seqs[i : i + batch_size], targets[i : i + batch_size])
            for i in range(0, n_samples, batch_size)
        ]
        return batches, targets

    def get_validation_set(self, batch_size, n_samples=None):
        return self._dataset("validate", batch_size, n_samples or 200)

    def get_test_set(self, batch_size, n_samples=None):
        return self._dataset("test", batch_size, n_samples or 300)

    def get_data_and_targets(self, batch_size, n_samples=None, mode=None):
        return self._dataset(mode or self.mode, batch_size, n_samples or 300)


class TinyCNN(nn.Module):
    """Conv -> ReLU -> global max -> dropout -> linear -> sigmoid."""

    def __init__(self, sequence_length: int = 60, n_targets: int = 2):
        super().__init__()
        self.conv = nn.Conv1d(4, 16, 10)
        self.drop = nn.Dropout(0.2)
        self.linear = nn.Linear(16, n_targets)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.conv(x)).amax(dim=2)
        return torch.sigmoid(self.linear(self.drop(h)))


def train_kwargs(tmp_dir, **overrides):
    kwargs = dict(
        loss_criterion=nn.BCELoss(),
        optimizer_class=torch.optim.Adam,
        optimizer_kwargs={"lr": 0.01},
        batch_size=32,
        max_steps=40,
        report_stats_every_n_steps=10,
        output_dir=str(tmp_dir),
        save_checkpoint_every_n_steps=10,
        n_validation_samples=200,
        n_test_samples=300,
        cpu_n_threads=1,
        n_data_workers=0,
        logging_verbosity=1,
    )
    kwargs.update(overrides)
    return kwargs
