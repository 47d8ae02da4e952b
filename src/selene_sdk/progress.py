"""Progress bars on stderr for long work (tqdm), shown when stderr is a terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

__all__ = ["progress_bar"]


def progress_bar(total: int | Callable[[], int] | None, unit: str, desc: str):
    """A tqdm bar on stderr with rate and ETA.

    Shown when stderr is a terminal; ``SELENE_SDK_PROGRESS=0`` hides it and ``=1`` forces
    it. ``total`` may be a function, called only when the bar is shown (counting the
    records of a large file costs a pass over it).
    """
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
