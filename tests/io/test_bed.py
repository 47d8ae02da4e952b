"""BED reader: both parse paths agree, headers are skipped, errors name file and line."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selene_sdk.errors import InputFormatError
from selene_sdk.io import bed as bedmod
from selene_sdk.io.bed import read_bed

rows = st.lists(
    st.tuples(
        st.sampled_from(["chr1", "chr2", "scaffold_1"]),
        st.integers(0, 10**9),
        st.integers(0, 10**6),
        st.text(alphabet="ABCxyz_-.|", min_size=1, max_size=8),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows)
def test_fast_and_checking_paths_agree(tmp_path, data):
    path = tmp_path / "r.bed"
    path.write_text("track name=x\n" + "".join(f"{c}\t{s}\t{s + n}\t{f}\n" for c, s, n, f in data))
    fast = read_bed(path, min_columns=4)
    # force the line-by-line reader
    slow = _read_slow(path)
    for table in (fast, slow):
        assert list(table.chroms) == [r[0] for r in data]
        np.testing.assert_array_equal(table.starts, [r[1] for r in data])
        np.testing.assert_array_equal(table.ends, [r[1] + r[2] for r in data])
        assert list(table.column(3)) == [r[3] for r in data]
        np.testing.assert_array_equal(table.lines, np.arange(2, len(data) + 2))


def _read_slow(path):
    original = bedmod._read_bed_fast
    bedmod._read_bed_fast = lambda *a, **k: None
    try:
        return read_bed(path, min_columns=4)
    finally:
        bedmod._read_bed_fast = original


def test_blank_and_comment_lines_keep_true_line_numbers(tmp_path):
    path = tmp_path / "c.bed"
    path.write_text("#h\n\nchr1\t0\t5\n# mid comment\nchr1\t5\tten\n")
    with pytest.raises(InputFormatError, match=r"c.bed:5: end 'ten'"):
        read_bed(path)


def test_ragged_rows_and_whitespace_only_separators(tmp_path):
    path = tmp_path / "w.bed"
    path.write_text("chr1 0 5 a extra\nchr1\t7\t9\n")
    table = read_bed(path)
    assert list(table.column(3)) == ["a", ""]
    np.testing.assert_array_equal(table.ends, [5, 9])


def test_gzip_detected_by_content(tmp_path):
    path = tmp_path / "noext"
    with gzip.open(path, "wt") as out:
        out.write("chr1\t3\t4\n")
    assert read_bed(path).starts.tolist() == [3]


def test_too_few_columns(tmp_path):
    path = tmp_path / "few.bed"
    path.write_text("chr1\t3\t4\nchr1\t5\n")
    with pytest.raises(InputFormatError, match=r"few.bed:2: expected at least 3"):
        read_bed(path)


def test_empty_file_gives_empty_table(tmp_path):
    path = tmp_path / "empty.bed"
    path.write_text("")
    assert len(read_bed(path)) == 0


@pytest.mark.parametrize("column", [1, 2])
def test_coordinates_too_large_for_int64_name_the_line(tmp_path, column):
    """A 20-digit start or end raised numpy's OverflowError before."""
    fields = ["chr1", "5", "10"]
    fields[column] = "99999999999999999999"
    path = tmp_path / "big.bed"
    path.write_text("chr1\t1\t2\n" + "\t".join(fields) + "\n")
    what = "start" if column == 1 else "end"
    with pytest.raises(InputFormatError) as info:
        read_bed(path)
    assert str(info.value) == (
        f"{path}:2: {what} 99999999999999999999 is larger than any chromosome "
        "(at most 1,099,511,627,776)"
    )


def test_coordinates_just_under_the_limit_are_read(tmp_path):
    path = tmp_path / "edge.bed"
    path.write_text(f"chr1\t0\t{bedmod.MAX_COORDINATE}\n")
    assert read_bed(path).ends.tolist() == [bedmod.MAX_COORDINATE]
