"""The streaming BED reader of prediction inputs: reasons, order, and the column-wise block
path against a naive line-by-line reading."""

from __future__ import annotations

import gzip

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selene_sdk.io.bed import read_intervals

KNOWN = {"chr1": "chr1", "1": "chr1", "chr2": "chr2"}


def match(name: str) -> str | None:
    return KNOWN.get(name)


def read_all(path, strand_index=None, check=None, block_lines=None):
    rows = {"index": [], "chroms": [], "starts": [], "ends": [], "strands": []}
    na, n_lines, short = [], 0, 0
    for block in read_intervals(path, match, strand_index, check, block_lines):
        for key in rows:
            rows[key] += getattr(block, key)
        na += block.na_lines
        n_lines += block.n_lines
        short += block.short_strand
    return rows, na, n_lines, short


def test_reasons_in_file_order_and_headers_skipped(tmp_path):
    path = tmp_path / "r.bed"
    path.write_text(
        "track name=x\n"
        "chr1\t10\t20\ta\t0\t+\n"
        "chr1\t5\n"
        "chrX\t1\t2\tb\t0\t+\n"
        "1\t30\t40\tc\t0\t-\n"
        "\n"
        "chr2\tx\t4\n"
        "chr2\t9\t3\n"
        "chr2\t1\t3\td\t0\t?\n"
        "# comment\n"
        "chr2\t1\t2\te\n"
    )
    rows, na, n_lines, short = read_all(path, strand_index=5)
    assert rows == {
        "index": [1, 4, 10],
        "chroms": ["chr1", "chr1", "chr2"],
        "starts": [10, 30, 1],
        "ends": [20, 40, 2],
        "strands": ["+", "-", "."],
    }
    assert [line.split("\t")[-1] for line in na] == [
        "fewer than 3 tab-separated columns",
        "chromosome 'chrX' is not in the reference FASTA",
        "start 'x' / end '4' are not non-negative integers",
        "end 3 is before start 9",
        "strand '?' is not '+', '-' or '.'",
    ]
    assert na[0] == "chr1\t5\tfewer than 3 tab-separated columns"
    assert n_lines == 8 and short == 1


def test_window_check_rejects_in_place_and_keeps_order(tmp_path):
    path = tmp_path / "r.bed"
    path.write_text("chr1\t0\t10\nchr1\t5\t6\nchr2\tbad\t1\nchr1\t100\t200\n")
    calls = []

    def check(chroms, starts, ends):
        calls.append(len(chroms))
        return {i: "window too close to the start" for i, s in enumerate(starts) if s < 10}

    rows, na, _, _ = read_all(path, check=check)
    assert rows["index"] == [3]
    assert [line.split("\t")[-1] for line in na] == [
        "window too close to the start",
        "window too close to the start",
        "start 'bad' / end '1' are not non-negative integers",
    ]
    assert calls == [3]  # one call per block, for the usable rows only


def test_gzip_crlf_and_superscript_digits(tmp_path):
    path = tmp_path / "r.bed.gz"
    with gzip.open(path, "wt", newline="") as handle:
        handle.write("chr1\t1\t5\r\nchr1\t1\u00b2\t5\r\n")
    rows, na, _, _ = read_all(path)
    assert rows["starts"] == [1] and rows["ends"] == [5]
    assert na == ["chr1\t1\u00b2\t5\tstart '1\u00b2' / end '5' are not non-negative integers"]


_line = st.one_of(
    st.tuples(
        st.sampled_from(["chr1", "1", "chr2", "chrZ", "#x", "track"]),
        st.one_of(st.integers(0, 300).map(str), st.sampled_from(["", "-1", "a", " 7"])),
        st.one_of(st.integers(0, 300).map(str), st.sampled_from(["", "9" * 25])),
        st.sampled_from(["+", "-", ".", "?", " +", ""]),
    ).map(lambda t: "\t".join([t[0], t[1], t[2], "n", "0", t[3]]) if t[3] else "\t".join(t[:3])),
    st.sampled_from(["", "chr1", "chr1\t3", "   "]),
)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_line, max_size=30), block=st.integers(1, 8))
def test_blocks_agree_with_one_line_at_a_time(tmp_path, lines, block):
    path = tmp_path / "h.bed"
    path.write_text("\n".join(lines) + ("\n" if lines else ""))

    def check(chroms, starts, ends):
        return {i: f"odd window {s}" for i, s in enumerate(starts) if s % 7 == 3}

    one_at_a_time = read_all(path, 5, check, block_lines=1)
    assert read_all(path, 5, check, block_lines=block) == one_at_a_time
    assert read_all(path, 5, check, block_lines=10_000) == one_at_a_time


def test_coordinates_too_large_go_to_the_na_lines(tmp_path):
    path = tmp_path / "big.bed"
    path.write_text(
        "chr1\t10\t20\n"
        "chr1\t99999999999999999999\t99999999999999999999999\n"
        "chr1\t1099511627775\t1099511627777\n"
        "chr1\t30\t40\n"
    )
    for block in (None, 1):
        rows, na, n_lines, _ = read_all(path, block_lines=block)
        assert rows["starts"] == [10, 30] and n_lines == 4
        assert na == [
            "chr1\t99999999999999999999\t99999999999999999999999\tend "
            "99999999999999999999999 is larger than any chromosome",
            "chr1\t1099511627775\t1099511627777\tend 1099511627777 is larger than any chromosome",
        ]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 30), st.integers(1, 4), st.integers(1, 7))
def test_shares_of_lines_partition_rows_and_rejected_lines(tmp_path, n, world, block):
    lines = ["track name=t"]
    for i in range(n):
        lines.append(
            ["chr1\t{0}\t{1}", "chrZ\t{0}\t{1}", "chr1\tx\t{1}", ""][i % 4].format(i, i + 5)
        )
    path = tmp_path / "r.bed"
    path.write_text("\n".join(lines) + "\n")
    total = len(lines)

    def rows(share):
        got, na = [], []
        for b in read_intervals(path, match, None, None, block, lines=share):
            got += list(zip(b.index, b.starts))
            na += b.na_lines
        return got, na

    whole = rows(None)
    parts = [rows(range(total * r // world, total * (r + 1) // world)) for r in range(world)]
    assert [x for p in parts for x in p[0]] == whole[0]
    assert [x for p in parts for x in p[1]] == whole[1]
