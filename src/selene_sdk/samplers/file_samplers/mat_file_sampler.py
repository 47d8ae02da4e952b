"""``MatFileSampler``: encoded sequences and targets stored in a MATLAB ``.mat`` / HDF5 file."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from selene_sdk.errors import InputFormatError, require_file
from selene_sdk.samplers._arrays import take_rows
from selene_sdk.samplers._rng import EpochOrder, check_seed
from selene_sdk.samplers.file_samplers.file_sampler import FileSampler

__all__ = ["MatFileSampler"]


def _axis(value: object, name: str, allowed: tuple[int, ...]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


class MatFileSampler(FileSampler):
    """Samples from arrays in a ``.mat`` file: MATLAB v5 (via scipy, read into memory) or
    MATLAB v7.3 / any HDF5 file (via h5py, read lazily batch by batch).

    Parameters
    ----------
    filepath
        The ``.mat`` / HDF5 file.
    sequence_key
        Name of the 3-D array of one-hot sequences.
    targets_key
        Name of the targets matrix, or None for a file without targets.
    random_seed
        Seed of the per-epoch shuffles (``(random_seed, epoch)``).
    shuffle
        Shuffle the rows within every epoch.
    sequence_batch_axis, sequence_alphabet_axis
        Axes of the sequence array holding the samples and the alphabet; the remaining axis
        is the sequence length. Defaults (0, 1) mean an ``(n, N, L)`` array. DeepSEA's
        ``train.mat`` read through h5py needs (2, 1).
    targets_batch_axis
        0: targets stored ``(n, F)``; 1: stored ``(F, n)``.

    Outputs are ``(B, L, N)`` float32 sequences and ``(B, F)`` float32 targets.
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        sequence_key: str,
        targets_key: str | None = None,
        random_seed: int = 436,
        shuffle: bool = True,
        sequence_batch_axis: int = 0,
        sequence_alphabet_axis: int = 1,
        targets_batch_axis: int = 0,
    ):
        super().__init__()
        self.filepath = require_file(filepath, ".mat file")
        self.sequence_key = str(sequence_key)
        self.targets_key = None if targets_key is None else str(targets_key)
        self.random_seed = check_seed(random_seed, "random_seed")
        self.shuffle = bool(shuffle)
        self.sequence_batch_axis = _axis(sequence_batch_axis, "sequence_batch_axis", (0, 1, 2))
        self.sequence_alphabet_axis = _axis(
            sequence_alphabet_axis, "sequence_alphabet_axis", (0, 1, 2)
        )
        if self.sequence_alphabet_axis == self.sequence_batch_axis:
            raise ValueError("sequence_batch_axis and sequence_alphabet_axis must differ")
        self.sequence_length_axis = 3 - self.sequence_batch_axis - self.sequence_alphabet_axis
        self.targets_batch_axis = _axis(targets_batch_axis, "targets_batch_axis", (0, 1))
        self._arrays: tuple[Any, Any] | None = None
        self._h5: Any = None
        self._pid: int | None = None
        sequences, targets = self._open()
        self.n_samples = int(sequences.shape[self.sequence_batch_axis])
        if targets is not None and targets.shape[self._targets_axis(targets)] != self.n_samples:
            raise InputFormatError(
                self.filepath,
                f"{self.targets_key!r} has {targets.shape[self._targets_axis(targets)]} "
                f"samples along axis {self.targets_batch_axis} but {self.sequence_key!r} has "
                f"{self.n_samples} along axis {self.sequence_batch_axis}",
            )
        self._stream = EpochOrder(self.n_samples, self.random_seed, self.shuffle)

    # -- file access --------------------------------------------------------------------------
    def _targets_axis(self, targets: Any) -> int:
        return 0 if len(targets.shape) == 1 else self.targets_batch_axis

    def _check_keys(self, names: list[str]) -> None:
        for key in (self.sequence_key, self.targets_key):
            if key is not None and key not in names:
                raise InputFormatError(
                    self.filepath, f"no variable {key!r} in the file; it contains {sorted(names)}"
                )

    def _open(self) -> tuple[Any, Any]:
        """``(sequences, targets or None)`` as numpy arrays (v5) or h5py datasets (HDF5).

        h5py handles are reopened in each process (DataLoader workers must not share one).
        """
        if self._arrays is not None and self._pid == os.getpid():
            return self._arrays
        import scipy.io

        try:
            names = [v[0] for v in scipy.io.whosmat(self.filepath)]
        except (NotImplementedError, ValueError, scipy.io.matlab.MatReadError):
            names = None  # MATLAB v7.3, plain HDF5 (or not a .mat file: h5py will say)
        if names is not None:
            self._check_keys(names)
            wanted = [k for k in (self.sequence_key, self.targets_key) if k is not None]
            data = scipy.io.loadmat(self.filepath, variable_names=wanted)
            arrays = (data[self.sequence_key], data.get(self.targets_key))
        else:
            import h5py

            try:
                handle = h5py.File(self.filepath, "r")
            except OSError as exc:
                raise InputFormatError(
                    self.filepath, f"not a MATLAB .mat or HDF5 file ({exc})"
                ) from None
            self._check_keys(list(handle.keys()))
            self._h5 = handle
            targets = None if self.targets_key is None else handle[self.targets_key]
            arrays = (handle[self.sequence_key], targets)
        if len(arrays[0].shape) != 3:
            raise InputFormatError(
                self.filepath,
                f"{self.sequence_key!r} must be a 3-D array (samples, alphabet, length in some "
                f"order), got shape {tuple(arrays[0].shape)}",
            )
        if arrays[1] is not None and len(arrays[1].shape) not in (1, 2):
            raise InputFormatError(
                self.filepath,
                f"{self.targets_key!r} must be 1-D or 2-D, got shape {tuple(arrays[1].shape)}",
            )
        self._arrays, self._pid = arrays, os.getpid()
        return arrays

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_arrays"] = state["_h5"] = state["_pid"] = None
        return state

    # -- FileSampler hooks --------------------------------------------------------------------
    @property
    def has_targets(self) -> bool:
        return self.targets_key is not None

    @property
    def _order(self) -> EpochOrder:
        return self._stream

    @property
    def _default_n_samples(self) -> int:
        return self.n_samples

    def __len__(self) -> int:
        """Number of samples in the file."""
        return self.n_samples

    def _read(self, rows: np.ndarray, with_targets: bool) -> tuple[np.ndarray, np.ndarray | None]:
        sequences_src, targets_src = self._open()
        seqs = take_rows(sequences_src, self.sequence_batch_axis, rows)
        seqs = np.moveaxis(
            seqs,
            (self.sequence_batch_axis, self.sequence_length_axis, self.sequence_alphabet_axis),
            (0, 1, 2),
        )
        seqs = np.ascontiguousarray(seqs, dtype=np.float32)
        if not with_targets:
            return seqs, None
        axis = self._targets_axis(targets_src)
        targets = take_rows(targets_src, axis, rows)
        if targets.ndim == 1:
            targets = targets[:, None]
        elif axis == 1:
            targets = targets.T
        return seqs, np.ascontiguousarray(targets, dtype=np.float32)
