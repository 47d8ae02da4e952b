"""BedFileSampler and MatFileSampler (scipy v5 and HDF5 files, all axis layouts)."""

from __future__ import annotations

import h5py
import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
import scipy.io
from hypothesis import given, settings

from selene_sdk.errors import InputFormatError
from selene_sdk.samplers.file_samplers import BedFileSampler, MatFileSampler
from tests.samplers.helpers import revcomp, write_bed

LETTERS = np.array(list("ACGT"))


def _decode(encoding: np.ndarray) -> str:
    return "".join(np.where(encoding.max(axis=1) == 1, LETTERS[encoding.argmax(axis=1)], "N"))


# -- BedFileSampler -----------------------------------------------------------------------------
def test_five_column_file_with_strands_and_targets(world, tmp_path):
    rows = [
        ("chr1", 100, 150, "+", "0;2"),
        ("chr2", 200, 250, "-", ""),
        ("chr4", 300, 350, ".", "1"),
    ]
    path = write_bed(tmp_path / "d.bed", rows)
    sampler = BedFileSampler(path, world.genome, 3, targets_avail=True, n_features=3)
    seqs, targets = sampler.sample(3)
    assert seqs.shape == (3, 50, 4) and seqs.dtype == np.float32
    assert _decode(seqs[0]) == world.records["chr1"][100:150]
    assert _decode(seqs[1]) == revcomp(world.records["chr2"][200:250])  # strand honoured
    assert _decode(seqs[2]) == world.records["chr4"][300:350]
    np.testing.assert_array_equal(targets, [[1, 0, 1], [0, 0, 0], [0, 1, 0]])
    _, _, coords = sampler.sample_for_step(0, 3, return_coordinates=True)
    assert list(coords[3]) == ["+", "-", "+"]


def test_four_column_layouts(world, tmp_path):
    strands = write_bed(tmp_path / "s.bed", [("chr1", 0, 20, "-"), ("chr1", 20, 40, "+")])
    seqs = BedFileSampler(strands, world.genome, 2).sample(2)
    assert len(seqs) == 1  # no targets: a 1-tuple
    assert _decode(seqs[0][0]) == revcomp(world.records["chr1"][0:20])
    targets = write_bed(tmp_path / "t.bed", [("chr1", 0, 20, "1"), ("chr1", 20, 40, "")])
    sampler = BedFileSampler(targets, world.genome, 2, targets_avail=True, n_features=2)
    _, t = sampler.sample(2)
    np.testing.assert_array_equal(t, [[0, 1], [0, 0]])


def test_three_columns_and_resizing_around_the_centre(world, tmp_path):
    path = write_bed(tmp_path / "r.bed", [("chr1", 1000, 1300), ("chr1", 1000, 1050)])
    sampler = BedFileSampler(path, world.genome, 2, sequence_length=101)
    seqs = sampler.sample(2)[0]
    # long interval (300 bp): window keeps the centre, [1000 + 99, 1000 + 99 + 101)
    assert _decode(seqs[0]) == world.records["chr1"][1099:1200]
    # short interval (50 bp): padded 25 left, 26 right
    assert _decode(seqs[1]) == world.records["chr1"][975:1076]


def test_sample_wraps_at_the_end_of_the_file_and_eval_set_is_fixed(world, tmp_path):
    rows = [("chr1", 100 * i, 100 * i + 10, "+", str(i % 3)) for i in range(5)]
    path = write_bed(tmp_path / "w.bed", rows)
    sampler = BedFileSampler(path, world.genome, 5, targets_avail=True, n_features=3)
    seen = [sampler.sample(2)[1].argmax(axis=1) for _ in range(4)]
    assert np.concatenate(seen).tolist() == [0, 1, 2, 0, 1, 0, 1, 2]
    batches, targets = sampler.get_data_and_targets(2)
    assert [len(b[0]) for b in batches] == [2, 2, 1]
    assert targets.argmax(axis=1).tolist() == [0, 1, 2, 0, 1]
    assert sampler.get_data_and_targets(4, 7)[1].argmax(axis=1).tolist() == [0, 1, 2, 0, 1, 0, 1]
    assert [len(s) for s in sampler.get_data(2)] == [2, 2, 1]
    shuffled = BedFileSampler(path, world.genome, 5, targets_avail=True, n_features=3, shuffle=True)
    order = shuffled.sample_for_step(0, 5)[1].argmax(axis=1).tolist()
    assert sorted(order) == [0, 0, 1, 1, 2]


