"""Streaming VCF reader: plain or gzip/bgzip, header optional, read in chunks of records.

Only the columns Selene uses are interpreted (``CHROM POS ID REF ALT`` and an optional
strand column); every record keeps its original text so rejected lines can be written out
unchanged. Memory is proportional to one chunk, never to the file.

Chunks are parsed column-wise (:class:`VcfChunk`): the text is read in blocks and split
with C-level string methods, and only unusual lines (too few columns, a bad ``POS``) go
through a per-line path. Variant effect prediction with a cheap model spends a large part
of its time here, so this reader avoids building an object per record.
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from selene_sdk.errors import InputFormatError, check_column_index, require_file
from selene_sdk.io.compression import is_gzip, open_binary

__all__ = ["VcfChunk", "VcfReader", "VcfRecord", "count_data_lines", "open_vcf_text"]

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


@dataclass
class VcfChunk:
    """Consecutive data lines of a VCF file, column by column (one entry per line).

    ``pos`` holds the 1-based ``POS`` (0 where the line has a problem); ``alt`` is the raw
    ``ALT`` column (comma-separated alleles); ``strand`` is None when no strand column is
    read (every record is ``"+"``); ``problems`` maps an index to why that line cannot be
    used (its other columns are then best effort).
    """

    lines: list[int]
    texts: list[str]
    chrom: list[str]
    pos: list[int]
    id: list[str]
    ref: list[str]
    alt: list[str]
    strand: list[str] | None = None
    problems: dict[int, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.texts)

    def strand_of(self, i: int) -> str:
        """Strand of record ``i`` (``"+"``, ``"-"`` or ``"."``)."""
        return "+" if self.strand is None else self.strand[i]

    def record(self, i: int) -> VcfRecord:
        """Record ``i`` as a :class:`VcfRecord`."""
        problem = self.problems.get(i)
        alts = () if problem is not None else tuple(self.alt[i].split(","))
        return VcfRecord(
            self.lines[i], self.texts[i], self.chrom[i], self.pos[i], self.id[i],
            self.ref[i], alts, self.strand_of(i), problem,
        )  # fmt: skip

    def records(self) -> list[VcfRecord]:
        """Every record of the chunk."""
        return [self.record(i) for i in range(len(self))]


_FIRST_FIVE = itemgetter(0, 1, 2, 3, 4)


def open_vcf_text(path: str) -> io.TextIOBase:
    """Open a VCF (plain, gzip or bgzip) for text reading; BCF is refused with advice."""
    if is_gzip(path):
        raw = open_binary(path)
        try:
            magic = raw.peek(5)[:5] if hasattr(raw, "peek") else b""
        except InputFormatError:
            raw.close()
            raise
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
    with open_binary(path) as handle:
        for line in handle:
            if line.strip() and not line.startswith(b"#"):
                total += 1
    return total


class VcfReader:
    """Iterate over a VCF file in chunks of records.

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
    lines
        Only the records on these 0-based line indices of the file (one rank's share
        under torchrun); the header is read in any case. None: all.

    Attributes
    ----------
    meta_lines
        The ``##`` lines (available once the first chunk has been read).
    columns
        Fields of the ``#CHROM`` line, or None when the file has none.

    Iterating gives lists of :class:`VcfRecord`; :meth:`chunks` gives the same records
    column-wise (faster, for bulk work).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        strand_index: int | None = None,
        chunk_size: int = 4096,
        lines: range | None = None,
    ):
        self.path = require_file(path, "VCF file")
        self.lines = lines
        self.strand_index = check_column_index(strand_index)
        self.chunk_size = max(1, int(chunk_size))
        self.meta_lines: list[str] = []
        self.columns: list[str] | None = None
        self.records_read = 0

    def __iter__(self) -> Iterator[list[VcfRecord]]:
        for chunk in self.chunks():
            yield chunk.records()

    def chunks(self) -> Iterator[VcfChunk]:
        """The data lines, ``chunk_size`` at a time, as :class:`VcfChunk` columns."""
        self.meta_lines = []
        self.columns = None
        self.records_read = 0
        # Text is read in blocks proportional to the chunk size, so memory stays O(chunk).
        block_chars = max(1 << 14, min(1 << 19, 64 * self.chunk_size))
        with open_vcf_text(self.path) as handle:
            lineno = 0
            in_header = True
            carry = ""
            pending_lines: list[int] = []
            pending_texts: list[str] = []
            try:
                while True:
                    block = handle.read(block_chars)
                    if block:
                        block = carry + block
                        cut = block.rfind("\n")
                        if cut < 0:
                            carry = block
                            continue
                        carry = block[cut + 1 :]
                        lines = block[:cut].split("\n")
                    else:
                        lines = [carry] if carry else []
                        carry = ""
                    first = lineno + 1
                    lineno += len(lines)
                    skip = 0
                    if in_header:
                        skip, in_header = self._header(lines, first)
                    data = lines[skip:] if skip else lines
                    if (
                        "\n#" not in block
                        and not (data and data[0].startswith("#"))
                        and "" not in data
                        and not any(map(str.isspace, data))
                    ):
                        # the usual block: every line a record (no per-line Python loop)
                        pending_lines.extend(range(first + skip, first + len(lines)))
                        pending_texts.extend(data)
                    else:
                        for i in range(skip, len(lines)):
                            text = lines[i]
                            if text and text[0] != "#" and not text.isspace():
                                pending_lines.append(first + i)
                                pending_texts.append(text)
                    # past the share (every line below its end read): the rest is not ours
                    past = self.lines is not None and lineno >= self.lines.stop
                    if self.lines is not None:
                        pending_lines, pending_texts = self._in_share(pending_lines, pending_texts)
                    last = not block or past
                    while len(pending_texts) >= self.chunk_size or (last and pending_texts):
                        n = min(self.chunk_size, len(pending_texts))
                        chunk = self._parse_chunk(pending_lines[:n], pending_texts[:n])
                        del pending_lines[:n], pending_texts[:n]
                        self.records_read += n
                        yield chunk
                    if last:
                        return
            except (EOFError, OSError, gzip.BadGzipFile) as exc:
                raise InputFormatError(self.path, f"cannot be read to the end ({exc})") from exc

    def _in_share(self, lines: list[int], texts: list[str]) -> tuple[list[int], list[str]]:
        share = self.lines
        if not lines or (lines[0] - 1 in share and lines[-1] - 1 in share):
            return lines, texts
        keep = [i for i, n in enumerate(lines) if n - 1 in share]
        return [lines[i] for i in keep], [texts[i] for i in keep]

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
        for chunk in self.chunks():
            yield from chunk.records()

    def _header(self, lines: list[str], first: int) -> tuple[int, bool]:
        """Read header lines at the top of ``lines``: (lines consumed, still in header)."""
        for i, text in enumerate(lines):
            if not text.strip():
                continue
            if not text.startswith("#"):
                return i, False
            self._header_line(text, first + i)
        return len(lines), True

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

    def _parse_chunk(self, lines: list[int], texts: list[str]) -> VcfChunk:
        """Split data lines into columns; lines that need care take the per-line path."""
        strand_index = self.strand_index
        need = 5 if strand_index is None else max(5, strand_index + 1)
        parts = [t.split("\t", need) for t in texts]
        chunk = VcfChunk(lines, texts, [], [], [], [], [])
        if min(map(len, parts)) >= need:
            chunk.chrom, pos_text, chunk.id, chunk.ref, chunk.alt = map(
                list, zip(*map(_FIRST_FIVE, parts))
            )
            try:
                chunk.pos = list(map(int, pos_text))
                clean = min(chunk.pos) >= 1 and max(chunk.pos) <= MAX_POS
            except ValueError:
                clean = False
        else:
            clean = False
        if not clean:
            # Some line has too few columns or an unusable POS: parse line by line.
            for key in ("chrom", "pos", "id", "ref", "alt"):
                getattr(chunk, key).clear()
            for i, fields in enumerate(parts):
                self._parse_fields(chunk, i, fields)
        if strand_index is not None:
            chunk.strand = [
                "+" if len(f) <= strand_index else _strand(f[strand_index]) for f in parts
            ]
        return chunk

    def _parse_fields(self, chunk: VcfChunk, i: int, fields: list[str]) -> None:
        """Append one line's columns to ``chunk``, recording its problem if any."""
        if len(fields) < 5:
            chunk.chrom.append(fields[0])
            chunk.pos.append(0)
            chunk.id.append("")
            chunk.ref.append("")
            chunk.alt.append("")
            chunk.problems[i] = f"fewer than 5 tab-separated columns ({len(fields)})"
            return
        if self.strand_index is not None and self.strand_index >= len(fields):
            raise InputFormatError(
                self.path,
                f"strand_index={self.strand_index} but this line has only {len(fields)} "
                "tab-separated columns (column indices start at 0)",
                chunk.lines[i],
            )
        chrom, pos_text, name, ref, alt = fields[:5]
        chunk.chrom.append(chrom)
        chunk.id.append(name)
        chunk.ref.append(ref)
        chunk.alt.append(alt)
        try:
            pos = int(pos_text)
        except ValueError:
            chunk.pos.append(0)
            chunk.problems[i] = f"POS {pos_text!r} is not an integer"
            return
        if pos < 1:
            chunk.pos.append(0)
            chunk.problems[i] = f"POS {pos} is not >= 1"
            return
        if pos > MAX_POS:
            chunk.pos.append(0)
            chunk.problems[i] = f"POS {pos} is larger than any chromosome (at most {MAX_POS:,})"
            return
        chunk.pos.append(pos)


#: The largest POS taken (1 Tb): far beyond any chromosome, and window arithmetic on it
#: stays inside int64. Larger values go to the .NA file instead of overflowing.
MAX_POS = 1 << 40


def _strand(value: str) -> str:
    value = value.strip()
    return "-" if value == "-" else "." if value == "." else "+"
