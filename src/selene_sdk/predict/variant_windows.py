"""Reference and alternative sequence windows of VCF variants, a batch at a time.

Conventions (VCF 4.x): ``POS`` is 1-based and REF/ALT start at it; indels carry an anchor
base shared by REF and ALT. For a variant at 0-based ``p = POS - 1`` with ``r = len(REF)``
and ``a = len(ALT)`` and window length ``L``:

* the reference window starts at ``ws = p - c + r // 2`` where ``c`` is the window centre
  (``L // 2 - 1`` for even ``L``, ``L // 2`` for odd ``L``), so REF occupies
  ``[c - r // 2, c - r // 2 + r)``: a single base lands at index 499 for ``L = 1000``;
  the REF rows are taken from the VCF (``ref_match`` records whether the genome agrees);
* the alternative window is an ``L``-long slice of the alternative haplotype
  ``genome[:p] + ALT + genome[p + r:]`` starting ``(a - r) // 2`` bases after ``ws`` for
  insertions and substitutions, ``r // 2 - a // 2`` bases before ``ws`` for deletions
  (Selene's placement; its deletions took the flanks from a position shifted by two bases);
* both windows are reverse-complemented for variants on the ``-`` strand.

Substitutions (SNVs and MNPs) are built fully vectorised; indels one row at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from selene_sdk.predict.inputs import allele_offset, window_rejection
from selene_sdk.sequences.encoding import Alphabet

__all__ = [
    "VariantCodes",
    "VariantWindows",
    "alt_window_starts",
    "build_variant_codes",
    "ref_window_starts",
]


class VariantCodes(NamedTuple):
    """uint8 ``(B, L)`` code windows plus per-variant flags ``(B,)``.

    ``changed`` is ``(rows, cols)``: every cell where ``alt`` may differ from ``ref`` (the
    ALT letters of substitutions, whole rows for indels), so the alternative encoding can
    be made by patching the reference encoding. ``ref_index`` holds the alphabet column
    of every ``ref`` letter (255: unknown), ready to be one-hot encoded.
    """

    ref: np.ndarray
    alt: np.ndarray
    ref_match: np.ndarray
    contains_unk: np.ndarray
    changed: tuple[np.ndarray, np.ndarray]
    ref_index: np.ndarray | None = None


def ref_window_starts(pos: np.ndarray, ref_lengths: np.ndarray, length: int) -> np.ndarray:
    """0-based start of each reference window (``pos`` is the 1-based VCF ``POS``)."""
    pos = np.asarray(pos, dtype=np.int64)
    r = np.asarray(ref_lengths, dtype=np.int64)
    return pos - 1 - allele_offset(length, r)


def alt_window_starts(
    pos: np.ndarray, ref_lengths: np.ndarray, alt_lengths: np.ndarray, length: int
) -> np.ndarray:
    """Start of each alternative window in alternative-haplotype coordinates (equal to
    genome coordinates left of the variant)."""
    r = np.asarray(ref_lengths, dtype=np.int64)
    a = np.asarray(alt_lengths, dtype=np.int64)
    shift = np.where(a >= r, (a - r) // 2, -(r // 2 - a // 2))
    return ref_window_starts(pos, r, length) + shift


class VariantWindows:
    """The reference window check of variant effect prediction: which records' windows
    leave their chromosome or overlap the blacklist (see
    :func:`selene_sdk.io.vcf_variants.usable_variants`)."""

    def __init__(self, genome, length: int):
        self.genome = genome
        self.length = length

    def __call__(self, chroms: list, pos: np.ndarray, ref_lengths: np.ndarray) -> dict[int, str]:
        starts = ref_window_starts(pos, ref_lengths, self.length)
        ok = self.genome.coords_in_bounds_batch(chroms, starts, starts + self.length)
        if ok.all():
            return {}
        lengths = self.genome.len_chrs
        return {
            i: window_rejection(self.length, chroms[i], int(starts[i]), lengths.get(chroms[i], 0))
            for i in np.flatnonzero(~ok).tolist()
            if chroms[i] is not None
        }


def _allele_cells(
    alleles: Sequence[str], lengths: np.ndarray, length: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat ``(row, column, code)`` of every allele letter that falls inside its window."""
    codes = np.frombuffer("".join(alleles).encode("ascii", "replace"), dtype=np.uint8)
    if len(codes) == len(lengths):  # all single bases (SNVs): one cell per row
        rows = np.arange(len(lengths))
        cols = np.full(len(lengths), allele_offset(length, 1))
        return rows, cols, codes
    rows = np.repeat(np.arange(len(lengths)), lengths)
    ends = np.cumsum(lengths)
    within = np.arange(len(codes)) - np.repeat(ends - lengths, lengths)
    cols = np.repeat(allele_offset(length, lengths), lengths) + within
    keep = (cols >= 0) & (cols < length)
    return rows[keep], cols[keep], codes[keep]


