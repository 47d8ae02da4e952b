"""Per-feature performance metrics (ROC AUC, average precision, correlations, ...)."""

from __future__ import annotations

import os
import warnings
from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from selene_sdk.io.atomic import atomic_write

__all__ = [
    "Metric",
    "PerformanceMetrics",
    "auc_u_test",
    "compute_score",
    "default_metrics",
    "format_score",
]

#: A metric function and its history: one per-feature score array per ``update`` call.
Metric = namedtuple("Metric", ["fn", "data"])

MetricFn = Callable[[np.ndarray, np.ndarray], Any]


def default_metrics() -> dict[str, MetricFn]:
    """Selene's default metrics: ``roc_auc`` and ``average_precision`` (scikit-learn)."""
    return {"roc_auc": roc_auc_score, "average_precision": average_precision_score}


def metrics_by_name() -> dict[str, MetricFn]:
    """Every metric that can be named in a configuration."""
    from selene_sdk.metrics.regression import regression_metrics

    return {**default_metrics(), **regression_metrics()}


def targets_are_continuous(sampler: Any) -> bool:
    """Whether a sampler's target gives continuous values (its ``continuous`` flag, set by
    ``GenomicFeaturesH5``)."""
    return bool(getattr(getattr(sampler, "target", None), "continuous", False))


def resolve_metrics(metrics: Any, continuous: bool = False) -> dict[str, MetricFn]:
    """Metric name -> function from what a user gives.

    None: ``roc_auc`` and ``average_precision`` for binary targets, ``pearson``,
    ``spearman``, ``mse`` and ``r2`` for continuous ones. A list of names picks from
    :func:`metrics_by_name`; a mapping maps names to functions (or to such names).
    """
    if metrics is None:
        if continuous:
            from selene_sdk.metrics.regression import regression_metrics

            return regression_metrics()
        return default_metrics()
    known = metrics_by_name()

    def look_up(name: str) -> MetricFn:
        if name not in known:
            raise ValueError(f"unknown metric {name!r}; known by name: {', '.join(known)}")
        return known[name]

    if isinstance(metrics, str):
        metrics = [metrics]
    if isinstance(metrics, Mapping):
        return {str(k): look_up(v) if isinstance(v, str) else v for k, v in metrics.items()}
    return {str(name): look_up(str(name)) for name in metrics}


def _as_float(value: Any) -> float:
    """Metric results to a float: scipy's ``pearsonr``/``spearmanr`` return result objects."""
    if isinstance(value, int | float | np.number):
        return float(value)
    statistic = getattr(value, "statistic", None)
    if statistic is not None:
        return float(statistic)
    try:
        return float(value[0])
    except (TypeError, IndexError, KeyError):
        return float(value)


