"""Reading the files of the ``attribution`` analysis (``<name>_attributions.{npz,h5}``).

:class:`AttributionFile` reads the labels at once and the arrays of one feature (and of
chosen rows) on demand; the layout is described in
:mod:`selene_sdk.predict.files.attribution`. It also says what a logo of the actual bases
shows (:meth:`AttributionFile.contributions`): at each position, the contribution of the
letter that is there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from selene_sdk.errors import require_file

__all__ = ["DNA_ORDER", "AttributionFile"]

#: The column order of DNA one-hot encodings in the pictures and in the modisco export.
DNA_ORDER = ("A", "C", "G", "T")
_ARRAYS = ("attributions", "hypothetical", "sequences")
_STRINGS = ("features", "alphabet", "names", "label_columns", "labels")
_SETTINGS = ("method", "baselines", "n_steps", "n_shuffles", "seed")


def _listing(items: list[str], limit: int = 10) -> str:
    return ", ".join(items[:limit]) + (", ..." if len(items) > limit else "")


def _setting(value: Any) -> Any:
    value = value.item() if isinstance(value, np.ndarray | np.generic) else value
    return value.decode() if isinstance(value, bytes) else value


@dataclass
class AttributionFile:
    """An attribution output: its labels and settings, and its arrays on demand.

    Attributes
    ----------
    path
        The file.
    features, alphabet, names
        Attributed features, column letters, row names.
    label_columns, labels
        The row labels ``(N, C)`` and their column names.
    settings
        ``method``, ``baselines``, ``n_steps``, ``n_shuffles``, ``seed``.
    shape
        ``(N, T, L, A)`` of the attribution arrays.
    """

    path: str
    features: list[str]
    alphabet: tuple[str, ...]
    names: list[str]
    label_columns: list[str]
    labels: np.ndarray
    settings: dict[str, Any]
    shape: tuple[int, int, int, int]

    @property
    def hdf5(self) -> bool:
        return self.path.lower().endswith((".h5", ".hdf5"))

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> AttributionFile:
        """Read the labels and settings of ``path`` (``.npz`` or ``.h5``)."""
        path = require_file(path, "attribution file")
        if path.lower().endswith((".h5", ".hdf5")):
            import h5py

            with h5py.File(path, "r") as handle:
                _require(path, handle.keys(), handle.attrs.keys())
                strings = {k: handle[k].asstr()[()] for k in _STRINGS}
                settings = {k: _setting(handle.attrs[k]) for k in _SETTINGS}
                shape = tuple(handle["attributions"].shape)
        else:
            try:
                handle = np.load(path, allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise ValueError(f"{path}: not an .npz attribution file ({exc})") from None
            with handle:
                _require(path, handle.files, handle.files)
                strings = {k: handle[k] for k in _STRINGS}
                settings = {k: _setting(handle[k]) for k in _SETTINGS}
                shape = tuple(handle["attributions"].shape)
        labels = np.asarray(strings["labels"], dtype=str)
        return cls(
            path,
            [str(f) for f in strings["features"]],
            tuple(str(a) for a in strings["alphabet"]),
            [str(n) for n in strings["names"]],
            [str(c) for c in strings["label_columns"]],
            labels.reshape(len(strings["names"]), -1),
            settings,
            shape,  # type: ignore[arg-type]
        )

    # -- choosing a feature and rows ----------------------------------------------------------
    def feature_index(self, feature: str | None) -> int:
        """Index of ``feature`` (None: the only one); an unknown name lists the others."""
        if feature is None:
            if len(self.features) != 1:
                raise ValueError(
                    f"{self.path} has {len(self.features)} features; choose one with "
                    f"--feature (available: {_listing(self.features)})"
                )
            return 0
        if feature not in self.features:
            raise ValueError(
                f"{self.path}: no feature {feature!r} (available: {_listing(self.features)})"
            )
        return self.features.index(feature)

    def row_index(self, index: int | None = None, name: str | None = None) -> int:
        """The row of ``index`` (0-based) or of the first row named ``name`` (default 0)."""
        n = len(self.names)
        if n == 0:
            raise ValueError(f"{self.path} holds no sequences")
        if index is not None and name is not None:
            raise ValueError("give --index or --name, not both")
        if name is not None:
            if name not in self.names:
                raise ValueError(
                    f"{self.path}: no sequence named {name!r} (names: {_listing(self.names)})"
                )
            return self.names.index(name)
        index = 0 if index is None else index
        if not 0 <= index < n:
            raise ValueError(f"{self.path}: --index must be in 0..{n - 1}, got {index}")
        return index

    # -- arrays -------------------------------------------------------------------------------
    def arrays(self, feature: int, rows: int | slice | None = None) -> dict[str, np.ndarray]:
        """``attributions``, ``hypothetical`` (of output ``feature``) and ``sequences`` of
        ``rows`` (an index, a slice; None: all), float32; ``(L, A)`` for one row, else
        ``(n, L, A)``."""
        rows = slice(None) if rows is None else rows
        out = {}
        if self.hdf5:
            import h5py

            with h5py.File(self.path, "r") as handle:
                for key in _ARRAYS:
                    where = (rows,) if key == "sequences" else (rows, feature)
                    out[key] = np.asarray(handle[key][where], np.float32)
        else:
            with np.load(self.path, allow_pickle=False) as handle:
                for key in _ARRAYS:
                    data = handle[key]
                    out[key] = np.asarray(
                        data[rows] if key == "sequences" else data[rows, feature], np.float32
                    )
        return out

    def contributions(self, feature: int, row: int) -> np.ndarray:
        """``(L, A)``: at each position, the contribution of the letter present (its
        one-hot row times the position's contribution; unknown letters share it).

        The position's contribution is the sum of the attributions over the letters for
        the methods with references and ``input_x_gradient`` (for a one-hot input, all on
        the present letter), and the gradient of the present letter for ``saliency``.
        """
        data = self.arrays(feature, row)
        x = data["sequences"]
        attributions = data["attributions"]
        if self.settings.get("method") == "saliency":
            total = (attributions * x).sum(axis=-1)
        else:
            total = attributions.sum(axis=-1)
        return total[:, None] * x

    def dna_columns(self) -> np.ndarray | None:
        """Column permutation putting a DNA alphabet in A, C, G, T order (None if the
        alphabet is not DNA)."""
        if sorted(a.upper() for a in self.alphabet) != list(DNA_ORDER):
            return None
        upper = [a.upper() for a in self.alphabet]
        return np.array([upper.index(b) for b in DNA_ORDER])


def _require(path: str, keys, settings) -> None:
    missing = [k for k in (*_ARRAYS, *_STRINGS) if k not in keys]
    missing += [k for k in _SETTINGS if k not in settings]
    if missing:
        raise ValueError(
            f"{path} is not an attribution file of selene_sdk (no {', '.join(missing)}); "
            "write one with the `attribution` section of `analyze`"
        )
