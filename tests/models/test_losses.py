"""MaskedMSELoss: NaN targets are left out, by hand."""

from __future__ import annotations

import numpy as np
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


def test_signal_cnn_learns_gc_content():
    # the reference regression model: a target the sequence determines (GC fraction)
    from selene_sdk.models.signal_cnn import SignalCNN, criterion, get_optimizer

    torch.manual_seed(0)
    model = SignalCNN(200, 2, channels=16)
    optimizer_class, kwargs = get_optimizer(0.01)
    optimizer = optimizer_class(model.parameters(), **kwargs)
    loss_fn = criterion()
    gen = torch.Generator().manual_seed(1)

    def batch():
        codes = torch.randint(0, 4, (64, 200), generator=gen)
        x = torch.nn.functional.one_hot(codes, 4).float().transpose(1, 2)
        gc = ((codes == 1) | (codes == 2)).float().mean(dim=1, keepdim=True)
        y = torch.cat([gc, torch.full_like(gc, float("nan"))], dim=1)  # 2nd target unknown
        return x, y

    losses = []
    for _ in range(60):
        x, y = batch()
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert model(batch()[0]).shape == (64, 2)
    assert np.mean(losses[-10:]) < 0.2 * np.mean(losses[:5])
