"""Streaming FASTA record reader for prediction inputs (one record in memory at a time).

Unlike :mod:`selene_sdk.io.fasta`, which loads a whole genome for random access, this reads
records in file order: sequences to predict, or to mutate in silico.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from selene_sdk.errors import InputFormatError, require_file
from selene_sdk.io.compression import open_binary

__all__ = ["count_fasta_records", "fasta_record_names", "iter_fasta_records"]


def _check_starts_with_header(path: str) -> bool:
    """True if the file has content; raises if that content does not start with ``>``."""
    with open_binary(path) as handle:
        for line in handle:
            stripped = line.strip()
            if not stripped:
                continue
            if not stripped.startswith(b">"):
                raise InputFormatError(
                    path, "is not FASTA: the first non-blank line does not start with '>'"
                )
            return True
    return False


def iter_fasta_records(path: str | os.PathLike) -> Iterator[tuple[str, str]]:
    """Yield ``(name, sequence)`` per record; ``name`` is the first word of the header.

    Plain, gzip and bgzip files are read; an empty file yields nothing.
    """
    import pysam

    path = require_file(path, "FASTA file")
    if not _check_starts_with_header(path):
        return
    try:
        handle = pysam.FastxFile(path)
    except (OSError, ValueError) as exc:
        raise InputFormatError(path, f"cannot be read as FASTA ({exc})") from exc
    with handle:
        for record in handle:
            if record.quality is not None:
                raise InputFormatError(path, "looks like FASTQ, not FASTA")
            yield record.name, record.sequence or ""


def fasta_record_names(path: str | os.PathLike) -> list[str]:
    """Record names (first word of each header line), without reading the sequences."""
    path = require_file(path, "FASTA file")
    with open_binary(path) as handle:
        return [
            (line[1:].split() or [b""])[0].decode("ascii", "replace")
            for line in handle
            if line.startswith(b">")
        ]


def count_fasta_records(path: str | os.PathLike) -> int:
    """Number of records (header lines), for progress bars."""
    path = require_file(path, "FASTA file")
    with open_binary(path) as handle:
        return sum(1 for line in handle if line.startswith(b">"))
