"""ROC and precision-recall curves of every scored feature, and the training curves.

Up to 10 features each get a colour (matplotlib ``tab10``) and a legend entry with their
score (ROC AUC or average precision); with more, only the ``highlight_n`` best and worst
are coloured and the rest are thin grey lines summarised by one legend entry. Features that
could not be drawn are named under the title.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from selene_sdk.io.atomic import atomic_path

__all__ = [
    "plot_training_curves",
    "precision_recall_figure",
    "roc_figure",
    "visualize_precision_recall_curves",
    "visualize_roc_curves",
]

#: PNG copies beside the SVGs use at most this resolution (6 x 8.5 in -> 1,700 px wide).
PNG_MAX_DPI = 200
_GREY = "#a0a0a0"
_SHOWN_OMITTED = 8  # omitted features named under the title; the rest are counted


def _new_figure(figsize: tuple[float, float]) -> Any:
    """A figure not tied to pyplot or any GUI backend (safe in loops, threads, headless)."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


@dataclass
class _Curves:
    """The features that can be drawn and the ones that cannot (with the reason)."""

    names: list[str] = field(default_factory=list)
    labels: list[np.ndarray] = field(default_factory=list)
    scores: list[np.ndarray] = field(default_factory=list)
    omitted: dict[str, list[str]] = field(default_factory=dict)  # reason -> names
    n_features: int = 0


def _feature_names(names: Sequence[str] | None, n: int) -> list[str]:
    if names is None:
        return [f"feature {j}" for j in range(n)]
    names = [str(x) for x in names]
    if len(names) != n:
        raise ValueError(f"{len(names)} feature names for {n} target columns")
    return names


def _curve_features(
    prediction: np.ndarray,
    target: np.ndarray,
    threshold: int,
    feature_names: Sequence[str] | None = None,
) -> _Curves:
    """Columns with both classes and more than ``threshold`` positives (as in scoring)."""
    prediction = np.asarray(prediction)
    target = np.asarray(target)
    if prediction.ndim == 1:
        prediction = prediction[:, None]
    if target.ndim == 1:
        target = target[:, None]
    if prediction.shape != target.shape:
        raise ValueError(f"predictions {prediction.shape} and targets {target.shape} differ")
    names = _feature_names(feature_names, target.shape[1])
    curves = _Curves(n_features=target.shape[1])
    for j, name in enumerate(names):
        y = target[:, j]
        keep = ~np.isnan(y)
        y, p = y[keep], prediction[keep, j]
        if len(np.unique(y)) < 2:
            reason = "one class only in the test labels"
        elif np.count_nonzero(y) <= threshold:
            reason = f"{threshold} positives or fewer"
        else:
            curves.names.append(name)
            curves.labels.append(y)
            curves.scores.append(p)
            continue
        curves.omitted.setdefault(reason, []).append(name)
    return curves


def _omitted_note(curves: _Curves) -> str:
    """``"not drawn (one class only ...): TBP, X"``, wrapped, one line per reason."""
    parts = []
    for reason, names in curves.omitted.items():
        shown = ", ".join(names[:_SHOWN_OMITTED])
        if len(names) > _SHOWN_OMITTED:
            shown += f" and {len(names) - _SHOWN_OMITTED} more"
        parts.append(textwrap.fill(f"not drawn ({reason}): {shown}", 70))
    return "\n".join(parts)


def _title(fig_title: str, curves: _Curves) -> str:
    head = f"{len(curves.names)} of {curves.n_features} features"
    lines = [f"{fig_title} ({head})" if fig_title else head]
    note = _omitted_note(curves)
    if note:
        lines.append(note)
    return "\n".join(lines)


