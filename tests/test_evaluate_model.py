"""EvaluateModel: outputs, feature subsets, sampler mode, loading wrapped weights."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch

from selene_sdk.errors import SeleneWarning
from selene_sdk.evaluate_model import EvaluateModel
from selene_sdk.models import NonStrandSpecific
from selene_sdk.train_model import TrainModel
from tests.training_helpers import MotifSampler, TinyCNN, train_kwargs

FEATURES = ["motif0", "motif1"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("train")
    torch.manual_seed(0)
    trainer = TrainModel(model=TinyCNN(), data_sampler=MotifSampler(), **train_kwargs(out))
    trainer.train_and_validate()
    return out / "best_model.pth.tar"


def evaluator(tmp_path, weights, **kwargs):
    return EvaluateModel(
        TinyCNN(),
        torch.nn.BCELoss(),
        kwargs.pop("sampler", MotifSampler(mode="test")),
        FEATURES,
        str(weights),
        str(tmp_path),
        batch_size=50,
        n_test_samples=300,
        **kwargs,
    )


def test_outputs(tmp_path, trained):
    scores = evaluator(tmp_path, trained).evaluate()
    assert set(scores) == set(FEATURES)
    assert all(row["roc_auc"] > 0.8 for row in scores.values())
    assert np.load(tmp_path / "test_targets.npz")["data"].shape == (300, 2)
    assert np.load(tmp_path / "test_predictions.npz")["data"].shape == (300, 2)
    lines = (tmp_path / "test_performance.txt").read_text().splitlines()
    assert lines[0] == "class\troc_auc\taverage_precision" and len(lines) == 3
    for name in ("roc_curves.svg", "precision_recall_curves.svg", "selene_sdk.evaluate_model.log"):
        assert (tmp_path / name).exists()
    assert "samples/s" in (tmp_path / "selene_sdk.evaluate_model.log").read_text()


def test_feature_subset_in_given_order(tmp_path, trained):
    full = evaluator(tmp_path / "full", trained).evaluate()
    with pytest.warns(SeleneWarning, match="nope"):
        sub = evaluator(tmp_path / "sub", trained, use_features_ord=["motif1", "nope"])
    scores = sub.evaluate()
    assert list(scores) == ["motif1"]
    assert scores["motif1"]["roc_auc"] == pytest.approx(full["motif1"]["roc_auc"])
    assert (tmp_path / "sub" / "use_features_ord.txt").read_text() == "motif1\n"
    targets = np.load(tmp_path / "sub" / "test_targets.npz")["data"]
    full_targets = np.load(tmp_path / "full" / "test_targets.npz")["data"]
    np.testing.assert_array_equal(targets[:, 0], full_targets[:, 1])


def test_train_mode_sampler_switched_to_test(tmp_path, trained):
    sampler = MotifSampler(mode="train")
    with pytest.warns(SeleneWarning, match="'test' partition"):
        evaluator(tmp_path, trained, sampler=sampler)
    assert sampler.mode == "test"


def test_weights_saved_from_wrapped_model_load_into_plain_one(tmp_path, trained):
    checkpoint = torch.load(trained, weights_only=False)
    wrapped = NonStrandSpecific(TinyCNN())
    wrapped.model.load_state_dict(checkpoint["state_dict"])
    torch.save({"state_dict": wrapped.state_dict()}, tmp_path / "wrapped.pth.tar")
    scores = evaluator(tmp_path / "e", tmp_path / "wrapped.pth.tar").evaluate()
    assert scores["motif0"]["roc_auc"] > 0.8


def test_mismatched_weights_are_an_error(tmp_path):
    torch.save({"state_dict": {"conv.weight": torch.zeros(3)}}, tmp_path / "bad.pth.tar")
    with pytest.raises(Exception, match="missing keys"):
        evaluator(tmp_path / "e", tmp_path / "bad.pth.tar")


def test_progress_lines_off_a_terminal(tmp_path, trained, monkeypatch, caplog):
    from selene_sdk import progress

    clock = iter(range(0, 1000, 10))  # each reading 10 s after the previous one
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "log")
    monkeypatch.setenv("SELENE_SDK_PROGRESS_INTERVAL", "25")
    monkeypatch.setattr(progress, "_now", lambda: float(next(clock)))
    caplog.set_level(logging.INFO, logger="selene")
    evaluator(tmp_path, trained).evaluate()
    # 6 batches of 50: readings 0 (start), 10..60 (lines at 30 and 60), 70 at the end
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("evaluating")]
    assert lines == [
        "evaluating: 150/300 samples (50%) after 30s, 5.00 samples/s, ETA 30s",
        "evaluating: 300/300 samples (100%) after 1m00s, 5.00 samples/s",
        "evaluating: 300/300 samples (100%) in 1m10s, 4.29 samples/s",
    ]
    assert lines[0] in (tmp_path / "selene_sdk.evaluate_model.log").read_text()
