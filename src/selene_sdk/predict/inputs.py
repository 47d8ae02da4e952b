"""Input conventions shared by the prediction verbs: the alphabet of an analysis, window
radii and checks, chromosome-name matching, padding/truncating sequences to the model
length, input-type detection."""

from __future__ import annotations

import os
from collections.abc import Iterable

import numpy as np

from selene_sdk.sequences.encoding import DNA, DNA_BASES, Alphabet, dna_alphabet

__all__ = [
    "LUA_BASES",
    "CentredWindows",
    "ChromMatcher",
    "allele_offset",
    "analysis_alphabet",
    "fit_codes",
    "fit_sequence",
    "is_fasta_path",
    "require_genome",
    "window_radii",
    "window_rejection",
]

#: Column order used for models trained in (Lua) Torch7, e.g. the published DeepSEA.
LUA_BASES: tuple[str, ...] = ("A", "G", "C", "T")


def analysis_alphabet(reference_sequence=None, lua: bool = False) -> Alphabet:
    """The alphabet inputs are encoded with: that of ``reference_sequence`` (a ``Genome``
    with its ``bases_order``, a ``Proteome``, either as class or instance, or an
    :class:`~selene_sdk.sequences.encoding.Alphabet`); DNA when None. A model in the Lua
    layout gets ``A, G, C, T`` columns unless the genome sets its own order (Selene's
    convention for models such as the published DeepSEA)."""
    if isinstance(reference_sequence, Alphabet):
        alphabet = reference_sequence
    else:
        alphabet = getattr(reference_sequence, "ALPHABET", None)
        if not isinstance(alphabet, Alphabet):
            alphabet = DNA
    if lua and alphabet.letters == DNA_BASES:
        return dna_alphabet(LUA_BASES)
    return alphabet


_FASTA_SUFFIXES = (".fa", ".fasta", ".fna", ".fas", ".fa.gz", ".fasta.gz", ".fna.gz", ".fas.gz")
_N = ord("N")


def require_genome(reference_sequence, what: str):
    """``reference_sequence`` if it is a genome instance (windows are read from it), else
    a ``ValueError`` saying what ``what`` needs."""
    if isinstance(reference_sequence, type) or not hasattr(reference_sequence, "get_codes_batch"):
        if isinstance(reference_sequence, type):
            got = f"the class {reference_sequence.__name__}"
        elif reference_sequence is None:
            got = "None"
        else:
            got = f"a {type(reference_sequence).__name__}"
        raise ValueError(
            f"{what} needs a DNA reference: a Genome instance as reference_sequence (got "
            f"{got}); e.g. reference_sequence: !obj:selene_sdk.sequences.Genome "
            "{input_path: hg38.fa}"
        )
    return reference_sequence


def window_radii(sequence_length: int) -> tuple[int, int]:
    """Selene's prediction radii ``(start_radius, end_radius)`` around a centre position.

    ``start_radius = L // 2 + (L odd)``, ``end_radius = L // 2`` (the mirror image of the
    samplers' convention): windows are ``[centre - start_radius, centre + end_radius)``.
    """
    half = sequence_length // 2
    return half + (sequence_length % 2), half


def window_rejection(length: int, chrom: str, start: int, chrom_length: int) -> str:
    """Why the ``length``-bp window at 0-based ``start`` cannot be used, for a window that
    failed the genome's bounds check: it leaves the chromosome, or else overlaps the
    blacklist."""
    end = start + length
    window = f"the {length}-bp window [{start}, {end})"
    if start < 0 or end > chrom_length:
        return f"{window} extends beyond {chrom} (length {chrom_length})"
    return f"{window} overlaps a blacklisted region"


def allele_offset(sequence_length: int, allele_length: int | np.ndarray) -> int | np.ndarray:
    """Index in the window where an allele of the given length starts.

    The window centre is ``L // 2 - 1`` for even ``L`` and ``L // 2`` for odd ``L``; an
    allele of length ``n`` starts ``n // 2`` before it. For a single base and ``L = 1000``
    this is index 499 (500 for ``L = 1001``), which puts VCF ``POS`` there.
    """
    mid = sequence_length // 2 - (1 - sequence_length % 2)
    return mid - allele_length // 2


