"""Metrics and plots for continuous targets: Pearson, Spearman, MSE, R², and predicted
against observed per feature."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "mse",
    "pearson",
    "r2",
    "regression_metrics",
    "spearman",
    "visualize_regression",
]


def pearson(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Pearson correlation (NaN when either side is constant)."""
    a = np.asarray(y_true, np.float64) - np.mean(y_true)
    b = np.asarray(y_pred, np.float64) - np.mean(y_pred)
    denominator = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / denominator if denominator > 0 else float("nan")


def spearman(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties)."""
    from scipy.stats import rankdata

    return pearson(rankdata(y_true), rankdata(y_pred))


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean squared error."""
    d = np.asarray(y_pred, np.float64) - np.asarray(y_true, np.float64)
    return float(d @ d) / len(d) if len(d) else float("nan")


def r2(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination, ``1 - SS_res / SS_tot`` (NaN for a constant target)."""
    y = np.asarray(y_true, np.float64)
    total = float(((y - y.mean()) ** 2).sum())
    residual = float(((y - np.asarray(y_pred, np.float64)) ** 2).sum())
    return 1.0 - residual / total if total > 0 else float("nan")


def regression_metrics() -> dict[str, Any]:
    """The default metrics of continuous targets."""
    return {"pearson": pearson, "spearman": spearman, "mse": mse, "r2": r2}


def visualize_regression(
    prediction: np.ndarray,
    target: np.ndarray,
    output_dir: str,
    feature_names: Sequence[str] | None = None,
    max_features: int = 12,
    dpi: int = 200,
    **_: Any,
) -> str:
    """Predicted against observed values, one panel per feature (a density of points when
    there are many), the Pearson correlation in each title: ``regression_scatter.svg`` and
    ``.png`` in ``output_dir``. NaN targets are left out. Returns the SVG path.

    Beyond ``max_features`` features, the panels show the best and the worst by Pearson.
    """
    from selene_sdk.metrics.plots import _new_figure, _save_svg_and_png

    prediction = np.asarray(prediction, np.float64).reshape(len(prediction), -1)
    target = np.asarray(target, np.float64).reshape(len(target), -1)
    n = target.shape[1]
    names = list(feature_names) if feature_names is not None else [str(j) for j in range(n)]
    scores = []
    for j in range(n):
        keep = ~np.isnan(target[:, j])
        r = pearson(target[keep, j], prediction[keep, j]) if keep.sum() > 1 else float("nan")
        scores.append(r)
    order = sorted(range(n), key=lambda j: -np.nan_to_num(scores[j], nan=-2.0))
    if n > max_features:
        half = max_features // 2
        order = order[:half] + order[-(max_features - half) :]
    cols = min(4, len(order)) or 1
    rows = math.ceil(len(order) / cols) or 1
    fig = _new_figure((3.2 * cols, 3.0 * rows))
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, j in zip(axes, order):
        keep = ~np.isnan(target[:, j])
        x, y = target[keep, j], prediction[keep, j]
        if len(x) > 2000:
            ax.hexbin(x, y, gridsize=40, bins="log", mincnt=1, cmap="viridis")
        else:
            ax.scatter(x, y, s=6, alpha=0.5, linewidths=0)
        if len(x):
            # y = x where both ranges overlap (it must not stretch the axes: hexbin cells)
            low, high = float(max(x.min(), y.min())), float(min(x.max(), y.max()))
            if low < high:
                ax.plot([low, high], [low, high], color="grey", linewidth=0.8, linestyle=":")
        r = scores[j]
        ax.set_title(f"{names[j]} (r = {r:.3f}, n = {len(x):,})", fontsize="small")
        ax.set_xlabel("observed")
        ax.set_ylabel("predicted")
    for ax in axes[len(order) :]:
        ax.set_visible(False)
    if n > max_features:
        fig.suptitle(f"best and worst {len(order)} of {n} features by Pearson r", fontsize="small")
    os.makedirs(output_dir, exist_ok=True)
    return _save_svg_and_png(fig, output_dir, "regression_scatter", dpi)
