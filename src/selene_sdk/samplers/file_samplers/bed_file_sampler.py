"""``BedFileSampler``: examples listed in a BED file, read from a reference genome."""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from selene_sdk.constants import MINUS, PLUS, UNSTRANDED
from selene_sdk.errors import InputFormatError, SeleneWarning
from selene_sdk.io.bed import BedTable, read_bed
from selene_sdk.samplers._codes import CodeBatch
from selene_sdk.samplers._rng import EpochOrder, check_seed
from selene_sdk.samplers.file_samplers.file_sampler import FileSampler, _positive

__all__ = ["BedFileSampler"]

_STRAND_MAP = {PLUS: PLUS, MINUS: MINUS, UNSTRANDED: PLUS}


class BedFileSampler(FileSampler):
    """Windows and targets listed in a BED file (e.g. a saved ``<mode>_data.bed``).

    Column layouts: 5+ columns ``chrom, start, end, strand, targets``; 4 columns
    ``chrom, start, end, targets`` when ``targets_avail`` else ``chrom, start, end, strand``;
    3 columns ``chrom, start, end``. ``targets`` are ``;``-separated 0-based feature indices
    (empty for a negative). ``-`` strand windows are reverse-complemented.

    The file is read once at construction. Lines whose window is out of bounds, on an unknown
    chromosome or blacklisted are skipped (with a warning).

    Parameters
    ----------
    filepath
        The BED file (plain or gzip).
    reference_sequence
        The :class:`~selene_sdk.sequences.Genome` to read windows from.
    n_samples
        Default number of samples of :meth:`get_data_and_targets`.
    sequence_length
        Resize every interval around its centre to this length (extra base of an odd
        difference on the right); None keeps the intervals, which must then all have one
        length.
    targets_avail
        Whether the file has a targets column.
    n_features
        Number of features (required with ``targets_avail``).
    shuffle, seed
        Extension: shuffle the rows within every epoch of the stream, seeded by
        ``(seed, epoch)``. Default: file order, like Selene.
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        reference_sequence: Any,
        n_samples: int,
        sequence_length: int | None = None,
        targets_avail: bool = False,
        n_features: int | None = None,
        *,
        shuffle: bool = False,
        seed: int = 436,
    ):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.reference_sequence = reference_sequence
        self.n_samples = _positive(n_samples, "n_samples")
        self.sequence_length = (
            None if sequence_length is None else _positive(sequence_length, "sequence_length")
        )
        self.targets_avail = bool(targets_avail)
        if self.targets_avail:
            n_features = _positive(n_features, "n_features (required with targets_avail)")
        self.n_features = n_features
        self.shuffle = bool(shuffle)
        self.seed = check_seed(seed)
        self._load()
        self._stream = EpochOrder(len(self._starts), self.seed, self.shuffle)

    # -- loading ------------------------------------------------------------------------------
    def _load(self) -> None:
        table = read_bed(self.filepath, min_columns=3, what="BED file")
        n_cols = 3 + len(table.extra)
        strand_col = feature_col = None
        if n_cols >= 5:
            strand_col, feature_col = 3, 4
        elif n_cols == 4:
            feature_col, strand_col = (3, None) if self.targets_avail else (None, 3)
        if self.targets_avail and feature_col is None:
            raise InputFormatError(
                self.filepath, "targets_avail is set but the file has no targets column", None
            )
        starts, ends = table.starts.copy(), table.ends.copy()
        if self.sequence_length is not None:
            diff = self.sequence_length - (ends - starts)
            # Longer intervals keep their centre: start moves by (n - L) // 2 (diff < 0).
            starts = starts - np.where(diff > 0, diff // 2, -((-diff) // 2))
            ends = starts + self.sequence_length
        strands = self._strands(table, strand_col)
        valid = self.reference_sequence.coords_in_bounds_batch(table.chroms, starts, ends)
        if not valid.any():
            raise InputFormatError(
                self.filepath,
                "no line gives a window inside the genome (check chromosome names, "
                "coordinates and sequence_length)",
                None,
            )
        if not valid.all():
            first = int(table.lines[np.nonzero(~valid)[0][0]])
            warnings.warn(
                f"{self.filepath}: {int((~valid).sum())} line(s) with windows outside the "
                f"genome or blacklisted are skipped (first at line {first})",
                SeleneWarning,
                stacklevel=3,
            )
        lengths = (ends - starts)[valid]
        if self.sequence_length is None and (lengths != lengths[0]).any():
            lines = table.lines[valid]
            bad = int(np.nonzero(lengths != lengths[0])[0][0])
            raise InputFormatError(
                self.filepath,
                f"intervals have different lengths ({lengths[0]} at line {lines[0]}, "
                f"{lengths[bad]} here); set sequence_length to resize them",
                int(lines[bad]),
            )
        self._chroms = table.chroms[valid]
        self._starts = starts[valid]
        self._ends = ends[valid]
        self._strand_values = strands[valid]
        self._lines = table.lines[valid]
        if self.targets_avail:
            indptr, indices = self._parse_targets(table, feature_col)
            counts = np.diff(indptr)[valid]
            keep = np.repeat(valid, np.diff(indptr))
            self._indices = indices[keep]
            self._indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def _strands(self, table: BedTable, column: int | None) -> np.ndarray:
        if column is None:
            return np.full(len(table), "+", dtype=object)
        values = table.column(column)
        out = np.empty(len(values), dtype=object)
        for i, v in enumerate(values):
            mapped = _STRAND_MAP.get(str(v).strip())
            if mapped is None:
                raise table.error(i, f"strand must be '+', '-' or '.', got {v!r}")
            out[i] = mapped
        return out

    def _parse_targets(self, table: BedTable, column: int) -> tuple[np.ndarray, np.ndarray]:
        """``;``-separated indices -> CSR ``(indptr, indices)`` over all rows."""
        indptr = [0]
        flat: list[int] = []
        for i, text in enumerate(table.column(column)):
            text = str(text).strip()
            if text:
                try:
                    flat.extend(int(x) for x in text.split(";") if x.strip())
                except ValueError:
                    raise table.error(
                        i, f"targets {text!r} are not ';'-separated integer indices"
                    ) from None
            indptr.append(len(flat))
        indices = np.array(flat, dtype=np.int64)
        bad = np.nonzero((indices < 0) | (indices >= self.n_features))[0]
        if len(bad):
            row = int(np.searchsorted(indptr, bad[0], side="right") - 1)
            raise table.error(
                row,
                f"target index {indices[bad[0]]} is outside [0, n_features={self.n_features})",
            )
        return np.array(indptr, dtype=np.int64), indices

    # -- FileSampler hooks --------------------------------------------------------------------
    @property
    def has_targets(self) -> bool:
        return self.targets_avail

    @property
    def _order(self) -> EpochOrder:
        return self._stream

    @property
    def _default_n_samples(self) -> int:
        return self.n_samples

    def __len__(self) -> int:
        """Number of usable lines."""
        return len(self._starts)

    def sample_codes_for_step(
        self,
        step: int,
        batch_size: int,
        mode: str = "train",
        return_coordinates: bool = False,
        *,
        seed: int | None = None,
    ) -> CodeBatch:
        """:meth:`sample_for_step` with the sequences left as uint8 codes (see ``CodeBatch``)."""
        del mode
        rows = self._rows_for_step(step, batch_size, seed)
        coordinates = self._coordinates(rows) if return_coordinates else None
        return CodeBatch(
            self._codes(rows), self._targets(rows), self.reference_sequence.ALPHABET, coordinates
        )

    def _codes(self, rows: np.ndarray) -> np.ndarray:
        return self.reference_sequence.get_codes_batch(
            self._chroms[rows],
            self._starts[rows],
            int(self._ends[0] - self._starts[0]),
            self._strand_values[rows],
        )

    def _read(self, rows: np.ndarray, with_targets: bool) -> tuple[np.ndarray, np.ndarray | None]:
        sequences = self.reference_sequence.ALPHABET.encode(self._codes(rows))
        return sequences, (self._targets(rows) if with_targets else None)

    def _targets(self, rows: np.ndarray) -> np.ndarray:
        targets = np.zeros((len(rows), self.n_features), dtype=np.float32)
        first = self._indptr[rows]
        counts = self._indptr[rows + 1] - first
        total = int(counts.sum())
        if total:
            owner = np.repeat(np.arange(len(rows)), counts)
            within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
            targets[owner, self._indices[np.repeat(first, counts) + within]] = 1.0
        return targets

    def _coordinates(self, rows: np.ndarray) -> tuple[np.ndarray, ...]:
        return (
            self._chroms[rows].astype(object),
            self._starts[rows],
            self._ends[rows],
            self._strand_values[rows].astype(object),
        )
