"""DeepSEA with the Adam optimizer: a model file that reuses a reference architecture.

Selene's model-file contract: the file defines the class, ``criterion()`` and
``get_optimizer(lr)``. Here the class is selene_sdk's DeepSEA and only the optimizer
differs from the built-in choice (SGD with momentum).
"""

import torch

from selene_sdk.models.deepsea import DeepSEA, criterion

__all__ = ["DeepSEA", "criterion", "get_optimizer"]


def get_optimizer(lr):
    return torch.optim.Adam, {"lr": lr}
