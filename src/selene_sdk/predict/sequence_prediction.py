"""Predictions for sequences: a raw string, the records of a FASTA file, or windows centred
on the intervals of a BED file."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice

import numpy as np

from selene_sdk.errors import SeleneWarning, check_column_index, require_file
from selene_sdk.io.bed import open_text
from selene_sdk.io.fasta_records import count_fasta_records, iter_fasta_records
from selene_sdk.io.writers import LinesWriter, WriterGroup
from selene_sdk.predict.inputs import (
    ChromMatcher,
    fit_codes,
    fit_sequence,
    window_radii,
    window_rejection,
)
from selene_sdk.predict.outputs import ScoreOutputs, check_output_format, strip_extension
from selene_sdk.predict.runner import ModelRunner, progress_bar
from selene_sdk.sequences.encoding import as_codes

__all__ = [
    "BED_COLS",
    "FASTA_COLS",
    "predict_bed",
    "predict_fasta",
    "predict_sequence",
]

FASTA_COLS: list[str] = ["index", "name"]
BED_COLS: list[str] = ["index", "chrom", "start", "end", "strand", "contains_unk"]
_BED_HEADERS = ("#", "track", "browser")
_STRANDS = frozenset(("+", "-", "."))
#: BED lines read and checked together; a block with any line that is not a plain usable
#: interval is parsed line by line instead (which also gives the reasons).
BED_BLOCK_LINES = 512


@dataclass
class _Batch:
    x: np.ndarray
    labels: list[str]
    na_lines: list[str] = field(default_factory=list)
    n_lines: int = 0

    def inputs(self) -> list[np.ndarray]:
        return [self.x] if len(self.x) else []


def predict_sequence(runner: ModelRunner, sequence: str, sequence_length: int) -> np.ndarray:
    """Predictions ``(1, F)`` for one sequence string (padded/centre-truncated to ``L``)."""
    codes = as_codes(fit_sequence(sequence, sequence_length))
    return runner.predict(runner.encode(codes[None]))


def _write_predictions(
    runner: ModelRunner,
    batches: Iterator[_Batch],
    outputs: ScoreOutputs,
    na: LinesWriter | None,
    bar,
    background: bool | None,
) -> int:
    rows = [0]

    def consume(batch: _Batch, preds: list[np.ndarray]) -> None:
        if na is not None:
            na.write_lines(batch.na_lines)
        if preds:
            (pred,) = preds
            if pred.shape[1] != len(outputs.features):
                raise ValueError(
                    f"the model returns {pred.shape[1]} values per sequence but "
                    f"{len(outputs.features)} features were given"
                )
            outputs.write(pred, pred, batch.labels)
            rows[0] += len(pred)
        bar.update(batch.n_lines or len(batch.labels))

    runner.run(batches, _Batch.inputs, consume, background=background)
    return rows[0]


def predict_fasta(
    runner: ModelRunner,
    input_path: str | os.PathLike,
    features: Sequence[str],
    sequence_length: int,
    output_dir: str | os.PathLike,
    output_format: str = "tsv",
    write_mem_limit: float = 1500,
    background: bool | None = None,
) -> list[str]:
    """Predict every record of a FASTA file -> ``<output_dir>/<name>_predictions.*``.

    Row labels are ``index`` (0-based record number) and ``name`` (first header word).
    """
    input_path = require_file(input_path, "FASTA file")
    check_output_format(output_format)
    output_dir = os.fspath(output_dir)
    os.makedirs(output_dir, exist_ok=True)
    prefix = strip_extension(input_path)
    group = WriterGroup()
    outputs = ScoreOutputs(
        group, ["predictions"], output_dir, prefix, output_format, FASTA_COLS, features,
        write_mem_limit,
    )  # fmt: skip
    resized = [0]

    def encoded(codes: list[bytes]) -> np.ndarray:
        joined = np.frombuffer(b"".join(codes), dtype=np.uint8)
        return runner.encode(joined.reshape(len(codes), sequence_length))

    def batches() -> Iterator[_Batch]:
        # sequences are kept as bytes and joined once per batch (no array per record)
        codes: list[bytes] = []
        labels: list[str] = []
        for index, (name, seq) in enumerate(iter_fasta_records(input_path)):
            raw = seq.encode("ascii", errors="replace")
            if len(raw) != sequence_length:
                resized[0] += 1
                raw = fit_codes(as_codes(raw), sequence_length).tobytes()
            codes.append(raw)
            labels.append(f"{index}\t{name}")
            if len(codes) == runner.batch_size:
                yield _Batch(encoded(codes), labels)
                codes, labels = [], []
        if codes:
            yield _Batch(encoded(codes), labels)

    total = lambda: count_fasta_records(input_path)  # noqa: E731 - only for a visible bar
    with group, progress_bar(total, "sequence", os.path.basename(input_path)) as bar:
        rows = _write_predictions(runner, batches(), outputs, None, bar, background)
    if rows == 0:
        warnings.warn(
            f"{input_path}: no FASTA records; wrote empty outputs", SeleneWarning, stacklevel=3
        )
    if resized[0]:
        warnings.warn(
            f"{input_path}: {resized[0]} record(s) differ from the model length "
            f"{sequence_length} and were padded with N or centre-truncated",
            SeleneWarning,
            stacklevel=3,
        )
    return outputs.paths()


def _bed_strand(fields: list[str], strand_index: int | None) -> str | None:
    if strand_index is None or strand_index >= len(fields):
        return "."
    value = fields[strand_index].strip()
    return value if value in _STRANDS else None


def predict_bed(
    runner: ModelRunner,
    genome,
    input_path: str | os.PathLike,
    features: Sequence[str],
    sequence_length: int,
    output_dir: str | os.PathLike,
    output_format: str = "tsv",
    strand_index: int | None = None,
    write_mem_limit: float = 1500,
    background: bool | None = None,
) -> list[str]:
    """Predict windows of length ``L`` centred on each BED interval.

    The window is ``[mid - start_radius, mid + end_radius)`` with ``mid = start +
    (end - start) // 2``; a line that is malformed, on an unknown chromosome or whose
    window leaves the chromosome (or overlaps the blacklist) goes to ``<prefix>.NA``
    with the reason. Row labels: ``index`` (0-based line number), ``chrom``, ``start``,
    ``end``, ``strand``, ``contains_unk``.
    """
    input_path = require_file(input_path, "BED file")
    check_output_format(output_format)
    strand_index = check_column_index(strand_index)
    if genome is None or isinstance(genome, type):
        raise ValueError("predictions for a BED file need a Genome instance as reference_sequence")
    output_dir = os.fspath(output_dir)
    os.makedirs(output_dir, exist_ok=True)
    prefix = strip_extension(input_path)
    start_radius, _ = window_radii(sequence_length)
    match = ChromMatcher(genome.get_chrs())
    lengths = genome.len_chrs
    group = WriterGroup()
    outputs = ScoreOutputs(
        group, ["predictions"], output_dir, prefix, output_format, BED_COLS, features,
        write_mem_limit,
    )  # fmt: skip
    na = group.add(LinesWriter(os.path.join(output_dir, f"{prefix}.NA")))
    stats = {"rows": 0, "rejected": 0, "unk": 0, "short_strand": 0}

    def parse(index: int, text: str) -> tuple[tuple, str | None]:
        fields = text.split("\t")
        if len(fields) < 3:
            return (), "fewer than 3 tab-separated columns"
        chrom_in, start_text, end_text = fields[0], fields[1].strip(), fields[2].strip()
        # isdecimal, not isdigit: int() rejects digits such as superscripts
        if not (start_text.isdecimal() and end_text.isdecimal()):
            return (), f"start {start_text!r} / end {end_text!r} are not non-negative integers"
        start, end = int(start_text), int(end_text)
        if end < start:
            return (), f"end {end} is before start {start}"
        chrom = match(chrom_in)
        if chrom is None:
            return (), f"chromosome {chrom_in!r} is not in the reference FASTA"
        if strand_index is not None and strand_index >= len(fields):
            stats["short_strand"] += 1
        strand = _bed_strand(fields, strand_index)
        if strand is None:
            return (), f"strand {fields[strand_index]!r} is not '+', '-' or '.'"
        mid = start + (end - start) // 2
        return (index, chrom, start, end, strand, mid - start_radius), None

    def parse_lines(first: int, texts: list[str], rows: list[list], na_lines: list[str]) -> int:
        """One line at a time: rows appended to the columns ``rows``, rejected lines to
        ``na_lines`` with the reason; returns the number of data lines."""
        n_lines = 0
        for index, text in enumerate(texts, first):
            if not text.strip() or text.startswith(_BED_HEADERS):
                continue
            n_lines += 1
            row, reason = parse(index, text)
            if reason is None:
                chrom, w0 = row[1], row[5]
                if not genome.coords_in_bounds(chrom, w0, w0 + sequence_length):
                    reason = window_rejection(sequence_length, chrom, w0, lengths[chrom])
            if reason is not None:
                na_lines.append(f"{text}\t{reason}")
                stats["rejected"] += 1
                continue
            for column, value in zip(rows, row):
                column.append(value)
        return n_lines

    def plain_block(first: int, texts: list[str]) -> list[list] | None:
        """The rows (as columns) of a block of lines that are all plain usable intervals
        (digits-only start and end, known chromosome, a valid strand, window inside the
        chromosome), checked column by column; None when any line is not."""
        fields = [t.split("\t") for t in texts]
        need = 3 if strand_index is None else max(3, strand_index + 1)
        if min(map(len, fields)) < need:
            return None
        starts_text = [f[1] for f in fields]
        ends_text = [f[2] for f in fields]
        joined = "".join(starts_text) + "".join(ends_text)
        if not (joined.isascii() and joined.isdigit() and all(starts_text) and all(ends_text)):
            return None
        if max(map(len, starts_text)) > 18 or max(map(len, ends_text)) > 18:  # int64
            return None
        names = [f[0] for f in fields]
        found = {name: match(name) for name in set(names)}
        if None in found.values() or any(n.startswith(_BED_HEADERS) for n in found):
            return None
        if strand_index is None:
            strands = ["."] * len(texts)
        else:
            strands = [f[strand_index] for f in fields]
            if not _STRANDS.issuperset(strands):
                return None
        starts = np.fromiter(map(int, starts_text), np.int64, len(texts))
        ends = np.fromiter(map(int, ends_text), np.int64, len(texts))
        if (ends < starts).any():
            return None
        chroms = list(map(found.__getitem__, names))
        w0 = starts + (ends - starts) // 2 - start_radius
        if not genome.coords_in_bounds_batch(chroms, w0, w0 + sequence_length).all():
            return None
        index = list(range(first, first + len(texts)))
        return [index, chroms, starts.tolist(), ends.tolist(), strands, w0.tolist()]

    def batches() -> Iterator[_Batch]:
        rows: list[list] = [[] for _ in range(6)]  # index, chrom, start, end, strand, w0
        na_lines: list[str] = []
        n_lines = 0
        batch = runner.batch_size
        with open_text(input_path) as handle:
            first = 0
            while True:
                texts = [raw.rstrip("\r\n") for raw in islice(handle, BED_BLOCK_LINES)]
                if not texts:
                    break
                block = plain_block(first, texts)
                if block is None:
                    n_lines += parse_lines(first, texts, rows, na_lines)
                else:
                    n_lines += len(texts)
                    for column, values in zip(rows, block):
                        column += values
                first += len(texts)
                done = 0
                while len(rows[0]) - done >= batch:
                    yield _build([c[done : done + batch] for c in rows], na_lines, n_lines)
                    done += batch
                    na_lines, n_lines = [], 0
                if done:  # the rest waits for the next block (one copy per block)
                    rows = [c[done:] for c in rows]
        if rows[0] or na_lines or n_lines:
            yield _build(rows, na_lines, n_lines)

    def _build(rows: list[list], na_lines: list[str], n_lines: int) -> _Batch:
        if not rows[0]:
            empty = np.zeros((0, runner.alphabet.size, sequence_length), np.float32)
            return _Batch(empty, [], na_lines, n_lines)
        index, chroms, starts, ends, strands, w0 = rows
        codes = genome.get_codes_batch(chroms, np.array(w0), sequence_length, strands)
        # one translation gives both the unknown-base flags and the encoder's input
        columns, any_unknown = runner.alphabet.column_indices(codes)
        unk = runner.alphabet.rows_with_unknown(columns, any_unknown)
        stats["unk"] += int(unk.sum())
        labels = [
            f"{i}\t{c}\t{s}\t{e}\t{st}\t{u}"
            for i, c, s, e, st, u in zip(index, chroms, starts, ends, strands, unk.tolist())
        ]
        x = runner.encode_indices(columns, unknown=any_unknown)
        return _Batch(x, labels, na_lines, n_lines)

    with group, progress_bar(None, "interval", os.path.basename(input_path)) as bar:
        stats["rows"] = _write_predictions(runner, batches(), outputs, na, bar, background)
    if stats["rows"] == 0:
        warnings.warn(
            f"{input_path}: no intervals could be predicted; wrote empty outputs",
            SeleneWarning,
            stacklevel=3,
        )
    if stats["rejected"]:
        warnings.warn(
            f"{input_path}: {stats['rejected']} line(s) written to {prefix}.NA with the reason",
            SeleneWarning,
            stacklevel=3,
        )
    if stats["short_strand"]:
        warnings.warn(
            f"{input_path}: strand_index={strand_index} is beyond the columns of "
            f"{stats['short_strand']} line(s); their strand was taken as '.'",
            SeleneWarning,
            stacklevel=3,
        )
    if stats["unk"]:
        warnings.warn(
            f"{input_path}: {stats['unk']} window(s) contain unknown bases (contains_unk=True)",
            SeleneWarning,
            stacklevel=3,
        )
    return [*outputs.paths(), na.path]
