"""The one FASTA parser: records as bytes, every byte classified, nothing dropped silently.

Both the genome loader (:mod:`selene_sdk.io.fasta`) and the streaming reader of prediction
inputs (:mod:`selene_sdk.io.fasta_records`) read through :func:`iter_fasta_bytes`, so a
file is either read the same way by both or refused by both with the same message.

What a sequence line may hold:

* letters (IUPAC codes, any case; those outside the alphabet become unknown bases
  later), ``-`` (gap) and ``*`` (stop): sequence;
* ``\\r`` before ``\\n`` (Windows line ends): dropped;
* spaces and tabs: removed, with one counted :class:`SeleneWarning` naming the first;
* anything else -- NUL and other control bytes, digits, punctuation, non-ASCII bytes --
  is not sequence: :class:`~selene_sdk.errors.InputFormatError` naming the file, line,
  record and position. (htslib, which read FASTA here before, stops a record at a NUL
  byte without a word and reads the rest as unknown bases.)

Text before the first ``>`` header is an error too. We parse 16 MiB blocks with
``bytes`` methods (C loops at memory speed) rather than through pysam because pysam
cannot tell us about those bytes; parsing costs about as much as reading the file.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator

from selene_sdk.errors import InputFormatError, SeleneWarning
from selene_sdk.io.compression import open_binary

__all__ = ["iter_fasta_bytes"]

_BLOCK = 1 << 24
_LETTERS = bytes(range(ord("A"), ord("Z") + 1)) + bytes(range(ord("a"), ord("z") + 1))
_SEQUENCE = _LETTERS + b"-*"
_LINE_ENDS = b"\n\r"
_SPACES = b" \t"


def _describe(byte: int) -> str:
    if byte == 0:
        return "a NUL byte"
    if byte < 32 or byte == 127:
        return f"the control byte 0x{byte:02x}"
    if byte >= 128:
        return f"the non-ASCII byte 0x{byte:02x}"
    return f"{chr(byte)!r}"


def _first_bad(body: bytes) -> int | None:
    """Index of the first byte of ``body`` that is not sequence, a space or a line end
    (``\r`` only before ``\n``); None when there is none. Only called on the rare bodies
    that the fast check flagged."""
    allowed = set(_SEQUENCE + _SPACES + b"\n")
    for i, byte in enumerate(body):
        if byte == 13 and body[i + 1 : i + 2] == b"\n":
            continue
        if byte not in allowed:
            return i
    return None


class _Parser:
    """State carried from block to block: the open record and where we are in the file.

    Each block is cut at its header lines (``\n>``) with ``bytes.find``; each body is
    checked and stripped of line ends with ``bytes.translate`` and ``bytes.count``, which
    run at memory speed. Only a body with something wrong is looked at byte by byte.
    """

    def __init__(self, path: str, unique_names: bool):
        self.path = path
        self.unique_names = unique_names
        self.name: str | None = None  # the open record
        self.pieces: list[bytes] = []
        self.length = 0  # bases of the open record so far
        self.lines = 0  # lines before the current block
        self.seen: set[str] = set()
        self.spaces = 0
        self.first_space: str | None = None

    def _where(self, chunk: bytes, position: int) -> tuple[int, int]:
        """(1-based line, 1-based column) of byte ``position`` of the block."""
        line = self.lines + chunk.count(b"\n", 0, position) + 1
        return line, position - (chunk.rfind(b"\n", 0, position) + 1) + 1

    def block(self, chunk: bytes) -> Iterator[tuple[str, bytes]]:
        """Parse one block that ends with ``\n``; yield the records it completes."""
        # Records, cut where a line starts with '>': "header\nsequence lines" each; the
        # first part continues the open record unless the block starts with a header.
        parts = chunk.split(b"\n>")
        if chunk.startswith(b">"):
            parts[0] = parts[0][1:]
            lead = b""
        else:
            lead = parts.pop(0)
        records = [part.partition(b"\n") for part in parts]
        if not self._clean(chunk, records):
            yield from self._careful(chunk)
            self.lines += chunk.count(b"\n")
            return
        if lead:
            self._piece(chunk, 0, lead.translate(None, _LINE_ENDS))
        if records:
            # whole-block list work, C calls only per record (a prediction FASTA holds
            # ~100k short records per block)
            names = [(header.split(None, 1) or [b""])[0] for header, _, _ in records]
            names = [name.decode("utf-8", "replace") for name in names]
            sequences = [body.translate(None, _LINE_ENDS) for _, _, body in records]
            self._check_names(names, chunk)
            if self.name is not None:
                yield self._close()
            last_name, last = names.pop(), sequences.pop()
            yield from zip(names, sequences)
            self.name, self.pieces, self.length = last_name, [last] if last else [], len(last)
        self.lines += chunk.count(b"\n")

    @staticmethod
    def _clean(chunk: bytes, records: list[tuple[bytes, bytes, bytes]]) -> bool:
        """Whether every byte outside the header lines is sequence or a line end, and no
        ``\r`` stands alone (C-level passes: what remains after deleting sequence and
        line ends must all come from the headers and their '>')."""
        if chunk.count(b"\r") != chunk.count(b"\r\n"):
            return False
        drop = _SEQUENCE + _LINE_ENDS
        rest = len(chunk.translate(None, drop))
        if not rest:
            return True
        headers = b"".join([header for header, _, _ in records])
        return rest == len(headers.translate(None, drop)) + len(records)

    def _careful(self, chunk: bytes) -> Iterator[tuple[str, bytes]]:
        """The block again, body by body, to find and report what is not sequence."""
        n = len(chunk)
        at = 0 if chunk.startswith(b">") else chunk.find(b"\n>") + 1 or n
        self._body(chunk, 0, at)
        while at < n:
            eol = chunk.index(b"\n", at)
            nxt = chunk.find(b"\n>", eol)
            nxt = n if nxt < 0 else nxt + 1
            if self.name is not None:
                yield self._close()
            self._open(chunk, at, eol)
            self._body(chunk, eol + 1, nxt)
            at = nxt

    def _check_names(self, names: list[str], chunk: bytes) -> None:
        """Empty or repeated record names are errors (the loop that finds the line runs
        only when there is one)."""
        if not self.unique_names:
            return
        fresh = set(names)
        if "" not in fresh and len(fresh) == len(names) and self.seen.isdisjoint(fresh):
            self.seen |= fresh
            return
        at = 0 if chunk.startswith(b">") else chunk.find(b"\n>") + 1
        while True:
            eol = chunk.index(b"\n", at)
            self._open(chunk, at, eol)  # raises at the first bad one
            at = chunk.find(b"\n>", eol) + 1

    def _piece(self, chunk: bytes, start: int, sequence: bytes) -> None:
        """Append sequence that precedes the block's first header."""
        if not sequence:
            return
        if self.name is None:
            self._before_header(chunk, start, chunk[start:])
        self.pieces.append(sequence)
        self.length += len(sequence)

    def _body(self, chunk: bytes, start: int, stop: int) -> None:
        """Sequence lines ``chunk[start:stop]`` of the open record."""
        if start >= stop:
            return
        body = chunk[start:stop]
        if self.name is None and body.strip():
            self._before_header(chunk, start, body)
        if body.translate(None, _SEQUENCE + _SPACES + _LINE_ENDS) or body.count(
            b"\r"
        ) != body.count(b"\r\n"):
            bad = _first_bad(body)
            if bad is not None:
                self._refuse(chunk, start, start + bad)
        spaces = body.count(b" ") + body.count(b"\t")
        if spaces and self.name is not None:  # blank lines before the first header are fine
            self._count_spaces(chunk, start, body, spaces)
        self._piece(chunk, start, body.translate(None, _SPACES + _LINE_ENDS))

    def _before_header(self, chunk: bytes, start: int, body: bytes) -> None:
        offset = len(body) - len(body.lstrip())
        line, _ = self._where(chunk, start + offset)
        raise InputFormatError(
            self.path,
            "is not FASTA: text before the first '>' header line (a FASTA file starts with "
            "'>name')",
            line,
        )

    def _open(self, chunk: bytes, start: int, stop: int) -> None:
        name = _header_name(chunk[start:stop])
        if not self.unique_names:
            self.name = name
            return
        if not name:
            line, _ = self._where(chunk, start)
            raise InputFormatError(self.path, "a '>' header line without a record name", line)
        if name in self.seen:
            line, _ = self._where(chunk, start)
            raise InputFormatError(self.path, f"duplicate record name {name!r}", line)
        self.seen.add(name)
        self.name = name

    def _close(self) -> tuple[str, bytes]:
        pieces = self.pieces
        record = (self.name, pieces[0] if len(pieces) == 1 else b"".join(pieces))
        self.name, self.pieces, self.length = None, [], 0
        return record

    def _refuse(self, chunk: bytes, start: int, position: int) -> None:
        line, column = self._where(chunk, position)
        what = _describe(chunk[position])
        base = self.length + len(chunk[start:position].translate(None, _SPACES + _LINE_ENDS))
        raise InputFormatError(
            self.path,
            f"{what} at column {column} in record {self.name!r} (after base {base:,}): not a "
            "sequence character (sequence lines hold letters, '-' and '*'); the file may "
            "be corrupt or not FASTA",
            line,
        )

    def _count_spaces(self, chunk: bytes, start: int, body: bytes, spaces: int) -> None:
        if self.first_space is None:
            first = min(i for i in (body.find(b" "), body.find(b"\t")) if i >= 0)
            line, column = self._where(chunk, start + first)
            self.first_space = f"line {line}, column {column}" + (
                f" (record {self.name!r})" if self.name else ""
            )
        self.spaces += spaces

    def finish(self) -> Iterator[tuple[str, bytes]]:
        if self.name is not None:
            yield self._close()
        if self.spaces:
            warnings.warn(
                f"{self.path}: {self.spaces:,} space or tab character"
                f"{'s' if self.spaces != 1 else ''} inside sequence lines removed (first at "
                f"{self.first_space})",
                SeleneWarning,
                stacklevel=4,
            )


