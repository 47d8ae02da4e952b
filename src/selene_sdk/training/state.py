"""Checkpoint files: Selene's keys plus everything an exact resume needs.

A checkpoint is a dict with the original's keys -- ``step``, ``arch``, ``state_dict``,
``min_loss`` (a plain float) and ``optimizer`` -- so the original Selene can read ours, and
one extra key, ``selene_sdk``, holding the scheduler state, random-number-generator states,
the running training-loss sum and the report history. Everything is plain data (tensors,
numbers, strings, lists, dicts) so it loads with ``torch.load(weights_only=True)``.

``step`` is the number of completed steps, i.e. the index of the next step to run.
"""

from __future__ import annotations

import os
import random
from typing import Any

import numpy as np
import torch

from selene_sdk._version import __version__
from selene_sdk.io.atomic import atomic_path

__all__ = ["FORMAT", "capture_rng_state", "restore_rng_state", "save_checkpoint"]

FORMAT = 1


def capture_rng_state() -> dict[str, Any]:
    """States of torch (CPU and CUDA), numpy's global and Python's ``random`` generators."""
    np_state = np.random.get_state()  # noqa: NPY002 - user code may use the global RNG
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), *np_state[2:]],
        "python": _python_state_to_plain(random.getstate()),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict[str, Any]) -> None:
    """Inverse of :func:`capture_rng_state`."""
    torch.set_rng_state(state["torch"])
    name, keys, pos, has_gauss, gauss = state["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), pos, has_gauss, gauss))  # noqa: NPY002
    version, internal, gauss_next = state["python"]
    random.setstate((version, tuple(internal), gauss_next))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _python_state_to_plain(state: tuple) -> list:
    version, internal, gauss_next = state
    return [version, list(internal), gauss_next]


def save_checkpoint(path: str | os.PathLike, checkpoint: dict[str, Any]) -> None:
    """Write ``checkpoint`` atomically (a kill mid-write leaves the previous file)."""
    checkpoint = dict(checkpoint)
    extra = dict(checkpoint.get("selene_sdk", {}))
    extra.setdefault("format", FORMAT)
    extra.setdefault("version", __version__)
    checkpoint["selene_sdk"] = extra
    with atomic_path(path, suffix=".pth.tar") as tmp:
        torch.save(checkpoint, tmp)
