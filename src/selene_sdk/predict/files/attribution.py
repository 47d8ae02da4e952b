"""Attribution files: the attributions of a FASTA file's records, or of the windows centred
on a BED file's intervals, with the one-hot inputs and the row labels, in one file
``<output_dir>/<input name>_attributions.{npz,h5}`` (and ``<input name>.NA`` for BED lines
that cannot be used).

Keys (arrays in ``.npz``, datasets in ``.h5``; ``N`` rows, ``T`` features, ``L`` positions,
``A`` letters):

``attributions`` ``(N, T, L, A)`` float32
    The method's attributions (:func:`~selene_sdk.interpret.attribution.attribute`).
``hypothetical`` ``(N, T, L, A)`` float32
    Hypothetical contributions of every letter (what TF-MoDISco reads).
``sequences`` ``(N, L, A)`` float32
    The inputs as the model saw them (one-hot; unknown letters ``1 / A``).
``features`` ``(T,)``, ``alphabet`` ``(A,)``, ``names`` ``(N,)``, ``label_columns``
``(C,)``, ``labels`` ``(N, C)``: strings
    Attributed features, column letters, row names (FASTA record names; ``chrom:start-end``
    for BED rows, ``chrom:start-end(-)`` on the minus strand) and the row labels of the
    prediction outputs (``index, name`` or ``index, chrom, start, end, strand,
    contains_unk``).
``method``, ``baselines``, ``n_steps``, ``n_shuffles``, ``seed``
    The settings (0-d arrays in ``.npz``, attributes of the root group in ``.h5``).

``.npz`` files are written once all rows are done (the arrays are held in memory);
``.h5`` files grow a batch at a time. Either appears only when complete (atomic rename).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from selene_sdk.constants import BED_COLS, FASTA_COLS
from selene_sdk.errors import SeleneWarning, check_column_index, require_file
from selene_sdk.io.atomic import atomic_path, atomic_write
from selene_sdk.io.bed import read_intervals
from selene_sdk.io.fasta_records import count_fasta_records, iter_fasta_records
from selene_sdk.predict.files.outputs import strip_extension
from selene_sdk.predict.files.summary import count, log_summary
from selene_sdk.predict.inputs import CentredWindows, ChromMatcher, fit_codes
from selene_sdk.progress import progress_bar
from selene_sdk.sequences.encoding import Alphabet, as_codes

__all__ = [
    "ARRAY_KEYS",
    "OUTPUT_FORMATS",
    "SETTING_KEYS",
    "AttributionSettings",
    "attribute_bed",
    "attribute_fasta",
    "output_path",
]

OUTPUT_FORMATS = ("npz", "hdf5")
#: The per-row arrays, in the order they are written.
ARRAY_KEYS = ("attributions", "hypothetical", "sequences")
SETTING_KEYS = ("method", "baselines", "n_steps", "n_shuffles", "seed")
_SUFFIX = {"npz": ".npz", "hdf5": ".h5"}


@dataclass
class AttributionSettings:
    """What to attribute and how (see ``AnalyzeSequences.attribution``)."""

    method: str
    features: list[str]
    targets: list[int]
    baselines: str = "shuffle"
    n_steps: int = 50
    n_shuffles: int = 1
    seed: int = 0
    batch_size: int = 64


@dataclass
class _Batch:
    """Consecutive rows of the input: codes ``(n, L)``, labels, names."""

    codes: np.ndarray
    labels: list[tuple[str, ...]]
    names: list[str]
    na_lines: list[str] = field(default_factory=list)
    n_lines: int = 0


def output_path(input_path: str | os.PathLike, output_dir: str | os.PathLike, fmt: str) -> str:
    """``<output_dir>/<input name without extension>_attributions.{npz,h5}``."""
    if fmt not in OUTPUT_FORMATS:
        raise ValueError(f"output_format must be one of {', '.join(OUTPUT_FORMATS)}, got {fmt!r}")
    name = f"{strip_extension(os.fspath(input_path))}_attributions{_SUFFIX[fmt]}"
    return os.path.join(os.fspath(output_dir), name)


class _Arrays:
    """The per-row arrays of one output file: kept in memory for ``.npz``, appended to a
    temporary HDF5 file for ``.h5``."""

    def __init__(self, tmp: str, fmt: str, shapes: dict[str, tuple[int, ...]]):
        self.fmt = fmt
        self.parts: dict[str, list[np.ndarray]] = {k: [] for k in shapes}
        self.rows = 0
        self.h5 = None
        if fmt == "hdf5":
            import h5py

            self.h5 = h5py.File(tmp, "w")
            for key, shape in shapes.items():
                chunk = (max(1, min(64, 2**20 // max(1, int(np.prod(shape))))), *shape)
                self.h5.create_dataset(
                    key, (0, *shape), np.float32, maxshape=(None, *shape), chunks=chunk
                )

    def append(self, values: dict[str, np.ndarray]) -> None:
        n = len(next(iter(values.values())))
        for key, value in values.items():
            if self.h5 is None:
                self.parts[key].append(value)
            else:
                data = self.h5[key]
                data.resize(self.rows + n, axis=0)
                data[self.rows :] = value
        self.rows += n

    def close(self) -> None:
        if self.h5 is not None:
            self.h5.close()
            self.h5 = None


def _strings(values: Sequence[str] | np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=str)
    return array if array.size else array.astype("<U1")


def _write(
    path: str,
    fmt: str,
    batches: Iterator[_Batch],
    run,
    alphabet: Alphabet,
    length: int,
    settings: AttributionSettings,
    columns: list[str],
    bar,
) -> tuple[int, list[str]]:
    """Attribute every batch into ``path`` (atomically); return the rows written and the
    rejected lines."""
    t = len(settings.targets)
    shapes = {
        "attributions": (t, length, alphabet.size),
        "hypothetical": (t, length, alphabet.size),
        "sequences": (length, alphabet.size),
    }
    labels: list[tuple[str, ...]] = []
    names: list[str] = []
    na_lines: list[str] = []
    with atomic_path(path, suffix=_SUFFIX[fmt]) as tmp:
        arrays = _Arrays(tmp, fmt, shapes)
        try:
            for batch in batches:
                na_lines += batch.na_lines
                if len(batch.codes):
                    x = alphabet.encode(batch.codes)
                    attributions, hypothetical = run(
                        x, settings.targets, settings.seed + len(names)
                    )
                    arrays.append(
                        {"attributions": attributions, "hypothetical": hypothetical, "sequences": x}
                    )
                    labels += batch.labels
                    names += batch.names
                bar.update(batch.n_lines or len(batch.codes))
            strings = {
                "features": _strings(settings.features),
                "alphabet": _strings(alphabet.letters),
                "names": _strings(names),
                "label_columns": _strings(columns),
                "labels": _strings(labels).reshape(len(labels), len(columns)),
            }
            meta = {k: getattr(settings, k) for k in SETTING_KEYS}
            if arrays.h5 is not None:
                import h5py

                for key, value in strings.items():
                    arrays.h5.create_dataset(
                        key, data=value.astype(object), dtype=h5py.string_dtype()
                    )
                arrays.h5.attrs.update(meta)
            else:
                stacked = {
                    k: np.concatenate(v) if v else np.zeros((0, *shapes[k]), np.float32)
                    for k, v in arrays.parts.items()
                }
                np.savez_compressed(
                    tmp, **stacked, **strings, **{k: np.asarray(v) for k, v in meta.items()}
                )
        finally:
            arrays.close()
    return len(names), na_lines


def attribute_fasta(
    run,
    alphabet: Alphabet,
    input_path: str | os.PathLike,
    sequence_length: int,
    output_dir: str | os.PathLike,
    settings: AttributionSettings,
    output_format: str = "npz",
) -> list[str]:
    """Attribute every record of a FASTA file (padded with the unknown letter or
    centre-truncated to ``sequence_length``) -> ``[output file]``.

    ``run(x, targets, seed)`` is an :func:`~selene_sdk.interpret.attribution.attributor`
    runner. Row names are the record names (first header word); labels ``index, name``.
    """
    input_path = require_file(input_path, "FASTA file")
    path = output_path(input_path, output_dir, output_format)
    started = time.perf_counter()
    fill = ord(alphabet.unknown)
    resized = [0]

    def batches() -> Iterator[_Batch]:
        codes: list[np.ndarray] = []
        labels: list[tuple[str, ...]] = []
        for index, (name, seq) in enumerate(iter_fasta_records(input_path)):
            raw = as_codes(seq.encode("ascii", errors="replace"))
            if len(raw) != sequence_length:
                resized[0] += 1
                raw = fit_codes(raw, sequence_length, fill)
            codes.append(raw)
            labels.append((str(index), name))
            if len(codes) == settings.batch_size:
                yield _Batch(np.stack(codes), labels, [n for _, n in labels])
                codes, labels = [], []
        if codes:
            yield _Batch(np.stack(codes), labels, [n for _, n in labels])

    total = lambda: count_fasta_records(input_path)  # noqa: E731 - only for a visible bar
    with progress_bar(total, "sequence", f"attribution {os.path.basename(input_path)}") as bar:
        rows, _ = _write(
            path, output_format, batches(), run, alphabet, sequence_length, settings,
            FASTA_COLS, bar,
        )  # fmt: skip
    name = os.path.basename(input_path)
    head = (
        f"attribution {name}: {count(rows, 'sequence')} x {count(len(settings.targets), 'feature')}"
    )
    log_summary(head, [path], time.perf_counter() - started, rows, "sequence")
    if rows == 0:
        warnings.warn(f"{input_path}: no FASTA records; wrote an empty file", SeleneWarning, 3)
    if resized[0]:
        warnings.warn(
            f"{input_path}: {resized[0]} record(s) differ from the model length "
            f"{sequence_length} and were padded with {alphabet.unknown} or centre-truncated",
            SeleneWarning,
            stacklevel=3,
        )
    return [path]


def attribute_bed(
    run,
    alphabet: Alphabet,
    genome,
    input_path: str | os.PathLike,
    sequence_length: int,
    output_dir: str | os.PathLike,
    settings: AttributionSettings,
    output_format: str = "npz",
    strand_index: int | None = None,
) -> list[str]:
    """Attribute the window of ``sequence_length`` centred on each BED interval (as
    ``get_predictions`` reads them; ``-`` strand: the reverse complement) -> ``[output
    file, <prefix>.NA]``; lines that cannot be used go to ``<prefix>.NA`` with the reason."""
    input_path = require_file(input_path, "BED file")
    strand_index = check_column_index(strand_index)
    path = output_path(input_path, output_dir, output_format)
    na_path = os.path.join(os.fspath(output_dir), f"{strip_extension(input_path)}.NA")
    started = time.perf_counter()
    windows = CentredWindows(genome, sequence_length)
    unknown = [0]

    def batches() -> Iterator[_Batch]:
        blocks = read_intervals(input_path, ChromMatcher(genome.get_chrs()), strand_index, windows)
        for block in blocks:
            first = True
            for lo in range(0, max(len(block), 1), settings.batch_size):
                index, chroms, starts, ends, strands = (
                    c[lo : lo + settings.batch_size] for c in block.columns()
                )
                codes = np.zeros((0, sequence_length), np.uint8)
                if index:
                    codes = genome.get_codes_batch(
                        chroms, windows.starts(starts, ends), sequence_length, strands
                    )
                unk = alphabet.unknown_rows(codes).tolist()
                unknown[0] += sum(unk)
                labels = [
                    (str(i), c, str(s), str(e), st, str(u))
                    for i, c, s, e, st, u in zip(index, chroms, starts, ends, strands, unk)
                ]
                names = [
                    f"{c}:{s}-{e}{'(-)' if st == '-' else ''}"
                    for c, s, e, st in zip(chroms, starts, ends, strands)
                ]
                yield _Batch(
                    codes, labels, names,
                    na_lines=block.na_lines if first else [],
                    n_lines=block.n_lines if first else 0,
                )  # fmt: skip
                first = False

    with progress_bar(None, "line", f"attribution {os.path.basename(input_path)}") as bar:
        rows, na_lines = _write(
            path, output_format, batches(), run, alphabet, sequence_length, settings,
            BED_COLS, bar,
        )  # fmt: skip
        with atomic_write(na_path) as handle:
            handle.writelines(line + "\n" for line in na_lines)
    name = os.path.basename(input_path)
    head = (
        f"attribution {name}: {count(rows, 'interval')} x {count(len(settings.targets), 'feature')}"
    )
    if na_lines:
        head += f", {count(len(na_lines), 'line')} to {os.path.basename(na_path)}"
    log_summary(head, [path, na_path], time.perf_counter() - started, rows, "interval")
    if rows == 0:
        warnings.warn(
            f"{input_path}: no intervals could be attributed; wrote an empty file",
            SeleneWarning,
            stacklevel=3,
        )
    if na_lines:
        warnings.warn(
            f"{input_path}: {len(na_lines)} line(s) written to {os.path.basename(na_path)} "
            "with the reason",
            SeleneWarning,
            stacklevel=3,
        )
    if unknown[0]:
        warnings.warn(
            f"{input_path}: {unknown[0]} window(s) contain unknown bases (contains_unk=True)",
            SeleneWarning,
            stacklevel=3,
        )
    return [path, na_path]
