"""Where a model runs: Selene's ``use_cuda`` / ``data_parallel`` flags resolved in one place."""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import nn

from selene_sdk.errors import SeleneWarning
from selene_sdk.models.lua import _is_lua_trained_model

__all__ = ["is_lua_model", "place_model", "resolve_device", "to_model_input"]


def resolve_device(use_cuda: bool = False) -> torch.device:
    """``cuda`` when asked for and available; otherwise the CPU, with a clear warning."""
    if use_cuda:
        if torch.cuda.is_available():
            return torch.device("cuda")
        warnings.warn(
            "use_cuda is set but no CUDA device is available (torch.cuda.is_available() is "
            "False); running on the CPU instead.",
            SeleneWarning,
            stacklevel=3,
        )
    return torch.device("cpu")


def place_model(model: nn.Module, use_cuda: bool = False, data_parallel: bool = False):
    """Move ``model`` to its device, wrapping it in ``DataParallel`` when that helps.

    Returns ``(model, device)``. ``data_parallel`` without at least two CUDA devices gives
    a warning and the unwrapped model.
    """
    device = resolve_device(use_cuda)
    if data_parallel:
        if device.type == "cuda" and torch.cuda.device_count() > 1:
            model = nn.DataParallel(model)
        else:
            warnings.warn(
                "data_parallel is set but fewer than two CUDA devices are in use; "
                "running without DataParallel.",
                SeleneWarning,
                stacklevel=2,
            )
    return model.to(device), device


def is_lua_model(model: nn.Module) -> bool:
    """Selene's "Lua-trained" test (a Conv2d layer): such models take ``(B, 4, 1, L)``."""
    return _is_lua_trained_model(model)


def to_model_input(
    sequences: np.ndarray | torch.Tensor, device: torch.device, lua: bool = False
) -> torch.Tensor:
    """``(B, L, 4)`` encodings -> float32 ``(B, 4, L)`` tensor on ``device`` (``(B, 4, 1, L)``
    for Lua-style models)."""
    x = torch.as_tensor(sequences, dtype=torch.float32)
    x = x.transpose(1, 2)
    if lua:
        x = x.unsqueeze(2)
    return x.contiguous().to(device, non_blocking=True)
