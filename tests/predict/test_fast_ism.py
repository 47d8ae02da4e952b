"""Fast ISM (selene_sdk.predict.fast_ism) equals naive ISM, or falls back to it."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from selene_sdk.forward import ForwardPath
from selene_sdk.models.danq import DanQ
from selene_sdk.models.deeper_deepsea import DeeperDeepSEA
from selene_sdk.models.deepsea import DeepSEA
from selene_sdk.models.heartenn import HeartENN
from selene_sdk.models.wrappers import NonStrandSpecific
from selene_sdk.predict import saturation_mutagenesis
from selene_sdk.predict.fast_ism import (
    Unsupported,
    build_fast_mutagenesis,
    fast_mutagenesis_for,
)

TOLERANCE = 1e-5


def onehot(n: int, length: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=(n, length))]


def both(model: nn.Module, X: np.ndarray, **kwargs):
    fast = saturation_mutagenesis(model, X, fast=True, **kwargs)
    naive = saturation_mutagenesis(model, X, **kwargs)
    return fast, naive


def assert_same(fast, naive) -> None:
    np.testing.assert_array_equal(fast.positions, naive.positions)
    np.testing.assert_array_equal(fast.alternatives, naive.alternatives)
    np.testing.assert_array_equal(fast.sequence_index, naive.sequence_index)
    np.testing.assert_allclose(fast.reference, naive.reference, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(fast.predictions, naive.predictions, rtol=0, atol=TOLERANCE)


def plan_of(model: nn.Module, length: int):
    path = ForwardPath(model)
    with path.inference():
        return fast_mutagenesis_for(path, length, np.eye(4, dtype=np.float32))


class BenchmarkModel(nn.Module):
    """The DeepSEA-like model of benchmarks/bench_analyze.py (narrower)."""

    def __init__(self, length: int = 200):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(4, 16, 8),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(4, 4),
            nn.Dropout(0.2),
            nn.Conv1d(16, 24, 8),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(4, 4),
            nn.Dropout(0.2),
            nn.Conv1d(24, 32, 8),
            nn.ReLU(inplace=True),
            nn.Dropout(0.5),
        )
        n = ((length - 7) // 4 - 7) // 4 - 7
        self.head = nn.Sequential(
            nn.Linear(32 * n, 10), nn.ReLU(inplace=True), nn.Linear(10, 10), nn.Sigmoid()
        )

    def forward(self, x):
        return self.head(self.conv(x).flatten(1))


def with_running_stats(model: nn.Module, seed: int = 0) -> nn.Module:
    """Batch norm layers with non-trivial running statistics (as after training)."""
    gen = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) + 0.5)
    return model


# -- equal to naive ISM on the reference architectures -----------------------------------------
def test_benchmark_model():
    torch.manual_seed(0)
    model = BenchmarkModel()
    assert "linear layer updated" in plan_of(model, 200).describe()
    assert_same(*both(model, onehot(2, 200)))


@pytest.mark.parametrize(
    ("make", "length", "end"),
    [
        (lambda: DeepSEA(240, 5), 240, None),
        (lambda: with_running_stats(DeeperDeepSEA(320, 5)), 320, 120),
        (lambda: with_running_stats(HeartENN(320, 5)), 320, 100),
        (lambda: DanQ(120, 5), 120, None),
    ],
    ids=["DeepSEA", "DeeperDeepSEA", "HeartENN", "DanQ"],
)
def test_reference_architectures(make, length, end):
    torch.manual_seed(1)
    model = make()
    assert build_fast_mutagenesis(model.eval(), length, 4) is not None
    assert_same(*both(model, onehot(1, length, seed=2), end=end))


def test_danq_runs_its_lstm_in_full():
    torch.manual_seed(0)
    assert "the rest in full" in build_fast_mutagenesis(DanQ(120, 5).eval(), 120, 4).describe()


def test_non_strand_specific_both_modes():
    for mode in ("mean", "max"):
        torch.manual_seed(3)
        model = NonStrandSpecific(BenchmarkModel(), mode)
        assert plan_of(model, 200).describe().startswith("both strands")
        assert_same(*both(model, onehot(1, 200, seed=4)))


def test_two_bases_a_range_and_an_unknown_letter():
    torch.manual_seed(5)
    model = BenchmarkModel()
    X = onehot(1, 200, seed=6)
    X[0, 30] = 0.25  # an N: every letter is tried there
    assert_same(*both(model, X, mutate_n_bases=2, start=20, end=45))
    assert_same(*both(model, X, start=190, batch_size=7))


def test_model_handed_back_as_it_was():
    torch.manual_seed(0)
    model = BenchmarkModel().train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    saturation_mutagenesis(model, onehot(1, 200), fast=True, end=20)
    assert model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_the_callers_random_state_is_left_alone():
    torch.manual_seed(0)
    model = BenchmarkModel()
    before = torch.get_rng_state()
    saturation_mutagenesis(model, onehot(1, 200), fast=True, end=10)
    assert torch.equal(torch.get_rng_state(), before)


class LuaStyle(nn.Module):
    """A model in the layout of Lua-Torch ports: ``(B, 4, 1, L)`` inputs, Conv2d (1, k)."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(4, 8, (1, 5), padding=(0, 2)),
            nn.ReLU(),
            nn.MaxPool2d((1, 3), (1, 3)),
            nn.BatchNorm2d(8),
            nn.Conv2d(8, 8, (1, 3)),
            nn.Tanh(),
        )
        self.fc = nn.Linear(8 * 18, 3)

    def forward(self, x):
        out = self.net(x)
        return torch.sigmoid(self.fc(out.view(out.size(0), -1)))


