"""Training batches drawn in DataLoader worker processes, in step order.

Samplers that implement ``sample_for_step(step, batch_size, mode, return_coordinates)``
produce each step's batch as a pure function of (seed, mode, step), so workers can draw
steps ``start + w, start + w + n, ...`` in parallel while the model trains, and a run resumed
at step ``s`` sees exactly the batches an uninterrupted run would have seen. The DataLoader
hands out the workers' results round-robin, which restores step order.

Samplers without that method (e.g. a ``MultiSampler`` over DataLoaders) are sampled in the
main process with ``sample(batch_size)``.

Under torchrun each rank trains on its own stream: rank ``r`` of ``W`` draws, for its step
``s``, the sampler's batch ``s * W + r``. The ranks never share a window, a run resumed with
the same world size sees the same batches, and together W ranks see at steps ``0..S-1``
exactly the batches one process sees at steps ``0..S*W-1``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from selene_sdk.forward import to_model_layout

__all__ = ["TrainingBatch", "training_batches"]


@dataclass
class TrainingBatch:
    """One step's data: inputs ``(B, 4, L)`` float32, targets ``(B, F)`` float32."""

    step: int
    inputs: torch.Tensor
    targets: torch.Tensor
    coordinates: Any = None


def _to_tensors(sequences: np.ndarray, targets: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.from_numpy(to_model_layout(np.asarray(sequences)))
    y = torch.from_numpy(np.ascontiguousarray(targets, dtype=np.float32))
    return x, y


class _StepDataset(IterableDataset):
    def __init__(
        self,
        sampler,
        steps: range,
        batch_size: int,
        mode: str,
        coordinates: bool,
        stream: tuple[int, int] = (0, 1),
    ):
        self.sampler = sampler
        self.stream = stream
        self.steps = steps
        self.batch_size = batch_size
        self.mode = mode
        self.coordinates = coordinates

    def __iter__(self):
        info = get_worker_info()
        worker, n_workers = (0, 1) if info is None else (info.id, info.num_workers)
        rank, world = self.stream
        for step in self.steps[worker::n_workers]:
            out = self.sampler.sample_for_step(
                step * world + rank, self.batch_size, self.mode, return_coordinates=self.coordinates
            )
            x, y = _to_tensors(out[0], out[1])
            yield step, x, y, (out[2] if self.coordinates else None)


def _worker_init(_: int) -> None:
    # Data preparation is numpy work; one torch thread per worker leaves the cores to the
    # model.
    torch.set_num_threads(1)


def _probe(sampler, step: int, batch_size: int, mode: str, coordinates: bool, stream):
    method = getattr(sampler, "sample_for_step", None)
    if method is None:
        return None
    rank, world = stream
    try:
        return method(step * world + rank, batch_size, mode, return_coordinates=coordinates)
    except NotImplementedError:
        return None


def training_batches(
    sampler,
    start_step: int,
    stop_step: int,
    batch_size: int,
    n_workers: int = 2,
    mode: str = "train",
    coordinates: bool = False,
    stream: tuple[int, int] = (0, 1),
    pin_memory: bool = False,
) -> Iterator[TrainingBatch]:
    """Yield the batches of steps ``start_step .. stop_step - 1`` in order.

    The first step is drawn in the main process (so sampler errors surface there with a
    clean traceback, and to find out whether the sampler supports per-step sampling);
    the rest come from ``n_workers`` DataLoader workers (0 = in the main process).
    ``stream`` is ``(rank, world_size)`` under torchrun (see the module's documentation);
    ``pin_memory`` pins the batches for asynchronous copies to a GPU.
    """
    if start_step >= stop_step:
        return
    first = _probe(sampler, start_step, batch_size, mode, coordinates, stream)
    if first is None:
        yield from _sequential(sampler, start_step, stop_step, batch_size, mode, stream)
        return
    x, y = _to_tensors(first[0], first[1])
    yield TrainingBatch(start_step, x, y, first[2] if coordinates else None)
    rest = range(start_step + 1, stop_step)
    if not rest:
        return
    dataset = _StepDataset(sampler, rest, batch_size, mode, coordinates, stream)
    if n_workers <= 0:
        for step, x, y, coords in dataset:
            yield TrainingBatch(step, x, y, coords)
        return
    loader = DataLoader(
        dataset,
        batch_size=None,
        num_workers=min(n_workers, len(rest)),
        prefetch_factor=4,
        worker_init_fn=_worker_init,
        # A private generator: creating the iterator must not consume the global torch RNG
        # (dropout draws from it; exact resume depends on that stream).
        generator=torch.Generator(),
        persistent_workers=False,
        pin_memory=pin_memory,
    )
    for step, x, y, coords in loader:
        yield TrainingBatch(int(step), x, y, coords)


def _sequential(
    sampler, start_step, stop_step, batch_size, mode, stream=(0, 1)
) -> Iterator[TrainingBatch]:
    # A sampler with one shared stream: each rank draws all W batches of a step and keeps
    # its own (W times the sampling, but the ranks still train on different batches).
    rank, world = stream
    if hasattr(sampler, "set_mode"):
        sampler.set_mode(mode)
    for step in range(start_step, stop_step):
        for r in range(world):
            out = sampler.sample(batch_size=batch_size)
            if r == rank:
                x, y = _to_tensors(np.asarray(out[0]), np.asarray(out[1]))
        yield TrainingBatch(step, x, y, None)
