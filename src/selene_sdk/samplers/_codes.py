"""``CodeBatch``: a batch whose sequences are still uint8 ASCII codes (16x smaller than the
float32 one-hot encoding), for cheap transfer out of DataLoader worker processes."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

__all__ = ["CodeBatch"]


class CodeBatch(NamedTuple):
    """Sequences as codes ``(B, L)`` uint8, targets ``(B, F)`` float32, the alphabet that
    encodes them, and the window coordinates (or None)."""

    codes: np.ndarray
    targets: np.ndarray
    alphabet: Any
    coordinates: tuple[np.ndarray, ...] | None = None

    def sequences(self) -> np.ndarray:
        """The one-hot encodings ``(B, L, N)`` float32."""
        return self.alphabet.encode(self.codes)

    def as_sample(self) -> tuple[Any, ...]:
        """``(sequences, targets)``, plus the coordinates when present."""
        if self.coordinates is None:
            return self.sequences(), self.targets
        return self.sequences(), self.targets, self.coordinates
