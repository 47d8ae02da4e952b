"""ROC / PR figures: a colour and a legend score per feature, omitted features named,
PR baselines, SVG + PNG files; the training curves."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.colors import to_hex
from sklearn.metrics import average_precision_score, roc_auc_score

from selene_sdk.metrics import (
    PerformanceMetrics,
    plot_training_curves,
    plots,
    visualize_precision_recall_curves,
    visualize_roc_curves,
)
from selene_sdk.metrics.plots import precision_recall_figure, roc_figure, training_figure

TAB10 = [to_hex(c) for c in colormaps["tab10"].colors]
GREY = "#a0a0a0"
PNG = b"\x89PNG\r\n\x1a\n"


def _data(n_features: int, n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    target = (rng.random((n, n_features)) < 0.3).astype(float)
    # separation grows with the column index, so the AUCs differ
    strength = np.linspace(0.1, 1.5, n_features)
    pred = target * strength + rng.normal(size=(n, n_features))
    return pred, target


def _legend(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def _colour(line) -> str:
    return to_hex(line.get_color())


@pytest.fixture
def three_features():
    """CTCF and Pol2 scorable; TBP has only negatives in the test labels."""
    pred, target = _data(3)
    target[:, 2] = 0.0
    return pred, target, ["CTCF", "Pol2", "TBP"]


def test_roc_colours_legend_aucs_and_omitted_feature(three_features):
    pred, target, names = three_features
    fig = roc_figure(pred, target, names, report_gt_feature_n_positives=10)
    ax = fig.axes[0]
    auc = [roc_auc_score(target[:, j], pred[:, j]) for j in (0, 1)]
    assert auc[1] > auc[0]  # legend sorted best first
    assert _legend(fig) == [
        f"Pol2 (AUC {auc[1]:.3f})",
        f"CTCF (AUC {auc[0]:.3f})",
        "chance (AUC 0.5)",
    ]
    curves = [line for line in ax.lines if line.get_linestyle() == "-"]
    assert sorted(_colour(line) for line in curves) == sorted(TAB10[:2])
    title = ax.get_title(loc="left")
    assert "Feature ROC curves (2 of 3 features)" in title
    assert "not drawn (one class only in the test labels): TBP" in title


def test_pr_legend_average_precision_and_baselines(three_features):
    pred, target, names = three_features
    fig = precision_recall_figure(pred, target, names, report_gt_feature_n_positives=10)
    ax = fig.axes[0]
    ap = [average_precision_score(target[:, j], pred[:, j]) for j in (0, 1)]
    rate = target[:, :2].mean(axis=0)
    order = np.argsort(ap)[::-1]
    expected = [f"{names[j]} (AP {ap[j]:.3f}, baseline {rate[j]:.3f})" for j in order] + [
        "dotted: baseline = positive rate"
    ]
    assert _legend(fig) == expected
    # one dotted horizontal baseline per feature, at its positive rate, in its colour
    dotted = {
        _colour(line): line.get_ydata()[0] for line in ax.lines if line.get_linestyle() == ":"
    }
    steps = {_colour(line) for line in ax.lines if line.get_linestyle() == "-"}
    assert set(dotted) == steps == set(TAB10[:2])
    np.testing.assert_allclose(sorted(dotted.values()), sorted(rate))
    assert "TBP" in ax.get_title(loc="left")


def test_features_with_few_positives_are_named():
    pred, target = _data(2)
    target[:, 1] = 0.0
    target[:5, 1] = 1.0  # 5 positives <= 10
    fig = roc_figure(pred, target, ["A", "B"], report_gt_feature_n_positives=10)
    assert "not drawn (10 positives or fewer): B" in fig.axes[0].get_title(loc="left")


def test_many_features_highlight_best_and_worst():
    pred, target = _data(15)
    names = [f"f{j}" for j in range(15)]
    fig = roc_figure(pred, target, names, report_gt_feature_n_positives=10, highlight_n=3)
    auc = np.array([roc_auc_score(target[:, j], pred[:, j]) for j in range(15)])
    order = np.argsort(auc)[::-1]
    coloured = [*order[:3], *order[-3:]]
    legend = _legend(fig)
    assert legend[:6] == [f"f{j} (AUC {auc[j]:.3f})" for j in coloured]
    assert legend[7] == f"9 other features (median AUC {np.median(auc[order[3:-3]]):.3f})"
    curves = [_colour(line) for line in fig.axes[0].lines if line.get_linestyle() == "-"]
    assert curves.count(GREY) == 9
    assert len({c for c in curves if c != GREY}) == 6


def test_many_features_pr_mean_baseline():
    pred, target = _data(12)
    fig = precision_recall_figure(pred, target, report_gt_feature_n_positives=10, highlight_n=2)
    ap = np.array([average_precision_score(target[:, j], pred[:, j]) for j in range(12)])
    order = np.argsort(ap)[::-1]
    rate = target.mean(axis=0)
    legend = _legend(fig)
    coloured = [*order[:2], *order[-2:]]
    assert legend[:4] == [f"feature {j} (AP {ap[j]:.3f}, baseline {rate[j]:.3f})" for j in coloured]
    mean_rate = rate[order[2:-2]].mean()
    assert legend[4:6] == [
        f"8 other features (median AP {np.median(ap[order[2:-2]]):.3f})",
        f"their mean baseline (positive rate {mean_rate:.3f})",
    ]


def test_files_svg_and_png(tmp_path, three_features):
    pred, target, names = three_features
    roc = visualize_roc_curves(pred, target, str(tmp_path), 10, feature_names=names)
    pr = visualize_precision_recall_curves(pred, target, str(tmp_path), 10, dpi=80)
    assert roc == str(tmp_path / "roc_curves.svg")
    assert pr == str(tmp_path / "precision_recall_curves.svg")
    for stem in ("roc_curves", "precision_recall_curves"):
        assert (tmp_path / f"{stem}.svg").read_text().rstrip().endswith("</svg>")
        assert (tmp_path / f"{stem}.png").read_bytes()[:8] == PNG


def test_performance_metrics_visualize_passes_feature_names(tmp_path, monkeypatch):
    pred, target = _data(2)
    seen = {}

    def record(kind):
        def fake(prediction, target, output_dir, **kwargs):
            seen[kind] = kwargs

        return fake

    monkeypatch.setattr(plots, "visualize_roc_curves", record("roc"))
    monkeypatch.setattr(plots, "visualize_precision_recall_curves", record("pr"))
    metrics = PerformanceMetrics(lambda i: ["CTCF", "Pol2"][i], 0)
    metrics.visualize(pred, target, str(tmp_path / "viz"), report_gt_feature_n_positives=3)
    assert (
        seen["roc"]
        == seen["pr"]
        == {
            "report_gt_feature_n_positives": 3,
            "feature_names": ["CTCF", "Pol2"],
        }
    )
    assert (tmp_path / "viz").is_dir()


def test_mismatched_names_raise():
    pred, target = _data(2)
    with pytest.raises(ValueError, match="1 feature names for 2 target columns"):
        roc_figure(pred, target, ["A"])


def test_training_curves(tmp_path):
    fig = training_figure(
        [10, 20], [0.7, 0.5], [10, 20], [0.6, 0.55], {"roc_auc": [0.7, None]}, "step"
    )
    loss_ax, metric_ax = fig.axes
    assert [list(line.get_ydata()) for line in loss_ax.lines] == [[0.7, 0.5], [0.6, 0.55]]
    assert list(metric_ax.lines[0].get_xdata()) == [10]  # the None value is skipped
    assert loss_ax.get_xlabel() == "step"
    path = plot_training_curves(
        [10, 20],
        [0.7, 0.5],
        [10, 20],
        [0.6, 0.55],
        {"roc_auc": [0.7, None]},
        str(tmp_path / "training_curves.svg"),
    )
    assert open(path).read().rstrip().endswith("</svg>")
    png = plot_training_curves([1], [0.5], [], [], {}, str(tmp_path / "t.png"))
    assert open(png, "rb").read()[:8] == PNG


@pytest.mark.parametrize(
    "val_steps, val_loss, metrics",
    [([], [], {}), ([5], [0.6], {"roc_auc": [None]}), ([5], [0.6], {"roc_auc": [float("nan")]})],
)
def test_short_training_runs_warn_nothing(tmp_path, val_steps, val_loss, metrics):
    # a run too short for a validation metric used to leak matplotlib's "No artists with
    # labels found to put in legend" warning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_training_curves([], [], val_steps, val_loss, metrics, str(tmp_path / "t.svg"))
        plot_training_curves([1], [0.5], val_steps, val_loss, metrics, str(tmp_path / "u.svg"))
