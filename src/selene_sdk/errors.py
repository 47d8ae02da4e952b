"""Exception and warning types that name the file, line or key at fault."""

from __future__ import annotations

import errno
import os


class SeleneWarning(UserWarning):
    """Warnings emitted by selene_sdk (filter them with ``warnings.filterwarnings``)."""


class InputFormatError(ValueError):
    """A user-supplied file is malformed.

    The message always starts with ``<path>:<line>:`` when the line is known, so editors and
    terminals can jump straight to it.
    """

    def __init__(self, path: str | os.PathLike, message: str, line: int | None = None):
        self.path = os.fspath(path)
        self.line = line
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {message}")


def missing_file_error(path: str | os.PathLike, what: str = "file") -> FileNotFoundError:
    """A ``FileNotFoundError`` shaped like the one ``open()`` raises, naming what was expected."""
    err = FileNotFoundError(errno.ENOENT, f"{what} not found", os.fspath(path))
    return err


def require_file(path: str | os.PathLike, what: str = "file") -> str:
    """Return ``path`` as a string if it is an existing file, else raise ``FileNotFoundError``."""
    path = os.fspath(os.path.expanduser(path))
    if not os.path.isfile(path):
        raise missing_file_error(path, what)
    return path
