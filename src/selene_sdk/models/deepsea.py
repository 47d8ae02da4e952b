"""DeepSEA (Zhou & Troyanskaya 2015): three convolution layers and two linear layers.

A valid Selene model file: ``model: {class: DeepSEA, class_args: {sequence_length: 1000,
n_genomic_features: 919}}``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from selene_sdk.models._common import bce_criterion, check_length, min_length, sgd_with_momentum

__all__ = ["DeepSEA", "criterion", "get_optimizer"]

_K = 8
_P = 4


def _n_positions(sequence_length: int) -> int:
    reduce = _K - 1
    return ((sequence_length - reduce) // _P - reduce) // _P - reduce


class DeepSEA(nn.Module):
    """Input ``(B, 4, L)``, output ``(B, n_genomic_features)`` probabilities.

    conv 320 -> pool -> dropout .2 -> conv 480 -> pool -> dropout .2 -> conv 960 ->
    dropout .5 -> linear -> ReLU -> linear -> sigmoid (kernel 8, pool 4).

    Parameters
    ----------
    sequence_length
        Input length ``L`` in bases (at least 163).
    n_genomic_features
        Number of outputs (features predicted).
    """

    def __init__(self, sequence_length: int, n_genomic_features: int):
        super().__init__()
        self.n_channels = _n_positions(sequence_length)
        check_length("DeepSEA", sequence_length, self.n_channels, min_length(_n_positions))
        self.conv_net = nn.Sequential(
            nn.Conv1d(4, 320, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(kernel_size=_P, stride=_P),
            nn.Dropout(p=0.2),
            nn.Conv1d(320, 480, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(kernel_size=_P, stride=_P),
            nn.Dropout(p=0.2),
            nn.Conv1d(480, 960, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.Dropout(p=0.5),
        )
        self.classifier = nn.Sequential(
            nn.Linear(960 * self.n_channels, n_genomic_features),
            nn.ReLU(inplace=True),
            nn.Linear(n_genomic_features, n_genomic_features),
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
