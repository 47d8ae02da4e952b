"""Window and target-bin geometry of online samplers: centre position -> coordinates."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["WindowGeometry"]


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


@dataclass(frozen=True)
class WindowGeometry:
    """Where the input window and the labelled bin lie relative to a sampled centre.

    For a centre ``pos`` the window is ``[pos - L // 2, pos - L // 2 + L)`` (odd ``L`` puts
    the extra base on the right). The bin is given by offsets from the window start:
    ``[window_start + bin_start, window_start + bin_end)``.

    Build it with :meth:`from_arguments`, which validates Selene's
    ``sequence_length``/``center_bin_to_predict`` pair.
    """

    sequence_length: int
    bin_start: int
    bin_end: int

    @classmethod
    def from_arguments(
        cls, sequence_length: object, center_bin_to_predict: object
    ) -> WindowGeometry:
        """Validate and convert the sampler arguments.

        ``center_bin_to_predict`` is either a size ``b`` (bin ``[pos - b // 2, pos + b // 2 +
        b % 2)``, with ``L + b`` required to be even so the bin is centred in the window) or a
        pair ``[start, end]`` of offsets inside the window with ``0 <= start < end <= L``.
        """
        if not _is_int(sequence_length) or int(sequence_length) <= 0:
            raise ValueError(f"sequence_length must be a positive integer, got {sequence_length!r}")
        length = int(sequence_length)
        half = length // 2
        bin_arg = center_bin_to_predict
        if _is_int(bin_arg):
            size = int(bin_arg)
            if size <= 0:
                raise ValueError(f"center_bin_to_predict must be positive, got {size}")
            if (length + size) % 2 != 0:
                raise ValueError(
                    f"sequence_length ({length}) and center_bin_to_predict ({size}) must both "
                    "be even or both be odd, so that the bin is centred in the window"
                )
            start = half - size // 2
            return cls(length, start, start + size)
        if isinstance(bin_arg, Sequence) and not isinstance(bin_arg, str):
            if len(bin_arg) != 2 or not all(_is_int(v) for v in bin_arg):
                raise ValueError(
                    "center_bin_to_predict as a list must be two integers [start, end] "
                    f"(offsets inside the window), got {list(bin_arg)!r}"
                )
            start, end = int(bin_arg[0]), int(bin_arg[1])
            if not 0 <= start < end <= length:
                raise ValueError(
                    f"center_bin_to_predict [{start}, {end}] must satisfy "
                    f"0 <= start < end <= sequence_length ({length})"
                )
            return cls(length, start, end)
        raise ValueError(
            f"center_bin_to_predict must be an integer size or a [start, end] list, got {bin_arg!r}"
        )

    @property
    def half(self) -> int:
        """Distance from the window start to the centre position."""
        return self.sequence_length // 2

    def window_starts(self, positions: np.ndarray) -> np.ndarray:
        """Window starts for centre ``positions`` -> int64."""
        return np.asarray(positions, dtype=np.int64) - self.half

    def bins(self, window_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(bin_starts, bin_ends)`` of the windows starting at ``window_starts``."""
        ws = np.asarray(window_starts, dtype=np.int64)
        return ws + self.bin_start, ws + self.bin_end
