"""``BigWigTargets``: quantitative signal tracks (one bigWig per feature) as targets.

Beyond the original Selene. Values are read with pyBigWig's numpy interface, one whole
chromosome of one track at a time, and kept (float32, missing bases already replaced) while
the cache holds at most ``cache_bytes``; a window is then a slice of that array, so a batch
costs one fancy index per track. Past the budget, windows are read from the file one by
one (slower). The cache is per process: filled in the main process before DataLoader
workers start, it is shared with them (fork); filled in a worker, it is that worker's.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from selene_sdk.errors import require_file
from selene_sdk.targets.target import Target

__all__ = ["AGGREGATIONS", "DEFAULT_CACHE_BYTES", "BigWigTargets"]

AGGREGATIONS = ("mean", "max", "sum")
TRANSFORMS = (None, "log1p")
#: Chromosome arrays kept in memory, all tracks together (float32: 4 bytes a base).
DEFAULT_CACHE_BYTES = 4 * 2**30


def _open(path: str):
    try:
        import pyBigWig
    except ImportError as exc:  # pragma: no cover - an extra of the package
        raise ImportError(
            "BigWigTargets needs pyBigWig: pip install 'selene_sdk[tracks]' (or pyBigWig)"
        ) from exc
    handle = pyBigWig.open(path)
    if handle is None or not handle.isBigWig():
        raise ValueError(f"{path}: not a bigWig file")
    return handle


class BigWigTargets(Target):
    """The signal of one bigWig file per feature over each window's centre bin.

    Parameters
    ----------
    paths
        One bigWig path per feature, in the order of ``features``.
    features
        The feature (track) names.
    aggregation
        ``"mean"``, ``"max"`` or ``"sum"`` of the per-base values over the bin (or each of
        its ``bins`` parts).
    bins
        1: one value per feature. More: a profile of ``bins`` equal parts of the window per
        feature; outputs are then ``(n, len(features) * bins)``, feature-major, named
        ``<feature>/<k>``.
    transform
        None, or ``"log1p"`` (``log(1 + x)`` of the aggregated value).
    missing
        The value of bases without data in a track (bigWig gaps, chromosomes a track lacks).
    cache_bytes
        Memory for whole-chromosome arrays, all tracks together (see the module docs).
    """

    #: continuous labels: regression metrics and plots
    continuous = True

    def __init__(
        self,
        paths: Sequence[str | os.PathLike],
        features: Sequence[str],
        *,
        aggregation: str = "mean",
        bins: int = 1,
        transform: str | None = None,
        missing: float = 0.0,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
    ):
        if isinstance(paths, str | os.PathLike):
            paths = [paths]
        if isinstance(features, str | os.PathLike):
            raise TypeError("features must be a list of names, one per bigWig file")
        self.paths = [require_file(p, "bigWig file") for p in paths]
        self.features = [str(f) for f in features]
        if len(self.paths) != len(self.features):
            raise ValueError(
                f"{len(self.paths)} bigWig files for {len(self.features)} features: give one "
                "file per feature, in the same order"
            )
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {aggregation!r}")
        if transform not in TRANSFORMS:
            raise ValueError(f"transform must be None or 'log1p', got {transform!r}")
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
            raise ValueError(f"bins must be a positive integer, got {bins!r}")
        self.aggregation, self.bins, self.transform = aggregation, bins, transform
        self.missing = float(missing)
        self.cache_bytes = int(cache_bytes)
        self.n_features = len(self.features)
        self.n_outputs = self.n_features * bins
        names = (
            self.features if bins == 1 else [f"{f}/{k}" for f in self.features for k in range(bins)]
        )
        self.index_feature_dict = dict(enumerate(names))
        self.feature_index_dict = {f: i for i, f in enumerate(self.features)}
        self.chrom_sizes: list[dict[str, int]] = []
        for path in self.paths:
            handle = _open(path)
            try:
                self.chrom_sizes.append(dict(handle.chroms()))
            finally:
                handle.close()
        #: chromosome names of any track (checked against the genome by the samplers)
        self.chroms = sorted(set().union(*self.chrom_sizes))
        self.input_path = self.paths[0]
        self._handles: list[Any] | None = None
        self._cache: dict[tuple[int, str], np.ndarray] = {}
        self._cached = 0

    # -- reading ------------------------------------------------------------------------------
    def _handle(self, track: int):
        if self._handles is None:
            self._handles = [None] * len(self.paths)
        if self._handles[track] is None:
            self._handles[track] = _open(self.paths[track])  # once per process (worker)
        return self._handles[track]

    def _chromosome(self, track: int, chrom: str) -> np.ndarray | None:
        """The track's values on ``chrom`` (float32, missing replaced), cached; None when
        the cache is full; an empty array when the track lacks the chromosome."""
        key = (track, chrom)
        found = self._cache.get(key)
        if found is not None:
            return found
        size = self.chrom_sizes[track].get(chrom)
        if size is None:
            return np.zeros(0, np.float32)
        if self._cached + 4 * size > self.cache_bytes:
            return None
        values = np.asarray(self._handle(track).values(chrom, 0, size, numpy=True), np.float32)
        np.nan_to_num(values, copy=False, nan=self.missing)
        self._cache[key] = values
        self._cached += values.nbytes
        return values

    def _window_values(self, track: int, chrom: str, start: int, end: int) -> np.ndarray:
        """Per-base values of one window (positions outside the chromosome: ``missing``)."""
        out = np.full(end - start, self.missing, np.float32)
        size = self.chrom_sizes[track].get(chrom)
        if size is None:
            return out
        lo, hi = max(start, 0), min(end, size)
        if lo < hi:
            got = self._chromosome(track, chrom)
            if got is None:  # past the cache budget: read from the file
                got = np.asarray(self._handle(track).values(chrom, lo, hi, numpy=True))
                out[lo - start : hi - start] = np.nan_to_num(got, nan=self.missing)
            else:
                out[lo - start : hi - start] = got[lo:hi]
        return out

    def _aggregate(self, values: np.ndarray) -> np.ndarray:
        """``(n, width)`` per-base values -> ``(n, bins)``."""
        width = values.shape[1]
        edges = (np.arange(self.bins + 1) * width) // self.bins
        if self.aggregation == "sum":
            out = np.add.reduceat(values, edges[:-1], axis=1, dtype=np.float64)
        elif self.aggregation == "max":
            out = np.maximum.reduceat(values, edges[:-1], axis=1)
        else:
            sums = np.add.reduceat(values, edges[:-1], axis=1, dtype=np.float64)
            out = sums / np.diff(edges)
        out = out.astype(np.float32)
        return np.log1p(out) if self.transform == "log1p" else out

    def get_feature_data_batch(self, chroms, starts, ends, strand=None) -> np.ndarray:
        """Targets ``(n, len(features) * bins)`` float32 of windows ``[starts, ends)``."""
        del strand
        starts = np.atleast_1d(np.asarray(starts, dtype=np.int64))
        ends = np.atleast_1d(np.asarray(ends, dtype=np.int64))
        chroms = np.atleast_1d(np.asarray(chroms, dtype=object))
        n = len(starts)
        out = np.empty((n, self.n_features, self.bins), np.float32)
        widths = ends - starts
        if n == 0:
            return out.reshape(0, self.n_outputs)
        if (widths < self.bins).any():
            raise ValueError(f"a window is shorter than bins={self.bins}")
        same = bool((widths == widths[0]).all())
        for track in range(self.n_features):
            if same:
                values = self._equal_windows(track, chroms, starts, int(widths[0]))
                out[:, track] = self._aggregate(values)
            else:
                for i in range(n):
                    window = self._window_values(track, str(chroms[i]), starts[i], ends[i])
                    out[i, track] = self._aggregate(window[None])[0]
        return out.reshape(n, self.n_outputs)

    def _equal_windows(self, track: int, chroms, starts: np.ndarray, width: int) -> np.ndarray:
        """``(n, width)`` values of windows of one width: a fancy index per chromosome."""
        values = np.full((len(starts), width), self.missing, np.float32)
        offsets = np.arange(width)
        for chrom in {str(c) for c in chroms}:
            rows = np.flatnonzero(chroms == chrom)
            array = self._chromosome(track, chrom)
            size = self.chrom_sizes[track].get(chrom, 0)
            inside = (starts[rows] >= 0) & (starts[rows] + width <= size)
            if array is not None and len(array) and inside.all():
                values[rows] = array[starts[rows][:, None] + offsets]
                continue
            for i in rows:
                values[i] = self._window_values(
                    track, chrom, int(starts[i]), int(starts[i]) + width
                )
        return values

    def get_feature_data(self, chrom: str, start: int, end: int, strand=None) -> np.ndarray:
        """Targets of one window: ``(len(features) * bins,)`` float32."""
        return self.get_feature_data_batch([chrom], [start], [end], strand)[0]

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_handles"] = None  # file handles do not pickle; each worker opens its own
        return state

    def __repr__(self) -> str:
        return f"BigWigTargets({len(self.paths)} tracks, aggregation={self.aggregation!r})"
