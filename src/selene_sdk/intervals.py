"""Vectorised interval coverage queries over per-chromosome, per-group sorted arrays.

:class:`CoverageIndex` answers "how many bases of window ``[s, e)`` does group ``g`` cover?"
for a whole batch of windows and all groups at once. Groups are feature labels for
:class:`~selene_sdk.targets.GenomicFeatures` and a single group for blacklists.

At build time each group's intervals are merged (only their union matters for coverage),
so within a group they are disjoint. The merged intervals are then split by length:

* **short** intervals (the vast majority in peak files) are kept sorted by start on one
  number line per chromosome. Because none is longer than ``max_len``, the only intervals
  that can overlap ``[s, e)`` start in ``(s - max_len, e)``: two ``searchsorted`` calls per
  window find them, and their clipped overlaps are summed per (window, group) with
  ``bincount``. Cost: O(B log n + candidates), independent of the number of groups.
* **long** intervals (rare: gene bodies, broad domains) would make that candidate range
  explode, so each (chromosome, group) gets its own stretch of a second number line with a
  running total of covered bases; a window's coverage in a group is the difference of that
  total at its two ends, i.e. one ``searchsorted`` per (window, group having long
  intervals).

Both paths are vectorised over the batch; no Python loop runs per window or per interval.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["CoverageIndex", "factorize_strings", "merge_intervals"]


def merge_intervals(
    starts: np.ndarray, ends: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union the intervals of each group; returns sorted, disjoint ``(starts, ends, groups)``.

    Touching intervals (``[0, 5)`` and ``[5, 9)``) are merged too; coverage is unchanged.
    """
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    groups = np.asarray(groups, dtype=np.int64)
    if starts.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), empty.copy()
    order = np.lexsort((starts, groups))
    s, e, g = starts[order], ends[order], groups[order]
    # Running maximum of ends within each group: an interval starts a new merged block when
    # it begins after everything before it (in its group) has ended.
    big = np.int64(e.max() + 1)
    shifted_end = g * big + e
    run_max = np.maximum.accumulate(shifted_end) - g * big
    prev_max = np.empty_like(run_max)
    prev_max[0] = -1
    prev_max[1:] = run_max[:-1]
    new_group = np.empty(len(g), dtype=bool)
    new_group[0] = True
    new_group[1:] = g[1:] != g[:-1]
    block_start = new_group | (s > prev_max)
    block_id = np.cumsum(block_start) - 1
    first = np.nonzero(block_start)[0]
    merged_starts = s[first]
    merged_ends = np.maximum.reduceat(e, first)
    merged_groups = g[first]
    del block_id
    return merged_starts, merged_ends, merged_groups


