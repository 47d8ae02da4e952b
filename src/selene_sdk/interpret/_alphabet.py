"""Resolve the ``sequence_type`` argument of the plotting functions to an :class:`Alphabet`.

Selene passes a sequence class (``Genome``, ``Proteome``) whose ``BASES_ARR`` gives the column
order. We also accept an instance (its own base order), an :class:`Alphabet`, a name
(``"dna"``, ``"rna"``, ``"protein"``) or the letters themselves (``"ACGU"``, ``["A", ...]``),
so RNA and custom alphabets need no sequence class.
"""

from __future__ import annotations

from collections.abc import Sequence as SequenceABC
from typing import Any

from selene_sdk.sequences.encoding import DNA, PROTEIN, Alphabet

__all__ = ["RNA", "alphabet_names", "resolve_alphabet"]

RNA = Alphabet(("A", "C", "G", "U"), "N", True, {"A": "U", "C": "G", "G": "C", "U": "A"})

_NAMED: dict[str, Alphabet] = {"dna": DNA, "rna": RNA, "protein": PROTEIN}


def alphabet_names() -> list[str]:
    """Names accepted as ``sequence_type`` strings."""
    return sorted(_NAMED)


def _from_letters(letters: SequenceABC[str], unknown: str | None = None) -> Alphabet:
    letters = tuple(str(x) for x in letters)
    if not letters:
        raise ValueError("sequence_type has no letters")
    if unknown is None:
        unknown = "N" if len(letters) == 4 else "X"
    # Alphabets of upper-case letters accept lower case too (ISM outputs are upper case
    # anyway); mixed-case alphabets are taken literally.
    upper = all(x == x.upper() for x in letters)
    distinct = len({x.upper() for x in letters}) == len(letters)
    return Alphabet(letters, unknown, case_insensitive=upper and distinct)


def resolve_alphabet(sequence_type: Any) -> Alphabet:
    """The alphabet described by ``sequence_type``.

    Parameters
    ----------
    sequence_type
        A :class:`~selene_sdk.sequences.Sequence` class or instance (``Genome``,
        ``Proteome``), anything with a ``BASES_ARR`` list, an ``Alphabet``, one of the names
        ``"dna"``, ``"rna"``, ``"protein"`` (any case), or a string / list of letters.

    Raises
    ------
    ValueError
        If no alphabet can be derived.
    """
    if isinstance(sequence_type, Alphabet):
        return sequence_type
    if isinstance(sequence_type, str):
        named = _NAMED.get(sequence_type.lower())
        return named if named is not None else _from_letters(sequence_type)
    alphabet = getattr(sequence_type, "ALPHABET", None)
    if isinstance(alphabet, Alphabet):
        return alphabet
    bases = getattr(sequence_type, "BASES_ARR", None)
    if isinstance(bases, SequenceABC) and not isinstance(bases, str):
        unknown = getattr(sequence_type, "UNK_BASE", None)
        return _from_letters(bases, unknown if isinstance(unknown, str) else None)
    if isinstance(sequence_type, SequenceABC):
        return _from_letters(sequence_type)
    raise ValueError(
        f"cannot derive an alphabet from sequence_type={sequence_type!r}; pass a Sequence "
        f"class such as Genome or Proteome, one of {alphabet_names()}, or the letters"
    )
