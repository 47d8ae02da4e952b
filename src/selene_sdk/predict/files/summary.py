"""The one line each analysis operation logs when it ends: what it did, what it wrote where,
how long it took (``ISM seqs.fa: 3 sequences, 9,600 mutations -> out/ism/ (a_logits.tsv,
...) in 12.3 s (780 mutations/s)``), at INFO on the ``selene`` logger."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

from selene_sdk.logging_utils import LOGGER_NAME
from selene_sdk.progress import format_rate

__all__ = ["count", "log_summary", "written"]

logger = logging.getLogger(LOGGER_NAME)


def count(n: int, unit: str, plural: str | None = None) -> str:
    """``1 sequence``, ``9,600 mutations``."""
    return f"{n:,} {unit if n == 1 else plural or unit + 's'}"


def written(paths: Sequence[str | os.PathLike], shown: int = 4) -> str:
    """``out/ism/ (a_logits.tsv, a_predictions.tsv)``: the files' common directory and names.

    More than ``shown`` files: the first ``shown - 1`` names and the number of files, so a
    FASTA file of many records gives one short line.
    """
    paths = [os.fspath(p) for p in paths]
    if not paths:
        return "nothing written"
    directory = os.path.commonpath([os.path.dirname(p) or "." for p in paths]) or "."
    names = [os.path.relpath(p, directory) for p in paths]
    if len(names) > shown:
        names = [*names[: shown - 1], f"... {len(paths)} files"]
    return f"{os.path.join(directory, '')} ({', '.join(names)})"


def log_summary(
    head: str, paths: Sequence[str | os.PathLike], seconds: float, n: int, unit: str
) -> str:
    """Log ``<head> -> <written(paths)> in <seconds> s (<n / seconds> <unit>s/s)``; return it.

    ``->`` rather than an arrow sign: a console with a non-UTF-8 encoding cannot print one.
    """
    line = f"{head} -> {written(paths)} in {seconds:.{2 if seconds < 1 else 1}f} s"
    if n > 0 and seconds > 0:
        line += f" ({format_rate(n / seconds, unit)})"
    logger.info("%s", line)
    return line
