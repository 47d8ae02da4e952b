"""Process-level tuning for CPU speed: keep glibc from returning big buffers to the kernel.

glibc's ``malloc`` serves allocations above a threshold (128 KB at start) with ``mmap`` and
unmaps them on ``free``. A convolutional model's activations (megabytes per layer) are then
mapped, page-faulted and zeroed afresh on every forward pass: measured here, inference of a
DeepSEA-like model ran at ~1,450 samples/s in a fresh process and ~2,600 samples/s once the
heap keeps such buffers. :func:`tune_memory_allocator` raises the thresholds so they stay
on the heap. Freed memory is then kept for reuse (up to the trim threshold) instead of being
returned to the system at once.

Set ``SELENE_SDK_MALLOC_TUNING=0`` to leave the allocator alone.

:func:`frozen_heap` keeps Python's cyclic garbage collector from re-scanning the objects
that exist before a long prediction run (torch alone creates ~180,000 at import): a full
collection over them costs 30-120 ms here and a streamed VCF triggers several.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
import sys
from collections.abc import Iterator

__all__ = ["frozen_heap", "tune_memory_allocator"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 256 * 1024 * 1024
TRIM_THRESHOLD = 512 * 1024 * 1024

_done = False


def tune_memory_allocator() -> bool:
    """Raise glibc's mmap and trim thresholds once per process; True if applied.

    A no-op (False) off Linux/glibc, when disabled by ``SELENE_SDK_MALLOC_TUNING=0``, or
    when the thresholds were set by the user (``MALLOC_MMAP_THRESHOLD_``).
    """
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    if os.environ.get("SELENE_SDK_MALLOC_TUNING", "1").strip().lower() in {"0", "false", "no"}:
        return False
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl)
        return False
    ok = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    if not ok:  # some glibc builds cap the threshold at 32 MB (HEAP_MAX_SIZE / 2)
        ok = mallopt(_M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1
    ok = mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1 and ok
    _done = ok
    return ok


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Exclude the objects alive on entry from cyclic garbage collection during the block.

    Objects created inside the block are collected as usual; on exit everything is
    unfrozen again. Does nothing when the collector is disabled or when something else
    froze objects already (``gc.freeze`` is process-wide and that caller owns it).
    """
    if not gc.isenabled() or gc.get_freeze_count() > 0:
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