def _header_name(header: bytes) -> str:
    """``b">chr1 description"`` -> ``"chr1"`` (empty when the header has no name)."""
    words = header[1:].split()
    return words[0].decode("utf-8", "replace") if words else ""


def _check_not_fastq(path: str, head: bytes) -> None:
    if head.lstrip().startswith(b"@"):
        raise InputFormatError(path, "looks like FASTQ, not FASTA")


def iter_fasta_bytes(
    path: str | os.PathLike, unique_names: bool = False
) -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, sequence)`` for each record, in file order.

    ``name`` is the first word of the header; ``sequence`` the record's bytes with line
    ends removed (case kept). Plain, gzip and bgzip files are read; an empty file yields
    nothing. Raises :class:`~selene_sdk.errors.InputFormatError` (file and line) for text
    that is not FASTA, as described in the module docstring, and with ``unique_names``
    (a genome, looked up by name) for an empty or repeated record name.
    """
    path = os.fspath(path)
    parser = _Parser(path, unique_names)
    pending: list[bytes] = []  # the start of a line that continues in the next block
    with open_binary(path) as handle:
        data = handle.read(_BLOCK)
        _check_not_fastq(path, data[:4096])
        while data:
            cut = data.rfind(b"\n") + 1
            if cut == 0:  # no line ends in this block (a sequence on one long line)
                pending.append(data)
            else:
                chunk = b"".join([*pending, data[:cut]]) if pending else data[:cut]
                pending = [data[cut:]] if cut < len(data) else []
                yield from parser.block(chunk)
            data = handle.read(_BLOCK)
    if pending:  # the last line has no line end
        chunk = b"".join([*pending, b"\n"])
        yield from parser.block(chunk)
    yield from parser.finish()
