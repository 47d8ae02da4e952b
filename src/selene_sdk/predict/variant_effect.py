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

import numpy as np

from selene_sdk._version import __version__
from selene_sdk.errors import SeleneWarning, require_file
from selene_sdk.io.vcf import VcfReader, VcfRecord, count_data_lines
from selene_sdk.io.vcf_writer import AnnotatedVcfWriter
from selene_sdk.io.writers import LinesWriter, WriterGroup
from selene_sdk.predict.inputs import ChromMatcher
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


@dataclass
class _Work:
    """One batch of variants plus everything read since the previous batch."""

    ref_x: np.ndarray | None = None
    alt_x: np.ndarray | None = None
    labels: list[str] = field(default_factory=list)
    ref_match: np.ndarray | None = None
    contains_unk: np.ndarray | None = None
    na_lines: list[str] = field(default_factory=list)
    records: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    n_records: int = 0

    def inputs(self) -> list[np.ndarray]:
        return [] if self.ref_x is None else [self.ref_x, self.alt_x]


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


class _Rows(list):
    """Pending variant rows: ``(chrom, pos, name, ref, alt, strand)`` tuples."""

    def take(self, n: int) -> _Rows:
        out = _Rows(self[:n])
        del self[:n]
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
    ):
        self.reader = reader
        self.genome = genome
        self.runner = runner
        self.length = length
        self.require_strand = require_strand
        self.keep_records = keep_records
        self.summary = summary
        self.match = ChromMatcher(genome.get_chrs())
        self.lengths = genome.len_chrs

    def _reject(self, work: _Work, rec: VcfRecord, reason: str) -> None:
        work.na_lines.append(f"{rec.text}\t{reason}")
        self.summary.rejected += 1
        self.summary.reasons[_reason_key(reason)] += 1
        if self.summary.reasons[_reason_key(reason)] == 1:
            logger.debug("%s:%d: %s", self.reader.path, rec.line, reason)

    def __iter__(self) -> Iterator[_Work]:
        batch_size = self.runner.batch_size
        rows = _Rows()
        work = _Work()
        for chunk in self.reader:
            self._chunk(chunk, rows, work)
            work.n_records += len(chunk)
            while len(rows) >= batch_size:
                yield self._finish(work, rows.take(batch_size))
                work = _Work()
        if len(rows) or work.na_lines or work.records or work.n_records:
            yield self._finish(work, rows)

    def _chunk(self, chunk: list[VcfRecord], rows: _Rows, work: _Work) -> None:
        # Per record: [record, FASTA chromosome, indices of usable ALTs, rejection reasons]
        entries: list[list] = []
        for rec in chunk:
            if rec.problem is not None:
                entries.append([rec, None, [], [rec.problem]])
                continue
            chrom = self.match(rec.chrom)
            reasons: list[str] = []
            if chrom is None:
                reasons.append(f"chromosome {rec.chrom!r} is not in the reference FASTA")
            elif self.require_strand and rec.strand == ".":
                reasons.append("no strand ('.') and require_strand=True")
            else:
                problem = allele_problem(rec.ref, "REF")
                if problem is not None:
                    reasons.append(problem)
            kept: list[int] = []
            if not reasons:
                for k, alt in enumerate(rec.alts):
                    problem = allele_problem(alt, "ALT")
                    if problem is None:
                        kept.append(k)
                    else:
                        reasons.append(problem)
            entries.append([rec, chrom, kept, reasons])
        self._check_windows([e for e in entries if e[2]])
        for rec, chrom, kept, reasons in entries:
            if reasons:
                self._reject(work, rec, "; ".join(reasons))
            for k in kept:
                rows.append((chrom, rec.pos, rec.id, rec.ref, rec.alts[k], rec.strand))
            if self.keep_records and rec.problem is None:
                work.records.append((rec.text, tuple(kept)))

    def _check_windows(self, entries: list[list]) -> None:
        """Reject (in place) the entries whose reference window is out of bounds."""
        if not entries:
            return
        chroms = [e[1] for e in entries]
        pos = np.fromiter((e[0].pos for e in entries), dtype=np.int64, count=len(entries))
        r = np.fromiter((len(e[0].ref) for e in entries), dtype=np.int64, count=len(entries))
        starts = ref_window_starts(pos, r, self.length)
        ok = self.genome.coords_in_bounds_batch(chroms, starts, starts + self.length)
        for j in np.nonzero(~ok)[0]:
            entry = entries[j]
            entry[3].append(self._window_reason(entry[1], int(starts[j])))
            entry[2] = []

    def _window_reason(self, chrom: str, start: int) -> str:
        end = start + self.length
        size = self.lengths.get(chrom, 0)
        if start < 0 or end > size:
            return (
                f"the {self.length}-bp window [{start}, {end}) extends beyond {chrom} "
                f"(length {size})"
            )
        return f"the {self.length}-bp window [{start}, {end}) overlaps a blacklisted region"

    def _finish(self, work: _Work, rows: _Rows) -> _Work:
        if not rows:
            return work
        chroms, pos, names, refs, alts, strands = zip(*rows)
        codes = build_variant_codes(
            self.genome,
            self.runner.alphabet,
            chroms,
            np.array(pos, dtype=np.int64),
            refs,
            alts,
            strands,
            self.length,
        )
        work.ref_x = self.runner.encode(codes.ref)
        work.alt_x = self.runner.encode_patched(work.ref_x, codes.ref, codes.alt, codes.changed)
        work.ref_match = codes.ref_match
        work.contains_unk = codes.contains_unk
        work.labels = [
            f"{c}\t{p}\t{n}\t{r}\t{a}\t{'-' if s == '-' else '+'}\t{m}\t{u}"
            for c, p, n, r, a, s, m, u in zip(
                chroms,
                pos,
                names,
                refs,
                alts,
                strands,
                codes.ref_match.tolist(),
                codes.contains_unk.tolist(),
            )
        ]
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
    background: bool = True,
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
        stream = _VariantStream(
            reader, genome, runner, sequence_length, require_strand, keep_records, summary
        )
        with progress_bar(total, "record", f"VEP {os.path.basename(vcf_file)}") as bar:

            def consume(work: _Work, preds: list[np.ndarray]) -> None:
                na.write_lines(work.na_lines)
                if vcf_out is not None:
                    vcf_out.add_records(work.records)
                if preds:
                    ref, alt = preds
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
