"""The one sequence-encoding path: text -> uint8 codes -> one-hot by a 256-entry lookup table.

Every caller (genomes, proteomes, samplers, prediction, ISM) encodes through an
:class:`Alphabet`. Sequences are handled as uint8 arrays of ASCII codes so that one-hot
encoding and reverse complement are single fancy-indexing operations, never per-base loops.

Conventions (Selene's): encodings are float32 arrays shaped ``(L, N)`` (or ``(B, L, N)``),
positions are rows and letters are columns in alphabet order; a letter outside the alphabet
becomes a row filled with ``1 / N`` (0.25 for DNA, 0.05 for protein).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

DNA_BASES: tuple[str, ...] = ("A", "C", "G", "T")
PROTEIN_RESIDUES: tuple[str, ...] = tuple("ARNDCEQGHILKMFPSTWYV")
DNA_COMPLEMENTS: dict[str, str] = {"A": "T", "C": "G", "G": "C", "T": "A", "N": "N"}

#: Alphabets up to this size are one-hot encoded channels-first by one comparison per
#: letter; larger ones (protein) by a row gather.
_COMPARE_MAX_LETTERS = 8


def as_codes(sequence: str | bytes | np.ndarray) -> np.ndarray:
    """Return ``sequence`` as a 1-D uint8 array of ASCII codes (no copy for arrays)."""
    if isinstance(sequence, np.ndarray):
        if sequence.dtype != np.uint8:
            raise TypeError(f"expected a uint8 code array, got dtype {sequence.dtype}")
        return sequence
    if isinstance(sequence, str):
        sequence = sequence.encode("ascii", errors="replace")
    return np.frombuffer(bytes(sequence), dtype=np.uint8)


def codes_to_str(codes: np.ndarray) -> str:
    """Inverse of :func:`as_codes` for a 1-D code array."""
    return np.ascontiguousarray(codes, dtype=np.uint8).tobytes().decode("ascii")


@dataclass(frozen=True)
class Alphabet:
    """An ordered alphabet with its lookup tables.

    Parameters
    ----------
    letters
        Column order of the one-hot encoding, e.g. ``("A", "C", "G", "T")``.
    unknown
        Letter emitted when decoding a row that is not one-hot (``"N"``, ``"X"``).
    case_insensitive
        Whether lower-case letters encode like their upper-case forms (True for DNA).
    complements
        Letter -> complementary letter, for alphabets that have a reverse complement.
    """

    letters: tuple[str, ...]
    unknown: str
    case_insensitive: bool = True
    complements: Mapping[str, str] | None = None
    onehot_table: np.ndarray = field(init=False, repr=False, compare=False)
    index_table: np.ndarray = field(init=False, repr=False, compare=False)
    complement_table: np.ndarray | None = field(init=False, repr=False, compare=False)
    _row_table: np.ndarray = field(init=False, repr=False, compare=False)
    _index_bytes: bytes = field(init=False, repr=False, compare=False)
    column_table: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        letters = tuple(str(x) for x in self.letters)
        if len(set(letters)) != len(letters) or any(len(x) != 1 for x in letters):
            raise ValueError(f"alphabet letters must be distinct single characters: {letters}")
        object.__setattr__(self, "letters", letters)
        n = len(letters)
        index = np.full(256, -1, dtype=np.int16)
        for i, letter in enumerate(letters):
            index[ord(letter)] = i
            if self.case_insensitive:
                index[ord(letter.lower())] = i
                index[ord(letter.upper())] = i
        onehot = np.full((256, n), 1.0 / n, dtype=np.float32)
        known = index >= 0
        onehot[known] = 0.0
        onehot[np.nonzero(known)[0], index[known]] = 1.0
        index.flags.writeable = False
        onehot.flags.writeable = False
        object.__setattr__(self, "index_table", index)
        object.__setattr__(self, "onehot_table", onehot)
        # Each one-hot row as one opaque item: gathering whole rows at once is ~8x faster
        # than fancy-indexing the 2-D table.
        rows = onehot.view(np.dtype((np.void, onehot.itemsize * n))).reshape(256)
        object.__setattr__(self, "_row_table", rows)
        # Letter -> column index as a bytes.translate table (255 for unknown letters).
        index_bytes = bytes(int(i) if i >= 0 else 255 for i in index.tolist())
        object.__setattr__(self, "_index_bytes", index_bytes)
        column_table = np.frombuffer(index_bytes, dtype=np.uint8)  # read-only
        object.__setattr__(self, "column_table", column_table)
        comp_table = None
        if self.complements is not None:
            # Identity for letters without a complement keeps unknown letters unchanged.
            comp_table = np.arange(256, dtype=np.uint8)
            for a, b in self.complements.items():
                comp_table[ord(a)] = ord(b)
                if self.case_insensitive:
                    comp_table[ord(a.lower())] = ord(b.lower())
            comp_table.flags.writeable = False
        object.__setattr__(self, "complement_table", comp_table)

    # -- properties in Selene's vocabulary ---------------------------------------------------
    @property
    def size(self) -> int:
        """Number of letters (columns of the encoding)."""
        return len(self.letters)

    @property
    def unknown_value(self) -> float:
        """Fill value of an unknown-letter row: ``1 / size``."""
        return 1.0 / self.size

    @property
    def base_to_index(self) -> dict[str, int]:
        """Letter (both cases when case-insensitive) -> column index."""
        out = {}
        for i, letter in enumerate(self.letters):
            out[letter] = i
            if self.case_insensitive:
                out[letter.lower()] = i
        return out

    @property
    def index_to_base(self) -> dict[int, str]:
        """Column index -> letter."""
        return dict(enumerate(self.letters))

    # -- encoding ----------------------------------------------------------------------------
    def encode(self, sequence: str | bytes | np.ndarray) -> np.ndarray:
        """One-hot encode; ``(L,) -> (L, N)`` or ``(B, L) -> (B, L, N)`` float32 (a new array)."""
        codes = sequence if isinstance(sequence, np.ndarray) else as_codes(sequence)
        # np.take is ~10x faster than fancy indexing for a 2-D gather like this one.
        return np.take(self.onehot_table, codes, axis=0)

    def encode_channels_first(
        self,
        codes: np.ndarray,
        out: np.ndarray | None = None,
        scratch: np.ndarray | None = None,
    ) -> np.ndarray:
        """One-hot encode ``(B, L)`` uint8 codes into the model layout ``(B, N, L)`` float32.

        Same values as ``encode(codes).transpose(0, 2, 1)``, but contiguous. ``out`` may be
        a preallocated ``(B, N, L)`` float32 array and ``scratch`` any float32 work array
        of at least ``B * L`` bytes: reusing both across batches avoids allocations.
        """
        codes = np.asarray(codes)
        if codes.ndim != 2 or codes.dtype != np.uint8:
            raise ValueError(f"expected (B, L) uint8 codes, got {codes.dtype} {codes.shape}")
        b, length = codes.shape
        if out is None:
            out = np.empty((b, self.size, length), dtype=np.float32)
        if self.size > _COMPARE_MAX_LETTERS:
            return self._encode_channels_first_gather(codes, out)
        # Column indices by bytes.translate (a C loop over bytes, no index array), then one
        # comparison per letter written into its channel: ~2.5x faster than gathering
        # (L, N) rows and transposing them, and this runs once per prediction batch.
        index_bytes = codes.tobytes().translate(self._index_bytes)
        index = np.frombuffer(index_bytes, dtype=np.uint8).reshape(b, length)
        if scratch is not None and scratch.nbytes >= b * length:
            hit = scratch.reshape(-1).view(np.bool_)[: b * length].reshape(b, length)
        else:
            hit = np.empty((b, length), dtype=np.bool_)
        for column in range(self.size):
            np.equal(index, np.uint8(column), out=hit)
            out[:, column, :] = hit
        if index_bytes.find(b"\xff") >= 0:  # unknown letters: rows of 1 / N
            rows, cols = np.nonzero(index == 255)
            out[rows, :, cols] = self.unknown_value
        return out

    def _encode_channels_first_gather(self, codes: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Large alphabets: gather whole one-hot rows, then transpose into ``out``."""
        rows = self._row_table[codes].view(np.float32).reshape(*codes.shape, self.size)
        np.copyto(out, rows.transpose(0, 2, 1))
        return out

    def decode(self, encoding: np.ndarray) -> str:
        """Letters of an ``(L, N)`` encoding; rows that are not one-hot decode as unknown."""
        encoding = np.asarray(encoding)
        if encoding.ndim != 2 or encoding.shape[1] != self.size:
            raise ValueError(
                f"expected an encoding of shape (L, {self.size}), got {encoding.shape}"
            )
        is_one = encoding == 1
        has_one = is_one.any(axis=1)
        first = is_one.argmax(axis=1)
        letters = np.frombuffer("".join(self.letters).encode("ascii"), dtype=np.uint8)
        out = np.where(has_one, letters[first], ord(self.unknown)).astype(np.uint8)
        return codes_to_str(out)

    def column_indices(self, codes: np.ndarray) -> tuple[np.ndarray, bool]:
        """``(B, L)`` uint8 codes -> ``(B, L)`` uint8 column indices (255 for letters
        outside the alphabet; a writable array) and whether any letter was unknown."""
        codes = np.asarray(codes)
        if codes.dtype != np.uint8:
            raise ValueError(f"expected uint8 codes, got {codes.dtype}")
        # bytearray.translate returns a (writable) bytearray: one copy and one translation
        # (~35% faster than tobytes + bytes.translate + bytearray on 512 kB)
        index_bytes = bytearray(np.ascontiguousarray(codes).data).translate(self._index_bytes)
        unknown = index_bytes.find(b"\xff") >= 0
        return np.frombuffer(index_bytes, dtype=np.uint8).reshape(codes.shape), unknown

    def is_unknown(self, codes: np.ndarray) -> np.ndarray:
        """Boolean mask of codes that are not letters of the alphabet."""
        return self.index_table[codes] < 0

    def unknown_rows(self, codes: np.ndarray) -> np.ndarray:
        """``(B,)`` bool: which rows of ``(B, L)`` uint8 codes hold a letter outside the
        alphabet."""
        return self.rows_with_unknown(*self.column_indices(codes))

    @staticmethod
    def rows_with_unknown(index: np.ndarray, any_unknown: bool = True) -> np.ndarray:
        """``(B,)`` bool from :meth:`column_indices` output: rows holding an unknown
        letter (``any_unknown=False``, as that method reports, skips the search)."""
        if not any_unknown:
            return np.zeros(index.shape[0], dtype=bool)
        return (index == 255).any(axis=1)

    # -- reverse complement ------------------------------------------------------------------
    def _require_complements(self) -> np.ndarray:
        if self.complement_table is None:
            raise ValueError(f"alphabet {''.join(self.letters)} has no complement")
        return self.complement_table

    def reverse_complement_codes(self, codes: np.ndarray) -> np.ndarray:
        """Reverse complement of codes along the last axis (case preserved)."""
        return self._require_complements()[codes[..., ::-1]]

    def reverse_complement(self, sequence: str) -> str:
        """Reverse complement of a string (case preserved; unknown letters kept)."""
        return codes_to_str(self.reverse_complement_codes(as_codes(sequence)))

    def complement_permutation(self) -> np.ndarray:
        """Column permutation ``p`` with ``encoding[:, p]`` = complemented encoding."""
        comp = self.complements or {}
        try:
            return np.array([self.letters.index(comp[x]) for x in self.letters], dtype=np.intp)
        except (KeyError, ValueError) as exc:
            raise ValueError(
                f"alphabet {''.join(self.letters)} is not closed under complement"
            ) from exc

    def reverse_complement_encoding(self, encoding: np.ndarray) -> np.ndarray:
        """Reverse complement of ``(..., L, N)`` encodings: complement columns, reverse rows."""
        return np.ascontiguousarray(encoding[..., ::-1, :][..., self.complement_permutation()])


