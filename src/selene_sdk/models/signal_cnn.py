"""SignalCNN: a reference model for continuous targets (signal tracks, accessibility).

A valid Selene model file: ``model: {class: SignalCNN, class_args: {sequence_length: 1000,
n_targets: 6}}``. Its criterion is the masked mean squared error (NaN targets left out),
so it trains on ``GenomicFeaturesH5`` and ``BigWigTargets`` as they come.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from selene_sdk.models.losses import MaskedMSELoss

__all__ = ["SignalCNN", "criterion", "get_optimizer"]


class SignalCNN(nn.Module):
    """Input ``(B, 4, L)``, output ``(B, n_targets)`` real values.

    Three blocks of convolution (kernel 9, ``channels`` wide), batch norm, ReLU and max
    pooling by 4, then global average pooling and a linear layer per target: the output
    does not depend on ``L`` beyond the receptive field, so any length of at least 64 works.

    Parameters
    ----------
    sequence_length
        Input length ``L`` in bases (kept for the model-file contract; at least 64).
    n_targets
        Number of outputs (targets predicted).
    channels
        Width of the convolutions.
    """

    def __init__(self, sequence_length: int, n_targets: int, channels: int = 64):
        super().__init__()
        if sequence_length < 64:
            raise ValueError(f"SignalCNN: sequence_length={sequence_length} is below 64")
        blocks: list[nn.Module] = []
        width = 4
        for _ in range(3):
            blocks += [
                nn.Conv1d(width, channels, kernel_size=9, padding=4),
                nn.BatchNorm1d(channels),
                nn.ReLU(inplace=True),
                nn.MaxPool1d(4),
            ]
            width = channels
        self.body = nn.Sequential(*blocks)
        self.head = nn.Linear(channels, n_targets)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x).mean(dim=2))


def criterion() -> nn.Module:
    """Mean squared error over the targets that are not NaN."""
    return MaskedMSELoss()


def get_optimizer(lr: float) -> tuple[type[torch.optim.Optimizer], dict[str, Any]]:
    """Adam with learning rate ``lr``."""
    return torch.optim.Adam, {"lr": lr}
