"""A DeepSEA-style model sized for a CPU: the model file of the chr20 tutorial.

Selene's model-file contract: the file defines the model class, ``criterion()`` and
``get_optimizer(lr)``. The layout is DeepSEA's (three convolutions with kernel 8, max-pool 4,
dropout, then two linear layers) with three changes for a small CPU: 64/64/128 channels
instead of 320/480/960, batch normalisation after each convolution (it learns faster in a
few minutes of training), and a 64-unit hidden layer instead of one as wide as the output
(four outputs here). Full DeepSEA has about 50 times the convolution weights and is far
slower per step on a 2-core CPU; four features do not need it. For the full model drop
``path`` and write ``class: DeepSEA`` (a reference architecture of ``selene_sdk.models``).
"""

import torch
from torch import nn

__all__ = ["DeepSEAStyle", "criterion", "get_optimizer"]

KERNEL = 8
POOL = 4


class DeepSEAStyle(nn.Module):
    """Input ``(B, 4, L)`` one-hot, output ``(B, n_genomic_features)`` probabilities."""

    def __init__(self, sequence_length, n_genomic_features, widths=(64, 64, 128), hidden=64):
        super().__init__()
        c1, c2, c3 = widths
        self.conv_net = nn.Sequential(
            nn.Conv1d(4, c1, KERNEL),
            nn.BatchNorm1d(c1),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(POOL, POOL),
            nn.Dropout(0.2),
            nn.Conv1d(c1, c2, KERNEL),
            nn.BatchNorm1d(c2),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(POOL, POOL),
            nn.Dropout(0.2),
            nn.Conv1d(c2, c3, KERNEL),
            nn.BatchNorm1d(c3),
            nn.ReLU(inplace=True),
            nn.Dropout(0.5),
        )
        k = KERNEL - 1
        n_positions = ((sequence_length - k) // POOL - k) // POOL - k
        self.classifier = nn.Sequential(
            nn.Linear(c3 * n_positions, hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, n_genomic_features),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.classifier(self.conv_net(x).flatten(1))


def criterion():
    """Binary cross-entropy on the sigmoid outputs."""
    return nn.BCELoss()


def get_optimizer(lr):
    """Adam with learning rate ``lr``."""
    return torch.optim.Adam, {"lr": lr}
