"""The one batched model runner shared by sequence prediction, variant effects and ISM.

It owns what every prediction needs and nothing else: the model in eval mode on its
device, encoding of uint8 code batches into the model layout ``(B, N, L)`` (``(B, N, 1, L)``
for Lua-trained models), ``torch.inference_mode`` forward passes, and a background thread
that prepares the next batches while the model runs on the current one.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
import torch
from torch import nn

from selene_sdk._runtime import frozen_heap, tune_memory_allocator
from selene_sdk.models import load_checkpoint, load_model_from_state_dict
from selene_sdk.models.device import resolve_device as _resolve_use_cuda
from selene_sdk.models.lua import _is_lua_trained_model
from selene_sdk.sequences.encoding import DNA, Alphabet, dna_alphabet

__all__ = [
    "ModelRunner",
    "is_lua_trained_model",
    "load_trained_weights",
    "prefetch",
    "progress_bar",
    "resolve_device",
]

T = TypeVar("T")

_POOL_SIZE = 8
_FLOAT32 = np.dtype(np.float32)

#: Column order used for models trained in (Lua) Torch7, e.g. the published DeepSEA.
LUA_BASES: tuple[str, ...] = ("A", "G", "C", "T")


#: Selene's "Lua-trained" test (a Conv2d layer -> ``(B, 4, 1, L)`` input); one
#: implementation shared with evaluation.
is_lua_trained_model = _is_lua_trained_model


def resolve_device(
    device: str | torch.device | None = None, use_cuda: bool = False
) -> torch.device:
    """``device`` if given, else the device ``use_cuda`` asks for (the CPU, with a warning,
    when no CUDA device is available)."""
    if device is not None:
        return torch.device(device)
    return _resolve_use_cuda(use_cuda)


def load_trained_weights(
    model: nn.Module, trained_model_path: str | os.PathLike | Sequence[str | os.PathLike] | None
) -> nn.Module:
    """Load weights into ``model``: one file, or one file per sub-model of a
    :class:`~selene_sdk.models.MultiModelWrapper` (a list). ``None`` keeps the weights."""
    if trained_model_path is None:
        return model
    if isinstance(trained_model_path, str | os.PathLike):
        load_model_from_state_dict(load_checkpoint(trained_model_path), model)
        return model
    if isinstance(trained_model_path, list | tuple):
        subs = getattr(model, "sub_models", None)
        if subs is None:
            raise ValueError(
                "trained_model_path is a list, which needs a MultiModelWrapper model "
                f"(one weights file per sub-model); got {type(model).__name__}"
            )
        if len(subs) != len(trained_model_path):
            raise ValueError(
                f"trained_model_path lists {len(trained_model_path)} files for "
                f"{len(subs)} sub-models"
            )
        for sub, path in zip(subs, trained_model_path):
            load_model_from_state_dict(load_checkpoint(path), sub)
        return model
    raise ValueError(
        "trained_model_path must be a path or a list of paths, got "
        f"{type(trained_model_path).__name__}"
    )


class ModelRunner:
    """A model ready for batched prediction.

    Parameters
    ----------
    model
        The network (weights already loaded); put in eval mode and moved to ``device``.
    batch_size
        Sequences per forward pass.
    device
        Where to run; see :func:`resolve_device`.
    data_parallel
        Wrap the model in ``torch.nn.DataParallel`` (several GPUs).
    bases_order
        Column order of encodings; default ``A, C, G, T`` or ``A, G, C, T`` for Lua models.
    """

    def __init__(
        self,
        model: nn.Module,
        batch_size: int = 64,
        device: str | torch.device | None = None,
        data_parallel: bool = False,
        bases_order: Sequence[str] | None = None,
    ):
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.batch_size = batch_size
        tune_memory_allocator()
        self.device = resolve_device(device)
        self.lua = is_lua_trained_model(model)
        if bases_order is not None:
            self.alphabet: Alphabet = dna_alphabet(tuple(bases_order))
        else:
            self.alphabet = dna_alphabet(LUA_BASES) if self.lua else DNA
        self._columns = torch.arange(self.alphabet.size, dtype=torch.uint8).view(1, -1, 1)
        model.eval()
        model.to(self.device)
        self.model: nn.Module = nn.DataParallel(model) if data_parallel else model
        self._pin = self.device.type == "cuda"
        self._on_cpu = self.device.type == "cpu"
        # Model inputs are ~1 MB per batch; allocating them afresh costs more than filling
        # them (page faults), so they are recycled once predicted.
        self._free: dict[tuple[int, ...], list[tuple[np.ndarray, torch.Tensor]]] = {}
        # Buffers handed out and not yet released, by id, with the tensor that owns each
        # and whether the caller keeps it across items; holding them keeps an id from
        # being reused by another array while listed here.
        self._lent: dict[int, tuple[np.ndarray, torch.Tensor, bool]] = {}
        #: Set once a forward pass is seen to modify its input tensor in place; inputs are
        #: then always encoded afresh rather than patched.
        self.modifies_inputs = False
        self._lock = threading.Lock()

    # -- input buffers ------------------------------------------------------------------------
    def buffer(self, shape: tuple[int, ...], keep: bool = False) -> np.ndarray:
        """An uninitialised float32 array of ``shape`` (recycled when possible).

        Buffers used as model inputs go back to the pool once their work item is
        predicted, unless ``keep``: the caller then reuses it across items and hands it
        back with :meth:`release`.
        """
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
            self._lent[id(array)] = (array, tensor, keep)
            return array

    def release(self, *arrays: np.ndarray) -> None:
        """Hand arrays obtained from :meth:`buffer` back for reuse (they must not be used
        afterwards); anything else is ignored."""
        self._release(arrays, kept_too=True)

    def _release(self, arrays, kept_too: bool) -> None:
        with self._lock:
            for a in arrays:
                entry = self._lent.get(id(a)) if isinstance(a, np.ndarray) else None
                if entry is not None and entry[0] is a and (kept_too or not entry[2]):
                    del self._lent[id(a)]
                    stack = self._free.setdefault(a.shape, [])
                    if len(stack) < _POOL_SIZE:
                        stack.append(entry[:2])

    def _input_tensor(self, x: np.ndarray | torch.Tensor) -> torch.Tensor:
        """The tensor for a model input: the lent buffer's own tensor (or its first rows)
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

    # -- encoding and forward passes ----------------------------------------------------------
    def encode(self, codes: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``(B, L)`` uint8 codes -> ``(B, N, L)`` float32 model input (into ``out`` if
        given, else into a recycled buffer)."""
        index, unknown = self.alphabet.column_indices(codes)
        return self.encode_indices(index, out, unknown)

    def encode_indices(
        self, index: np.ndarray, out: np.ndarray | None = None, unknown: bool | None = None
    ) -> np.ndarray:
        """``(B, L)`` column indices (:meth:`Alphabet.column_indices`: 255 marks an unknown
        letter) -> ``(B, N, L)`` float32 one-hot model input (into ``out`` if given, else
        into a recycled buffer). ``unknown=False`` promises there is no 255."""
        b, length = index.shape
        n = self.alphabet.size
        if out is None:
            out = self.buffer((b, n, length))
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

    def predict(self, x: np.ndarray | torch.Tensor) -> np.ndarray:
        """Forward pass on ``(B, N, L)`` inputs -> float32 numpy ``(B, F)``."""
        with torch.inference_mode():
            return self._to_numpy([self._forward(x)])[0]

    def _forward(self, x: np.ndarray | torch.Tensor) -> torch.Tensor:
        """One forward pass (inside ``torch.inference_mode``), output left as a tensor.

        This runs once per batch. With a cheap model on the CPU, every forward pass
        evicts our data from the CPU caches, so each Python operation here runs cold and
        costs microseconds: the checks of the output are made once per work item
        (:meth:`_to_numpy`), and only what must be known before the input buffer is
        reused (in-place changes, outputs that alias the input) is checked per pass.
        """
        tensor = self._input_tensor(x)
        if self.lua:
            tensor = tensor.unsqueeze(2)
        if not self._on_cpu:
            # the model sees a copy on its device: our buffer cannot be changed by it
            out = self.model(tensor.to(self.device, non_blocking=self._pin))
        else:
            version = tensor._version
            out = self.model(tensor)
            if tensor._version != version:
                # The model changed its input in place: inputs cannot be reused afterwards.
                self.modifies_inputs = True
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

    @staticmethod
    def _to_numpy(outs: list[torch.Tensor]) -> list[np.ndarray]:
        """Model outputs -> float32 numpy ``(B, F)`` arrays (on the CPU)."""
        result = []
        for out in outs:
            if out.dim() != 2:
                out = out.reshape(out.shape[0], -1)
            if out.device.type != "cpu" or out.dtype != torch.float32:
                out = out.to("cpu", torch.float32)
            result.append(out.numpy())
        return result

    def output_width(self, sequence_length: int) -> int:
        """Number of outputs per sequence, found by one forward pass on a blank sequence.

        Raises ``ValueError`` naming the length when the model cannot take it.
        """
        blank = np.full((1, sequence_length), ord("N"), dtype=np.uint8)
        try:
            out = self.predict(self.encode(blank))
        except (RuntimeError, ValueError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ValueError(
                f"the model cannot run on sequences of length {sequence_length} "
                f"(sequence_length must match the model's input length): {first}"
            ) from exc
        return int(out.shape[1])

    def run(
        self,
        work: Iterable[T],
        inputs: Callable[[T], Sequence[np.ndarray]],
        consume: Callable[[T, list[np.ndarray]], None],
        background: bool | None = None,
        predicted: Callable[[T], None] | None = None,
    ) -> None:
        """Predict every work item and hand the predictions to ``consume``, in order.

        With ``background`` the next items are built in one thread and ``consume`` (scoring
        and writing) runs in another, so the model never waits for either.

        Parameters
        ----------
        work
            Items produced lazily (reading files, building sequences).
        inputs
            Item -> model inputs ``(B, N, L)`` (one per forward pass), each an array or
            a function returning one, called right before its forward pass (after the
            previous input was predicted, so it may reuse that array in place). Arrays
            from :meth:`buffer` are recycled once the item is predicted, so items must
            not use them after.
        consume
            Called as ``consume(item, predictions)`` where ``predictions[i]`` is the
            ``(B, F)`` output for ``inputs(item)[i]``.
        background
            Use the producer and consumer threads (the results are the same either way);
            ``None`` decides with :meth:`wants_background`.
        predicted
            Called with each item right after its forward passes, in the thread that runs
            the model (e.g. to reuse the item's input buffers).
        """
        if background is None:
            background = self.wants_background()
        # inference mode for the whole run: entering it per forward pass costs more than
        # the pass itself takes with a cheap model (see _forward)
        with frozen_heap(), torch.inference_mode():
            if not background:
                for item in work:
                    consume(item, self._predict_item(item, inputs, predicted))
                return
            stream = prefetch(work)
            sink = _Sink(consume)
            try:
                for item in stream:
                    sink.put(item, self._predict_item(item, inputs, predicted))
                sink.finish()
            finally:
                stream.close()
                sink.stop()

    def wants_background(self) -> bool:
        """Whether building and writing batches in threads can overlap the model: on a GPU,
        or when torch's CPU threads leave cores free. When the model already keeps every
        core busy, those threads only take CPU time from it (measured on 2 cores with a
        cheap convolution: 0.75 of the model-only rate with threads, 0.84 without)."""
        if not self._on_cpu:
            return True
        try:
            cores = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):  # not Linux
            cores = os.cpu_count() or 1
        return torch.get_num_threads() < cores

    def _predict_item(
        self,
        item: T,
        inputs: Callable[[T], Sequence[Any]],
        predicted: Callable[[T], None] | None = None,
    ):
        forward = self._forward
        outs = []
        used = []
        for x in inputs(item):
            if callable(x):  # built only now, e.g. from the previous input in place
                x = x()
            outs.append(forward(x))
            used.append(x)
        self._release(used, kept_too=False)
        if predicted is not None:
            predicted(item)
        return self._to_numpy(outs)


class _Sink:
    """Calls ``consume`` on items from a queue in a background thread; its errors are
    re-raised in the caller at the next :meth:`put` or at :meth:`finish`."""

    def __init__(self, consume: Callable[[Any, list[np.ndarray]], None], depth: int = 4):
        self.consume = consume
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="selene-writer", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while True:
            entry = self.queue.get()
            if entry is _END:
                return
            if self.error is None:
                try:
                    self.consume(*entry)
                except BaseException as exc:  # handed to the caller
                    self.error = exc

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def put(self, item: Any, preds: list[np.ndarray]) -> None:
        self._raise()
        while True:
            try:
                self.queue.put((item, preds), timeout=0.1)
                return
            except queue.Full:
                self._raise()

    def finish(self) -> None:
        self.queue.put(_END)
        self.thread.join()
        self._raise()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.error = self.error or RuntimeError("stopped")
            while self.thread.is_alive():
                try:
                    self.queue.put(_END, timeout=0.05)
                except queue.Full:
                    try:
                        self.queue.get_nowait()
                    except queue.Empty:
                        pass
                self.thread.join(timeout=0.05)


class _Failure:
    def __init__(self, exc: BaseException):
        self.exc = exc


_END = object()


def prefetch(items: Iterable[T], depth: int = 3) -> Iterator[T]:
    """Iterate ``items`` in a background thread, keeping up to ``depth`` items ready.

    Exceptions raised while producing are re-raised in the consumer; closing the returned
    generator stops the producer.
    """
    buffer: queue.Queue[Any] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def produce() -> None:
        source = iter(items)
        try:
            for item in source:
                while not stop.is_set():
                    try:
                        buffer.put(item, timeout=0.05)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put(_END)
        except BaseException as exc:  # handed to the consumer
            buffer.put(_Failure(exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # pragma: no cover - best effort clean-up
                    pass

    thread = threading.Thread(target=produce, name="selene-prefetch", daemon=True)
    thread.start()
    return _consume(buffer, stop, thread)


def _consume(buffer: queue.Queue[Any], stop: threading.Event, thread: threading.Thread):
    try:
        while True:
            item = buffer.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                buffer.get(timeout=0.05)
            except queue.Empty:
                pass
        thread.join()


def progress_bar(total: int | Callable[[], int] | None, unit: str, desc: str):
    """A tqdm bar on stderr with rate and ETA.

    Shown when stderr is a terminal; ``SELENE_SDK_PROGRESS=0`` hides it and ``=1`` forces
    it. ``total`` may be a function, called only when the bar is shown (counting the
    records of a large file costs a pass over it).
    """
    import sys

    from tqdm.auto import tqdm

    setting = os.environ.get("SELENE_SDK_PROGRESS", "").strip().lower()
    if setting in {"0", "off", "false", "no"}:
        enabled = False
    elif setting in {"1", "on", "true", "yes"}:
        enabled = True
    else:
        enabled = bool(getattr(sys.stderr, "isatty", lambda: False)())
    if callable(total):
        total = total() if enabled else None
    return tqdm(
        total=total,
        unit=unit,
        desc=desc,
        mininterval=0.5,
        dynamic_ncols=True,
        disable=not enabled,
        leave=True,
    )