def test_bed_file_sampler_skips_invalid_lines_with_a_warning(world, tmp_path):
    path = write_bed(
        tmp_path / "x.bed",
        [("chr1", 0, 10, "+", ""), ("chrZ", 0, 10, "+", ""), ("chr1", 39_995, 40_005, "+", "")],
    )
    with pytest.warns(UserWarning, match=r"2 line\(s\).*first at line 2"):
        sampler = BedFileSampler(path, world.genome, 1, targets_avail=True, n_features=1)
    assert len(sampler) == 1


@pytest.mark.parametrize(
    ("rows", "kwargs", "message"),
    [
        ([("chr1", 0, 10, "x", "")], {}, r"x\.bed:1: strand must be"),
        ([("chr1", 0, 10, "+", "0;a")], {}, r"x\.bed:1: targets '0;a'"),
        ([("chr1", 0, 10, "+", "0"), ("chr1", 0, 10, "+", "3")], {}, r"x\.bed:2: target index 3"),
        ([("chr1", 0, 10, "+", ""), ("chr1", 0, 12, "+", "")], {}, r"x\.bed:2: .*lengths"),
        ([("chr1", 0, 10)], {}, "no targets column"),
        ([("chrZ", 0, 10, "+", "")], {}, "no line gives a window"),
    ],
)
def test_bed_file_sampler_errors_name_file_and_line(world, tmp_path, rows, kwargs, message):
    path = write_bed(tmp_path / "x.bed", rows)
    with pytest.raises(InputFormatError, match=message):
        BedFileSampler(path, world.genome, 1, targets_avail=True, n_features=3, **kwargs)


def test_bed_file_sampler_argument_errors(world, tmp_path):
    path = write_bed(tmp_path / "x.bed", [("chr1", 0, 10)])
    with pytest.raises(ValueError, match="n_features"):
        BedFileSampler(path, world.genome, 1, targets_avail=True)
    with pytest.raises(ValueError, match="without targets"):
        BedFileSampler(path, world.genome, 1).get_data_and_targets(1)


# -- MatFileSampler -----------------------------------------------------------------------------
def _arrays(n=10, length=12, seed=0):
    """One-hot ``(n, L, 4)`` sequences and targets whose column 0 is the row number."""
    rng = np.random.default_rng(seed)
    seqs = np.eye(4, dtype=np.uint8)[rng.integers(0, 4, (n, length))]
    targets = np.stack([np.arange(n), rng.integers(0, 2, n)], axis=1).astype(np.uint8)
    return seqs, targets


def _write(kind: str, path, seqs, targets):
    """Write in a layout; returns the MatFileSampler axis arguments."""
    if kind == "scipy":  # (n, 4, L) and (n, F), MATLAB v5
        scipy.io.savemat(path, {"x": seqs.transpose(0, 2, 1), "y": targets})
        return {}
    with h5py.File(path, "w") as f:
        if kind == "h5_default":  # (n, 4, L), (n, F)
            f["x"], f["y"] = seqs.transpose(0, 2, 1), targets
            return {}
        # DeepSEA train.mat seen through h5py: (L, 4, n) and (F, n)
        f["x"], f["y"] = seqs.transpose(1, 2, 0), targets.T
        return dict(sequence_batch_axis=2, sequence_alphabet_axis=1, targets_batch_axis=1)


@pytest.mark.parametrize("kind", ["scipy", "h5_default", "h5_deepsea"])
def test_mat_file_layouts(tmp_path, kind):
    seqs, targets = _arrays()
    path = tmp_path / "d.mat"
    axes = _write(kind, path, seqs, targets)
    sampler = MatFileSampler(path, "x", "y", **axes)
    assert sampler.n_samples == 10
    x, y = sampler.sample(4)
    assert x.shape == (4, 12, 4) and x.dtype == np.float32 and y.dtype == np.float32
    rows = y[:, 0].astype(int)
    np.testing.assert_array_equal(x, seqs[rows])
    np.testing.assert_array_equal(y, targets[rows])
    # get_data_and_targets: every row exactly once (no duplicated last batch), remainder last
    batches, all_targets = sampler.get_data_and_targets(4)
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    assert sorted(all_targets[:, 0].astype(int)) == list(range(10))
    for bx, by in batches:
        np.testing.assert_array_equal(bx, seqs[by[:, 0].astype(int)])


