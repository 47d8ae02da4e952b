"""``OnlineSampler``: windows drawn from a reference genome and labelled on the fly, per batch.

Positions are drawn, filtered (chromosome bounds, blacklist, more than 30% unknown bases and,
for :class:`IntervalsSampler`, negatives) and encoded for a whole batch at once through the
batch APIs of :class:`~selene_sdk.sequences.Genome` and
:class:`~selene_sdk.targets.GenomicFeatures`.

Every batch is a pure function of ``(seed, mode, step, batch_size)`` (see
:meth:`OnlineSampler.sample_for_step`), so DataLoader workers can draw training batches in
any order and the validation and test sets are the same every time they are drawn.
"""

from __future__ import annotations

import abc
import numbers
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from selene_sdk.constants import MINUS, PLUS
from selene_sdk.progress import progress_bar
from selene_sdk.samplers._codes import CodeBatch
from selene_sdk.samplers._geometry import WindowGeometry
from selene_sdk.samplers._partition import Holdouts, PositionPool, parse_holdouts
from selene_sdk.samplers._rng import MODE_IDS, check_seed, generator_for
from selene_sdk.samplers.sampler import Sampler
from selene_sdk.targets.genomic_features import GenomicFeatures, check_shared_chromosomes

__all__ = ["OnlineSampler"]

#: Default sizes of the evaluation sets when ``n_samples`` is not given.
DEFAULT_N_SAMPLES = {"validate": 32000, "test": 640000}

_STRANDS = np.array([PLUS, MINUS], dtype=object)


def check_batch_size(batch_size: object) -> int:
    """Return ``batch_size`` as a positive int or raise ``ValueError``."""
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, numbers.Integral)
        or int(batch_size) <= 0
    ):
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


@dataclass
class _Draw:
    """Accepted windows of one batch (in acceptance order)."""

    chroms: list[np.ndarray] = field(default_factory=list)
    starts: list[np.ndarray] = field(default_factory=list)
    strands: list[np.ndarray] = field(default_factory=list)
    codes: list[np.ndarray] = field(default_factory=list)
    targets: list[np.ndarray] = field(default_factory=list)
    n: int = 0


