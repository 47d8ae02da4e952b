"""Selene's result handlers (``selene_sdk.predict.predict_handlers``) as thin adapters over
:mod:`selene_sdk.io.writers` and :mod:`selene_sdk.predict.scores`.

The prediction functions of this package use the writers directly; these classes exist so
code written against Selene's handler API keeps working.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from selene_sdk.io.numfmt import format_rows
from selene_sdk.io.writers import DEFAULT_FLUSH_BYTES, Hdf5Writer, LinesWriter, TsvWriter
from selene_sdk.predict.files.outputs import check_output_format, split_prefix
from selene_sdk.predict.scores import SCORES

__all__ = [
    "AbsDiffScoreHandler",
    "DiffScoreHandler",
    "LogitScoreHandler",
    "PredictionsHandler",
    "WritePredictionsHandler",
    "WriteRefAltHandler",
    "probabilities_to_string",
    "write_to_hdf5_file",
    "write_to_tsv_file",
]


def _label(ids: Any) -> str:
    if isinstance(ids, str):
        return ids
    return "\t".join(str(x) for x in ids)


def probabilities_to_string(probabilities: Sequence[float]) -> str:
    """Tab-joined ``"%.2e"`` values."""
    return format_rows(np.asarray(probabilities, dtype=np.float64).reshape(1, -1))[0]


def write_to_tsv_file(
    data_across_features: np.ndarray, info_cols: Sequence[Any], output_filepath: str
) -> None:
    """Append rows ``<ids>\\t<values>`` to a TSV file."""
    rows = format_rows(np.asarray(data_across_features).reshape(len(info_cols), -1))
    with open(output_filepath, "a", encoding="utf-8") as handle:
        handle.write("".join(f"{_label(i)}\t{r}\n" for i, r in zip(info_cols, rows)))


def write_to_hdf5_file(
    data_across_features: np.ndarray,
    info_cols: Sequence[Any],
    hdf5_filepath: str,
    start_index: int,
    info_filepath: str | None = None,
) -> int:
    """Write rows into dataset ``data`` of an existing HDF5 file from ``start_index``
    (appending the ids to ``info_filepath`` if given); returns the next start index."""
    import h5py

    data = np.asarray(data_across_features, dtype=np.float64)
    with h5py.File(hdf5_filepath, "a") as handle:
        dataset = handle["data"]
        end = start_index + len(data)
        if end > dataset.shape[0]:
            dataset.resize(end, axis=0)
        dataset[start_index:end] = data
    if info_filepath is not None:
        with open(info_filepath, "a", encoding="utf-8") as handle:
            handle.write("".join(_label(i) + "\n" for i in info_cols))
    return end


class PredictionsHandler:
    """Base handler: buffers ``(values, ids)`` and writes ``<prefix>_<name>.{tsv,h5}``.

    Parameters
    ----------
    features
        Feature names (value columns).
    columns_for_ids
        Names of the id columns.
    output_path_prefix
        ``<dir>/<prefix>``; an existing directory means files inside it without prefix.
    output_format
        ``"tsv"`` or ``"hdf5"``.
    output_size
        Number of rows; required for ``"hdf5"`` (as in Selene), used as a size hint.
    write_mem_limit
        Memory budget (MB) before buffered rows are appended to the file.
    write_labels
        For HDF5, also write ``<prefix>_row_labels.txt``.
    """

    name = "predictions"
    needs_base_pred = False

    def __init__(
        self,
        features: Sequence[str],
        columns_for_ids: Sequence[str],
        output_path_prefix: str,
        output_format: str,
        output_size: int | None = None,
        write_mem_limit: float = 1500,
        write_labels: bool = True,
    ):
        check_output_format(output_format)
        if output_format == "hdf5" and output_size is None:
            raise ValueError("output_size is required for output_format='hdf5'")
        self.features = list(features)
        self.columns_for_ids = list(columns_for_ids)
        self.output_format = output_format
        self.output_size = output_size
        budget = int(min(float(write_mem_limit) * 1e6, DEFAULT_FLUSH_BYTES))
        directory, prefix = split_prefix(output_path_prefix)
        stem = f"{prefix}_{self.name}" if prefix else self.name
        ext = "tsv" if output_format == "tsv" else "h5"
        self.output_path = os.path.join(directory, f"{stem}.{ext}")
        self._labels: LinesWriter | None = None
        if output_format == "tsv":
            self._writer: Any = TsvWriter(self.output_path, columns_for_ids, features, budget)
        else:
            self._writer = Hdf5Writer(self.output_path, len(features), budget)
            if write_labels:
                base = prefix
                for suffix in (".ref", ".alt"):
                    if base.endswith(suffix):
                        base = base[: -len(suffix)]
                labels = f"{base}_row_labels.txt" if base else "row_labels.txt"
                self._labels = LinesWriter(
                    os.path.join(directory, labels), "\t".join(columns_for_ids), budget
                )
                self._labels.open()
        self._writer.open()

    def _values(self, batch_predictions: np.ndarray, baseline: np.ndarray | None) -> np.ndarray:
        return SCORES[self.name](baseline, batch_predictions)

    def handle_batch_predictions(
        self,
        batch_predictions: np.ndarray,
        batch_ids: Sequence[Any],
        baseline_predictions: np.ndarray | None = None,
    ) -> None:
        """Buffer one batch: values ``(B, F)`` and ``B`` id tuples."""
        if self.needs_base_pred and baseline_predictions is None:
            raise ValueError(f"{type(self).__name__} needs the baseline (reference) predictions")
        values = self._values(np.asarray(batch_predictions), baseline_predictions)
        labels = [_label(i) for i in batch_ids]
        self._writer.write(values, labels)
        if self._labels is not None:
            self._labels.write_lines(labels)

    def write_to_file(self) -> None:
        """Write everything and move the files into place."""
        self._writer.close()
        if self._labels is not None:
            self._labels.close()


class WritePredictionsHandler(PredictionsHandler):
    """Writes the predictions themselves (``<prefix>_predictions.*``)."""

    name = "predictions"

    def _values(self, batch_predictions, baseline):
        return batch_predictions


class DiffScoreHandler(PredictionsHandler):
    """``alt - ref`` (``<prefix>_diffs.*``)."""

    name = "diffs"
    needs_base_pred = True


class AbsDiffScoreHandler(PredictionsHandler):
    """``|ref - alt|`` (``<prefix>_abs_diffs.*``)."""

    name = "abs_diffs"
    needs_base_pred = True


class LogitScoreHandler(PredictionsHandler):
    """``logit(alt) - logit(ref)`` (``<prefix>_logits.*``); clips into copies."""

    name = "logits"
    needs_base_pred = True


class WriteRefAltHandler:
    """Variant-effect predictions: ``<prefix>.ref_predictions.*`` and
    ``<prefix>.alt_predictions.*``."""

    needs_base_pred = True

    def __init__(
        self,
        features: Sequence[str],
        columns_for_ids: Sequence[str],
        output_path_prefix: str,
        output_format: str,
        output_size: int | None = None,
        write_mem_limit: float = 1500,
        write_labels: bool = True,
    ):
        half = float(write_mem_limit) / 2
        args = (features, columns_for_ids)
        self.ref_writer = WritePredictionsHandler(
            *args, f"{output_path_prefix}.ref", output_format, output_size, half, write_labels
        )
        self.alt_writer = WritePredictionsHandler(
            *args, f"{output_path_prefix}.alt", output_format, output_size, half, False
        )

    def handle_batch_predictions(
        self,
        batch_predictions: np.ndarray,
        batch_ids: Sequence[Any],
        base_predictions: np.ndarray | None = None,
    ) -> None:
        """Buffer alternative (``batch_predictions``) and reference predictions."""
        if base_predictions is None:
            raise ValueError("WriteRefAltHandler needs the reference predictions")
        self.ref_writer.handle_batch_predictions(base_predictions, batch_ids)
        self.alt_writer.handle_batch_predictions(batch_predictions, batch_ids)

    def write_to_file(self) -> None:
        """Write both files."""
        self.ref_writer.write_to_file()
        self.alt_writer.write_to_file()
