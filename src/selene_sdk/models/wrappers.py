"""Model wrappers: strand-averaged prediction and side-by-side sub-models."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from selene_sdk.constants import STRAND_MODES, StrandMode

__all__ = ["MultiModelWrapper", "NonStrandSpecific", "reverse_complement_input"]


def reverse_complement_input(x: torch.Tensor) -> torch.Tensor:
    """Reverse complement of model input ``(B, 4, L)`` (or Lua-style ``(B, 4, 1, L)``).

    With ACGT (or AGCT) column order the complement is the reversed channel axis.
    """
    return torch.flip(x, dims=(1, x.dim() - 1))


class NonStrandSpecific(nn.Module):
    """Average (or max) a model's outputs over a sequence and its reverse complement.

    Parameters
    ----------
    model
        The wrapped model; it becomes the submodule ``model`` (so state-dict keys gain a
        ``model.`` prefix, which :func:`~selene_sdk.models.load_model_from_state_dict`
        handles by name).
    mode
        ``"mean"`` or ``"max"``: how the two outputs are combined, element-wise.
    """

    def __init__(self, model: nn.Module, mode: StrandMode = "mean"):
        super().__init__()
        if mode not in STRAND_MODES:
            raise ValueError(f"NonStrandSpecific mode must be 'mean' or 'max', got {mode!r}")
        self.model = model
        self.mode = mode

    def _combine(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return (a + b) / 2 if self.mode == "mean" else torch.maximum(a, b)

    def forward(self, x: torch.Tensor):
        forward = self.model(x)
        reverse = self.model(reverse_complement_input(x))
        if isinstance(forward, tuple | list):
            return type(forward)(self._combine(a, b) for a, b in zip(forward, reverse))
        return self._combine(forward, reverse)


class MultiModelWrapper(nn.Module):
    """Run several models on the same input and concatenate their outputs.

    Parameters
    ----------
    sub_models
        The models; their outputs must agree on every dimension except ``concat_dim``.
    concat_dim
        Dimension along which outputs are concatenated (1 = features).
    """

    def __init__(self, sub_models: Sequence[nn.Module], concat_dim: int = 1):
        super().__init__()
        self.sub_models = nn.ModuleList(sub_models)
        self.concat_dim = concat_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([m(x) for m in self.sub_models], dim=self.concat_dim)
