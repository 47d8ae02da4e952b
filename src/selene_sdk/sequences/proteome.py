"""``Proteome``: amino-acid sequences from a FASTA file."""

from __future__ import annotations

import os
import warnings

import numpy as np

from selene_sdk.errors import InvalidCoordinatesWarning
from selene_sdk.io.fasta import load_fasta_arrays
from selene_sdk.sequences.encoding import PROTEIN, Alphabet
from selene_sdk.sequences.sequence import Sequence

__all__ = ["Proteome"]


class Proteome(Sequence):
    """Protein sequences from a FASTA file, encoded over the 20 standard residues.

    Columns follow ``A R N D C E Q G H I L K M F P S T W Y V``; any other letter (including
    lower case) is unknown and encodes as a row of 0.05.

    Parameters
    ----------
    input_path
        FASTA file of protein sequences (plain or gzip).
    """

    ALPHABET: Alphabet = PROTEIN
    BASES_ARR: list[str] = list(PROTEIN.letters)
    BASE_TO_INDEX: dict[str, int] = PROTEIN.base_to_index
    INDEX_TO_BASE: dict[int, str] = PROTEIN.index_to_base
    UNK_BASE: str = "X"

    def __init__(self, input_path: str | os.PathLike):
        self.input_path = os.fspath(input_path)
        # Proteomes are small: keep them in memory rather than in the genome cache.
        arrays = load_fasta_arrays(self.input_path, use_cache=False)
        self._arrays = arrays
        self._ids = {name: i for i, name in enumerate(arrays.names)}
        self.prots = sorted(arrays.names)
        self.len_prots = {name: int(n) for name, n in zip(arrays.names, arrays.lengths)}

    def get_prots(self) -> list[str]:
        """Protein names, sorted lexicographically."""
        return list(self.prots)

    def get_prot_lens(self) -> list[tuple[str, int]]:
        """``(name, length)`` for every protein, in :meth:`get_prots` order."""
        return [(name, self.len_prots[name]) for name in self.prots]

    def coords_in_bounds(self, prot: str, start: int, end: int) -> bool:
        """Whether ``0 <= start < end <= len(prot)``."""
        length = self.len_prots.get(prot)
        return length is not None and 0 <= start < end <= length

    def _warn_invalid(self, prot: str, start: int, end: int, empty: str) -> None:
        length = self.len_prots.get(prot)
        where = f"{prot}:{start}-{end}"
        reason = (
            f"{where}: {prot!r} is not a sequence of {self.input_path}"
            if length is None
            else f"{where}: start must be less than end"
            if start >= end
            else f"{where} lies outside {prot} ({length:,} residues)"
        )
        warnings.warn(
            f"{reason}: returning {empty}, as Selene does (check coords_in_bounds first)",
            InvalidCoordinatesWarning,
            stacklevel=3,
        )

    def get_sequence_from_coords(self, prot: str, start: int, end: int) -> str:
        """Residues ``[start, end)`` of ``prot``, or ``""`` (with an
        :class:`~selene_sdk.errors.InvalidCoordinatesWarning`) if out of bounds."""
        if not self.coords_in_bounds(prot, start, end):
            self._warn_invalid(prot, start, end, "an empty string")
            return ""
        i = self._ids[prot]
        offset = int(self._arrays.offsets[i])
        data = self._arrays.data[offset + start : offset + end]
        return np.asarray(data).tobytes().decode("ascii")

    def get_encoding_from_coords(self, prot: str, start: int, end: int) -> np.ndarray:
        """One-hot encoding ``(end - start, 20)``; ``(0, 20)`` (with an
        :class:`~selene_sdk.errors.InvalidCoordinatesWarning`) if out of bounds."""
        if not self.coords_in_bounds(prot, start, end):
            self._warn_invalid(prot, start, end, f"shape (0, {self.ALPHABET.size})")
            return np.zeros((0, self.ALPHABET.size), dtype=np.float32)
        return self.ALPHABET.encode(self.get_sequence_from_coords(prot, start, end))
