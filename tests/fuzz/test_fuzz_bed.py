"""Fuzzing the BED readers: ``read_bed`` (whole files, for targets and blacklists) and
``read_intervals`` (streamed, for prediction).

Both are checked against a plain line-by-line reading of the same text written from their
documentation (the oracles below). ``read_bed`` has two paths -- pandas' C reader for
well-formed files, a checking line-by-line loop otherwise -- so it is also checked with the
fast path switched off: the two must agree.
"""

from __future__ import annotations

import gzip
import re
from contextlib import contextmanager
from unittest import mock

import numpy as np
import pytest
from hypothesis import event, given, reject
from hypothesis import strategies as st

from selene_sdk.errors import InputFormatError
from selene_sdk.io import bed
from selene_sdk.io.bed import MAX_COORDINATE, read_bed, read_intervals
from selene_sdk.predict.inputs import ChromMatcher

from .inputs import (
    decompressed,
    file_with,
    fuzz,
    hostile,
    reader_contract,
    stored_file,
    universal_lines,
    wrap,
)

_HEADERS = ("#", "track", "browser")
CHROMS = ["chr1", "chr2", "chrM", "1", "X", "chrUn", "track1", "#c", ""]


@st.composite
def bed_text(draw) -> bytes:
    """A BED file that is valid or close to it."""
    lines = []
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["track name=x", "browser position chr1", "#h"])))
    width = draw(st.integers(3, 7))
    for _ in range(draw(st.integers(0, 10))):
        start = draw(st.integers(0, 500))
        fields = [
            draw(st.sampled_from(CHROMS)),
            str(start),
            str(start + draw(st.integers(-2, 300))),
            draw(st.sampled_from(["peak", "007", "1", "2.50", "x y", "."])),
            draw(st.sampled_from(["0", "960", "1e3", "-1"])),
            draw(st.sampled_from(["+", "-", ".", "?", ""])),
            draw(st.sampled_from(["a", "1"])),
        ]
        lines.append("\t".join(fields[: draw(st.sampled_from([width] * 4 + [3, 4, 6]))]))
    if lines and draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["", "#mid", "  "])))
    return ("\n".join(lines) + "\n").encode() if lines else b""


BED_INPUT = hostile(bed_text(), b"chr0123456789\t\n\r -+.#e")


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def expected_bed(content: bytes, min_columns: int):
    """``("error", bad lines)`` or ``("ok", chroms, starts, ends, extra, lines)``."""
    rows, short, bad = [], [], []
    for lineno, line in enumerate(universal_lines(content.decode("utf-8", "replace")), 1):
        if not line.strip() or line.startswith(_HEADERS):
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) < min_columns:
            short.append(lineno)
            continue
        start, end = _int(fields[1]), _int(fields[2])
        if start is None or end is None or not (0 <= start <= end) or end > MAX_COORDINATE:
            bad.append(lineno)
        rows.append((lineno, fields))
    if short or bad:
        return ("error", set(short or bad))
    n_extra = max((len(f) - 3 for _, f in rows), default=0)
    return (
        "ok",
        [f[0] for _, f in rows],
        [int(f[1]) for _, f in rows],
        [int(f[2]) for _, f in rows],
        [[f[3 + j] if 3 + j < len(f) else "" for _, f in rows] for j in range(n_extra)],
        [lineno for lineno, _ in rows],
    )


def _table(table) -> tuple:
    assert table.chroms.dtype == object and table.starts.dtype == np.int64
    assert table.ends.dtype == np.int64 and table.lines.dtype == np.int64
    n = len(table)
    assert len(table.chroms) == len(table.ends) == len(table.lines) == n
    assert all(len(column) == n for column in table.extra)
    assert ((0 <= table.starts) & (table.starts <= table.ends)).all()
    assert (table.ends <= MAX_COORDINATE).all()
    return (
        [str(c) for c in table.chroms],
        table.starts.tolist(),
        table.ends.tolist(),
        [list(column) for column in table.extra],
        table.lines.tolist(),
    )


