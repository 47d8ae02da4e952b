"""``Genome``: a DNA reference held as memory-mapped uint8 codes, queried one window or a batch
at a time."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence as SequenceABC
from typing import Any

import numpy as np

from selene_sdk.constants import STRANDS
from selene_sdk.errors import InvalidCoordinatesWarning
from selene_sdk.intervals import CoverageIndex
from selene_sdk.io.bed import read_bed
from selene_sdk.io.fasta import FastaArrays, load_fasta_arrays
from selene_sdk.sequences._resources import BLACKLISTS, blacklist_path
from selene_sdk.sequences.encoding import DNA, DNA_COMPLEMENTS, Alphabet, dna_alphabet
from selene_sdk.sequences.sequence import Sequence, hybridmethod

__all__ = ["Genome"]

_N = ord("N")


def _check_strand(strand: str) -> None:
    if strand not in STRANDS:
        raise ValueError(f"strand must be one of {STRANDS}, got {strand!r}")


class Genome(Sequence):
    """A reference genome from a FASTA file (plain, gzip or bgzip; no index needed).

    The sequence is read once into uint8 codes and cached as a memory-mapped file (see
    :mod:`selene_sdk.io.fasta`), so later loads are near-instant and DataLoader workers share
    memory. Opening is lazy: the object is cheap to create and to pickle.

    Parameters
    ----------
    input_path
        Path of the FASTA file.
    blacklist_regions
        None; ``"hg19"``, ``"hg38"`` or ``"mm10"`` for the packaged ENCODE Blacklist v2; or
        the path of a BED / BED.gz file. Windows overlapping a listed region are invalid.
    bases_order
        Column order of encodings for this instance only, e.g. ``["A", "G", "C", "T"]``.
        Default ``A, C, G, T``.
    init_unpicklable
        Open the genome now instead of on first use.

    Examples
    --------
    >>> g = Genome("genome.fa")                              # doctest: +SKIP
    >>> g.get_encoding_from_coords("chr1", 100, 110).shape   # doctest: +SKIP
    (10, 4)
    """

    ALPHABET: Alphabet = DNA
    BASES_ARR: list[str] = list(DNA.letters)
    BASE_TO_INDEX: dict[str, int] = DNA.base_to_index
    INDEX_TO_BASE: dict[int, str] = DNA.index_to_base
    COMPLEMENTARY_BASE_DICT: dict[str, str] = {
        **DNA_COMPLEMENTS,
        **{k.lower(): v for k, v in DNA_COMPLEMENTS.items()},
    }
    UNK_BASE: str = "N"

    def __init__(
        self,
        input_path: str | os.PathLike,
        blacklist_regions: str | os.PathLike | None = None,
        bases_order: SequenceABC[str] | None = None,
        init_unpicklable: bool = False,
    ):
        self.input_path = os.fspath(input_path)
        if not os.path.isfile(os.path.expanduser(self.input_path)):
            raise FileNotFoundError(2, "FASTA file not found", self.input_path)
        self.input_path = os.path.expanduser(self.input_path)
        self.blacklist_regions = None if blacklist_regions is None else os.fspath(blacklist_regions)
        if self.blacklist_regions is not None and self.blacklist_regions not in BLACKLISTS:
            if not os.path.isfile(os.path.expanduser(self.blacklist_regions)):
                raise FileNotFoundError(
                    2,
                    f"blacklist file not found (use one of {sorted(BLACKLISTS)} for a "
                    "packaged list)",
                    self.blacklist_regions,
                )
        if bases_order is not None:
            self._set_alphabet(dna_alphabet(tuple(str(b).upper() for b in bases_order)))
        self._arrays: FastaArrays | None = None
        self._blacklist: CoverageIndex | None = None
        self._chrom_to_id: dict[str, int] = {}
        self._sorted_chrs: list[str] = []
        if init_unpicklable:
            self._ensure()

    # -- lazy opening and pickling -----------------------------------------------------------
    def _set_alphabet(self, alphabet: Alphabet) -> None:
        self.ALPHABET = alphabet
        self.BASES_ARR = list(alphabet.letters)
        self.BASE_TO_INDEX = alphabet.base_to_index
        self.INDEX_TO_BASE = alphabet.index_to_base

    def _ensure(self) -> FastaArrays:
        if self._arrays is None:
            arrays = load_fasta_arrays(self.input_path)
            self._chrom_to_id = {name: i for i, name in enumerate(arrays.names)}
            self._sorted_chrs = sorted(arrays.names)
            if self.blacklist_regions is not None:
                self._blacklist = self._load_blacklist(self.blacklist_regions)
            self._arrays = arrays
        return self._arrays

    @staticmethod
    def _load_blacklist(spec: str) -> CoverageIndex:
        path = blacklist_path(spec) if spec in BLACKLISTS else os.path.expanduser(spec)
        table = read_bed(path, what="blacklist file")
        return CoverageIndex(table.chroms, table.starts, table.ends)

    def __getstate__(self) -> dict[str, Any]:
        # Never pickle the (memory-mapped) sequence: workers reopen the shared cache file.
        state = self.__dict__.copy()
        state["_arrays"] = None
        state["_blacklist"] = None
        state.pop("_window_views", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"Genome({self.input_path!r}, blacklist_regions={self.blacklist_regions!r})"

    # -- chromosome information ---------------------------------------------------------------
    @property
    def chrs(self) -> list[str]:
        """Chromosome names, sorted lexicographically."""
        self._ensure()
        return list(self._sorted_chrs)

    @property
    def chrom_names(self) -> np.ndarray:
        """Object array of chromosome names indexed by :meth:`chrom_ids` ids."""
        return np.array(self._ensure().names, dtype=object)

    @property
    def len_chrs(self) -> dict[str, int]:
        """Chromosome name -> length."""
        arrays = self._ensure()
        return {name: int(n) for name, n in zip(arrays.names, arrays.lengths)}

    def get_chrs(self) -> list[str]:
        """Chromosome names, sorted lexicographically."""
        return self.chrs

    def get_chr_lens(self) -> list[tuple[str, int]]:
        """``(name, length)`` for every chromosome, in :meth:`get_chrs` order."""
        lens = self.len_chrs
        return [(name, lens[name]) for name in self._sorted_chrs]

    def chrom_ids(self, chroms: SequenceABC[str] | np.ndarray | str) -> np.ndarray:
        """Internal integer id of each chromosome name (``-1`` for unknown names).

        An integer array is taken to hold ids already (as returned by this method) and is
        passed through, so batch callers can skip the name lookups.
        """
        self._ensure()
        if isinstance(chroms, np.ndarray) and chroms.dtype.kind in "iu":
            return chroms.astype(np.int64, copy=False)
        if isinstance(chroms, str):
            return np.array([self._chrom_to_id.get(chroms, -1)], dtype=np.int64)
        get = self._chrom_to_id.get
        return np.array([get(c, -1) for c in chroms], dtype=np.int64).reshape(-1)

    # -- single-window queries (Selene's documented API) --------------------------------------
    def _valid(self, chrom: str, start: int, end: int, pad: bool) -> bool:
        arrays = self._ensure()
        cid = self._chrom_to_id.get(chrom)
        if cid is None:
            return False
        length = int(arrays.lengths[cid])
        if not (start < end and start < length and end > 0):
            return False
        if not pad and (start < 0 or end > length):
            return False
        if self._blacklist is not None and self._blacklist.overlaps(chrom, [start], [end])[0]:
            return False
        return True

    def _invalid_reason(self, chrom: str, start: int, end: int, pad: bool) -> str:
        """Why ``_valid`` refused the window, in words (for the warning)."""
        arrays = self._ensure()
        cid = self._chrom_to_id.get(chrom)
        where = f"{chrom}:{start}-{end}"
        if cid is None:
            return f"{where}: {chrom!r} is not a sequence of {self.input_path}"
        length = int(arrays.lengths[cid])
        if start >= end:
            return f"{where}: start must be less than end"
        if start >= length or end <= 0:
            return f"{where} lies outside {chrom} ({length:,} bp)"
        if not pad and (start < 0 or end > length):
            return f"{where} runs past an end of {chrom} ({length:,} bp; pad=True fills with N)"
        return f"{where} overlaps a blacklisted region"

    def _warn_invalid(self, chrom: str, start: int, end: int, pad: bool, empty: str) -> None:
        warnings.warn(
            f"{self._invalid_reason(chrom, start, end, pad)}: returning {empty}, as Selene "
            "does (check coords_in_bounds first)",
            InvalidCoordinatesWarning,
            stacklevel=3,
        )

    def coords_in_bounds(self, chrom: str, start: int, end: int) -> bool:
        """Whether ``[start, end)`` lies inside ``chrom`` and overlaps no blacklisted region."""
        return self._valid(chrom, int(start), int(end), pad=False)

    def _codes(self, chrom: str, start: int, end: int, strand: str, pad: bool) -> np.ndarray:
        arrays = self._ensure()
        cid = self._chrom_to_id[chrom]
        offset, length = int(arrays.offsets[cid]), int(arrays.lengths[cid])
        lo, hi = max(start, 0), min(end, length)
        codes = np.asarray(arrays.data[offset + lo : offset + hi])
        if pad and (lo > start or hi < end):
            codes = np.concatenate(
                [
                    np.full(lo - start, _N, dtype=np.uint8),
                    codes,
                    np.full(end - hi, _N, dtype=np.uint8),
                ]
            )
        if strand == "-":
            codes = self.ALPHABET.reverse_complement_codes(codes)
        return codes

    def get_sequence_from_coords(
        self, chrom: str, start: int, end: int, strand: str = "+", pad: bool = False
    ) -> str:
        """Sequence of ``[start, end)`` on ``chrom`` (case as in the FASTA).

        Parameters
        ----------
        strand
            ``"+"``, ``"."`` (same as ``+``) or ``"-"`` (reverse complement).
        pad
            Allow windows hanging over either chromosome end; missing bases become ``N``.

        Returns
        -------
        str
            ``""`` when the coordinates are invalid (unknown chromosome, out of bounds,
            ``start >= end`` or blacklisted).
        """
        start, end = int(start), int(end)
        if not self._valid(chrom, start, end, pad):
            self._warn_invalid(chrom, start, end, pad, "an empty string")
            return ""
        _check_strand(strand)
        return self._codes(chrom, start, end, strand, pad).tobytes().decode("ascii")

    def get_encoding_from_coords(
        self, chrom: str, start: int, end: int, strand: str = "+", pad: bool = False
    ) -> np.ndarray:
        """One-hot encoding ``(end - start, 4)`` float32 of a window.

        Invalid coordinates (unknown chromosome, past an end without ``pad``, ``start >=
        end``, blacklisted) give shape ``(0, 4)`` as in Selene, with an
        :class:`~selene_sdk.errors.InvalidCoordinatesWarning` saying why.
        """
        start, end = int(start), int(end)
        if not self._valid(chrom, start, end, pad):
            self._warn_invalid(chrom, start, end, pad, f"shape (0, {self.ALPHABET.size})")
            return np.zeros((0, self.ALPHABET.size), dtype=np.float32)
        return self.get_encoding_from_coords_check_unk(chrom, start, end, strand, pad)[0]

    def get_encoding_from_coords_check_unk(
        self, chrom: str, start: int, end: int, strand: str = "+", pad: bool = False
    ) -> tuple[np.ndarray, bool]:
        """Encoding plus whether the window contains any base other than A/C/G/T (any case)."""
        start, end = int(start), int(end)
        if not self._valid(chrom, start, end, pad):
            self._warn_invalid(chrom, start, end, pad, f"shape (0, {self.ALPHABET.size})")
            return np.zeros((0, self.ALPHABET.size), dtype=np.float32), False
        _check_strand(strand)
        codes = self._codes(chrom, start, end, strand, pad)
        return self.ALPHABET.encode(codes), bool(self.ALPHABET.is_unknown(codes).any())

    # -- batch API for samplers ---------------------------------------------------------------
    def coords_in_bounds_batch(
        self,
        chroms: SequenceABC[str] | np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        pad: bool = False,
    ) -> np.ndarray:
        """Vectorised :meth:`coords_in_bounds` -> bool array ``(B,)``."""
        arrays = self._ensure()
        ids = self.chrom_ids(chroms)
        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        known = ids >= 0
        lengths = np.where(known, arrays.lengths[np.maximum(ids, 0)], 0)
        ok = known & (starts < ends) & (starts < lengths) & (ends > 0)
        if not pad:
            ok &= (starts >= 0) & (ends <= lengths)
        if self._blacklist is not None and ok.any():
            rows = np.nonzero(ok)[0]
            names = np.array(arrays.names, dtype=object)[ids[rows]]
            ok[rows] = ~self._blacklist.overlaps(names, starts[rows], ends[rows])
        return ok

    def get_codes_batch(
        self,
        chroms: SequenceABC[str] | np.ndarray,
        starts: np.ndarray,
        length: int,
        strands: SequenceABC[str] | np.ndarray | None = None,
    ) -> np.ndarray:
        """ASCII codes of ``B`` windows of equal ``length`` -> uint8 ``(B, length)``.

        Windows must be on known chromosomes; bases outside the chromosome read as ``N``.
        Rows whose strand is ``"-"`` are reverse-complemented.
        """
        arrays = self._ensure()
        ids = self.chrom_ids(chroms)
        if (ids < 0).any():
            bad = [c for c, i in zip(chroms, ids) if i < 0][:3]
            raise ValueError(f"unknown chromosome(s) {bad} in {self.input_path}")
        starts = np.asarray(starts, dtype=np.int64)
        chrom_len = arrays.lengths[ids]
        data = arrays.data
        if 0 < length <= len(data) and ((starts >= 0) & (starts + length <= chrom_len)).all():
            # All windows inside their chromosomes: take rows of a strided view of every
            # window (one C-level gather, ~10x faster than slicing window by window).
            codes = self._window_view(data, length)[arrays.offsets[ids] + starts]
        else:
            codes = self._gather_padded(data, arrays.offsets[ids], chrom_len, starts, length)
        if strands is not None:
            minus = np.asarray(strands) == "-"
            if minus.any():
                codes[minus] = self.ALPHABET.reverse_complement_codes(codes[minus])
        return codes

    def _window_view(self, data: np.ndarray, length: int) -> np.ndarray:
        """Read-only view of every ``length``-long window of ``data`` (cached: building
        one costs ~60 us, a lot next to a 64-window gather)."""
        views = self.__dict__.setdefault("_window_views", {})
        cached = views.get(length)
        if cached is not None and cached[0] is data:
            return cached[1]
        if len(views) > 8 or any(d is not data for d, _ in views.values()):
            views.clear()
        view = np.lib.stride_tricks.sliding_window_view(data, length)
        views[length] = (data, view)
        return view

    @staticmethod
    def _gather_padded(data, offsets, chrom_len, starts, length) -> np.ndarray:
        """Windows that may hang over a chromosome end; missing bases read as ``N``."""
        lo = np.clip(starts, 0, chrom_len)
        hi = np.clip(starts + length, 0, chrom_len)
        begin = (offsets + lo).tolist()
        stop = (offsets + hi).tolist()
        col = (lo - starts).tolist()
        codes = np.full((len(begin), length), _N, dtype=np.uint8)
        for i, (b, e, c) in enumerate(zip(begin, stop, col)):  # O(1) work per window
            if e > b:
                codes[i, c : c + e - b] = data[b:e]
        return codes

    def get_encodings_batch(
        self,
        chroms: SequenceABC[str] | np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        strands: SequenceABC[str] | np.ndarray | None = None,
    ) -> np.ndarray:
        """One-hot encodings of ``B`` equal-length windows -> float32 ``(B, L, 4)``.

        The vectorised counterpart of :meth:`get_encoding_from_coords` with ``pad=True``
        semantics for the sequence (check validity first with :meth:`coords_in_bounds_batch`).
        """
        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        if len(starts) == 0:
            return np.zeros((0, 0, self.ALPHABET.size), dtype=np.float32)
        lengths = ends - starts
        if (lengths != lengths[0]).any() or lengths[0] <= 0:
            raise ValueError("get_encodings_batch needs windows of one positive length")
        codes = self.get_codes_batch(chroms, starts, int(lengths[0]), strands)
        return self.ALPHABET.encode(codes)

    def unknown_fraction(self, codes: np.ndarray) -> np.ndarray:
        """Fraction of positions per row that are not A/C/G/T -> float ``(B,)``."""
        return self.ALPHABET.is_unknown(codes).mean(axis=-1)

    # -- alphabet -----------------------------------------------------------------------------
    @hybridmethod
    def update_bases_order(cls_or_self, bases: SequenceABC[str]) -> None:
        """Set the column order of encodings.

        Called on an instance, only that instance changes. Called on the class, the class
        default changes (instances with their own ``bases_order`` keep theirs).
        """
        alphabet = dna_alphabet(tuple(str(b).upper() for b in bases))
        if isinstance(cls_or_self, type):
            cls_or_self.ALPHABET = alphabet
            cls_or_self.BASES_ARR = list(alphabet.letters)
            cls_or_self.BASE_TO_INDEX = alphabet.base_to_index
            cls_or_self.INDEX_TO_BASE = alphabet.index_to_base
        else:
            cls_or_self._set_alphabet(alphabet)
