"""Predictions for batches of sequences: the array API and the core the file shell uses.

The core is :func:`run_predictions`: work items declare each batch as a step of the engine
(:mod:`selene_sdk.forward.steps`) and receive its ``(B, F)`` predictions. :func:`predict`
feeds it arrays; FASTA and BED files feed it encoded reads
(:mod:`selene_sdk.predict.files.predictions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from selene_sdk.forward import Dense, Engine
from selene_sdk.predict.arrays import as_encodings, engine_for

__all__ = ["PredictionBatch", "predict", "run_predictions"]


@dataclass
class PredictionBatch:
    """One forward pass's worth of sequences (``steps``: one step, or none for a batch that
    carries only rejected lines) and whatever the consumer needs with it (``payload``)."""

    steps: list[Any]
    payload: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def run_predictions(
    engine: Engine,
    batches: Iterable[PredictionBatch],
    consume: Callable[[PredictionBatch, np.ndarray | None], None],
    background: bool | None = None,
) -> None:
    """Predict every batch and call ``consume(batch, predictions)`` in input order
    (``predictions``: ``(B, F)`` float32, None for a batch without steps)."""

    def each(batch: PredictionBatch, preds: list[np.ndarray]) -> None:
        consume(batch, preds[0] if preds else None)

    engine.run(batches, each, background=background)


def predict(
    model: nn.Module,
    X: np.ndarray | torch.Tensor,
    *,
    batch_size: int = 64,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Predictions of ``model`` for one-hot encoded sequences.

    Parameters
    ----------
    model
        A model taking ``(B, A, L)`` inputs (``(B, A, 1, L)`` for models with a ``Conv2d``
        layer, Selene's Lua layout) and returning ``(B, F)``. It is run in evaluation mode
        and handed back in its own modes, on its own device.
    X
        ``(N, L, A)`` encodings, numpy or torch: the layout of
        :meth:`~selene_sdk.sequences.Genome.get_encoding_from_coords` and the samplers,
        for any alphabet (4 DNA columns, 20 amino acids, ...).
    batch_size
        Sequences per forward pass.
    device
        Where to run (e.g. ``"cuda"``); None: the model's device.

    Returns
    -------
    numpy.ndarray
        ``(N, F)`` float32 predictions, row ``i`` for ``X[i]``.

    Examples
    --------
    >>> import torch
    >>> from selene_sdk.sequences.encoding import encode_many
    >>> class GcContent(torch.nn.Module):  # columns A, C, G, T
    ...     def forward(self, x):
    ...         return (x[:, 1] + x[:, 2]).mean(dim=1, keepdim=True)
    >>> predict(GcContent(), encode_many(["ACGG", "AATT", "ACNN"]))
    array([[0.75],
           [0.  ],
           [0.5 ]], dtype=float32)
    """
    X = as_encodings(X)
    n, length, width = X.shape
    engine = engine_for(model, width, batch_size, device)
    if n == 0:  # the output width still comes from the model
        blank = np.zeros((1, length, width), dtype=np.float32)
        with engine.path.inference():
            return np.zeros((0, engine.path.predict(blank).shape[1]), dtype=np.float32)
    out: list[np.ndarray] = []
    b = engine.batch_size
    batches = (PredictionBatch([Dense(X[i : i + b])]) for i in range(0, n, b))
    run_predictions(engine, batches, lambda _, preds: out.append(preds))
    return out[0] if len(out) == 1 else np.concatenate(out)
