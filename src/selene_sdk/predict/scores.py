"""Scores of a variant or mutation: pure functions of the reference and alternative predictions.

Each score maps ``(ref, alt)`` prediction arrays of shape ``(B, F)`` to a new ``(B, F)``
array in the same dtype (or computed in that dtype and written into ``out``, e.g. a
float64 output buffer); inputs are never modified (Selene's logit handler clipped the
shared arrays in place, so ``predictions`` written after it contained clipped values).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
from scipy.special import logit as _scipy_logit

from selene_sdk.constants import SCORE_NAMES, ScoreName

__all__ = [
    "SCORES",
    "SCORE_NAMES",
    "ScoreName",
    "abs_diffs",
    "diffs",
    "logits",
    "normalize_save_data",
    "predictions",
]


#: Bounds applied (to a copy) before the logit transform, as in Selene.
LOGIT_ZERO = 1e-24
LOGIT_ONE = 0.999999


def diffs(ref: np.ndarray, alt: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``alt - ref``."""
    return np.subtract(alt, ref, out=out, dtype=np.result_type(ref, alt))


def abs_diffs(ref: np.ndarray, alt: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``|ref - alt|``."""
    return np.abs(ref - alt, out=out)


def _logit(p: np.ndarray) -> np.ndarray:
    # scipy's float32 loop gives exactly the original Selene's values
    if p.size and 0 < p.min() and p.max() < 1:  # the usual case: nothing to replace
        return _scipy_logit(p)
    dtype = p.dtype.type
    p = np.array(p, copy=True)
    np.putmask(p, p == 0, dtype(LOGIT_ZERO))
    np.putmask(p, p >= 1, dtype(LOGIT_ONE))
    return _scipy_logit(p, out=p)


def logits(ref: np.ndarray, alt: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``logit(alt) - logit(ref)`` with ``logit(p) = ln(p / (1 - p))``.

    Probabilities equal to 0 are replaced by 1e-24 and those >= 1 by 0.999999 first (in
    copies), so the result is finite for sigmoid outputs that saturated.
    """
    return np.subtract(_logit(alt), _logit(ref), out=out, dtype=np.result_type(ref, alt))


def predictions(ref: np.ndarray, alt: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The alternative predictions themselves (``ref`` is unused)."""
    if out is None:
        return alt
    out[...] = alt
    return out


SCORES: dict[str, Callable[..., np.ndarray]] = {
    "abs_diffs": abs_diffs,
    "diffs": diffs,
    "logits": logits,
    "predictions": predictions,
}


def normalize_save_data(save_data: Iterable[str] | str) -> list[str]:
    """Validate ``save_data`` and return the distinct names sorted alphabetically.

    Raises
    ------
    ValueError
        When it is empty or names something other than ``abs_diffs``, ``diffs``,
        ``logits`` or ``predictions`` (Selene ignored unknown names silently).
    """
    names = [save_data] if isinstance(save_data, str) else list(save_data or [])
    unknown = [n for n in names if n not in SCORES]
    if unknown:
        raise ValueError(f"save_data: unknown output(s) {unknown}; choose from {list(SCORE_NAMES)}")
    if not names:
        raise ValueError(f"save_data is empty; choose one or more of {list(SCORE_NAMES)}")
    return sorted(set(names))
