"""The one place that tells plain from gzip/bgzip files and opens either.

Compression is recognised by the gzip magic bytes, never by the file name: a ``.bed``
that is really gzipped, or a ``.gz`` that is not, both read correctly. bgzip files are
gzip files (a series of gzip members), so the same reader handles them.
"""

from __future__ import annotations

import gzip
import os
from typing import IO

__all__ = ["GZIP_MAGIC", "compression_of", "is_gzip", "open_binary", "open_text"]

GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: str | os.PathLike) -> bool:
    """Whether the file starts with the gzip magic bytes (gzip or bgzip)."""
    with open(path, "rb") as probe:
        return probe.read(2) == GZIP_MAGIC


def compression_of(path: str | os.PathLike) -> str | None:
    """``"gzip"`` or None, as pandas' ``compression=`` argument takes it."""
    return "gzip" if is_gzip(path) else None


def open_binary(path: str | os.PathLike) -> IO[bytes]:
    """Open for reading bytes, decompressing gzip/bgzip."""
    return gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")


def open_text(path: str | os.PathLike) -> IO[str]:
    """Open for reading text (UTF-8, undecodable bytes replaced, universal newlines),
    decompressing gzip/bgzip."""
    if is_gzip(path):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline=None)
    return open(path, encoding="utf-8", errors="replace", newline=None)
