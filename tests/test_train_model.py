"""TrainModel: outputs and their formats, exact resume, checkpoints, early stopping."""

from __future__ import annotations

import glob
import io
import logging
import os

import numpy as np
import pytest
import torch

from selene_sdk.errors import SeleneWarning
from selene_sdk.models import load_checkpoint
from selene_sdk.train_model import TrainModel
from tests.training_helpers import MotifSampler, TinyCNN, train_kwargs


def make_trainer(tmp_path, sampler=None, seed=0, **overrides):
    torch.manual_seed(seed)
    model = TinyCNN()
    return TrainModel(
        model=model, data_sampler=sampler or MotifSampler(), **train_kwargs(tmp_path, **overrides)
    )


def test_outputs_and_formats(tmp_path):
    trainer = make_trainer(tmp_path, max_steps=40, report_stats_every_n_steps=15)
    trainer.train_and_validate()
    out = tmp_path
    train_lines = (out / "selene_sdk.train_model.train.txt").read_text().splitlines()
    val_lines = (out / "selene_sdk.train_model.validation.txt").read_text().splitlines()
    # reports after steps 15, 30 and the last step (40)
    assert train_lines[0] == "loss" and len(train_lines) == 4
    assert all(float(x) > 0 for x in train_lines[1:])
    assert val_lines[0] == "loss\taverage_precision\troc_auc" and len(val_lines) == 4
    loss, ap, auc = val_lines[-1].split("\t")
    assert float(loss) < float(val_lines[1].split("\t")[0])  # it learns
    assert float(auc) > 0.8 and 0 < float(ap) <= 1
    for name in (
        "checkpoint.pth.tar",
        "best_model.pth.tar",
        "training_curves.svg",
        "selene_sdk.train_model.log",
    ):
        assert (out / name).exists(), name
    checkpoint = load_checkpoint(out / "checkpoint.pth.tar")
    assert checkpoint["step"] == 40 and checkpoint["arch"] == "TinyCNN"
    assert isinstance(checkpoint["min_loss"], float)
    assert set(checkpoint) >= {"step", "arch", "state_dict", "min_loss", "optimizer"}
    assert "STEP 40/40" in (out / "selene_sdk.train_model.log").read_text()
    # no temporary files left behind by the atomic writers
    assert not glob.glob(str(out / ".*"))


def test_best_model_does_not_overwrite_checkpoint(tmp_path):
    trainer = make_trainer(tmp_path, max_steps=20, save_checkpoint_every_n_steps=1000)
    trainer.train_and_validate()
    best = load_checkpoint(tmp_path / "best_model.pth.tar")
    last = load_checkpoint(tmp_path / "checkpoint.pth.tar")
    assert last["step"] == 20
    assert best["min_loss"] == pytest.approx(trainer.min_loss)


