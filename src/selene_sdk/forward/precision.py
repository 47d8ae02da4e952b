"""Mixed precision and ``torch.compile`` for the forward path: ``precision: 32 | bf16 |
fp16`` and ``compile: True`` in ``train_model``, ``evaluate_model`` and
``analyze_sequences``.

Reduced precision is PyTorch's autocast around the model's forward pass only: parameters,
optimizer state, losses and every output file stay float32 (float64 in HDF5 as
documented). ``fp16`` training scales the loss with a gradient scaler (bf16 needs none).
"""

from __future__ import annotations

import contextlib

import torch

__all__ = ["PRECISIONS", "ModelCompileError", "autocast", "resolve_precision"]

#: Accepted spellings -> the autocast dtype (None: full float32).
PRECISIONS: dict[str, torch.dtype | None] = {
    "32": None,
    "fp32": None,
    "float32": None,
    "bf16": torch.bfloat16,
    "bfloat16": torch.bfloat16,
    "16": torch.float16,
    "fp16": torch.float16,
    "float16": torch.float16,
}


class ModelCompileError(Exception):
    """``compile: True`` and ``torch.compile`` could not compile the model.

    Not a ``RuntimeError``: the forward path's callers turn those into messages about the
    input shape, which this is not.
    """


def is_compile_failure(exc: BaseException) -> bool:
    """Whether an exception comes from ``torch.compile`` (dynamo or inductor)."""
    return type(exc).__module__.startswith(("torch._dynamo", "torch._inductor"))


def resolve_precision(precision: str | int | None) -> torch.dtype | None:
    """The autocast dtype of a ``precision`` setting (None or 32: float32 throughout)."""
    if precision is None:
        return None
    key = str(precision).strip().lower()
    if key not in PRECISIONS:
        raise ValueError(
            f"precision must be one of 32, bf16 or fp16 (also: {', '.join(PRECISIONS)}), "
            f"got {precision!r}"
        )
    return PRECISIONS[key]


def autocast(device: torch.device, dtype: torch.dtype | None):
    """``torch.autocast`` on ``device`` in ``dtype``; a no-op context for float32."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def describe(dtype: torch.dtype | None) -> str:
    return {None: "32", torch.bfloat16: "bf16", torch.float16: "fp16"}[dtype]
