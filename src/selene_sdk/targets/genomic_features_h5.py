"""``GenomicFeaturesH5``: continuous targets (Selene 0.6.0), rows of an HDF5 matrix named by
a BED file of intervals.

The BED (plain, gzip or bgzip; no ``.tbi`` needed) has lines ``chrom start end ... index``:
its last column is a 0-based row of the HDF5 dataset ``targets`` (rows x targets). A
window's label is the row of the one interval overlapping it, the mean of the rows when
several overlap, and NaN for every target when none does. Intervals are indexed in memory
once (no tabix query per window); the matrix is read into memory when it is at most
:data:`IN_MEMORY_BYTES`, else rows are read from the file per batch (the file is opened in
each process that reads, e.g. every DataLoader worker).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from selene_sdk.errors import require_file
from selene_sdk.io.bed import read_bed
from selene_sdk.targets.target import Target

__all__ = ["IN_MEMORY_BYTES", "GenomicFeaturesH5"]

#: Matrices up to this size are read into memory at construction.
IN_MEMORY_BYTES = 2 * 2**30
DATASET = "targets"


class _Overlaps:
    """Which intervals overlap each of a batch of windows (per chromosome, sorted starts;
    candidates are the intervals starting in ``(window start - longest interval, window
    end)``, so a query costs two binary searches per window)."""

    def __init__(self, chroms: np.ndarray, starts: np.ndarray, ends: np.ndarray):
        ends = np.maximum(ends, starts + 1)  # an empty interval covers its one base
        self._by_chrom: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, int]] = {}
        names, codes = np.unique(chroms.astype(str), return_inverse=True)
        for code, name in enumerate(names):
            rows = np.nonzero(codes == code)[0]
            order = rows[np.argsort(starts[rows], kind="stable")]
            s, e = starts[order], ends[order]
            self._by_chrom[str(name)] = (s, e, order, int((e - s).max()))

    def pairs(self, chroms, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, ...]:
        """``(window, interval)`` index pairs of every overlap, grouped by window."""
        chroms = np.asarray(chroms).astype(str)
        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        windows, intervals = [], []
        for name in np.unique(chroms):
            found = self._by_chrom.get(str(name))
            if found is None:
                continue
            s, e, ids, longest = found
            rows = np.nonzero(chroms == name)[0]
            ws, we = starts[rows], ends[rows]
            lo = np.searchsorted(s, ws - longest, "right")
            hi = np.searchsorted(s, we, "left")
            counts = np.maximum(hi - lo, 0)
            total = int(counts.sum())
            if total == 0:
                continue
            first = np.repeat(lo, counts)
            offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
            cand = first + offset
            owner = np.repeat(np.arange(len(rows)), counts)
            keep = e[cand] > ws[owner]
            windows.append(rows[owner[keep]])
            intervals.append(ids[cand[keep]])
        if not windows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        w, i = np.concatenate(windows), np.concatenate(intervals)
        order = np.argsort(w, kind="stable")
        return w[order], i[order]


class GenomicFeaturesH5(Target):
    """Continuous targets from an HDF5 matrix, as in Selene 0.6.0.

    Parameters
    ----------
    tabix_path
        BED-like file ``chrom start end ... index`` (the last column: a 0-based row of the
        matrix); plain, gzip or bgzip, with or without a tabix index.
    h5_path
        HDF5 file with a 2-D dataset ``targets`` of shape ``(rows, len(targets))``.
    targets
        The target names (columns of the matrix), in order.
    init_unpicklable
        Accepted for compatibility; files are read at construction so errors surface at
        once.

    Raises
    ------
    FileNotFoundError
        A file does not exist.
    InputFormatError
        A row index that is not an integer or is beyond the matrix (file and line named).
    ValueError
        No ``targets`` dataset, not 2-D, or a width other than ``len(targets)``.
    """

    #: the labels are continuous values: samplers' users pick regression metrics and plots
    continuous = True

    def __init__(
        self,
        tabix_path: str | os.PathLike,
        h5_path: str | os.PathLike,
        targets: Sequence[str],
        init_unpicklable: bool = False,
    ):
        del init_unpicklable
        if isinstance(targets, str | os.PathLike):
            raise TypeError(
                f"targets must be a list of target names, not the string {targets!r}; read "
                "a file of names with selene_sdk.utils.load_features_list(path)"
            )
        self.input_path = require_file(tabix_path, "intervals file")
        self.h5_path = require_file(h5_path, "HDF5 targets file")
        self.features = [str(t) for t in targets]
        self.n_targets = self.n_features = len(self.features)
        self.feature_index_dict = {f: i for i, f in enumerate(self.features)}
        # 0.6.0 had no index_feature_dict, so per-feature reports failed (spec bug 13)
        self.index_feature_dict = dict(enumerate(self.features))
        n_rows, self._matrix = self._open_matrix()
        table = read_bed(self.input_path, min_columns=4, what="intervals file")
        self.rows = self._row_indices(table, n_rows)
        self.chroms = sorted(set(table.chroms.tolist()))
        self._overlaps = _Overlaps(table.chroms, table.starts, table.ends)
        self._file: Any = None

    # -- construction helpers -----------------------------------------------------------------
    def _open_matrix(self) -> tuple[int, np.ndarray | None]:
        import h5py

        try:
            h5 = h5py.File(self.h5_path, "r")
        except OSError as exc:
            raise ValueError(f"{self.h5_path}: not a readable HDF5 file ({exc})") from exc
        with h5:
            if DATASET not in h5:
                raise ValueError(
                    f"{self.h5_path}: no dataset {DATASET!r} (it has: "
                    f"{', '.join(sorted(h5.keys())) or 'nothing'}); GenomicFeaturesH5 reads the "
                    f"matrix of target values from {DATASET!r}"
                )
            data = h5[DATASET]
            if data.ndim != 2:
                raise ValueError(
                    f"{self.h5_path}: {DATASET!r} has shape {data.shape}; expected (rows, targets)"
                )
            if data.shape[1] != self.n_targets:
                raise ValueError(
                    f"{self.h5_path}: {DATASET!r} has {data.shape[1]} columns but "
                    f"{self.n_targets} target names were given; they must match"
                )
            small = data.size * 4 <= IN_MEMORY_BYTES
            return int(data.shape[0]), np.asarray(data, dtype=np.float32) if small else None

    def _row_indices(self, table, n_rows: int) -> np.ndarray:
        # each line's last field (lines may have different numbers of columns)
        text = np.asarray(table.extra[-1], dtype=object).copy()
        for column in reversed(table.extra[:-1]):
            empty = text == ""
            if not empty.any():
                break
            text[empty] = np.asarray(column, dtype=object)[empty]
        try:
            rows = text.astype(np.int64)
        except (ValueError, OverflowError):
            rows = None
        if rows is None or (len(rows) and ((rows < 0) | (rows >= n_rows)).any()):
            for i, value in enumerate(text):
                try:
                    row = int(value)
                except ValueError:
                    raise table.error(i, f"row index {value!r} is not an integer") from None
                if not 0 <= row < n_rows:
                    raise table.error(
                        i,
                        f"row index {row} is beyond the {n_rows} rows of {DATASET!r} in "
                        f"{self.h5_path}",
                    )
            rows = np.array([int(v) for v in text], dtype=np.int64)
        return rows

    # -- labels -------------------------------------------------------------------------------
    def _values(self, rows: np.ndarray) -> np.ndarray:
        if self._matrix is not None:
            return self._matrix[rows]
        if self._file is None:
            import h5py

            self._file = h5py.File(self.h5_path, "r")  # once per process (worker)
        unique, back = np.unique(rows, return_inverse=True)
        return np.asarray(self._file[DATASET][unique], dtype=np.float32)[back]

    def get_feature_data_batch(self, chroms, starts, ends, strand=None) -> np.ndarray:
        """Targets ``(n, F)`` float32 of windows ``[starts, ends)``: the mean of the rows of
        the intervals overlapping each, NaN where none does. ``strand`` is ignored."""
        del strand
        starts = np.atleast_1d(np.asarray(starts, dtype=np.int64))
        ends = np.atleast_1d(np.asarray(ends, dtype=np.int64))
        chroms = np.atleast_1d(np.asarray(chroms, dtype=object))
        out = np.full((len(starts), self.n_targets), np.nan, dtype=np.float32)
        windows, intervals = self._overlaps.pairs(chroms, starts, ends)
        if len(windows):
            values = self._values(self.rows[intervals]).astype(np.float64)
            first = np.flatnonzero(np.r_[True, windows[1:] != windows[:-1]])
            sums = np.add.reduceat(values, first, axis=0)
            counts = np.diff(np.r_[first, len(windows)])[:, None]
            out[windows[first]] = (sums / counts).astype(np.float32)
        return out

    def get_feature_data(self, chrom: str, start: int, end: int, strand=None) -> np.ndarray:
        """Targets ``(F,)`` float32 of one window (NaN when no interval overlaps it)."""
        return self.get_feature_data_batch([chrom], [start], [end], strand)[0]

    def is_positive(self, chrom: str, start: int, end: int, strand=None) -> bool:
        """Whether any interval overlaps the window."""
        windows, _ = self._overlaps.pairs(np.array([chrom], dtype=object), [start], [end])
        return bool(len(windows))

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_file"] = None  # an open HDF5 handle does not pickle; each worker opens its own
        return state

    def __repr__(self) -> str:
        return (
            f"GenomicFeaturesH5({self.input_path!r}, {self.h5_path!r}, n_targets={self.n_targets})"
        )