def test_mat_sampler_uses_random_seed_and_never_skips_rows(tmp_path):
    seqs, targets = _arrays()
    path = tmp_path / "d.mat"
    _write("scipy", path, seqs, targets)
    order = lambda s: np.concatenate(  # noqa: E731
        [s.sample(4)[1][:, 0] for _ in range(5)]
    ).astype(int)
    a = order(MatFileSampler(path, "x", "y", random_seed=1))
    assert np.array_equal(a, order(MatFileSampler(path, "x", "y", random_seed=1)))
    assert not np.array_equal(a, order(MatFileSampler(path, "x", "y", random_seed=2)))
    assert sorted(a[:10]) == list(range(10)) and sorted(a[10:20]) == list(range(10))
    plain = order(MatFileSampler(path, "x", "y", shuffle=False))
    assert plain.tolist() == list(range(10)) * 2
    sampler = MatFileSampler(path, "x", "y", random_seed=1)
    np.testing.assert_array_equal(sampler.sample_for_step(2, 4)[1][:, 0], a[8:12])


def test_mat_without_targets(tmp_path):
    seqs, targets = _arrays()
    path = tmp_path / "d.mat"
    _write("scipy", path, seqs, targets)
    sampler = MatFileSampler(path, "x", shuffle=False)
    (x,) = sampler.sample(3)
    np.testing.assert_array_equal(x, seqs[:3])
    assert [len(s) for s in sampler.get_data(4)] == [4, 4, 2]
    with pytest.raises(ValueError, match="without targets"):
        sampler.get_data_and_targets(4)


@pytest.mark.parametrize("kind", ["scipy", "h5_default"])
def test_mat_missing_key_lists_the_keys(tmp_path, kind):
    seqs, targets = _arrays()
    path = tmp_path / "d.mat"
    _write(kind, path, seqs, targets)
    with pytest.raises(InputFormatError, match=r"no variable 'trainxdata'.*\['x', 'y'\]"):
        MatFileSampler(path, "trainxdata", "y")


def test_mat_bad_axes_and_shapes(tmp_path):
    seqs, targets = _arrays()
    path = tmp_path / "d.mat"
    _write("h5_default", path, seqs, targets)
    with pytest.raises(ValueError, match="must differ"):
        MatFileSampler(path, "x", "y", sequence_batch_axis=1, sequence_alphabet_axis=1)
    with pytest.raises(ValueError, match="targets_batch_axis"):
        MatFileSampler(path, "x", "y", targets_batch_axis=2)
    with pytest.raises(InputFormatError, match="samples along axis 1"):
        MatFileSampler(path, "x", "y", targets_batch_axis=1)
    with pytest.raises(InputFormatError, match="3-D"):
        MatFileSampler(path, "y")
    not_mat = tmp_path / "n.mat"
    not_mat.write_text("hello")
    with pytest.raises(InputFormatError, match="not a MATLAB"):
        MatFileSampler(not_mat, "x")


# -- saved-dataset lines <-> BedFileSampler (property test) -------------------------------------
@pytest.fixture(scope="module")
def small_genome(tmp_path_factory):
    from selene_sdk.sequences import Genome
    from tests.samplers.helpers import random_sequence, write_fasta

    rng = np.random.default_rng(5)
    path = tmp_path_factory.mktemp("g") / "g.fa"
    return Genome(write_fasta(path, {"chr1": random_sequence(rng, 500), "chr2": "ACGT" * 50}))


@settings(max_examples=40, deadline=None)
@given(
    targets=hnp.arrays(
        np.float32,
        st.tuples(st.integers(1, 12), st.integers(1, 9)),
        elements=st.sampled_from([0.0, 1.0]),
    ),
    data=st.data(),
)
def test_saved_lines_round_trip_through_bed_file_sampler(
    small_genome, tmp_path_factory, targets, data
):
    from selene_sdk.samplers._saved_dataset import format_lines

    n = len(targets)
    chroms = np.array(
        data.draw(st.lists(st.sampled_from(["chr1", "chr2"]), min_size=n, max_size=n)), dtype=object
    )
    starts = np.array(data.draw(st.lists(st.integers(0, 150), min_size=n, max_size=n)))
    strands = np.array(
        data.draw(st.lists(st.sampled_from("+-"), min_size=n, max_size=n)), dtype=object
    )
    path = tmp_path_factory.mktemp("b") / "d.bed"
    path.write_text("".join(format_lines((chroms, starts, starts + 20, strands), targets)))
    sampler = BedFileSampler(path, small_genome, n, targets_avail=True, n_features=targets.shape[1])
    seqs, got = sampler.get_data_and_targets(n)[0][0]
    np.testing.assert_array_equal(got, targets)
    for i in range(n):
        expected = small_genome.get_encoding_from_coords(
            chroms[i], starts[i], starts[i] + 20, strands[i]
        )
        np.testing.assert_array_equal(seqs[i], expected)
