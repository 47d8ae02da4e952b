"""Small input conventions shared by the prediction verbs: window radii, chromosome-name
matching, padding/truncating sequences to the model length, input-type detection."""

from __future__ import annotations

import os
from collections.abc import Iterable

import numpy as np

__all__ = [
    "ChromMatcher",
    "allele_offset",
    "fit_codes",
    "fit_sequence",
    "is_fasta_path",
    "window_radii",
    "window_rejection",
]

_FASTA_SUFFIXES = (".fa", ".fasta", ".fna", ".fas", ".fa.gz", ".fasta.gz", ".fna.gz", ".fas.gz")
_N = ord("N")


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


def fit_codes(codes: np.ndarray, length: int) -> np.ndarray:
    """Pad (with ``N``, ``floor(d/2)`` left and ``ceil(d/2)`` right) or centre-truncate
    (keep ``[(n - L) // 2, (n - L) // 2 + L)``) a 1-D code array to ``length``."""
    n = len(codes)
    if n == length:
        return codes
    if n > length:
        start = (n - length) // 2
        return codes[start : start + length]
    missing = length - n
    out = np.full(length, _N, dtype=np.uint8)
    out[missing // 2 : missing // 2 + n] = codes
    return out


def fit_sequence(sequence: str, length: int) -> str:
    """String version of :func:`fit_codes`, upper-cased (Selene's ``_pad_sequence`` /
    ``_truncate_sequence``)."""
    n = len(sequence)
    if n > length:
        start = (n - length) // 2
        sequence = sequence[start : start + length]
    elif n < length:
        missing = length - n
        sequence = "N" * (missing // 2) + sequence + "N" * (missing - missing // 2)
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
