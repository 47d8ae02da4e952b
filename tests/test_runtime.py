"""Allocator tuning: applied once on glibc Linux, and can be switched off."""

from __future__ import annotations

import subprocess
import sys

CODE = "from selene_sdk._runtime import tune_memory_allocator as t; print(t(), t())"


def run(env_extra):
    import os

    env = {**os.environ, **env_extra}
    env.pop("MALLOC_MMAP_THRESHOLD_", None)
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True)
    return out.stdout.strip()


def test_applied_on_linux_and_idempotent():
    if not sys.platform.startswith("linux"):
        assert run({}) == "False False"
        return
    assert run({}) == "True True"


def test_can_be_switched_off():
    assert run({"SELENE_SDK_MALLOC_TUNING": "0"}) == "False False"


def test_tune_process_tunes_the_allocator_and_freezes_the_heap():
    code = (
        "import gc, selene_sdk; r = selene_sdk.tune_process(); "
        "print(r['allocator'], r['gc_freeze'], gc.get_freeze_count() > 100_000)"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "MALLOC_MMAP_THRESHOLD_"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    linux = sys.platform.startswith("linux")
    assert out.stdout.split() == [str(linux), "True", "True"], out.stderr


LIBRARY_CALLS = """
import gc, sys, warnings
import numpy as np, torch
from torch import nn
import selene_sdk._runtime as runtime
from selene_sdk.predict import AnalyzeSequences, predict
from selene_sdk.train_model import TrainModel

warnings.simplefilter("ignore")
seen = []


class Spy(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 2)

    def forward(self, x):
        seen.append((gc.get_freeze_count(), runtime._done))
        return torch.sigmoid(self.linear(x.mean(dim=2)))


class Sampler:
    modes = ["train", "validate"]

    def get_validation_set(self, batch_size, n_samples=None):
        x = np.zeros((4, 10, 4), np.float32)
        return [(x, np.zeros((4, 2), np.float32))], np.zeros((4, 2), np.float32)

    def get_feature_from_index(self, i):
        return str(i)


model = Spy()
model.train()
a = AnalyzeSequences(model, None, 10, ["a", "b"], batch_size=2)
a.get_predictions("ACGT" * 3)
predict(model, np.zeros((3, 10, 4), np.float32))
TrainModel(model, Sampler(), nn.BCELoss(), torch.optim.SGD, {"lr": 0.1}, 2, 1, 1,
           sys.argv[1], n_data_workers=0)
print(len(seen) >= 3, set(seen) == {(0, False)}, gc.get_freeze_count(), runtime._done,
      model.training)
"""


def test_library_calls_leave_the_allocator_and_the_collector_alone(tmp_path):
    """Constructing and running library objects never tunes the process (only the command
    line does): no gc.freeze, no mallopt, during or after, and the model keeps its mode."""
    out = subprocess.run(
        [sys.executable, "-c", LIBRARY_CALLS, str(tmp_path)], capture_output=True, text=True
    )
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    assert last.split() == ["True", "True", "0", "False", "True"], out.stdout + out.stderr


def test_the_command_line_tunes_its_own_process(monkeypatch):
    import selene_sdk._runtime as runtime
    from selene_sdk import cli

    calls = []
    monkeypatch.setattr(runtime, "tune_process", lambda: calls.append("tuned"))

    class Module:
        @staticmethod
        def run(args):
            return 0

    assert cli._dispatch(Module, object(), "selene", long_running=True) == 0
    assert cli._dispatch(Module, object(), "selene") == 0
    assert calls == ["tuned"]
