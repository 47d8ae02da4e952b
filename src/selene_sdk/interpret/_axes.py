"""Small matplotlib helpers shared by the logo and heatmap functions."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["label_positions", "position_label_step"]

# At most this many position labels on an axis: beyond ~50 they overlap at usual widths.
_MAX_LABELS = 50


def position_label_step(n_positions: int, max_labels: int = _MAX_LABELS) -> int:
    """Label every ``step``-th position: 1, 2, 5, 10, 20, 50, ... so that labels fit."""
    if n_positions <= max_labels:
        return 1
    raw = n_positions / max_labels
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)  # pragma: no cover - loop always returns


def label_positions(
    ax: Any,
    n_positions: int,
    first: int = 0,
    step: int | None = None,
    max_labels: int = _MAX_LABELS,
) -> None:
    """Put x ticks at cell centres ``i + 0.5`` labelled ``first + i``, every ``step``-th.

    The labelled positions are the multiples of ``step`` (``first = 37``, step 10: 40, 50,
    ...), so every row of a wrapped figure is labelled alike; default step from
    :func:`position_label_step`.
    """
    if step is None:
        step = position_label_step(n_positions, max_labels)
    offset = (-first) % step
    idx = np.arange(offset, n_positions, step)
    ax.set_xticks(idx + 0.5)
    ax.set_xticklabels([str(first + int(i)) for i in idx])
