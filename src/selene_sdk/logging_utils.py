"""The ``selene`` logger: one log file per run component, one console handler per process."""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["LOGGER_NAME", "initialize_logger"]

LOGGER_NAME = "selene"
_LEVELS = {0: logging.WARNING, 1: logging.INFO, 2: logging.DEBUG}
_FILE_TAG = "_selene_log_file"
_CONSOLE_TAG = "_selene_console"


def initialize_logger(output_path: str | os.PathLike, verbosity: int = 2) -> logging.Logger:
    """Send the ``selene`` logger's records to ``output_path`` and to stdout.

    Parameters
    ----------
    output_path
        The log file (appended to; its directory is created). Unlike Selene, every call
        takes effect: the file handler of an earlier call is closed and replaced, so
        ``TrainModel`` and a later ``EvaluateModel`` in the same process each write their
        own log file. Calling twice with the same path keeps one handler.
    verbosity
        0 -> WARNING, 1 -> INFO, 2 -> DEBUG (the file's level). The console shows INFO and
        above; only one console handler is ever installed.

    Returns
    -------
    The ``selene`` logger. Format: ``<asctime> - <LEVEL> - <message>`` in the file,
    ``<asctime> - <message>`` on the console.
    """
    if verbosity not in _LEVELS:
        raise ValueError(f"verbosity must be 0, 1 or 2, got {verbosity!r}")
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(_LEVELS[verbosity])
    path = os.path.abspath(os.fspath(output_path))

    keep_file = False
    for handler in list(logger.handlers):
        if getattr(handler, _FILE_TAG, None) is None:
            continue
        if getattr(handler, _FILE_TAG) == path:
            keep_file = True
            handler.setLevel(_LEVELS[verbosity])
            continue
        logger.removeHandler(handler)
        handler.close()
    if not keep_file:
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        file_handler = logging.FileHandler(path, encoding="utf-8")
        file_handler.setFormatter(logging.Formatter("%(asctime)s - %(levelname)s - %(message)s"))
        file_handler.setLevel(_LEVELS[verbosity])
        setattr(file_handler, _FILE_TAG, path)
        logger.addHandler(file_handler)

    if not any(getattr(h, _CONSOLE_TAG, False) for h in logger.handlers):
        console = logging.StreamHandler(sys.stdout)
        console.setFormatter(logging.Formatter("%(asctime)s - %(message)s"))
        console.setLevel(logging.INFO)
        setattr(console, _CONSOLE_TAG, True)
        logger.addHandler(console)
    return logger
