"""Fixtures for config tests: a tiny model file and helpers to write configs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.config import standins

MODEL_FILE = """
import torch
from torch import nn


class Tiny(nn.Module):
    def __init__(self, sequence_length, n_targets):
        super().__init__()
        self.linear = nn.Linear(4 * sequence_length, n_targets)

    def forward(self, x):
        return torch.sigmoid(self.linear(x.flatten(1)))


def criterion():
    return nn.BCELoss()


def get_optimizer(lr):
    return torch.optim.SGD, {"lr": lr, "momentum": 0.9}
"""


@pytest.fixture(autouse=True)
def _reset_calls():
    standins.reset()
    yield
    standins.reset()


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny_model.py"
    path.write_text(MODEL_FILE)
    return path


@pytest.fixture
def features_file(tmp_path: Path) -> Path:
    path = tmp_path / "features.txt"
    path.write_text("feature0\nfeature1\nfeature2\n")
    return path


@pytest.fixture
def write_config(tmp_path: Path):
    """write_config(text) -> path of a config file (text is dedented)."""

    def write(text: str, name: str = "config.yml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    return write
