"""Progress of long work: a tqdm bar on a terminal, log lines at a steady interval elsewhere.

Every long loop of the package (training, drawing evaluation sets, evaluation, the analysis
operations, ``write-h5``) reports through :func:`progress_bar`. Environment variables:

``SELENE_SDK_PROGRESS``
    unset: a bar when stderr is a terminal, else log lines; ``0`` (``off``): nothing;
    ``1`` (``on``): a bar even off a terminal; ``log``: log lines even on a terminal.
``SELENE_SDK_PROGRESS_INTERVAL``
    Seconds between two log lines (default 30).

Log lines go to the ``selene`` logger at INFO, e.g. ``training: 1,200/10,000 steps (12%)
after 6m15s, 3.20 steps/s, ETA 40m38s, loss=0.6931``.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from selene_sdk.errors import SeleneWarning
from selene_sdk.logging_utils import LOGGER_NAME

__all__ = [
    "DEFAULT_INTERVAL",
    "INTERVAL_ENV",
    "PROGRESS_ENV",
    "LogProgress",
    "format_duration",
    "format_rate",
    "progress_bar",
    "progress_mode",
]

PROGRESS_ENV = "SELENE_SDK_PROGRESS"
INTERVAL_ENV = "SELENE_SDK_PROGRESS_INTERVAL"
#: Seconds between two progress log lines when ``SELENE_SDK_PROGRESS_INTERVAL`` is unset.
DEFAULT_INTERVAL = 30.0

_OFF = {"0", "off", "false", "no"}
_ON = {"1", "on", "true", "yes", "bar"}
_LOG = {"log", "logs", "lines"}

# The clock of the log lines; a module attribute so tests can substitute a fake one.
_now = time.monotonic


def progress_mode() -> str:
    """How progress is shown now: ``"bar"``, ``"log"`` or ``"off"``.

    ``SELENE_SDK_PROGRESS`` decides when set to a known value; otherwise a terminal on
    stderr gets a bar and anything else (a cluster log, a pipe) log lines.
    """
    setting = os.environ.get(PROGRESS_ENV, "").strip().lower()
    if setting in _OFF:
        return "off"
    if setting in _ON:
        return "bar"
    if setting in _LOG:
        return "log"
    return "bar" if bool(getattr(sys.stderr, "isatty", lambda: False)()) else "log"


def _interval() -> float:
    raw = os.environ.get(INTERVAL_ENV, "").strip()
    if not raw:
        return DEFAULT_INTERVAL
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        warnings.warn(
            f"{INTERVAL_ENV}={raw!r} is not a positive number of seconds; using "
            f"{DEFAULT_INTERVAL:g}",
            SeleneWarning,
            stacklevel=3,
        )
        return DEFAULT_INTERVAL
    return value


def _plural(unit: str) -> str:
    if unit.endswith(("s", "x", "ch", "sh")):
        return unit + "es"
    return unit + "s"


def format_duration(seconds: float) -> str:
    """``12s``, ``4m05s`` or ``1h02m`` (rounded to whole seconds / minutes)."""
    total = max(round(seconds), 0)
    if total < 60:
        return f"{total}s"
    if total < 3600:
        return f"{total // 60}m{total % 60:02d}s"
    minutes = round(seconds / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"


def format_rate(rate: float, unit: str) -> str:
    """``2,500 mutations/s``, ``3.20 steps/s`` or, below one per second, ``5.0 s/step``."""
    if rate >= 100:
        return f"{rate:,.0f} {_plural(unit)}/s"
    if rate >= 10:
        return f"{rate:.1f} {_plural(unit)}/s"
    if rate >= 1:
        return f"{rate:.2f} {_plural(unit)}/s"
    return f"{1 / rate:.1f} s/{unit}"


class LogProgress:
    """A progress display that writes a line to the ``selene`` logger at a steady interval.

    It has the part of tqdm's interface the package uses (``update``, ``set_postfix``,
    ``set_description``, ``close``, a context manager, ``n`` and ``total``), so loops do not
    care which one :func:`progress_bar` gave them. A line is written at the first update at
    least ``interval`` seconds after the previous one (after the start for the first), and
    one more when the work ends, if any was written before.

    Parameters
    ----------
    total
        Units of the whole work (None: unknown, no percentage or ETA).
    unit, desc
        Name of one unit (``"step"``) and of the work (``"training"``).
    initial
        Units already done before (a resumed run); the rate counts only the new ones.
    interval
        Seconds between two lines; None writes none (progress is hidden).
    logger
        Where the lines go (default: the ``selene`` logger).
    """

    def __init__(
        self,
        total: int | None,
        unit: str,
        desc: str,
        initial: int = 0,
        interval: float | None = DEFAULT_INTERVAL,
        logger: logging.Logger | None = None,
    ):
        self.total = total
        self.unit = unit
        self.desc = desc
        self.n = initial
        self.interval = interval
        self.logger = logger or logging.getLogger(LOGGER_NAME)
        self.lines = 0  # lines written so far
        self._initial = initial
        self._postfix: dict[str, Any] = {}
        self._closed = False
        # a hidden display never reads the clock
        self._start = 0.0 if interval is None else _now()
        self._next = None if interval is None else self._start + interval

    def update(self, n: int = 1) -> None:
        """Count ``n`` more units done; write a line when the interval has passed."""
        self.n += n
        if self._next is None:
            return
        now = _now()
        if now >= self._next:
            self._write(now, final=False)
            self._next = now + self.interval

    def set_postfix(
        self, ordered_dict: Mapping[str, Any] | None = None, refresh: bool = True, **kwargs: Any
    ) -> None:
        """Values shown at the end of the next line (``loss=0.6931``), as tqdm's."""
        del refresh  # lines are written on the interval only
        self._postfix = {**(ordered_dict or {}), **kwargs}

    def set_description(self, desc: str, refresh: bool = True) -> None:
        """Rename the work in the next lines."""
        del refresh
        self.desc = desc

    def line(self, now: float | None = None, final: bool = False) -> str:
        """The progress line for the state at time ``now`` (default: the clock's now)."""
        elapsed = (_now() if now is None else now) - self._start
        units = _plural(self.unit)
        if self.total:
            percent = 100 * self.n / self.total
            head = f"{self.desc}: {self.n:,}/{self.total:,} {units} ({percent:.0f}%)"
        else:
            head = f"{self.desc}: {self.n:,} {units}"
        parts = [f"{head} {'in' if final else 'after'} {format_duration(elapsed)}"]
        done = self.n - self._initial
        if elapsed > 0 and done > 0:
            rate = done / elapsed
            parts.append(format_rate(rate, self.unit))
            if not final and self.total and self.total > self.n:
                parts.append(f"ETA {format_duration((self.total - self.n) / rate)}")
        parts += [f"{k}={v}" for k, v in self._postfix.items()]
        return ", ".join(parts)

    def _write(self, now: float, final: bool) -> None:
        self.logger.info("%s", self.line(now, final))
        self.lines += 1

    def close(self) -> None:
        """End the display; write a last line if any line was written before."""
        if self._closed:
            return
        self._closed = True
        if self.lines and self._next is not None:
            self._write(_now(), final=True)

    def __enter__(self) -> LogProgress:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._closed = True  # the error says how the work ended; no summary line
        self.close()