def test_lua_style_model():
    torch.manual_seed(7)
    model = with_running_stats(LuaStyle())
    assert ForwardPath(model).lua
    assert plan_of(model, 60) is not None
    assert_same(*both(model, onehot(2, 60, seed=8)))


# -- a linear convolution's change, the pieces of the update ---------------------------------
@pytest.mark.parametrize(
    ("c_in", "width", "k", "d"),
    [(4, 1, 8, 1), (4, 2, 5, 2), (16, 3, 8, 1), (24, 4, 3, 3), (8, 6, 2, 1)],
)
def test_change_of_a_convolution_is_the_convolution_of_the_change(c_in, width, k, d):
    """Layer.change (a matrix product for a few inputs, a transposed convolution
    otherwise) against the convolution run on the change with zeros around it."""
    from selene_sdk.predict.fast_ism.layers import _SMALL_CHANGE, node_layer

    torch.manual_seed(0)
    conv = nn.Conv1d(c_in, 7, k, dilation=d)
    gm = torch.fx.symbolic_trace(nn.Sequential(conv))
    x, node = list(gm.graph.nodes)[:2]
    layer = node_layer(gm, node, x, lua=False)
    assert layer.weight is not None and layer.reach == (k - 1) * d
    delta = torch.randn(5, width, c_in)  # (B, W, C_in), position-major
    got = layer.change(delta)
    zeros = torch.nn.functional.pad(delta.transpose(1, 2), (layer.reach, layer.reach))
    want = torch.nn.functional.conv1d(zeros, conv.weight, dilation=d).transpose(1, 2)
    assert got.shape == (5, width + layer.reach, 7)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)
    # both ways of computing it are exercised by the cases above
    assert (width * c_in <= _SMALL_CHANGE) == (c_in == 4)


def test_runs_are_slices_when_sorted_either_way():
    from selene_sdk.predict.fast_ism.plan import runs

    up = runs(np.array([0, 0, 2, 2, 2, 5]), "cpu")
    assert [(k, r) for k, r in up] == [(0, slice(0, 2)), (2, slice(2, 5)), (5, slice(5, 6))]
    down = runs(np.array([7, 7, 3, 1, 1]), "cpu")
    assert [(k, r) for k, r in down] == [(7, slice(0, 2)), (3, slice(2, 3)), (1, slice(3, 5))]
    mixed = runs(np.array([1, 0, 1]), "cpu")
    assert [(k, r.tolist()) for k, r in mixed] == [(0, [1]), (1, [0, 2])]


def test_wide_convolutions_near_both_ends():
    """Channels past the matrix product's limit (the transposed convolution), kernels
    that reach past both ends of a short sequence, dilation and 'same' padding."""
    torch.manual_seed(5)
    model = nn.Sequential(
        nn.Conv1d(4, 40, 9, padding=4),
        nn.ReLU(),
        nn.Conv1d(40, 48, 5, dilation=2, padding="same"),
        nn.ELU(),
        nn.MaxPool1d(3, 2),
        nn.Conv1d(48, 16, 7),
        nn.Flatten(),
        nn.Linear(16 * 8, 5),
    )
    assert "4 positional layers on windows (3 convolutions from" in plan_of(model, 30).describe()
    assert_same(*both(model, onehot(2, 30)))


