"""Prediction files: a FASTA file's records, or windows centred on a BED file's intervals,
streamed through :func:`~selene_sdk.predict.prediction.run_predictions` into
``<name>_predictions.{tsv,h5}`` (and ``<name>.NA`` for BED lines that cannot be used)."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterator, Sequence

import numpy as np

from selene_sdk.constants import BED_COLS, FASTA_COLS
from selene_sdk.errors import SeleneWarning, check_column_index, require_file
from selene_sdk.forward import Encode, Engine
from selene_sdk.io.bed import IntervalRows, read_intervals
from selene_sdk.io.fasta_records import count_fasta_records, iter_fasta_records
from selene_sdk.io.writers import LinesWriter, WriterGroup
from selene_sdk.predict.files.outputs import ScoreOutputs, check_output_format, strip_extension
from selene_sdk.predict.files.summary import count, log_summary
from selene_sdk.predict.inputs import CentredWindows, ChromMatcher, fit_codes, fit_sequence
from selene_sdk.predict.prediction import PredictionBatch, run_predictions
from selene_sdk.progress import progress_bar
from selene_sdk.sequences.encoding import as_codes

__all__ = ["predict_bed", "predict_fasta", "predict_sequence"]


def predict_sequence(engine: Engine, sequence: str, sequence_length: int) -> np.ndarray:
    """Predictions ``(1, F)`` for one sequence string (padded/centre-truncated to ``L``)."""
    codes = as_codes(fit_sequence(sequence, sequence_length, engine.alphabet.unknown))
    with engine.path.inference():
        x = engine.encode(codes[None])
        try:
            return engine.predict(x)
        finally:
            engine.release(x)


def _write_predictions(
    engine: Engine,
    batches: Iterator[PredictionBatch],
    outputs: ScoreOutputs,
    na: LinesWriter | None,
    bar,
    background: bool | None,
) -> int:
    """Run the batches (payload: ``(labels, na_lines, n_lines)``) into the outputs; return
    the number of rows predicted."""
    rows = [0]

    def consume(batch: PredictionBatch, pred: np.ndarray | None) -> None:
        labels, na_lines, n_lines = batch.payload
        if na is not None:
            na.write_lines(na_lines)
        if pred is not None:
            if pred.shape[1] != len(outputs.features):
                raise ValueError(
                    f"the model returns {pred.shape[1]} values per sequence but "
                    f"{len(outputs.features)} features were given"
                )
            outputs.write(pred, pred, labels)
            rows[0] += len(pred)
        bar.update(n_lines or len(labels))

    run_predictions(engine, batches, consume, background=background)
    return rows[0]


def _resized_warning(path: str, count: int, length: int, unknown: str) -> None:
    if count:
        warnings.warn(
            f"{path}: {count} record(s) differ from the model length {length} and were "
            f"padded with {unknown} or centre-truncated",
            SeleneWarning,
            stacklevel=4,
        )


def predict_fasta(
    engine: Engine,
    input_path: str | os.PathLike,
    features: Sequence[str],
    sequence_length: int,
    output_dir: str | os.PathLike,
    output_format: str = "tsv",
    write_mem_limit: float = 1500,
    background: bool | None = None,
    part: range | None = None,
) -> list[str]:
    """Predict every record of a FASTA file -> ``<output_dir>/<name>_predictions.*``.

    Row labels are ``index`` (0-based record number) and ``name`` (first header word).
    Records are encoded with the engine's alphabet (DNA, protein, ...), padded with its
    unknown letter or centre-truncated to ``sequence_length``. ``part``: only the records
    with these 0-based indices (one rank's share under torchrun).
    """
    input_path = require_file(input_path, "FASTA file")
    check_output_format(output_format)
    started = time.perf_counter()
    output_dir = os.fspath(output_dir)
    os.makedirs(output_dir, exist_ok=True)
    prefix = strip_extension(input_path)
    group = WriterGroup()
    outputs = ScoreOutputs(
        group, ["predictions"], output_dir, prefix, output_format, FASTA_COLS, features,
        write_mem_limit,
    )  # fmt: skip
    fill = ord(engine.alphabet.unknown)
    resized = [0]

    def batch(codes: list[bytes], labels: list[str]) -> PredictionBatch:
        joined = np.frombuffer(b"".join(codes), dtype=np.uint8)
        step = Encode(codes=joined.reshape(len(codes), sequence_length))
        return PredictionBatch([step], (labels, (), 0))

    def batches() -> Iterator[PredictionBatch]:
        # sequences are kept as bytes and joined once per batch (no array per record)
        codes: list[bytes] = []
        labels: list[str] = []
        for index, (name, seq) in enumerate(iter_fasta_records(input_path)):
            if part is not None and index not in part:
                if index >= part.stop:
                    break
                continue
            raw = seq.encode("ascii", errors="replace")
            if len(raw) != sequence_length:
                resized[0] += 1
                raw = fit_codes(as_codes(raw), sequence_length, fill).tobytes()
            codes.append(raw)
            labels.append(f"{index}\t{name}")
            if len(codes) == engine.batch_size:
                yield batch(codes, labels)
                codes, labels = [], []
        if codes:
            yield batch(codes, labels)

    total = lambda: count_fasta_records(input_path)  # noqa: E731 - only for a visible bar
    with group, progress_bar(total, "sequence", os.path.basename(input_path)) as bar:
        rows = _write_predictions(engine, batches(), outputs, None, bar, background)
    name = os.path.basename(input_path)
    paths = outputs.paths()
    seconds = time.perf_counter() - started
    log_summary(f"{name}: {count(rows, 'sequence')} predicted", paths, seconds, rows, "sequence")
    if rows == 0:
        warnings.warn(
            f"{input_path}: no FASTA records; wrote empty outputs", SeleneWarning, stacklevel=3
        )
    _resized_warning(input_path, resized[0], sequence_length, engine.alphabet.unknown)
    return paths


def predict_bed(
    engine: Engine,
    genome,
    input_path: str | os.PathLike,
    features: Sequence[str],
    sequence_length: int,
    output_dir: str | os.PathLike,
    output_format: str = "tsv",
    strand_index: int | None = None,
    write_mem_limit: float = 1500,
    background: bool | None = None,
    part: range | None = None,
) -> list[str]:
    """Predict windows of length ``L`` centred on each BED interval.

    The window is ``[mid - start_radius, mid + end_radius)`` with ``mid = start +
    (end - start) // 2``; a line that is malformed, on an unknown chromosome or whose
    window leaves the chromosome (or overlaps the blacklist) goes to ``<prefix>.NA``
    with the reason (see :func:`selene_sdk.io.bed.read_intervals`). Row labels: ``index``
    (0-based line number), ``chrom``, ``start``, ``end``, ``strand``, ``contains_unk``.
    ``part``: only these 0-based line indices (one rank's share under torchrun).
    """
    input_path = require_file(input_path, "BED file")
    check_output_format(output_format)
    started = time.perf_counter()
    strand_index = check_column_index(strand_index)
    output_dir = os.fspath(output_dir)
    os.makedirs(output_dir, exist_ok=True)
    prefix = strip_extension(input_path)
    windows = CentredWindows(genome, sequence_length)
    group = WriterGroup()
    outputs = ScoreOutputs(
        group, ["predictions"], output_dir, prefix, output_format, BED_COLS, features,
        write_mem_limit,
    )  # fmt: skip
    na = group.add(LinesWriter(os.path.join(output_dir, f"{prefix}.NA")))
    stats = {"rows": 0, "rejected": 0, "unk": 0, "short_strand": 0}
    alphabet = engine.alphabet

    def batch(rows: IntervalRows) -> PredictionBatch:
        if not len(rows):
            return PredictionBatch([], ([], rows.na_lines, rows.n_lines))
        codes = genome.get_codes_batch(
            rows.chroms, windows.starts(rows.starts, rows.ends), sequence_length, rows.strands
        )
        # one translation gives both the unknown-base flags and the encoder's input
        columns, any_unknown = alphabet.column_indices(codes)
        unk = alphabet.rows_with_unknown(columns, any_unknown)
        stats["unk"] += int(unk.sum())
        labels = [
            f"{i}\t{c}\t{s}\t{e}\t{st}\t{u}"
            for i, c, s, e, st, u in zip(*rows.columns(), unk.tolist())
        ]
        payload = (labels, rows.na_lines, rows.n_lines)
        return PredictionBatch([Encode(columns, any_unknown)], payload)

    def batches() -> Iterator[PredictionBatch]:
        size = engine.batch_size
        pending = IntervalRows()
        blocks = read_intervals(
            input_path, ChromMatcher(genome.get_chrs()), strand_index, windows, lines=part
        )
        for block in blocks:
            stats["rejected"] += len(block.na_lines)
            stats["short_strand"] += block.short_strand
            for mine, theirs in zip(pending.columns(), block.columns()):
                mine += theirs
            pending.na_lines += block.na_lines
            pending.n_lines += block.n_lines
            done = 0
            while len(pending) - done >= size:
                rows = IntervalRows(
                    *(c[done : done + size] for c in pending.columns()),
                    na_lines=pending.na_lines, n_lines=pending.n_lines,
                )  # fmt: skip
                yield batch(rows)
                done += size
                pending.na_lines, pending.n_lines = [], 0
            if done:  # the rest waits for the next block (one copy per block)
                rest = IntervalRows(*(c[done:] for c in pending.columns()))
                rest.na_lines, rest.n_lines = pending.na_lines, pending.n_lines
                pending = rest
        if len(pending) or pending.na_lines or pending.n_lines:
            yield batch(pending)

    with group, progress_bar(None, "interval", os.path.basename(input_path)) as bar:
        stats["rows"] = _write_predictions(engine, batches(), outputs, na, bar, background)
    paths = [*outputs.paths(), na.path]
    head = f"{os.path.basename(input_path)}: {count(stats['rows'], 'interval')} predicted"
    if stats["rejected"]:
        head += f", {count(stats['rejected'], 'line')} to {os.path.basename(na.path)}"
    seconds = time.perf_counter() - started
    log_summary(head, paths, seconds, stats["rows"], "interval")
    _bed_warnings(input_path, prefix, strand_index, stats)
    return paths


def _bed_warnings(input_path: str, prefix: str, strand_index, stats: dict[str, int]) -> None:
    if stats["rows"] == 0:
        warnings.warn(
            f"{input_path}: no intervals could be predicted; wrote empty outputs",
            SeleneWarning,
            stacklevel=4,
        )
    if stats["rejected"]:
        warnings.warn(
            f"{input_path}: {stats['rejected']} line(s) written to {prefix}.NA with the reason",
            SeleneWarning,
            stacklevel=4,
        )
    if stats["short_strand"]:
        warnings.warn(
            f"{input_path}: strand_index={strand_index} is beyond the columns of "
            f"{stats['short_strand']} line(s); their strand was taken as '.'",
            SeleneWarning,
            stacklevel=4,
        )
    if stats["unk"]:
        warnings.warn(
            f"{input_path}: {stats['unk']} window(s) contain unknown bases (contains_unk=True)",
            SeleneWarning,
            stacklevel=4,
        )
