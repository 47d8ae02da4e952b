"""CoverageIndex against brute-force per-base coverage."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from selene_sdk import intervals as intervals_mod
from selene_sdk.intervals import CoverageIndex, merge_intervals

intervals = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]), st.integers(0, 200), st.integers(0, 60), st.integers(0, 2)
    ),
    max_size=40,
)
windows = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(-20, 260), st.integers(1, 80)),
    min_size=1,
    max_size=20,
)


def brute(rows, chrom, start, end, n_groups):
    out = np.zeros(n_groups, dtype=np.int64)
    for g in range(n_groups):
        mask = np.zeros(400, dtype=bool)
        for c, s, length, grp in rows:
            if c == chrom and grp == g:
                e = s + max(length, 1)
                mask[s + 100 : e + 100] = True
        lo, hi = max(start, -100) + 100, max(end, -100) + 100
        out[g] = mask[lo:hi].sum()
    return out


@settings(max_examples=200)
@given(intervals, windows, st.sampled_from([0, 10, 16_384]))
def test_coverage_matches_brute_force(rows, wins, short_max):
    # short_max routes intervals to the long path (0), both paths (10) or the short path.
    original = intervals_mod.SHORT_MAX_LEN
    intervals_mod.SHORT_MAX_LEN = short_max
    try:
        _check_against_brute_force(rows, wins)
    finally:
        intervals_mod.SHORT_MAX_LEN = original


def _check_against_brute_force(rows, wins):
    index = CoverageIndex(
        [r[0] for r in rows],
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([r[1] + r[2] for r in rows], dtype=np.int64),
        np.array([r[3] for r in rows], dtype=np.int64),
        n_groups=3,
    )
    chroms = [w[0] for w in wins]
    starts = np.array([w[1] for w in wins])
    ends = starts + np.array([w[2] for w in wins])
    got = index.coverage(chroms, starts, ends)
    for i in range(len(wins)):
        np.testing.assert_array_equal(got[i], brute(rows, chroms[i], starts[i], ends[i], 3))
    np.testing.assert_array_equal(index.overlaps(chroms, starts, ends), got.any(axis=1))


def test_merge_intervals_unions_each_group_separately():
    s, e, g = merge_intervals(
        np.array([10, 0, 5, 30, 0]), np.array([20, 6, 12, 40, 100]), np.array([0, 0, 0, 0, 1])
    )
    assert s.tolist() == [0, 30, 0]
    assert e.tolist() == [20, 40, 100]
    assert g.tolist() == [0, 0, 1]


def test_single_chrom_name_for_all_windows():
    index = CoverageIndex(["x"], np.array([5]), np.array([15]))
    np.testing.assert_array_equal(index.coverage("x", [0, 10, 20], [10, 20, 30])[:, 0], [5, 5, 0])
    assert index.chroms == ["x"] and "x" in index and "y" not in index
