"""Buffered, atomic writers for result tables: TSV, HDF5, plain text lines and annotated VCF.

Every writer shares one life cycle (:class:`BufferedWriter`): ``open()`` creates a temporary
file beside the target (so an unwritable directory fails before any work), ``write()``
buffers rows until a memory budget is reached and then appends them to the temporary file,
``close()`` flushes and renames the file into place, and ``abort()`` removes it. A crash or
kill part-way therefore never leaves a file that looks complete.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from selene_sdk.io.atomic import Committer, commit_files, discard_temporary, temporary_path
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
        self._tmp: str | None = None
        self._closed = False

    # -- life cycle ---------------------------------------------------------------------------
    def open(self) -> BufferedWriter:
        """Create the temporary file (raises a clear ``OSError`` if the path is unusable)."""
        if self._tmp is not None:
            return self
        directory = os.path.dirname(os.path.abspath(self.path))
        if os.path.isdir(self.path):
            raise IsADirectoryError(21, "output path is a directory", self.path)
        if os.path.exists(directory) and not os.path.isdir(directory):
            raise NotADirectoryError(20, "output directory is a file", directory)
        tmp = temporary_path(self.path)
        try:
            self._start(tmp)
        except BaseException:
            discard_temporary(tmp)
            raise
        self._tmp = tmp
        return self

    def close(self) -> None:
        """Write what is buffered and move the file into place."""
        WriterGroup([self])._close_all()

    def finish(self) -> tuple[str, str] | None:
        """Write what is buffered and close the file, but leave it at its temporary path:
        returns ``(temporary, target)`` for :func:`~selene_sdk.io.atomic.commit_files`
        (None if already closed)."""
        if self._closed:
            return None
        self.open()
        try:
            self.flush()
            self._finish()
        except BaseException as exc:
            self._abort(exc)
            raise
        self._closed = True
        assert self._tmp is not None
        pair, self._tmp = (self._tmp, self.path), None
        return pair

    def abort(self) -> None:
        """Drop the temporary file; the target path is left untouched."""
        self._abort(RuntimeError("aborted"))

    def _abort(self, exc: BaseException) -> None:
        if self._closed and self._tmp is None:
            return  # finished: the file belongs to whoever commits it
        self._closed = True
        self._buffer.clear()
        self._discard()
        with contextlib.suppress(Exception):
            self._finish_on_error()
        if self._tmp is not None:
            discard_temporary(self._tmp)
            self._tmp = None

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

    def _discard(self) -> None:
        """Drop buffered data (after an error)."""

    def _append(self, items: list[Any]) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        """Close handles (called before the rename)."""

    def _finish_on_error(self) -> None:
        self._finish()


def _labels_nbytes(labels: Sequence[str]) -> int:
    return sum(map(len, labels)) + _LABEL_OVERHEAD * len(labels)


class _TableWriter(BufferedWriter):
    """A writer of ``(values, labels)`` rows with ``n_features`` values each.

    Values are copied into one float64 block that is allocated once, when the file is
    opened (at the budget, or at the row count when it is known), and refilled after every
    flush, rather than kept as many small arrays (its pages are only touched as rows
    arrive; growing it instead cost a copy of everything buffered at each step). Besides
    saving a concatenation per flush, this matters for speed next to a model: small
    buffers that outlive a forward pass take the heap space the model's large temporary
    tensors were just freed from, so glibc grows the heap (and the process page-faults it
    in) on every later pass. Measured with a cheap convolution: ~270,000 page faults per
    20,000 variants with per-batch arrays, ~0 with the block.
    """

    #: Whether row labels are buffered and written (False: the format has no place for them).
    keeps_labels = True

    def __init__(
        self, path: str | os.PathLike, n_features: int, buffer_bytes: int = DEFAULT_FLUSH_BYTES
    ):
        super().__init__(path, buffer_bytes)
        self.n_features = int(n_features)
        self._row_bytes = 8 * max(self.n_features, 1)
        self._max_rows = max(1, self.buffer_bytes // self._row_bytes)
        self._block: np.ndarray | None = None
        self._fill = 0
        self._labels: list[str | None] = []
        self._label_bytes = 0

    def write(self, values: np.ndarray, labels: Sequence[str] | None = None) -> None:
        """Buffer rows: ``values`` ``(n, F)`` and ``n`` label strings (tab-joined ids)."""
        if self._closed:
            raise ValueError(f"writer for {self.path} is closed")
        values = np.asarray(values)
        if values.ndim != 2:
            raise ValueError(f"expected a 2-D block of values, got shape {values.shape}")
        if values.shape[1] != self.n_features:
            raise ValueError(
                f"{self.path}: rows have {values.shape[1]} values, expected {self.n_features}"
            )
        n = len(values)
        rows = self.new_rows(n, labels)
        if rows is None:  # more than the whole budget: straight to the file
            self.flush()
            self.open()
            self._append_rows(values.astype(np.float64, copy=False), _as_labels(labels, n))
            self.rows_written += n
        elif n:
            rows[...] = values

    def new_rows(self, n: int, labels: Sequence[str] | None = None) -> np.ndarray | None:
        """Buffer ``n`` rows whose values the caller writes into the returned float64
        ``(n, F)`` array (before calling this writer again); ``None`` when ``n`` exceeds
        the whole buffer (use :meth:`write`). Saves a temporary array per score: scores
        are computed straight into the buffer."""
        if self._closed:
            raise ValueError(f"writer for {self.path} is closed")
        if labels is not None and len(labels) != n:
            raise ValueError(f"{len(labels)} labels for {n} rows")
        if n > self._max_rows:
            return None
        if (
            self._fill + n > self._max_rows
            or self._fill * self._row_bytes + self._label_bytes >= self.buffer_bytes
        ):
            self.flush()
        self._reserve(self._fill + n)
        assert self._block is not None
        rows = self._block[self._fill : self._fill + n]
        self._fill += n
        self.rows_written += n
        if self.keeps_labels and n:
            if labels is not None:
                self._labels += labels
                self._label_bytes += _labels_nbytes(labels)
            else:
                self._labels += [None] * n
        return rows

    #: Rows the file will get, when known in advance (the block is then no larger).
    _rows_hint: int | None = None

    def open(self) -> BufferedWriter:
        """Create the temporary file and the buffer block (before any forward pass, so the
        block does not take heap space the model's temporaries are freed to)."""
        super().open()
        self._reserve(1)
        return self

    def _reserve(self, rows: int) -> None:
        capacity = 0 if self._block is None else len(self._block)
        if rows <= capacity:
            return
        new = self._max_rows
        if self._rows_hint is not None:
            new = min(new, max(self._rows_hint, 1))
        new = max(new, rows)
        block = np.empty((new, self.n_features), dtype=np.float64)
        if self._fill:
            block[: self._fill] = self._block[: self._fill]
        self._block = block

    def flush(self) -> None:
        """Append everything buffered to the temporary file."""
        if not self._fill:
            return
        self.open()
        assert self._block is not None
        labels = self._labels
        n, self._fill, self._labels, self._label_bytes = self._fill, 0, [], 0
        self._append_rows(self._block[:n], labels)

    def _discard(self) -> None:
        self._fill, self._labels, self._label_bytes, self._block = 0, [], 0, None

    def _append_rows(self, values: np.ndarray, labels: list[str | None]) -> None:
        """Write ``values`` (float64 ``(n, F)``) with their labels to the open file."""
        raise NotImplementedError


def _as_labels(labels: Sequence[str] | None, n: int) -> list[str | None]:
    return [None] * n if labels is None else list(labels)


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
        super().__init__(path, len(features), buffer_bytes)
        self.header = "\t".join([*id_columns, *features])
        self._handle: Any = None

    def _start(self, tmp_path: str) -> None:
        self._handle = open(tmp_path, "w", encoding="utf-8", newline="\n")
        self._handle.write(self.header + "\n")

    def _append_rows(self, values: np.ndarray, labels: list[str | None]) -> None:
        rows = format_rows(values)
        self._handle.write(
            "".join(r + "\n" if a is None else f"{a}\t{r}\n" for a, r in zip(labels, rows))
        )

    def _finish(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


#: Largest dataset (bytes) written from a file image (:func:`_hdf5_image`); larger ones
#: are written through h5py. Building an image holds the dataset in memory twice, once.
IMAGE_MAX_BYTES = 64 * 2**20


#: Rows are copied as native float64, which must be HDF5's little-endian ``<f8``.
_CAN_WRITE_IMAGES = sys.byteorder == "little" and hasattr(os, "pwrite")


@functools.lru_cache(maxsize=8)
def _hdf5_image(n_rows: int, n_features: int, dataset: str) -> tuple[bytes, bytes, int]:
    """The bytes h5py writes for a file holding one contiguous float64 dataset of shape
    ``(n_rows, n_features)``, split around the data: ``(head, tail, data offset)``.

    Made once per shape in memory (HDF5's ``core`` driver), so a file of that shape is
    then written with a few system calls, the data copied straight from our buffer. The
    layout is the installed h5py's own (a file written so is byte for byte the file h5py
    writes); raw data has no checksum in HDF5, so filling it in afterwards is safe.
    """
    import h5py

    size = 8 * n_rows * n_features
    name = f"selene-sdk-image-{os.getpid()}-{threading.get_ident()}-{n_rows}x{n_features}"
    h5 = h5py.File(name, "w", driver="core", backing_store=False)
    try:
        data = h5.create_dataset(dataset, shape=(n_rows, n_features), dtype="<f8")
        if size:
            data[0:1] = 0.0  # allocates the dataset's storage, so it has an offset
            offset = data.id.get_offset()
        h5.flush()
        image = h5.id.get_file_image()
    finally:
        h5.close()
    if not size:
        return image, b"", len(image)
    if offset is None or offset + size > len(image):
        raise RuntimeError(f"unexpected HDF5 layout for a ({n_rows}, {n_features}) dataset")
    return image[:offset], image[offset + size :], offset


class Hdf5Writer(_TableWriter):
    """HDF5 file with one float64 dataset ``data`` of shape ``(rows, F)`` (labels ignored:
    pair it with a :class:`LinesWriter` for the row labels).

    With ``n_rows`` (the final row count, when known in advance) the dataset is created at
    its full size with a contiguous layout, as Selene did, and closing with a different
    number of rows is an error. Such a file (up to :data:`IMAGE_MAX_BYTES` of data) is
    written from an image of the file h5py would write (:func:`_hdf5_image`), its rows
    copied into place with ``pwrite``: h5py's own file creation, writes and close cost
    ~1 ms per file, which in silico mutagenesis (several files per sequence) paid next to
    a cheap model on every sequence. Without ``n_rows`` the dataset is chunked and grows.
    """

    keeps_labels = False

    def __init__(
        self,
        path: str | os.PathLike,
        n_features: int,
        buffer_bytes: int = DEFAULT_FLUSH_BYTES,
        dataset: str = "data",
        n_rows: int | None = None,
    ):
        super().__init__(path, n_features, buffer_bytes)
        self.dataset = dataset
        self.n_rows = None if n_rows is None else int(n_rows)
        self._rows_hint = self.n_rows
        self._file: Any = None
        self._data: Any = None
        self._fd: int | None = None  # image mode: the file, rows written at _offset
        self._offset = 0
        self._stored = 0

    def _start(self, tmp_path: str) -> None:
        size = None if self.n_rows is None else 8 * self.n_rows * self.n_features
        image = None
        if size is not None and size <= IMAGE_MAX_BYTES and _CAN_WRITE_IMAGES:
            try:
                image = _hdf5_image(self.n_rows, self.n_features, self.dataset)
            except Exception:  # an h5py without file images: write through h5py instead
                image = None
        if image is not None:
            head, tail, self._offset = image
            self._fd = os.open(tmp_path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
            try:
                _pwrite_all(self._fd, head, 0)
                _pwrite_all(self._fd, tail, self._offset + size)
                os.ftruncate(self._fd, self._offset + size + len(tail))
            except BaseException:
                self._close_handles()  # the caller removes the temporary file
                raise
            return
        import h5py

        try:
            self._file = h5py.File(tmp_path, "w")
        except OSError as exc:
            raise OSError(f"{self.path}: cannot create an HDF5 file here ({exc})") from exc
        if self.n_rows is not None:
            self._data = self._file.create_dataset(
                self.dataset, shape=(self.n_rows, self.n_features), dtype="f8"
            )
            return
        rows_per_chunk = max(1, min(4096, (1 << 20) // (8 * max(self.n_features, 1))))
        self._data = self._file.create_dataset(
            self.dataset,
            shape=(0, self.n_features),
            maxshape=(None, self.n_features),
            dtype="f8",
            chunks=(rows_per_chunk, max(self.n_features, 1)) if self.n_features else None,
        )

    def _append_rows(self, values: np.ndarray, labels: list[str | None]) -> None:
        start, end = self._stored, self._stored + len(values)
        if self.n_rows is None:
            self._data.resize(end, axis=0)
        elif end > self.n_rows:
            raise ValueError(f"{self.path}: more than the {self.n_rows} rows announced")
        if self._fd is not None:
            block = np.ascontiguousarray(values, dtype=np.float64)
            _pwrite_all(self._fd, block, self._offset + start * self._row_bytes)
        else:
            self._data[start:end] = values
        self._stored = end

    def _finish(self) -> None:
        self._close_handles()
        if self.n_rows is not None and self._stored != self.n_rows:
            raise ValueError(f"{self.path}: {self._stored} rows written, {self.n_rows} announced")

    def _finish_on_error(self) -> None:
        self._close_handles()

    def _close_handles(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)
        if self._file is not None:
            self._file.close()
            self._file = None


def _pwrite_all(fd: int, data: bytes | np.ndarray, offset: int) -> None:
    """Write all of ``data`` (bytes or a C-contiguous array) at ``offset`` of ``fd``."""
    view = memoryview(data).cast("B")
    while len(view):
        written = os.pwrite(fd, view, offset)
        if written <= 0:
            raise OSError(f"pwrite wrote nothing at offset {offset}")
        view, offset = view[written:], offset + written


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
            self._handle.write("\n".join(lines))
            self._handle.write("\n")

    def _finish(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class WriterGroup:
    """Writers that succeed or fail together: all renamed at the end, or all dropped.

    Use as a context manager; writers are opened on entry so unusable paths fail before
    any work is done. With a ``committer``, the final sync-and-rename of the files is
    queued to it (they are in place once the committer has been waited for).
    """

    def __init__(self, writers: Iterable[BufferedWriter] = (), committer: Committer | None = None):
        self.writers: list[BufferedWriter] = list(writers)
        self.committer = committer

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
        if self.committer is not None:
            # Flushing and closing (CPU work) happen here: in a background thread they
            # would only take CPU time from the model. Syncing to disk (waiting) and
            # renaming happen in the committer's thread.
            pairs = self._finish_all()
            try:
                self.committer.submit(pairs)
            except BaseException:  # an earlier group failed: this one is dropped too
                for tmp, _ in pairs:
                    discard_temporary(tmp)
                raise
            return
        self._close_all()

    def _finish_all(self) -> list[tuple[str, str]]:
        """Flush and close every writer; their ``(temporary, target)`` pairs."""
        pairs: list[tuple[str, str]] = []
        try:
            for writer in self.writers:
                pair = writer.finish()
                if pair is not None:
                    pairs.append(pair)
        except BaseException as err:
            for tmp, _ in pairs:
                discard_temporary(tmp)
            self._abort(err)
            raise
        return pairs

    def _close_all(self) -> None:
        pairs = self._finish_all()
        try:
            commit_files(pairs)
        except BaseException as err:
            for tmp, _ in pairs:
                discard_temporary(tmp)
            self._abort(err)
            raise

    def _abort(self, exc: BaseException) -> None:
        for writer in self.writers:
            writer._abort(exc)
