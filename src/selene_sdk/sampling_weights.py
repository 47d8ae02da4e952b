"""Sampling weights for choosing intervals in proportion to their lengths."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["get_indices_and_probabilities"]


def get_indices_and_probabilities(
    interval_lengths: Sequence[float] | np.ndarray, indices: Sequence[int] | np.ndarray
) -> tuple[list[int], list[float]]:
    """Indices to sample from and their probabilities, proportional to interval length.

    Parameters
    ----------
    interval_lengths
        Length (weight) of every interval, indexed by interval number.
    indices
        The interval numbers of one partition (e.g. the training intervals).

    Returns
    -------
    ``(kept_indices, probabilities)``: indices whose normalised weight is at most 1e-10
    (e.g. non-positive lengths) are dropped and the remaining weights renormalised to sum
    to 1 (a list of floats, as in Selene).
    """
    indices = [int(i) for i in indices]
    lengths = np.asarray(interval_lengths, dtype=np.float64)
    weights = lengths[indices] if indices else np.zeros(0)
    total = weights.sum()
    if total <= 0:
        raise ValueError("no interval with a positive length to sample from")
    probs = weights / total
    keep = probs > 1e-10
    if not keep.all():
        indices = [i for i, k in zip(indices, keep) if k]
        probs = weights[keep] / weights[keep].sum()
    return indices, probs.tolist()
