"""Performance metrics and their plots (ROC / precision-recall curves, training curves)."""

from selene_sdk.metrics.performance import (
    Metric,
    PerformanceMetrics,
    auc_u_test,
    compute_score,
    default_metrics,
)
from selene_sdk.metrics.plots import (
    plot_training_curves,
    visualize_precision_recall_curves,
    visualize_roc_curves,
)

__all__ = [
    "Metric",
    "PerformanceMetrics",
    "auc_u_test",
    "compute_score",
    "default_metrics",
    "plot_training_curves",
    "visualize_precision_recall_curves",
    "visualize_roc_curves",
]
