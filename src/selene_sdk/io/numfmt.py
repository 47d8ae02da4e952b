"""Vectorised ``"%.2e"`` formatting of score tables (Selene's TSV number format).

Formatting a float with Python costs ~0.7 µs; a DeepSEA-sized table (919 features) would
spend more time printing than predicting. :func:`format_rows` builds the same characters
with numpy (digit and exponent strings come from lookup tables) and falls back to Python
only for the rare values where the fast path could round differently (exact ties such as
``1.125``), for magnitudes outside [1e-99, 1e99), nan and inf.
"""

from __future__ import annotations

import numpy as np

__all__ = ["format_rows", "format_value"]

_TIE_TOLERANCE = 1e-7
_POW10 = np.array([10.0**k for k in range(101)])  # exact up to 1e22, correctly rounded above
# "d.dd" for 0..999 and "e+XX"/"e-XX" for -99..99, as 4-byte items
_MANTISSAS = np.array([f"{i // 100}.{i % 100:02d}".encode() for i in range(1000)], dtype="S4")
_EXPONENTS = np.array([f"e{e:+03d}".encode() for e in range(-99, 100)], dtype="S4")
_SIGNED = np.dtype([("sign", "u1"), ("mant", "S4"), ("exp", "S4"), ("sep", "u1")])
_UNSIGNED = np.dtype([("mant", "S4"), ("exp", "S4"), ("sep", "u1")])


def format_value(value: float) -> str:
    """The reference formatting of one value: ``"%.2e" % value``."""
    return f"{float(value):.2e}"


def _fast_fields(a: np.ndarray):
    """3-digit mantissas ``100..999`` (0 for zeros) and exponents of ``a`` (float64), plus a
    mask of the values that must be formatted by Python."""
    mag = np.abs(a)
    regular = (mag >= 1e-99) & (mag < 1e99)  # False for 0, nan and inf
    m = np.where(regular, mag, 1.0)
    exp = np.floor(np.log10(m)).astype(np.int16)
    # Dividing by an exact power of ten rounds once; for e < 0, multiplying by 10**-e does
    # the same. Values whose rounding could still be affected are re-done in Python below.
    power = np.take(_POW10, np.abs(exp))
    scaled = np.where(exp >= 0, m / power, m * power)
    scaled *= 100.0
    low = scaled < 100.0  # log10 rounded up across a power of ten
    if low.any():
        scaled[low] *= 10.0
        exp[low] -= 1
    high = scaled >= 1000.0
    if high.any():
        scaled[high] /= 10.0
        exp[high] += 1
    rounded = np.rint(scaled)
    near_tie = np.abs(np.abs(scaled - rounded) - 0.5) < _TIE_TOLERANCE
    digits = rounded.astype(np.int16)
    carry = digits >= 1000
    if carry.any():
        digits[carry] = 100
        exp[carry] += 1
    zero = mag == 0
    if zero.any():
        digits[zero] = 0
        exp[zero] = 0
    slow = ~(regular | zero) | (near_tie & regular) | (np.abs(exp) > 99)
    return digits, exp, slow


def format_rows(values: np.ndarray, sep: str = "\t") -> list[str]:
    """Format each row of a 2-D array as ``sep``-joined ``"%.2e"`` strings.

    Parameters
    ----------
    values
        ``(n, F)`` float array (float32 values are formatted exactly as Python formats
        the same number converted to a Python float).
    sep
        Single-character separator between values.

    Returns
    -------
    list of str
        ``n`` strings, identical to ``sep.join("%.2e" % v for v in row)``.
    """
    values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError(f"format_rows expects a 2-D array, got shape {values.shape}")
    n, f = values.shape
    if n == 0:
        return []
    if f == 0:
        return [""] * n
    a = values.astype(np.float64, copy=False)
    with np.errstate(invalid="ignore", over="ignore"):
        digits, exp, slow = _fast_fields(a)
    negative = np.signbit(a)
    signed = bool(negative.any())
    cells = np.empty((n, f), dtype=_SIGNED if signed else _UNSIGNED)
    cells["mant"] = np.take(_MANTISSAS, digits)
    cells["exp"] = np.take(_EXPONENTS, np.clip(exp, -99, 99) + 99)
    cells["sep"] = ord(sep)
    cells["sep"][:, -1] = ord("\n")
    if signed:
        # the sign byte of non-negative values is a NUL placeholder, deleted here
        cells["sign"] = np.where(negative, ord("-"), 0)
        raw = cells.tobytes().replace(b"\x00", b"")
    else:
        raw = cells.tobytes()
    rows = raw.decode("ascii").split("\n")[:n]
    for i in np.nonzero(slow.any(axis=1))[0]:
        rows[i] = sep.join(format_value(v) for v in a[i])
    return rows
