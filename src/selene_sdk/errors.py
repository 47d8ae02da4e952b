"""Exception and warning types that name the file, line or key at fault."""

from __future__ import annotations

import errno
import os


class SeleneWarning(UserWarning):
    """Warnings emitted by selene_sdk (filter them with ``warnings.filterwarnings``)."""


class InvalidCoordinatesWarning(SeleneWarning):
    """A window outside its sequence (or blacklisted) gave an empty result, as in Selene."""


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


def check_column_index(value: int | None, name: str = "strand_index") -> int | None:
    """Return ``value`` if it is ``None`` or a 0-based column index, else raise
    (``TypeError`` for a non-integer, ``ValueError`` for a negative one, which would count
    columns from the end of each line)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value
