"""A deliberately small model file for the example configs (Selene's model-file contract).

It defines the model class, ``criterion()`` and ``get_optimizer(lr)``; the example data
script copies it to ``data/tiny_cnn.py`` and saves untrained weights next to it.
"""

import torch
from torch import nn


class TinyCNN(nn.Module):
    """One convolution, global max pooling, one linear layer: ``(B, 4, L)`` -> ``(B, F)``."""

    def __init__(self, sequence_length, n_targets):
        super().__init__()
        self.sequence_length = sequence_length
        self.conv = nn.Conv1d(4, 8, kernel_size=9, padding=4)
        self.linear = nn.Linear(8, n_targets)

    def forward(self, x):
        hidden = torch.relu(self.conv(x)).amax(dim=2)
        return torch.sigmoid(self.linear(hidden))


def criterion():
    return nn.BCELoss()


def get_optimizer(lr):
    return torch.optim.SGD, {"lr": lr, "momentum": 0.9}
