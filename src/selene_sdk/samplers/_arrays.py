"""Row selection from numpy arrays and h5py datasets (which need increasing, unique indices)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["take_rows"]


def take_rows(source: Any, axis: int, rows: np.ndarray) -> np.ndarray:
    """``source`` rows ``rows`` along ``axis``, in the requested order -> numpy array.

    Works for numpy arrays and lazily read h5py datasets alike: the unique rows are read in
    increasing order (one h5py selection), then reordered/duplicated in memory.
    """
    rows = np.asarray(rows, dtype=np.int64)
    uniq, inverse = np.unique(rows, return_inverse=True)
    index: list[Any] = [slice(None)] * len(source.shape)
    if len(uniq) == 1:
        index[axis] = slice(int(uniq[0]), int(uniq[0]) + 1)
    elif len(uniq) and uniq[-1] - uniq[0] + 1 == len(uniq):
        index[axis] = slice(int(uniq[0]), int(uniq[-1]) + 1)  # contiguous: a cheap slice read
    else:
        index[axis] = uniq
    data = np.asarray(source[tuple(index)])
    if len(uniq) != len(rows) or not np.array_equal(uniq, rows):
        data = np.take(data, inverse.reshape(-1), axis=axis)
    return data
