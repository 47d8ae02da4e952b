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

    @classmethod
    def from_keys(cls, starts: np.ndarray, ends: np.ndarray) -> _ChromIndex:
        """An index over intervals already placed on a number line (sorted, disjoint)."""
        line = cls.__new__(cls)
        line.span = np.int64(0)
        line.starts, line.ends = starts, ends
        line.cum = np.concatenate([[0], np.cumsum(ends - starts)]).astype(np.int64)
        return line

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
        self._bases: dict[str, tuple[int, int]] = {}
        self._line: _ChromIndex | None = None
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
        self._line = self._join()

    def _join(self) -> _ChromIndex:
        """All chromosomes on one number line, one after the other (chromosome ``c`` from
        ``base_c``), so that a batch spanning many chromosomes takes two ``searchsorted``
        calls in all instead of two per chromosome."""
        base = 0
        starts, ends = [], []
        for name, index in self._chroms.items():
            self._bases[name] = (base, int(index.span))
            starts.append(index.starts + base)
            ends.append(index.ends + base)
            base += self.n_groups * int(index.span)
        return _ChromIndex.from_keys(np.concatenate(starts), np.concatenate(ends))

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
        n = len(starts)
        if self._line is None or n == 0:
            return np.zeros((n, self.n_groups), dtype=np.int64)
        if isinstance(chroms, str):
            base, span = self._bases.get(chroms, (-1, 1))
            bases, spans = np.full(n, base, dtype=np.int64), np.full(n, span, dtype=np.int64)
        else:
            chroms = np.asarray(chroms, dtype=object)
            if len(chroms) != n:
                raise ValueError("chroms, starts and ends must have the same length")
            inverse, uniq = factorize_strings(chroms)
            table = np.array([self._bases.get(u, (-1, 1)) for u in uniq], dtype=np.int64)
            bases, spans = table[inverse, 0], table[inverse, 1]
        # Clip into [0, span) so keys never spill into a neighbouring group's range.
        s = np.clip(starts, 0, spans - 1)[:, None]
        e = np.clip(ends, 0, spans - 1)[:, None]
        origin = bases[:, None] + np.arange(self.n_groups, dtype=np.int64)[None, :] * spans[:, None]
        line = self._line
        out = np.maximum(line.covered_before(origin + e) - line.covered_before(origin + s), 0)
        out[bases < 0] = 0  # unknown chromosomes cover nothing
        return out

    def overlaps(
        self, chroms: Sequence[str] | str, starts: np.ndarray, ends: np.ndarray
    ) -> np.ndarray:
        """Whether each window overlaps any interval of any group -> bool ``(B,)``."""
        return self.coverage(chroms, starts, ends).any(axis=1)
