"""Safe checkpoint reading and state-dict loading that matches wrapper prefixes by name.

Checkpoints are read with ``torch.load(weights_only=True)``: arbitrary pickled objects are
never executed. The numpy scalar types that the original Selene stored (``min_loss``) are
allow-listed so its checkpoints still load.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from selene_sdk.errors import require_file

__all__ = [
    "StateDictMismatchError",
    "load_checkpoint",
    "load_model_from_state_dict",
    "load_trained_weights",
    "match_state_dict",
    "shape_mismatches",
    "strip_wrapper_prefixes",
]

#: Prefixes added by wrappers: ``torch.nn.DataParallel`` / DDP (``module.``),
#: ``NonStrandSpecific`` (``model.``) and ``torch.compile`` (``_orig_mod.``).
WRAPPER_PREFIXES: tuple[str, ...] = ("module.", "model.", "_orig_mod.")


class StateDictMismatchError(RuntimeError):
    """Weights and model do not match; the message lists missing and unexpected keys."""


def _numpy_safe_globals() -> list[Any]:
    """numpy objects that Selene 0.6.0 checkpoints contain (``min_loss`` is a numpy scalar)."""
    allowed: list[Any] = [np.dtype, np.ndarray]
    core = getattr(np, "_core", None) or np.core
    multiarray = core.multiarray
    for name in ("scalar", "_reconstruct"):
        obj = getattr(multiarray, name, None)
        if obj is not None:
            allowed.append(obj)
    for name in ("Float64DType", "Float32DType", "Int64DType", "Int32DType", "BoolDType"):
        obj = getattr(np.dtypes, name, None)
        if obj is not None:
            allowed.append(obj)
    return allowed


def _plain(value: Any) -> Any:
    """numpy scalars -> Python numbers (recursively), so checkpoints stay weights_only-safe."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def load_checkpoint(path: str | os.PathLike, map_location: Any = "cpu") -> dict[str, Any]:
    """Read a checkpoint or weights file safely.

    Returns the stored object with numpy scalars converted to Python numbers. Raises a
    clear error (naming the file) when the file is missing, truncated or holds
    objects that are not plain data.
    """
    path = require_file(path, "model weights file")
    try:
        with torch.serialization.safe_globals(_numpy_safe_globals()):
            obj = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # torch raises many types here; re-raise one clear message
        raise ValueError(_refusal(path, exc)) from exc
    return _plain(obj) if isinstance(obj, dict) else obj


def _refusal(path: str, exc: Exception) -> str:
    """Why a checkpoint was not loaded, in our words: torch's message advises loading
    with ``weights_only=False``, which would run whatever code the file names."""
    text = str(exc)
    found = re.search(r"GLOBAL ([\w.]+)", text)
    if found is None:
        detail = re.search(r"WeightsUnpickler error:\s*(\S[^\n]*)", text)
        first = detail.group(1) if detail else (text.strip().splitlines() or [""])[0]
        if "Weights only load failed" in first:
            first = "not a pickle torch can read"
        return (
            f"{path}: cannot be read as a PyTorch checkpoint ({type(exc).__name__}: {first}); "
            "is the file complete, and was it written by torch.save?"
        )
    what = f"the Python object {found.group(1)}"
    return (
        f"{path}: refused: the checkpoint refers to {what}, which loading would import and "
        "call (a pickled object can run any code this way). Checkpoints are read with "
        "torch.load(weights_only=True): tensors, numbers, strings and containers only. If "
        "you wrote this file and it holds a whole pickled model or custom objects, save "
        "the weights instead: torch.save({'state_dict': model.state_dict()}, path)"
    )


def strip_wrapper_prefixes(key: str) -> str:
    """``"module.model.conv.weight"`` -> ``"conv.weight"``: drop leading wrapper prefixes."""
    changed = True
    while changed:
        changed = False
        for prefix in WRAPPER_PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix) :]
                changed = True
    return key


def _translate_keys(
    source: Mapping[str, Any], target_keys: list[str]
) -> tuple[dict[str, Any], list[str], list[str]]:
    """Map source keys onto target keys by their prefix-free names."""
    by_core: dict[str, str] = {}
    for key in target_keys:
        by_core.setdefault(strip_wrapper_prefixes(key), key)
    out: dict[str, Any] = {}
    unexpected: list[str] = []
    for key, value in source.items():
        target = key if key in target_keys else by_core.get(strip_wrapper_prefixes(key))
        if target is None:
            unexpected.append(key)
        else:
            out[target] = value
    missing = [k for k in target_keys if k not in out]
    return out, missing, unexpected


def match_state_dict(
    state_dict: Mapping[str, Any], model: torch.nn.Module
) -> tuple[dict[str, Any], list[str], list[str]]:
    """``(weights under the model's own key names, missing keys, unexpected keys)``.

    ``state_dict`` may be a checkpoint dict holding the weights under ``"state_dict"``;
    wrapper prefixes are matched by name as in :func:`load_model_from_state_dict`.
    """
    if "state_dict" in state_dict and isinstance(state_dict["state_dict"], Mapping):
        state_dict = state_dict["state_dict"]
    return _translate_keys(state_dict, list(model.state_dict().keys()))


