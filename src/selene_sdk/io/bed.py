"""BED-like interval files (plain, gzip or bgzip), read whole into column arrays.

No tabix index is needed: files are read once and queried from memory (see
:mod:`selene_sdk.intervals`). Errors name the file and the 1-based line number.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from selene_sdk.errors import InputFormatError, require_file

__all__ = ["BedTable", "iter_data_lines", "open_text", "read_bed"]

_HEADER_PREFIXES = ("#", "track", "browser")


def _is_gzip(path: str | os.PathLike) -> bool:
    with open(path, "rb") as probe:
        return probe.read(2) == b"\x1f\x8b"


def open_text(path: str | os.PathLike):
    """Open a text file for reading, transparently decompressing gzip/bgzip (by magic bytes)."""
    path = os.fspath(path)
    if _is_gzip(path):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline=None)
    return open(path, encoding="utf-8", errors="replace", newline=None)


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


def _parse_ints(values: list[str], lines: list[int], path: str, what: str) -> np.ndarray:
    try:
        return np.array(values, dtype=np.int64)
    except (ValueError, OverflowError):
        for value, lineno in zip(values, lines):
            try:
                int(value)
            except ValueError:
                raise InputFormatError(
                    path, f"{what} {value!r} is not an integer", lineno
                ) from None
        raise  # pragma: no cover - numpy and int() disagree


def _leading_header_lines(path: str) -> int:
    count = 0
    with open_text(path) as handle:
        for line in handle:
            if line.startswith(_HEADER_PREFIXES):
                count += 1
            else:
                break
    return count


def _read_bed_fast(path: str, min_columns: int) -> BedTable | None:
    """Parse a well-formed file with pandas' C reader; None means "use the checking path".

    A Python loop over lines costs ~5 s per million rows, pandas ~0.5 s; anything unusual
    (blank or comment lines mid-file, ragged rows, bad numbers) falls back to the
    line-by-line reader, which reports the exact file and line.
    """
    import csv

    import pandas as pd

    skip = _leading_header_lines(path)
    try:
        frame = pd.read_csv(
            path,
            sep="\t",
            header=None,
            dtype={0: object, 1: np.int64, 2: np.int64},
            na_filter=False,
            skiprows=skip,
            skip_blank_lines=False,
            quoting=csv.QUOTE_NONE,
            engine="c",
            compression="gzip" if _is_gzip(path) else None,
        )
    except (
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        ValueError,
        TypeError,
        UnicodeDecodeError,
        OSError,
        EOFError,
    ):
        return None
    if frame.shape[1] < min_columns or len(frame) == 0:
        return None
    chroms = frame[0].to_numpy(dtype=object)
    starts = frame[1].to_numpy(dtype=np.int64)
    ends = frame[2].to_numpy(dtype=np.int64)
    if ((starts < 0) | (ends < starts)).any():
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
