"""Model inputs declared by what they are, built by the :class:`~selene_sdk.forward.Engine`.

A verb describes each forward pass of a work item as one step and the engine decides
when and into which buffer to build it: ahead of time in a background thread, or right
before the pass (reusing the buffer of the item's previous step while it is still in the
CPU cache). Every step has the same three calls:

* ``prepare(engine, spare)``: build the input (``spare``: a buffer the item no longer
  needs, or None); called ahead of time or, at the latest, by ``input``;
* ``input(engine, spare)``: the input array, right before its forward pass;
* ``after(engine)``: after the pass; returns a buffer the item may reuse and the engine
  releases once the item is done (None when the step keeps it).

Steps:

* :class:`Encode`: one-hot of letter codes or column indices;
* :class:`Dense`: float encodings given as an array;
* :class:`Patch`: the previous step's input with some cells changed (it must directly
  follow that step), made in place once that step is predicted;
* :class:`TemplateBatch`: copies of one template with some cells changed, shown in buffers
  that a :class:`Template` keeps and sets back after each pass.
"""

from __future__ import annotations

import queue
import threading

import numpy as np

__all__ = ["Dense", "Encode", "Patch", "Template", "TemplateBatch", "flat_cells"]


def _reusable(spare: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray | None:
    """``spare`` (or its first rows) when it can hold an input of ``shape``."""
    if spare is None or spare.shape[1:] != shape[1:] or len(spare) < shape[0]:
        return None
    return spare if len(spare) == shape[0] else spare[: shape[0]]


class Encode:
    """One-hot of ``(B, L)`` uint8 letter ``codes``, or of column ``index`` values from
    :meth:`~selene_sdk.sequences.encoding.Alphabet.column_indices` (``unknown=False``
    promises no unknown letter)."""

    __slots__ = ("codes", "index", "unknown", "x")

    def __init__(
        self,
        index: np.ndarray | None = None,
        unknown: bool | None = None,
        *,
        codes: np.ndarray | None = None,
    ):
        self.index = index
        self.unknown = unknown
        self.codes = codes
        self.x: np.ndarray | None = None

    def prepare(self, engine, spare: np.ndarray | None = None) -> None:
        if self.index is None:
            self.index, self.unknown = engine.alphabet.column_indices(self.codes)
        b, length = self.index.shape
        out = _reusable(spare, (b, engine.alphabet.size, length))
        self.x = engine.encode_indices(self.index, out, self.unknown)

    def input(self, engine, spare: np.ndarray | None = None) -> np.ndarray:
        if self.x is None:
            self.prepare(engine, spare)
        return self.x

    def after(self, engine) -> np.ndarray | None:
        return self.x


class Dense:
    """Float encodings ``(B, L, A)`` (any float dtype), copied into an input buffer."""

    __slots__ = ("encodings", "x")

    def __init__(self, encodings: np.ndarray):
        self.encodings = encodings
        self.x: np.ndarray | None = None

    def prepare(self, engine, spare: np.ndarray | None = None) -> None:
        b, length, size = self.encodings.shape
        self.x = engine.copy_in(self.encodings, _reusable(spare, (b, size, length)))

    def input(self, engine, spare: np.ndarray | None = None) -> np.ndarray:
        if self.x is None:
            self.prepare(engine, spare)
        return self.x

    def after(self, engine) -> np.ndarray | None:
        return self.x


class Patch:
    """The input of ``base`` (the step right before this one) with the cells at flat
    positions ``flat`` set to ``values``: written in place once ``base`` is predicted, so
    the model reads an input still in the CPU cache and nothing is copied.

    ``fallback`` (a step) builds the same input from scratch; it is used once the model
    has been seen to modify its inputs (the buffer then holds what the model left).
    """

    __slots__ = ("base", "fallback", "flat", "values", "x")

    def __init__(self, base, flat: np.ndarray, values: np.ndarray, fallback):
        self.base = base
        self.flat = flat
        self.values = values
        self.fallback = fallback
        self.x: np.ndarray | None = None

    def prepare(self, engine, spare: np.ndarray | None = None) -> None:
        """Nothing can be made before ``base`` is predicted."""

    def input(self, engine, spare: np.ndarray | None = None) -> np.ndarray:
        if engine.modifies_inputs:
            self.x = self.fallback.input(engine, None)
        else:
            self.x = self.base.x
            self.x.put(self.flat, self.values)
        return self.x

    def after(self, engine) -> np.ndarray | None:
        return self.x


def flat_cells(rows: np.ndarray, cols: np.ndarray, size: int, length: int) -> np.ndarray:
    """Flat positions ``(cells, size)`` of every channel of the cells ``(rows, cols)`` in a
    ``(B, size, length)`` buffer (for ``ndarray.put``)."""
    return (rows * (size * length) + cols)[:, None] + np.arange(size) * length


class Template:
    """``(batch_size, A, L)`` buffers whose every row is ``template`` ``(A, L)``, reused
    batch after batch: a :class:`TemplateBatch` sets its cells, and right after its
    forward pass they are set back. This touches a few cells per batch instead of copying
    the template into a new batch each time; built right before each pass, one buffer
    serves every batch (and stays in the CPU cache). Buffers come back from the thread
    that runs the model, hence the queue and the lock.
    """

    def __init__(self, engine, template: np.ndarray):
        self.engine = engine
        self.template = template
        self.rows = engine.batch_size
        self.spare: queue.SimpleQueue[np.ndarray] = queue.SimpleQueue()
        self.closed = False
        self.lock = threading.Lock()  # close() and give_back() run in different threads

    def take(self) -> np.ndarray:
        try:
            return self.spare.get_nowait()
        except queue.Empty:
            work = self.engine.buffer((self.rows, *self.template.shape))
            work[...] = self.template
            return work

    def give_back(self, work: np.ndarray, flat: np.ndarray, restore: np.ndarray) -> None:
        if self.engine.modifies_inputs:
            # the model changed the buffer beyond our cells: it can only be reused as a
            # plain buffer (which is always filled completely)
            self.engine.release(work)
            return
        work.put(flat, restore)
        with self.lock:
            if self.closed:
                self.engine.release(work)
            else:
                self.spare.put(work)

    def close(self) -> None:
        """No more batches will be made (those in flight still come back)."""
        with self.lock:
            self.closed = True
            while True:
                try:
                    self.engine.release(self.spare.get_nowait())
                except queue.Empty:
                    return


class TemplateBatch:
    """``k`` copies of a :class:`Template` with the cells at flat positions ``flat`` set to
    ``values`` (``restore``: the template's values there)."""

    __slots__ = ("flat", "k", "restore", "template", "values", "work", "x")

    def __init__(
        self,
        template: Template,
        flat: np.ndarray,
        values: np.ndarray,
        restore: np.ndarray,
        k: int,
    ):
        self.template = template
        self.flat = flat
        self.values = values
        self.restore = restore
        self.k = k
        self.work: np.ndarray | None = None
        self.x: np.ndarray | None = None

    def prepare(self, engine, spare: np.ndarray | None = None) -> None:
        work = self.template.take()
        work.put(self.flat, self.values)
        self.work = work
        self.x = work if self.k == len(work) else work[: self.k]

    def input(self, engine, spare: np.ndarray | None = None) -> np.ndarray:
        if self.x is None:
            self.prepare(engine, spare)
        return self.x

    def after(self, engine) -> np.ndarray | None:
        work, self.work, self.x = self.work, None, None
        self.template.give_back(work, self.flat, self.restore)
        return None
