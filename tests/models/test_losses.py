"""MaskedMSELoss: NaN targets are left out, by hand."""

from __future__ import annotations

import torch

from selene_sdk.models.losses import MaskedMSELoss


def test_nan_targets_are_ignored():
    pred = torch.tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
    target = torch.tensor([[0.0, float("nan")], [1.0, 2.0]])
    loss = MaskedMSELoss()(pred, target)
    assert abs(loss.item() - (1 + 4 + 9) / 3) < 1e-6
    loss.backward()
    # d/dp of sum((p - t)^2) / 3: 2 (p - t) / 3 where known, 0 where the target is NaN
    assert torch.allclose(pred.grad, torch.tensor([[2 / 3, 0.0], [4 / 3, 2.0]]))


def test_a_batch_without_known_targets_gives_zero_and_no_nan_gradient():
    pred = torch.ones(3, 2, requires_grad=True)
    loss = MaskedMSELoss()(pred, torch.full((3, 2), float("nan")))
    loss.backward()
    assert loss.item() == 0 and torch.equal(pred.grad, torch.zeros(3, 2))


def test_equals_mse_without_nan():
    pred, target = torch.randn(5, 4), torch.randn(5, 4)
    assert torch.allclose(MaskedMSELoss()(pred, target), torch.nn.MSELoss()(pred, target))
