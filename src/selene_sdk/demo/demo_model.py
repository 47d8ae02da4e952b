"""A scaled-down DeepSEA for the demo: three convolution blocks, then two linear layers.

Selene's model-file contract: the class, ``criterion()`` and ``get_optimizer(lr)``.
"""

import torch
from torch import nn


class DemoDeepSEA(nn.Module):
    """Input ``(B, 4, L)``, output ``(B, n_targets)`` probabilities.

    DeepSEA's layout, scaled down for a laptop: convolution -> ReLU -> max-pool ->
    convolution -> ReLU, then the strongest response anywhere in the window (global max)
    feeds two linear layers and a sigmoid.
    """

    def __init__(self, sequence_length, n_targets):
        super().__init__()
        self.conv_net = nn.Sequential(
            nn.Conv1d(4, 64, kernel_size=15),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(4, 4),
            nn.Dropout(0.1),
            nn.Conv1d(64, 64, kernel_size=5),
            nn.ReLU(inplace=True),
        )
        self.classifier = nn.Sequential(
            nn.Linear(64, 32),
            nn.ReLU(inplace=True),
            nn.Linear(32, n_targets),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.classifier(self.conv_net(x).amax(dim=2))


def criterion():
    return nn.BCELoss()


def get_optimizer(lr):
    return torch.optim.Adam, {"lr": lr}
