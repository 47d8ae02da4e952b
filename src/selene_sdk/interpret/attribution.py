"""Attribution: how much each base of each input sequence drives a model's output.

``attribute(model, X, method=..., target=...)`` with captum as the engine: ``saliency``
(the gradient), ``input_x_gradient``, ``integrated_gradients`` and ``deeplift_shap``. The
references of the last two are dinucleotide-shuffled copies of each sequence by default
(seeded, :mod:`selene_sdk.interpret.shuffle`), zeros with ``baselines="zeros"``, or an
array given by the caller. Inputs and outputs are one-hot encodings ``(N, L, A)``: any
alphabet, any model the forward path runs (``NonStrandSpecific`` included); the caller's
model comes back in its own mode and on its own device.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from selene_sdk.forward import ForwardPath
from selene_sdk.interpret.shuffle import dinucleotide_shuffle

__all__ = ["METHODS", "attribute"]

METHODS = ("saliency", "input_x_gradient", "integrated_gradients", "deeplift_shap")


def _captum():
    try:
        import captum.attr
    except ImportError as exc:  # pragma: no cover - an extra of the package
        raise ImportError(
            "attribution needs captum: pip install 'selene_sdk[attribution]' (or captum)"
        ) from exc
    return captum.attr


class _Layout(nn.Module):
    """``(B, L, A)`` one-hot -> the model's ``(B, A, L)`` (and its Lua axis)."""

    def __init__(self, path: ForwardPath):
        super().__init__()
        self.path = path

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.path.model(self.path.model_input(x.transpose(1, 2)))
        return out.reshape(out.shape[0], -1)


def _targets(target: Any, features: Sequence[str] | None) -> list[int]:
    many = isinstance(target, list | tuple | np.ndarray)
    names = list(target) if many else [target]
    out = []
    for t in names:
        if isinstance(t, str):
            if features is None or t not in features:
                raise ValueError(f"target {t!r} is not one of the features {features}")
            out.append(list(features).index(t))
        else:
            out.append(int(t))
    return out


def _baselines(
    x: np.ndarray, baselines: Any, n_shuffles: int, seed: int, method: str
) -> np.ndarray | None:
    """``(N, K, L, A)`` references per sequence."""
    if baselines is None or (isinstance(baselines, str) and baselines == "shuffle"):
        k = n_shuffles if method == "deeplift_shap" or n_shuffles > 1 else 1
        return np.stack([dinucleotide_shuffle(s, k, seed + i) for i, s in enumerate(x)])
    if isinstance(baselines, str) and baselines == "zeros":
        return np.zeros((len(x), 1, *x.shape[1:]), np.float32)
    b = np.asarray(baselines, np.float32)
    if b.shape == x.shape[1:]:
        return np.broadcast_to(b, (len(x), 1, *b.shape)).copy()
    if b.shape == x.shape:
        return b[:, None]
    if b.ndim == 4 and b.shape[0] == len(x) and b.shape[2:] == x.shape[1:]:
        return b
    raise ValueError(
        f"baselines of shape {b.shape} do not fit inputs {x.shape}: give (L, A), (N, L, A) "
        "or (N, K, L, A), 'shuffle' or 'zeros'"
    )


def attribute(
    model: nn.Module,
    X: np.ndarray | torch.Tensor,
    *,
    method: str,
    target: int | str | Sequence[int | str],
    baselines: Any = None,
    n_steps: int = 50,
    n_shuffles: int = 20,
    batch_size: int = 64,
    device: str | torch.device | None = None,
    features: Sequence[str] | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Attributions of one-hot sequences ``X`` ``(N, L, A)`` for the model's output(s)
    ``target``.

    Parameters
    ----------
    model
        Takes ``(B, A, L)``, returns ``(B, F)``.
    X
        One-hot (or any numeric) encodings ``(N, L, A)``.
    method
        ``saliency`` (gradient), ``input_x_gradient``, ``integrated_gradients`` or
        ``deeplift_shap``.
    target
        An output index, a feature name (with ``features``), or a list of them.
    baselines
        References of ``integrated_gradients`` and ``deeplift_shap``: None or
        ``"shuffle"`` (dinucleotide shuffles of each sequence: one for integrated
        gradients unless ``n_shuffles > 1`` is asked for explicitly, ``n_shuffles`` for
        DeepLIFT/SHAP), ``"zeros"``, or an array ``(L, A)``, ``(N, L, A)`` or
        ``(N, K, L, A)``. With several references per sequence the attributions are
        averaged over them.
    n_steps
        Integration steps of integrated gradients.
    batch_size
        Sequences per pass.
    device
        Where to run (default: where the model is).
    seed
        Seed of the shuffles (sequence ``i`` uses ``seed + i``).

    Returns
    -------
    numpy.ndarray
        float32 ``(N, L, A)`` for one target, ``(N, T, L, A)`` for ``T`` targets.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    attr = _captum()
    x = X.detach().cpu().numpy() if isinstance(X, torch.Tensor) else np.asarray(X)
    x = np.asarray(x, np.float32)
    if x.ndim != 3:
        raise ValueError(f"X must be (N, L, A) encodings, got shape {x.shape}")
    targets = _targets(target, features)
    single = not isinstance(target, list | tuple | np.ndarray)
    path = ForwardPath(model, device)
    refs = None
    if method in ("integrated_gradients", "deeplift_shap"):
        refs = _baselines(x, baselines, n_shuffles, seed, method)
    out = np.zeros((len(x), len(targets), *x.shape[1:]), np.float32)
    # captum announces its (temporary) hooks on every DeepLIFT call: not the user's concern
    with path.inference(), warnings.catch_warnings():
        wrapped = _Layout(path)
        engine = {
            "saliency": lambda: attr.Saliency(wrapped),
            "input_x_gradient": lambda: attr.InputXGradient(wrapped),
            "integrated_gradients": lambda: attr.IntegratedGradients(wrapped),
            "deeplift_shap": lambda: attr.DeepLiftShap(wrapped),
        }[method]()
        for lo in range(0, len(x), batch_size):
            batch = torch.as_tensor(x[lo : lo + batch_size], device=path.device)
            for t_i, t in enumerate(targets):
                out[lo : lo + len(batch), t_i] = _one_batch(
                    engine, method, batch, t, None if refs is None else refs[lo : lo + len(batch)],
                    n_steps, path.device,
                )  # fmt: skip
    return out[:, 0] if single else out


def _one_batch(engine, method, batch, target, refs, n_steps, device) -> np.ndarray:
    batch = batch.clone().requires_grad_(True)
    if method == "saliency":
        got = engine.attribute(batch, target=target, abs=False)
    elif method == "input_x_gradient":
        got = engine.attribute(batch, target=target)
    elif method == "deeplift_shap":
        # captum's DeepLiftShap takes one baseline distribution for the whole batch: one
        # sequence at a time, each against its own references
        parts = []
        warnings.filterwarnings("ignore", message="Setting forward, backward hooks")
        for i in range(len(batch)):
            ref = torch.as_tensor(refs[i], device=device)
            parts.append(engine.attribute(batch[i : i + 1], baselines=ref, target=target))
        got = torch.cat(parts)
    else:  # integrated gradients, averaged over the references
        total = torch.zeros_like(batch)
        for k in range(refs.shape[1]):
            ref = torch.as_tensor(refs[:, k], device=device)
            total += engine.attribute(
                batch, baselines=ref, target=target, n_steps=n_steps, method="gausslegendre"
            )
        got = total / refs.shape[1]
    return got.detach().float().cpu().numpy()
