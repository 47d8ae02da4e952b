"""The one place that tells plain from gzip/bgzip files and opens either.

Compression is recognised by the gzip magic bytes, never by the file name: a ``.bed``
that is really gzipped, or a ``.gz`` that is not, both read correctly. bgzip files are
gzip files (a series of gzip members), so the same reader handles them.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import zlib
from collections.abc import Iterator
from typing import IO

from selene_sdk.errors import InputFormatError

__all__ = ["GZIP_MAGIC", "compression_of", "is_gzip", "open_binary", "open_text"]

GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: str | os.PathLike) -> bool:
    """Whether the file starts with the gzip magic bytes (gzip or bgzip)."""
    with open(path, "rb") as probe:
        return probe.read(2) == GZIP_MAGIC


def compression_of(path: str | os.PathLike) -> str | None:
    """``"gzip"`` or None, as pandas' ``compression=`` argument takes it."""
    return "gzip" if is_gzip(path) else None


# What the gzip module raises on a truncated or corrupt stream: EOFError (cut short),
# zlib.error (bad deflate data), gzip.BadGzipFile (an OSError: bad header or CRC).
_DAMAGED = (EOFError, zlib.error, gzip.BadGzipFile)


@contextlib.contextmanager
def _damaged_as_input_error(path: str) -> Iterator[None]:
    try:
        yield
    except _DAMAGED as exc:
        raise InputFormatError(
            path, f"is a damaged gzip file: it cannot be decompressed ({exc or 'cut short'})"
        ) from exc


class _CheckedGzipFile(gzip.GzipFile):
    """A gzip reader whose damaged-stream errors name the file.

    Every reader of the package (BED, VCF, FASTA, intervals) reads through this, so a
    truncated download gives an ``InputFormatError`` naming the file instead of a bare
    ``EOFError`` or ``zlib.error`` from deep inside.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path, "rb")
        self._source = path

    def read(self, size: int | None = -1) -> bytes:
        with _damaged_as_input_error(self._source):
            return super().read(size)

    def read1(self, size: int = -1) -> bytes:
        with _damaged_as_input_error(self._source):
            return super().read1(size)

    def peek(self, n: int = 0) -> bytes:
        with _damaged_as_input_error(self._source):
            return super().peek(n)

    def readline(self, size: int | None = -1) -> bytes:
        with _damaged_as_input_error(self._source):
            return super().readline(size)

    def readinto(self, b) -> int:
        with _damaged_as_input_error(self._source):
            return super().readinto(b)


def open_binary(path: str | os.PathLike) -> IO[bytes]:
    """Open for reading bytes, decompressing gzip/bgzip.

    A damaged gzip stream raises :class:`~selene_sdk.errors.InputFormatError` naming the
    file when the damage is read.
    """
    path = os.fspath(path)
    return _CheckedGzipFile(path) if is_gzip(path) else open(path, "rb")


def open_text(path: str | os.PathLike) -> IO[str]:
    """Open for reading text (UTF-8, undecodable bytes replaced, universal newlines),
    decompressing gzip/bgzip (damaged streams as in :func:`open_binary`)."""
    path = os.fspath(path)
    if is_gzip(path):
        raw = _CheckedGzipFile(path)
        return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline=None)
    return open(path, encoding="utf-8", errors="replace", newline=None)