def _call(metric_fn: MetricFn, y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Run a metric; undefined cases (``ValueError``) and NaN results give NaN."""
    from sklearn.exceptions import UndefinedMetricWarning

    with warnings.catch_warnings():
        # One-class features are reported as NaN scores; no need to warn per feature.
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        try:
            return _as_float(metric_fn(y_true, y_pred))
        except ValueError:
            return float("nan")


def compute_score(
    prediction: np.ndarray,
    target: np.ndarray,
    metric_fn: MetricFn,
    report_gt_feature_n_positives: int = 10,
) -> tuple[float | None, np.ndarray]:
    """Score each feature (column) and average the valid scores.

    Parameters
    ----------
    prediction, target
        Arrays ``(n_samples, n_features)``. Rows whose target is NaN are ignored per
        feature. A target with one column and a multi-column prediction is treated as a
        multi-class problem and scored once on the whole matrix.
    metric_fn
        ``metric_fn(y_true, y_pred) -> float`` (or a scipy result object).
    report_gt_feature_n_positives
        A feature is scored only if it has more than this many non-zero targets.

    Returns
    -------
    (average, per_feature)
        The mean of the non-NaN scores (None if there is none) and the per-feature array,
        NaN where a feature was skipped or the metric raised ``ValueError``.
    """
    prediction = np.asarray(prediction)
    target = np.asarray(target)
    if prediction.ndim == 1:
        prediction = prediction[:, None]
    if target.ndim == 1:
        target = target[:, None]
    if target.shape[1] == 1 and prediction.shape[1] > 1:
        scores = np.array([_call(metric_fn, target[:, 0], prediction)])
    else:
        scores = np.full(target.shape[1], np.nan)
        for j in range(target.shape[1]):
            y_true, y_pred = target[:, j], prediction[:, j]
            keep = ~np.isnan(y_true)
            y_true, y_pred = y_true[keep], y_pred[keep]
            if np.count_nonzero(y_true) <= report_gt_feature_n_positives:
                continue
            scores[j] = _call(metric_fn, y_true, y_pred)
    valid = scores[~np.isnan(scores)]
    return (float(valid.mean()) if len(valid) else None), scores


def auc_u_test(labels: np.ndarray, predictions: np.ndarray) -> float:
    """ROC AUC from the Mann-Whitney U statistic (ties get average ranks).

    Parameters
    ----------
    labels
        0/1 labels ``(n,)``; positives are 1.
    predictions
        Scores ``(n,)``; higher means more likely positive.
    """
    from scipy.stats import rankdata

    labels = np.asarray(labels).ravel()
    ranks = rankdata(np.asarray(predictions).ravel())
    n_pos = int((labels == 1).sum())
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("auc_u_test needs at least one positive and one negative label")
    u = ranks[labels == 1].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * n_neg))


def format_score(value: float | None) -> str:
    """A score as written to the text outputs: 4 decimals, ``NA`` only when missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "NA"
    return f"{value:.4f}"


class PerformanceMetrics:
    """Tracks per-feature metrics over successive evaluations.

    Parameters
    ----------
    get_feature_from_index_fn
        Maps a column index to its feature name (e.g. ``sampler.get_feature_from_index``).
    report_gt_feature_n_positives
        Features with at most this many positives are not scored.
    metrics
        Name -> ``metric_fn(y_true, y_pred)``, or a list of metric names (see
        :func:`resolve_metrics`). Default ``roc_auc`` and ``average_precision``, or for
        ``continuous`` targets ``pearson``, ``spearman``, ``mse`` and ``r2``.
    continuous
        The targets are continuous values (e.g. ``GenomicFeaturesH5``): regression
        defaults, and :meth:`visualize` draws predicted against observed values.
    """

    def __init__(
        self,
        get_feature_from_index_fn: Callable[[int], str],
        report_gt_feature_n_positives: int = 10,
        metrics: Mapping[str, MetricFn] | None = None,
        continuous: bool = False,
    ):
        self.skip_threshold = report_gt_feature_n_positives
        self.get_feature_from_index = get_feature_from_index_fn
        self.continuous = bool(continuous)
        metrics = resolve_metrics(metrics, self.continuous)
        self.metrics: dict[str, Metric] = {name: Metric(fn, []) for name, fn in metrics.items()}

    def add_metric(self, name: str, metric_fn: MetricFn) -> None:
        """Start tracking ``metric_fn`` under ``name``."""
        self.metrics[name] = Metric(metric_fn, [])

    def remove_metric(self, name: str) -> list[np.ndarray]:
        """Stop tracking ``name``; returns its history."""
        return self.metrics.pop(name).data

    def update(
        self, prediction: np.ndarray, target: np.ndarray, scores: list[str] | None = None
    ) -> dict[str, float | None]:
        """Score a new evaluation; returns metric name -> average score (None if none).

        ``scores`` restricts which metrics are computed (others are left untouched).
        """
        averages: dict[str, float | None] = {}
        for name, metric in self.metrics.items():
            if scores is not None and name not in scores:
                continue
            average, per_feature = compute_score(
                prediction, target, metric.fn, report_gt_feature_n_positives=self.skip_threshold
            )
            metric.data.append(per_feature)
            averages[name] = average
        return averages

    def visualize(self, prediction: np.ndarray, target: np.ndarray, output_dir: str, **kwargs):
        """Draw ``roc_curves.svg``/``.png`` and ``precision_recall_curves.svg``/``.png`` for
        the tracked metrics named ``roc_auc`` / ``average_precision``.

        The curves are labelled with the feature names (``get_feature_from_index_fn``) unless
        ``feature_names`` is given; other keywords go to the plotting functions.
        """
        from selene_sdk.metrics.plots import (
            visualize_precision_recall_curves,
            visualize_roc_curves,
        )

        os.makedirs(output_dir, exist_ok=True)
        if "feature_names" not in kwargs:
            n = np.shape(target)[1] if np.ndim(target) == 2 else 1
            kwargs["feature_names"] = [str(self.get_feature_from_index(j)) for j in range(n)]
        if self.continuous:
            from selene_sdk.metrics.regression import visualize_regression

            visualize_regression(prediction, target, output_dir, **kwargs)
            return
        if "roc_auc" in self.metrics:
            visualize_roc_curves(prediction, target, output_dir, **kwargs)
        if "average_precision" in self.metrics:
            visualize_precision_recall_curves(prediction, target, output_dir, **kwargs)

    def feature_scores(self) -> dict[str, dict[str, float]]:
        """Feature -> {metric: latest score}; a metric missing for a feature is omitted."""
        out: dict[str, dict[str, float]] = {}
        n = max((len(m.data[-1]) for m in self.metrics.values() if m.data), default=0)
        for index in range(n):
            feature = self.get_feature_from_index(index)
            row = {}
            for name, metric in self.metrics.items():
                if metric.data and index < len(metric.data[-1]):
                    value = metric.data[-1][index]
                    if not np.isnan(value):
                        row[name] = float(value)
            out[feature] = row
        return out

    def write_feature_scores_to_file(self, output_path: str | os.PathLike) -> dict[str, Any]:
        """Write the latest per-feature scores (``test_performance.txt`` format).

        Header ``class`` + metric names (insertion order); one row per feature in index
        order; 4 decimals; ``NA`` for each metric that could not be computed for that
        feature. Returns feature -> {metric: score}.
        """
        scores = self.feature_scores()
        names = list(self.metrics)
        with atomic_write(output_path) as handle:
            handle.write("\t".join(["class", *names]) + "\n")
            for feature, row in scores.items():
                cells = [format_score(row.get(name)) for name in names]
                handle.write("\t".join([str(feature), *cells]) + "\n")
        return scores