def state(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("workers", [0, 2])
def test_exact_resume_is_bitwise_identical(tmp_path, workers):
    full = make_trainer(tmp_path / "full", max_steps=40, n_data_workers=workers)
    full.train_and_validate()

    half = make_trainer(tmp_path / "half", max_steps=20, n_data_workers=workers)
    half.train_and_validate()
    torch.manual_seed(123)  # a different global RNG state: resume must restore it
    resumed = make_trainer(
        tmp_path / "half",
        seed=99,  # different initial weights: they must be replaced by the checkpoint's
        max_steps=40,
        n_data_workers=workers,
        checkpoint_resume=str(tmp_path / "half" / "checkpoint.pth.tar"),
    )
    assert resumed.step == 20
    resumed.train_and_validate()
    a, b = state(full.model), state(resumed.model)
    assert all(torch.equal(a[k], b[k]) for k in a)
    for name in ("selene_sdk.train_model.validation.txt", "selene_sdk.train_model.train.txt"):
        assert (tmp_path / "full" / name).read_text() == (tmp_path / "half" / name).read_text()


def test_resume_from_original_selene_checkpoint(tmp_path):
    torch.manual_seed(0)
    model = TinyCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    # The original stored the index of the last completed step and min_loss as numpy.
    torch.save(
        {
            "step": 9,
            "arch": "TinyCNN",
            "state_dict": model.state_dict(),
            "min_loss": np.float64(0.5),
            "optimizer": optimizer.state_dict(),
        },
        tmp_path / "orig.pth.tar",
    )
    trainer = make_trainer(
        tmp_path / "run", max_steps=15, checkpoint_resume=str(tmp_path / "orig.pth.tar")
    )
    assert trainer.step == 10 and trainer.min_loss == 0.5
    trainer.train_and_validate()
    assert load_checkpoint(tmp_path / "run" / "checkpoint.pth.tar")["step"] == 15


def test_resume_of_finished_run_extends_max_steps(tmp_path):
    make_trainer(tmp_path, max_steps=10).train_and_validate()
    again = make_trainer(
        tmp_path, max_steps=10, checkpoint_resume=str(tmp_path / "checkpoint.pth.tar")
    )
    assert again.step == 10 and again.max_steps == 20


@pytest.mark.parametrize("value", [None, False, "False", "None", ""])
def test_checkpoint_resume_false_means_fresh(tmp_path, value):
    assert make_trainer(tmp_path, checkpoint_resume=value).step == 0


def test_checkpoint_without_state_dict(tmp_path):
    torch.save({"weights": torch.zeros(1)}, tmp_path / "bad.pth.tar")
    with pytest.raises(ValueError, match="state_dict"):
        make_trainer(tmp_path / "r", checkpoint_resume=str(tmp_path / "bad.pth.tar"))


def test_timestamped_checkpoints_after_threshold(tmp_path):
    make_trainer(
        tmp_path,
        max_steps=30,
        save_checkpoint_every_n_steps=10,
        save_new_checkpoints_after_n_steps=15,
    ).train_and_validate()
    stamped = glob.glob(str(tmp_path / "checkpoint-*.pth.tar"))
    # steps 20 and 30 are after the threshold (timestamps may collide within a second)
    assert 1 <= len(stamped) <= 2
    assert (tmp_path / "checkpoint.pth.tar").exists()


def test_early_stopping(tmp_path):
    scores = iter([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    trainer = make_trainer(
        tmp_path,
        max_steps=100,
        report_stats_every_n_steps=5,
        metrics={"decreasing": lambda y, p: next(scores)},
        stopping_criteria=["decreasing", 2],
        report_gt_feature_n_positives=0,
    )
    trainer.train_and_validate()
    # 2 features per validation -> the metric function is called twice per report: the
    # averages are 0.85, 0.65, 0.45 -> no improvement twice -> stop after 3 reports
    assert trainer.step == 15
    assert load_checkpoint(tmp_path / "checkpoint.pth.tar")["step"] == 15


@pytest.mark.parametrize(
    "bad",
    [
        dict(batch_size=0),
        dict(max_steps=-1),
        dict(report_stats_every_n_steps=1.5),
        dict(stopping_criteria=["nope", 3]),
        dict(stopping_criteria=["roc_auc"]),
    ],
)
def test_bad_arguments(tmp_path, bad):
    with pytest.raises(ValueError):
        make_trainer(tmp_path, **bad)


def test_use_cuda_without_gpu_warns_and_trains_on_cpu(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.warns(SeleneWarning) as caught:
        trainer = make_trainer(tmp_path, use_cuda=True, data_parallel=True, max_steps=3)
    messages = [str(w.message) for w in caught]
    assert any("no CUDA device" in m for m in messages), messages
    assert any("data_parallel is set but fewer than two CUDA devices" in m for m in messages)
    trainer.train_and_validate()
    assert trainer.device.type == "cpu"


def test_evaluate_writes_test_outputs(tmp_path):
    trainer = make_trainer(tmp_path, max_steps=40)
    trainer.create_test_set()
    assert np.load(tmp_path / "test_targets.npz")["data"].shape == (300, 2)
    trainer.train_and_validate()
    averages, features = trainer.evaluate()
    assert set(averages) == {"loss", "roc_auc", "average_precision"}
    assert averages["roc_auc"] > 0.8
    preds = np.load(tmp_path / "test_predictions.npz")["data"]
    assert preds.shape == (300, 2) and ((preds >= 0) & (preds <= 1)).all()
    lines = (tmp_path / "test_performance.txt").read_text().splitlines()
    assert lines[0] == "class\troc_auc\taverage_precision"
    assert [line.split("\t")[0] for line in lines[1:]] == ["motif0", "motif1"]
    assert set(features) == {"motif0", "motif1"}
    assert os.path.exists(tmp_path / "roc_curves.svg")


class TickingClock:
    """Each reading is 10 s after the previous one (the first is 0)."""

    def __init__(self):
        self.t = -10.0

    def __call__(self) -> float:
        self.t += 10.0
        return self.t


def _progress_lines(caplog, prefix):
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(prefix)]


def test_progress_lines_off_a_terminal(tmp_path, monkeypatch, caplog):
    from selene_sdk import progress

    monkeypatch.delenv("SELENE_SDK_PROGRESS", raising=False)
    monkeypatch.setattr("sys.stderr", io.StringIO())  # a cluster log, not a terminal
    monkeypatch.setenv("SELENE_SDK_PROGRESS_INTERVAL", "25")
    trainer = make_trainer(tmp_path, max_steps=6, report_stats_every_n_steps=6)
    trainer.train = lambda inputs, targets: 0.5  # a fixed loss for the postfix
    monkeypatch.setattr(progress, "_now", TickingClock())
    caplog.set_level(logging.INFO, logger="selene")
    trainer.train_and_validate()
    # readings: 0 at the start, 10..60 after steps 1..6 (lines at 30 and 60), 70 at the end
    expected = [
        "training: 3/6 steps (50%) after 30s, 10.0 s/step, ETA 30s, loss=0.5000",
        "training: 6/6 steps (100%) after 1m00s, 10.0 s/step, loss=0.5000",
        "training: 6/6 steps (100%) in 1m10s, 11.7 s/step, loss=0.5000",
    ]
    assert _progress_lines(caplog, "training:") == expected
    log = (tmp_path / "selene_sdk.train_model.log").read_text()
    assert all(line in log for line in expected)  # the run's log file has them too
    # the test set: 300 samples in batches of 32 (10 passes, readings 0..100, end at 110)
    trainer.evaluate()
    assert _progress_lines(caplog, "evaluating:") == [
        "evaluating: 96/300 samples (32%) after 30s, 3.20 samples/s, ETA 1m04s",
        "evaluating: 192/300 samples (64%) after 1m00s, 3.20 samples/s, ETA 34s",
        "evaluating: 288/300 samples (96%) after 1m30s, 3.20 samples/s, ETA 4s",
        "evaluating: 300/300 samples (100%) in 1m50s, 2.73 samples/s",
    ]


def test_resumed_training_counts_from_the_checkpoint(tmp_path, monkeypatch, caplog):
    from selene_sdk import progress

    monkeypatch.setenv("SELENE_SDK_PROGRESS", "log")
    monkeypatch.setenv("SELENE_SDK_PROGRESS_INTERVAL", "15")
    make_trainer(tmp_path / "a", max_steps=4).train_and_validate()
    trainer = make_trainer(
        tmp_path / "b", max_steps=6, checkpoint_resume=tmp_path / "a" / "checkpoint.pth.tar"
    )
    trainer.train = lambda inputs, targets: 0.25
    monkeypatch.setattr(progress, "_now", TickingClock())
    caplog.set_level(logging.INFO, logger="selene")
    trainer.train_and_validate()
    # steps 5 and 6 at 10 s and 20 s: the rate counts the 2 new steps only
    assert _progress_lines(caplog, "training:") == [
        "training: 6/6 steps (100%) after 20s, 10.0 s/step, loss=0.2500",
        "training: 6/6 steps (100%) in 30s, 15.0 s/step, loss=0.2500",
    ]
