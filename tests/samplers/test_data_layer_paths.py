"""The data-layer fast paths the samplers rely on, checked against brute force:
``Genome.get_codes_batch`` (strided in-bounds path and padded path) and ``CoverageIndex``
over many chromosomes at once."""

from __future__ import annotations

import numpy as np

from selene_sdk.intervals import CoverageIndex
from tests.samplers.helpers import revcomp


def test_get_codes_batch_matches_string_slicing(world):
    rng = np.random.default_rng(3)
    lengths = dict(world.genome.get_chr_lens())
    for inside in (True, False):
        chroms = rng.choice(sorted(lengths), 40)
        length = 150
        lo = 0 if inside else -100
        starts = np.array([rng.integers(lo, lengths[c] - length + 1 - lo) for c in chroms])
        strands = rng.choice(["+", "-"], 40)
        codes = world.genome.get_codes_batch(chroms, starts, length, strands)
        for c, s, st, row in zip(chroms, starts, strands, codes):
            text = world.records[c]
            padded = "N" * max(0, -s) + text[max(s, 0) : s + length]
            padded += "N" * (length - len(padded))
            expected = revcomp(padded) if st == "-" else padded
            assert row.tobytes().decode() == expected


def test_coverage_index_over_many_chromosomes_matches_brute_force():
    rng = np.random.default_rng(4)
    names = [f"c{i}" for i in range(6)]
    n = 300
    chroms = rng.choice(names, n)
    starts = rng.integers(0, 2000, n)
    ends = starts + rng.integers(1, 300, n)
    groups = rng.integers(0, 5, n)
    index = CoverageIndex(chroms, starts, ends, groups, 5)
    q_chroms = rng.choice([*names, "unknown"], 200)
    q_starts = rng.integers(-50, 2300, 200)
    q_ends = q_starts + rng.integers(1, 400, 200)
    got = index.coverage(q_chroms, q_starts, q_ends)
    covered = {(c, g): np.zeros(2800, dtype=bool) for c in [*names, "unknown"] for g in range(5)}
    for c, s, e, g in zip(chroms, starts, ends, groups):
        covered[c, g][s:e] = True
    for i in range(200):
        lo, hi = max(q_starts[i], 0), max(q_ends[i], 0)
        expected = [covered[q_chroms[i], g][lo:hi].sum() for g in range(5)]
        assert got[i].tolist() == expected