def is_fasta_path(path: str | os.PathLike) -> bool:
    """Whether a prediction input is FASTA (by name; anything else is read as BED)."""
    return os.fspath(path).lower().endswith(_FASTA_SUFFIXES)


def fit_codes(codes: np.ndarray, length: int, fill: int = _N) -> np.ndarray:
    """Pad (with ``fill``, the code of the unknown letter, ``floor(d/2)`` left and
    ``ceil(d/2)`` right) or centre-truncate (keep ``[(n - L) // 2, (n - L) // 2 + L)``) a 1-D
    code array to ``length``."""
    n = len(codes)
    if n == length:
        return codes
    if n > length:
        start = (n - length) // 2
        return codes[start : start + length]
    missing = length - n
    out = np.full(length, fill, dtype=np.uint8)
    out[missing // 2 : missing // 2 + n] = codes
    return out


def fit_sequence(sequence: str, length: int, unknown: str = "N") -> str:
    """String version of :func:`fit_codes`, upper-cased (Selene's ``_pad_sequence`` /
    ``_truncate_sequence``); pads with ``unknown`` (``N`` for DNA, ``X`` for protein)."""
    n = len(sequence)
    if n > length:
        start = (n - length) // 2
        sequence = sequence[start : start + length]
    elif n < length:
        missing = length - n
        sequence = unknown * (missing // 2) + sequence + unknown * (missing - missing // 2)
    return sequence.upper()


class ChromMatcher:
    """Map chromosome names from BED/VCF inputs onto the reference FASTA's names.

    Tried in order (the first name present in the FASTA wins): the name itself; a leading
    ``CHR``/``Chr`` as ``chr``; with ``chr`` added; without ``chr``; mitochondria spelled
    ``MT``/``M``/``chrMT``/``chrM``. Unknown names map to None.
    """

    def __init__(self, reference_names: Iterable[str]):
        self.names = set(reference_names)
        self._cache: dict[str, str | None] = {}

    def __call__(self, name: str) -> str | None:
        try:
            return self._cache[name]
        except KeyError:
            pass
        found = None
        for candidate in self._candidates(name):
            if candidate in self.names:
                found = candidate
                break
        self._cache[name] = found
        return found

    @staticmethod
    def _candidates(name: str) -> list[str]:
        out = [name]
        core = name[3:] if name[:3].lower() == "chr" else name
        if name[:3].lower() == "chr":
            out.append("chr" + core)
        else:
            out.append("chr" + name)
        out.append(core)
        if core.upper() in ("MT", "M"):
            out.extend(["chrM", "chrMT", "MT", "M"])
        return out


class CentredWindows:
    """Windows of ``length`` centred on intervals (BED prediction inputs) and why some
    cannot be used.

    The window of ``[start, end)`` is ``[mid - start_radius, mid - start_radius + length)``
    with ``mid = start + (end - start) // 2`` (see :func:`window_radii`).
    """

    def __init__(self, genome, length: int):
        self.genome = genome
        self.length = length
        self.start_radius = window_radii(length)[0]

    def starts(self, starts, ends) -> np.ndarray:
        """0-based window starts (int64) of intervals that fit in int64."""
        starts = np.asarray(starts, dtype=np.int64)
        return starts + (np.asarray(ends, dtype=np.int64) - starts) // 2 - self.start_radius

    def __call__(self, chroms: list[str], starts: list[int], ends: list[int]) -> dict[int, str]:
        """``{row: reason}`` for the windows that leave their chromosome or overlap the
        blacklist (see :func:`selene_sdk.io.bed.read_intervals`)."""
        length, lengths = self.length, self.genome.len_chrs
        try:
            w0 = self.starts(starts, ends)
        except OverflowError:  # a coordinate beyond int64: one window at a time
            failed = {}
            for i, (chrom, start, end) in enumerate(zip(chroms, starts, ends)):
                w = start + (end - start) // 2 - self.start_radius
                if not self.genome.coords_in_bounds(chrom, w, w + length):
                    failed[i] = window_rejection(length, chrom, w, lengths[chrom])
            return failed
        ok = self.genome.coords_in_bounds_batch(chroms, w0, w0 + length)
        if ok.all():
            return {}
        return {
            i: window_rejection(length, chroms[i], int(w0[i]), lengths[chroms[i]])
            for i in np.flatnonzero(~ok).tolist()
        }
