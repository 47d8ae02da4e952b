"""Output files of the prediction verbs: Selene's names, formats and memory budget.

``<dir>/<prefix>_<score>.tsv`` (or ``.h5`` plus ``<prefix>_row_labels.txt``) per requested
score; for variant effects, predictions go to ``<prefix>.ref_predictions.*`` and
``<prefix>.alt_predictions.*``. All files of one call are written through one
:class:`~selene_sdk.io.writers.WriterGroup`: they appear together at the end, or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from selene_sdk.constants import OUTPUT_FORMATS, OutputFormat
from selene_sdk.io.writers import (
    DEFAULT_FLUSH_BYTES,
    Hdf5Writer,
    LinesWriter,
    TsvWriter,
    WriterGroup,
)
from selene_sdk.predict.scores import SCORES

__all__ = [
    "OutputFormat",
    "ScoreOutputs",
    "check_output_format",
    "split_prefix",
    "strip_extension",
]

_EXT = {"tsv": "tsv", "hdf5": "h5"}


def check_output_format(output_format: str, allowed: Sequence[str] = OUTPUT_FORMATS) -> str:
    """Return ``output_format`` if allowed, else raise ``ValueError`` listing the choices."""
    if output_format not in allowed:
        raise ValueError(f"output_format must be one of {list(allowed)}, got {output_format!r}")
    return output_format


def split_prefix(output_path_prefix: str | os.PathLike) -> tuple[str, str]:
    """``(directory, prefix)``: an existing directory means files inside it, no prefix."""
    path = os.fspath(output_path_prefix)
    if os.path.isdir(path):
        return path, ""
    directory, prefix = os.path.split(path)
    return directory or ".", prefix


def strip_extension(filename: str, compressed: Sequence[str] = (".gz", ".bgz")) -> str:
    """File name without its last extension (and a compression suffix before that)."""
    name = os.path.basename(filename)
    for suffix in compressed:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    stem, _ = os.path.splitext(name)
    return stem or name


def _join(directory: str, prefix: str, name: str) -> str:
    return os.path.join(directory, f"{prefix}_{name}" if prefix else name)


def _budget_bytes(write_mem_limit: float, shares: int) -> int:
    """Per-writer buffer: Selene's ``write_mem_limit`` (MB) split between the score files,
    never more than :data:`DEFAULT_FLUSH_BYTES` (results stream to temporary files)."""
    per = float(write_mem_limit) * 1e6 / max(shares, 1)
    return int(max(1.0, min(per, DEFAULT_FLUSH_BYTES)))


class ScoreOutputs:
    """The score files of one prediction call.

    Parameters
    ----------
    group
        Writers are registered in (and committed with) this group.
    save_data
        Validated, sorted score names (see :func:`~selene_sdk.predict.scores.normalize_save_data`).
    directory, prefix
        Where files go (see :func:`split_prefix`).
    output_format
        ``"tsv"`` or ``"hdf5"``.
    id_columns, features
        Column names of row labels and values.
    write_mem_limit
        Memory budget in MB for buffered results (Selene's meaning).
    ref_alt_predictions
        Variant-effect naming: ``predictions`` becomes ``.ref_predictions``/``.alt_predictions``.
    n_rows
        The number of rows, when known in advance (HDF5 datasets are then created at full
        size).
    """

    def __init__(
        self,
        group: WriterGroup,
        save_data: Sequence[str],
        directory: str,
        prefix: str,
        output_format: str,
        id_columns: Sequence[str],
        features: Sequence[str],
        write_mem_limit: float = 1500,
        ref_alt_predictions: bool = False,
        n_rows: int | None = None,
    ):
        check_output_format(output_format)
        self.n_rows = n_rows
        self.save_data = list(save_data)
        self.output_format = output_format
        self.id_columns = list(id_columns)
        self.features = list(features)
        budget = _budget_bytes(write_mem_limit, len(self.save_data) + ref_alt_predictions)
        ext = _EXT[output_format]
        self.writers: list[tuple[str, str, object]] = []  # (score, which, writer)
        for name in self.save_data:
            if name == "predictions" and ref_alt_predictions:
                base = os.path.join(directory, prefix)
                for which in ("ref", "alt"):
                    path = f"{base}.{which}_predictions.{ext}"
                    self.writers.append((name, which, group.add(self._table(path, budget))))
            else:
                path = f"{_join(directory, prefix, name)}.{ext}"
                self.writers.append((name, "score", group.add(self._table(path, budget))))
        self.labels: LinesWriter | None = None
        if output_format == "hdf5":
            path = _join(directory, prefix, "row_labels.txt")
            self.labels = group.add(LinesWriter(path, "\t".join(self.id_columns), budget))

    def _table(self, path: str, budget: int):
        if self.output_format == "tsv":
            return TsvWriter(path, self.id_columns, self.features, budget)
        return Hdf5Writer(path, len(self.features), budget, n_rows=self.n_rows)

    def write(self, ref: np.ndarray, alt: np.ndarray, labels: Sequence[str]) -> None:
        """Score a batch (``ref``/``alt`` predictions ``(B, F)``; ``ref`` may be one
        ``(1, F)`` row shared by the batch) and buffer every file's rows (each score is
        computed straight into its writer's buffer)."""
        n = len(alt)
        if alt.ndim != 2 or alt.shape[1] != len(self.features):
            raise ValueError(
                f"predictions have shape {alt.shape}; expected (rows, {len(self.features)})"
            )
        for name, which, writer in self.writers:
            rows = writer.new_rows(n, labels)
            if which == "score":
                if rows is None:
                    writer.write(SCORES[name](ref, alt), labels)
                else:
                    SCORES[name](ref, alt, out=rows)
                continue
            values = alt if which == "alt" else ref
            if rows is None:
                writer.write(np.broadcast_to(values, alt.shape), labels)
            else:
                rows[...] = values
        if self.labels is not None:
            self.labels.write_lines(labels)

    def paths(self) -> list[str]:
        """Paths of every file these outputs will produce."""
        out = [w.path for _, _, w in self.writers]
        if self.labels is not None:
            out.append(self.labels.path)
        return out
