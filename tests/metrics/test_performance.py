"""Metrics: hand-computed scores, the text format, the U-test AUC (plots: test_plots.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import roc_auc_score

from selene_sdk.metrics import (
    PerformanceMetrics,
    auc_u_test,
    compute_score,
)


def test_compute_score_hand_computed():
    target = np.array([[1, 0, 1], [0, 0, 1], [1, 0, 0], [0, 1, 0]], dtype=float)
    pred = np.array([[0.9, 0.2, 0.1], [0.1, 0.3, 0.8], [0.8, 0.1, 0.7], [0.3, 0.9, 0.2]])
    average, per_feature = compute_score(pred, target, roc_auc_score, 0)
    # feature 0: perfect; feature 1: one positive, ranked first -> 1.0;
    # feature 2: positives 0.1, 0.8 vs negatives 0.7, 0.2 -> 2 of 4 pairs -> 0.5
    np.testing.assert_allclose(per_feature, [1.0, 1.0, 0.5])
    assert average == pytest.approx(2.5 / 3)


def test_compute_score_threshold_and_nan_targets():
    target = np.array([[1, np.nan], [0, 1], [1, 0], [0, np.nan]])
    pred = np.array([[0.9, 0.5], [0.1, 0.9], [0.8, 0.1], [0.3, 0.2]])
    average, per_feature = compute_score(pred, target, roc_auc_score, 1)
    # feature 1 keeps 2 rows and has only 1 positive: not more than the threshold of 1
    assert per_feature[0] == 1.0 and np.isnan(per_feature[1])
    assert average == 1.0
    average, per_feature = compute_score(pred, target, roc_auc_score, 0)
    np.testing.assert_allclose(per_feature, [1.0, 1.0])


def test_compute_score_value_error_gives_nan_and_none_average():
    target = np.ones((5, 1))  # one class only -> roc_auc_score raises ValueError
    average, per_feature = compute_score(np.linspace(0, 1, 5)[:, None], target, roc_auc_score, 0)
    assert average is None and np.isnan(per_feature[0])


def test_compute_score_correlation_result_objects():
    rng = np.random.default_rng(0)
    target = rng.random((50, 2))
    pred = target + rng.normal(scale=0.1, size=(50, 2))
    _, per_feature = compute_score(pred, target, pearsonr, 0)
    np.testing.assert_allclose(per_feature[0], pearsonr(target[:, 0], pred[:, 0])[0])
    _, per_feature = compute_score(pred, target, spearmanr, 0)
    np.testing.assert_allclose(per_feature[1], spearmanr(target[:, 1], pred[:, 1])[0])


def test_compute_score_multiclass():
    target = np.array([[0], [1], [2], [1]])
    pred = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.2, 0.7, 0.1]])
    average, per_feature = compute_score(
        pred, target, lambda y, p: roc_auc_score(y, p, multi_class="ovr"), 0
    )
    assert per_feature.shape == (1,) and average == pytest.approx(1.0)


@given(
    st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=2, max_size=60).filter(
        lambda rows: 0 < sum(r[0] for r in rows) < len(rows)
    )
)
def test_auc_u_test_equals_sklearn(rows):
    labels = np.array([int(r[0]) for r in rows])
    scores = np.array([r[1] for r in rows])
    assert auc_u_test(labels, scores) == pytest.approx(roc_auc_score(labels, scores))


def test_text_file_zero_scores_and_per_metric_na(tmp_path):
    features = ["f0", "f1", "f2"]
    metrics = PerformanceMetrics(
        lambda i: features[i],
        report_gt_feature_n_positives=0,
        metrics={"first": lambda y, p: 0.0, "second": lambda y, p: float(y.sum())},
    )
    target = np.array([[1, 0, 1], [1, 0, 1], [0, 0, 1]], dtype=float)
    averages = metrics.update(np.zeros((3, 3)), target)
    assert averages == {"first": 0.0, "second": 2.5}  # mean of f0 (2) and f2 (3)
    scores = metrics.write_feature_scores_to_file(tmp_path / "test_performance.txt")
    lines = (tmp_path / "test_performance.txt").read_text().splitlines()
    # a score of exactly 0 is a score; f1 has no positives and is skipped for both metrics
    assert lines == [
        "class\tfirst\tsecond",
        "f0\t0.0000\t2.0000",
        "f1\tNA\tNA",
        "f2\t0.0000\t3.0000",
    ]
    assert scores["f1"] == {} and scores["f2"] == {"first": 0.0, "second": 3.0}


def test_text_file_one_metric_missing_other_present(tmp_path):
    # the original crashed (first missing, later present) or wrote an all-NA row
    def picky(y, p):
        if p.mean() > 0.5:
            raise ValueError("undefined")
        return 0.25

    metrics = PerformanceMetrics(
        lambda i: f"f{i}", 0, metrics={"picky": picky, "auc": roc_auc_score}
    )
    target = np.array([[1, 1], [0, 0], [1, 1], [0, 0]], dtype=float)
    pred = np.array([[0.9, 0.1], [0.8, 0.2], [0.95, 0.3], [0.7, 0.0]])
    metrics.update(pred, target)
    metrics.write_feature_scores_to_file(tmp_path / "p.txt")
    lines = (tmp_path / "p.txt").read_text().splitlines()
    assert lines[1] == "f0\tNA\t1.0000"
    assert lines[2] == "f1\t0.2500\t0.7500"


def test_add_remove_and_restricted_update():
    metrics = PerformanceMetrics(lambda i: str(i), 0)
    assert list(metrics.metrics) == ["roc_auc", "average_precision"]
    metrics.add_metric("const", lambda y, p: 1.0)
    target = np.array([[1], [0], [1], [0]], dtype=float)
    pred = np.array([[0.9], [0.1], [0.8], [0.2]])
    assert metrics.update(pred, target, scores=["const"]) == {"const": 1.0}
    assert metrics.metrics["roc_auc"].data == []
    history = metrics.remove_metric("const")
    assert len(history) == 1 and "const" not in metrics.metrics
