"""DeeperDeepSEA: two convolutions per stage, three stages, batch-normalised.

Module-level :func:`criterion` and :func:`get_optimizer` make this module a valid Selene
model file (``model: {class: DeeperDeepSEA, class_args: {...}}`` in a config).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from selene_sdk.models._common import bce_criterion, check_length, min_length, sgd_with_momentum

__all__ = ["DeeperDeepSEA", "criterion", "get_optimizer"]

_K = 8  # convolution kernel width
_P = 4  # max-pool width and stride


def _n_positions(sequence_length: int) -> int:
    """Length of the last convolution's output: each stage loses 2*(k-1), pools divide by 4."""
    reduce = 2 * (_K - 1)
    return ((sequence_length - reduce) // _P - reduce) // _P - reduce


class DeeperDeepSEA(nn.Module):
    """Convolutional classifier for ``n_targets`` binary features.

    Input ``(B, 4, sequence_length)`` one-hot float; output ``(B, n_targets)`` probabilities.
    Layout: [conv 320, conv 320, pool, BN] [conv 480, conv 480, pool, BN, dropout .2]
    [conv 960, conv 960, BN, dropout .2], then linear -> ReLU -> BN -> linear -> sigmoid.
    Sub-module names (``conv_net``, ``classifier``) match Selene checkpoints.

    Parameters
    ----------
    sequence_length
        Input length in bases (at least 310).
    n_targets
        Number of outputs (features predicted).
    """

    def __init__(self, sequence_length: int, n_targets: int):
        super().__init__()
        self._n_channels = _n_positions(sequence_length)
        check_length("DeeperDeepSEA", sequence_length, self._n_channels, min_length(_n_positions))
        self.conv_net = nn.Sequential(
            nn.Conv1d(4, 320, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.Conv1d(320, 320, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(kernel_size=_P, stride=_P),
            nn.BatchNorm1d(320),
            nn.Conv1d(320, 480, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.Conv1d(480, 480, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(kernel_size=_P, stride=_P),
            nn.BatchNorm1d(480),
            nn.Dropout(p=0.2),
            nn.Conv1d(480, 960, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.Conv1d(960, 960, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.BatchNorm1d(960),
            nn.Dropout(p=0.2),
        )
        self.classifier = nn.Sequential(
            nn.Linear(960 * self._n_channels, n_targets),
            nn.ReLU(inplace=True),
            nn.BatchNorm1d(n_targets),
            nn.Linear(n_targets, n_targets),
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv_net(x)
        return self.classifier(out.reshape(out.size(0), -1))


def criterion() -> nn.Module:
    """Binary cross-entropy loss."""
    return bce_criterion()


def get_optimizer(lr: float) -> tuple[type[torch.optim.Optimizer], dict[str, Any]]:
    """SGD (momentum 0.9, weight decay 1e-6) with learning rate ``lr``."""
    return sgd_with_momentum(lr)
