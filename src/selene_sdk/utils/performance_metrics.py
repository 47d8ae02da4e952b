"""Documented path ``selene_sdk.utils.performance_metrics``; code in ``selene_sdk.metrics``."""

from selene_sdk.metrics import (
    Metric,
    PerformanceMetrics,
    auc_u_test,
    compute_score,
    visualize_precision_recall_curves,
    visualize_roc_curves,
)

__all__ = [
    "Metric",
    "PerformanceMetrics",
    "auc_u_test",
    "compute_score",
    "visualize_precision_recall_curves",
    "visualize_roc_curves",
]
