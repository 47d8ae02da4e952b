"""Heatmaps of ``(L, N)`` score matrices (positions across, letters up), in plain matplotlib."""

from __future__ import annotations

from collections.abc import Sequence as SequenceABC
from typing import Any

import numpy as np

from selene_sdk.interpret._alphabet import resolve_alphabet
from selene_sdk.interpret._axes import label_positions
from selene_sdk.sequences.genome import Genome

__all__ = ["heatmap"]


def _color_limits(
    values: np.ma.MaskedArray,
    vmin: float | None,
    vmax: float | None,
    center: float | None,
    robust: bool,
) -> tuple[float, float]:
    data = values.compressed()
    data = data[np.isfinite(data)]
    if data.size == 0:
        data = np.zeros(1)
    lo = np.percentile(data, 2) if robust else data.min()
    hi = np.percentile(data, 98) if robust else data.max()
    vmin = float(lo) if vmin is None else float(vmin)
    vmax = float(hi) if vmax is None else float(vmax)
    if center is not None:
        # Symmetric limits around ``center`` so a diverging colormap's midpoint lands on it.
        half = max(abs(vmax - center), abs(center - vmin))
        vmin, vmax = center - half, center + half
    return vmin, vmax


def _tick_labels(labels: Any, default: list[str], axis_len: int) -> tuple[list[float], list[str]]:
    """Ticks and labels for seaborn-style ``xticklabels`` / ``yticklabels`` values: True or
    "auto" (every cell), False (none), an int step, or a list with one label per cell."""
    centres = np.arange(axis_len) + 0.5
    if labels is False:
        return [], []
    if labels is True or (isinstance(labels, str) and labels == "auto"):
        return list(centres), default
    if isinstance(labels, (int, np.integer)) and not isinstance(labels, bool):
        step = max(1, int(labels))
        return list(centres[::step]), default[::step]
    if isinstance(labels, SequenceABC) or isinstance(labels, np.ndarray):
        labels = [str(x) for x in labels]
        if len(labels) != axis_len:
            raise ValueError(f"expected {axis_len} tick labels, got {len(labels)}")
        return list(centres), labels
    raise ValueError(f"tick labels must be a bool, 'auto', an int or a list, got {labels!r}")


def heatmap(
    score_matrix: np.ndarray,
    mask: np.ndarray | None = None,
    sequence_type: Any = Genome,
    **kwargs: Any,
) -> Any:
    """Draw an ``(L, N)`` score matrix as a heatmap: positions on x, letters on y.

    The matrix is transposed and its rows flipped so the alphabet reads bottom-to-top (the
    first letter, A, at the bottom); the y axis runs downward as in a seaborn heatmap, so the
    default y tick labels are the alphabet reversed (top to bottom).

    Parameters
    ----------
    score_matrix
        ``(L, N)`` scores, column ``j`` = ``j``-th letter of the alphabet.
    mask
        Optional ``(L, N)`` booleans; True cells are not drawn (e.g. the reference bases).
    sequence_type
        Alphabet, as for :func:`~selene_sdk.interpret.sequence_logo` (default ``Genome``).
    **kwargs
        Seaborn-``heatmap``-like options: ``ax``, ``cmap`` (default ``"Blues"``), ``vmin``,
        ``vmax``, ``center``, ``robust``, ``cbar`` (default True), ``cbar_label`` (the
        colour bar's label, e.g. ``"log-odds change"``), ``cbar_kws`` (merged
        over ``{"use_gridspec": False, "location": "bottom", "pad": 0.2}``), ``cbar_ax``,
        ``square``, ``linewidths``, ``linecolor``, ``xticklabels`` and ``yticklabels``
        (True, False, an int step, a list, or ``"auto"``: every letter, and every k-th
        position beyond 50 positions). Anything else goes to ``Axes.pcolormesh``.

    Returns
    -------
    matplotlib.axes.Axes
        The heatmap axes (the colour bar, if any, is a separate axes of the same figure).

    Raises
    ------
    ValueError
        If N differs from the alphabet size or ``mask`` has a different shape.
    """
    matrix = np.asarray(score_matrix, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"score_matrix must be 2-D (L, N), got shape {matrix.shape}")
    letters = list(resolve_alphabet(sequence_type).letters)
    n_pos, n_letters = matrix.shape
    if n_letters != len(letters):
        raise ValueError(
            f"score_matrix has {n_letters} columns but the alphabet {''.join(letters)} has "
            f"{len(letters)} letters"
        )
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != matrix.shape:
            raise ValueError(f"mask has shape {mask.shape}, expected {matrix.shape}")
    ax = kwargs.pop("ax", None)
    cmap = kwargs.pop("cmap", "Blues")
    vmin = kwargs.pop("vmin", None)
    vmax = kwargs.pop("vmax", None)
    center = kwargs.pop("center", None)
    robust = bool(kwargs.pop("robust", False))
    cbar = kwargs.pop("cbar", True)
    cbar_kws = {"use_gridspec": False, "location": "bottom", "pad": 0.2}
    cbar_kws.update(kwargs.pop("cbar_kws", None) or {})
    cbar_label = kwargs.pop("cbar_label", None)
    if cbar_label is not None:
        cbar_kws["label"] = str(cbar_label)
    cbar_ax = kwargs.pop("cbar_ax", None)
    square = kwargs.pop("square", False)
    kwargs.setdefault("edgecolors", kwargs.pop("linecolor", "white"))
    kwargs.setdefault("linewidth", kwargs.pop("linewidths", 0))
    xticklabels = kwargs.pop("xticklabels", "auto")
    x_ticks = None  # "auto": decided by label_positions once the axes exist
    if not (isinstance(xticklabels, str) and xticklabels == "auto"):
        x_ticks = _tick_labels(xticklabels, [str(i) for i in range(n_pos)], n_pos)
    yticks, ylabels = _tick_labels(kwargs.pop("yticklabels", "auto"), letters[::-1], n_letters)

    ###
    import matplotlib.pyplot as plt

    # Row r of the drawn image is letter N-1-r, so with the y axis pointing down the first
    # letter ends up at the bottom.
    image = np.ma.masked_invalid(matrix.T[::-1])
    if mask is not None:
        image = np.ma.masked_where(mask.T[::-1] | np.ma.getmaskarray(image), image)
    vmin, vmax = _color_limits(image, vmin, vmax, center, robust)
    if ax is None:
        ax = plt.gca()
    mesh = ax.pcolormesh(image, cmap=cmap, vmin=vmin, vmax=vmax, **kwargs)
    ax.set_xlim(0, n_pos)
    ax.set_ylim(n_letters, 0)
    if x_ticks is None:
        label_positions(ax, n_pos)
    else:
        ax.set_xticks(x_ticks[0])
        ax.set_xticklabels(x_ticks[1])
    ax.set_yticks(yticks)
    ax.set_yticklabels(ylabels, rotation=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    if square:
        ax.set_aspect("equal")
    if cbar:
        figure = ax.get_figure()
        if cbar_ax is not None:
            cbar_kws.pop("use_gridspec", None)
            cbar_kws.pop("location", None)
            cbar_kws.pop("pad", None)
            figure.colorbar(mesh, cax=cbar_ax, **cbar_kws)
        else:
            figure.colorbar(mesh, ax=ax, **cbar_kws)
    return ax