@contextmanager
def _no_fast_path():
    with mock.patch.object(bed, "_read_bed_fast", return_value=None):
        yield


def _read(path, min_columns: int, fast: bool):
    """``("error", exc)`` or ``("ok", table tuple)`` (any other exception propagates)."""
    with reader_contract(path) as error:
        if fast:
            table = read_bed(path, min_columns=min_columns)
        else:
            with _no_fast_path():
                table = read_bed(path, min_columns=min_columns)
    if error:
        return ("error", error[0])
    return ("ok", _table(table))


@fuzz(ci=50)
@given(stored_file(BED_INPUT), st.sampled_from([3, 3, 4, 6]))
def test_read_bed_line_by_line(stored, min_columns):
    """The checking path against the oracle."""
    data, container, _ = stored
    content = decompressed(data, container)
    if container == "plain" and content.startswith(b"\x1f\x8b"):
        content = decompressed(content, "gzip")
    with file_with(data, "regions.bed") as path:
        got = _read(path, min_columns, fast=False)
        event(f"{container}: {got[0]}")
        if content is None:
            assert got[0] == "error", "read a broken gzip stream without a word"
            return
        want = expected_bed(content, min_columns)
        if got[0] == "error":
            assert want[0] == "error", f"refused a valid file: {got[1]}"
            line = getattr(got[1], "line", None)
            assert line in want[1], f"error at line {line}, expected one of {sorted(want[1])}"
            return
        assert want[0] == "ok", f"accepted a file with bad lines {sorted(want[1])}"
        assert got[1] == tuple(want[1:])


@fuzz(ci=50)
@given(stored_file(BED_INPUT), st.sampled_from([3, 3, 4, 6]))
def test_read_bed_fast_path_agrees(stored, min_columns):
    """pandas' fast path gives what the checking path gives (table, or an error)."""
    data = stored[0]
    with file_with(data, "regions.bed") as path:
        slow = _read(path, min_columns, fast=False)
        fast = _read(path, min_columns, fast=True)
    if fast[0] == slow[0] == "error":
        return
    assert fast == slow


def test_read_bed_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="blacklist file not found"):
        read_bed(tmp_path / "absent.bed", what="blacklist file")


# -- read_intervals -----------------------------------------------------------------------------
def expected_intervals(content: bytes, reference: list[str], strand_index, refuse):
    """What read_intervals must give, concatenated over its blocks."""
    match = ChromMatcher(reference)
    texts = universal_lines(content.decode("utf-8", "replace"))
    rows, na, n_lines, short_strand = [], [], 0, 0
    for index, text in enumerate(texts):
        if not text.strip() or text.startswith(_HEADERS):
            continue
        n_lines += 1
        fields = text.split("\t")
        if len(fields) < 3:
            na.append(index)
            continue
        start_text, end_text = fields[1].strip(), fields[2].strip()
        if not (start_text.isdecimal() and end_text.isdecimal()):
            na.append(index)
            continue
        start, end = int(start_text), int(end_text)
        chrom = match(fields[0])
        if end < start or end > MAX_COORDINATE or chrom is None:
            na.append(index)
            continue
        strand = "."
        if strand_index is not None:
            if strand_index >= len(fields):
                short_strand += 1
            else:
                strand = fields[strand_index].strip()
                if strand not in ("+", "-", "."):
                    na.append(index)
                    continue
        if refuse and (start + end) % 3 == 0:
            na.append(index)
            continue
        rows.append((index, chrom, start, end, strand))
    return rows, [texts[i] for i in sorted(na)], n_lines, short_strand


