"""Buffered atomic writers, the %.2e formatter and the annotated VCF writer."""

from __future__ import annotations

import os

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selene_sdk.io.numfmt import format_rows
from selene_sdk.io.vcf_writer import AnnotatedVcfWriter
from selene_sdk.io.writers import Hdf5Writer, LinesWriter, TsvWriter, WriterGroup


def slow_format(values):
    rows = np.asarray(values, np.float64).tolist()
    return ["\t".join(f"{v:.2e}" for v in row) for row in rows]


def test_format_rows_edge_values():
    values = np.array(
        [[0.0, -0.0, 1.125, 0.03125, np.nan, np.inf, -np.inf, 9.995, 1e-45, 5e-324],
         [1.0, 10.0, 100.0, 0.001, 1e22, 1e23, 999.5, 0.125, 1.5e-7, -2.5e-3]]
    )  # fmt: skip
    assert format_rows(values) == slow_format(values)
    assert format_rows(values[:1, :2]) == ["0.00e+00\t-0.00e+00"]
    assert format_rows(np.zeros((0, 3))) == []
    assert format_rows(np.array([[0.5, 0.25]]), sep="|") == ["5.00e-01|2.50e-01"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=1, max_size=5),
        min_size=1,
        max_size=5,
    ).filter(lambda rows: len({len(r) for r in rows}) == 1)
)
def test_format_rows_matches_python_float32(rows):
    values = np.array(rows, dtype=np.float32)
    assert format_rows(values) == slow_format(values)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=False), min_size=1, max_size=6))
def test_format_rows_matches_python_float64(row):
    values = np.array([row], dtype=np.float64)
    assert format_rows(values) == slow_format(values)


def test_format_rows_exhaustive_ties():
    values = (np.arange(1, 1 << 15) / 2.0**12).reshape(-1, 1)
    assert format_rows(values) == slow_format(values)


def test_tsv_writer_buffers_and_renames(tmp_path):
    path = tmp_path / "t.tsv"
    writer = TsvWriter(path, ["id"], ["a", "b"], buffer_bytes=64)
    writer.open()
    assert not path.exists()  # only a temporary file so far
    for i in range(20):
        writer.write(np.array([[i, 0.5]], dtype=np.float32), [f"r{i}"])
    assert not path.exists()
    writer.close()
    lines = path.read_text().splitlines()
    assert lines[0] == "id\ta\tb"
    assert lines[3] == "r2\t2.00e+00\t5.00e-01"
    assert len(lines) == 21
    assert os.listdir(tmp_path) == ["t.tsv"]


def test_hdf5_writer_appends_in_chunks(tmp_path):
    path = tmp_path / "x.h5"
    with Hdf5Writer(path, 3, buffer_bytes=50) as writer:
        for i in range(7):
            writer.write(np.full((2, 3), i, dtype=np.float32))
    with h5py.File(path) as h5:
        data = h5["data"][:]
        assert h5["data"].dtype == np.float64
    assert data.shape == (14, 3)
    np.testing.assert_array_equal(data[::2, 0], np.arange(7))


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 40), min_size=1, max_size=12),
    budget=st.integers(1, 2000),
    labelled=st.booleans(),
)
def test_table_writers_same_file_whatever_the_buffering(tmp_path_factory, sizes, budget, labelled):
    """Writes of any size against any budget (flushes mid-write, blocks larger than the
    whole budget, empty writes): the files hold every row once, in order."""
    tmp = tmp_path_factory.mktemp("buf")
    rng = np.random.default_rng(len(sizes) * 7919 + budget)
    blocks = [rng.standard_normal((n, 3)).astype(np.float32) for n in sizes]
    labels = [[f"r{i}_{j}" for j in range(len(b))] for i, b in enumerate(blocks)]
    with TsvWriter(tmp / "t.tsv", ["id"], ["a", "b", "c"], buffer_bytes=budget) as tsv:
        with Hdf5Writer(tmp / "t.h5", 3, buffer_bytes=budget) as h5:
            for block, names in zip(blocks, labels):
                tsv.write(block, names if labelled else None)
                h5.write(block)
    everything = np.concatenate(blocks)
    flat = [name for names in labels for name in names]
    expected = [f"{n}\t{r}" if labelled else r for n, r in zip(flat, slow_format(everything))]
    assert (tmp / "t.tsv").read_text().splitlines() == ["id\ta\tb\tc", *expected]
    with h5py.File(tmp / "t.h5") as f:
        np.testing.assert_array_equal(f["data"][:], everything.astype(np.float64))
    assert tsv.rows_written == h5.rows_written == len(everything)


