"""The batched inference engine behind every analysis verb.

Work items declare their model inputs as *steps* (:mod:`selene_sdk.forward.steps`): "one-hot
encode these column indices", "this array", "the previous input with these cells
changed", "this template with these cells changed". The engine turns steps into input
buffers, runs the forward passes and hands each item's predictions to a consumer. The speed
machinery lives here once, for every verb:

* input buffers are recycled (allocating ~1 MB per batch costs more than filling it);
* a step that changes a few cells of an input already in memory patches it in place;
* with ``background``, the next items are prepared in one thread and results are consumed
  (scored, written) in another while the model runs; without, each input is built right
  before its forward pass, while the CPU caches still hold it;
* a model seen to modify its input in place makes every later input be built afresh.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np
import torch

from selene_sdk.forward.path import ForwardPath, as_output_array
from selene_sdk.forward.probe import input_hint
from selene_sdk.forward.threads import Sink, prefetch
from selene_sdk.sequences.encoding import Alphabet

__all__ = ["Engine", "ModelInputError", "WorkItem"]

T = TypeVar("T", bound="WorkItem")

_POOL_SIZE = 8
_FLOAT32 = np.dtype(np.float32)


class WorkItem(Protocol):
    """Anything with ``steps``: the model inputs of one unit of work, in order."""

    steps: Sequence[Any]


class ModelInputError(RuntimeError):
    """The model failed on a batch; the message gives the batch's shape."""


