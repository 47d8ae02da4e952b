"""The ``Target`` interface: anything that labels a genomic window."""

from __future__ import annotations

import abc
from typing import Any

import numpy as np

__all__ = ["Target"]


class Target(metaclass=abc.ABCMeta):
    """Labels for genomic windows (binary features, continuous signals, ...)."""

    @abc.abstractmethod
    def get_feature_data(self, *args: Any, **kwargs: Any) -> np.ndarray:
        """Label vector for one window."""
