"""Samplers: windows drawn from a genome (online samplers), read from files (file samplers),
or combined per partition (``MultiSampler``).

``selene_sdk.samplers.dataloader`` (torch DataLoaders) and ``selene_sdk.samplers.write_h5``
are imported on demand, so importing this package does not import torch.
"""

from selene_sdk.samplers import file_samplers
from selene_sdk.samplers._partition import get_indices_and_probabilities
from selene_sdk.samplers.intervals_sampler import IntervalsSampler
from selene_sdk.samplers.multi_sampler import MultiFileSampler, MultiSampler
from selene_sdk.samplers.online_sampler import OnlineSampler
from selene_sdk.samplers.random_positions_sampler import RandomPositionsSampler
from selene_sdk.samplers.sampler import Sampler

__all__ = [
    "IntervalsSampler",
    "MultiFileSampler",
    "MultiSampler",
    "OnlineSampler",
    "RandomPositionsSampler",
    "Sampler",
    "file_samplers",
    "get_indices_and_probabilities",
]
