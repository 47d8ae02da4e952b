"""Atomic file writing: write to a temporary file beside the target, then rename over it.

A crash or kill while writing leaves the previous good file (or no file), never half of one.
The data is flushed to disk (``fsync``) before the rename, so the renamed file is complete
even after a power failure. :class:`Committer` does that last step in a background thread
for callers that produce many files (in silico mutagenesis writes several per sequence):
``fsync`` waits on the disk, and the model can run meanwhile.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import queue
import re
import secrets
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

__all__ = [
    "Committer",
    "atomic_path",
    "atomic_write",
    "commit_files",
    "discard_temporary",
    "remove_stale_temporaries",
    "save_npz",
    "temporary_path",
]


#: Temporary files are named ``.<target>.sel-<host>-<pid>-<random><suffix>``: the host and
#: process let a later run tell the leftovers of a killed run (removed) from the files of
#: a run still going (kept); nothing else is ever removed.
_HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]
_OURS = re.compile(r"^\..+\.sel-(?P<host>[0-9a-f]{6})-(?P<pid>\d+)-[0-9a-f]{12}(\.[\w.]+)?$")
_CLEANED: set[str] = set()  # directories already swept by this process
_CLEAN_LOCK = threading.Lock()
logger = logging.getLogger("selene")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_temporaries(directory: str | os.PathLike) -> list[str]:
    """Remove the temporary files that runs of ours on this host left in ``directory``
    when they were killed (their process no longer exists); return their paths.

    Only names made by :func:`temporary_path` are considered; files of live processes,
    of other hosts and every other file are left alone.
    """
    directory = os.fspath(directory)
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        found = _OURS.match(name)
        if found is None or found["host"] != _HOST:
            continue
        pid = int(found["pid"])
        if pid == os.getpid() or _alive(pid):
            continue
        path = os.path.join(directory, name)
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
            os.unlink(path)
            removed.append(path)
    if removed:
        logger.info(
            "removed %d temporary file(s) left in %s by an earlier run that was killed",
            len(removed),
            directory,
        )
    return removed


def _sweep_once(directory: str) -> None:
    with _CLEAN_LOCK:
        if directory in _CLEANED:
            return
        _CLEANED.add(directory)
    remove_stale_temporaries(directory)


def _cannot_write(path: str, directory: str, exc: OSError) -> OSError:
    """The error of a failed temporary file, naming the target rather than the hidden
    temporary file."""
    if isinstance(exc, FileExistsError | NotADirectoryError):
        blocking = directory
        while blocking and not os.path.exists(blocking):
            blocking = os.path.dirname(blocking)
        what = f"{blocking} is a file, not a directory" if os.path.isfile(blocking) else str(exc)
    else:
        what = f"{exc.strerror or type(exc).__name__} in {directory}"
    error = type(exc)(f"cannot write {path}: {what}")
    error.errno = exc.errno
    return error


def temporary_path(path: str | os.PathLike, suffix: str | None = None) -> str:
    """Create an empty temporary file in the target's directory (made if missing) and
    return its path; it gets the permissions ``open()`` would give the target.

    The first temporary file a process makes in a directory also removes what killed
    runs of ours left there (:func:`remove_stale_temporaries`). A directory that cannot
    be made or written raises an ``OSError`` naming ``path``.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        if not os.path.isdir(directory):
            os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(path, directory, exc) from exc
    _sweep_once(directory)
    prefix = os.path.join(directory, f".{os.path.basename(path)}.sel-{_HOST}-{os.getpid()}-")
    suffix = suffix if suffix is not None else ".tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = f"{prefix}{secrets.token_hex(6)}{suffix}"
        try:
            # mode 0o666 less the umask, as open() gives, in one call (mkstemp makes a 0600
            # file that then needs a chmod and a umask lookup)
            os.close(os.open(tmp, flags, 0o666))
        except FileExistsError:
            continue
        except OSError as exc:
            raise _cannot_write(path, directory, exc) from exc
        return tmp
    raise FileExistsError(f"no unused temporary name beside {path}")


def discard_temporary(tmp: str) -> None:
    """Remove a temporary file if it exists."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)


def commit_files(pairs: Sequence[tuple[str, str]]) -> None:
    """Make finished temporary files durable, then rename each onto its target, in order.

    The files are synced one after the other: syncing five 8 MB files concurrently took
    as long as one by one here (the disk is the limit), and starting a thread per file
    cost a model running on every core ~2% of its speed when in silico mutagenesis
    committed each sequence's files in the background.
    """
    pairs = list(pairs)
    for tmp, _ in pairs:
        _fsync_path(tmp)
    for tmp, path in pairs:
        os.replace(tmp, path)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None) -> Iterator[str]:
    """Yield a temporary path in the target's directory; rename it to ``path`` on success.

    Use this for writers that want a path rather than a handle (``torch.save``, h5py,
    ``numpy.savez``). On an exception the temporary file is removed and the target is left
    untouched.
    """
    tmp = temporary_path(path, suffix)
    try:
        yield tmp
        commit_files([(tmp, os.fspath(path))])
    except BaseException:
        discard_temporary(tmp)
        raise


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8", **kwargs: Any
) -> Iterator[IO[Any]]:
    """Open a temporary file for writing and rename it to ``path`` when the block succeeds."""
    if "b" in mode:
        encoding = None
    with atomic_path(path) as tmp, open(tmp, mode, encoding=encoding, **kwargs) as handle:
        yield handle


class Committer:
    """Finishes groups of files in one background thread, in submission order.

    :meth:`submit` queues finished temporary files to be synced and renamed;
    :meth:`submit_task` queues any closing work (e.g. flushing and closing the writers of a
    group, then committing them) with its clean-up on failure. At most ``depth`` tasks wait
    at a time (a caller that gets ahead blocks), so memory stays bounded.

    Use as a context manager: leaving the block waits until every submitted task is done
    and re-raises the first error (tasks after a failed one are cleaned up, not run).
    """

    def __init__(self, depth: int = 4) -> None:
        self._queue: queue.Queue[tuple[Callable[[], None], Callable[[], None]] | None] = (
            queue.Queue(maxsize=max(1, depth))
        )
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def submit(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Queue ``(temporary, target)`` pairs to be synced and renamed together."""
        pairs = list(pairs)

        def clean_up() -> None:
            for tmp, _ in pairs:
                discard_temporary(tmp)

        self.submit_task(functools.partial(commit_files, pairs), clean_up)

    def submit_task(self, task: Callable[[], None], clean_up: Callable[[], None]) -> None:
        """Queue ``task``; ``clean_up`` runs instead if an earlier task failed, and after
        ``task`` if it fails itself."""
        if self._error is not None:
            raise self._error
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="selene-commit", daemon=True)
            self._thread.start()
        self._queue.put((task, clean_up))

    def _work(self) -> None:
        while True:
            entry = self._queue.get()
            if entry is None:
                return
            task, clean_up = entry
            if self._error is None:
                try:
                    task()
                    continue
                except BaseException as exc:  # handed to the caller by wait()
                    self._error = exc
            with contextlib.suppress(BaseException):
                clean_up()

    def wait(self) -> None:
        """Block until every submitted task is done; raise the first error."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def __enter__(self) -> Committer:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc is None:
            self.wait()
        else:
            with contextlib.suppress(BaseException):
                self.wait()


def _fsync_path(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_npz(path: str | os.PathLike, data) -> None:
    """``numpy.savez_compressed`` of ``data`` under the key ``data``, atomically."""
    import numpy as np

    with atomic_path(path, suffix=".npz") as tmp:
        np.savez_compressed(tmp, data=data)
