"""The figure of ``selene plot ism``: logo(s) above a heatmap, wrapped into rows.

Long windows are wrapped into rows of at most ``per_row`` positions (default: one row up to
100 positions, else rows of about 80) so that the figure is at most 2,400 pixels wide at
the saved resolution. All rows share one y scale and one colour scale, labelled with the
kind of score (taken from the file name, ``<prefix>_<score>.tsv``).
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from selene_sdk.interpret.ism_result import ISMResult

__all__ = ["MAX_WIDTH_PX", "ism_figure", "row_slices", "score_label"]

#: Widest figure, in pixels at the saved dpi (vector formats: at the ``dpi`` argument).
MAX_WIDTH_PX = 2400
_ONE_ROW_MAX = 100  # positions drawn in one row by default
_ROW_TARGET = 80  # positions per row when wrapping by default
_INCH_PER_POSITION = 0.2
_MAX_TICK_LABELS = 20  # per row: every 1, 2, 5, 10, ... positions

#: score type -> (what the matrix holds, a short form for y axes, the quantity compared by
#: a reference logo)
_SCORES: dict[str | None, tuple[str, str, str]] = {
    "predictions": ("prediction", "prediction", "prediction"),
    "diffs": ("prediction change (alt - ref)", "prediction change", "prediction"),
    "abs_diffs": ("|prediction change|", "|prediction change|", "|prediction change|"),
    "logits": ("log-odds change (logit alt - logit ref)", "log-odds change", "log-odds"),
    None: ("score", "score", "score"),
}
LogoKind = Literal["all", "reference", "both"]


def score_label(score_type: str | None) -> str:
    """What an ISM score matrix holds, for axis labels (``"log-odds change ..."``)."""
    return _SCORES.get(score_type, _SCORES[None])[0]


def row_slices(n_positions: int, per_row: int | None = None) -> list[slice]:
    """Split ``n_positions`` into rows: ``per_row`` each (the last shorter), or by default
    one row up to 100 positions, else rows of at most 80 (``per_row=0``: one row)."""
    if per_row is not None and per_row < 0:
        raise ValueError(f"per_row must be >= 0, got {per_row}")
    if per_row is None:
        if n_positions <= _ONE_ROW_MAX:
            per_row = n_positions
        else:
            per_row = math.ceil(n_positions / math.ceil(n_positions / _ROW_TARGET))
    per_row = per_row or n_positions
    return [slice(a, min(a + per_row, n_positions)) for a in range(0, n_positions, per_row)]


def _logo_label(label: str, base_scaling: str, position_scaling: str) -> str:
    if base_scaling == "max_effect":
        label += "\nabove the position's\nlowest letter"
    if position_scaling != "identity":
        label += f"\n({position_scaling}-scaled)"
    return label


def _reference_label(score_type: str | None, how: str) -> str:
    quantity = _SCORES.get(score_type, _SCORES[None])[2]
    if score_type == "abs_diffs":
        return f"{'mean' if how == 'mean' else 'largest'}\n{quantity}\nwhen mutated"
    return f"{quantity}:\nref - {'mean' if how == 'mean' else 'farthest'} alt"


def _heat_limits(values: np.ndarray, cmap: str | None) -> tuple[str, float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        finite = np.zeros(1)
    lo, hi = float(finite.min()), float(finite.max())
    if cmap is None and lo < 0:
        half = max(abs(lo), abs(hi)) or 1.0
        return "RdBu_r", -half, half
    return cmap or "Blues", lo, hi if hi > lo else lo + 1.0


def ism_figure(
    result: ISMResult,
    feature: str,
    start: int | None = None,
    end: int | None = None,
    *,
    logo: LogoKind = "all",
    reference_effect: Literal["mean", "max"] = "mean",
    label: str | None = None,
    base_scaling: str = "max_effect",
    position_scaling: str = "identity",
    order: Literal["value", "alpha"] = "value",
    cmap: str | None = None,
    mask_reference: bool = False,
    per_row: int | None = None,
    dpi: float = 150,
    title: str | None = None,
) -> Figure:
    """Logo(s) and heatmap of one feature's ISM scores for positions ``start .. end - 1``.

    Parameters
    ----------
    result, feature
        The ISM table and the feature to draw.
    start, end
        The window (default: all positions of ``result``).
    logo : {"all", "reference", "both"}
        ``"all"``: every letter, heights from ``rescale_score_matrix(scores, base_scaling,
        position_scaling)``. ``"reference"``: the reference letter only, height =
        :func:`~selene_sdk.interpret.reference_logo.reference_effects` (``reference_effect``
        ``"mean"``: reference minus the mean of its substitutions; ``"max"``: minus the
        farthest one), above the axis when mutating the position lowers the score.
        ``"both"``: the reference logo above the all-letter logo.
    label
        What the scores are (default from ``result.score_type``, e.g. ``"log-odds change
        (logit alt - logit ref)"``): the logo y label and the colour bar label.
    cmap
        Heatmap colours (default ``Blues``, or ``RdBu_r`` centred on 0 when a score is < 0).
    mask_reference
        Leave the reference letters blank in the heatmap.
    per_row
        Positions per row (see :func:`row_slices`).
    dpi
        The resolution the figure will be saved at: its width is at most
        ``MAX_WIDTH_PX / dpi`` inches.
    """
    from matplotlib.figure import Figure

    from selene_sdk.interpret._alphabet import resolve_alphabet
    from selene_sdk.interpret._axes import label_positions
    from selene_sdk.interpret.heatmap import heatmap
    from selene_sdk.interpret.logo import sequence_logo, stack_layout
    from selene_sdk.interpret.reference_logo import reference_effects, reference_matrix
    from selene_sdk.interpret.rescale import rescale_score_matrix

    if logo not in ("all", "reference", "both"):
        raise ValueError(f"logo must be 'all', 'reference' or 'both', got {logo!r}")
    start = result.start_position if start is None else int(start)
    end = result.end_position if end is None else int(end)
    if not result.start_position <= start < end <= result.end_position:
        raise ValueError(
            f"--start/--end must satisfy {result.start_position} <= start < end <= "
            f"{result.end_position}; got {start}, {end}"
        )
    offset = start - result.start_position
    scores = result.get_score_matrix_for(feature)[offset : offset + end - start]
    reference = result.reference_sequence[offset : offset + end - start]
    alphabet = resolve_alphabet(result.sequence_type)
    short = label or _SCORES.get(result.score_type, _SCORES[None])[1]
    label = label or score_label(result.score_type)

    logos: dict[str, tuple[np.ndarray, str]] = {}
    if logo in ("reference", "both"):
        effects = reference_effects(
            scores,
            reference,
            reference_effect,
            result.sequence_type,
            absolute=result.score_type == "abs_diffs",
        )
        logos["reference"] = (
            reference_matrix(effects, reference, result.sequence_type),
            _reference_label(result.score_type, reference_effect),
        )
    if logo in ("all", "both"):
        rescaled = rescale_score_matrix(scores, base_scaling, position_scaling)
        rescaled = np.nan_to_num(rescaled, nan=0.0, posinf=0.0, neginf=0.0)
        logos["all"] = (rescaled, _logo_label(short, base_scaling, position_scaling))
    mask = alphabet.encode(reference) == 1 if mask_reference else None
    shown = scores if mask is None else np.where(mask, np.nan, scores)
    heat_cmap, vmin, vmax = _heat_limits(shown, cmap)

    rows = row_slices(end - start, per_row)
    width_positions = rows[0].stop - rows[0].start
    width = min(max(6.0, _INCH_PER_POSITION * width_positions + 2.4), MAX_WIDTH_PX / dpi)
    heat_height = max(1.0, 0.22 * alphabet.size)
    ratios = [1.5] * len(logos) + [heat_height]
    row_height = sum(ratios) + 0.5
    figure = Figure(figsize=(width, row_height * len(rows) + 1.4), layout="constrained")
    parts = figure.subfigures(len(rows) + 1, 1, height_ratios=[row_height] * len(rows) + [0.8])
    limits = {}
    for kind, (matrix, _) in logos.items():
        floors, ceilings = stack_layout(matrix, order if kind == "all" else "alpha")
        low, high = min(0.0, floors.min(initial=0.0)), max(0.0, ceilings.max(initial=0.0))
        high = high if high > low else low + 1.0
        margin = 0.05 * (high - low)
        limits[kind] = (low - (margin if low < 0 else 0.0), high + margin)

    mesh = None
    for r, (part, cut) in enumerate(zip(parts, rows)):
        axes = part.subplots(len(ratios), 1, height_ratios=ratios, squeeze=False)[:, 0]
        first = start + cut.start
        n_cut = cut.stop - cut.start
        for ax, (kind, (matrix, ylabel)) in zip(axes, logos.items()):
            sequence_logo(
                matrix[cut],
                order=order if kind == "all" else "alpha",
                ax=ax,
                sequence_type=result.sequence_type,
            )
            ax.set_ylim(*limits[kind])
            if limits[kind][0] < 0:
                ax.axhline(0.0, color="black", linewidth=0.5)
            ax.set_ylabel(ylabel, fontsize="small")
            if kind == "reference" and r == 0:
                ax.set_title(
                    "reference sequence; letters above the line: mutating lowers the score, "
                    "below: raises it",
                    fontsize="small",
                    loc="left",
                )
        heat_ax = axes[-1]
        heatmap(
            scores[cut],
            mask=None if mask is None else mask[cut],
            sequence_type=result.sequence_type,
            ax=heat_ax,
            cmap=heat_cmap,
            vmin=vmin,
            vmax=vmax,
            cbar=False,
        )
        mesh = heat_ax.collections[0]
        for ax in axes:
            ax.set_xlim(0, width_positions)
            label_positions(ax, n_cut, first=first, max_labels=_MAX_TICK_LABELS)
        for ax in axes[:-1]:
            ax.tick_params(labelbottom=False)
        heat_ax.set_xlabel("position")
    grid = parts[-1].add_gridspec(1, 3, width_ratios=(1, 2, 1))
    cax = parts[-1].add_subplot(grid[0, 1])
    figure.colorbar(mesh, cax=cax, orientation="horizontal", label=f"heatmap: {label}")
    source = os.path.basename(result.source) if result.source else ""
    if title is None:
        title = f"{feature}: in silico mutagenesis, positions {start}-{end - 1}"
        title += f" ({source})" if source else ""
    figure.suptitle(title, x=0.01, ha="left")
    return figure
