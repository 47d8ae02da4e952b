"""Streaming FASTA record reader for prediction inputs (one record in memory at a time).

Unlike :mod:`selene_sdk.io.fasta`, which loads a whole genome for random access, this reads
records in file order: sequences to predict, or to mutate in silico.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from selene_sdk.errors import require_file
from selene_sdk.io.compression import open_binary
from selene_sdk.io.fasta_parse import iter_fasta_bytes

__all__ = ["count_fasta_records", "fasta_record_names", "iter_fasta_records"]


def iter_fasta_records(path: str | os.PathLike) -> Iterator[tuple[str, str]]:
    """Yield ``(name, sequence)`` per record; ``name`` is the first word of the header.

    Plain, gzip and bgzip files are read; an empty file yields nothing. Text before the
    first header and bytes that are not sequence are errors naming the file and line,
    exactly as for a genome (:mod:`selene_sdk.io.fasta_parse`); record names may repeat.
    """
    path = require_file(path, "FASTA file")
    for name, sequence in iter_fasta_bytes(path):
        yield name, sequence.decode("ascii")


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
