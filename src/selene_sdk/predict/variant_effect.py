"""Variant effect prediction from a VCF file, streamed in batches.

Records are read in chunks, split into one row per ALT allele, checked (chromosome,
alleles, window bounds), turned into reference/alternative windows
(:mod:`selene_sdk.predict.variant_sequences`) and scored. Rejected records go to
``<prefix>.NA`` with the reason appended as a last tab-separated column. Memory stays
proportional to a batch plus the write buffers, whatever the size of the VCF.
"""

from __future__ import annotations

import logging
import os
import re
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from selene_sdk._version import __version__
from selene_sdk.errors import SeleneWarning, require_file
from selene_sdk.io.vcf import VcfChunk, VcfReader, count_data_lines
from selene_sdk.io.vcf_writer import AnnotatedVcfWriter
from selene_sdk.io.writers import LinesWriter, WriterGroup
from selene_sdk.predict.inputs import ChromMatcher, window_rejection
from selene_sdk.predict.outputs import ScoreOutputs, check_output_format, strip_extension
from selene_sdk.predict.runner import ModelRunner, progress_bar
from selene_sdk.predict.scores import SCORES, normalize_save_data
from selene_sdk.predict.variant_sequences import build_variant_codes, ref_window_starts

__all__ = [
    "VARIANTEFFECT_COLS",
    "VariantEffectSummary",
    "allele_problem",
    "annotated_vcf_name",
    "variant_effect_prediction",
]

logger = logging.getLogger("selene")

#: Row-label columns of variant effect outputs.
VARIANTEFFECT_COLS: list[str] = [
    "chrom",
    "pos",
    "name",
    "ref",
    "alt",
    "strand",
    "ref_match",
    "contains_unk",
]

_BASES = re.compile(r"[ACGTNacgtn]+")
#: The ``ref_match`` and ``contains_unk`` label columns, by value.
_FLAGS = {(m, u): f"{m}\t{u}" for m in (True, False) for u in (True, False)}
_SINGLE_BASES = frozenset("ACGTNacgtn")


def allele_problem(allele: str, column: str) -> str | None:
    """Why a REF/ALT allele cannot be scored, or None if it is a plain A/C/G/T/N sequence."""
    if allele in _SINGLE_BASES or _BASES.fullmatch(allele):
        return None
    if allele == "":
        return f"empty {column}"
    if allele == ".":
        return f"{column} '.' (no allele)"
    if allele == "*":
        return f"{column} '*' (allele missing due to an overlapping deletion)"
    if allele == "-":
        return f"{column} '-' is not VCF notation (write indels with an anchor base)"
    if allele.startswith("<") or "[" in allele or "]" in allele:
        return f"{column} {allele!r} is a symbolic or breakend allele"
    return f"{column} {allele!r} has characters other than A, C, G, T, N"


#: Rows handled together by the Python side of the pipeline (reading, window building,
#: labels, scoring, writing): several forward passes' worth, so that the fixed cost of each
#: numpy call and of cold CPU caches after a forward pass is paid once per group.
GROUP_ROWS = 512


class _Pass:
    """The reference and alternative windows of one forward-pass batch of a group.

    The reference encoding is made right before its forward pass (or ahead of time, when
    batches are prepared in a background thread); once predicted, the alternative alleles
    are written into the same buffer in place (``flat``/``values``: flat positions in the
    ``(B, N, L)`` buffer and their one-hot values, computed for the whole group at once),
    so the model reads an input that is still in the CPU cache and no 1 MB copy is made.
    """

    __slots__ = ("alt_codes", "flat", "index", "prev", "runner", "unknown", "values", "x")

    def __init__(self, runner: ModelRunner, group: _GroupCodes, lo: int, hi: int, eager, prev):
        self.runner = runner
        self.index = group.ref_index[lo:hi]
        self.unknown = group.ref_unknown
        self.alt_codes = group.alt[lo:hi]
        self.flat, self.values = group.patch(lo, hi)
        self.x = runner.encode_indices(self.index, None, self.unknown) if eager else None
        self.prev = None if eager else prev

    def ref(self) -> np.ndarray:
        if self.x is None:
            prev, self.prev = self.prev, None
            out = None
            if prev is not None and prev.x is not None and len(prev.x) >= len(self.index):
                # the previous batch of the group is predicted: encode into its buffer
                out = prev.x if len(prev.x) == len(self.index) else prev.x[: len(self.index)]
            self.x = self.runner.encode_indices(self.index, out, self.unknown)
        return self.x

    def alt(self) -> np.ndarray:
        if self.runner.modifies_inputs:  # the buffer holds what the model left there
            return self.runner.encode(self.alt_codes)
        self.x.put(self.flat, self.values)
        return self.x


