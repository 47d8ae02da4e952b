"""Checks and conversions shared by the array API (``predict``, ``saturation_mutagenesis``,
``variant_effects``): encodings in, the engine that runs them."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from selene_sdk.forward import Engine, ForwardPath
from selene_sdk.sequences.encoding import DNA, PROTEIN, Alphabet

__all__ = ["alphabet_for", "as_encodings", "check_batch_size", "engine_for"]


def as_encodings(x, name: str = "X") -> np.ndarray:
    """``(N, L, A)`` one-hot encodings as a numpy float array (torch tensors, any device,
    are copied to the CPU; other dtypes become float32)."""
    if isinstance(x, torch.Tensor):
        x = x.detach().to("cpu").numpy()
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(
            f"{name} must have shape (N, L, A) (sequences, positions, alphabet letters), "
            f"as the encoders return; got shape {x.shape}"
        )
    if x.shape[1] < 1 or x.shape[2] < 1:
        raise ValueError(
            f"{name} has shape {x.shape}: L and A must be at least 1 (an empty window: "
            "Genome.get_encoding_from_coords returns shape (0, 4) for coordinates outside "
            "the chromosome or blacklisted)"
        )
    if x.dtype.kind != "f":
        x = x.astype(np.float32)
    return x


def alphabet_for(width: int, alphabet=None) -> Alphabet:
    """The alphabet of ``width``-letter encodings: ``alphabet`` (an ``Alphabet``, or a
    ``Genome``/``Proteome`` class or instance), else DNA for 4 and protein for 20."""
    if alphabet is not None:
        found = alphabet if isinstance(alphabet, Alphabet) else getattr(alphabet, "ALPHABET", None)
        if not isinstance(found, Alphabet):
            raise TypeError(
                "alphabet must be an Alphabet, or a Genome/Proteome class or instance; got "
                f"{type(alphabet).__name__}"
            )
        if found.size != width:
            raise ValueError(
                f"the alphabet {''.join(found.letters)} has {found.size} letters but the "
                f"encodings have {width} columns"
            )
        return found
    for known in (DNA, PROTEIN):
        if known.size == width:
            return known
    raise ValueError(
        f"encodings with {width} columns: give the alphabet (4 is DNA, 20 protein by default)"
    )


def check_batch_size(batch_size: int) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return batch_size


def engine_for(model: nn.Module, width: int, batch_size: int, device, alphabet=None) -> Engine:
    """An engine for the array API: the model's own device unless ``device`` is given."""
    path = ForwardPath(model, device)
    known = alphabet is not None or width in (DNA.size, PROTEIN.size)
    # any other width: the engine is only given float inputs (no encoding by letters)
    letters = alphabet_for(width, alphabet) if known else None
    return Engine(path, letters, check_batch_size(batch_size))
