"""Regression metrics by hand, their choice from the target type, scatter plots."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import pearsonr, spearmanr

from selene_sdk.metrics import PerformanceMetrics
from selene_sdk.metrics.performance import resolve_metrics
from selene_sdk.metrics.regression import mse, pearson, r2, spearman

Y = np.array([1.0, 2.0, 3.0, 4.0])
P = np.array([1.0, 3.0, 2.0, 5.0])


def test_metrics_by_hand():
    # means 2.5 and 2.75; deviations (-1.5,-.5,.5,1.5) and (-1.75,.25,-.75,2.25)
    assert pearson(Y, P) == pytest.approx(5.5 / np.sqrt(5.0 * 8.75))
    assert spearman(Y, P) == pytest.approx(0.8)  # ranks (1,2,3,4) vs (1,3,2,4)
    assert mse(Y, P) == pytest.approx((0 + 1 + 1 + 1) / 4)
    assert r2(Y, P) == pytest.approx(1 - 3 / 5)
    assert pearson(Y, P) == pytest.approx(pearsonr(Y, P).statistic)
    assert spearman(Y, P) == pytest.approx(spearmanr(Y, P).statistic)
    assert np.isnan(pearson(Y, np.ones(4))) and np.isnan(r2(np.ones(4), P))


def test_defaults_follow_the_target_type_and_names_are_accepted():
    assert list(PerformanceMetrics(str).metrics) == ["roc_auc", "average_precision"]
    assert list(PerformanceMetrics(str, continuous=True).metrics) == [
        "pearson", "spearman", "mse", "r2"
    ]  # fmt: skip
    assert list(resolve_metrics(["pearson", "roc_auc"])) == ["pearson", "roc_auc"]
    assert resolve_metrics({"corr": "pearson"})["corr"] is pearson
    with pytest.raises(ValueError, match="known by name: roc_auc"):
        resolve_metrics(["pearsonr"])


def test_continuous_scores_ignore_nan_and_write_their_columns(tmp_path):
    rng = np.random.default_rng(0)
    target = rng.random((200, 2))
    pred = target + rng.normal(scale=0.1, size=(200, 2))
    target[:20, 0] = np.nan
    metrics = PerformanceMetrics(lambda i: f"cell{i}", 10, continuous=True)
    averages = metrics.update(pred, target)
    keep = ~np.isnan(target[:, 0])
    first = pearson(target[keep, 0], pred[keep, 0])
    want = (first + pearson(target[:, 1], pred[:, 1])) / 2
    assert averages["pearson"] == pytest.approx(want)
    metrics.write_feature_scores_to_file(tmp_path / "test_performance.txt")
    lines = (tmp_path / "test_performance.txt").read_text().splitlines()
    assert lines[0] == "class\tpearson\tspearman\tmse\tr2"
    assert lines[1].startswith(f"cell0\t{first:.4f}\t")
    metrics.visualize(pred, target, str(tmp_path))
    assert (tmp_path / "regression_scatter.svg").is_file()
    assert (tmp_path / "regression_scatter.png").is_file()
    assert not (tmp_path / "roc_curves.svg").exists()


def test_scatter_of_many_features_shows_the_best_and_worst():
    from selene_sdk.metrics.regression import visualize_regression

    rng = np.random.default_rng(1)
    target = rng.random((3000, 20))
    noise = np.linspace(0.01, 2, 20)
    pred = target + rng.normal(size=(3000, 20)) * noise
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        visualize_regression(pred, target, tmp, [f"f{j}" for j in range(20)], max_features=6)
