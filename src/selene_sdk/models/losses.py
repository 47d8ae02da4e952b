"""Losses for continuous targets with missing values (``GenomicFeaturesH5`` gives NaN for
every target of a window no interval overlaps, and a matrix may hold NaN itself)."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["MaskedMSELoss"]


class MaskedMSELoss(nn.Module):
    """Mean squared error over the entries whose target is not NaN.

    ``loss = mean((prediction - target)**2)`` over ``~isnan(target)``; 0 (with a gradient of
    0) for a batch without any known target, so one empty batch never turns the weights
    into NaN. In a model file::

        from selene_sdk.models.losses import MaskedMSELoss

        def criterion():
            return MaskedMSELoss()
    """

    def forward(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        known = ~torch.isnan(target)
        diff = torch.where(known, prediction - torch.nan_to_num(target), 0.0)
        return (diff * diff).sum() / known.sum().clamp(min=1)
