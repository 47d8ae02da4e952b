"""ROC and precision-recall curves of every scored feature, one figure each."""

from __future__ import annotations

import os

import numpy as np

from selene_sdk.io.atomic import atomic_path

__all__ = ["plot_training_curves", "visualize_precision_recall_curves", "visualize_roc_curves"]


def _new_figure(figsize):
    """A figure not tied to pyplot or any GUI backend (safe in loops, threads, headless)."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def _curve_features(prediction, target, threshold):
    """Columns with both classes and more than ``threshold`` positives."""
    prediction = np.asarray(prediction)
    target = np.asarray(target)
    for j in range(target.shape[1]):
        y = target[:, j]
        keep = ~np.isnan(y)
        y, p = y[keep], prediction[keep, j]
        if len(np.unique(y)) > 1 and y.sum() > threshold:
            yield y, p


def _save(fig, path: str, dpi: int) -> None:
    with atomic_path(path, suffix=".svg") as tmp:
        fig.savefig(tmp, format="svg", dpi=dpi)


def visualize_roc_curves(
    prediction: np.ndarray,
    target: np.ndarray,
    output_dir: str,
    report_gt_feature_n_positives: int = 50,
    style: str = "seaborn-colorblind",
    fig_title: str = "Feature ROC curves",
    dpi: int = 500,
) -> str:
    """Write ``<output_dir>/roc_curves.svg``: one thin line per feature; returns the path.

    ``style`` is accepted for compatibility; matplotlib no longer ships the
    ``seaborn-colorblind`` style, so unknown style names fall back to the default.
    """
    from sklearn.metrics import roc_curve

    with _style(style):
        fig = _new_figure((6, 6))
        ax = fig.subplots()
        n = 0
        for y, p in _curve_features(prediction, target, report_gt_feature_n_positives):
            fpr, tpr, _ = roc_curve(y, p)
            ax.plot(fpr, tpr, color="black", linewidth=0.3, alpha=0.3)
            n += 1
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=0.8)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("False Positive Rate")
        ax.set_ylabel("True Positive Rate")
        ax.set_title(f"{fig_title} ({n} features)" if fig_title else "")
        path = os.path.join(output_dir, "roc_curves.svg")
        _save(fig, path, dpi)
    return path


def visualize_precision_recall_curves(
    prediction: np.ndarray,
    target: np.ndarray,
    output_dir: str,
    report_gt_feature_n_positives: int = 50,
    style: str = "seaborn-colorblind",
    fig_title: str = "Feature precision-recall curves",
    dpi: int = 500,
) -> str:
    """Write ``<output_dir>/precision_recall_curves.svg`` (step curves); returns the path."""
    from sklearn.metrics import precision_recall_curve

    with _style(style):
        fig = _new_figure((6, 6))
        ax = fig.subplots()
        n = 0
        for y, p in _curve_features(prediction, target, report_gt_feature_n_positives):
            precision, recall, _ = precision_recall_curve(y, p)
            ax.step(recall, precision, color="black", linewidth=0.3, alpha=0.3, where="post")
            n += 1
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("Recall")
        ax.set_ylabel("Precision")
        ax.set_title(f"{fig_title} ({n} features)" if fig_title else "")
        path = os.path.join(output_dir, "precision_recall_curves.svg")
        _save(fig, path, dpi)
    return path


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


def plot_training_curves(
    steps: list[int],
    train_loss: list[float],
    val_steps: list[int],
    val_loss: list[float],
    val_metrics: dict[str, list[float | None]],
    path: str,
) -> str:
    """Write a two-panel SVG: train/validation loss and validation metrics over steps."""
    fig = _new_figure((10, 4))
    ax_loss, ax_metric = fig.subplots(1, 2)
    if steps:
        ax_loss.plot(steps, train_loss, label="train (mean since last report)")
    if val_steps:
        ax_loss.plot(val_steps, val_loss, marker="o", label="validation")
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss")
    ax_loss.legend(loc="best", fontsize="small")
    for name, values in val_metrics.items():
        pairs = [(s, v) for s, v in zip(val_steps, values) if v is not None]
        if pairs:
            xs, ys = zip(*pairs)
            ax_metric.plot(xs, ys, marker="o", label=name)
    ax_metric.set_xlabel("step")
    ax_metric.set_ylabel("validation metric (mean over features)")
    if val_metrics:
        ax_metric.legend(loc="best", fontsize="small")
    fig.tight_layout()
    _save(fig, path, 100)
    return path
