"""Reading the TSV outputs of prediction (ISM, VEP) as string tables, with clear errors."""

from __future__ import annotations

import csv
import os

import numpy as np
import pandas as pd

from selene_sdk.constants import ISM_COLS, VARIANTEFFECT_COLS
from selene_sdk.errors import InputFormatError, require_file
from selene_sdk.io.compression import compression_of, open_text

__all__ = [
    "ISM_COLUMNS",
    "VEP_LABEL_COLUMNS",
    "check_features",
    "detect_kind",
    "float_column",
    "read_header",
    "read_string_table",
]

ISM_COLUMNS: tuple[str, ...] = tuple(ISM_COLS)
VEP_LABEL_COLUMNS: tuple[str, ...] = tuple(VARIANTEFFECT_COLS)
_PREDICTION_FIRST = {"index", "name"}
_HDF5_SUFFIXES = (".h5", ".hdf5")


def read_header(path: str | os.PathLike, what: str) -> list[str]:
    """The tab-separated first line of ``path``; errors for missing, HDF5 or empty files."""
    path = require_file(path, what)
    if path.lower().endswith(_HDF5_SUFFIXES):
        raise InputFormatError(
            path,
            f"HDF5 outputs cannot be read as a {what}: the feature names are not stored in "
            "them; rerun prediction with output_format: tsv",
        )
    try:
        with open_text(path) as handle:
            first = handle.readline()
    except (OSError, EOFError) as exc:
        raise InputFormatError(path, f"cannot read {what}: {exc}") from None
    first = first.rstrip("\r\n")
    if not first:
        raise InputFormatError(path, f"empty {what} (no header line)", 1)
    return first.split("\t")


def detect_kind(header: list[str]) -> str:
    """``"ism"``, ``"vep"``, ``"prediction"`` or ``"unknown"`` from an output's header."""
    if tuple(header[:3]) == ISM_COLUMNS:
        return "ism"
    if tuple(header[:5]) == VEP_LABEL_COLUMNS[:5]:
        return "vep"
    if header and header[0] in _PREDICTION_FIRST:
        return "prediction"
    return "unknown"


def read_string_table(path: str, what: str) -> pd.DataFrame:
    """The whole TSV as strings (``"NA"`` kept as text); ragged rows name their line."""
    try:
        return pd.read_csv(
            path,
            sep="\t",
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            quoting=csv.QUOTE_NONE,
            compression=compression_of(path),
        )
    except pd.errors.ParserError as exc:
        raise InputFormatError(path, f"malformed {what}: {exc}") from None
    except pd.errors.EmptyDataError:
        raise InputFormatError(path, f"empty {what} (no header line)", 1) from None
    except UnicodeDecodeError as exc:
        raise InputFormatError(path, f"{what} is not a text file ({exc.reason})") from None


def float_column(
    values: pd.Series, source: str | None, column: str, first_line: int = 2
) -> np.ndarray:
    """Parse a column of number strings to float64; ``"NA"``/``"nan"`` become NaN.

    The first value that is not a number is reported with its file line (``first_line`` is
    the line of the series' first element: 2 below a header), or its row without a file.
    """
    parsed = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    missing = np.isnan(parsed)
    if missing.any():
        text = values.astype(str).str.strip().str.upper().to_numpy()
        bad = missing & ~np.isin(text, ["NA", "NAN"])
        if bad.any():
            row = int(np.argmax(bad))
            message = f"column {column!r}: {values.iloc[row]!r} is not a number"
            if source is None:
                raise ValueError(f"row {row}: {message}")
            raise InputFormatError(source, message, first_line + row)
    return parsed


def check_features(requested, available) -> None:
    """Raise when a ``--features`` name is not among ``available`` (listing them)."""
    available = list(available)
    unknown = [f for f in requested if f not in available]
    if unknown:
        raise ValueError(
            f"unknown feature(s) {', '.join(unknown)}; available features: "
            f"{', '.join(available[:20])}{', ...' if len(available) > 20 else ''}"
        )
