"""BED-like interval files (plain, gzip or bgzip), read whole into column arrays.

No tabix index is needed: files are read once and queried from memory (see
:mod:`selene_sdk.intervals`). Errors name the file and the 1-based line number.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice

import numpy as np

from selene_sdk.constants import STRANDS
from selene_sdk.errors import InputFormatError, require_file
from selene_sdk.io.compression import compression_of, open_binary, open_text

__all__ = [
    "BED_BLOCK_LINES",
    "BedTable",
    "IntervalRows",
    "iter_data_lines",
    "open_text",
    "read_bed",
    "read_intervals",
]

_HEADER_PREFIXES = ("#", "track", "browser")


def iter_data_lines(path: str | os.PathLike) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, fields)`` for each non-header, non-blank line of a BED-like file.

    Fields are split on tabs; a line without tabs is split on runs of whitespace.
    """
    with open_text(path) as handle:
        for lineno, line in enumerate(handle, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith(_HEADER_PREFIXES):
                continue
            fields = line.split("\t") if "\t" in line else line.split()
            yield lineno, fields


@dataclass
class BedTable:
    """Columns of a BED file.

    ``chroms`` is an object array of names; ``starts``/``ends`` int64 (0-based, half-open);
    ``extra[i]`` holds the (i + 4)-th column as strings (``""`` where a line is shorter);
    ``lines`` the 1-based line number of each row, for error messages.
    """

    path: str
    chroms: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    extra: list[np.ndarray]
    lines: np.ndarray

    def __len__(self) -> int:
        return len(self.starts)

    def column(self, index: int) -> np.ndarray:
        """0-based column ``index`` (>= 3) as a string array."""
        return self.extra[index - 3]

    def error(self, row: int, message: str) -> InputFormatError:
        """An error pointing at the file line of ``row``."""
        return InputFormatError(self.path, message, int(self.lines[row]))


#: The largest coordinate taken (1 Tb, as for VCF POS): beyond any chromosome, and window
#: arithmetic on it stays inside int64.
MAX_COORDINATE = 1 << 40


def _parse_ints(values: list[str], lines: list[int], path: str, what: str) -> np.ndarray:
    try:
        out = np.array(values, dtype=np.int64)
    except (ValueError, OverflowError):
        out = None
    if out is not None and (out.size == 0 or int(out.max()) <= MAX_COORDINATE):
        return out
    for value, lineno in zip(values, lines):
        try:
            number = int(value)
        except ValueError:
            raise InputFormatError(path, f"{what} {value!r} is not an integer", lineno) from None
        if number > MAX_COORDINATE:
            raise InputFormatError(
                path,
                f"{what} {number} is larger than any chromosome (at most {MAX_COORDINATE:,})",
                lineno,
            )
        if number < -MAX_COORDINATE:
            raise InputFormatError(
                path, f"{what} {number} is negative (need 0 <= start <= end)", lineno
            )
    raise AssertionError("numpy and int() disagree")  # pragma: no cover


def _leading_header_lines(path: str) -> int:
    count = 0
    with open_text(path) as handle:
        for line in handle:
            if line.startswith(_HEADER_PREFIXES):
                count += 1
            else:
                break
    return count


#: Bytes of the file checked together by :func:`_coordinates_are_digits`.
_SCAN_BLOCK = 1 << 23


def _coordinates_are_digits(path: str, skip: int) -> bool:
    """Whether columns 2 and 3 of every line after the first ``skip`` are plain digits
    and no line is a header line.

    pandas' integer parser is lax (``true`` -> 1, ``1.0`` -> 1, ``1e3`` -> 1000, ``+5``), and
    reading the columns as text instead costs 7x; so the bytes between the first and third
    tab of each line are checked with numpy, a block at a time (memory stays bounded).
    Any other line shape (fewer tabs, blank lines, CR) answers False: the line-by-line
    reader then decides, with the file and line of any problem.
    """
    with open_binary(path) as handle:
        for _ in range(skip):
            body = handle.readline().removesuffix(b"\n").removesuffix(b"\r")
            if b"\r" in body:  # a lone CR: where pandas' lines start differs from ours
                return False
        tail = b""
        while True:
            block = handle.read(_SCAN_BLOCK)
            data = tail + block
            if not data:
                return True
            cut = data.rfind(b"\n") + 1 if block else len(data)
            if cut == 0:
                tail = data
                continue
            tail = data[cut:]
            if not _block_coordinates_are_digits(np.frombuffer(data, np.uint8, cut)):
                return False
            if not block:
                return True


def _starts_with_header(arr: np.ndarray, starts: np.ndarray) -> bool:
    first = arr[np.minimum(starts, len(arr) - 1)]
    if (first == ord("#")).any():
        return True
    for prefix in (b"track", b"browser"):
        at = starts[(first == prefix[0]) & (starts + len(prefix) <= len(arr))]
        if len(at):
            window = arr[at[:, None] + np.arange(len(prefix))]
            if (window == np.frombuffer(prefix, np.uint8)).all(axis=1).any():
                return True
    return False


def _block_coordinates_are_digits(arr: np.ndarray) -> bool:
    ends = np.flatnonzero(arr == 10)
    if len(ends) == 0 or ends[-1] != len(arr) - 1:  # a last line without its newline
        ends = np.append(ends, len(arr))
    starts = np.concatenate(([0], ends[:-1] + 1))
    returns = np.flatnonzero(arr == 13)
    if len(returns):
        # CRLF is a line end (pandas agrees); a lone CR is one for pandas, not for the
        # line-by-line reader, which then decides
        if returns[-1] + 1 >= len(arr) or (arr[returns + 1] != 10).any():
            return False
        ends = ends - (arr[np.maximum(ends - 1, 0)] == 13)
    tabs = np.flatnonzero(arr == 9)
    first = np.searchsorted(tabs, starts)  # the first tab at or after each line start
    if first[-1] + 1 >= len(tabs) and len(ends):
        return False
    t1 = tabs[first]
    t2 = tabs[np.minimum(first + 1, len(tabs) - 1)]
    t3 = np.append(tabs, len(arr) + 1)[np.minimum(first + 2, len(tabs))]
    stop = np.minimum(t3, ends)  # column 3 ends at the third tab or the line end
    if not ((t1 < ends) & (t2 < ends) & (t1 + 1 < t2) & (t2 + 1 < stop)).all():
        return False
    if _starts_with_header(arr, starts):
        return False  # a comment line after the first record
    # int32: a block is at most a few MB; (an int64 cumsum of bools is 15x slower)
    # (arr - 48) wraps below '0' in uint8: one compare finds the bytes that are not digits
    not_digit = np.concatenate(([0], np.cumsum((arr - 48) > 9, dtype=np.int32)))
    # between t1 and stop only digits and the one tab t2
    return bool((not_digit[stop] - not_digit[t1 + 1] == 1).all())


def _first_line_width(path: str, skip: int) -> int:
    with open_text(path) as handle:
        for _ in range(skip):
            handle.readline()
        return handle.readline().count("\t") + 1


def _read_bed_fast(path: str, min_columns: int) -> BedTable | None:
    """Parse a well-formed file with pandas' C reader; None means "use the checking path".

    A Python loop over lines costs ~5 s per million rows, pandas ~0.5 s; anything unusual
    (blank or comment lines mid-file, ragged rows, bad numbers) falls back to the
    line-by-line reader, which reports the exact file and line.
    """
    import csv

    import pandas as pd

    skip = _leading_header_lines(path)
    width = _first_line_width(path, skip)
    # every column but the coordinates as text: '007' stays '007' (no type inference)
    dtype = {j: object for j in range(max(width, 3))}
    dtype.update({1: np.int64, 2: np.int64})
    try:
        frame = pd.read_csv(
            path,
            sep="\t",
            header=None,
            dtype=dtype,
            na_filter=False,
            skiprows=skip,
            skip_blank_lines=False,
            quoting=csv.QUOTE_NONE,
            engine="c",
            compression=compression_of(path),
        )
    except (
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        ValueError,
        TypeError,
        OverflowError,
        UnicodeDecodeError,
        OSError,
        EOFError,
    ):
        return None
    if frame.shape[1] < min_columns or len(frame) == 0:
        return None
    chroms = frame[0].to_numpy(dtype=object)
    if not _coordinates_are_digits(path, skip):
        return None
    starts = frame[1].to_numpy(dtype=np.int64)
    ends = frame[2].to_numpy(dtype=np.int64)
    if ((starts < 0) | (ends < starts) | (ends > MAX_COORDINATE)).any():
        return None
    if any((frame[j].astype(str) == "").any() for j in range(3, min_columns)):
        return None
    extra = [frame[j].astype(str).to_numpy(dtype=object) for j in range(3, frame.shape[1])]
    lines = np.arange(len(frame), dtype=np.int64) + skip + 1
    return BedTable(path, chroms, starts, ends, extra, lines)


def read_bed(path: str | os.PathLike, min_columns: int = 3, what: str = "BED file") -> BedTable:
    """Read a BED-like file (``chrom, start, end, ...``) into a :class:`BedTable`.

    Parameters
    ----------
    path
        Plain, gzip or bgzip text file; ``#``, ``track`` and ``browser`` lines are skipped.
    min_columns
        Lines with fewer columns are an error.
    what
        How to describe the file in error messages.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    InputFormatError
        A line has too few columns, a non-integer coordinate, a negative start or
        ``end < start``; the message names the file and line.
    """
    path = require_file(path, what)
    fast = _read_bed_fast(path, min_columns)
    if fast is not None:
        return fast
    chroms: list[str] = []
    starts: list[str] = []
    ends: list[str] = []
    rest: list[list[str]] = []
    lines: list[int] = []
    for lineno, fields in iter_data_lines(path):
        if len(fields) < min_columns:
            raise InputFormatError(
                path,
                f"expected at least {min_columns} tab-separated columns, found {len(fields)}",
                lineno,
            )
        chroms.append(fields[0])
        starts.append(fields[1])
        ends.append(fields[2])
        rest.append(fields[3:])
        lines.append(lineno)
    start_arr = _parse_ints(starts, lines, path, "start")
    end_arr = _parse_ints(ends, lines, path, "end")
    bad = np.nonzero((start_arr < 0) | (end_arr < start_arr))[0]
    if len(bad):
        i = int(bad[0])
        raise InputFormatError(
            path,
            f"invalid interval start={start_arr[i]}, end={end_arr[i]} (need 0 <= start <= end)",
            lines[i],
        )
    n_extra = max((len(r) for r in rest), default=0)
    extra = [
        np.array([r[j] if j < len(r) else "" for r in rest], dtype=object) for j in range(n_extra)
    ]
    return BedTable(
        path,
        np.array(chroms, dtype=object),
        start_arr,
        end_arr,
        extra,
        np.array(lines, dtype=np.int64),
    )


# -- streaming intervals for prediction ----------------------------------------------------------
#: Lines read and checked together; a block with any line that is not a plain usable
#: interval is parsed line by line instead (which also gives the reasons).
BED_BLOCK_LINES = 512

_STRAND_SET = frozenset(STRANDS)
#: Python's int() refuses more than 4,300 digits; long before that a number is too large.
_MAX_DIGITS = 4000

#: ``check_windows(chroms, starts, ends) -> {row: reason}``: the intervals (FASTA chromosome
#: names, Python ints) whose sequence window cannot be used.
IntervalCheck = Callable[[list, list, list], dict[int, str]]


@dataclass
class IntervalRows:
    """The usable intervals of consecutive lines of a BED file, column by column.

    ``index`` is the 0-based line number in the file; ``chroms`` FASTA names; ``strands``
    ``+``, ``-`` or ``.``; ``na_lines`` the rejected lines (in file order), each with a tab
    and the reason; ``n_lines`` the data lines read; ``short_strand`` the lines too short to
    hold the strand column (their strand is ``.``).
    """

    index: list[int] = field(default_factory=list)
    chroms: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    strands: list[str] = field(default_factory=list)
    na_lines: list[str] = field(default_factory=list)
    n_lines: int = 0
    short_strand: int = 0

    def __len__(self) -> int:
        return len(self.index)

    def columns(self) -> tuple[list, ...]:
        return self.index, self.chroms, self.starts, self.ends, self.strands


def read_intervals(
    path: str | os.PathLike,
    match: Callable[[str], str | None],
    strand_index: int | None = None,
    check_windows: IntervalCheck | None = None,
    block_lines: int | None = None,
    lines: range | None = None,
) -> Iterator[IntervalRows]:
    """Stream a BED file's intervals, a block of lines at a time, for prediction.

    A line is rejected (to ``na_lines``, with the reason) when it has fewer than 3
    tab-separated columns, a start or end that is not a non-negative integer, ``end <
    start``, a chromosome ``match`` does not know (it maps BED names to FASTA names), a
    strand other than ``+``, ``-`` or ``.`` in column ``strand_index``, or a window that
    ``check_windows`` refuses. Header (``#``, ``track``, ``browser``) and blank lines are
    skipped. Blocks of plain lines are checked column by column. ``lines``: only these
    0-based line indices (one rank's share under torchrun); None: all.
    """
    size = block_lines or BED_BLOCK_LINES
    with open_text(path) as handle:
        first = 0
        while True:
            texts = [raw.rstrip("\r\n") for raw in islice(handle, size)]
            if not texts:
                return
            if lines is not None:
                if first >= lines.stop:
                    return
                if first + len(texts) <= lines.start:
                    first += len(texts)
                    continue
                # lines outside the share become blank lines, which are skipped
                texts = [t if first + i in lines else "" for i, t in enumerate(texts)]
            rows = _plain_block(first, texts, match, strand_index)
            if rows is None:
                rows, na = _parse_lines(first, texts, match, strand_index)
            else:
                na = []
            if check_windows is not None and len(rows):
                failed = check_windows(rows.chroms, rows.starts, rows.ends)
                if failed:
                    na += [(rows.index[i], reason) for i, reason in failed.items()]
                    keep = [i for i in range(len(rows)) if i not in failed]
                    for column in rows.columns():
                        column[:] = [column[i] for i in keep]
            if na:
                na.sort(key=lambda entry: entry[0])
                rows.na_lines = [f"{texts[i - first]}\t{reason}" for i, reason in na]
            first += len(texts)
            yield rows


def _plain_block(
    first: int, texts: list[str], match, strand_index: int | None
) -> IntervalRows | None:
    """The rows of a block whose lines are all plain intervals (digits-only start and end,
    known chromosome, a valid strand), checked column by column; None when any is not."""
    fields = [t.split("\t") for t in texts]
    need = 3 if strand_index is None else max(3, strand_index + 1)
    if min(map(len, fields)) < need:
        return None
    starts_text = [f[1] for f in fields]
    ends_text = [f[2] for f in fields]
    joined = "".join(starts_text) + "".join(ends_text)
    if not (joined.isascii() and joined.isdigit() and all(starts_text) and all(ends_text)):
        return None
    if max(map(len, starts_text)) > 18 or max(map(len, ends_text)) > 18:  # int64
        return None
    names = [f[0] for f in fields]
    found = {name: match(name) for name in set(names)}
    if None in found.values() or any(n.startswith(_HEADER_PREFIXES) for n in found):
        return None
    if strand_index is None:
        strands = ["."] * len(texts)
    else:
        strands = [f[strand_index] for f in fields]
        if not _STRAND_SET.issuperset(strands):
            return None
    starts = list(map(int, starts_text))
    ends = list(map(int, ends_text))
    if any(map(int.__lt__, ends, starts)) or max(ends) > MAX_COORDINATE:
        return None
    index = list(range(first, first + len(texts)))
    chroms = list(map(found.__getitem__, names))
    return IntervalRows(index, chroms, starts, ends, strands, n_lines=len(texts))


def _parse_lines(
    first: int, texts: list[str], match, strand_index: int | None
) -> tuple[IntervalRows, list[tuple[int, str]]]:
    """One line at a time: the usable rows, and ``(line number, reason)`` of the others."""
    rows = IntervalRows()
    na: list[tuple[int, str]] = []
    for index, text in enumerate(texts, first):
        if not text.strip() or text.startswith(_HEADER_PREFIXES):
            continue
        rows.n_lines += 1
        fields = text.split("\t")
        if len(fields) < 3:
            na.append((index, "fewer than 3 tab-separated columns"))
            continue
        chrom_in, start_text, end_text = fields[0], fields[1].strip(), fields[2].strip()
        # isdecimal, not isdigit: int() rejects digits such as superscripts
        if not (start_text.isdecimal() and end_text.isdecimal()):
            reason = f"start {start_text!r} / end {end_text!r} are not non-negative integers"
            na.append((index, reason))
            continue
        # before int(): Python refuses to convert more than 4,300 digits
        if max(len(start_text.lstrip("0")), len(end_text.lstrip("0"))) > _MAX_DIGITS:
            na.append((index, "start or end has thousands of digits: larger than any chromosome"))
            continue
        start, end = int(start_text), int(end_text)
        if end < start:
            na.append((index, f"end {end} is before start {start}"))
            continue
        if end > MAX_COORDINATE:
            na.append((index, f"end {end} is larger than any chromosome"))
            continue
        chrom = match(chrom_in)
        if chrom is None:
            na.append((index, f"chromosome {chrom_in!r} is not in the reference FASTA"))
            continue
        strand = "."
        if strand_index is not None:
            if strand_index >= len(fields):
                rows.short_strand += 1
            else:
                strand = fields[strand_index].strip()
                if strand not in STRANDS:
                    na.append((index, f"strand {fields[strand_index]!r} is not '+', '-' or '.'"))
                    continue
        rows.index.append(index)
        rows.chroms.append(chrom)
        rows.starts.append(start)
        rows.ends.append(end)
        rows.strands.append(strand)
    return rows, na