def build_variant_codes(
    genome,
    alphabet: Alphabet,
    chroms: Sequence[str],
    pos: np.ndarray,
    refs: Sequence[str],
    alts: Sequence[str],
    strands: Sequence[str],
    length: int,
) -> VariantCodes:
    """Reference and alternative windows for a batch of (validated) variants.

    Parameters
    ----------
    genome
        A :class:`~selene_sdk.sequences.Genome` (its batch API is used).
    alphabet
        Decides which letters are unknown and how to complement.
    chroms, pos, refs, alts, strands
        One entry per variant: FASTA chromosome name, 1-based POS, REF and ALT made of
        A/C/G/T/N (any case), strand ``+``/``-``/``.``.
    length
        Window length ``L``.
    """
    n = len(refs)
    pos = np.asarray(pos, dtype=np.int64)
    r = np.array(list(map(len, refs)), dtype=np.int64).reshape(n)
    a = np.array(list(map(len, alts)), dtype=np.int64).reshape(n)
    starts = ref_window_starts(pos, r, length)
    genome_codes = genome.get_codes_batch(chroms, starts, length)
    # one translation of the windows gives both the N check and the encoder's input
    ref_index, any_unknown = alphabet.column_indices(genome_codes)
    contains_unk = alphabet.rows_with_unknown(ref_index, any_unknown)

    ref_codes = genome_codes  # a fresh array from the gather: patched in place
    rows, cols, letters = _allele_cells(refs, r, length)
    index = alphabet.index_table
    mismatch = index[ref_codes[rows, cols]] != index[letters]
    ref_match = np.bincount(rows[mismatch], minlength=n) == 0
    ref_codes[rows, cols] = letters
    ref_index[rows, cols] = alphabet.column_table[letters]

    alt_codes = ref_codes.copy()
    same = a == r
    if same.all():
        rows, cols, letters = _allele_cells(alts, a, length)
        alt_codes[rows, cols] = letters
    else:
        sub = np.nonzero(same)[0]
        rows, cols, letters = _allele_cells([alts[i] for i in sub], a[sub], length)
        rows = sub[rows]
        alt_codes[rows, cols] = letters
        indels = np.nonzero(~same)[0]
        for i in indels:
            alt_codes[i] = _indel_alt_window(genome, chroms[i], pos[i], r[i], alts[i], length)
        rows = np.concatenate([rows, np.repeat(indels, length)])
        cols = np.concatenate([cols, np.tile(np.arange(length), len(indels))])

    if "-" in strands:
        minus = np.array([s == "-" for s in strands], dtype=bool)
        ref_codes[minus] = alphabet.reverse_complement_codes(ref_codes[minus])
        alt_codes[minus] = alphabet.reverse_complement_codes(alt_codes[minus])
        ref_index[minus] = alphabet.column_indices(ref_codes[minus])[0]
        cols = np.where(minus[rows], length - 1 - cols, cols)
    return VariantCodes(ref_codes, alt_codes, ref_match, contains_unk, (rows, cols), ref_index)


def _indel_alt_window(genome, chrom: str, pos: int, r: int, alt: str, length: int) -> np.ndarray:
    """One alternative window of an indel: a slice of ``genome[:p] + ALT + genome[p + r:]``
    (bases beyond the chromosome ends read as ``N``)."""
    a = len(alt)
    p = int(pos) - 1
    hs = int(alt_window_starts(np.array([pos]), np.array([r]), np.array([a]), length)[0])
    out = np.empty(length, dtype=np.uint8)
    # window index i holds haplotype position hs + i
    left_end = min(max(p - hs, 0), length)  # [0, left_end): genome left of the variant
    alt_end = min(max(p + a - hs, 0), length)  # [left_end, alt_end): ALT letters
    if left_end > 0:
        out[:left_end] = genome.get_codes_batch([chrom], np.array([hs]), left_end)[0]
    if alt_end > left_end:
        first = hs + left_end - p
        alt_codes = np.frombuffer(alt.encode("ascii", "replace"), dtype=np.uint8)
        out[left_end:alt_end] = alt_codes[first : first + alt_end - left_end]
    if alt_end < length:
        # haplotype position h >= p + a maps to genome position h + r - a
        start = hs + alt_end + r - a
        out[alt_end:] = genome.get_codes_batch([chrom], np.array([start]), length - alt_end)[0]
    return out
