"""The processes of a ``torchrun`` job: which one this is, its share of the work, and the
collectives that put the shares together.

``torchrun --nproc_per_node=N -m selene_sdk CONFIG`` starts N processes, each with the
environment variables ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``. The command line calls
:func:`init_from_environment` (NCCL on GPUs, gloo on CPUs); library code only asks
:func:`current` and works alone (rank 0 of 1) whenever no process group is set up, so a
plain ``python -m selene_sdk`` or a script is unaffected.

Everything here is ``torch.distributed``: no process pool of our own.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.distributed as dist

__all__ = [
    "Ranks",
    "all_gather",
    "barrier",
    "broadcast",
    "concatenate_gathered",
    "contiguous_share",
    "current",
    "init_from_environment",
    "launched_by_torchrun",
    "shutdown",
]


@dataclass(frozen=True)
class Ranks:
    """Where this process stands in the job (rank 0 of 1 outside torchrun)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that writes logs, checkpoints and result files."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    def __str__(self) -> str:
        return f"rank {self.rank} of {self.world_size}"


def launched_by_torchrun() -> bool:
    """Whether the environment describes a job of more than one process."""
    return int(os.environ.get("WORLD_SIZE", "1") or 1) > 1


def current() -> Ranks:
    """This process's :class:`Ranks`: from the process group when one is set up."""
    if dist.is_available() and dist.is_initialized():
        local = int(os.environ.get("LOCAL_RANK", dist.get_rank()))
        return Ranks(dist.get_rank(), dist.get_world_size(), local)
    return Ranks()


def init_from_environment(use_cuda: bool | None = None, timeout_s: float = 1800.0) -> Ranks:
    """Join the torchrun job described by the environment (a no-op outside one).

    NCCL when CUDA devices exist (and ``use_cuda`` is not False), each process on the
    device of its ``LOCAL_RANK``; gloo otherwise. Returns :func:`current`.
    """
    if not launched_by_torchrun() or (dist.is_available() and dist.is_initialized()):
        return current()
    if not dist.is_available():
        raise RuntimeError("this PyTorch build has no torch.distributed; run one process")
    cuda = torch.cuda.is_available() if use_cuda is None else use_cuda and torch.cuda.is_available()
    backend = "nccl" if cuda else "gloo"
    if cuda:
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dist.init_process_group(backend, timeout=datetime.timedelta(seconds=timeout_s))
    return current()


def shutdown() -> None:
    """Leave the process group (if any)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


@contextlib.contextmanager
def job(use_cuda: bool | None = None) -> Iterator[Ranks]:
    """:func:`init_from_environment` for the block, :func:`shutdown` after it."""
    started = launched_by_torchrun() and not (dist.is_available() and dist.is_initialized())
    ranks = init_from_environment(use_cuda)
    try:
        yield ranks
        if started:
            gc.collect()  # DistributedDataParallel objects in reference cycles go first
            # every rank done communicating before the group goes: gloo's worker threads
            # still busy at destruction abort the process ("terminate called without an
            # active exception")
            barrier(ranks)
    finally:
        if started:
            shutdown()


def contiguous_share(n: int, ranks: Ranks | None = None) -> range:
    """The indices ``0..n-1`` of this rank: contiguous, in order, sizes differing by at
    most one (rank ``r`` of ``W`` gets ``[n*r//W, n*(r+1)//W)``)."""
    ranks = ranks or current()
    return range(n * ranks.rank // ranks.world_size, n * (ranks.rank + 1) // ranks.world_size)


def all_gather(value: Any, ranks: Ranks | None = None) -> list[Any]:
    """Every rank's ``value`` (any picklable object), in rank order; ``[value]`` alone."""
    ranks = ranks or current()
    if not ranks.distributed:
        return [value]
    out: list[Any] = [None] * ranks.world_size
    dist.all_gather_object(out, value)
    return out


def concatenate_gathered(array: np.ndarray, ranks: Ranks | None = None) -> np.ndarray:
    """The ranks' arrays concatenated along axis 0 in rank order (on every rank)."""
    parts = all_gather(np.asarray(array), ranks)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def broadcast(value: Any, ranks: Ranks | None = None) -> Any:
    """Rank 0's ``value`` on every rank."""
    ranks = ranks or current()
    if not ranks.distributed:
        return value
    box = [value if ranks.is_main else None]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def barrier(ranks: Ranks | None = None) -> None:
    """Wait for every rank (a no-op alone)."""
    ranks = ranks or current()
    if ranks.distributed:
        dist.barrier()
