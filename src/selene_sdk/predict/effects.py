"""Variant effects: predictions for paired reference and alternative sequences and their
scores. The array API and the core of VCF scoring.

The core is :func:`run_variant_effects`: each work item declares its batches as pairs of
steps, the reference input then the alternative one, and receives the ``(k, F)``
reference and alternative predictions. :func:`variant_effects` gives it arrays; a VCF gives
it windows read from the genome, the alternative made by patching the alleles into the
reference input in place (:func:`window_steps`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

from selene_sdk.forward import Dense, Encode, Engine, Patch, flat_cells
from selene_sdk.predict.arrays import as_encodings, engine_for
from selene_sdk.predict.scores import SCORES
from selene_sdk.predict.variant_windows import VariantCodes

__all__ = [
    "VariantEffects",
    "VariantGroup",
    "run_variant_effects",
    "variant_effects",
    "window_steps",
]


@dataclass
class VariantGroup:
    """Variants scored together: ``steps`` alternate each batch's reference and alternative
    inputs (none for a group that carries only rejected records); ``payload`` is for the
    consumer."""

    steps: list[Any] = field(default_factory=list)
    payload: Any = None


def _stack(blocks: list[np.ndarray]) -> np.ndarray:
    return blocks[0] if len(blocks) == 1 else np.concatenate(blocks)


def run_variant_effects(
    engine: Engine,
    groups: Iterable[VariantGroup],
    consume: Callable[[VariantGroup, np.ndarray | None, np.ndarray | None], None],
    background: bool | None = None,
) -> None:
    """Predict every group and call ``consume(group, ref, alt)`` in input order, with the
    ``(k, F)`` float32 predictions of its reference and alternative sequences (None for a
    group without steps)."""

    def each(group: VariantGroup, preds: list[np.ndarray]) -> None:
        if preds:
            consume(group, _stack(preds[0::2]), _stack(preds[1::2]))
        else:
            consume(group, None, None)

    engine.run(groups, each, background=background)


def window_steps(engine: Engine, codes: VariantCodes) -> list[Any]:
    """The steps of a group of variant windows, batch by batch: the reference windows
    one-hot encoded from their column indices, then the alternative windows made from them
    in place (only the cells where an allele differs change; see
    :class:`~selene_sdk.predict.variant_windows.VariantCodes`)."""
    alphabet = engine.alphabet
    ref_index = codes.ref_index
    # None: each batch checks its own rows for unknown letters (N in the genome or REF)
    unknown = None if ref_index.max(initial=0) == 255 else False
    rows, cols = codes.changed
    if len(rows) > 1 and (np.diff(rows) < 0).any():
        order = np.argsort(rows, kind="stable")
        rows, cols = rows[order], cols[order]
    n, length = codes.ref.shape
    size = alphabet.size
    # flat position of every channel of every changed cell, for a buffer whose first row
    # is row 0 of the group (batches subtract their offset)
    flat = flat_cells(rows, cols, size, length)
    values = alphabet.onehot_table[codes.alt[rows, cols]]
    row_size = size * length
    steps: list[Any] = []
    for lo in range(0, n, engine.batch_size):
        hi = min(lo + engine.batch_size, n)
        a, b = np.searchsorted(rows, [lo, hi])
        ref = Encode(ref_index[lo:hi], unknown)
        alt = Patch(ref, flat[a:b] - lo * row_size, values[a:b], Encode(codes=codes.alt[lo:hi]))
        steps += (ref, alt)
    return steps


class VariantEffects(NamedTuple):
    """Predictions for paired sequences and their scores (:func:`variant_effects`).

    Attributes
    ----------
    ref, alt
        ``(N, F)`` float32 predictions of the reference and alternative sequences.
    scores
        Score name -> ``(N, F)`` float32 (``diffs = alt - ref``, ``abs_diffs = |ref -
        alt|``, ``logits = logit(alt) - logit(ref)``; see :mod:`selene_sdk.predict.scores`).
    """

    ref: np.ndarray
    alt: np.ndarray
    scores: dict[str, np.ndarray]


def _score_names(scores: Sequence[str] | str) -> list[str]:
    names = [scores] if isinstance(scores, str) else list(scores)
    bad = [s for s in names if s not in SCORES or s == "predictions"]
    if bad:
        raise ValueError(
            f"scores: unknown {bad}; choose from abs_diffs, diffs, logits (the predictions "
            "themselves are always returned, as .ref and .alt)"
        )
    return names


def variant_effects(
    model: nn.Module,
    ref: np.ndarray | torch.Tensor,
    alt: np.ndarray | torch.Tensor,
    *,
    scores: Sequence[str] = ("diffs",),
    batch_size: int = 64,
    device: str | torch.device | None = None,
) -> VariantEffects:
    """Predictions and effect scores for pairs of reference and alternative sequences.

    Parameters
    ----------
    model
        The model (run in evaluation mode, handed back as it was; see
        :func:`~selene_sdk.predict.predict`).
    ref, alt
        ``(N, L, A)`` encodings (numpy or torch) of the same shape: ``alt[i]`` is the
        variant of ``ref[i]``.
    scores
        Any of ``diffs``, ``abs_diffs``, ``logits``.
    batch_size, device
        Pairs per forward pass (each pass predicts ``batch_size`` references, then their
        alternatives); where to run (None: the model's device).

    Returns
    -------
    VariantEffects
        ``ref`` and ``alt`` predictions ``(N, F)`` and the requested scores.

    Examples
    --------
    >>> import torch
    >>> from selene_sdk.sequences.encoding import encode_many
    >>> class CountG(torch.nn.Module):  # columns A, C, G, T
    ...     def forward(self, x):
    ...         return x[:, 2].sum(dim=1, keepdim=True)
    >>> ref, alt = encode_many(["AGA", "GGG"]), encode_many(["AAA", "GTG"])
    >>> effects = variant_effects(CountG(), ref, alt, scores=["diffs", "abs_diffs"])
    >>> effects.ref[:, 0], effects.alt[:, 0]
    (array([1., 3.], dtype=float32), array([0., 2.], dtype=float32))
    >>> effects.scores["diffs"][:, 0]
    array([-1., -1.], dtype=float32)
    """
    names = _score_names(scores)
    ref, alt = as_encodings(ref, "ref"), as_encodings(alt, "alt")
    if ref.shape != alt.shape:
        raise ValueError(f"ref and alt must have the same shape; got {ref.shape} and {alt.shape}")
    n, length, width = ref.shape
    engine = engine_for(model, width, batch_size, device)
    if n == 0:
        with engine.path.inference():
            f = engine.path.predict(np.zeros((1, length, width), np.float32)).shape[1]
        empty = np.zeros((0, f), dtype=np.float32)
        return VariantEffects(empty, empty, {name: empty for name in names})
    b = engine.batch_size
    groups = (VariantGroup([Dense(ref[i : i + b]), Dense(alt[i : i + b])]) for i in range(0, n, b))
    refs: list[np.ndarray] = []
    alts: list[np.ndarray] = []

    def consume(_: VariantGroup, r: np.ndarray, a: np.ndarray) -> None:
        refs.append(r)
        alts.append(a)

    run_variant_effects(engine, groups, consume)
    r, a = _stack(refs), _stack(alts)
    return VariantEffects(r, a, {name: SCORES[name](r, a) for name in names})
