"""The ``<mode>_data.bed`` files of online samplers (``save_datasets``).

One line per accepted sample, tab-separated: ``chrom, window_start, window_end, strand`` and
the ``;``-joined 0-based indices of non-zero targets (empty for a negative sample). No
header. This is exactly what :class:`~selene_sdk.samplers.file_samplers.BedFileSampler`
reads with ``targets_avail=True``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from selene_sdk.io.atomic import atomic_write

__all__ = ["SavedDataset", "format_lines"]

#: Buffered lines are written out once a buffer holds more than this many rows.
FLUSH_ROWS = 200_000


def format_lines(coordinates: Sequence[np.ndarray], targets: np.ndarray | None) -> list[str]:
    """Saved-dataset lines for a batch.

    Parameters
    ----------
    coordinates
        ``(chroms, starts, ends, strands)``, each of shape ``(B,)``.
    targets
        ``(B, F)`` labels (non-zero entries are listed) or None (empty last column).
    """
    chroms, starts, ends, strands = coordinates
    n = len(starts)
    if targets is None:
        labels = [""] * n
    else:
        targets = np.asarray(targets)
        rows, cols = np.nonzero(targets)
        bounds = np.searchsorted(rows, np.arange(n + 1))
        col_text = cols.astype(str)
        labels = [";".join(col_text[bounds[i] : bounds[i + 1]]) for i in range(n)]
    return [
        f"{c}\t{int(s)}\t{int(e)}\t{st}\t{lab}\n"
        for c, s, e, st, lab in zip(chroms, starts, ends, strands, labels)
    ]


class SavedDataset:
    """Buffered, atomically written ``<output_dir>/<mode>_data.bed``.

    Lines are appended to a hidden temporary file beside the target; :meth:`flush` with
    ``close=True`` renames it into place. Writing again after closing starts a new file
    (the old one is replaced when that one is closed).
    """

    def __init__(self, path: str):
        self.path = path
        self.buffer: list[str] = []
        self._stack: contextlib.ExitStack | None = None
        self._handle: Any = None
        self._finished = False

    def add(self, lines: list[str]) -> None:
        """Append lines; write them out once more than :data:`FLUSH_ROWS` are buffered."""
        self.buffer.extend(lines)
        if len(self.buffer) > FLUSH_ROWS:
            self.flush()

    def flush(self, close: bool = False) -> None:
        """Write the buffer to the file; with ``close`` also finish (rename) the file."""
        # A close with nothing buffered still creates the (empty) file, but never truncates
        # one that an earlier close already finished.
        if self.buffer or (close and self._handle is None and not self._finished):
            if self._handle is None:
                os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
                self._stack = contextlib.ExitStack()
                self._handle = self._stack.enter_context(atomic_write(self.path))
            self._handle.writelines(self.buffer)
            self.buffer = []
        if close and self._stack is not None:
            stack, self._stack, self._handle = self._stack, None, None
            stack.close()
            self._finished = True

    def __getstate__(self) -> dict[str, Any]:
        # Copies sent to DataLoader workers never write: they get no handle and no buffer.
        return {
            "path": self.path,
            "buffer": [],
            "_stack": None,
            "_handle": None,
            "_finished": self._finished,
        }
