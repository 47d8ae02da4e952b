"""``FileSampler``: samples read from a fixed file of examples (no modes)."""

from __future__ import annotations

import abc
import numbers
from typing import Any

import numpy as np

from selene_sdk.progress import progress_bar
from selene_sdk.samplers._rng import EpochOrder

__all__ = ["FileSampler"]


def _positive(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class FileSampler(metaclass=abc.ABCMeta):
    """Base class of samplers over a file of examples.

    Rows are served as an endless stream, epoch after epoch; each epoch is the file order or,
    when shuffling, a permutation seeded by ``(seed, epoch)``. Position ``p`` of the stream is
    row ``order_e[p % n]`` with ``e = p // n``, so batches crossing an epoch edge never skip
    rows. :meth:`sample` walks the stream; :meth:`sample_for_step` reads its slice
    ``[step * B, (step + 1) * B)`` directly; :meth:`get_data_and_targets` reads the first
    ``n_samples`` positions.

    A FileSampler is not a :class:`~selene_sdk.samplers.Sampler`: it has no modes. Use one per
    partition of a :class:`~selene_sdk.samplers.MultiSampler`.
    """

    def __init__(self) -> None:
        self._offset = 0

    # -- to implement -------------------------------------------------------------------------
    @property
    @abc.abstractmethod
    def has_targets(self) -> bool:
        """Whether the file provides targets."""

    @property
    @abc.abstractmethod
    def _order(self) -> EpochOrder:
        """Row order of the stream."""

    @property
    @abc.abstractmethod
    def _default_n_samples(self) -> int:
        """``n_samples`` of :meth:`get_data_and_targets` when not given."""

    @abc.abstractmethod
    def _read(self, rows: np.ndarray, with_targets: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """Sequences float32 ``(B, L, N)`` and targets float32 ``(B, F)`` (or None) of ``rows``."""

    def _coordinates(self, rows: np.ndarray) -> tuple[np.ndarray, ...]:
        raise ValueError(f"{type(self).__name__} has no genomic coordinates to return")

    def _require_targets(self) -> None:
        if not self.has_targets:
            raise ValueError(f"{type(self).__name__} was created without targets")

    # -- interface ----------------------------------------------------------------------------
    def sample(self, batch_size: int = 1) -> tuple[np.ndarray, ...]:
        """The next ``batch_size`` rows of the stream.

        Returns
        -------
        tuple
            ``(sequences float32 (B, L, N), targets float32 (B, F))``, or ``(sequences,)``
            when the file has no targets.
        """
        batch_size = _positive(batch_size, "batch_size")
        rows = self._order.rows(self._offset, batch_size)
        self._offset += batch_size
        sequences, targets = self._read(rows, self.has_targets)
        return (sequences,) if targets is None else (sequences, targets)

    def sample_for_step(
        self,
        step: int,
        batch_size: int,
        mode: str = "train",
        return_coordinates: bool = False,
        *,
        seed: int | None = None,
    ) -> tuple[Any, ...]:
        """Batch ``step``: stream positions ``[step * B, (step + 1) * B)``.

        A pure function of ``(seed, step, batch_size)``; ``mode`` is accepted for interface
        compatibility with online samplers and ignored (a file sampler serves one partition).
        ``seed`` overrides the shuffling seed.

        Returns
        -------
        tuple
            ``(sequences float32 (B, L, N), targets float32 (B, F))`` (plus coordinates where
            the sampler has them and ``return_coordinates`` is set).
        """
        del mode
        rows = self._rows_for_step(step, batch_size, seed)
        sequences, targets = self._read(rows, True)
        if return_coordinates:
            return sequences, targets, self._coordinates(rows)
        return sequences, targets

    def _rows_for_step(self, step: int, batch_size: int, seed: int | None) -> np.ndarray:
        batch_size = _positive(batch_size, "batch_size")
        if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
            raise ValueError(f"step must be a non-negative integer, got {step!r}")
        self._require_targets()
        return self._order.rows(int(step) * batch_size, batch_size, seed)

    def _batches(self, batch_size: int, n_samples: int | None, with_targets: bool):
        batch_size = _positive(batch_size, "batch_size")
        n = self._default_n_samples if n_samples is None else _positive(n_samples, "n_samples")
        order = self._order
        with progress_bar(n, "sample", f"{type(self).__name__} set") as bar:
            for first in range(0, n, batch_size):
                rows = order.rows(first, min(batch_size, n - first))
                batch = self._read(rows, with_targets)
                bar.update(len(rows))
                yield batch

    def get_data_and_targets(
        self, batch_size: int, n_samples: int | None = None
    ) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
        """The first ``n_samples`` positions of the stream, in batches (last = remainder).

        Independent of :meth:`sample`: the same arguments always give the same data.

        Returns
        -------
        tuple
            ``(list of (sequences, targets) batches, targets float32 (n_samples, F))``.
        """
        self._require_targets()
        batches = list(self._batches(batch_size, n_samples, True))
        return batches, np.concatenate([t for _, t in batches])

    def get_data(self, batch_size: int, n_samples: int | None = None) -> list[np.ndarray]:
        """Like :meth:`get_data_and_targets` but only the sequence batches."""
        return [s for s, _ in self._batches(batch_size, n_samples, False)]
