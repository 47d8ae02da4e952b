"""precision: 32 | bf16 | fp16 (autocast) and compile: True, through the forward path,
TrainModel, EvaluateModel-style inference and AnalyzeSequences."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from selene_sdk.forward import ForwardPath
from selene_sdk.forward.precision import ModelCompileError, resolve_precision
from selene_sdk.predict import AnalyzeSequences
from selene_sdk.train_model import TrainModel
from tests.training_helpers import MotifSampler, TinyCNN


@pytest.mark.parametrize(
    "given, dtype",
    [(32, None), ("32", None), ("fp32", None), (None, None), ("bf16", torch.bfloat16),
     ("BF16", torch.bfloat16), ("fp16", torch.float16), (16, torch.float16)],
)  # fmt: skip
def test_precision_spellings(given, dtype):
    assert resolve_precision(given) is dtype


def test_unknown_precision_names_the_choices():
    with pytest.raises(ValueError, match="32, bf16 or fp16"):
        resolve_precision("half")


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv1d(4, 8, 5), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 16, 3))


def test_bf16_autocast_runs_the_model_in_bf16_and_returns_float32():
    x = torch.rand(6, 4, 20)
    full = ForwardPath(_model(), "cpu")
    half = ForwardPath(_model(), "cpu", precision="bf16")
    assert full(x).dtype == torch.float32
    assert half(x).dtype == torch.bfloat16  # autocast is on inside the forward pass
    encodings = np.random.default_rng(0).random((6, 20, 4)).astype(np.float32)
    a, b = full.predict(encodings), half.predict(encodings)
    assert b.dtype == np.float32
    np.testing.assert_allclose(b, a, atol=0.05)
    assert not np.array_equal(a, b)  # really computed in bf16
    assert next(half.model.parameters()).dtype == torch.float32  # weights untouched


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_training_in_reduced_precision(tmp_path, precision):
    def run(p, out):
        torch.manual_seed(0)
        trainer = TrainModel(
            TinyCNN(), MotifSampler(seed=3), nn.BCELoss(), torch.optim.SGD, {"lr": 0.1},
            batch_size=16, max_steps=6, report_stats_every_n_steps=3, output_dir=str(out),
            n_validation_samples=50, n_data_workers=0, precision=p,
        )  # fmt: skip
        trainer.train_and_validate()
        return trainer

    full = run(32, tmp_path / "full")
    reduced = run(precision, tmp_path / precision)
    assert (reduced.scaler is not None) == (precision == "fp16")  # loss scaling for fp16
    assert reduced.min_loss == pytest.approx(full.min_loss, abs=0.01)
    checkpoint = torch.load(tmp_path / precision / "checkpoint.pth.tar", weights_only=True)
    assert (checkpoint["selene_sdk"]["grad_scaler"] is not None) == (precision == "fp16")
    assert all(v.dtype == torch.float32 for v in checkpoint["state_dict"].values())


def test_analysis_in_bf16_writes_float32_close_to_full_precision():
    encodings = ["ACGT" * 15, "TTGGCCAATT" * 6]
    kwargs = {"reference_sequence": None, "batch_size": 2}
    full = AnalyzeSequences(TinyCNN(), None, 60, ["a", "b"], **kwargs)
    half = AnalyzeSequences(full.model, None, 60, ["a", "b"], precision="bf16", **kwargs)
    for seq in encodings:
        a, b = full.get_predictions(seq), half.get_predictions(seq)
        assert b.dtype == np.float32
        np.testing.assert_allclose(b, a, atol=0.02)


def test_a_model_that_cannot_be_compiled_is_a_clear_error(monkeypatch):
    from torch._dynamo.exc import Unsupported

    class Refuses(nn.Module):
        def forward(self, x):
            raise Unsupported("data-dependent control flow")

    monkeypatch.setattr(torch, "compile", lambda model: Refuses())
    path = ForwardPath(_model(), "cpu", compile=True)
    with pytest.raises(ModelCompileError, match="compile: False"):
        path(torch.rand(2, 4, 20))


def test_errors_that_are_not_compile_errors_pass_through(monkeypatch):
    monkeypatch.setattr(torch, "compile", lambda model: model)
    path = ForwardPath(_model(), "cpu", compile=True)
    with pytest.raises(RuntimeError):  # wrong length: the usual error, not a compile one
        path(torch.rand(2, 4, 21))


@pytest.mark.slow
def test_compiled_model_gives_the_same_predictions():
    model = _model()
    x = torch.rand(6, 4, 20)
    with torch.inference_mode():
        want = model(x)
        got = ForwardPath(model, "cpu", compile=True)(x)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    assert not any(k.startswith("_orig_mod") for k in model.state_dict())


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_reduced_precision_on_cuda(tmp_path, precision):
    torch.manual_seed(0)
    trainer = TrainModel(
        TinyCNN(), MotifSampler(seed=3), nn.BCELoss(), torch.optim.SGD, {"lr": 0.1},
        batch_size=16, max_steps=6, report_stats_every_n_steps=3, output_dir=str(tmp_path),
        n_validation_samples=50, n_data_workers=0, precision=precision, use_cuda=True,
    )  # fmt: skip
    trainer.train_and_validate()
    assert trainer.device.type == "cuda" and np.isfinite(trainer.min_loss)
    x = torch.rand(8, 4, 20)
    full = ForwardPath(_model(), "cuda").place()  # (calling a path runs it where the model is)
    half = ForwardPath(_model(), "cuda", precision=precision).place()
    assert half(x).dtype == resolve_precision(precision)
    torch.testing.assert_close(half(x).float(), full(x), atol=0.05, rtol=0.05)
