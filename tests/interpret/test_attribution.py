"""Attribution on models with a known answer; dinucleotide shuffles."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

pytest.importorskip("captum", reason="captum (the 'attribution' extra)")

from selene_sdk.interpret.attribution import attribute, attribute_with_hypothetical
from selene_sdk.interpret.shuffle import dinucleotide_shuffle
from selene_sdk.sequences.encoding import DNA

L = 40


def one_hot(seq: str) -> np.ndarray:
    return DNA.encode(np.frombuffer(seq.encode(), np.uint8)[None])[0].astype(np.float32)


def random_seqs(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("ACGT"), L)) for _ in range(n)]


def test_saliency_of_a_linear_model_is_its_weights():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(4 * L, 3))
    x = np.stack([one_hot(s) for s in random_seqs(5)])
    got = attribute(model, x, method="saliency", target=2)
    weights = model[1].weight[2].detach().numpy().reshape(4, L).T  # (A, L) -> (L, A)
    np.testing.assert_allclose(got, np.broadcast_to(weights, got.shape), atol=1e-6)
    two = attribute(model, x, method="saliency", target=[0, 2])
    assert two.shape == (5, 2, L, 4)
    np.testing.assert_allclose(two[:, 1], got)


def _conv_model() -> nn.Module:
    torch.manual_seed(1)
    return nn.Sequential(
        nn.Conv1d(4, 8, 5), nn.ReLU(), nn.Flatten(), nn.Linear(8 * (L - 4), 2), nn.Sigmoid()
    )


def test_integrated_gradients_are_complete():
    model = _conv_model()
    x = np.stack([one_hot(s) for s in random_seqs(4, seed=2)])
    got = attribute(
        model, x, method="integrated_gradients", target=1, baselines="zeros", n_steps=512
    )
    with torch.no_grad():
        f = model(torch.as_tensor(x).transpose(1, 2))[:, 1].numpy()
        f0 = model(torch.zeros(4, 4, L))[:, 1].numpy()
    np.testing.assert_allclose(got.sum(axis=(1, 2)), f - f0, rtol=1e-3, atol=1e-4)


class MotifCounter(nn.Module):
    """Sums the matches of one planted motif: a fixed filter, ReLU above 5 of 6 bases."""

    def __init__(self, motif: str):
        super().__init__()
        w = torch.as_tensor(one_hot(motif).T)  # (4, 6)
        self.conv = nn.Conv1d(4, 1, len(motif), bias=True)
        with torch.no_grad():
            self.conv.weight.copy_(w[None])
            self.conv.bias.fill_(-(len(motif) - 1))
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.conv(x)).sum(dim=2)


@pytest.mark.parametrize("method", ["input_x_gradient", "integrated_gradients", "deeplift_shap"])
def test_attribution_falls_on_the_planted_motif(method):
    motif = "GATTACA"
    seqs = [s[:15] + motif + s[22:] for s in random_seqs(3, seed=4)]
    x = np.stack([one_hot(s) for s in seqs])
    got = attribute(MotifCounter(motif), x, method=method, target=0, n_shuffles=8, seed=3)
    mass = np.abs(got).sum(axis=2)
    inside = mass[:, 15:22].sum(axis=1) / mass.sum(axis=1)
    assert (inside > 0.9).all(), inside


def test_feature_names_and_the_model_left_as_found():
    model = _conv_model().train()
    x = np.stack([one_hot(s) for s in random_seqs(2)])
    got = attribute(model, x, method="saliency", target="b", features=["a", "b"])
    assert got.shape == (2, L, 4) and model.training  # back in training mode
    with pytest.raises(ValueError, match="not one of the features"):
        attribute(model, x, method="saliency", target="c", features=["a", "b"])
    with pytest.raises(ValueError, match="method must be one of"):
        attribute(model, x, method="gradcam", target=0)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="ACGTN", min_size=1, max_size=60), st.integers(0, 10))
def test_dinucleotide_shuffle_keeps_every_dinucleotide_count(seq, seed):
    x = one_hot(seq)
    shuffled = dinucleotide_shuffle(x, n=3, seed=seed)
    assert shuffled.shape == (3, len(seq), 4)

    def pairs(h):
        codes = np.where(h.sum(axis=1) == 1, h.argmax(axis=1), 4)
        return sorted(zip(codes[:-1].tolist(), codes[1:].tolist())), codes[0]

    want = pairs(x)
    for s in shuffled:
        assert pairs(s) == want
    np.testing.assert_array_equal(dinucleotide_shuffle(x, 3, seed), shuffled)  # seeded


class _Channels(nn.Module):
    """(B, L, A) -> the model's (B, A, L), for captum called directly."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x.transpose(1, 2))


