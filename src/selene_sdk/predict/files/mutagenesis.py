"""In silico mutagenesis files: every mutation of a sequence (or of each FASTA record)
predicted by :func:`~selene_sdk.predict.mutagenesis.run_mutagenesis` and written to
``<prefix>_{abs_diffs,diffs,logits,predictions}.{tsv,h5}``."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from selene_sdk.constants import ISM_COLS, ISM_REFERENCE_LABEL
from selene_sdk.errors import InputFormatError, SeleneWarning
from selene_sdk.forward import Encode, Engine
from selene_sdk.io.atomic import Committer
from selene_sdk.io.fasta_records import count_fasta_records, fasta_record_names, iter_fasta_records
from selene_sdk.io.writers import Hdf5Writer, LinesWriter, WriterGroup
from selene_sdk.predict.files.outputs import ScoreOutputs, check_output_format, split_prefix
from selene_sdk.predict.files.summary import count, log_summary
from selene_sdk.predict.inputs import fit_sequence
from selene_sdk.predict.mutagenesis import MutagenesisGroup, MutagenesisInput, run_mutagenesis
from selene_sdk.predict.mutations import check_range, count_mutations
from selene_sdk.predict.scores import normalize_save_data
from selene_sdk.progress import progress_bar
from selene_sdk.sequences.encoding import as_codes

__all__ = ["in_silico_mutagenesis", "in_silico_mutagenesis_from_file"]


@dataclass
class _Record:
    """One sequence to mutate (already fitted to the model length), where its files go
    and how many mutations it has."""

    prefix: str
    sequence: str
    n_mutations: int | None = None
    prefixes: list[str] | None = None


_CHR = [chr(i) for i in range(256)]


def _labels(source: MutagenesisInput, pos: np.ndarray, alt: np.ndarray) -> list[str]:
    """Row labels ``pos\\tref\\talt`` (``;``-joined for several positions)."""
    record: _Record = source.payload
    sequence = record.sequence
    if pos.shape[1] == 1:
        if record.prefixes is None:  # made once per record
            record.prefixes = [f"{p}\t{c}\t" for p, c in enumerate(sequence)]
        return list(map(str.__add__, map(record.prefixes.__getitem__, pos[:, 0].tolist()),
                        map(_CHR.__getitem__, alt[:, 0].tolist())))  # fmt: skip
    out = []
    for prow, arow in zip(pos.tolist(), alt.tolist()):
        out.append(
            ";".join(map(str, prow))
            + "\t"
            + ";".join(sequence[p] for p in prow)
            + "\t"
            + ";".join(map(chr, arow))
        )
    return out


def _source(engine: Engine, record: _Record) -> MutagenesisInput:
    codes = as_codes(record.sequence)
    index, unknown = engine.alphabet.column_indices(codes[None])
    template = np.empty((1, engine.alphabet.size, len(codes)), dtype=np.float32)
    engine.encode_indices(index, template, unknown)
    return MutagenesisInput(codes, template[0], Encode(index, unknown), record)


class _IsmOutputs:
    """Consumer of ISM groups: opens a record's files at its first group (writing the
    reference row) and commits them after its last."""

    def __init__(
        self,
        save_data: Sequence[str],
        features: Sequence[str],
        output_format: str,
        write_mem_limit: float,
        bar=None,
        count_records: bool = False,
    ):
        self.committer: Committer | None = None
        self.save_data = list(save_data)
        self.features = list(features)
        self.output_format = output_format
        self.write_mem_limit = write_mem_limit
        self.bar = bar
        self.count_records = count_records
        self.paths: list[str] = []
        self.n_mutations = 0  # for the summary line
        self.n_sequences = 0
        self.group: WriterGroup | None = None
        self.outputs: ScoreOutputs | None = None
        self.base: np.ndarray | None = None

    def __call__(self, group: MutagenesisGroup, reference, mutants: np.ndarray) -> None:
        if reference is not None:
            self._open(group.source.payload, reference)
        self.outputs.write(self.base, mutants, group.labels)  # (1, F) reference, broadcast
        self.n_mutations += len(mutants)
        if self.bar is not None and not self.count_records:
            self.bar.update(len(mutants))
        if group.last:
            writers, self.group = self.group, None
            writers.__exit__(None, None, None)
            self.paths += [w.path for w in writers.writers]
            self.n_sequences += 1
            if self.bar is not None and self.count_records:
                self.bar.update(1)

    def _open(self, record: _Record, base: np.ndarray) -> None:
        if base.shape[1] != len(self.features):
            raise ValueError(
                f"the model returns {base.shape[1]} values per sequence but "
                f"{len(self.features)} features were given"
            )
        directory, prefix = split_prefix(record.prefix)
        os.makedirs(directory, exist_ok=True)
        group = WriterGroup(committer=self.committer)
        self.outputs = ScoreOutputs(
            group, self.save_data, directory, prefix, self.output_format, ISM_COLS,
            self.features, self.write_mem_limit, n_rows=record.n_mutations,
        )  # fmt: skip
        if "predictions" in self.save_data:
            if self.output_format == "tsv":
                for name, _, writer in self.outputs.writers:
                    if name == "predictions":
                        writer.write(base, ["\t".join([ISM_REFERENCE_LABEL, "NA", "NA"])])
            else:
                stem = f"{prefix}_ref" if prefix else "ref"
                ref_h5 = Hdf5Writer(
                    os.path.join(directory, f"{stem}_predictions.h5"), len(base[0]), n_rows=1
                )
                group.add(ref_h5).write(base)
                labels = LinesWriter(os.path.join(directory, f"{stem}_row_labels.txt"), "name")
                group.add(labels).write_lines([ISM_REFERENCE_LABEL])
        group.__enter__()
        self.group = group
        self.base = base

    def abort(self, exc: BaseException) -> None:
        if self.group is not None:
            self.group.__exit__(type(exc), exc, exc.__traceback__)
            self.group = None


def _run(
    engine: Engine,
    records: Iterable[_Record],
    outputs: _IsmOutputs,
    mutate_n_bases: int,
    start: int,
    end: int,
    background: bool | None,
    fast: bool = False,
) -> list[str]:
    sources = (_source(engine, record) for record in records)
    # Each record's files are synced and renamed in the background while the model runs
    # on the next record; all are in place (or the error raised) before returning.
    with Committer() as committer:
        outputs.committer = committer
        try:
            run_mutagenesis(
                engine, sources, outputs, mutate_n_bases, start, end, _labels, background, fast
            )
        except BaseException as exc:
            outputs.abort(exc)
            raise
    return outputs.paths


def _summary(what: str, outputs: _IsmOutputs, seconds: float) -> None:
    head = (
        f"{what}: {count(outputs.n_sequences, 'sequence')}, "
        f"{count(outputs.n_mutations, 'mutation')}"
    )
    log_summary(head, outputs.paths, seconds, outputs.n_mutations, "mutation")


def _prepare(save_data, output_format, sequence_length, start_position, end_position, n):
    check_output_format(output_format)
    save_data = normalize_save_data(save_data)
    if isinstance(end_position, str) and end_position.strip().lower() in ("none", "null", ""):
        end_position = None  # Selene's documented YAML example writes `end_position: None`
    for name, value in (("start_position", start_position), ("end_position", end_position)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{name} must be an integer, got {value!r}")
    end = sequence_length if end_position is None else end_position
    check_range(sequence_length, n, start_position, end, what="model's sequence_length")
    return save_data, end


def in_silico_mutagenesis(
    engine: Engine,
    sequence: str,
    save_data: Sequence[str],
    features: Sequence[str],
    sequence_length: int,
    output_path_prefix: str | os.PathLike = "ism",
    mutate_n_bases: int = 1,
    output_format: str = "tsv",
    start_position: int = 0,
    end_position: int | None = None,
    write_mem_limit: float = 1500,
    background: bool | None = None,
    fast: bool = False,
) -> list[str]:
    """ISM of one sequence (padded or centre-truncated to the model length, upper-cased);
    ``fast``: fast ISM where the model allows it (see
    :func:`~selene_sdk.predict.mutagenesis.run_mutagenesis`).

    See :meth:`selene_sdk.predict.AnalyzeSequences.in_silico_mutagenesis` for the files.
    """
    started = time.perf_counter()
    save_data, end = _prepare(
        save_data, output_format, sequence_length, start_position, end_position, mutate_n_bases
    )
    fitted = _fit(sequence, sequence_length, engine.alphabet.unknown, "the sequence")
    letters = engine.alphabet.letters
    total = count_mutations(fitted, letters, mutate_n_bases, start_position, end)
    with progress_bar(total, "mutation", "ISM") as bar:
        outputs = _IsmOutputs(save_data, features, output_format, write_mem_limit, bar)
        record = _Record(os.fspath(output_path_prefix), fitted, total)
        written = _run(
            engine, [record], outputs, mutate_n_bases, start_position, end, background, fast
        )
    _summary("ISM", outputs, time.perf_counter() - started)
    return written


def _fit(sequence: str, length: int, unknown: str, what: str) -> str:
    if len(sequence) != length:
        action = f"padded with {unknown}" if len(sequence) < length else "centre-truncated"
        warnings.warn(
            f"{what} has length {len(sequence)}, the model takes {length}: {action}",
            SeleneWarning,
            stacklevel=3,
        )
    return fit_sequence(sequence, length, unknown)


def _check_unique_names(input_path) -> None:
    names: set[str] = set()
    for dup in fasta_record_names(input_path):
        if dup not in names:
            names.add(dup)
            continue
        raise InputFormatError(
            input_path,
            f"record name {dup!r} appears twice, so its outputs would overwrite the first "
            "ones; rename it or set use_sequence_name: False",
        )


def in_silico_mutagenesis_from_file(
    engine: Engine,
    input_path: str | os.PathLike,
    save_data: Sequence[str],
    features: Sequence[str],
    sequence_length: int,
    output_dir: str | os.PathLike,
    mutate_n_bases: int = 1,
    use_sequence_name: bool = True,
    output_format: str = "tsv",
    start_position: int = 0,
    end_position: int | None = None,
    write_mem_limit: float = 1500,
    background: bool | None = None,
    part: range | None = None,
    fast: bool = False,
) -> list[str]:
    """ISM of every record of a FASTA file; outputs are prefixed by the record name
    (``use_sequence_name``) or its 0-based index. ``part``: only the records with these
    0-based indices (one rank's share under torchrun); ``fast``: fast ISM where the model
    allows it."""
    started = time.perf_counter()
    save_data, end = _prepare(
        save_data, output_format, sequence_length, start_position, end_position, mutate_n_bases
    )
    if output_dir is None:
        raise ValueError("in_silico_mutagenesis_from_file needs an output_dir")
    output_dir = os.fspath(output_dir)
    if use_sequence_name:
        _check_unique_names(input_path)
    total = lambda: count_fasta_records(input_path)  # noqa: E731 - only for a visible bar
    os.makedirs(output_dir, exist_ok=True)
    unknown = engine.alphabet.unknown
    letters = engine.alphabet.letters
    seen: set[str] = set()
    resized = [0]

    def records() -> Iterator[_Record]:
        for index, (name, seq) in enumerate(iter_fasta_records(input_path)):
            label = name if use_sequence_name else str(index)
            if label in seen:
                raise InputFormatError(
                    input_path,
                    f"record name {name!r} appears twice, so its outputs would overwrite the "
                    "first ones; rename it or set use_sequence_name: False",
                )
            seen.add(label)
            if part is not None and index not in part:
                continue
            resized[0] += len(seq) != sequence_length
            fitted = fit_sequence(seq, sequence_length, unknown)
            n = count_mutations(fitted, letters, mutate_n_bases, start_position, end)
            yield _Record(os.path.join(output_dir, label), fitted, n)

    name = os.path.basename(os.fspath(input_path))
    with progress_bar(total, "sequence", f"ISM {name}") as bar:
        outputs = _IsmOutputs(save_data, features, output_format, write_mem_limit, bar, True)
        written = _run(
            engine, records(), outputs, mutate_n_bases, start_position, end, background, fast
        )
    _summary(f"ISM {name}", outputs, time.perf_counter() - started)
    if not seen:
        warnings.warn(
            f"{input_path}: no FASTA records; nothing to mutate", SeleneWarning, stacklevel=2
        )
    if resized[0]:
        warnings.warn(
            f"{input_path}: {resized[0]} record(s) differ from the model length {sequence_length} "
            f"and were padded with {unknown} or centre-truncated",
            SeleneWarning,
            stacklevel=2,
        )
    return written
