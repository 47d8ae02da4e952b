"""Rescaling of ``(L, N)`` score matrices before drawing a sequence logo."""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

__all__ = ["BASE_SCALINGS", "POSITION_SCALINGS", "rescale_score_matrix"]

Scaling = Literal["identity", "probability", "max_effect"]
BASE_SCALINGS: tuple[str, ...] = get_args(Scaling)
POSITION_SCALINGS: tuple[str, ...] = get_args(Scaling)


def _safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` per row; a row whose denominator is 0 becomes 0 if the row
    is all zeros (no effect anywhere) and NaN otherwise (the ratio is undefined)."""
    zero = denominator == 0
    out = numerator / np.where(zero, 1, denominator)
    if zero.any():
        rows = zero[:, 0]
        all_zero = ~numerator[rows].any(axis=1, keepdims=True)
        out[rows] = np.where(all_zero, 0.0, np.nan)
    return out


def rescale_score_matrix(
    score_matrix: np.ndarray,
    base_scaling: str = "identity",
    position_scaling: str = "identity",
) -> np.ndarray:
    """Rescale a score matrix for display; returns a new ``(L, N)`` array (input unchanged).

    Parameters
    ----------
    score_matrix
        ``(L, N)`` scores, one row per position and one column per letter.
    base_scaling : {"identity", "probability", "max_effect"}, default "identity"
        Per-letter transform: ``identity`` and ``probability`` leave values unchanged;
        ``max_effect`` subtracts each position's minimum, so the least favoured letter
        gets 0.
    position_scaling : {"identity", "probability", "max_effect"}, default "identity"
        Per-position transform applied after ``base_scaling``: ``identity`` leaves values
        unchanged; ``probability`` divides each position by the sum of its *original*
        values; ``max_effect`` normalises each position to sum 1 and multiplies it by the
        range (max - min) of the original position.

    Returns
    -------
    numpy.ndarray
        ``(L, N)`` array of the input's floating dtype (float64 for integer input). A
        position whose divisor is 0 becomes 0 if it is all zeros, NaN otherwise.

    Raises
    ------
    ValueError
        For an unknown scaling name or a matrix that is not 2-D.

    Examples
    --------
    >>> rescale_score_matrix(np.array([[1.0, 2.0, 3.0, 4.0]]), "max_effect", "probability")
    array([[0. , 0.1, 0.2, 0.3]])
    """
    if base_scaling not in BASE_SCALINGS:
        raise ValueError(
            f"Could not find base scaling {base_scaling!r}; choose one of {list(BASE_SCALINGS)}"
        )
    if position_scaling not in POSITION_SCALINGS:
        raise ValueError(
            f"Could not find position scaling {position_scaling!r}; choose one of "
            f"{list(POSITION_SCALINGS)}"
        )
    original = np.asarray(score_matrix)
    if original.ndim != 2:
        raise ValueError(f"score_matrix must be 2-D (L, N), got shape {original.shape}")
    if not np.issubdtype(original.dtype, np.floating):
        original = original.astype(np.float64)

    ###
    if base_scaling == "max_effect":
        scaled = original - original.min(axis=1, keepdims=True)
    else:
        scaled = original.copy()
    if position_scaling == "probability":
        scaled = _safe_divide(scaled, original.sum(axis=1, keepdims=True))
    elif position_scaling == "max_effect":
        spread = original.max(axis=1, keepdims=True) - original.min(axis=1, keepdims=True)
        scaled = _safe_divide(scaled, scaled.sum(axis=1, keepdims=True)) * spread
    return scaled.astype(original.dtype, copy=False)
