"""torch data loading: samplers in DataLoader workers, and HDF5 files of sampled data.

* :class:`SamplerDataLoader` draws batches of an online or file sampler in worker processes.
  Item ``k`` of the loader is ``sampler.sample_for_step(k, batch_size, mode)``, so the stream
  is the same for any number of workers and batches arrive in order.
* :class:`_H5Dataset` / :class:`H5DataLoader` read the files written by
  :func:`selene_sdk.samplers.write_h5.write_sampler_to_h5`: datasets ``sequences`` ``(n, L,
  N)`` and ``targets`` ``(n, F)``, optionally bit-packed along ``L`` / ``F``, with scalar
  datasets ``sequences_length`` and ``targets_length`` giving the unpacked sizes.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
)
from torch.utils.data import Sampler as IndexSampler

from selene_sdk.errors import InputFormatError, require_file
from selene_sdk.samplers._arrays import take_rows
from selene_sdk.samplers._codes import CodeBatch

__all__ = [
    "H5DataLoader",
    "SamplerDataLoader",
    "_H5Dataset",
    "_SamplerDataset",
    "unpackbits_sequence",
    "unpackbits_targets",
]


def unpackbits_sequence(sequence: np.ndarray, s_len: int) -> np.ndarray:
    """Unpack bit-packed one-hot sequences along the length axis (axis -2).

    Rows whose bits are all set are unknown bases and become ``1 / N`` rows; the padding
    added by packing is cut to ``s_len`` rows.

    Parameters
    ----------
    sequence
        uint8 ``(..., ceil(L / 8), N)``.
    s_len
        The unpacked length ``L``.

    Returns
    -------
    numpy.ndarray
        float32 ``(..., L, N)``.
    """
    bits = np.unpackbits(np.asarray(sequence, dtype=np.uint8), axis=-2)
    seq = bits[..., :s_len, :].astype(np.float32)
    n = seq.shape[-1]
    seq[seq.sum(axis=-1) == n] = 1.0 / n
    return seq


def unpackbits_targets(targets: np.ndarray, t_len: int) -> np.ndarray:
    """Unpack bit-packed binary targets along the last axis -> float32 ``(..., t_len)``.

    Works for one sample ``(ceil(F / 8),)`` and for batches ``(B, ceil(F / 8))``.
    """
    bits = np.unpackbits(np.asarray(targets, dtype=np.uint8), axis=-1)
    return bits[..., :t_len].astype(np.float32)


# -- samplers in workers ------------------------------------------------------------------------
def _squeeze(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_squeeze(v) for v in value)
    return value[0]


class _SamplerDataset(Dataset):
    """A map-style view of a sampler: item ``k`` is a deterministic draw keyed by ``k``.

    Parameters
    ----------
    sampler
        An online sampler, file sampler or MultiSampler (anything with ``sample_for_step``;
        other samplers fall back to ``sample()``, whose streams are not keyed).
    batch_size
        None: an int index ``k`` gives one sample (``sample_for_step(k, 1)``, squeezed), a
        list of indices a batch of that many (keyed by ``index[0] // len(index)``). An int:
        index ``k`` gives the whole batch ``sample_for_step(k, batch_size)``.
    seed
        Overrides the sampler's seed (None: the sampler's own).
    mode
        The partition to draw from (None: the sampler's current mode when the item is drawn,
        i.e. when the DataLoader started its workers).
    compact
        Return :class:`~selene_sdk.samplers._codes.CodeBatch` items (uint8 codes) where the
        sampler can, for cheap transfer out of worker processes.
    return_coordinates
        Also return the windows' coordinates.

    ``len()`` is ``sys.maxsize``: the stream is endless.
    """

    def __init__(
        self,
        sampler: Any,
        batch_size: int | None = None,
        seed: int | None = None,
        *,
        mode: str | None = None,
        compact: bool = False,
        return_coordinates: bool = False,
    ):
        self.sampler = sampler
        self.batch_size = batch_size
        self.seed = seed
        self.mode = mode
        self.compact = compact
        self.return_coordinates = return_coordinates

    def __len__(self) -> int:
        return sys.maxsize

    def _draw(self, step: int, count: int) -> Any:
        sampler = self.sampler
        if not hasattr(sampler, "sample_for_step"):
            return tuple(sampler.sample(count))
        kwargs: dict[str, Any] = {"return_coordinates": self.return_coordinates}
        mode = self.mode or getattr(sampler, "mode", None)
        if mode is not None:
            kwargs["mode"] = mode
        if self.seed is not None:
            kwargs["seed"] = self.seed
        if self.compact and hasattr(sampler, "sample_codes_for_step"):
            try:
                return sampler.sample_codes_for_step(step, count, **kwargs)
            except NotImplementedError:
                pass
        return tuple(sampler.sample_for_step(step, count, **kwargs))

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, Sequence | np.ndarray | torch.Tensor):
            count = len(index)
            return self._draw(int(index[0]) // max(count, 1), count)
        if self.batch_size is not None:
            return self._draw(int(index), self.batch_size)
        item = self._draw(int(index), 1)
        if isinstance(item, CodeBatch):
            item = item.as_sample()
        return _squeeze(item)


class _Steps(IndexSampler[int]):
    """The endless index stream start, start + 1, ... (one index per batch)."""

    def __init__(self, start: int = 0):
        self.start = int(start)

    def __iter__(self) -> Iterator[int]:
        return itertools.count(self.start)

    def __len__(self) -> int:
        return sys.maxsize


def _keep(item: Any) -> Any:
    """Worker-side collate: ship items as they are (numpy pickles; see ``_as_tensors``)."""
    return item


def _tensor(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.dtype != object:
        return torch.from_numpy(value)
    return value


def _as_tensors(item: Any) -> tuple[Any, ...]:
    """Main-process side: expand code batches and turn arrays into tensors."""
    if isinstance(item, CodeBatch):
        item = item.as_sample()
    return tuple(_tensor(v) for v in item)


class SamplerDataLoader(DataLoader):
    """Draws a sampler's batches in ``num_workers`` worker processes.

    Batch ``k`` is ``sampler.sample_for_step(start_step + k, batch_size, mode, seed=seed)``:
    workers draw distinct, deterministic batches and the loader yields them in order, the
    same stream for any number of workers. Each item is ``(sequences (B, L, N), targets (B,
    F))`` as float32 tensors (plus the coordinates with ``return_coordinates``). The loader
    is endless.

    Workers send online and BED samples as uint8 codes, 16x less data than float32
    encodings, and the one-hot encoding is done on arrival.

    Parameters
    ----------
    sampler
        The sampler; set its mode before iterating (workers copy it when they start).
    num_workers
        Worker processes (0: draw in the main process).
    batch_size
        Samples per batch.
    seed
        Seed of the drawn stream, used instead of the sampler's (Selene's loader reseeded its
        workers); None keeps the sampler's own seed.
    mode
        Extension: draw this mode's partition (default: the sampler's current mode).
    start_step
        Extension: the first batch is step ``start_step`` (resuming a run).
    return_coordinates
        Extension: also yield ``(chroms, starts, ends, strands)`` of each batch, e.g. to
        record it with the sampler's ``add_to_saved_dataset`` in the main process.
    """

    def __init__(
        self,
        sampler: Any,
        num_workers: int = 1,
        batch_size: int = 1,
        seed: int | None = 436,
        *,
        mode: str | None = None,
        start_step: int = 0,
        return_coordinates: bool = False,
    ):
        self.samples_per_batch = int(batch_size)
        self.seed = seed
        dataset = _SamplerDataset(
            sampler,
            batch_size=int(batch_size),
            seed=seed,
            mode=mode,
            compact=True,
            return_coordinates=return_coordinates,
        )
        super().__init__(
            dataset,
            batch_size=None,
            sampler=_Steps(start_step),
            num_workers=int(num_workers),
            collate_fn=_keep,
        )

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return map(_as_tensors, super().__iter__())


# -- HDF5 ---------------------------------------------------------------------------------------
class _H5Dataset(Dataset):
    """Samples stored in an HDF5 file (as written by ``write_sampler_to_h5``).

    Parameters
    ----------
    file_path
        The HDF5 file.
    in_memory
        Read both datasets into memory at first use (the DataLoader then uses no workers).
    unpackbits
        Both datasets are bit-packed (same as ``unpackbits_seq`` and ``unpackbits_tgt``).
    unpackbits_seq, unpackbits_tgt
        The sequences / targets are bit-packed; needs the scalar datasets
        ``<sequence_key>_length`` / ``<targets_key>_length``.
    sequence_key, targets_key
        Dataset names.
    use_seq_len
        Keep only the central ``use_seq_len`` bases: ``[mid - ceil(u / 2), mid + floor(u /
        2))`` with ``mid = L // 2``.
    shift
        Move that slice by ``shift`` bases (positive: to the right).

    Items: an int index (wrapped modulo the length) gives ``(sequence float32 (L, N),
    targets float32 (F,))`` tensors; a list of indices gives the batch ``(B, L, N)``,
    ``(B, F)`` in one read (what :class:`H5DataLoader` uses).
    """

    supports_batch_index = True

    def __init__(
        self,
        file_path: str | os.PathLike,
        in_memory: bool = False,
        unpackbits: bool = False,
        unpackbits_seq: bool = False,
        unpackbits_tgt: bool = False,
        sequence_key: str = "sequences",
        targets_key: str = "targets",
        use_seq_len: int | None = None,
        shift: int | None = None,
    ):
        self.file_path = require_file(file_path, "HDF5 file")
        self.in_memory = bool(in_memory)
        self.unpackbits_seq = bool(unpackbits or unpackbits_seq)
        self.unpackbits_tgt = bool(unpackbits or unpackbits_tgt)
        self.sequence_key = sequence_key
        self.targets_key = targets_key
        self.use_seq_len = use_seq_len
        self.shift = shift
        self._sources: tuple[Any, Any] | None = None
        self._handle: Any = None
        self._pid: int | None = None
        self._n, self.s_len, self.t_len = self._metadata()
        self._window = self._seq_window()

    def _metadata(self) -> tuple[int, int, int | None]:
        import h5py

        try:
            handle = h5py.File(self.file_path, "r")
        except OSError as exc:
            raise InputFormatError(self.file_path, f"not an HDF5 file ({exc})") from None
        with handle:
            names = sorted(handle.keys())
            for key in (self.sequence_key, self.targets_key):
                if key not in handle:
                    raise InputFormatError(
                        self.file_path, f"no dataset {key!r}; the file contains {names}"
                    )
            seqs, tgts = handle[self.sequence_key], handle[self.targets_key]
            if len(seqs.shape) != 3:
                raise InputFormatError(
                    self.file_path,
                    f"{self.sequence_key!r} must be 3-D (n, L, N), got shape {seqs.shape}",
                )
            if tgts.shape[0] != seqs.shape[0]:
                raise InputFormatError(
                    self.file_path,
                    f"{self.targets_key!r} has {tgts.shape[0]} rows, "
                    f"{self.sequence_key!r} has {seqs.shape[0]}",
                )
            s_len = self._length(handle, self.sequence_key, self.unpackbits_seq, seqs.shape[1])
            t_len = self._length(
                handle,
                self.targets_key,
                self.unpackbits_tgt,
                tgts.shape[1] if len(tgts.shape) > 1 else None,
            )
            return int(seqs.shape[0]), s_len, t_len

    def _length(self, handle: Any, key: str, packed: bool, stored: int | None) -> int | None:
        if not packed:
            return stored
        name = f"{key}_length"
        if name not in handle:
            raise InputFormatError(
                self.file_path,
                f"unpacking bits needs the scalar dataset {name!r} (the unpacked size), which "
                "the file lacks",
            )
        return int(np.asarray(handle[name][()]))

    def _seq_window(self) -> slice | None:
        if self.use_seq_len is None:
            if self.shift:
                raise ValueError("shift needs use_seq_len")
            return None
        use, length = int(self.use_seq_len), self.s_len
        mid = length // 2
        start = mid - math.ceil(use / 2) + int(self.shift or 0)
        end = mid + use // 2 + int(self.shift or 0)
        if use <= 0 or start < 0 or end > length:
            raise ValueError(
                f"use_seq_len={use} with shift={self.shift} selects [{start}, {end}), outside "
                f"the stored sequences of length {length}"
            )
        return slice(start, end)

    def _open(self) -> tuple[Any, Any]:
        if self._sources is not None and self._pid == os.getpid():
            return self._sources
        import h5py

        handle = h5py.File(self.file_path, "r")
        seqs, tgts = handle[self.sequence_key], handle[self.targets_key]
        if self.in_memory:
            seqs, tgts = seqs[()], tgts[()]
            handle.close()
            handle = None
        self._handle, self._sources, self._pid = handle, (seqs, tgts), os.getpid()
        return self._sources

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_sources"] = state["_handle"] = state["_pid"] = None
        return state

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, index: Any) -> tuple[torch.Tensor, torch.Tensor]:
        single = isinstance(index, int | np.integer)
        rows = np.atleast_1d(np.asarray(index, dtype=np.int64)) % self._n
        seq_src, tgt_src = self._open()
        seqs = take_rows(seq_src, 0, rows)
        tgts = take_rows(tgt_src, 0, rows)
        if self.unpackbits_seq:
            seqs = unpackbits_sequence(seqs, self.s_len)
        else:
            seqs = np.asarray(seqs, dtype=np.float32)
        if self._window is not None:
            seqs = seqs[:, self._window]
        if self.unpackbits_tgt:
            tgts = unpackbits_targets(tgts, self.t_len)
        else:
            tgts = np.asarray(tgts, dtype=np.float32)
        if single:
            seqs, tgts = seqs[0], tgts[0]
        return torch.from_numpy(np.ascontiguousarray(seqs)), torch.from_numpy(
            np.ascontiguousarray(tgts)
        )


def _subset_indices(use_subset: Any, n: int) -> list[int]:
    if isinstance(use_subset, bool):
        raise ValueError(
            f"use_subset must be an int, a (start, end) tuple or a list, not {use_subset!r}"
        )
    if isinstance(use_subset, int | np.integer):
        indices = list(range(int(use_subset)))
    elif isinstance(use_subset, tuple):
        if len(use_subset) != 2:
            raise ValueError(f"use_subset as a tuple must be (start, end), got {use_subset!r}")
        indices = list(range(int(use_subset[0]), int(use_subset[1])))
    else:
        indices = [int(i) for i in use_subset]
    if not indices:
        raise ValueError(f"use_subset={use_subset!r} selects no rows")
    bad = [i for i in indices if not 0 <= i < n]
    if bad:
        raise ValueError(f"use_subset indices {bad[:5]} are outside the dataset of {n} rows")
    return indices


class H5DataLoader(DataLoader):
    """Batches of an HDF5 dataset (usually :class:`_H5Dataset`).

    Parameters
    ----------
    dataset
        The dataset; an in-memory ``_H5Dataset`` forces ``num_workers=0``.
    num_workers
        Worker processes.
    use_subset
        Only these rows, in random order: an int ``n`` (the first ``n`` rows), a tuple
        ``(start, end)`` (that range) or a list of row numbers. ``shuffle`` is then ignored.
    batch_size
        Samples per batch.
    seed
        Seeds the torch generator of the shuffling (the order is reproducible).
    sampler, batch_sampler
        Custom torch samplers (``batch_sampler`` wins over everything else).
    shuffle
        Random order (else file order).

    Each batch is ``(sequences float32 (B, L, N), targets float32 (B, F))``; an
    ``_H5Dataset`` serves a whole batch with one read.
    """

    def __init__(
        self,
        dataset: Any,
        num_workers: int = 1,
        use_subset: Any = None,
        batch_size: int = 1,
        seed: int = 436,
        sampler: Any = None,
        batch_sampler: Any = None,
        shuffle: bool = True,
    ):
        if getattr(dataset, "in_memory", False):
            num_workers = 0
        generator = torch.Generator()
        generator.manual_seed(int(seed))
        if batch_sampler is None:
            if use_subset is not None:
                base = SubsetRandomSampler(_subset_indices(use_subset, len(dataset)), generator)
            elif sampler is not None:
                base = sampler
            elif shuffle:
                base = RandomSampler(dataset, generator=generator)
            else:
                base = SequentialSampler(dataset)
            batch_sampler = BatchSampler(base, int(batch_size), drop_last=False)
        self.samples_per_batch = int(batch_size)
        common = dict(
            num_workers=int(num_workers),
            generator=generator,
            pin_memory=torch.cuda.is_available(),
        )
        if getattr(dataset, "supports_batch_index", False):
            super().__init__(dataset, batch_size=None, sampler=batch_sampler, **common)
        else:
            super().__init__(dataset, batch_sampler=batch_sampler, **common)
