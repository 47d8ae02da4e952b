"""Counter-based random streams: every batch is a pure function of ``(seed, purpose, key)``.

Samplers never touch the global ``random``/``numpy.random`` state. Each batch gets its own
:class:`numpy.random.Generator` seeded from ``SeedSequence([seed, tag, key])``, so batch ``N``
can be drawn in any process, in any order, and a run resumed at step ``N`` continues exactly.
"""

from __future__ import annotations

import numbers
from collections import OrderedDict

import numpy as np

__all__ = ["MODE_IDS", "EpochOrder", "check_seed", "generator_for"]

#: Stream tags of the three modes (also the ``mode_id`` of :meth:`sample_for_step`).
MODE_IDS: dict[str, int] = {"train": 0, "validate": 1, "test": 2}
# Tags of the other streams; distinct from the mode ids so no two purposes share a stream.
TAG_PARTITION = 100
TAG_EPOCH = 101


def check_seed(seed: object, name: str = "seed") -> int:
    """Return ``seed`` as an int, or raise ``ValueError`` for a non-integer/negative value."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or int(seed) < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {seed!r}")
    return int(seed)


def generator_for(seed: int, tag: int, key: int) -> np.random.Generator:
    """A fresh Generator for stream ``(seed, tag, key)``."""
    if key < 0:
        raise ValueError(f"step/epoch numbers must be non-negative, got {key}")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, tag, int(key)])))


class EpochOrder:
    """Maps positions of an endless sample stream to row numbers, epoch by epoch.

    Position ``p`` of the stream is row ``order_e[p % n]`` of epoch ``e = p // n``, where
    ``order_e`` is the identity (``shuffle=False``) or a permutation seeded by
    ``(seed, e)``. Batches that cross an epoch boundary take the tail of one epoch and the head
    of the next, so no row is ever skipped.

    Parameters
    ----------
    n_rows
        Number of rows (> 0).
    seed
        Seed of the per-epoch permutations.
    shuffle
        Permute rows within every epoch.
    """

    _CACHE_SIZE = 3

    def __init__(self, n_rows: int, seed: int, shuffle: bool):
        if n_rows <= 0:
            raise ValueError("no rows to sample from")
        self.n_rows = int(n_rows)
        self.seed = check_seed(seed)
        self.shuffle = bool(shuffle)
        self._perms: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()

    def permutation(self, epoch: int, seed: int | None = None) -> np.ndarray:
        """Row order of ``epoch`` (cached: consecutive batches share an epoch)."""
        seed = self.seed if seed is None else check_seed(seed)
        key = (seed, int(epoch))
        perm = self._perms.get(key)
        if perm is None:
            perm = generator_for(seed, TAG_EPOCH, epoch).permutation(self.n_rows)
            self._perms[key] = perm
            while len(self._perms) > self._CACHE_SIZE:
                self._perms.popitem(last=False)
        else:
            self._perms.move_to_end(key)
        return perm

    def rows(self, offset: int, count: int, seed: int | None = None) -> np.ndarray:
        """Row numbers of stream positions ``[offset, offset + count)`` -> int64 ``(count,)``."""
        positions = np.arange(offset, offset + count, dtype=np.int64)
        within = positions % self.n_rows
        if not self.shuffle:
            return within
        epochs = positions // self.n_rows
        out = np.empty(count, dtype=np.int64)
        for epoch in np.unique(epochs):
            mask = epochs == epoch
            out[mask] = self.permutation(int(epoch), seed)[within[mask]]
        return out

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_perms"] = OrderedDict()
        return state
