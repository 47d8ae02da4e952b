"""Vectorised interval coverage queries over per-chromosome, per-group sorted arrays.

:class:`CoverageIndex` answers "how many bases of window ``[s, e)`` does group ``g`` cover?"
for a whole batch of windows and all groups at once. Groups are feature labels for
:class:`~selene_sdk.targets.GenomicFeatures` and a single group for blacklists.

How: at build time each group's intervals are merged (their union is all that matters for
coverage), so within a group they are disjoint and sorted. All groups of a chromosome are
laid out on one number line, group ``g`` shifted by ``g * span`` (``span`` exceeds every
coordinate), with a running total of covered bases. The bases covered before position ``x``
in group ``g`` are then found with one ``searchsorted`` for the key ``g * span + x``; a
window's coverage is the difference at its two ends. A batch of ``B`` windows and ``G``
groups is two ``searchsorted`` calls on ``B * G`` keys -- no Python loop per window, and no
blow-up when long intervals overlap many windows (which a candidate-list approach suffers).
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


class _ChromIndex:
    __slots__ = ("cum", "ends", "span", "starts")

    def __init__(self, starts: np.ndarray, ends: np.ndarray, groups: np.ndarray, span: int):
        self.span = np.int64(span)
        keys_start = groups * self.span + starts
        self.starts = keys_start
        self.ends = groups * self.span + ends
        lengths = ends - starts
        self.cum = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)

    def covered_before(self, keys: np.ndarray) -> np.ndarray:
        """Bases covered (within the key's group) strictly before each key."""
        k = np.searchsorted(self.starts, keys, side="right")
        prev = np.maximum(k - 1, 0)
        partial = np.minimum(keys, self.ends[prev]) - self.starts[prev]
        partial = np.where(k > 0, np.maximum(partial, 0), 0)
        return self.cum[prev] + partial


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
        chroms = np.asarray(chroms, dtype=object)
        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        ends = np.where(ends == starts, starts + 1, ends)
        groups = (
            np.zeros(len(starts), dtype=np.int64)
            if groups is None
            else np.asarray(groups, dtype=np.int64)
        )
        self.n_groups = int(n_groups)
        self._chroms: dict[str, _ChromIndex] = {}
        if len(starts) == 0:
            return
        inverse, names = factorize_strings(chroms)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(names) + 1))
        for i, name in enumerate(names):
            idx = order[bounds[i] : bounds[i + 1]]
            s, e, g = merge_intervals(starts[idx], ends[idx], groups[idx])
            span = int(e.max()) + 2 if len(e) else 2
            self._chroms[str(name)] = _ChromIndex(s, e, g, span)

    @property
    def chroms(self) -> list[str]:
        """Chromosome names that have at least one interval."""
        return sorted(self._chroms)

    def __contains__(self, chrom: str) -> bool:
        return chrom in self._chroms

    def coverage(
        self, chroms: Sequence[str] | str, starts: np.ndarray, ends: np.ndarray
    ) -> np.ndarray:
        """Covered bases per window and group -> int64 array ``(B, n_groups)``.

        ``chroms`` is one name for all windows or one name per window. Windows on unknown
        chromosomes cover nothing.
        """
        starts = np.atleast_1d(np.asarray(starts, dtype=np.int64))
        ends = np.atleast_1d(np.asarray(ends, dtype=np.int64))
        out = np.zeros((len(starts), self.n_groups), dtype=np.int64)
        if isinstance(chroms, str):
            self._fill(out, slice(None), chroms, starts, ends)
            return out
        chroms = np.asarray(chroms, dtype=object)
        if len(chroms) != len(starts):
            raise ValueError("chroms, starts and ends must have the same length")
        inverse, uniq = factorize_strings(chroms)
        if len(uniq) == 1:
            self._fill(out, slice(None), str(uniq[0]), starts, ends)
            return out
        for i, name in enumerate(uniq):
            rows = np.nonzero(inverse == i)[0]
            self._fill(out, rows, str(name), starts[rows], ends[rows])
        return out

    def _fill(self, out, rows, chrom: str, starts: np.ndarray, ends: np.ndarray) -> None:
        index = self._chroms.get(chrom)
        if index is None:
            return
        # Clip into [0, span) so keys never spill into a neighbouring group's range.
        s = np.clip(starts, 0, index.span - 1)
        e = np.clip(ends, 0, index.span - 1)
        offsets = np.arange(self.n_groups, dtype=np.int64) * index.span
        keys_s = s[:, None] + offsets[None, :]
        keys_e = e[:, None] + offsets[None, :]
        cov = index.covered_before(keys_e) - index.covered_before(keys_s)
        out[rows] = np.maximum(cov, 0)

    def overlaps(
        self, chroms: Sequence[str] | str, starts: np.ndarray, ends: np.ndarray
    ) -> np.ndarray:
        """Whether each window overlaps any interval of any group -> bool ``(B,)``."""
        return self.coverage(chroms, starts, ends).any(axis=1)