def factorize_strings(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """``(codes, uniques)`` of a string array; hash-based (pandas), much faster than sorting."""
    import pandas as pd

    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return codes.astype(np.int64), [str(u) for u in uniques]


#: Merged intervals longer than this go to the "long" path (see the module docstring).
SHORT_MAX_LEN = 16_384


class _ShortIntervals:
    """Intervals no longer than ``max_len``, sorted by start on one line per chromosome.

    ``keys`` and ``ends`` are positions on that line (chromosome base + coordinate).
    """

    def __init__(self, keys, ends, groups, max_len: int):
        self.keys, self.ends, self.groups = keys, ends, groups
        self.max_len = int(max_len)

    def add_coverage(self, out: np.ndarray, base: np.ndarray, s: np.ndarray, e: np.ndarray):
        if len(self.keys) == 0:
            return
        lo = np.searchsorted(self.keys, base + s - self.max_len, side="right")
        hi = np.searchsorted(self.keys, base + e, side="left")
        counts = np.maximum(hi - lo, 0)
        total = int(counts.sum())
        if total == 0:
            return
        rows = np.repeat(np.arange(len(s)), counts)
        first = np.cumsum(counts) - counts
        idx = lo[rows] + np.arange(total) - first[rows]
        # Keyed coordinates on both sides: a candidate from a neighbouring chromosome's
        # stretch can then never appear to overlap.
        window_start = base[rows] + s[rows]
        window_end = base[rows] + e[rows]
        overlap = np.minimum(self.ends[idx], window_end) - np.maximum(self.keys[idx], window_start)
        overlap = np.maximum(overlap, 0)
        n_groups = out.shape[1]
        out += (
            np.bincount(rows * n_groups + self.groups[idx], weights=overlap, minlength=out.size)
            .reshape(out.shape)
            .astype(np.int64)
        )


class _LongIntervals:
    """Per (chromosome, group) running totals of covered bases, for long intervals."""

    def __init__(self, starts, ends, lengths, groups_present: np.ndarray):
        self.starts, self.ends = starts, ends
        self.cum = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.groups_present = groups_present

    def covered_before(self, keys: np.ndarray) -> np.ndarray:
        flat = keys.ravel()
        # Searching sorted keys is ~2x faster (the binary searches walk memory in order).
        order = np.argsort(flat, kind="stable")
        k = np.empty(len(flat), dtype=np.int64)
        k[order] = np.searchsorted(self.starts, flat[order], side="right")
        prev = np.maximum(k - 1, 0)
        partial = np.minimum(flat, self.ends[prev]) - self.starts[prev]
        partial = np.where(k > 0, np.maximum(partial, 0), 0)
        return (self.cum[prev] + partial).reshape(keys.shape)

    def add_coverage(self, out, base_long, span, s, e):
        g = self.groups_present
        if len(g) == 0:
            return
        origin = base_long[:, None] + g[None, :] * span[:, None]
        s_key = origin + np.clip(s, 0, span - 1)[:, None]
        e_key = origin + np.clip(e, 0, span - 1)[:, None]
        both = self.covered_before(np.stack([e_key, s_key]))
        out[:, g] += np.maximum(both[0] - both[1], 0)


class CoverageIndex:
    """Per-chromosome coverage of ``n_groups`` interval sets, queried in batches.

    Parameters
    ----------
    chroms, starts, ends, groups
        One entry per interval (0-based, half-open). ``groups`` are integers in
        ``[0, n_groups)``. Zero-length intervals count as covering one base.
    n_groups
        Number of groups (columns of :meth:`coverage`).
    """

    def __init__(
        self,
        chroms: Sequence[str] | np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        groups: np.ndarray | None = None,
        n_groups: int = 1,
    ):
        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        ends = np.where(ends == starts, starts + 1, ends)
        groups = (
            np.zeros(len(starts), dtype=np.int64)
            if groups is None
            else np.asarray(groups, dtype=np.int64)
        )
        self.n_groups = int(n_groups)
        self._chrom_id: dict[str, int] = {}
        short_parts: list[tuple[np.ndarray, ...]] = []
        long_parts: list[tuple[np.ndarray, ...]] = []
        bases, long_bases, spans = [], [], []
        base = long_base = max_len = 0
        if len(starts):
            inverse, names = factorize_strings(np.asarray(chroms, dtype=object))
            order = np.argsort(inverse, kind="stable")
            bounds = np.searchsorted(inverse[order], np.arange(len(names) + 1))
            for i, name in enumerate(names):
                idx = order[bounds[i] : bounds[i + 1]]
                s, e, g = merge_intervals(starts[idx], ends[idx], groups[idx])
                span = int(e.max()) + 2
                self._chrom_id[name] = i
                bases.append(base)
                long_bases.append(long_base)
                spans.append(span)
                short = (e - s) <= SHORT_MAX_LEN
                if short.any():
                    max_len = max(max_len, int((e - s)[short].max()))
                by_start = np.argsort(s[short], kind="stable")
                short_parts.append(
                    (base + s[short][by_start], base + e[short][by_start], g[short][by_start])
                )
                ls, le, lg = s[~short], e[~short], g[~short]  # sorted by (group, start)
                long_parts.append((long_base + lg * span + ls, long_base + lg * span + le, lg))
                base += span
                long_base += span * self.n_groups
        self._base = np.array(bases, dtype=np.int64)
        self._long_base = np.array(long_bases, dtype=np.int64)
        self._span = np.array(spans, dtype=np.int64)

        def cat(parts, j):
            return np.concatenate([p[j] for p in parts]) if parts else np.zeros(0, np.int64)

        short_keys, short_ends, short_groups = (cat(short_parts, j) for j in range(3))
        self._short = _ShortIntervals(short_keys, short_ends, short_groups, max_len)
        long_starts, long_ends, long_groups = (cat(long_parts, j) for j in range(3))
        self._long = _LongIntervals(
            long_starts, long_ends, long_ends - long_starts, np.unique(long_groups)
        )

    @property
    def chroms(self) -> list[str]:
        """Chromosome names that have at least one interval."""
        return sorted(self._chrom_id)

    def __contains__(self, chrom: str) -> bool:
        return chrom in self._chrom_id

    def coverage(
        self, chroms: Sequence[str] | str, starts: np.ndarray, ends: np.ndarray
    ) -> np.ndarray:
        """Covered bases per window and group -> int64 array ``(B, n_groups)``.

        ``chroms`` is one name for all windows or one name per window. Windows on unknown
        chromosomes cover nothing.
        """
        starts = np.atleast_1d(np.asarray(starts, dtype=np.int64))
        ends = np.atleast_1d(np.asarray(ends, dtype=np.int64))
        n = len(starts)
        if isinstance(chroms, str):
            ids = np.full(n, self._chrom_id.get(chroms, -1), dtype=np.int64)
        else:
            if len(chroms) != n:
                raise ValueError("chroms, starts and ends must have the same length")
            get = self._chrom_id.get
            ids = np.fromiter((get(c, -1) for c in chroms), dtype=np.int64, count=n)
        out = np.zeros((n, self.n_groups), dtype=np.int64)
        known = np.nonzero(ids >= 0)[0]
        if len(known) == 0:
            return out
        sub = np.zeros((len(known), self.n_groups), dtype=np.int64)
        cid = ids[known]
        span = self._span[cid]
        # Clip into [0, span) so a window never reaches into the next chromosome's stretch.
        s = np.clip(starts[known], 0, span - 1)
        e = np.clip(ends[known], 0, span - 1)
        self._short.add_coverage(sub, self._base[cid], s, e)
        self._long.add_coverage(sub, self._long_base[cid], span, s, e)
        out[known] = sub
        return out

    def overlaps(
        self, chroms: Sequence[str] | str, starts: np.ndarray, ends: np.ndarray
    ) -> np.ndarray:
        """Whether each window overlaps any interval of any group -> bool ``(B,)``."""
        return self.coverage(chroms, starts, ends).any(axis=1)