class Engine:
    """A :class:`ForwardPath` with input buffers, an alphabet and a batch size.

    Parameters
    ----------
    path
        The forward path (model, device, layout).
    alphabet
        Column order and unknown-letter value of the one-hot inputs it encodes (None: an
        engine that is only given float inputs).
    batch_size
        Sequences per forward pass (verbs cut their work into batches of this size).
    """

    def __init__(self, path: ForwardPath, alphabet: Alphabet | None, batch_size: int = 64):
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.path = path
        self.alphabet = alphabet
        self.batch_size = batch_size
        size = 0 if alphabet is None else alphabet.size
        self._columns = torch.arange(size, dtype=torch.uint8).view(1, -1, 1)
        self._free: dict[tuple[int, ...], list[tuple[np.ndarray, torch.Tensor]]] = {}
        # Buffers handed out and not yet released, by id, with the tensor that owns each;
        # holding them keeps an id from being reused by another array while listed here.
        self._lent: dict[int, tuple[np.ndarray, torch.Tensor]] = {}
        #: Set once a forward pass is seen to modify its input tensor in place: inputs are
        #: then always built afresh rather than patched.
        self.modifies_inputs = False
        self._lock = threading.Lock()

    # -- input buffers ------------------------------------------------------------------------
    def buffer(self, shape: tuple[int, ...]) -> np.ndarray:
        """An uninitialised float32 array of ``shape``, recycled when possible; hand it back
        with :meth:`release` once predicted."""
        shape = tuple(shape)
        with self._lock:
            stack = self._free.get(shape)
            if stack:
                array, tensor = stack.pop()
            else:
                # Owned by a tensor made outside inference mode: forward passes run in
                # inference mode, where a tensor made from the array would have no version
                # counter to tell whether the model changed its input.
                with torch.inference_mode(False):
                    tensor = torch.empty(shape, dtype=torch.float32)
                array = tensor.numpy()
            self._lent[id(array)] = (array, tensor)
            return array

    def release(self, *arrays: np.ndarray | None) -> None:
        """Hand buffers from :meth:`buffer` back for reuse (they must not be used
        afterwards); anything else (None, views, other arrays) is ignored."""
        with self._lock:
            for a in arrays:
                entry = self._lent.get(id(a)) if type(a) is np.ndarray else None
                if entry is not None and entry[0] is a:
                    del self._lent[id(a)]
                    stack = self._free.setdefault(a.shape, [])
                    if len(stack) < _POOL_SIZE:
                        stack.append(entry)

    def _input_tensor(self, x: np.ndarray | torch.Tensor) -> torch.Tensor:
        """The tensor for a model input: a lent buffer's own tensor (or its first rows)
        when ``x`` is one, else a new tensor that tracks in-place changes."""
        entry = self._lent.get(id(x))
        if entry is not None and entry[0] is x:  # the usual case: a whole lent buffer
            return entry[1]
        if type(x) is np.ndarray and type(x.base) is np.ndarray:
            base = x.base
            entry = self._lent.get(id(base))
            if (
                entry is not None
                and entry[0] is base
                and x.shape[1:] == base.shape[1:]
                and x.flags.c_contiguous
                and x.ctypes.data == base.ctypes.data
            ):
                return entry[1][: len(x)]  # its first rows (a last, partial batch)
        with torch.inference_mode(False):
            if isinstance(x, torch.Tensor) and x.is_inference():
                x = x.clone()
            if isinstance(x, np.ndarray) and x.dtype == _FLOAT32 and x.flags.writeable:
                return torch.from_numpy(x)
            return torch.as_tensor(x, dtype=torch.float32)

    # -- encoding -----------------------------------------------------------------------------
    def encode(self, codes: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``(B, L)`` uint8 letter codes -> ``(B, A, L)`` float32 one-hot model input (into
        ``out`` if given, else into a recycled buffer)."""
        index, unknown = self.alphabet.column_indices(codes)
        return self.encode_indices(index, out, unknown)

    def encode_indices(
        self, index: np.ndarray, out: np.ndarray | None = None, unknown: bool | None = None
    ) -> np.ndarray:
        """``(B, L)`` column indices (:meth:`Alphabet.column_indices`: 255 marks an unknown
        letter) -> ``(B, A, L)`` float32 one-hot (into ``out`` if given, else a recycled
        buffer). ``unknown=False`` promises there is no 255."""
        b, length = index.shape
        if out is None:
            out = self.buffer((b, self.alphabet.size, length))
        # One torch comparison writes every channel: it runs between forward passes, while
        # torch's CPU threads are idle, and splits the (memory-bound) work across them.
        # Measured with a cheap convolution on 2 cores, this took the encoding from ~5% to
        # ~2% of the model's time (numpy's comparisons run on one core).
        if not index.flags.writeable:
            index = index.copy()
        torch.eq(torch.from_numpy(index).unsqueeze(1), self._columns, out=torch.from_numpy(out))
        if unknown is None:
            unknown = bool(index.max(initial=0) == 255)
        if unknown:
            rows, cols = np.nonzero(index == 255)
            out[rows, :, cols] = self.alphabet.unknown_value
        return out

    def copy_in(self, encodings: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``(B, L, A)`` float encodings -> a ``(B, A, L)`` float32 input buffer."""
        b, length, size = encodings.shape
        if out is None:
            out = self.buffer((b, size, length))
        np.copyto(out, np.swapaxes(encodings, 1, 2), casting="same_kind")
        return out

    # -- forward passes -----------------------------------------------------------------------
    def predict(self, x: np.ndarray | torch.Tensor) -> np.ndarray:
        """One forward pass on ``(B, A, L)`` inputs -> float32 numpy ``(B, F)``."""
        with torch.inference_mode():
            return as_output_array(self._forward(x))

    def _forward(self, x: np.ndarray | torch.Tensor) -> torch.Tensor:
        """One forward pass (inside ``torch.inference_mode``), output left as a tensor.

        This runs once per batch. With a cheap model on the CPU, every forward pass
        evicts our data from the CPU caches, so each Python operation here runs cold and
        costs microseconds: the output is converted once per work item
        (:func:`~selene_sdk.forward.path.as_output_array`), and only what must be known
        before the input buffer is reused (in-place changes, outputs that alias the
        input) is checked per pass.
        """
        path = self.path
        tensor = self._input_tensor(x)
        try:
            if not path.on_cpu:
                # the model sees a copy on its device: our buffer cannot be changed by it
                out = path(tensor)
            else:
                version = tensor._version
                out = path(tensor)
                if tensor._version != version:
                    # The model changed its input in place: inputs cannot be reused.
                    self.modifies_inputs = True
        except RuntimeError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            hint = input_hint(path.model, int(tensor.shape[-1]), int(tensor.shape[1]))
            raise ModelInputError(
                f"the model failed on a batch of shape {tuple(tensor.shape)} "
                f"(batch, channels, length): {first}" + (f"; {hint}" if hint else "")
            ) from exc
        if type(out) is not torch.Tensor:
            if isinstance(out, tuple | list):
                raise TypeError(
                    f"the model returned a {type(out).__name__}; prediction needs one tensor "
                    "of shape (batch, features)"
                )
            out = torch.as_tensor(out)
        if out is tensor or out._is_view():
            out = out.clone()  # it may share the input buffer, which will be reused
        return out

    def output_width(self, sequence_length: int) -> int:
        """Outputs per sequence, found by one forward pass on a sequence of unknown letters.

        Raises ``ValueError`` naming the length when the model cannot take it.
        """
        blank = np.full((1, sequence_length), ord(self.alphabet.unknown), dtype=np.uint8)
        x = self.encode(blank)
        try:
            with self.path.inference():
                out = self.predict(x)
        except (RuntimeError, ValueError) as exc:
            message = (
                f"the model cannot run on sequences of length {sequence_length} with "
                f"{self.alphabet.size} channels ({''.join(self.alphabet.letters)})"
            )
            if isinstance(exc, ModelInputError):  # it says what the model expects, if known
                message += f": {exc}"
            else:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                hint = input_hint(self.path.model, sequence_length, self.alphabet.size)
                message += f"; {hint or 'sequence_length must match its input length'} ({first})"
            raise ValueError(message) from exc
        finally:
            self.release(x)
        return int(out.shape[1])

    # -- running work items -------------------------------------------------------------------
    def run(
        self,
        items: Iterable[T],
        consume: Callable[[T, list[np.ndarray]], None],
        background: bool | None = None,
    ) -> None:
        """Predict every item's steps and call ``consume(item, predictions)`` in order,
        where ``predictions[i]`` is the ``(B, F)`` output of ``item.steps[i]``.

        The model is in evaluation mode on its device for the run and handed back as it
        was. ``background`` (None: :meth:`wants_background`) prepares items in one thread
        and consumes results in another; the results are the same either way.
        """
        if background is None:
            background = self.wants_background()
        # inference mode for the whole run: entering it per forward pass costs more than
        # the pass itself takes with a cheap model (see _forward)
        with self.path.inference(), torch.inference_mode():
            if not background:
                for item in items:
                    consume(item, self._predict_item(item))
                return
            stream = prefetch(self._prepared(items))
            sink = Sink(consume)
            try:
                for item in stream:
                    sink.put(item, self._predict_item(item))
                sink.finish()
            finally:
                stream.close()
                sink.stop()

    def _prepared(self, items: Iterable[T]):
        for item in items:
            for step in item.steps:
                step.prepare(self, None)
            yield item

    def _predict_item(self, item: WorkItem) -> list[np.ndarray]:
        forward = self._forward
        outs = []
        used = []
        spare = None
        for step in item.steps:
            outs.append(forward(step.input(self, spare)))
            spare = step.after(self)
            used.append(spare)
        self.release(*used)
        return [as_output_array(out) for out in outs]

    def wants_background(self) -> bool:
        """Whether building and writing batches in threads can overlap the model: on a GPU,
        or when torch's CPU threads leave cores free. When the model already keeps every
        core busy, those threads only take CPU time from it (measured on 2 cores with a
        cheap convolution: 0.75 of the model-only rate with threads, 0.84 without)."""
        if not self.path.on_cpu:
            return True
        try:
            cores = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):  # not Linux
            cores = os.cpu_count() or 1
        return torch.get_num_threads() < cores
