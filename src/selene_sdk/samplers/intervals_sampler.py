"""``IntervalsSampler``: windows centred on positions inside user-given intervals."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from selene_sdk.errors import SeleneWarning
from selene_sdk.io.bed import read_bed
from selene_sdk.samplers._partition import (
    PositionPool,
    assign_by_chromosome,
    check_holdout_chroms,
    split_by_proportion,
)
from selene_sdk.samplers.online_sampler import OnlineSampler

__all__ = ["IntervalsSampler"]


class IntervalsSampler(OnlineSampler):
    """Draws windows centred on positions chosen uniformly inside the given intervals.

    An interval is chosen with probability proportional to its length, then a centre
    uniformly inside it, so every listed base is equally likely.

    Parameters
    ----------
    intervals_path
        Tab-separated ``chrom, start, end`` per line (BED; plain or gzip; extra columns
        ignored), read at construction. Intervals on chromosomes absent from the genome are
        dropped with a warning.
    sample_negative
        Keep windows whose targets are all zero. By default they are rejected.

    Holdouts: chromosome lists assign intervals by chromosome; proportions shuffle the
    intervals and take ``int(n * p)`` of them. All other parameters are those of
    :class:`~selene_sdk.samplers.OnlineSampler`; note ``save_datasets`` defaults to
    ``["test"]`` here.
    """

    def __init__(
        self,
        reference_sequence: Any,
        target_path: Any,
        features: Sequence[str],
        intervals_path: str | os.PathLike,
        sample_negative: bool = False,
        seed: int = 436,
        validation_holdout: Sequence[str] | float = ("chr6", "chr7"),
        test_holdout: Sequence[str] | float | None = ("chr8", "chr9"),
        sequence_length: int = 1000,
        center_bin_to_predict: int | Sequence[int] = 200,
        feature_thresholds: Any = 0.5,
        mode: str = "train",
        save_datasets: Iterable[str] = ("test",),
        output_dir: str | os.PathLike | None = None,
    ):
        self.intervals_path = os.fspath(intervals_path)
        self.sample_negative = bool(sample_negative)
        self._intervals = read_bed(self.intervals_path, min_columns=3, what="intervals file")
        if len(self._intervals) == 0:
            raise ValueError(f"{self.intervals_path}: the intervals file has no intervals")
        super().__init__(
            reference_sequence,
            target_path,
            features,
            seed=seed,
            validation_holdout=validation_holdout,
            test_holdout=test_holdout,
            sequence_length=sequence_length,
            center_bin_to_predict=center_bin_to_predict,
            feature_thresholds=feature_thresholds,
            mode=mode,
            save_datasets=save_datasets,
            output_dir=output_dir,
        )

    @property
    def _needs_positive(self) -> bool:
        return not self.sample_negative

    def _build_pools(self) -> dict[str, PositionPool]:
        genome = self.reference_sequence
        genome_chroms = set(genome.get_chrs())
        check_holdout_chroms(self._holdouts, genome_chroms, f"the genome {genome.input_path}")
        table = self._intervals
        known = np.array([c in genome_chroms for c in table.chroms], dtype=bool)
        if not known.all():
            missing = sorted({str(c) for c in table.chroms[~known]})
            if not known.any():
                raise ValueError(
                    f"{self.intervals_path}: no interval is on a chromosome of the genome "
                    f"{genome.input_path} (intervals use {missing[:5]})"
                )
            warnings.warn(
                f"{self.intervals_path}: {int((~known).sum())} interval(s) on chromosomes "
                f"absent from the genome are ignored: {missing[:10]}",
                SeleneWarning,
                stacklevel=4,
            )
        chroms, starts, ends = table.chroms[known], table.starts[known], table.ends[known]
        if self._holdouts.kind == "chromosome":
            labels = assign_by_chromosome(chroms, self._holdouts)
        else:
            labels = split_by_proportion(ends - starts, self._holdouts, self.seed, by="count")
        return {
            m: PositionPool(chroms[labels == m], starts[labels == m], ends[labels == m])
            for m in self.modes
        }