def progress_bar(
    total: int | Callable[[], int] | None, unit: str, desc: str, initial: int = 0
) -> Any:
    """Progress of ``total`` units of work: a tqdm bar on stderr or :class:`LogProgress`.

    See the module's documentation for ``SELENE_SDK_PROGRESS`` and
    ``SELENE_SDK_PROGRESS_INTERVAL``. Off a terminal the lines go to the ``selene`` logger;
    when it does not pass INFO records (a library caller that configured no logging), the
    display is hidden. ``total`` may be a function, called only when progress is shown
    (counting the records of a large file costs a pass over it). ``initial``: units done
    before (a resumed run).

    Returns
    -------
    A ``tqdm`` bar or a :class:`LogProgress`; both have ``update``, ``set_postfix``,
    ``set_description``, ``close`` and are context managers.
    """
    mode = progress_mode()
    if mode == "bar":
        from tqdm.auto import tqdm

        return tqdm(
            total=total() if callable(total) else total,
            initial=initial,
            unit=unit,
            desc=desc,
            mininterval=0.5,
            dynamic_ncols=True,
            leave=True,
        )
    logger = logging.getLogger(LOGGER_NAME)
    if mode == "off" or not logger.isEnabledFor(logging.INFO):
        return LogProgress(None, unit, desc, initial, interval=None, logger=logger)
    if callable(total):
        total = total()
    return LogProgress(total, unit, desc, initial, interval=_interval(), logger=logger)
