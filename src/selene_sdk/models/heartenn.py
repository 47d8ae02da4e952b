"""HeartENN (Richter et al. 2020): a narrower DeeperDeepSEA with weight-norm constraints.

Before every forward pass each convolution and linear layer's weights are rescaled so that
no output unit's weight vector has an L2 norm above 0.9 (a max-norm constraint).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from selene_sdk.models._common import bce_criterion, check_length, min_length, sgd_with_momentum

__all__ = ["HeartENN", "criterion", "get_optimizer"]

_K = 8
_P = 4
MAX_NORM = 0.9


def _n_positions(sequence_length: int) -> int:
    reduce = 2 * (_K - 1)
    return ((sequence_length - reduce) // _P - reduce) // _P - reduce


class HeartENN(nn.Module):
    """Input ``(B, 4, L)``, output ``(B, n_genomic_features)`` probabilities.

    The DeeperDeepSEA layout with 60 / 80 / 240 channels and dropouts .4 / .6.

    Parameters
    ----------
    sequence_length
        Input length ``L`` in bases (at least 310).
    n_genomic_features
        Number of outputs (features predicted).
    """

    def __init__(self, sequence_length: int, n_genomic_features: int):
        super().__init__()
        self._n_channels = _n_positions(sequence_length)
        check_length("HeartENN", sequence_length, self._n_channels, min_length(_n_positions))
        self.conv_net = nn.Sequential(
            nn.Conv1d(4, 60, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.Conv1d(60, 60, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(kernel_size=_P, stride=_P),
            nn.BatchNorm1d(60),
            nn.Conv1d(60, 80, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.Conv1d(80, 80, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(kernel_size=_P, stride=_P),
            nn.BatchNorm1d(80),
            nn.Dropout(p=0.4),
            nn.Conv1d(80, 240, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.Conv1d(240, 240, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.BatchNorm1d(240),
            nn.Dropout(p=0.6),
        )
        self.classifier = nn.Sequential(
            nn.Linear(240 * self._n_channels, n_genomic_features),
            nn.ReLU(inplace=True),
            nn.BatchNorm1d(n_genomic_features),
            nn.Linear(n_genomic_features, n_genomic_features),
            nn.Sigmoid(),
        )

    def _apply_max_norm(self) -> None:
        with torch.no_grad():
            for layer in self.modules():
                if isinstance(layer, nn.Conv1d | nn.Linear):
                    layer.weight.copy_(torch.renorm(layer.weight, p=2, dim=0, maxnorm=MAX_NORM))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._apply_max_norm()
        out = self.conv_net(x)
        return self.classifier(out.reshape(out.size(0), -1))


def criterion() -> nn.Module:
    """Binary cross-entropy loss."""
    return bce_criterion()


def get_optimizer(lr: float) -> tuple[type[torch.optim.Optimizer], dict[str, Any]]:
    """SGD (momentum 0.9, weight decay 1e-6) with learning rate ``lr``."""
    return sgd_with_momentum(lr)
