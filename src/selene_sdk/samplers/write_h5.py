"""Write a sampler's batches to an HDF5 file (Selene's ``scripts/sampler_write_to_h5.py``;
the ``selene write-h5`` command, which reads the sampler from a config, is
:mod:`selene_sdk.config.write_h5_command`).

File ``<output_dir>/<mode>_seed=<seed>_N=<n>.h5`` with ``n = n_steps * batch_size``:

* ``sequences``: ``(n, L, N)`` float32, or with ``compress`` uint8 ``(n, ceil(L / 8), N)``
  bit-packed along ``L`` (unknown-base rows packed as all ones);
* ``targets``: ``(n, F)`` float32, or with ``compress`` uint8 ``(n, ceil(F / 8))`` bit-packed
  along ``F`` (binary targets only);
* scalars ``sequences_length`` (``L``) and ``targets_length`` (``F``).

Read it back with ``_H5Dataset(path, unpackbits=compress)`` and ``H5DataLoader``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from selene_sdk.io.atomic import atomic_path
from selene_sdk.progress import LogProgress, progress_bar

__all__ = ["h5_file_name", "write_sampler_to_h5"]


def h5_file_name(mode: str, seed: int, n: int) -> str:
    """``<mode>_seed=<seed>_N=<n>.h5``."""
    return f"{mode}_seed={seed}_N={n}.h5"


def _draw(sampler: Any, mode: str, step: int, batch_size: int, seed: int):
    if hasattr(sampler, "sample_for_step"):
        out = sampler.sample_for_step(step, batch_size, mode=mode, seed=seed)
    else:
        out = sampler.sample(batch_size=batch_size, mode=mode)
    if len(out) < 2 or out[1] is None:
        raise ValueError("the sampler returns no targets; write-h5 needs (sequences, targets)")
    return np.asarray(out[0], dtype=np.float32), np.asarray(out[1], dtype=np.float32)


def _pack_sequences(seqs: np.ndarray) -> np.ndarray:
    return np.packbits(seqs > 0, axis=1)


def _pack_targets(targets: np.ndarray, step: int) -> np.ndarray:
    if not np.isin(targets, (0.0, 1.0)).all():
        bad = targets[~np.isin(targets, (0.0, 1.0))][0]
        raise ValueError(
            f"compress needs binary (0/1) targets, got {bad} in the batch of step {step}; "
            "write without compress"
        )
    return np.packbits(targets.astype(np.uint8), axis=1)


def write_sampler_to_h5(
    sampler: Any,
    mode: str,
    n_steps: int,
    batch_size: int,
    output_dir: str | os.PathLike,
    seed: int,
    compress: bool = False,
    progress: bool = True,
) -> str:
    """Draw ``n_steps`` batches of ``mode`` and write them to one HDF5 file, atomically.

    Batch ``i`` is ``sampler.sample_for_step(i, batch_size, mode=mode, seed=seed)``, so the
    file is a pure function of the sampler, ``mode``, ``batch_size``, ``n_steps`` and ``seed``.

    Parameters
    ----------
    sampler
        An online, file or multi sampler.
    mode
        ``train``, ``validate`` or ``test``.
    n_steps, batch_size
        The file holds ``n_steps * batch_size`` samples.
    output_dir
        Directory of the file (created if missing).
    seed
        Seed of the drawn batches (and part of the file name).
    compress
        Bit-pack sequences along the length and (binary) targets along the features.
    progress
        Show progress (see :func:`selene_sdk.progress.progress_bar`: a bar on a terminal,
        log lines elsewhere, ``SELENE_SDK_PROGRESS``); False hides it.

    Returns
    -------
    str
        Path of the written file.
    """
    import h5py

    for name, value in (("n_steps", n_steps), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    n = n_steps * batch_size
    os.makedirs(output_dir, exist_ok=True)
    path = os.path.join(os.fspath(output_dir), h5_file_name(mode, seed, n))
    desc = f"writing {os.path.basename(path)}"
    if progress:
        bar = progress_bar(n_steps, "batch", desc)
    else:
        bar = LogProgress(None, "batch", desc, interval=None)  # hidden
    with bar, atomic_path(path, suffix=".h5") as tmp, h5py.File(tmp, "w") as out:
        seq_ds = tgt_ds = None
        for step in range(n_steps):
            seqs, targets = _draw(sampler, mode, step, batch_size, seed)
            if seq_ds is None:
                length, alphabet = seqs.shape[1], seqs.shape[2]
                n_features = targets.shape[1]
                out.create_dataset("sequences_length", data=length)
                out.create_dataset("targets_length", data=n_features)
                seq_shape = (n, (length + 7) // 8 if compress else length, alphabet)
                tgt_shape = (n, (n_features + 7) // 8 if compress else n_features)
                dtype = np.uint8 if compress else np.float32
                # One chunk per batch: written once, read back in batch-sized pieces.
                seq_ds = out.create_dataset(
                    "sequences", shape=seq_shape, dtype=dtype, chunks=(batch_size, *seq_shape[1:])
                )
                tgt_ds = out.create_dataset(
                    "targets", shape=tgt_shape, dtype=dtype, chunks=(batch_size, tgt_shape[1])
                )
            rows = slice(step * batch_size, (step + 1) * batch_size)
            if compress:
                seq_ds[rows] = _pack_sequences(seqs)
                tgt_ds[rows] = _pack_targets(targets, step)
            else:
                seq_ds[rows] = seqs
                tgt_ds[rows] = targets
            bar.update(1)
    return path