def load_model_from_state_dict(
    state_dict: Mapping[str, Any], model: torch.nn.Module, strict: bool = True
) -> torch.nn.Module:
    """Load weights into ``model``, matching wrapper prefixes by name.

    Parameters
    ----------
    state_dict
        A state dict, or a checkpoint dict holding one under ``"state_dict"``. Keys may
        carry wrapper prefixes (``module.``, ``model.``) that ``model`` lacks, or lack ones
        it has: keys are matched by their names without those prefixes, never by position.
    model
        The model to load into (modified in place and returned).
    strict
        If True (default), missing or unexpected keys raise :class:`StateDictMismatchError`
        listing them. If False they are allowed but still reported as a warning.
    """
    translated, missing, unexpected = match_state_dict(state_dict, model)
    if missing or unexpected:
        message = _mismatch_message(model, missing, unexpected)
        if strict:
            raise StateDictMismatchError(message)
        import warnings

        from selene_sdk.errors import SeleneWarning

        warnings.warn(message, SeleneWarning, stacklevel=2)
    wrong = shape_mismatches(translated, model)
    if wrong:
        raise StateDictMismatchError(_shape_message(model, wrong))
    try:
        model.load_state_dict(translated, strict=strict)
    except RuntimeError as exc:  # anything else torch refuses
        raise StateDictMismatchError(f"weights do not fit {type(model).__name__}: {exc}") from exc
    return model


def shape_mismatches(
    state_dict: Mapping[str, Any], model: torch.nn.Module
) -> list[tuple[str, tuple[int, ...], tuple[int, ...]]]:
    """``(key, checkpoint shape, model shape)`` of every tensor whose shape differs.

    ``state_dict`` holds the model's own key names (after :func:`_translate_keys`);
    keys the model lacks are ignored here.
    """
    own = model.state_dict()
    out = []
    for key, value in state_dict.items():
        if key in own and hasattr(value, "shape") and tuple(value.shape) != tuple(own[key].shape):
            out.append((key, tuple(value.shape), tuple(own[key].shape)))
    return out


def _shape_message(
    model: torch.nn.Module, wrong: list[tuple[str, tuple[int, ...], tuple[int, ...]]]
) -> str:
    """The mismatches in words: what a linear layer's input or a first layer's channels
    say about how the checkpoint was trained."""
    modules = dict(model.named_modules())
    hints = []
    for key, saved, own in wrong:
        name, _, leaf = key.rpartition(".")
        layer = modules.get(name)
        if leaf == "weight" and isinstance(layer, torch.nn.Linear) and saved[1:] != own[1:]:
            hints.append(
                f"{name} takes {saved[1]} inputs in the checkpoint but {own[1]} in this model: "
                "the checkpoint was trained for another input length (or alphabet)"
            )
        elif leaf == "weight" and isinstance(layer, torch.nn.Linear):
            hints.append(
                f"{name} has {saved[0]} outputs in the checkpoint but {own[0]} in this model"
                " (a different number of features?)"
            )
        elif (
            leaf == "weight"
            and isinstance(layer, torch.nn.modules.conv._ConvNd)
            and saved[1] != own[1]
        ):
            hints.append(
                f"{name} takes {saved[1]} input channels in the checkpoint but {own[1]} in "
                "this model (a different alphabet or layer sizes)"
            )
    shown = ", ".join(f"{k} {list(a)} vs {list(b)}" for k, a, b in wrong[:6])
    more = f", ... ({len(wrong)} in all)" if len(wrong) > 6 else ""
    text = (
        f"the weights do not fit {type(model).__name__}: tensor shapes differ "
        f"(checkpoint vs model): {shown}{more}"
    )
    if hints:
        text += ". " + "; ".join(dict.fromkeys(hints))
    return text + " (check the model's class_args and sequence_length against the training run)"


def _mismatch_message(model: torch.nn.Module, missing: list[str], unexpected: list[str]) -> str:
    def show(keys: list[str]) -> str:
        head = ", ".join(keys[:8])
        return head + (f", ... ({len(keys)} in all)" if len(keys) > 8 else "")

    parts = [f"the weights do not match {type(model).__name__}:"]
    if missing:
        parts.append(f"missing keys: {show(missing)}")
    if unexpected:
        parts.append(f"unexpected keys: {show(unexpected)}")
    parts.append("(check the model class and its class_args against the training run)")
    return " ".join(parts)


def load_trained_weights(
    model: torch.nn.Module,
    trained_model_path: str | os.PathLike | Sequence[str | os.PathLike] | None,
) -> torch.nn.Module:
    """Load weights into ``model``: one file, or one file per sub-model of a
    :class:`~selene_sdk.models.MultiModelWrapper` (a list). ``None`` keeps the weights."""
    if trained_model_path is None:
        return model
    if isinstance(trained_model_path, str | os.PathLike):
        load_model_from_state_dict(load_checkpoint(trained_model_path), model)
        return model
    if isinstance(trained_model_path, list | tuple):
        subs = getattr(model, "sub_models", None)
        if subs is None:
            raise ValueError(
                "trained_model_path is a list, which needs a MultiModelWrapper model "
                f"(one weights file per sub-model); got {type(model).__name__}"
            )
        if len(subs) != len(trained_model_path):
            raise ValueError(
                f"trained_model_path lists {len(trained_model_path)} files for "
                f"{len(subs)} sub-models"
            )
        for sub, path in zip(subs, trained_model_path):
            load_model_from_state_dict(load_checkpoint(path), sub)
        return model
    raise ValueError(
        "trained_model_path must be a path or a list of paths, got "
        f"{type(trained_model_path).__name__}"
    )