class _GroupCodes:
    """A group's windows, ready for :class:`_Pass`: reference column indices and the
    alternative alleles as one-hot values at flat buffer positions, sorted by row."""

    def __init__(self, runner: ModelRunner, codes):
        alphabet = runner.alphabet
        self.ref_index = codes.ref_index
        # None: each batch checks its own rows for unknown letters (N in the genome or REF)
        self.ref_unknown = None if self.ref_index.max(initial=0) == 255 else False
        self.alt = codes.alt
        rows, cols = codes.changed
        if len(rows) > 1 and (np.diff(rows) < 0).any():
            order = np.argsort(rows, kind="stable")
            rows, cols = rows[order], cols[order]
        length = codes.ref.shape[1]
        size = alphabet.size
        self.rows = rows
        # (cells, N): flat position of every channel of every changed cell, for a buffer
        # whose first row is row 0 of the group (batches subtract their offset)
        self.flat = (rows * (size * length) + cols)[:, None] + np.arange(size) * length
        self.values = alphabet.onehot_table[codes.alt[rows, cols]]
        self.row_size = size * length

    def patch(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = np.searchsorted(self.rows, [lo, hi])
        return self.flat[a:b] - lo * self.row_size, self.values[a:b]


@dataclass
class _Work:
    """A group of variants (one or more forward-pass batches) plus everything read since
    the previous group."""

    passes: list[_Pass] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    ref_match: np.ndarray | None = None
    contains_unk: np.ndarray | None = None
    na_lines: list[str] = field(default_factory=list)
    records: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    n_records: int = 0

    def inputs(self) -> list[Any]:
        """Per batch: its reference windows, then its alternative windows."""
        return [step for p in self.passes for step in (p.ref, p.alt)]


@dataclass
class VariantEffectSummary:
    """What a variant-effect run did."""

    records: int = 0
    variants: int = 0
    rejected: int = 0
    ref_mismatches: int = 0
    contains_unk: int = 0
    outputs: list[str] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    seconds: float = 0.0


@dataclass
class _Rows:
    """Pending variant rows, column by column (one entry per scored ALT allele)."""

    chroms: list[str] = field(default_factory=list)
    pos: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    alts: list[str] = field(default_factory=list)
    strands: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.pos)

    def extend(self, chroms, pos, names, refs, alts, strands) -> None:
        self.chroms += chroms
        self.pos += pos
        self.names += names
        self.refs += refs
        self.alts += alts
        self.strands += strands

    def take(self, n: int) -> _Rows:
        """Remove and return the first ``n`` rows."""
        out = _Rows(
            self.chroms[:n], self.pos[:n], self.names[:n], self.refs[:n], self.alts[:n],
            self.strands[:n],
        )  # fmt: skip
        for column in (self.chroms, self.pos, self.names, self.refs, self.alts, self.strands):
            del column[:n]
        return out