class OnlineSampler(Sampler, metaclass=abc.ABCMeta):
    """Base class of samplers that cut windows out of a reference genome while training.

    Parameters
    ----------
    reference_sequence
        A :class:`~selene_sdk.sequences.Genome`.
    target_path
        Path of a BED file of features (read as
        ``GenomicFeatures(target_path, features, feature_thresholds)``) or any
        :class:`~selene_sdk.targets.Target` object.
    features
        Feature names, in label-column order.
    seed
        Seed of every random choice (partitions, positions, strands); non-negative.
    validation_holdout, test_holdout
        Lists of chromosome names, or proportions in (0, 1). A falsy ``test_holdout`` means
        no test partition.
    sequence_length
        Window length ``L`` in bases.
    center_bin_to_predict
        Size of the labelled bin at the window centre (``L`` and the size must have the same
        parity), or ``[start, end]`` offsets inside the window.
    feature_thresholds
        Fraction of the bin a feature must cover to be positive (see ``GenomicFeatures``);
        ignored when ``target_path`` is a ``Target`` object.
    mode
        Initial mode.
    save_datasets
        Modes (``train``, ``validate``, ``test``) whose drawn samples are recorded in
        ``<output_dir>/<mode>_data.bed`` (see :class:`~selene_sdk.samplers.Sampler`).
    output_dir
        Directory of those files (created if missing); without it nothing is saved.
    """

    #: A window is rejected when more than this fraction of its bases is not A/C/G/T.
    unknown_threshold: float = 0.3
    #: Give up (``RuntimeError``) after this many consecutive rejected candidate windows.
    max_consecutive_rejections: int = 100_000
    #: Largest number of candidates screened at once.
    _max_round = 4096

    def __init__(
        self,
        reference_sequence: Any,
        target_path: Any,
        features: Sequence[str],
        seed: int = 436,
        validation_holdout: Sequence[str] | float = ("chr6", "chr7"),
        test_holdout: Sequence[str] | float | None = ("chr8", "chr9"),
        sequence_length: int = 1001,
        center_bin_to_predict: int | Sequence[int] = 201,
        feature_thresholds: Any = 0.5,
        mode: str = "train",
        save_datasets: Iterable[str] = (),
        output_dir: str | os.PathLike | None = None,
    ):
        super().__init__(features, save_datasets=save_datasets, output_dir=output_dir)
        self.seed = check_seed(seed)
        self._holdouts: Holdouts = parse_holdouts(validation_holdout, test_holdout)
        if self._holdouts.has_test:
            self.modes.append("test")
        self._geometry = WindowGeometry.from_arguments(sequence_length, center_bin_to_predict)
        self.sequence_length = self._geometry.sequence_length
        self.center_bin_to_predict = center_bin_to_predict
        if not hasattr(reference_sequence, "get_codes_batch"):
            raise TypeError(
                "reference_sequence must be a selene_sdk.sequences.Genome, got "
                f"{type(reference_sequence).__name__}"
            )
        self.reference_sequence = reference_sequence
        self.target = self._make_target(target_path, feature_thresholds)
        self.n_features = len(self._features)
        self.set_mode(mode)
        self._step_counters = dict.fromkeys(self.modes, 0)
        self._pools: dict[str, PositionPool] = self._build_pools()

    def _make_target(self, target_path: Any, feature_thresholds: Any) -> Any:
        if isinstance(target_path, str | os.PathLike):
            target = GenomicFeatures(
                target_path, self._features, feature_thresholds=feature_thresholds
            )
        else:
            target = target_path
            if not hasattr(target, "get_feature_data"):
                raise TypeError(
                    f"target_path must be a path or a Target object, got {type(target).__name__}"
                )
        n = getattr(target, "n_features", None)
        if n is not None and int(n) != len(self._features):
            raise ValueError(
                f"the target has {n} features but {len(self._features)} feature names were given"
            )
        chroms = getattr(target, "chroms", None)
        if chroms is not None and getattr(target, "input_path", None) is not None:
            check_shared_chromosomes(
                self.reference_sequence.get_chrs(), chroms, str(target.input_path)
            )
        return target

    @abc.abstractmethod
    def _build_pools(self) -> dict[str, PositionPool]:
        """The sampling intervals of every mode."""

    # -- the per-batch engine -----------------------------------------------------------------
    @property
    def _needs_positive(self) -> bool:
        """Whether windows without any positive target are rejected."""
        return False

    def _targets(self, chroms: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Labels of the bins ``[starts, ends)`` -> float32 ``(n, F)``."""
        n = len(starts)
        if n == 0:
            width = getattr(self.target, "n_outputs", self.n_features)  # bigWig profiles
            return np.zeros((0, width), dtype=np.float32)
        batch = getattr(self.target, "get_feature_data_batch", None)
        if batch is not None:
            out = batch(chroms, starts, ends)
        else:  # a user Target with only the one-window method
            out = np.stack(
                [
                    np.asarray(self.target.get_feature_data(c, int(s), int(e)))
                    for c, s, e in zip(chroms, starts, ends)
                ]
            )
        return np.asarray(out, dtype=np.float32).reshape(n, -1)

    def _screen(
        self,
        chroms: np.ndarray,
        positions: np.ndarray,
        strands: np.ndarray,
        rejected: dict[str, int],
        need: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Filter candidates -> ``(accepted row numbers, their codes, their targets or None)``.

        Only about ``need`` candidates (plus a margin for the unknown-base filter) are read
        and checked for unknown bases; later candidates are dropped unread.
        """
        genome = self.reference_sequence
        length = self.sequence_length
        starts = self._geometry.window_starts(positions)
        ok = genome.coords_in_bounds_batch(chroms, starts, starts + length)
        rejected["out of bounds or blacklisted"] += int((~ok).sum())
        rows = np.nonzero(ok)[0]
        targets = None
        if self._needs_positive and len(rows):
            bin_starts, bin_ends = self._geometry.bins(starts[rows])
            targets = self._targets(chroms[rows], bin_starts, bin_ends)
            positive = targets.any(axis=1)
            rejected["no positive target"] += int((~positive).sum())
            rows, targets = rows[positive], targets[positive]
        keep = need + need // 8 + 2
        if len(rows) > keep:
            rows = rows[:keep]
            targets = None if targets is None else targets[:keep]
        if len(rows) == 0:
            return rows, np.zeros((0, length), dtype=np.uint8), targets
        codes = genome.get_codes_batch(chroms[rows], starts[rows], length, strands[rows])
        good = genome.unknown_fraction(codes) <= self.unknown_threshold
        rejected[f"more than {self.unknown_threshold:.0%} unknown bases"] += int((~good).sum())
        if not good.all():
            rows, codes = rows[good], codes[good]
            targets = None if targets is None else targets[good]
        return rows, codes, targets

    def _draw(self, rng: np.random.Generator, mode: str, batch_size: int) -> _Draw:
        pool = self._pools[mode]
        if len(pool) == 0:
            raise ValueError(
                f"the {mode!r} partition of this {type(self).__name__} has nothing to sample "
                f"from (holdouts: validation={self._holdouts.validate!r}, "
                f"test={self._holdouts.test!r}; sequence_length={self.sequence_length})"
            )
        draw = _Draw()
        rejected = {
            "out of bounds or blacklisted": 0,
            "no positive target": 0,
            f"more than {self.unknown_threshold:.0%} unknown bases": 0,
        }
        drawn = streak = 0
        while draw.n < batch_size:
            need = batch_size - draw.n
            rate = (draw.n + 1) / (drawn + 1)
            # A few spare candidates in the first round usually avoid a second round.
            if drawn == 0:
                size = need + need // 4 + 4
            else:
                size = int(min(self._max_round, need / max(rate, 1e-3) + 8))
            chroms, positions = pool.draw(rng, size)
            strands = _STRANDS[rng.integers(0, 2, size)]
            rows, codes, targets = self._screen(chroms, positions, strands, rejected, need)
            drawn += size
            if len(rows) == 0:
                streak += size
                if streak >= self.max_consecutive_rejections:
                    reasons = ", ".join(f"{k}: {v}" for k, v in rejected.items() if v)
                    raise RuntimeError(
                        f"{type(self).__name__} found no acceptable window in the {mode!r} "
                        f"partition after {streak} consecutive tries ({reasons}). Check the "
                        "blacklist, holdouts, sequence_length and the targets."
                    )
                continue
            streak = 0
            rows, codes = rows[:need], codes[:need]
            starts = self._geometry.window_starts(positions[rows])
            if targets is None:
                targets = self._targets(chroms[rows], *self._geometry.bins(starts))
            draw.chroms.append(chroms[rows])
            draw.starts.append(starts)
            draw.strands.append(strands[rows])
            draw.codes.append(codes)
            draw.targets.append(targets[:need])
            draw.n += len(rows)
        return draw

    # -- the step-keyed contract --------------------------------------------------------------
    def sample_codes_for_step(
        self,
        step: int,
        batch_size: int,
        mode: str = "train",
        return_coordinates: bool = False,
        *,
        seed: int | None = None,
    ) -> CodeBatch:
        """:meth:`sample_for_step` with the sequences left as uint8 ASCII codes ``(B, L)``.

        ``CodeBatch.sequences()`` encodes them; ``CodeBatch.as_sample()`` gives exactly what
        :meth:`sample_for_step` returns. Ship code batches out of worker processes: they are
        16x smaller than float32 encodings.
        """
        mode = self._check_mode(mode)
        batch_size = check_batch_size(batch_size)
        if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
            raise ValueError(f"step must be a non-negative integer, got {step!r}")
        key_seed = self.seed if seed is None else check_seed(seed)
        rng = generator_for(key_seed, MODE_IDS[mode], int(step))
        draw = self._draw(rng, mode, batch_size)
        codes = np.concatenate(draw.codes)
        targets = np.concatenate(draw.targets).astype(np.float32, copy=False)
        coordinates = None
        if return_coordinates:
            starts = np.concatenate(draw.starts)
            coordinates = (
                np.concatenate(draw.chroms).astype(object),
                starts,
                starts + self.sequence_length,
                np.concatenate(draw.strands).astype(object),
            )
        return CodeBatch(codes, targets, self.reference_sequence.ALPHABET, coordinates)

    def sample_for_step(
        self,
        step: int,
        batch_size: int,
        mode: str = "train",
        return_coordinates: bool = False,
        *,
        seed: int | None = None,
    ) -> tuple[Any, ...]:
        """Batch number ``step`` of ``mode``: a pure function of ``(seed, mode, step, batch_size)``.

        Parameters
        ----------
        step
            Non-negative batch number.
        batch_size
            Number of samples ``B``.
        mode
            ``"train"``, ``"validate"`` or ``"test"`` (must be in :attr:`modes`).
        return_coordinates
            Also return the windows as ``(chroms object (B,), starts int64 (B,), ends int64
            (B,), strands object (B,))``.
        seed
            Use this seed instead of the sampler's (e.g. a DataLoader's own seed).

        Returns
        -------
        tuple
            ``(sequences float32 (B, L, 4), targets float32 (B, F))``, plus the coordinates
            when asked. ``-`` strand windows are reverse-complemented.
        """
        return self.sample_codes_for_step(
            step, batch_size, mode, return_coordinates, seed=seed
        ).as_sample()

    # -- Selene's interface -------------------------------------------------------------------
    def sample(self, batch_size: int = 1, mode: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The next batch of ``mode`` (default: the current mode).

        Batches are taken step by step from :meth:`sample_for_step` with a per-mode counter,
        and recorded when ``mode`` is in ``save_datasets``.

        Returns
        -------
        tuple[numpy.ndarray, numpy.ndarray]
            ``(sequences float32 (B, L, 4), targets float32 (B, F))``.
        """
        mode = self._check_mode(mode or self.mode)
        step = self._step_counters[mode]
        self._step_counters[mode] = step + 1
        if mode not in self._save_datasets:
            return self.sample_for_step(step, batch_size, mode)
        sequences, targets, coordinates = self.sample_for_step(step, batch_size, mode, True)
        self.add_to_saved_dataset(mode, coordinates, targets)
        return sequences, targets

    def get_data_and_targets(
        self, batch_size: int, n_samples: int | None = None, mode: str | None = None
    ) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
        """A fixed data set of ``mode``: ``n_samples`` samples in batches of ``batch_size``.

        ``mode`` (if given) becomes the current mode. The same arguments always give the same
        samples (batch ``i`` is ``sample_for_step(i, ...)``); the last batch holds the
        remainder. ``n_samples`` defaults to 32000 (validate) or 640000 (test) and is required
        for train. When the mode is in ``save_datasets`` its file is written and closed.

        Returns
        -------
        tuple
            ``(list of (sequences, targets) batches, targets float32 (n_samples, F))``.
        """
        if mode is not None:
            self.set_mode(mode)
        mode = self.mode
        batch_size = check_batch_size(batch_size)
        if n_samples is None:
            if mode not in DEFAULT_N_SAMPLES:
                raise ValueError(f"n_samples is required for mode {mode!r}")
            n_samples = DEFAULT_N_SAMPLES[mode]
        n_samples = check_batch_size(n_samples)
        save = mode in self._save_datasets
        batches = []
        # tens of seconds for the default sizes: a bar, or log lines off a terminal
        with progress_bar(n_samples, "sample", f"{mode} set") as bar:
            for step, first in enumerate(range(0, n_samples, batch_size)):
                size = min(batch_size, n_samples - first)
                out = self.sample_for_step(step, size, mode, return_coordinates=save)
                if save:
                    self.add_to_saved_dataset(mode, out[2], out[1])
                batches.append((out[0], out[1]))
                bar.update(size)
        if save:
            self.save_dataset_to_file(mode, close_filehandle=True)
        targets = np.concatenate([t for _, t in batches])
        return batches, targets

    def get_dataset_in_batches(
        self, mode: str, batch_size: int, n_samples: int | None = None
    ) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
        """:meth:`get_data_and_targets` for ``mode`` without changing the current mode."""
        previous = self.mode
        try:
            return self.get_data_and_targets(batch_size, n_samples, mode)
        finally:
            self.mode = previous

    def get_validation_set(
        self, batch_size: int, n_samples: int | None = None
    ) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
        """The fixed validation set (``n_samples`` default 32000)."""
        return self.get_dataset_in_batches("validate", batch_size, n_samples)

    def get_test_set(
        self, batch_size: int, n_samples: int | None = None
    ) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
        """The fixed test set (``n_samples`` default 640000); ``ValueError`` without one."""
        if "test" not in self.modes:
            raise ValueError(
                "this sampler has no test partition: give test_holdout (chromosomes or a "
                "proportion) to create one"
            )
        return self.get_dataset_in_batches("test", batch_size, n_samples)

    def get_feature_from_index(self, index: int) -> str:
        """Name of label column ``index``."""
        names = getattr(self.target, "index_feature_dict", None)
        if names is not None:
            return names[index]
        return self._features[index]

    def get_sequence_from_encoding(self, encoding: np.ndarray) -> str:
        """Decode an ``(L, 4)`` encoding to a string (non-one-hot rows become ``N``)."""
        return self.reference_sequence.ALPHABET.decode(encoding)
