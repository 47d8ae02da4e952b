"""In silico mutagenesis (ISM): predictions for every substitution of one (or ``n``)
positions of a sequence, streamed in batches built from one encoded reference."""

from __future__ import annotations

import functools
import itertools
import os
import queue
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from selene_sdk.errors import InputFormatError, SeleneWarning
from selene_sdk.io.atomic import Committer
from selene_sdk.io.fasta_records import (
    count_fasta_records,
    fasta_record_names,
    iter_fasta_records,
)
from selene_sdk.io.writers import Hdf5Writer, LinesWriter, WriterGroup
from selene_sdk.predict.inputs import fit_sequence
from selene_sdk.predict.outputs import ScoreOutputs, check_output_format, split_prefix
from selene_sdk.predict.runner import ModelRunner, progress_bar
from selene_sdk.predict.scores import normalize_save_data
from selene_sdk.sequences.encoding import DNA, Alphabet, as_codes

__all__ = [
    "ISM_COLS",
    "in_silico_mutagenesis",
    "in_silico_mutagenesis_from_file",
    "in_silico_mutagenesis_sequences",
    "ism_sample_id",
    "mutate_sequence",
]

#: Row-label columns of ISM outputs.
ISM_COLS: list[str] = ["pos", "ref", "alt"]
REFERENCE_LABEL = "input_sequence"

Mutation = list[tuple[int, str]]


def _alphabet_of(reference_sequence) -> Alphabet:
    if isinstance(reference_sequence, Alphabet):
        return reference_sequence
    alphabet = getattr(reference_sequence, "ALPHABET", None)
    return alphabet if isinstance(alphabet, Alphabet) else DNA


def _check_range(
    n: int, mutate_n_bases: int, start: int, end: int | None, what: str = "sequence"
) -> int:
    end = n if end is None else end
    if isinstance(mutate_n_bases, bool) or not isinstance(mutate_n_bases, int):
        raise ValueError(f"mutate_n_bases must be an integer, got {mutate_n_bases!r}")
    if mutate_n_bases < 1:
        raise ValueError(f"mutate_n_bases must be >= 1, got {mutate_n_bases}")
    if start < 0 or end < 0:
        raise ValueError(f"start_position ({start}) and end_position ({end}) must be >= 0")
    if start >= end:
        raise ValueError(f"start_position ({start}) must be less than end_position ({end})")
    if start >= n:
        raise ValueError(f"start_position ({start}) is beyond the {what} (length {n})")
    if end > n:
        raise ValueError(f"end_position ({end}) is beyond the {what} (length {n})")
    if end - start < mutate_n_bases:
        raise ValueError(
            f"[{start}, {end}) has fewer than mutate_n_bases={mutate_n_bases} positions"
        )
    return end


