"""Reference-only logos: at each position the reference letter, as tall as the effect of
mutating it, above the axis when the reference scores higher than its substitutions."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from selene_sdk.interpret._alphabet import resolve_alphabet
from selene_sdk.interpret.logo import sequence_logo
from selene_sdk.sequences.encoding import as_codes
from selene_sdk.sequences.genome import Genome

__all__ = ["reference_effects", "reference_logo", "reference_matrix"]


def reference_effects(
    score_matrix: np.ndarray,
    reference_sequence: str,
    how: Literal["mean", "max"] = "mean",
    sequence_type: Any = Genome,
    absolute: bool = False,
) -> np.ndarray:
    """The effect of mutating each position: ``(L,)`` floats.

    ``how="mean"``: the reference letter's score minus the mean score of the other
    letters, ``s[i, ref] - mean(s[i, alt])``. ``how="max"``: minus the score of the letter
    farthest from the reference's, so the largest single change (with its sign). Positive:
    the reference letter scores higher than its substitutions (mutating it lowers the
    score). For an ISM ``_diffs`` or ``_logits`` matrix (reference cells 0, the others
    ``alt - ref``) ``mean`` is minus the mean change. ``absolute=True`` returns the
    magnitude (use it for ``_abs_diffs``, whose values carry no sign). A position whose
    reference is not in the alphabet (``N``) or whose scores are not finite gets 0.

    Parameters
    ----------
    score_matrix
        ``(L, N)`` scores (e.g. ``ISMResult.get_score_matrix_for``).
    reference_sequence
        The ``L`` reference letters.
    how : {"mean", "max"}
        Which substitutions the reference is compared with.
    sequence_type
        Alphabet (as for :func:`~selene_sdk.interpret.sequence_logo`).
    absolute
        Return ``|effect|``.
    """
    matrix = np.asarray(score_matrix, dtype=np.float64)
    alphabet = resolve_alphabet(sequence_type)
    if matrix.ndim != 2 or matrix.shape[1] != alphabet.size:
        raise ValueError(f"score_matrix must have shape (L, {alphabet.size}), got {matrix.shape}")
    if len(reference_sequence) != matrix.shape[0]:
        raise ValueError(
            f"reference_sequence has {len(reference_sequence)} letters for "
            f"{matrix.shape[0]} positions"
        )
    if how not in ("mean", "max"):
        raise ValueError(f"how must be 'mean' or 'max', got {how!r}")
    ref_idx = alphabet.index_table[as_codes(reference_sequence)]
    known = ref_idx >= 0
    rows = np.arange(matrix.shape[0])
    ref = matrix[rows, np.where(known, ref_idx, 0)]
    delta = ref[:, None] - matrix  # reference minus each letter
    is_ref = np.zeros(matrix.shape, dtype=bool)
    is_ref[rows[known], ref_idx[known]] = True
    delta = np.where(is_ref, np.nan, delta)
    with np.errstate(invalid="ignore"):
        if how == "mean":
            effects = np.nanmean(np.where(known[:, None], delta, 0.0), axis=1)
        else:
            distance = np.abs(delta)
            farthest = np.argmax(np.where(np.isnan(distance), -np.inf, distance), axis=1)
            effects = delta[rows, farthest]
    effects = np.where(known & np.isfinite(effects), effects, 0.0)
    return np.abs(effects) if absolute else effects


def reference_matrix(
    effects: np.ndarray, reference_sequence: str, sequence_type: Any = Genome
) -> np.ndarray:
    """An ``(L, N)`` matrix holding ``effects[i]`` in the reference letter's column, 0 else."""
    alphabet = resolve_alphabet(sequence_type)
    effects = np.asarray(effects, dtype=np.float64)
    ref_idx = alphabet.index_table[as_codes(reference_sequence)]
    out = np.zeros((len(effects), alphabet.size))
    known = np.nonzero(ref_idx >= 0)[0]
    out[known, ref_idx[known]] = effects[known]
    return out


def reference_logo(
    score_matrix: np.ndarray,
    reference_sequence: str,
    how: Literal["mean", "max"] = "mean",
    ax: Any = None,
    sequence_type: Any = Genome,
    absolute: bool = False,
    **kwargs: Any,
) -> Any:
    """Draw the reference sequence with letter heights = :func:`reference_effects`.

    Letters above the axis: the reference scores higher than its substitutions (mutating
    the position lowers the score); below: mutating it raises the score. ``**kwargs`` go to
    :func:`~selene_sdk.interpret.sequence_logo` (``color_scheme``, ``width``, ...).
    Returns the axes.
    """
    effects = reference_effects(score_matrix, reference_sequence, how, sequence_type, absolute)
    matrix = reference_matrix(effects, reference_sequence, sequence_type)
    return sequence_logo(matrix, order="alpha", ax=ax, sequence_type=sequence_type, **kwargs)
