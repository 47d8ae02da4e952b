"""The ``Sequence`` interface and Selene's module-level encoding functions.

The functions keep Selene's signatures (dicts and lists describing the alphabet) but all
delegate to :mod:`selene_sdk.sequences.encoding`, the single encoding path.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from collections.abc import Sequence as SequenceABC
from typing import Any

import numpy as np

from selene_sdk.sequences.encoding import Alphabet, alphabet_from_legacy

__all__ = [
    "Sequence",
    "encoding_to_sequence",
    "get_reverse_encoding",
    "reverse_complement_sequence",
    "sequence_to_encoding",
]


class hybridmethod:
    """A method that receives the instance when called on one, else the class.

    Selene documents ``sequence_to_encoding`` and friends as classmethods; instances with a
    custom ``bases_order`` must still encode with their own order, without touching the
    class (the original's ``bases_order`` leaked into every instance).
    """

    def __init__(self, func: Callable[..., Any]):
        self.func = func
        self.__doc__ = func.__doc__
        self.__name__ = func.__name__

    def __get__(self, obj: Any, objtype: type | None = None) -> Callable[..., Any]:
        target = obj if obj is not None else objtype

        def bound(*args: Any, **kwargs: Any) -> Any:
            return self.func(target, *args, **kwargs)

        bound.__doc__ = self.func.__doc__
        bound.__name__ = self.func.__name__
        return bound


class Sequence(metaclass=abc.ABCMeta):
    """A collection of named biological sequences that can be queried by coordinates.

    Subclasses define the alphabet through an :class:`~selene_sdk.sequences.encoding.Alphabet`
    in ``ALPHABET``; the documented attributes ``BASES_ARR``, ``BASE_TO_INDEX``,
    ``INDEX_TO_BASE`` and ``UNK_BASE`` are derived from it.
    """

    ALPHABET: Alphabet

    @property
    @abc.abstractmethod
    def BASE_TO_INDEX(self) -> dict[str, int]:
        """Letter -> column index."""

    @property
    @abc.abstractmethod
    def INDEX_TO_BASE(self) -> dict[int, str]:
        """Column index -> letter."""

    @property
    @abc.abstractmethod
    def BASES_ARR(self) -> list[str]:
        """Letters in column order."""

    @property
    @abc.abstractmethod
    def UNK_BASE(self) -> str:
        """Letter used for unknown positions when decoding."""

    @abc.abstractmethod
    def coords_in_bounds(self, *args: Any, **kwargs: Any) -> bool:
        """Whether the coordinates are valid for this sequence collection."""

    @abc.abstractmethod
    def get_sequence_from_coords(self, *args: Any, **kwargs: Any) -> str:
        """The sequence at the given coordinates (``""`` if they are invalid)."""

    @abc.abstractmethod
    def get_encoding_from_coords(self, *args: Any, **kwargs: Any) -> np.ndarray:
        """The one-hot encoding at the given coordinates."""

    @hybridmethod
    def sequence_to_encoding(cls_or_self, sequence: str) -> np.ndarray:
        """One-hot encode ``sequence`` -> ``(L, N)`` float32."""
        return cls_or_self.ALPHABET.encode(sequence)

    @hybridmethod
    def encoding_to_sequence(cls_or_self, encoding: np.ndarray) -> str:
        """Decode an ``(L, N)`` encoding back to letters (unknown rows -> ``UNK_BASE``)."""
        return cls_or_self.ALPHABET.decode(encoding)


def sequence_to_encoding(
    sequence: str, base_to_index: Mapping[str, int], bases_arr: SequenceABC[str]
) -> np.ndarray:
    """One-hot encode ``sequence`` -> ``(L, len(bases_arr))`` float32.

    Letters missing from ``base_to_index`` become rows of ``1 / len(bases_arr)``.
    """
    alphabet = _alphabet_for(base_to_index, bases_arr)
    return alphabet.encode(sequence)


def encoding_to_sequence(encoding: np.ndarray, bases_arr: SequenceABC[str], unk_base: str) -> str:
    """Decode ``(L, N)``: the first column equal to 1 gives the letter, else ``unk_base``."""
    return Alphabet(tuple(bases_arr), unk_base, case_insensitive=False).decode(encoding)


def get_reverse_encoding(
    encoding: np.ndarray,
    bases_arr: SequenceABC[str],
    base_to_index: Mapping[str, int],
    complementary_base_dict: Mapping[str, str],
) -> np.ndarray:
    """Reverse complement of an ``(L, N)`` encoding (works for any column order)."""
    del base_to_index  # the column order is fully described by bases_arr
    return alphabet_from_legacy(bases_arr, complementary_base_dict).reverse_complement_encoding(
        np.asarray(encoding)
    )


def reverse_complement_sequence(sequence: str, complementary_base_dict: Mapping[str, str]) -> str:
    """Reverse complement of ``sequence``; letters without a complement are kept as they are."""
    return "".join(complementary_base_dict.get(b, b) for b in reversed(sequence))


def _alphabet_for(base_to_index: Mapping[str, int], bases_arr: SequenceABC[str]) -> Alphabet:
    bases = tuple(bases_arr)
    alphabet = alphabet_from_legacy(bases)
    expected = alphabet.base_to_index
    if {k: v for k, v in base_to_index.items()} != expected:
        # An unusual mapping (e.g. upper case only): honour it exactly.
        case_insensitive = all(base_to_index.get(b.lower()) == i for i, b in enumerate(bases))
        alphabet = Alphabet(bases, "N" if len(bases) == 4 else "X", case_insensitive)
    return alphabet