def _colours(values: np.ndarray, highlight_n: int) -> tuple[list[str | None], list[int]]:
    """A colour per feature (None = grey) and the coloured features in legend order.

    Up to 10 features: all coloured, in feature order (the same colours in the ROC and PR
    figures). More: only the ``highlight_n`` best and worst by ``values`` (at most 5 each).
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    palette = [to_hex(c) for c in colormaps["tab10"].colors]
    n = len(values)
    order = np.argsort(-values, kind="stable")  # best first
    if n <= len(palette):
        chosen = list(range(n))
    else:
        k = max(0, min(int(highlight_n), len(palette) // 2))
        chosen = sorted({*order[:k].tolist(), *order[n - k :].tolist()})
    colours: list[str | None] = [None] * n
    for rank, j in enumerate(chosen):
        colours[j] = palette[rank]
    legend = [int(j) for j in order if colours[j] is not None]
    return colours, legend


def _draw(
    ax: Any,
    curves: _Curves,
    kind: str,
    highlight_n: int,
) -> None:
    """Draw ROC (``kind="roc"``) or PR curves on ``ax`` with a legend of scores."""
    from matplotlib.lines import Line2D
    from sklearn.metrics import precision_recall_curve, roc_curve

    # (x, y) of each curve; the score from the curve itself, as scikit-learn computes it:
    # the area under the ROC curve, or AP = sum over thresholds of (R_n - R_n-1) P_n.
    xy, values = [], []
    for y, p in zip(curves.labels, curves.scores):
        if kind == "roc":
            fpr, tpr, _ = roc_curve(y, p)
            xy.append((fpr, tpr))
            values.append(float(np.trapezoid(tpr, fpr)))
        else:
            precision, recall, _ = precision_recall_curve(y, p)
            xy.append((recall, precision))
            values.append(float(-np.sum(np.diff(recall) * precision[:-1])))
    values = np.array(values)
    prevalence = np.array([float(np.mean(y > 0)) for y in curves.labels])
    colours, legend_order = _colours(values, highlight_n)
    handles: dict[int, Any] = {}
    grey = [j for j, c in enumerate(colours) if c is None]
    for j in [*grey, *legend_order]:  # grey first, underneath
        colour = colours[j] or _GREY
        style = {"linewidth": 1.6, "alpha": 0.95} if colours[j] else {"linewidth": 0.5}
        if kind == "roc":
            (line,) = ax.plot(*xy[j], color=colour, **style)
        else:
            (line,) = ax.step(*xy[j], where="post", color=colour, **style)
            if colours[j]:
                ax.axhline(prevalence[j], color=colour, linestyle=":", linewidth=1.0)
        handles[j] = line
    name = "AUC" if kind == "roc" else "AP"
    entries, texts = [], []
    for j in legend_order:
        entries.append(handles[j])
        extra = "" if kind == "roc" else f", baseline {prevalence[j]:.3f}"
        texts.append(f"{curves.names[j]} ({name} {values[j]:.3f}{extra})")
    if kind == "roc":
        (chance,) = ax.plot([0, 1], [0, 1], color="black", linestyle="--", linewidth=0.8)
        entries.append(chance)
        texts.append("chance (AUC 0.5)")
    if grey:
        entries.append(Line2D([], [], color=_GREY, linewidth=1.0))
        texts.append(f"{len(grey)} other features (median {name} {np.median(values[grey]):.3f})")
        if kind == "pr":
            mean_prevalence = float(prevalence[grey].mean())
            entries.append(ax.axhline(mean_prevalence, color=_GREY, linestyle=":"))
            texts.append(f"their mean baseline (positive rate {mean_prevalence:.3f})")
    if kind == "pr" and legend_order:
        entries.append(Line2D([], [], color="black", linestyle=":", linewidth=1.0))
        texts.append("dotted: baseline = positive rate")
    if entries:
        ax.legend(
            entries,
            texts,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            borderaxespad=0.0,
            fontsize="small",
            frameon=False,
        )


def _figure(
    prediction: np.ndarray,
    target: np.ndarray,
    kind: str,
    feature_names: Sequence[str] | None,
    report_gt_feature_n_positives: int,
    fig_title: str,
    highlight_n: int,
) -> Any:
    curves = _curve_features(prediction, target, report_gt_feature_n_positives, feature_names)
    fig = _new_figure((9.0, 6.0))
    ax = fig.subplots()
    _draw(ax, curves, kind, highlight_n)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_box_aspect(1.0)
    if kind == "roc":
        ax.set_xlabel("False positive rate (1 - specificity)")
        ax.set_ylabel("True positive rate (sensitivity)")
    else:
        ax.set_xlabel("Recall (sensitivity)")
        ax.set_ylabel("Precision")
    ax.set_title(_title(fig_title, curves), fontsize="medium", loc="left")
    return fig


def roc_figure(
    prediction: np.ndarray,
    target: np.ndarray,
    feature_names: Sequence[str] | None = None,
    report_gt_feature_n_positives: int = 50,
    fig_title: str = "Feature ROC curves",
    highlight_n: int = 3,
) -> Any:
    """The ROC figure (a matplotlib ``Figure``) of every feature that can be scored.

    Parameters
    ----------
    prediction, target
        ``(n_samples, n_features)``; NaN targets are ignored per feature.
    feature_names
        One name per column (default ``feature 0``, ``feature 1``, ...).
    report_gt_feature_n_positives
        Features with at most this many positives are not drawn (they are named).
    fig_title
        First line of the title; the counts and the features not drawn follow.
    highlight_n
        Up to 10 features all get a colour; with more, only the ``highlight_n`` best and
        the ``highlight_n`` worst (at most 5 each) do, and the others are grey.
    """
    return _figure(
        prediction,
        target,
        "roc",
        feature_names,
        report_gt_feature_n_positives,
        fig_title,
        highlight_n,
    )


def precision_recall_figure(
    prediction: np.ndarray,
    target: np.ndarray,
    feature_names: Sequence[str] | None = None,
    report_gt_feature_n_positives: int = 50,
    fig_title: str = "Feature precision-recall curves",
    highlight_n: int = 3,
) -> Any:
    """The precision-recall figure; as :func:`roc_figure`, legend with the average precision.

    A dotted line per coloured feature marks its baseline (the fraction of positives, the
    precision of a random ranking); the grey features share one line at their mean.
    """
    return _figure(
        prediction,
        target,
        "pr",
        feature_names,
        report_gt_feature_n_positives,
        fig_title,
        highlight_n,
    )


def save_figure(fig: Any, path: str, dpi: int) -> None:
    """Save ``fig`` atomically in the format of ``path``'s extension (png, svg, pdf)."""
    suffix = os.path.splitext(path)[1].lower() or ".svg"
    with atomic_path(path, suffix=suffix) as tmp:
        # "tight": the canvas grows to hold a legend of long feature names beside the axes
        fig.savefig(tmp, format=suffix[1:], dpi=dpi, bbox_inches="tight", pad_inches=0.15)


