"""Streaming VCF reader: plain or gzip/bgzip, header optional, read in chunks of records.

Only the columns Selene uses are interpreted (``CHROM POS ID REF ALT`` and an optional
strand column); every record keeps its original text so rejected lines can be written out
unchanged. Memory is proportional to one chunk, never to the file.
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Iterator
from typing import NamedTuple

from selene_sdk.errors import InputFormatError, require_file

__all__ = ["VcfReader", "VcfRecord", "count_data_lines", "open_vcf_text"]

_REQUIRED_HEADER = ("#CHROM", "POS", "ID", "REF", "ALT")


class VcfRecord(NamedTuple):
    """One data line of a VCF file.

    ``pos`` is the 1-based ``POS`` (0 when unusable); ``alts`` is the ``ALT`` column split
    on commas; ``strand`` is ``"+"``, ``"-"`` or ``"."`` (``"+"`` when no strand column is
    used); ``problem`` is None for a usable line, else why it cannot be used.
    """

    line: int
    text: str
    chrom: str
    pos: int
    id: str
    ref: str
    alts: tuple[str, ...]
    strand: str
    problem: str | None


def _is_gzip(path: str) -> bool:
    with open(path, "rb") as probe:
        return probe.read(2) == b"\x1f\x8b"


def open_vcf_text(path: str) -> io.TextIOBase:
    """Open a VCF (plain, gzip or bgzip) for text reading; BCF is refused with advice."""
    if _is_gzip(path):
        raw = gzip.open(path, "rb")
        try:
            magic = raw.peek(5)[:5] if hasattr(raw, "peek") else b""
        except (OSError, EOFError) as exc:
            raw.close()
            raise InputFormatError(path, f"cannot be decompressed ({exc})") from exc
        if magic.startswith(b"BCF"):
            raw.close()
            raise InputFormatError(
                path, "is BCF, not VCF text; convert it with `bcftools view -Ov`"
            )
        return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline=None)
    with open(path, "rb") as probe:
        if probe.read(3) == b"BCF":
            raise InputFormatError(
                path, "is BCF, not VCF text; convert it with `bcftools view -Ov`"
            )
    return open(path, encoding="utf-8", errors="replace", newline=None)


def count_data_lines(path: str | os.PathLike) -> int:
    """Number of non-header, non-blank lines (for progress bars); reads the file once."""
    path = os.fspath(path)
    total = 0
    opener = gzip.open if _is_gzip(path) else open
    with opener(path, "rb") as handle:
        for line in handle:
            if line.strip() and not line.startswith(b"#"):
                total += 1
    return total


class VcfReader:
    """Iterate over a VCF file in chunks of :class:`VcfRecord`.

    Parameters
    ----------
    path
        ``.vcf`` or ``.vcf.gz`` (gzip or bgzip); the header is optional. A ``#CHROM`` line,
        when present, must begin with ``#CHROM POS ID REF ALT``.
    strand_index
        0-based column holding the strand (``"-"`` means minus, ``"."`` unknown, anything
        else plus). A line without that column is an error naming the line.
    chunk_size
        Records per chunk.

    Attributes
    ----------
    meta_lines
        The ``##`` lines (available once the first chunk has been read).
    columns
        Fields of the ``#CHROM`` line, or None when the file has none.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        strand_index: int | None = None,
        chunk_size: int = 4096,
    ):
        self.path = require_file(path, "VCF file")
        if strand_index is not None:
            if isinstance(strand_index, bool) or not isinstance(strand_index, int):
                raise TypeError(f"strand_index must be an integer, got {strand_index!r}")
            if strand_index < 0:
                raise ValueError(f"strand_index must be >= 0, got {strand_index}")
        self.strand_index = strand_index
        self.chunk_size = max(1, int(chunk_size))
        self.meta_lines: list[str] = []
        self.columns: list[str] | None = None
        self.records_read = 0

    def __iter__(self) -> Iterator[list[VcfRecord]]:
        self.meta_lines = []
        self.columns = None
        self.records_read = 0
        with open_vcf_text(self.path) as handle:
            chunk: list[VcfRecord] = []
            in_header = True
            try:
                for lineno, raw in enumerate(handle, 1):
                    text = raw.rstrip("\r\n")
                    if not text.strip():
                        continue
                    if text.startswith("#"):
                        if in_header:
                            self._header_line(text, lineno)
                        continue
                    in_header = False
                    chunk.append(self._parse(text, lineno))
                    if len(chunk) >= self.chunk_size:
                        self.records_read += len(chunk)
                        yield chunk
                        chunk = []
            except (EOFError, OSError, gzip.BadGzipFile) as exc:
                raise InputFormatError(self.path, f"cannot be read to the end ({exc})") from exc
            if chunk:
                self.records_read += len(chunk)
                yield chunk

    def read_header(self) -> VcfReader:
        """Read only the header (``meta_lines``, ``columns``), e.g. to start an output early."""
        self.meta_lines = []
        self.columns = None
        with open_vcf_text(self.path) as handle:
            for lineno, raw in enumerate(handle, 1):
                text = raw.rstrip("\r\n")
                if not text.strip():
                    continue
                if not text.startswith("#"):
                    break
                self._header_line(text, lineno)
        return self

    def records(self) -> Iterator[VcfRecord]:
        """All records, one at a time."""
        for chunk in self:
            yield from chunk

    def _header_line(self, text: str, lineno: int) -> None:
        if text.startswith("##"):
            self.meta_lines.append(text)
            return
        fields = text.split("\t")
        if fields[0].upper() == "#CHROM":
            if tuple(f.strip().upper() for f in fields[:5]) != _REQUIRED_HEADER:
                raise InputFormatError(
                    self.path,
                    "the header line must start with the columns #CHROM POS ID REF ALT "
                    f"(tab-separated); found {fields[:5]}",
                    lineno,
                )
            self.columns = fields
        else:
            self.meta_lines.append(text)

    def _parse(self, text: str, lineno: int) -> VcfRecord:
        fields = text.split("\t")
        if len(fields) < 5:
            return VcfRecord(
                lineno, text, fields[0], 0, "", "", (), "+",
                f"fewer than 5 tab-separated columns ({len(fields)})",
            )  # fmt: skip
        strand = "+"
        if self.strand_index is not None:
            if self.strand_index >= len(fields):
                raise InputFormatError(
                    self.path,
                    f"strand_index={self.strand_index} but this line has only {len(fields)} "
                    "tab-separated columns (column indices start at 0)",
                    lineno,
                )
            value = fields[self.strand_index].strip()
            strand = "-" if value == "-" else "." if value == "." else "+"
        chrom, pos_text, name, ref, alt = fields[:5]
        try:
            pos = int(pos_text)
        except ValueError:
            return VcfRecord(
                lineno, text, chrom, 0, name, ref, (), strand,
                f"POS {pos_text!r} is not an integer",
            )  # fmt: skip
        if pos < 1:
            return VcfRecord(
                lineno, text, chrom, 0, name, ref, (), strand, f"POS {pos} is not >= 1"
            )
        return VcfRecord(lineno, text, chrom, pos, name, ref, tuple(alt.split(",")), strand, None)
