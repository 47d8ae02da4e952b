"""Window geometry, holdout parsing, partition splits and weighted position pools."""

from __future__ import annotations

import numpy as np
import pytest

from selene_sdk.samplers import get_indices_and_probabilities
from selene_sdk.samplers._geometry import WindowGeometry
from selene_sdk.samplers._partition import (
    PositionPool,
    assign_by_chromosome,
    parse_holdouts,
    split_by_proportion,
)
from selene_sdk.samplers._rng import EpochOrder, generator_for


# -- geometry (spec examples) -------------------------------------------------------------------
def _coords(geometry: WindowGeometry, pos: int) -> tuple[int, int, int, int]:
    ws = int(geometry.window_starts(np.array([pos]))[0])
    bs, be = geometry.bins(np.array([ws]))
    return ws, ws + geometry.sequence_length, int(bs[0]), int(be[0])


def test_even_window_and_bin():
    assert _coords(WindowGeometry.from_arguments(1000, 200), 5000) == (4500, 5500, 4900, 5100)


def test_odd_window_and_bin():
    # L=1001, b=201: window [pos-500, pos+501), bin [pos-100, pos+101)
    assert _coords(WindowGeometry.from_arguments(1001, 201), 5000) == (4500, 5501, 4900, 5101)


def test_list_bin_is_offsets_inside_window():
    assert _coords(WindowGeometry.from_arguments(1000, [100, 300]), 5000) == (
        4500,
        5500,
        4600,
        4800,
    )
    # a tuple works too (YAML gives lists; the API may pass tuples)
    assert WindowGeometry.from_arguments(10, (0, 10)).bin_end == 10


@pytest.mark.parametrize(
    ("length", "bin_arg", "message"),
    [
        (1000, 201, "both be even or both be odd"),
        (1001, 200, "both be even or both be odd"),
        (1000, 0, "positive"),
        (0, 200, "sequence_length"),
        (1000, [300, 100], "0 <= start < end"),
        (1000, [0, 1001], "0 <= start < end"),
        (1000, [-1, 10], "0 <= start < end"),
        (1000, [1, 2, 3], "two integers"),
        (1000, "200", "integer size"),
        (1000, [1.5, 10], "two integers"),
    ],
)
def test_bad_geometry_is_a_clear_value_error(length, bin_arg, message):
    with pytest.raises(ValueError, match=message):
        WindowGeometry.from_arguments(length, bin_arg)


# -- holdouts -----------------------------------------------------------------------------------
def test_chromosome_holdouts_convert_names_to_str():
    h = parse_holdouts(["chr6", 7], ["chr8"])
    assert h.kind == "chromosome" and h.validate == ("chr6", "7") and h.test == ("chr8",)


@pytest.mark.parametrize("falsy", [None, [], 0, 0.0, False])
def test_falsy_test_holdout_means_no_test_partition(falsy):
    assert parse_holdouts(["chr1"], falsy).test is None
    assert parse_holdouts(0.2, falsy).test is None


def test_proportion_holdouts():
    h = parse_holdouts(0.1, 0.2)
    assert h.kind == "proportion" and h.validate == 0.1 and h.test == 0.2


@pytest.mark.parametrize(
    ("val", "test", "message"),
    [
        (["chr1"], 0.1, "both be lists"),
        (0.1, ["chr1"], "both be lists"),
        ("chr1", ["chr2"], "both be lists"),
        (0.5, 0.5, "leave nothing for training"),
        (1.5, None, r"\(0, 1\)"),
        (["chr1"], ["chr1", "chr2"], "in both"),
        ([], ["chr2"], "empty"),
    ],
)
def test_bad_holdouts(val, test, message):
    with pytest.raises(ValueError, match=message):
        parse_holdouts(val, test)


def test_assign_by_chromosome():
    labels = assign_by_chromosome(
        np.array(["a", "b", "c", "d"], dtype=object), parse_holdouts(["b"], ["c"])
    )
    assert list(labels) == ["train", "validate", "test", "train"]


def test_split_by_count_is_disjoint_complete_and_seeded():
    h = parse_holdouts(0.1, 0.2)
    labels = split_by_proportion(np.ones(1000), h, seed=5, by="count")
    assert (labels == "validate").sum() == 100 and (labels == "test").sum() == 200
    assert (labels == "train").sum() == 700
    assert np.array_equal(labels, split_by_proportion(np.ones(1000), h, seed=5, by="count"))
    assert not np.array_equal(labels, split_by_proportion(np.ones(1000), h, seed=6, by="count"))


def test_split_by_size_takes_fractions_of_bases():
    sizes = np.random.default_rng(0).integers(1, 100, 2000)
    labels = split_by_proportion(sizes, parse_holdouts(0.1, 0.2), seed=1, by="size")
    total = sizes.sum()
    val = sizes[labels == "validate"].sum() / total
    tst = sizes[labels == "test"].sum() / total
    assert 0.1 <= val < 0.1 + 100 / total and 0.2 - 100 / total < tst < 0.2 + 100 / total


# -- weights ------------------------------------------------------------------------------------
def test_get_indices_and_probabilities_drops_empty_intervals():
    indices, probs = get_indices_and_probabilities([10, 0, 30, -5, 60], [0, 1, 2, 3, 4])
    assert indices == [0, 2, 4]
    np.testing.assert_allclose(probs, [0.1, 0.3, 0.6])
    assert get_indices_and_probabilities([0, 0], [0, 1])[0] == []


def test_get_indices_and_probabilities_subset():
    indices, probs = get_indices_and_probabilities([1, 1, 2, 1e-13], [2, 3, 0])
    assert indices == [2, 0]
    np.testing.assert_allclose(probs, [2 / 3, 1 / 3])


def test_position_pool_is_uniform_over_positions():
    pool = PositionPool(
        np.array(["a", "b", "c"], dtype=object), np.array([0, 100, 50]), np.array([10, 130, 50])
    )
    assert len(pool) == 2  # the empty interval drops out
    chroms, pos = pool.draw(generator_for(0, 0, 0), 40_000)
    a = pos[chroms == "a"]
    b = pos[chroms == "b"]
    assert a.min() == 0 and a.max() == 9 and b.min() == 100 and b.max() == 129
    # 10 vs 30 positions: P(a) = 0.25
    assert abs(len(a) / 40_000 - 0.25) < 0.01
    counts = np.bincount(b - 100)
    assert counts.min() > 0.8 * counts.mean()


# -- epoch order --------------------------------------------------------------------------------
def test_epoch_order_never_skips_rows_and_is_seeded():
    order = EpochOrder(10, seed=3, shuffle=True)
    stream = order.rows(0, 30)
    for epoch in range(3):
        assert sorted(stream[epoch * 10 : (epoch + 1) * 10]) == list(range(10))
    assert not np.array_equal(stream[:10], stream[10:20])
    # any slice equals the corresponding part of the full stream
    assert np.array_equal(order.rows(7, 9), stream[7:16])
    assert np.array_equal(EpochOrder(10, 3, True).rows(0, 30), stream)
    assert not np.array_equal(EpochOrder(10, 4, True).rows(0, 10), stream[:10])
    assert list(EpochOrder(4, 0, False).rows(2, 7)) == [2, 3, 0, 1, 2, 3, 0]