def _mutation_chunks(
    codes: np.ndarray,
    letters: np.ndarray,
    mutate_n_bases: int,
    start: int,
    end: int,
    chunk: int,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Mutations in Selene's order as ``(positions (k, n), alt letter codes (k, n))``.

    Position sets are the ``n``-combinations of ``range(start, end)`` in lexicographic
    order; at each position the alternatives are the alphabet letters other than the
    reference letter (compared case-sensitively), the last position varying fastest.
    """
    if mutate_n_bases == 1:
        window = codes[start:end]
        pos, alt = np.nonzero(window[:, None] != letters[None, :])
        pos = (pos + start).reshape(-1, 1)
        alt = letters[alt].reshape(-1, 1)
        for i in range(0, len(pos), chunk):
            yield pos[i : i + chunk], alt[i : i + chunk]
        return
    choices = [letters[letters != c] for c in codes]
    buf_pos: list[tuple[int, ...]] = []
    buf_alt: list[tuple[int, ...]] = []
    for combo in itertools.combinations(range(start, end), mutate_n_bases):
        for alts in itertools.product(*(choices[p] for p in combo)):
            buf_pos.append(combo)
            buf_alt.append(alts)
            if len(buf_pos) >= chunk:
                yield np.array(buf_pos, dtype=np.int64), np.array(buf_alt, dtype=np.uint8)
                buf_pos, buf_alt = [], []
    if buf_pos:
        yield np.array(buf_pos, dtype=np.int64), np.array(buf_alt, dtype=np.uint8)


def in_silico_mutagenesis_sequences(
    sequence: str,
    mutate_n_bases: int = 1,
    reference_sequence=None,
    start_position: int = 0,
    end_position: int | None = None,
) -> list[Mutation]:
    """Every mutation of ``sequence`` as a list of ``(position, alt_letter)`` tuples.

    Parameters
    ----------
    sequence
        The sequence (its letters are compared case-sensitively with the alphabet, so a
        lower-case or unknown letter gets all alphabet letters as alternatives).
    mutate_n_bases
        Positions changed together.
    reference_sequence
        ``Genome`` (class or instance), ``Proteome`` or an ``Alphabet`` giving the letters;
        default DNA.
    start_position, end_position
        Mutate positions in ``[start_position, end_position)`` (end defaults to the length).

    Examples
    --------
    >>> in_silico_mutagenesis_sequences("AC")[:4]
    [[(0, 'C')], [(0, 'G')], [(0, 'T')], [(1, 'A')]]
    """
    end = _check_range(len(sequence), mutate_n_bases, start_position, end_position)
    letters = np.frombuffer("".join(_alphabet_of(reference_sequence).letters).encode(), np.uint8)
    out: list[Mutation] = []
    for pos, alt in _mutation_chunks(
        as_codes(sequence), letters, mutate_n_bases, start_position, end, 1 << 16
    ):
        out.extend(
            [(int(p), chr(a)) for p, a in zip(prow, arow)]
            for prow, arow in zip(pos.tolist(), alt.tolist())
        )
    return out


def mutate_sequence(
    encoding: np.ndarray, mutation_information: Sequence[tuple[int, str]], reference_sequence=None
) -> np.ndarray:
    """A copy of an ``(L, N)`` encoding with each mutated row set to its alt letter's one-hot."""
    alphabet = _alphabet_of(reference_sequence)
    out = np.array(encoding, copy=True)
    for position, alt in mutation_information:
        out[position] = alphabet.onehot_table[ord(alt)]
    return out


def ism_sample_id(
    sequence: str, mutation_information: Sequence[tuple[int, str]]
) -> tuple[str, str, str]:
    """Row labels of a mutation: ``;``-joined positions, reference letters and alt letters."""
    positions = ";".join(str(p) for p, _ in mutation_information)
    refs = ";".join(sequence[p] for p, _ in mutation_information)
    alts = ";".join(a for _, a in mutation_information)
    return positions, refs, alts


@dataclass
class _Record:
    """One sequence to mutate (already fitted to the model length), where its files go
    and how many mutations it has."""

    prefix: str
    sequence: str
    n_mutations: int | None = None


#: Mutations handled together by the Python side (labels, scores, writes): several
#: forward passes' worth, so the fixed cost of each call is paid once per group.
GROUP_ROWS = 512


@dataclass
class _IsmBatch:
    """A group of mutated copies of one record, one forward pass per ``steps`` entry (an
    array, or a function that makes it right before its pass). The first group of a record
    also carries the unmutated sequence (``base_x``), the last one closes the files."""

    record: _Record
    steps: list[Any]
    labels: list[str]
    base_x: np.ndarray | None = None
    last: bool = False
    restores: list[Callable[[], None]] = field(default_factory=list)

    def inputs(self) -> list[Any]:
        return self.steps if self.base_x is None else [self.base_x, *self.steps]

    def mutated(self, preds: list[np.ndarray]) -> np.ndarray:
        """The predictions of the mutated sequences, ``(rows, F)``."""
        blocks = preds[1:] if self.base_x is not None else preds
        return blocks[0] if len(blocks) == 1 else np.concatenate(blocks)

    def predicted(self) -> None:
        """Called once the model has seen every step: hand the buffers back for reuse."""
        restores, self.restores = self.restores, []
        for restore in restores:
            restore()


_CHR = [chr(i) for i in range(256)]


def _labels(sequence: str, pos: np.ndarray, alt: np.ndarray, prefixes=None) -> list[str]:
    """Row labels ``pos\tref\talt`` (``;``-joined for several bases); ``prefixes`` may
    hold ``f"{p}\t{sequence[p]}\t"`` for every position (made once per record)."""
    if pos.shape[1] == 1:
        if prefixes is None:
            prefixes = _label_prefixes(sequence)
        return list(map(str.__add__, map(prefixes.__getitem__, pos[:, 0].tolist()),
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


def _label_prefixes(sequence: str) -> list[str]:
    return [f"{p}\t{c}\t" for p, c in enumerate(sequence)]


def _cells(
    template: np.ndarray, pos: np.ndarray, alt: np.ndarray, table: np.ndarray, batch_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where consecutive batches of ``batch_size`` mutations go in a ``(B, N, L)`` buffer
    of copies of ``template`` ``(N, L)``: flat positions ``(cells, N)`` of every channel of
    every mutated base (mutation ``i`` in row ``i % batch_size``), their mutated one-hot
    values and the template values to set back."""
    k, n = pos.shape
    size, length = template.shape
    cols = pos.reshape(-1)
    base = np.repeat((np.arange(k) % batch_size) * (size * length), n) + cols
    flat = base[:, None] + np.arange(size) * length
    return flat, table[alt.reshape(-1)], template[:, cols].T


class _Templates:
    """``(B, N, L)`` buffers whose every row is one record's encoding, reused batch after
    batch: a batch sets its mutated cells, and once predicted they are set back. This
    touches a few cells per batch instead of copying the 1 MB template into a new batch
    each time (buffers come back from the thread that runs the model, hence the queue).
    """

    def __init__(self, runner: ModelRunner, template: np.ndarray):
        self.runner = runner
        self.template = template
        self.spare: queue.SimpleQueue[np.ndarray] = queue.SimpleQueue()
        self.closed = False
        self.lock = threading.Lock()  # close() and give_back() run in different threads

    def take(self) -> np.ndarray:
        try:
            return self.spare.get_nowait()
        except queue.Empty:
            work = self.runner.buffer((self.runner.batch_size, *self.template.shape), keep=True)
            work[...] = self.template
            return work

    def give_back(self, work: np.ndarray, flat: np.ndarray, restore: np.ndarray) -> None:
        if self.runner.modifies_inputs:
            # the model changed the buffer beyond our cells: it can only be reused as a
            # plain buffer (which is always filled completely)
            self.runner.release(work)
            return
        work.put(flat, restore)
        with self.lock:
            if self.closed:
                self.runner.release(work)
            else:
                self.spare.put(work)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            while True:
                try:
                    self.runner.release(self.spare.get_nowait())
                except queue.Empty:
                    return


class _Slot:
    """One template buffer shown as one batch after another, right before each forward
    pass: the previous batch's cells are set back and the next batch's set (by ``np.put``
    at flat positions computed with the batch), so the model always reads the same
    (cached) 1 MB buffer. For batches made in the calling thread."""

    def __init__(self, runner: ModelRunner, template: np.ndarray):
        self.runner = runner
        self.template = template
        self.work = runner.buffer((runner.batch_size, *template.shape), keep=True)
        self.work[...] = template
        self.dirty: tuple[np.ndarray, np.ndarray] | None = None

    def show(self, flat: np.ndarray, values: np.ndarray, restore: np.ndarray, k: int):
        work = self.work
        if self.runner.modifies_inputs:
            work[...] = self.template  # the model changed more than our cells
        elif self.dirty is not None:
            work.put(*self.dirty)
        work.put(flat, values)
        self.dirty = (flat, restore)
        return work if k == len(work) else work[:k]

    def close(self) -> None:
        self.runner.release(self.work)


def _batches(
    runner: ModelRunner,
    records: Iterable[_Record],
    mutate_n_bases: int,
    start: int,
    end: int,
    eager: bool = False,
) -> Iterator[_IsmBatch]:
    """Groups of mutated encodings for every record, built from one reference encoding:
    set in place in reused template buffers, ahead of time (``eager``, for a background
    thread) or right before each forward pass."""
    table = runner.alphabet.onehot_table
    letters = np.frombuffer("".join(runner.alphabet.letters).encode(), np.uint8)
    per_group = max(1, GROUP_ROWS // runner.batch_size)
    for record in records:
        codes = as_codes(record.sequence)
        base_x = runner.encode(codes[None])
        template = base_x[0].copy()  # base_x is recycled once predicted
        templates = _Templates(runner, template) if eager else None
        slot = None if eager else _Slot(runner, template)
        pending: _IsmBatch | None = None
        group: _IsmBatch | None = None
        prefixes = _label_prefixes(record.sequence) if mutate_n_bases == 1 else None
        batch = runner.batch_size
        # one chunk per group: cells and labels made once for all its batches
        for pos, alt in _mutation_chunks(
            codes, letters, mutate_n_bases, start, end, batch * per_group
        ):
            group = _IsmBatch(record, [], _labels(record.sequence, pos, alt, prefixes))
            cells = _cells(template, pos, alt, table, batch)
            n = pos.shape[1]
            for lo in range(0, len(pos), batch):
                k = min(batch, len(pos) - lo)
                flat, values, restore = (c[lo * n : (lo + k) * n] for c in cells)
                if templates is not None:
                    work = templates.take()
                    work.put(flat, values)
                    group.steps.append(work if k == len(work) else work[:k])
                    group.restores.append(
                        functools.partial(templates.give_back, work, flat, restore)
                    )
                else:
                    group.steps.append(functools.partial(slot.show, flat, values, restore, k))
            if pending is None:
                group.base_x = base_x
            else:
                yield pending
            pending, group = group, None
        if group is not None:
            if pending is None:
                group.base_x = base_x
            else:
                yield pending
            pending = group
        if pending is not None:
            pending.last = True
            yield pending
        if templates is not None:
            templates.close()
        if slot is not None:
            slot.close()


class _IsmOutputs:
    """Consumer of ISM batches: opens a record's files at its first batch (writing the
    reference row) and commits them after its last."""

    def __init__(
        self,
        save_data: Sequence[str],
        features: Sequence[str],
        output_format: str,
        write_mem_limit: float,
        bar=None,
        count_records: bool = False,
        committer: Committer | None = None,
    ):
        self.committer = committer
        self.save_data = list(save_data)
        self.features = list(features)
        self.output_format = output_format
        self.write_mem_limit = write_mem_limit
        self.bar = bar
        self.count_records = count_records
        self.paths: list[str] = []
        self.group: WriterGroup | None = None
        self.outputs: ScoreOutputs | None = None
        self.base: np.ndarray | None = None

    def __call__(self, batch: _IsmBatch, preds: list[np.ndarray]) -> None:
        if batch.base_x is not None:
            self._open(batch.record, preds[0])
        alt = batch.mutated(preds)
        self.outputs.write(self.base, alt, batch.labels)  # (1, F) reference row, broadcast
        if self.bar is not None and not self.count_records:
            self.bar.update(len(alt))
        if batch.last:
            group, self.group = self.group, None
            group.__exit__(None, None, None)
            self.paths += [w.path for w in group.writers]
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
                        writer.write(base, ["\t".join([REFERENCE_LABEL, "NA", "NA"])])
            else:
                stem = f"{prefix}_ref" if prefix else "ref"
                ref_h5 = Hdf5Writer(
                    os.path.join(directory, f"{stem}_predictions.h5"), len(base[0]), n_rows=1
                )
                group.add(ref_h5).write(base)
                labels = LinesWriter(os.path.join(directory, f"{stem}_row_labels.txt"), "name")
                group.add(labels).write_lines([REFERENCE_LABEL])
        group.__enter__()
        self.group = group
        self.base = base

    def abort(self, exc: BaseException) -> None:
        if self.group is not None:
            self.group.__exit__(type(exc), exc, exc.__traceback__)
            self.group = None


def _run(
    runner: ModelRunner,
    records: Iterable[_Record],
    outputs: _IsmOutputs,
    mutate_n_bases: int,
    start: int,
    end: int,
    background: bool | None,
) -> list[str]:
    if background is None:
        background = runner.wants_background()
    batches = _batches(runner, records, mutate_n_bases, start, end, eager=background)
    # Each record's files are synced and renamed in the background while the model runs
    # on the next record; all are in place (or the error raised) before returning.
    with Committer() as committer:
        outputs.committer = committer
        try:
            runner.run(
                batches, _IsmBatch.inputs, outputs, background=background,
                predicted=_IsmBatch.predicted,
            )  # fmt: skip
        except BaseException as exc:
            outputs.abort(exc)
            raise
    return outputs.paths


def count_mutations(sequence: str, letters: Sequence[str], n: int, start: int, end: int) -> int:
    """How many mutations :func:`in_silico_mutagenesis_sequences` would enumerate."""
    window = as_codes(sequence[start:end])
    table = np.zeros(256, dtype=np.int64)  # alternatives per letter (compared case-sensitively)
    table[:] = len(letters)
    for x in letters:
        table[ord(x)] -= 1
    alts = table[window]
    if n == 1:
        return int(alts.sum())
    # elementary symmetric polynomial of degree n of the per-position alternative counts
    # (exact Python integers: the count can exceed 64 bits)
    e = [1] + [0] * n
    for c in alts.tolist():
        for j in range(n, 0, -1):
            e[j] += e[j - 1] * c
    return e[n]


def _prepare(save_data, output_format, sequence_length, start_position, end_position, n):
    check_output_format(output_format)
    save_data = normalize_save_data(save_data)
    if isinstance(end_position, str) and end_position.strip().lower() in ("none", "null", ""):
        end_position = None  # Selene's documented YAML example writes `end_position: None`
    for name, value in (("start_position", start_position), ("end_position", end_position)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{name} must be an integer, got {value!r}")
    end = sequence_length if end_position is None else end_position
    _check_range(sequence_length, n, start_position, end, what="model's sequence_length")
    return save_data, end


def in_silico_mutagenesis(
    runner: ModelRunner,
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
) -> list[str]:
    """ISM of one sequence (padded or centre-truncated to the model length, upper-cased).

    See :meth:`selene_sdk.predict.AnalyzeSequences.in_silico_mutagenesis` for the files.
    """
    save_data, end = _prepare(
        save_data, output_format, sequence_length, start_position, end_position, mutate_n_bases
    )
    fitted = _fit(sequence, sequence_length, "the sequence")
    letters = runner.alphabet.letters
    total = count_mutations(fitted, letters, mutate_n_bases, start_position, end)
    with progress_bar(total, "mutation", "ISM") as bar:
        outputs = _IsmOutputs(save_data, features, output_format, write_mem_limit, bar)
        record = _Record(os.fspath(output_path_prefix), fitted, total)
        return _run(runner, [record], outputs, mutate_n_bases, start_position, end, background)


def _fit(sequence: str, length: int, what: str) -> str:
    if len(sequence) != length:
        action = "padded with N" if len(sequence) < length else "centre-truncated"
        warnings.warn(
            f"{what} has length {len(sequence)}, the model takes {length}: {action}",
            SeleneWarning,
            stacklevel=3,
        )
    return fit_sequence(sequence, length)


def in_silico_mutagenesis_from_file(
    runner: ModelRunner,
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
) -> list[str]:
    """ISM of every record of a FASTA file; outputs are prefixed by the record name
    (``use_sequence_name``) or its 0-based index."""
    save_data, end = _prepare(
        save_data, output_format, sequence_length, start_position, end_position, mutate_n_bases
    )
    if output_dir is None:
        raise ValueError("in_silico_mutagenesis_from_file needs an output_dir")
    output_dir = os.fspath(output_dir)
    if use_sequence_name:
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
    total = lambda: count_fasta_records(input_path)  # noqa: E731 - only for a visible bar
    os.makedirs(output_dir, exist_ok=True)
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
            resized[0] += len(seq) != sequence_length
            fitted = fit_sequence(seq, sequence_length)
            n = count_mutations(
                fitted, runner.alphabet.letters, mutate_n_bases, start_position, end
            )
            yield _Record(os.path.join(output_dir, label), fitted, n)

    name = os.path.basename(os.fspath(input_path))
    with progress_bar(total, "sequence", f"ISM {name}") as bar:
        outputs = _IsmOutputs(save_data, features, output_format, write_mem_limit, bar, True)
        written = _run(runner, records(), outputs, mutate_n_bases, start_position, end, background)
    if not seen:
        warnings.warn(
            f"{input_path}: no FASTA records; nothing to mutate", SeleneWarning, stacklevel=2
        )
    if resized[0]:
        warnings.warn(
            f"{input_path}: {resized[0]} record(s) differ from the model length {sequence_length} "
            "and were padded with N or centre-truncated",
            SeleneWarning,
            stacklevel=2,
        )
    return written
