"""The figure of ``selene plot attribution``: the attribution logo of one sequence.

Positions ``start .. end - 1`` are wrapped into rows as in ``selene plot ism``
(:func:`~selene_sdk.interpret.ism_figure.row_slices`), all on one y scale; letters above
the line push the feature's output up, letters below push it down.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["attribution_figure"]

_INCH_PER_POSITION = 0.2
_MAX_TICK_LABELS = 20  # per row


def attribution_figure(
    matrix: np.ndarray,
    letters: Sequence[str],
    first: int = 0,
    *,
    title: str = "",
    ylabel: str = "contribution",
    per_row: int | None = None,
    dpi: float = 150,
) -> Figure:
    """A logo of ``matrix`` ``(n, A)`` (letter heights, positive up, negative down), its
    x axis labelled from position ``first``.

    Parameters
    ----------
    matrix
        Letter heights, one row per position, columns in the order of ``letters``.
    letters
        The alphabet (``("A", "C", "G", "T")``).
    first
        Position of the first row of ``matrix`` in the sequence.
    title, ylabel
        Figure title and y-axis label.
    per_row
        Positions per row (see :func:`~selene_sdk.interpret.ism_figure.row_slices`).
    dpi
        The resolution the figure will be saved at (it is at most
        ``MAX_WIDTH_PX / dpi`` inches wide).
    """
    from matplotlib.figure import Figure

    from selene_sdk.interpret._axes import label_positions
    from selene_sdk.interpret.ism_figure import MAX_WIDTH_PX, row_slices
    from selene_sdk.interpret.logo import sequence_logo, stack_layout

    matrix = np.nan_to_num(np.asarray(matrix, np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    rows = row_slices(len(matrix), per_row)
    width_positions = rows[0].stop - rows[0].start
    width = min(max(6.0, _INCH_PER_POSITION * width_positions + 2.0), MAX_WIDTH_PX / dpi)
    figure = Figure(figsize=(width, 1.9 * len(rows) + 0.6), layout="constrained")
    axes = figure.subplots(len(rows), 1, squeeze=False)[:, 0]
    floors, ceilings = stack_layout(matrix)
    low, high = min(0.0, floors.min(initial=0.0)), max(0.0, ceilings.max(initial=0.0))
    high = high if high > low else low + 1.0
    margin = 0.05 * (high - low)
    limits = (low - (margin if low < 0 else 0.0), high + margin)
    for ax, cut in zip(axes, rows):
        sequence_logo(matrix[cut], ax=ax, sequence_type=tuple(letters))
        ax.set_ylim(*limits)
        ax.axhline(0.0, color="black", linewidth=0.5)
        ax.set_xlim(0, width_positions)
        label_positions(
            ax, cut.stop - cut.start, first=first + cut.start, max_labels=_MAX_TICK_LABELS
        )
        ax.set_ylabel(ylabel, fontsize="small")
    axes[-1].set_xlabel("position")
    if title:
        figure.suptitle(title, x=0.01, ha="left")
    return figure
