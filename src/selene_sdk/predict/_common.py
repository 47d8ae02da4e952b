"""Selene's shared prediction helpers (``selene_sdk.predict._common``), kept for code that
imports them; they delegate to the forward path and the encoding module."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch

from selene_sdk.forward import ForwardPath, to_model_layout
from selene_sdk.predict.inputs import fit_sequence
from selene_sdk.sequences.encoding import alphabet_from_legacy

__all__ = [
    "_pad_sequence",
    "_truncate_sequence",
    "get_reverse_complement",
    "get_reverse_complement_encoding",
    "predict",
]


def predict(
    model: torch.nn.Module, batch_sequences: np.ndarray, use_cuda: bool = False
) -> np.ndarray:
    """Predictions ``(B, F)`` for encodings ``(B, L, N)`` (transposed to the model layout;
    the model is used in the mode and on the device it is in, as in Selene)."""
    path = ForwardPath(model, "cuda" if use_cuda else None)
    with torch.inference_mode():
        out = path(torch.as_tensor(to_model_layout(np.asarray(batch_sequences))))
    return out.detach().cpu().numpy()


def get_reverse_complement(allele: str, complementary_base_dict: Mapping[str, str]) -> str:
    """Reverse complement of an allele; ``*``, ``-`` and the empty allele give ``*``."""
    if allele in ("*", "-", ""):
        return "*"
    return "".join(complementary_base_dict.get(b, b) for b in reversed(allele))


def get_reverse_complement_encoding(
    encoding: np.ndarray, bases_arr: Sequence[str], complementary_base_dict: Mapping[str, str]
) -> np.ndarray:
    """Reverse complement of an ``(L, N)`` encoding for any column order."""
    return alphabet_from_legacy(bases_arr, complementary_base_dict).reverse_complement_encoding(
        np.asarray(encoding)
    )


def _pad_sequence(sequence: str, to_length: int, unknown_base: str = "N") -> str:
    """Pad with ``floor(d/2)`` unknown letters left and ``ceil(d/2)`` right; upper-cased."""
    missing = to_length - len(sequence)
    if missing <= 0:
        return sequence.upper()
    left = missing // 2
    return (unknown_base * left + sequence + unknown_base * (missing - left)).upper()


def _truncate_sequence(sequence: str, to_length: int) -> str:
    """Keep the centre ``[(n - L) // 2, (n - L) // 2 + L)``; upper-cased."""
    return fit_sequence(sequence, to_length) if len(sequence) > to_length else sequence.upper()
