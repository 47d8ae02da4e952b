"""Pieces shared by the reference architectures: the standard loss and optimizers."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

__all__ = ["bce_criterion", "check_length", "rmsprop", "sgd_with_momentum"]


def bce_criterion() -> nn.Module:
    """Binary cross-entropy on sigmoid outputs (one independent label per feature)."""
    return nn.BCELoss()


def sgd_with_momentum(lr: float) -> tuple[type[torch.optim.Optimizer], dict[str, Any]]:
    """SGD with momentum 0.9 and weight decay 1e-6, the DeepSEA-family default."""
    return torch.optim.SGD, {"lr": lr, "weight_decay": 1e-6, "momentum": 0.9}


def rmsprop(lr: float) -> tuple[type[torch.optim.Optimizer], dict[str, Any]]:
    """Plain RMSprop with the given learning rate."""
    return torch.optim.RMSprop, {"lr": lr}


def check_length(name: str, sequence_length: int, n_out: int, minimum: int) -> None:
    """Raise a clear ``ValueError`` when the input is too short for the layer stack."""
    if n_out < 1:
        raise ValueError(
            f"{name}: sequence_length={sequence_length} is too short for this architecture "
            f"(the convolution/pooling stack needs at least {minimum} bases)"
        )


def min_length(n_out, start: int = 1, limit: int = 100_000) -> int:
    """Smallest sequence length for which ``n_out(length) >= 1``."""
    for length in range(start, limit):
        if n_out(length) >= 1:
            return length
    return limit