# -- randomised convolution stacks --------------------------------------------------------------
@st.composite
def conv_stacks(draw):
    length = draw(st.integers(30, 120))
    channels, size = 4, length
    layers: list[nn.Module] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["conv", "conv", "max", "avg"]))
        if kind == "conv":
            k = draw(st.integers(1, 9))
            d = draw(st.integers(1, 3))
            s = draw(st.integers(1, 3))
            p = draw(st.one_of(st.integers(0, k), st.just("same")))
            if p == "same" and s != 1:
                p = 0
            out = draw(st.sampled_from([3, 6, 8]))
            groups = draw(st.sampled_from([1, 2])) if channels % 2 == 0 and out % 2 == 0 else 1
            conv = nn.Conv1d(channels, out, k, stride=s, padding=p, dilation=d, groups=groups)
            extent = d * (k - 1) + 1
            pad = 2 * p if isinstance(p, int) else extent - 1
            new = (size + pad - extent) // s + 1
            if new < 2:
                continue
            layers.append(conv)
            channels, size = out, new
        else:
            k = draw(st.integers(2, 5))
            s = draw(st.integers(1, k))
            p = draw(st.integers(0, k // 2))
            ceil = draw(st.booleans()) if kind == "max" else False
            if kind == "max":
                layer = nn.MaxPool1d(k, s, p, ceil_mode=ceil)
            else:
                layer = nn.AvgPool1d(k, s, p)
            try:
                with torch.no_grad():
                    new = layer(torch.zeros(1, channels, size)).shape[2]
            except RuntimeError:  # (the input is too short for this pooling)
                continue
            if new < 2:
                continue
            layers.append(layer)
            size = new
        act = draw(st.sampled_from(["relu", "bn", "none", "elu", "dropout"]))
        layers.append(
            {
                "relu": nn.ReLU(inplace=True),
                "bn": nn.BatchNorm1d(channels),
                "none": nn.Identity(),
                "elu": nn.ELU(),
                "dropout": nn.Dropout(0.3),
            }[act]
        )
    head = draw(st.sampled_from(["linear", "global_max", "max_values", "mean", "adaptive"]))
    seed = draw(st.integers(0, 1000))
    return layers, channels, size, length, head, seed


class Stack(nn.Module):
    def __init__(self, layers, channels, size, head):
        super().__init__()
        self.body = nn.Sequential(*layers)
        self.head = head
        self.fc = nn.Linear(channels * size if head == "linear" else channels, 3)

    def forward(self, x):
        h = self.body(x)
        if self.head == "linear":
            h = h.flatten(1)
        elif self.head == "global_max":
            h = h.amax(dim=2)
        elif self.head == "max_values":
            h = h.max(dim=2)[0]
        elif self.head == "mean":
            h = h.mean(2)
        else:
            h = nn.functional.adaptive_avg_pool1d(h, 1).squeeze(-1)
        return self.fc(h)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(
    max_examples=2000 if os.environ.get("SELENE_FUZZ_PROFILE") == "slow" else 60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(conv_stacks())
def test_random_conv_stacks_equal_naive(stack):
    layers, channels, size, length, head, seed = stack
    torch.manual_seed(seed)
    model = with_running_stats(Stack(layers, channels, size, head), seed)
    X = onehot(1, length, seed)
    fast, naive = both(model, X)
    assert_same(fast, naive)
    # and the decomposition was used (it passed its check), not the fallback
    assert plan_of(model, length) is not None


# -- models that cannot be decomposed fall back, with one log line -----------------------------
class Skip(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 40, 2)

    def forward(self, x):
        return self.fc((self.conv(x) + x).flatten(1))


class DenseFirst(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4 * 40, 2)

    def forward(self, x):
        return self.fc(x.flatten(1))


class Counting(nn.Module):
    """Changes its output at every call: what tracing sees is not what runs."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 3, 5)
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        return self.conv(x).amax(dim=2) * self.calls


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        (Skip(), "skip connection"),
        (DenseFirst(), "does not start with a convolution"),
        (Counting(), "differs from the model"),
    ],
)
def test_fallback_to_naive_with_one_log_line(model, reason, caplog):
    X = onehot(1, 40)
    with caplog.at_level(logging.INFO, logger="selene_sdk"):
        fast = saturation_mutagenesis(model, X, fast=True)
    lines = [r.getMessage() for r in caplog.records if "fast ISM" in r.getMessage()]
    assert len(lines) == 1
    assert reason in lines[0] and "running naive ISM" in lines[0]
    if not isinstance(model, Counting):  # (whose every call differs anyway)
        naive = saturation_mutagenesis(model, X)
        np.testing.assert_allclose(fast.predictions, naive.predictions, atol=TOLERANCE)


def test_skip_connection_after_the_stem_still_uses_the_stem():
    class StemThenSkip(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv1d(4, 6, 5)
            self.conv = nn.Conv1d(6, 6, 3, padding=1)
            self.fc = nn.Linear(6 * 36, 2)

        def forward(self, x):
            h = torch.relu(self.stem(x))
            return self.fc((self.conv(h) + h).flatten(1))

    torch.manual_seed(0)
    model = StemThenSkip()
    assert "the rest in full" in build_fast_mutagenesis(model.eval(), 40, 4).describe()
    assert_same(*both(model, onehot(1, 40)))


def test_check_tolerance_follows_the_arithmetic():
    from selene_sdk.predict.fast_ism import check_tolerance

    from .helpers import tf32

    cuda, cpu = torch.device("cuda"), torch.device("cpu")
    with tf32(convolutions=True):  # PyTorch's default
        assert check_tolerance(cuda, None) == 1e-2  # TF32 convolutions on CUDA
        assert check_tolerance(cpu, None) == 1e-4  # (the CPU has no TF32)
        assert check_tolerance("cuda:0", torch.bfloat16) == 5e-2
    with tf32(convolutions=False):
        assert check_tolerance(cuda, None) == 1e-4
        assert check_tolerance(cpu, torch.float16) == 5e-2
    with tf32(convolutions=False, matmul=True):
        assert check_tolerance(cuda, None) == 1e-2
        # (read, never changed by the check)
        assert torch.backends.cuda.matmul.allow_tf32 and not torch.backends.cudnn.allow_tf32


def test_fast_ism_takes_larger_groups_on_a_gpu(monkeypatch):
    from selene_sdk.predict import mutagenesis

    cuda, cpu = torch.device("cuda"), torch.device("cpu")
    assert mutagenesis.group_rows(cpu, True) == mutagenesis.group_rows(cpu, False) == 512
    assert mutagenesis.group_rows(cuda, False) == 512
    assert mutagenesis.group_rows(cuda, True) == 8192
    # the fast run asks for fast ISM's groups (here of 96: groups of 64 mutants after
    # rounding to the batch), and its results do not depend on them
    asked = []

    def rows(device, fast):
        asked.append(fast)
        return 96 if fast else 512

    monkeypatch.setattr(mutagenesis, "group_rows", rows)
    torch.manual_seed(0)
    fast, naive = both(BenchmarkModel(), onehot(2, 200))
    assert asked == [True, False]
    assert_same(fast, naive)


def test_unsupported_names_the_reason():
    with pytest.raises(Unsupported, match="does not start with a convolution"):
        build_fast_mutagenesis(DenseFirst().eval(), 40, 4)


# -- through AnalyzeSequences (the config's `in_silico_mutagenesis: {fast: True}`) ---------------
@pytest.mark.parametrize(("fmt", "background"), [("tsv", False), ("hdf5", True)])
def test_files_equal_naive(tmp_path, fmt, background):
    import h5py

    from selene_sdk.predict import AnalyzeSequences

    torch.manual_seed(0)
    model = BenchmarkModel()
    features = [f"f{i}" for i in range(10)]
    a = AnalyzeSequences(model, None, 200, features, batch_size=16, background=background)
    fasta = tmp_path / "in.fa"
    rng = np.random.default_rng(0)
    fasta.write_text(
        "".join(f">s{i}\n{''.join(rng.choice(list('ACGT'), 200))}\n" for i in range(2))
    )
    save = ["diffs", "predictions"]
    a.in_silico_mutagenesis_from_file(fasta, save, tmp_path / "fast", output_format=fmt, fast=True)
    a.in_silico_mutagenesis_from_file(fasta, save, tmp_path / "naive", output_format=fmt)
    a.in_silico_mutagenesis("ACGT" * 50, save, tmp_path / "one_fast", output_format=fmt, fast=True)
    a.in_silico_mutagenesis("ACGT" * 50, save, tmp_path / "one_naive", output_format=fmt)
    pairs = [(tmp_path / "fast" / f"s{i}_{s}", tmp_path / "naive" / f"s{i}_{s}") for i in range(2)
             for s in save]  # fmt: skip
    pairs += [(tmp_path / f"one_fast_{s}", tmp_path / f"one_naive_{s}") for s in save]
    for fast, naive in pairs:
        if fmt == "tsv":
            f = np.loadtxt(f"{fast}.tsv", dtype=str, skiprows=1)
            n = np.loadtxt(f"{naive}.tsv", dtype=str, skiprows=1)
            np.testing.assert_array_equal(f[:, :3], n[:, :3])  # the mutation labels
            fv, nv = f[:, 3:].astype(float), n[:, 3:].astype(float)
        else:
            with h5py.File(f"{fast}.h5") as hf, h5py.File(f"{naive}.h5") as hn:
                fv, nv = hf["data"][()], hn["data"][()]
        assert fv.shape == nv.shape and len(fv) >= 600
        np.testing.assert_allclose(fv, nv, rtol=1e-5, atol=TOLERANCE)


def test_fast_must_be_a_flag():
    from selene_sdk.predict import AnalyzeSequences

    a = AnalyzeSequences(BenchmarkModel(), None, 200, [f"f{i}" for i in range(10)])
    with pytest.raises(ValueError, match="fast must be True or False"):
        a.in_silico_mutagenesis("ACGT", ["diffs"], "x", fast="yes")


def test_a_plan_that_runs_the_rest_in_full_must_be_faster(monkeypatch, caplog):
    import selene_sdk.predict.fast_ism as fast_ism

    class LogSumExp(nn.Module):  # a window of the conv, then a reduction over all of it
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(4, 5, 7)

        def forward(self, x):
            return torch.logsumexp(self.conv(x), dim=2)

    torch.manual_seed(0)
    model = LogSumExp()
    assert "the rest in full" in build_fast_mutagenesis(model.eval(), 60, 4).describe()
    monkeypatch.setattr(fast_ism, "_trial", lambda *a: (0.0, 0.002, 0.001))  # slower
    with caplog.at_level(logging.INFO, logger="selene_sdk"):
        assert plan_of(model, 60) is None
    assert "would be slower than naive ISM (2.0 ms against 1.0 ms" in caplog.text
    monkeypatch.setattr(fast_ism, "_trial", lambda *a: (0.0, 0.001, 0.002))  # faster
    assert plan_of(model, 60) is not None
    monkeypatch.undo()
    assert_same(*both(model, onehot(1, 60)))


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (lambda h: h.amax(dim=2), "global max"),
        (lambda h: h.max(dim=2)[0], "global max"),
        (lambda h: h.mean(dim=2), "global mean"),
        (lambda h: nn.functional.adaptive_max_pool1d(h, 1).flatten(1), "global max"),
    ],
)
def test_global_pooling_tails(head, kind):
    class Pooled(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Sequential(
                nn.Conv1d(4, 6, 5), nn.ReLU(), nn.MaxPool1d(2), nn.Conv1d(6, 5, 3)
            )
            self.fc = nn.Linear(5, 2)

        def forward(self, x):
            return torch.sigmoid(self.fc(head(self.conv(x))))

    torch.manual_seed(0)
    model = Pooled()
    assert kind in build_fast_mutagenesis(model.eval(), 50, 4).describe()
    assert_same(*both(model, onehot(2, 50)))


def test_demo_model_uses_the_global_max():
    from selene_sdk.demo.demo_model import DemoDeepSEA

    torch.manual_seed(0)
    model = DemoDeepSEA(100, 3)
    assert "global max" in plan_of(model, 100).describe()
    assert_same(*both(model, onehot(1, 100)))


@pytest.mark.slow
@pytest.mark.parametrize("make", [lambda: DeepSEA(1000, 919), lambda: HeartENN(1000, 919)])
def test_full_size_architectures(make):
    torch.manual_seed(2)
    model = with_running_stats(make())
    X = onehot(1, 1000, seed=3)
    assert_same(*both(model, X, start=0, end=60))
    assert_same(*both(model, X, start=940, end=1000))
