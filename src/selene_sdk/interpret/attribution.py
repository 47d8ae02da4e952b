"""Attribution: how much each base of each input sequence drives a model's output.

``attribute(model, X, method=..., target=...)`` with captum as the engine: ``saliency``
(the gradient), ``input_x_gradient``, ``integrated_gradients`` and ``deeplift_shap``. The
references of the last two are dinucleotide-shuffled copies of each sequence by default
(seeded, :mod:`selene_sdk.interpret.shuffle`), zeros with ``baselines="zeros"``, or an
array given by the caller. Inputs and outputs are one-hot encodings ``(N, L, A)``: any
alphabet, any model the forward path runs (``NonStrandSpecific`` included); the caller's
model comes back in its own mode and on its own device.

:func:`attribute_with_hypothetical` also returns the *hypothetical* contributions that
motif discovery (TF-MoDISco) reads: the contribution every letter would have at every
position. Both come from the same multipliers (gradients), computed once:

* ``saliency``, ``input_x_gradient``: the gradient ``g``; attributions ``g`` and ``g * x``;
  hypothetical ``g - mean(g)`` over the letters of each position (each letter against a
  uniform background, as is customary for gradients).
* ``integrated_gradients``, ``deeplift_shap``: per reference ``r_k`` the multipliers
  ``m_k`` (integrated gradients, DeepLIFT multipliers); attributions ``mean_k m_k * (x -
  r_k)``; hypothetical ``mean_k (m_k - sum_letters(m_k * r_k))``, the contribution of each
  letter in place of the actual one, with the multipliers of the actual sequence (the usual
  approximation). For a one-hot ``x``, ``sum_letters(hypothetical * x)`` equals
  ``sum_letters(attributions)`` at every position.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from selene_sdk.forward import ForwardPath
from selene_sdk.interpret.shuffle import dinucleotide_shuffle

__all__ = [
    "METHODS",
    "REFERENCE_METHODS",
    "attribute",
    "attribute_with_hypothetical",
    "attributor",
    "resolve_targets",
]

METHODS = ("saliency", "input_x_gradient", "integrated_gradients", "deeplift_shap")
#: The methods that compare each sequence with references (``baselines``).
REFERENCE_METHODS = ("integrated_gradients", "deeplift_shap")
#: Runs ``(x (n, L, A), targets, seed) -> (attributions, hypothetical)``, each
#: ``(n, T, L, A)`` float32.
Runner = Callable[[np.ndarray, Sequence[int], int], tuple[np.ndarray, np.ndarray]]


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
        # a registered submodule: DeepLIFT finds the model's non-linear layers through it
        # (behind a plain attribute it would silently fall back to gradients)
        self.model = path.model
        self._input = path.model_input

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.model(self._input(x.transpose(1, 2)))
        return out.reshape(out.shape[0], -1)


def resolve_targets(target: Any, features: Sequence[str] | None) -> list[int]:
    """Output indices of ``target``: an index, a feature name (with ``features``) or a
    list of them."""
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


def _shuffles(method: str, n_shuffles: int | None) -> int:
    if n_shuffles is None:
        return 20 if method == "deeplift_shap" else 1
    if isinstance(n_shuffles, bool) or not isinstance(n_shuffles, int) or n_shuffles < 1:
        raise ValueError(f"n_shuffles must be a positive integer, got {n_shuffles!r}")
    return n_shuffles


def _baselines(x: np.ndarray, lo: int, baselines: Any, k: int, seed: int) -> np.ndarray:
    """``(n, K, L, A)`` references of ``x``, the sequences ``lo .. lo + n - 1`` of the
    caller's input."""
    if baselines is None or (isinstance(baselines, str) and baselines == "shuffle"):
        return np.stack([dinucleotide_shuffle(s, k, seed + lo + i) for i, s in enumerate(x)])
    if isinstance(baselines, str) and baselines == "zeros":
        return np.zeros((len(x), 1, *x.shape[1:]), np.float32)
    if isinstance(baselines, str):
        raise ValueError(f"baselines must be 'shuffle', 'zeros' or an array, got {baselines!r}")
    b = np.asarray(baselines, np.float32)
    if b.shape == x.shape[1:]:
        return np.broadcast_to(b, (len(x), 1, *b.shape))
    part = b[lo : lo + len(x)]
    if b.ndim == 3 and part.shape == x.shape:
        return part[:, None]
    if b.ndim == 4 and part.shape[0] == len(x) and part.shape[2:] == x.shape[1:]:
        return part
    raise ValueError(
        f"baselines of shape {b.shape} do not fit inputs of shape (N, {x.shape[1]}, "
        f"{x.shape[2]}): give (L, A), (N, L, A) or (N, K, L, A), 'shuffle' or 'zeros'"
    )