@pytest.mark.parametrize("n_rows", [0, 1, 37, 3000])
@pytest.mark.parametrize("budget", [1, 8 * 50 * 16, 2**23])
def test_hdf5_known_size_is_the_file_h5py_writes(tmp_path, n_rows, budget):
    """A dataset of announced size is written from a file image, rows copied into place
    (flushed in pieces when the budget is small): the file is byte for byte the one h5py
    writes for the same array, and reads back."""
    rng = np.random.default_rng(n_rows)
    values = rng.standard_normal((n_rows, 50))
    with Hdf5Writer(tmp_path / "ours.h5", 50, buffer_bytes=budget, n_rows=n_rows) as writer:
        for lo in range(0, n_rows, 64):
            writer.write(values[lo : lo + 64].astype(np.float32).astype(np.float64))
    with h5py.File(tmp_path / "h5py.h5", "w") as h5:
        h5.create_dataset("data", data=values.astype(np.float32).astype(np.float64))
    assert (tmp_path / "ours.h5").read_bytes() == (tmp_path / "h5py.h5").read_bytes()
    with h5py.File(tmp_path / "ours.h5") as h5:
        assert h5["data"].shape == (n_rows, 50) and h5["data"].chunks is None
        np.testing.assert_array_equal(h5["data"][:], values.astype(np.float32))


def test_hdf5_known_size_beyond_the_image_limit_goes_through_h5py(tmp_path, monkeypatch):
    from selene_sdk.io import writers

    monkeypatch.setattr(writers, "IMAGE_MAX_BYTES", 8 * 3 * 10 - 1)
    values = np.arange(30.0).reshape(10, 3)
    with Hdf5Writer(tmp_path / "big.h5", 3, n_rows=10) as writer:
        assert writer._fd is None and writer._file is not None
        writer.write(values)
    with h5py.File(tmp_path / "big.h5") as h5:
        np.testing.assert_array_equal(h5["data"][:], values)


def test_hdf5_known_size_without_file_images_goes_through_h5py(tmp_path, monkeypatch):
    from selene_sdk.io import writers

    def no_images(*args):
        raise AttributeError("get_file_image")

    monkeypatch.setattr(writers, "_hdf5_image", no_images)
    values = np.arange(12.0).reshape(4, 3)
    with Hdf5Writer(tmp_path / "plain.h5", 3, n_rows=4) as writer:
        assert writer._fd is None
        writer.write(values)
    with h5py.File(tmp_path / "plain.h5") as h5:
        np.testing.assert_array_equal(h5["data"][:], values)


def test_hdf5_image_failing_to_open_closes_and_removes_its_file(tmp_path, monkeypatch):
    def full_disk(fd, length):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "ftruncate", full_disk)
    writer = Hdf5Writer(tmp_path / "x.h5", 2, n_rows=3)
    with pytest.raises(OSError, match="No space left"):
        writer.open()
    assert writer._fd is None
    assert os.listdir(tmp_path) == []


def test_hdf5_known_size_wrong_row_count_leaves_nothing(tmp_path):
    writer = Hdf5Writer(tmp_path / "short.h5", 2, n_rows=5).open()
    writer.write(np.ones((3, 2)))
    with pytest.raises(ValueError, match="3 rows written, 5 announced"):
        writer.close()
    with pytest.raises(ValueError, match="more than the 5 rows"):
        with Hdf5Writer(tmp_path / "long.h5", 2, n_rows=5, buffer_bytes=1) as writer:
            writer.write(np.ones((6, 2)))
    assert os.listdir(tmp_path) == []


def test_table_writers_reject_a_wrong_width(tmp_path):
    tsv = TsvWriter(tmp_path / "w.tsv", ["id"], ["a", "b"])
    with pytest.raises(ValueError, match="rows have 3 values, expected 2"):
        tsv.write(np.zeros((1, 3)), ["x"])
    with pytest.raises(ValueError, match="2 labels for 1 rows"):
        tsv.write(np.zeros((1, 2)), ["x", "y"])


def test_buffer_is_one_reused_block(tmp_path):
    """Buffered rows live in one block reused after each flush, not in per-write arrays
    (which fragment the heap next to a model's large temporary tensors)."""
    with Hdf5Writer(tmp_path / "r.h5", 4, buffer_bytes=8 * 4 * 100) as writer:
        writer.write(np.zeros((10, 4), np.float32))
        block = writer._block
        for _ in range(30):
            writer.write(np.ones((10, 4), np.float32))
        assert writer._block is block and len(block) == 100


def test_abort_and_exception_leave_nothing(tmp_path):
    writer = TsvWriter(tmp_path / "a.tsv", ["id"], ["x"], buffer_bytes=1)
    writer.open()
    writer.write(np.ones((3, 1)), ["a", "b", "c"])  # flushed to the temporary file
    writer.abort()
    with pytest.raises(RuntimeError), Hdf5Writer(tmp_path / "b.h5", 1) as h5:
        h5.write(np.ones((1, 1)))
        raise RuntimeError("crash")
    assert os.listdir(tmp_path) == []


def test_writer_group_is_all_or_nothing(tmp_path):
    group = WriterGroup()
    a = group.add(LinesWriter(tmp_path / "a.txt", header="h"))
    b = group.add(TsvWriter(tmp_path / "b.tsv", ["id"], ["x"]))
    with pytest.raises(ValueError), group:
        a.write_lines(["1", "2"])
        b.write(np.ones((1, 1)), ["r"])
        b.write(np.ones((2, 1)), ["only one label"])  # mismatch -> error mid-run
    assert os.listdir(tmp_path) == []
    group = WriterGroup([LinesWriter(tmp_path / "c.txt")])
    with group:
        group.writers[0].write_lines(["x"])
    assert (tmp_path / "c.txt").read_text() == "x\n"


