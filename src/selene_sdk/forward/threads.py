"""Background threads of the analysis pipeline: one that prepares work items ahead of the
model (:func:`prefetch`) and one that consumes its results (:class:`Sink`).

Errors raised in either thread are re-raised in the caller's thread; closing or stopping
them never leaves a thread running.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import numpy as np

__all__ = ["Sink", "prefetch"]

T = TypeVar("T")


class Sink:
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