class _Engines:
    """The captum engines of one method over the wrapped model, and the multipliers of a
    batch for one output."""

    def __init__(self, wrapped: nn.Module, method: str, n_steps: int, rows: int):
        attr = _captum()
        self.method = method
        self.n_steps = n_steps
        self.rows = rows  # model inputs per pass (DeepLIFT: sequences x references)
        if method in ("saliency", "input_x_gradient"):
            self.engine = attr.Saliency(wrapped)
        elif method == "integrated_gradients":
            self.engine = attr.IntegratedGradients(wrapped, multiply_by_inputs=False)
        else:
            self.engine = attr.DeepLift(wrapped, multiply_by_inputs=False)

    def multipliers(self, batch: torch.Tensor, refs: torch.Tensor | None, target: int):
        """``(B, K, L, A)`` gradients / multipliers (K = 1 without references)."""
        if refs is None:
            grad = self.engine.attribute(
                batch.clone().requires_grad_(True), target=target, abs=False
            )
            return grad[:, None]
        b, k = refs.shape[:2]
        if self.method == "integrated_gradients":
            parts = [
                self.engine.attribute(
                    batch.clone().requires_grad_(True), baselines=refs[:, j].contiguous(),
                    target=target, n_steps=self.n_steps, method="gausslegendre",
                )
                for j in range(k)
            ]  # fmt: skip
            return torch.stack(parts, dim=1)
        # DeepLIFT against every reference at once: each sequence repeated K times,
        # paired with its own references (what DeepLiftShap does for one baseline set)
        inputs = batch.repeat_interleave(k, dim=0)
        flat = refs.reshape(b * k, *refs.shape[2:])
        step = max(k, self.rows - self.rows % k)
        parts = [
            self.engine.attribute(
                inputs[lo : lo + step].clone().requires_grad_(True),
                baselines=flat[lo : lo + step], target=target,
            )
            for lo in range(0, b * k, step)
        ]  # fmt: skip
        return torch.cat(parts).reshape(refs.shape)