def _save_svg_and_png(fig: Any, output_dir: str, stem: str, dpi: int) -> str:
    path = os.path.join(output_dir, f"{stem}.svg")
    save_figure(fig, path, dpi)
    save_figure(fig, os.path.join(output_dir, f"{stem}.png"), min(int(dpi), PNG_MAX_DPI))
    return path


def visualize_roc_curves(
    prediction: np.ndarray,
    target: np.ndarray,
    output_dir: str,
    report_gt_feature_n_positives: int = 50,
    style: str = "seaborn-colorblind",
    fig_title: str = "Feature ROC curves",
    dpi: int = 500,
    feature_names: Sequence[str] | None = None,
    highlight_n: int = 3,
) -> str:
    """Write ``roc_curves.svg`` and ``roc_curves.png`` in ``output_dir``; returns the SVG path.

    See :func:`roc_figure`. The PNG uses ``min(dpi, 200)``. ``style`` is accepted for
    compatibility (a matplotlib style, when it exists; the curve colours are fixed).
    """
    with _style(style):
        fig = roc_figure(
            prediction,
            target,
            feature_names,
            report_gt_feature_n_positives,
            fig_title,
            highlight_n,
        )
        return _save_svg_and_png(fig, output_dir, "roc_curves", dpi)


def visualize_precision_recall_curves(
    prediction: np.ndarray,
    target: np.ndarray,
    output_dir: str,
    report_gt_feature_n_positives: int = 50,
    style: str = "seaborn-colorblind",
    fig_title: str = "Feature precision-recall curves",
    dpi: int = 500,
    feature_names: Sequence[str] | None = None,
    highlight_n: int = 3,
) -> str:
    """Write ``precision_recall_curves.svg`` and ``.png``; returns the SVG path.

    See :func:`precision_recall_figure` and :func:`visualize_roc_curves`.
    """
    with _style(style):
        fig = precision_recall_figure(
            prediction,
            target,
            feature_names,
            report_gt_feature_n_positives,
            fig_title,
            highlight_n,
        )
        return _save_svg_and_png(fig, output_dir, "precision_recall_curves", dpi)


class _style:
    """Use a matplotlib style if it exists (old Selene names map to the seaborn-v0_8 ones)."""

    def __init__(self, name: str | None):
        self.name = name
        self._ctx = None

    def __enter__(self):
        import matplotlib.style

        available = set(matplotlib.style.available)
        name = self.name
        if name and name not in available and f"seaborn-v0_8-{name[8:]}" in available:
            name = f"seaborn-v0_8-{name[8:]}"
        if name in available:
            self._ctx = matplotlib.style.context(name)
            self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        if self._ctx is not None:
            self._ctx.__exit__(*exc)
        return False


def training_figure(
    steps: Sequence[int],
    train_loss: Sequence[float],
    val_steps: Sequence[int],
    val_loss: Sequence[float],
    val_metrics: dict[str, list[float | None]],
    xlabel: str = "training step",
) -> Any:
    """Two panels: training/validation loss, and validation metrics, against ``xlabel``."""
    fig = _new_figure((11, 4.2))
    ax_loss, ax_metric = fig.subplots(1, 2)
    if len(steps):
        ax_loss.plot(steps, train_loss, label="training (mean since the previous report)")
    if len(val_steps):
        ax_loss.plot(val_steps, val_loss, marker="o", markersize=3, label="validation")
    ax_loss.set_xlabel(xlabel)
    ax_loss.set_ylabel("loss")
    ax_loss.set_title("Loss", loc="left")
    if len(steps) or len(val_steps):
        ax_loss.legend(loc="best", fontsize="small")
    for name, values in val_metrics.items():
        pairs = [(s, v) for s, v in zip(val_steps, values) if v is not None and v == v]
        if pairs:
            xs, ys = zip(*pairs)
            ax_metric.plot(xs, ys, marker="o", markersize=3, label=name)
    ax_metric.set_xlabel(xlabel)
    ax_metric.set_ylabel("mean over features")
    ax_metric.set_title("Validation metrics", loc="left")
    if ax_metric.lines:
        ax_metric.legend(loc="best", fontsize="small")
    return fig


def plot_training_curves(
    steps: list[int],
    train_loss: list[float],
    val_steps: list[int],
    val_loss: list[float],
    val_metrics: dict[str, list[float | None]],
    path: str,
    xlabel: str = "training step",
    dpi: int = 100,
) -> str:
    """Write :func:`training_figure` to ``path`` (SVG, PNG or PDF by extension)."""
    fig = training_figure(steps, train_loss, val_steps, val_loss, val_metrics, xlabel)
    save_figure(fig, path, dpi)
    return path