@lru_cache(maxsize=64)
def dna_alphabet(order: tuple[str, ...] = DNA_BASES) -> Alphabet:
    """The DNA alphabet with the given column order (``A, C, G, T`` by default)."""
    order = tuple(x.upper() for x in order)
    if sorted(order) != sorted(DNA_BASES):
        raise ValueError(f"bases_order must be a permutation of A, C, G, T; got {list(order)}")
    return Alphabet(order, "N", True, DNA_COMPLEMENTS)


PROTEIN = Alphabet(PROTEIN_RESIDUES, "X", case_insensitive=False)
DNA = dna_alphabet()


@lru_cache(maxsize=64)
def _alphabet_from_legacy(
    bases: tuple[str, ...], complements: tuple[tuple[str, str], ...] | None
) -> Alphabet:
    case_insensitive = sorted(x.upper() for x in bases) == sorted(DNA_BASES)
    comp = dict(complements) if complements else None
    return Alphabet(bases, "N" if len(bases) == 4 else "X", case_insensitive, comp)


def alphabet_from_legacy(
    bases_arr: Sequence[str], complementary_base_dict: Mapping[str, str] | None = None
) -> Alphabet:
    """Build an :class:`Alphabet` from the arguments of Selene's module-level functions."""
    comp = None
    if complementary_base_dict is not None:
        comp = tuple((str(k).upper(), str(v).upper()) for k, v in complementary_base_dict.items())
    return _alphabet_from_legacy(tuple(str(b) for b in bases_arr), comp)


def encode_many(sequences: Iterable[str], alphabet: Alphabet = DNA) -> np.ndarray:
    """Encode equal-length sequences into one ``(B, L, N)`` float32 array."""
    seqs = list(sequences)
    if not seqs:
        return np.zeros((0, 0, alphabet.size), dtype=np.float32)
    length = len(seqs[0])
    if any(len(s) != length for s in seqs):
        raise ValueError("encode_many needs sequences of equal length")
    codes = np.frombuffer("".join(seqs).encode("ascii", errors="replace"), dtype=np.uint8)
    return alphabet.encode(codes.reshape(len(seqs), length))
