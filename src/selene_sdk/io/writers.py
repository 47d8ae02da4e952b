"""Buffered, atomic writers for result tables: TSV, HDF5, plain text lines and annotated VCF.

Every writer shares one life cycle (:class:`BufferedWriter`): ``open()`` creates a temporary
file beside the target (so an unwritable directory fails before any work), ``write()``
buffers rows until a memory budget is reached and then appends them to the temporary file,
``close()`` flushes and renames the file into place, and ``abort()`` removes it. A crash or
kill part-way therefore never leaves a file that looks complete.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from selene_sdk.io.atomic import atomic_path
from selene_sdk.io.numfmt import format_rows

__all__ = [
    "DEFAULT_FLUSH_BYTES",
    "BufferedWriter",
    "Hdf5Writer",
    "LinesWriter",
    "TsvWriter",
    "WriterGroup",
]

#: Writers never hold more than this many bytes before appending to disk, whatever the
#: (larger) memory budget: the data goes to a temporary file anyway, so holding more
#: buys nothing.
DEFAULT_FLUSH_BYTES = 8 * 2**20

_LABEL_OVERHEAD = 56  # bytes of a small Python str object beyond its characters


class BufferedWriter:
    """Base class: rows are buffered in memory and appended to a temporary file.

    Parameters
    ----------
    path
        Final path of the file.
    buffer_bytes
        Flush the buffer once it holds this many bytes (values plus label text).

    Subclasses implement :meth:`_start` (create the file at the temporary path),
    :meth:`_append` (write buffered items) and optionally :meth:`_finish`.
    """

    def __init__(self, path: str | os.PathLike, buffer_bytes: int = DEFAULT_FLUSH_BYTES):
        self.path = os.fspath(path)
        self.buffer_bytes = max(int(buffer_bytes), 1)
        self.rows_written = 0
        self._buffer: list[Any] = []
        self._buffered = 0
        self._stack: contextlib.ExitStack | None = None
        self._tmp: str | None = None
        self._closed = False

    # -- life cycle ---------------------------------------------------------------------------
    def open(self) -> BufferedWriter:
        """Create the temporary file (raises a clear ``OSError`` if the path is unusable)."""
        if self._stack is not None:
            return self
        directory = os.path.dirname(os.path.abspath(self.path))
        if os.path.isdir(self.path):
            raise IsADirectoryError(21, "output path is a directory", self.path)
        if os.path.exists(directory) and not os.path.isdir(directory):
            raise NotADirectoryError(20, "output directory is a file", directory)
        stack = contextlib.ExitStack()
        try:
            self._tmp = stack.enter_context(atomic_path(self.path))
            self._start(self._tmp)
        except BaseException as exc:
            stack.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._stack = stack
        return self

    def close(self) -> None:
        """Write what is buffered and move the file into place."""
        if self._closed:
            return
        self.open()
        try:
            self.flush()
            self._finish()
        except BaseException as exc:
            self._abort(exc)
            raise
        self._closed = True
        assert self._stack is not None
        self._stack.close()  # renames the temporary file onto self.path

    def abort(self) -> None:
        """Drop the temporary file; the target path is left untouched."""
        self._abort(RuntimeError("aborted"))

    def _abort(self, exc: BaseException) -> None:
        if self._closed:
            return
        self._closed = True
        self._buffer.clear()
        with contextlib.suppress(Exception):
            self._finish_on_error()
        if self._stack is not None:
            with contextlib.suppress(BaseException):
                self._stack.__exit__(type(exc), exc, exc.__traceback__)

    def __enter__(self) -> BufferedWriter:
        return self.open()

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc is None:
            self.close()
        else:
            self._abort(exc)

    # -- buffering ----------------------------------------------------------------------------
    def _add(self, item: Any, nbytes: int) -> None:
        if self._closed:
            raise ValueError(f"writer for {self.path} is closed")
        self._buffer.append(item)
        self._buffered += nbytes
        if self._buffered >= self.buffer_bytes:
            self.flush()

    def flush(self) -> None:
        """Append everything buffered to the temporary file."""
        if not self._buffer:
            return
        self.open()
        items, self._buffer, self._buffered = self._buffer, [], 0
        self._append(items)

    # -- subclass hooks -----------------------------------------------------------------------
    def _start(self, tmp_path: str) -> None:
        raise NotImplementedError

    def _append(self, items: list[Any]) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        """Close handles (called before the rename)."""

    def _finish_on_error(self) -> None:
        self._finish()


def _labels_nbytes(labels: Sequence[str]) -> int:
    return sum(map(len, labels)) + _LABEL_OVERHEAD * len(labels)


class _TableWriter(BufferedWriter):
    """A writer of ``(values, labels)`` row blocks."""

    def write(self, values: np.ndarray, labels: Sequence[str] | None = None) -> None:
        """Buffer rows: ``values`` ``(n, F)`` and ``n`` label strings (tab-joined ids)."""
        values = np.asarray(values)
        if values.ndim != 2:
            raise ValueError(f"expected a 2-D block of values, got shape {values.shape}")
        if labels is not None and len(labels) != len(values):
            raise ValueError(f"{len(labels)} labels for {len(values)} rows")
        nbytes = values.nbytes + (_labels_nbytes(labels) if labels is not None else 0)
        self.rows_written += len(values)
        self._add((values, labels), nbytes)


class TsvWriter(_TableWriter):
    """Tab-separated table: a header of id columns and feature names, then one line per row
    (``<ids>\\t<values>``, values formatted like ``"%.2e"``)."""

    def __init__(
        self,
        path: str | os.PathLike,
        id_columns: Sequence[str],
        features: Sequence[str],
        buffer_bytes: int = DEFAULT_FLUSH_BYTES,
    ):
        super().__init__(path, buffer_bytes)
        self.header = "\t".join([*id_columns, *features])
        self._handle: Any = None

    def _start(self, tmp_path: str) -> None:
        self._handle = open(tmp_path, "w", encoding="utf-8", newline="\n")
        self._handle.write(self.header + "\n")

    def _append(self, items: list[Any]) -> None:
        for values, labels in items:
            rows = format_rows(values)
            if labels is None:
                self._handle.write("".join(r + "\n" for r in rows))
            else:
                self._handle.write("".join(f"{a}\t{b}\n" for a, b in zip(labels, rows)))

    def _finish(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class Hdf5Writer(_TableWriter):
    """HDF5 file with one float64 dataset ``data`` of shape ``(rows, F)`` (labels ignored:
    pair it with a :class:`LinesWriter` for the row labels)."""

    def __init__(
        self,
        path: str | os.PathLike,
        n_features: int,
        buffer_bytes: int = DEFAULT_FLUSH_BYTES,
        dataset: str = "data",
    ):
        super().__init__(path, buffer_bytes)
        self.n_features = int(n_features)
        self.dataset = dataset
        self._file: Any = None
        self._data: Any = None

    def _start(self, tmp_path: str) -> None:
        import h5py

        try:
            self._file = h5py.File(tmp_path, "w")
        except OSError as exc:
            raise OSError(f"{self.path}: cannot create an HDF5 file here ({exc})") from exc
        rows_per_chunk = max(1, min(4096, (1 << 20) // (8 * max(self.n_features, 1))))
        self._data = self._file.create_dataset(
            self.dataset,
            shape=(0, self.n_features),
            maxshape=(None, self.n_features),
            dtype="f8",
            chunks=(rows_per_chunk, max(self.n_features, 1)) if self.n_features else None,
        )

    def _append(self, items: list[Any]) -> None:
        block = np.concatenate([v for v, _ in items], axis=0) if len(items) > 1 else items[0][0]
        if block.shape[1] != self.n_features:
            raise ValueError(
                f"{self.path}: rows have {block.shape[1]} values, expected {self.n_features}"
            )
        start = self._data.shape[0]
        self._data.resize(start + len(block), axis=0)
        self._data[start:] = block.astype(np.float64, copy=False)

    def _finish(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class LinesWriter(BufferedWriter):
    """Plain text: an optional header line, then lines (row labels, ``.NA`` files)."""

    def __init__(
        self,
        path: str | os.PathLike,
        header: str | None = None,
        buffer_bytes: int = DEFAULT_FLUSH_BYTES,
    ):
        super().__init__(path, buffer_bytes)
        self.header = header
        self._handle: Any = None

    def _start(self, tmp_path: str) -> None:
        self._handle = open(tmp_path, "w", encoding="utf-8", newline="\n")
        if self.header is not None:
            self._handle.write(self.header + "\n")

    def write_lines(self, lines: Sequence[str]) -> None:
        """Buffer lines (without newlines)."""
        if len(lines):
            self.rows_written += len(lines)
            self._add(lines, _labels_nbytes(lines))

    def write(self, values: np.ndarray | None, labels: Sequence[str] | None = None) -> None:
        """Table-writer interface: only the labels are written."""
        if labels is not None:
            self.write_lines(labels)

    def _append(self, items: list[Any]) -> None:
        for lines in items:
            self._handle.write("".join(line + "\n" for line in lines))

    def _finish(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class WriterGroup:
    """Writers that succeed or fail together: all renamed at the end, or all dropped.

    Use as a context manager; writers are opened on entry so unusable paths fail before
    any work is done.
    """

    def __init__(self, writers: Iterable[BufferedWriter] = ()):
        self.writers: list[BufferedWriter] = list(writers)

    def add(self, writer: BufferedWriter) -> BufferedWriter:
        """Register (and open, if the group is active) another writer."""
        self.writers.append(writer)
        return writer

    def __enter__(self) -> WriterGroup:
        try:
            for writer in self.writers:
                writer.open()
        except BaseException as exc:
            self._abort(exc)
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc is not None:
            self._abort(exc)
            return
        try:
            for writer in self.writers:
                writer.flush()
                writer._finish()
        except BaseException as err:
            self._abort(err)
            raise
        for writer in self.writers:
            writer.close()

    def _abort(self, exc: BaseException) -> None:
        for writer in self.writers:
            writer._abort(exc)