def _combine(
    method: str, x: np.ndarray, m: np.ndarray, refs: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Attributions and hypothetical contributions ``(B, L, A)`` from multipliers ``m``
    ``(B, K, L, A)`` (see the module's documentation)."""
    if refs is None:
        grad = m[:, 0]
        attributions = grad * x if method == "input_x_gradient" else grad
        return attributions, grad - grad.mean(axis=-1, keepdims=True)
    attributions = (m * (x[:, None] - refs)).mean(axis=1)
    hypothetical = (m - (m * refs).sum(axis=-1, keepdims=True)).mean(axis=1)
    return attributions, hypothetical


@contextlib.contextmanager
def attributor(
    model: nn.Module,
    method: str,
    *,
    baselines: Any = None,
    n_steps: int = 50,
    n_shuffles: int | None = None,
    batch_size: int = 64,
    device: str | torch.device | None = None,
) -> Iterator[Runner]:
    """The model in evaluation mode on ``device`` for the block, and a function
    ``run(x, targets, seed) -> (attributions, hypothetical)`` that attributes batches of
    one-hot sequences ``x`` ``(n, L, A)`` for the output indices ``targets``, each result
    ``(n, T, L, A)`` float32. ``seed`` is the seed of the first sequence of ``x`` (its
    ``i``-th sequence is shuffled with ``seed + i``); array ``baselines`` are indexed
    like ``x``'s first call, so give them with a whole input. See :func:`attribute` for
    the other parameters."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    k = _shuffles(method, n_shuffles)
    path = ForwardPath(model, device)
    # captum announces its (temporary) hooks on every DeepLIFT call: not the user's concern
    with path.inference(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Setting forward, backward hooks")
        # DeepLIFT's max-pooling rule unpools; torch flags that under deterministic mode,
        # though the indices of one pooling never collide
        warnings.filterwarnings("ignore", message="max_unpooling")
        engines = _Engines(_Layout(path), method, n_steps, batch_size)

        def run(x: np.ndarray, targets: Sequence[int], seed: int) -> tuple[np.ndarray, ...]:
            x = np.asarray(x, np.float32)
            if x.ndim != 3:
                raise ValueError(f"X must be (N, L, A) encodings, got shape {x.shape}")
            shape = (len(x), len(targets), *x.shape[1:])
            attributions = np.zeros(shape, np.float32)
            hypothetical = np.zeros(shape, np.float32)
            for lo in range(0, len(x), batch_size):
                part = x[lo : lo + batch_size]
                refs = None
                if method in REFERENCE_METHODS:
                    refs = np.ascontiguousarray(
                        _baselines(part, lo, baselines, k, seed), np.float32
                    )
                batch = torch.as_tensor(part, device=path.device)
                on_device = None if refs is None else torch.as_tensor(refs, device=path.device)
                for t_i, t in enumerate(targets):
                    m = engines.multipliers(batch, on_device, t).detach().float().cpu().numpy()
                    a, h = _combine(method, part, m, refs)
                    attributions[lo : lo + len(part), t_i] = a
                    hypothetical[lo : lo + len(part), t_i] = h
            return attributions, hypothetical

        yield run


def attribute_with_hypothetical(
    model: nn.Module,
    X: np.ndarray | torch.Tensor,
    *,
    method: str,
    target: int | str | Sequence[int | str],
    baselines: Any = None,
    n_steps: int = 50,
    n_shuffles: int | None = None,
    batch_size: int = 64,
    device: str | torch.device | None = None,
    features: Sequence[str] | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`attribute`'s attributions and the hypothetical contributions of every letter
    (see the module's documentation), both of :func:`attribute`'s shape."""
    x = X.detach().cpu().numpy() if isinstance(X, torch.Tensor) else np.asarray(X)
    x = np.asarray(x, np.float32)
    if x.ndim != 3:
        raise ValueError(f"X must be (N, L, A) encodings, got shape {x.shape}")
    targets = resolve_targets(target, features)
    settings = dict(baselines=baselines, n_steps=n_steps, n_shuffles=n_shuffles)
    with attributor(model, method, batch_size=batch_size, device=device, **settings) as run:
        attributions, hypothetical = run(x, targets, seed)
    if not isinstance(target, list | tuple | np.ndarray):
        return attributions[:, 0], hypothetical[:, 0]
    return attributions, hypothetical


def attribute(
    model: nn.Module,
    X: np.ndarray | torch.Tensor,
    *,
    method: str,
    target: int | str | Sequence[int | str],
    baselines: Any = None,
    n_steps: int = 50,
    n_shuffles: int | None = None,
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
        ``"shuffle"`` (dinucleotide shuffles of each sequence), ``"zeros"``, or an array
        ``(L, A)``, ``(N, L, A)`` or ``(N, K, L, A)``. With several references per
        sequence the attributions are averaged over them.
    n_steps
        Integration steps of integrated gradients.
    n_shuffles
        Shuffles per sequence (default: 1 for integrated gradients, 20 for DeepLIFT/SHAP).
    batch_size
        Sequences per pass (DeepLIFT/SHAP: sequences x references per pass, at least one
        sequence's references).
    device
        Where to run (default: where the model is).
    seed
        Seed of the shuffles (sequence ``i`` uses ``seed + i``).

    Returns
    -------
    numpy.ndarray
        float32 ``(N, L, A)`` for one target, ``(N, T, L, A)`` for ``T`` targets.
    """
    return attribute_with_hypothetical(
        model, X, method=method, target=target, baselines=baselines, n_steps=n_steps,
        n_shuffles=n_shuffles, batch_size=batch_size, device=device, features=features,
        seed=seed,
    )[0]  # fmt: skip
