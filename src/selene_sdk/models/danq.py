"""DanQ (Quang & Xie 2016): one convolution, a bidirectional LSTM, two linear layers.

A valid Selene model file: ``model: {class: DanQ, class_args: {sequence_length: 1000,
n_genomic_features: 919}}``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from selene_sdk.models._common import bce_criterion, check_length, min_length, rmsprop

__all__ = ["DanQ", "criterion", "get_optimizer"]

_K = 26
_P = 13


def _n_positions(sequence_length: int) -> int:
    return (sequence_length - (_K - 1)) // _P


class DanQ(nn.Module):
    """Input ``(B, 4, L)``, output ``(B, n_genomic_features)`` probabilities.

    conv 320 (k 26) -> ReLU -> pool 13 -> dropout .2 -> BiLSTM(320) over positions ->
    dropout .5 -> linear 925 -> ReLU -> linear -> sigmoid.

    Parameters
    ----------
    sequence_length
        Input length ``L`` in bases (at least 38).
    n_genomic_features
        Number of outputs (features predicted).
    """

    def __init__(self, sequence_length: int, n_genomic_features: int):
        super().__init__()
        self._n_channels = _n_positions(sequence_length)
        check_length("DanQ", sequence_length, self._n_channels, min_length(_n_positions))
        self.nnet = nn.Sequential(
            nn.Conv1d(4, 320, kernel_size=_K),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(kernel_size=_P, stride=_P),
            nn.Dropout(0.2),
        )
        self.bdlstm = nn.Sequential(
            nn.LSTM(320, 320, num_layers=1, batch_first=True, bidirectional=True)
        )
        self.classifier = nn.Sequential(
            nn.Dropout(0.5),
            nn.Linear(self._n_channels * 640, 925),
            nn.ReLU(inplace=True),
            nn.Linear(925, n_genomic_features),
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.nnet(x).transpose(1, 2)  # (B, positions, 320): the LSTM runs along the sequence
        out, _ = self.bdlstm(out)
        return self.classifier(out.reshape(out.size(0), -1))


def criterion() -> nn.Module:
    """Binary cross-entropy loss."""
    return bce_criterion()


def get_optimizer(lr: float) -> tuple[type[torch.optim.Optimizer], dict[str, Any]]:
    """RMSprop with learning rate ``lr``."""
    return rmsprop(lr)