@pytest.mark.filterwarnings("ignore:Setting forward, backward hooks")
def test_deeplift_shap_is_captums_and_complete():
    import captum.attr

    model = _conv_model().eval()
    x = np.stack([one_hot(s) for s in random_seqs(3, seed=5)])
    got = attribute(model, x, method="deeplift_shap", target=1, n_shuffles=4, seed=2, batch_size=5)
    for i in range(3):
        refs = torch.as_tensor(dinucleotide_shuffle(x[i], 4, 2 + i))
        want = captum.attr.DeepLiftShap(_Channels(model)).attribute(
            torch.as_tensor(x[i : i + 1]), baselines=refs, target=1
        )
        np.testing.assert_allclose(got[i], want.detach().numpy()[0], atol=1e-6)
        with torch.no_grad():  # DeepLIFT's summation-to-delta, against the mean reference
            f = model(torch.as_tensor(x[i : i + 1]).transpose(1, 2))[0, 1]
            f0 = model(refs.transpose(1, 2))[:, 1].mean()
        assert got[i].sum() == pytest.approx(float(f - f0), abs=1e-5)


@pytest.mark.parametrize("method", ["integrated_gradients", "deeplift_shap"])
def test_hypothetical_times_input_is_the_attribution_of_a_position(method):
    model = _conv_model()
    x = np.stack([one_hot(s) for s in random_seqs(2, seed=6)])
    got, hyp = attribute_with_hypothetical(
        model, x, method=method, target=[0, 1], n_shuffles=3, n_steps=16
    )
    assert got.shape == hyp.shape == (2, 2, L, 4)
    np.testing.assert_allclose((hyp * x[:, None]).sum(-1), got.sum(-1), atol=1e-6)
    assert not np.allclose(hyp * (1 - x[:, None]), 0)  # the other letters are filled in


def test_hypothetical_of_gradients_is_the_centred_gradient():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(4 * L, 1))
    x = np.stack([one_hot(s) for s in random_seqs(2)])
    w = model[1].weight[0].detach().numpy().reshape(4, L).T
    for method, want in (("saliency", w), ("input_x_gradient", w * x)):
        got, hyp = attribute_with_hypothetical(model, x, method=method, target=0)
        np.testing.assert_allclose(got, np.broadcast_to(want, got.shape), atol=1e-6)
        np.testing.assert_allclose(hyp[0], w - w.mean(axis=1, keepdims=True), atol=1e-6)


def test_integrated_gradients_take_one_shuffle_by_default():
    model = _conv_model()
    x = np.stack([one_hot(s) for s in random_seqs(2, seed=7)])
    default = attribute(model, x, method="integrated_gradients", target=0, n_steps=8, seed=1)
    one = attribute(
        model, x, method="integrated_gradients", target=0, n_steps=8, seed=1, n_shuffles=1
    )
    np.testing.assert_array_equal(default, one)
    with pytest.raises(ValueError, match="n_shuffles must be a positive integer"):
        attribute(model, x, method="deeplift_shap", target=0, n_shuffles=0)