def test_group_failing_while_closing_leaves_nothing(tmp_path):
    """A writer that fails in its last step (after others finished) drops every file."""

    class Failing(LinesWriter):
        def _finish(self):
            super()._finish()
            raise OSError("disk full")

    group = WriterGroup([LinesWriter(tmp_path / "a.txt"), Failing(tmp_path / "b.txt")])
    with pytest.raises(OSError, match="disk full"), group:
        for writer in group.writers:
            writer.write_lines(["x"])
    assert os.listdir(tmp_path) == []


def test_group_with_committer_renames_in_background_then_waits(tmp_path):
    from selene_sdk.io.atomic import Committer

    with Committer() as committer:
        for name in ("r1", "r2", "r3"):
            group = WriterGroup([LinesWriter(tmp_path / f"{name}.txt", "h")], committer)
            with group:
                group.writers[0].write_lines([name])
    assert sorted(os.listdir(tmp_path)) == ["r1.txt", "r2.txt", "r3.txt"]
    assert (tmp_path / "r2.txt").read_text() == "h\nr2\n"


def test_committer_error_is_raised_and_later_groups_are_dropped(tmp_path, monkeypatch):
    import selene_sdk.io.atomic as atomic

    real = atomic.os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if str(dst).endswith("bad.txt"):
            raise OSError("rename failed")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", flaky)
    committer = atomic.Committer()
    for name in ("ok", "bad", "late"):
        group = WriterGroup([LinesWriter(tmp_path / f"{name}.txt")], committer)
        try:
            with group:
                group.writers[0].write_lines([name])
        except OSError:
            break  # a later submit may see the error already
    with pytest.raises(OSError, match="rename failed"):
        committer.wait()
    assert os.listdir(tmp_path) == ["ok.txt"]  # no temporary files left behind


def test_unusable_paths_fail_on_open(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError):
        Hdf5Writer(tmp_path / "file" / "x.h5", 2).open()
    os.mkdir(tmp_path / "dir.tsv")
    with pytest.raises(IsADirectoryError):
        TsvWriter(tmp_path / "dir.tsv", [], ["a"]).open()


def test_annotated_vcf_writer_orders_records_and_rows(tmp_path):
    path = tmp_path / "o.vcf"
    w = AnnotatedVcfWriter(path, ["##source=x"], None, ["diffs", "predictions"], ["f", "g"], "1.0")
    with w:
        w.add_records([("1\t5\ta\tA\tC,G", (0, 1)), ("1\t6\tb\tA\t<DEL>", ())])
        half = np.array([[0.5, 0.25]], np.float32)
        w.add_rows({"diffs": half}, half, half, np.array([True]), np.array([False]))
        w.add_records([("1\t7\tc\tA\tT\t.\tPASS\tX=1;SELENE_diffs=old", (0,))])
        assert w.rows_written == 0  # record "a" still waits for its second ALT row
        two = np.array([[0.5, 0.25], [1.0, 0.0]], np.float32)
        w.add_rows({"diffs": two}, two, two, np.array([True, False]), np.array([False, True]))
    lines = path.read_text().splitlines()
    assert lines[0] == "##fileformat=VCFv4.2" and lines[1] == "##source=x"
    assert lines[-4] == "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
    a, b, c = (line.split("\t") for line in lines[-3:])
    assert a[5:7] == [".", "."]
    assert a[7] == (
        "SELENE_diffs=5.00e-01|2.50e-01,5.00e-01|2.50e-01;SELENE_ref_predictions=5.00e-01|2.50e-01;"
        "SELENE_alt_predictions=5.00e-01|2.50e-01,5.00e-01|2.50e-01"
    )
    assert b[7] == "."
    assert c[7].split(";") == [
        "X=1",
        "SELENE_diffs=1.00e+00|0.00e+00",
        "SELENE_ref_predictions=1.00e+00|0.00e+00",
        "SELENE_alt_predictions=1.00e+00|0.00e+00",
        "SELENE_REF_MISMATCH",
        "SELENE_CONTAINS_UNK",
    ]


@pytest.mark.parametrize(
    "meta, first",
    [
        (["##fileformat=VCFv4.1", "##source=x"], "##fileformat=VCFv4.1"),
        (["##fileformat=", "##source=x"], "##fileformat=VCFv4.2"),  # found by the fuzz suite
        (["##source=x", "##fileformat=VCFv4.3"], "##fileformat=VCFv4.3"),
        (["##source=x"], "##fileformat=VCFv4.2"),
    ],
)
def test_annotated_vcf_has_one_valid_fileformat_line_first(tmp_path, meta, first):
    path = tmp_path / "o.vcf"
    with AnnotatedVcfWriter(path, meta, None, ["diffs"], ["f"], "1.0"):
        pass
    lines = path.read_text().splitlines()
    assert lines[0] == first
    assert sum(line.startswith("##fileformat") for line in lines) == 1
    assert "##source=x" in lines