class _VariantStream:
    """Turns VCF chunks into batches of encoded reference/alternative windows."""

    def __init__(
        self,
        reader: VcfReader,
        genome,
        runner: ModelRunner,
        length: int,
        require_strand: bool,
        keep_records: bool,
        summary: VariantEffectSummary,
        eager: bool = False,
    ):
        self.eager = eager
        self.reader = reader
        self.genome = genome
        self.runner = runner
        self.length = length
        self.require_strand = require_strand
        self.keep_records = keep_records
        self.summary = summary
        self.match = ChromMatcher(genome.get_chrs())
        self.lengths = genome.len_chrs

    def _reject(self, work: _Work, chunk: VcfChunk, i: int, reason: str) -> None:
        work.na_lines.append(f"{chunk.texts[i]}\t{reason}")
        key = _reason_key(reason)
        self.summary.rejected += 1
        self.summary.reasons[key] += 1
        if self.summary.reasons[key] == 1:
            logger.debug("%s:%d: %s", self.reader.path, chunk.lines[i], reason)

    def __iter__(self) -> Iterator[_Work]:
        batch_size = self.runner.batch_size
        group = batch_size * max(1, GROUP_ROWS // batch_size)
        rows = _Rows()
        work = _Work()
        for chunk in self.reader.chunks():
            self._chunk(chunk, rows, work)
            work.n_records += len(chunk)
            while len(rows) >= group:
                yield self._finish(work, rows.take(group))
                work = _Work()
        if len(rows) or work.na_lines or work.records or work.n_records:
            yield self._finish(work, rows)

    def _chunk(self, chunk: VcfChunk, rows: _Rows, work: _Work) -> None:
        """Check a chunk's records and queue one row per usable ALT allele.

        Column-wise: the checks look only at the records that need them (an allele that
        is not a single base, an unknown chromosome, ...), so a chunk of plain SNVs costs a
        few C-level passes, not a Python loop with per-record objects.
        """
        n = len(chunk)
        chrom_of = {c: self.match(c) for c in set(chunk.chrom)}
        fasta_chroms = [chrom_of[c] for c in chunk.chrom]
        # Reasons that reject the whole record (nothing of it is scored) ...
        dead: dict[int, list[str]] = {i: [p] for i, p in chunk.problems.items()}
        if None in chrom_of.values():
            for i, c in enumerate(fasta_chroms):
                if c is None and i not in dead:
                    dead[i] = [f"chromosome {chunk.chrom[i]!r} is not in the reference FASTA"]
        if self.require_strand and chunk.strand is not None and "." in chunk.strand:
            for i, s in enumerate(chunk.strand):
                if s == "." and i not in dead:
                    dead[i] = ["no strand ('.') and require_strand=True"]
        refs, alts = chunk.ref, chunk.alt
        for i in [i for i, r in enumerate(refs) if r not in _SINGLE_BASES]:
            if i not in dead:
                problem = allele_problem(refs[i], "REF")
                if problem is not None:
                    dead[i] = [problem]
        # ... and ALT alleles that cannot be scored (the record's other ALTs still are).
        bad_alts: dict[int, list[str]] = {}
        kept_alts: dict[int, list[tuple[int, str]]] = {}
        for i in [i for i, a in enumerate(alts) if a not in _SINGLE_BASES]:
            if i in dead:
                continue
            kept: list[tuple[int, str]] = []
            for k, allele in enumerate(alts[i].split(",")):
                problem = allele_problem(allele, "ALT")
                if problem is None:
                    kept.append((k, allele))
                else:
                    bad_alts.setdefault(i, []).append(problem)
            kept_alts[i] = kept
            if not kept:
                dead[i] = bad_alts.pop(i)
        self._check_windows(chunk, fasta_chroms, dead, bad_alts)

        strands = chunk.strand if chunk.strand is not None else ["+"] * n
        if not dead and not kept_alts and not bad_alts:
            rows.extend(fasta_chroms, chunk.pos, chunk.id, refs, alts, strands)
        else:
            emit = [
                (i, allele)
                for i in range(n)
                if i not in dead
                for allele in ([a for _, a in kept_alts[i]] if i in kept_alts else (alts[i],))
            ]
            index = [i for i, _ in emit]
            rows.extend(
                [fasta_chroms[i] for i in index],
                [chunk.pos[i] for i in index],
                [chunk.id[i] for i in index],
                [refs[i] for i in index],
                [a for _, a in emit],
                [strands[i] for i in index],
            )
            for i in sorted({*dead, *bad_alts}):
                self._reject(work, chunk, i, "; ".join(dead.get(i) or bad_alts[i]))
        if self.keep_records:
            for i in range(n):
                if i in chunk.problems:
                    continue
                if i in dead:
                    kept_index: tuple[int, ...] = ()
                elif i in kept_alts:
                    kept_index = tuple(k for k, _ in kept_alts[i])
                else:
                    kept_index = (0,)
                work.records.append((chunk.texts[i], kept_index))

    def _check_windows(
        self,
        chunk: VcfChunk,
        fasta_chroms: list[str | None],
        dead: dict[int, list[str]],
        bad_alts: dict[int, list[str]],
    ) -> None:
        """Reject (into ``dead``) the usable records whose reference window is out of
        bounds or blacklisted."""
        if len(dead) == len(chunk):
            return
        pos = np.array(chunk.pos, dtype=np.int64)
        r = np.fromiter(map(len, chunk.ref), dtype=np.int64, count=len(chunk))
        starts = ref_window_starts(pos, r, self.length)
        ok = self.genome.coords_in_bounds_batch(fasta_chroms, starts, starts + self.length)
        if ok.all():
            return
        for i in np.flatnonzero(~ok).tolist():
            if i in dead:
                continue
            chrom = fasta_chroms[i]
            reason = window_rejection(
                self.length, chrom, int(starts[i]), self.lengths.get(chrom, 0)
            )
            dead[i] = [*bad_alts.pop(i, []), reason]

    def _finish(self, work: _Work, rows: _Rows) -> _Work:
        if not len(rows):
            return work
        codes = build_variant_codes(
            self.genome,
            self.runner.alphabet,
            rows.chroms,
            np.array(rows.pos, dtype=np.int64),
            rows.refs,
            rows.alts,
            rows.strands,
            self.length,
        )
        batch_size = self.runner.batch_size
        group = _GroupCodes(self.runner, codes)
        prev = None
        for lo in range(0, len(rows), batch_size):
            prev = _Pass(self.runner, group, lo, min(lo + batch_size, len(rows)), self.eager, prev)
            work.passes.append(prev)
        work.ref_match = codes.ref_match
        work.contains_unk = codes.contains_unk
        strands = rows.strands
        if "-" in strands or "." in strands:
            strands = ["-" if s == "-" else "+" for s in strands]
        if codes.ref_match.all() and not codes.contains_unk.any():  # the usual case
            flags = [_FLAGS[True, False]] * len(rows)
        else:
            flags = [_FLAGS[k] for k in zip(codes.ref_match.tolist(), codes.contains_unk.tolist())]
        columns = (rows.chroms, map(str, rows.pos), rows.names, rows.refs, rows.alts, strands)
        work.labels = list(map("\t".join, zip(*columns, flags)))
        return work


def _reason_key(reason: str) -> str:
    """Coarse category of a rejection reason, for the summary warning."""
    for key in ("chromosome", "window", "columns", "POS", "strand", "symbolic", "'*'", "'.'"):
        if key in reason:
            return key.strip("'")
    return reason.split(" ", 2)[0] + " allele"


def variant_effect_prediction(
    runner: ModelRunner,
    genome,
    vcf_file: str | os.PathLike,
    save_data: Sequence[str],
    features: Sequence[str],
    sequence_length: int,
    output_dir: str | os.PathLike | None = None,
    output_format: str = "tsv",
    strand_index: int | None = None,
    require_strand: bool = False,
    write_mem_limit: float = 1500,
    background: bool | None = None,
) -> VariantEffectSummary:
    """Score every variant of a VCF file; see
    :meth:`selene_sdk.predict.AnalyzeSequences.variant_effect_prediction` for the outputs.

    Returns
    -------
    VariantEffectSummary
        Counts (records, scored variants, rejected records, REF mismatches) and the paths
        written.
    """
    vcf_file = require_file(vcf_file, "VCF file")
    check_output_format(output_format, ("tsv", "hdf5", "vcf"))
    save_data = normalize_save_data(save_data)
    if genome is None or isinstance(genome, type):
        raise ValueError(
            "variant_effect_prediction needs a Genome instance as reference_sequence "
            "(e.g. reference_sequence: !obj:selene_sdk.sequences.Genome {input_path: ...})"
        )
    # `variants.vcf.gz` -> `variants` (the original, which read no .gz, dropped one extension)
    prefix = strip_extension(vcf_file)
    directory = os.fspath(output_dir) if output_dir is not None else os.path.dirname(vcf_file)
    directory = directory or "."
    os.makedirs(directory, exist_ok=True)
    summary = VariantEffectSummary()
    reader = VcfReader(vcf_file, strand_index=strand_index)
    keep_records = output_format == "vcf"
    started = time.perf_counter()

    group = WriterGroup()
    scores: ScoreOutputs | None = None
    vcf_out: AnnotatedVcfWriter | None = None
    if output_format == "vcf":
        reader.read_header()
        vcf_out = group.add(
            AnnotatedVcfWriter(
                os.path.join(directory, annotated_vcf_name(vcf_file)),
                reader.meta_lines,
                reader.columns,
                save_data,
                features,
                __version__,
            )
        )
    else:
        scores = ScoreOutputs(
            group,
            save_data,
            directory,
            prefix,
            output_format,
            VARIANTEFFECT_COLS,
            features,
            write_mem_limit,
            ref_alt_predictions=True,
        )
    na = group.add(LinesWriter(os.path.join(directory, f"{prefix}.NA")))
    total = lambda: count_data_lines(vcf_file)  # noqa: E731 - counted only for a visible bar
    with group:
        if background is None:
            background = runner.wants_background()
        # With a background thread preparing groups, encode there; otherwise right before
        # each forward pass, while the CPU cache still holds the result.
        stream = _VariantStream(
            reader, genome, runner, sequence_length, require_strand, keep_records, summary,
            eager=background,
        )  # fmt: skip
        with progress_bar(total, "record", f"VEP {os.path.basename(vcf_file)}") as bar:

            def consume(work: _Work, preds: list[np.ndarray]) -> None:
                na.write_lines(work.na_lines)
                if vcf_out is not None:
                    vcf_out.add_records(work.records)
                if preds:
                    ref, alt = _stack(preds[0::2]), _stack(preds[1::2])
                    _check_width(ref, features)
                    summary.variants += len(ref)
                    summary.ref_mismatches += int((~work.ref_match).sum())
                    summary.contains_unk += int(work.contains_unk.sum())
                    if scores is not None:
                        scores.write(ref, alt, work.labels)
                    if vcf_out is not None:
                        values = {n: SCORES[n](ref, alt) for n in save_data if n != "predictions"}
                        vcf_out.add_rows(values, ref, alt, work.ref_match, work.contains_unk)
                summary.records += work.n_records
                bar.update(work.n_records)

            runner.run(stream, _Work.inputs, consume, background=background)
    summary.seconds = time.perf_counter() - started
    summary.outputs = [w.path for w in group.writers]
    _report(summary, vcf_file)
    return summary


def _stack(blocks: list[np.ndarray]) -> np.ndarray:
    return blocks[0] if len(blocks) == 1 else np.concatenate(blocks)


def annotated_vcf_name(vcf_file: str | os.PathLike) -> str:
    """``calls.vcf.gz`` -> ``calls.selene.vcf`` (the annotated VCF output's file name)."""
    name = os.path.basename(os.fspath(vcf_file))
    for suffix in (".gz", ".bgz", ".vcf"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return name + ".selene.vcf"


def _check_width(pred: np.ndarray, features: Sequence[str]) -> None:
    if pred.shape[1] != len(features):
        raise ValueError(
            f"the model returns {pred.shape[1]} values per sequence but {len(features)} "
            "features were given"
        )


def _report(summary: VariantEffectSummary, vcf_file: str) -> None:
    name = os.path.basename(vcf_file)
    rate = summary.variants / summary.seconds if summary.seconds > 0 else 0.0
    logger.info(
        "%s: %d variants scored from %d records in %.1f s (%.0f variants/s); %d records "
        "rejected (see the .NA file)",
        name,
        summary.variants,
        summary.records,
        summary.seconds,
        rate,
        summary.rejected,
    )
    if summary.records == 0:
        warnings.warn(
            f"{vcf_file}: no variant records; wrote empty outputs", SeleneWarning, stacklevel=3
        )
    if summary.rejected:
        reasons = ", ".join(f"{k}: {v}" for k, v in summary.reasons.most_common())
        warnings.warn(
            f"{vcf_file}: {summary.rejected} record(s) could not be (fully) scored and were "
            f"written to the .NA file with the reason ({reasons})",
            SeleneWarning,
            stacklevel=3,
        )
    if summary.ref_mismatches:
        warnings.warn(
            f"{vcf_file}: REF differs from the reference genome for {summary.ref_mismatches} "
            "variant(s); the VCF REF was used for their reference sequence and they are marked "
            "ref_match=False",
            SeleneWarning,
            stacklevel=3,
        )
    if summary.contains_unk:
        warnings.warn(
            f"{vcf_file}: the reference window of {summary.contains_unk} variant(s) contains "
            "unknown bases (N); they are marked contains_unk=True",
            SeleneWarning,
            stacklevel=3,
        )