@fuzz(ci=50)
@given(
    BED_INPUT,
    st.sampled_from(["plain", "plain", "gzip", "bgzip"]),
    st.lists(st.sampled_from(["chr1", "chr2", "chrM", "X", "track1"]), unique=True),
    st.sampled_from([None, None, 3, 5]),
    st.booleans(),
    st.sampled_from([None, 1, 2, 3]),
)
def test_read_intervals(content, container, reference, strand_index, refuse, block_lines):
    calls = []

    def check_windows(chroms, starts, ends):
        calls.append(len(chroms))
        assert all(isinstance(x, int) for x in (*starts, *ends))
        return {i: "window refused" for i in range(len(chroms)) if (starts[i] + ends[i]) % 3 == 0}

    data = wrap(content, container)
    if container == "plain" and data.startswith(b"\x1f\x8b"):
        reject()
    want = expected_intervals(content, reference, strand_index, refuse)
    with file_with(data, "regions.bed") as path:
        blocks = []
        with reader_contract(path) as error:
            blocks = list(
                read_intervals(
                    path,
                    ChromMatcher(reference),
                    strand_index,
                    check_windows if refuse else None,
                    block_lines,
                )
            )
    assert not error, f"read_intervals reports bad lines instead of raising: {error}"
    rows, na, n_lines, short = [], [], 0, 0
    for block in blocks:
        assert len(block.index) == len(block.chroms) == len(block.starts) == len(block)
        assert len(block.ends) == len(block.strands) == len(block)
        rows += list(zip(block.index, block.chroms, block.starts, block.ends, block.strands))
        na += block.na_lines
        n_lines += block.n_lines
        short += block.short_strand
    assert rows == want[0]
    assert [line.rsplit("\t", 1)[0] for line in na] == want[1]
    assert all(line.rsplit("\t", 1)[1] for line in na)  # each with a reason
    assert (n_lines, short) == want[2:]
    for _, chrom, start, end, strand in rows:
        assert chrom in reference and 0 <= start <= end <= MAX_COORDINATE
        assert strand in ("+", "-", ".")


# -- reported bugs, pinned with their minimal inputs ---------------------------------------------
@pytest.mark.parametrize("reader", ["read_bed", "read_intervals"])
def test_bed_truncated_gzip_is_an_input_error(tmp_path, reader):
    path = tmp_path / "regions.bed.gz"
    path.write_bytes(gzip.compress(b"chr1\t1\t5\n", mtime=0)[:-4])  # no length trailer
    with pytest.raises(InputFormatError, match=re.escape(str(path))):
        if reader == "read_bed":
            read_bed(path)
        else:
            list(read_intervals(path, ChromMatcher(["chr1"])))


def test_read_intervals_huge_number_goes_to_na(tmp_path):
    path = tmp_path / "regions.bed"
    path.write_text("chr1\t" + "1" * 4301 + "\t5\n")
    (rows,) = read_intervals(path, ChromMatcher(["chr1"]))
    assert len(rows) == 0 and len(rows.na_lines) == 1


@pytest.mark.parametrize("start", ["true", "1.0"])
def test_read_bed_non_integer_start_is_refused(tmp_path, start):
    path = tmp_path / "regions.bed"
    path.write_text(f"chr1\t{start}\t5\n")
    with pytest.raises(InputFormatError, match="is not an integer"):
        read_bed(path)


def test_read_bed_keeps_extra_column_text(tmp_path):
    path = tmp_path / "regions.bed"
    path.write_text("chr1\t1\t5\t007\t2.50\n")
    table = read_bed(path)
    assert [list(c) for c in table.extra] == [["007"], ["2.50"]]


def test_read_bed_skips_comment_lines_mid_file(tmp_path):
    path = tmp_path / "regions.bed"
    path.write_text("chr1\t0\t10\n#chr1\t5\t10\n")
    table = read_bed(path)
    assert list(table.chroms) == ["chr1"] and table.lines.tolist() == [1]


def test_read_bed_coordinate_below_int64_is_refused(tmp_path):
    path = tmp_path / "regions.bed"
    path.write_text("chr1\t-9223372036854775809\t5\n")
    with pytest.raises(InputFormatError, match=re.escape(f"{path}:1:")):
        read_bed(path)
