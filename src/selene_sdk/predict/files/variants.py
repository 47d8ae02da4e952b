"""Variant effect prediction from a VCF file, streamed in groups of variants.

The path of one variant: its line is read by :class:`~selene_sdk.io.vcf.VcfReader` and
checked by :func:`~selene_sdk.io.vcf_variants.usable_variants` (or rejected to
``<prefix>.NA`` with the reason); its reference and alternative windows are cut from the
genome (:func:`~selene_sdk.predict.variant_windows.build_variant_codes`), predicted by
:func:`~selene_sdk.predict.effects.run_variant_effects`, scored
(:mod:`~selene_sdk.predict.scores`) and written (:mod:`~selene_sdk.predict.files.outputs`,
:mod:`~selene_sdk.io.writers`), every file renamed into place at the end. Memory stays
proportional to a group plus the write buffers, whatever the size of the VCF.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from selene_sdk._version import __version__
from selene_sdk.constants import VARIANTEFFECT_COLS, VEP_OUTPUT_FORMATS
from selene_sdk.errors import SeleneWarning, require_file
from selene_sdk.forward import Engine
from selene_sdk.io.vcf import VcfReader, count_data_lines
from selene_sdk.io.vcf_variants import VariantRows, reason_key, usable_variants
from selene_sdk.io.vcf_writer import AnnotatedVcfWriter
from selene_sdk.io.writers import LinesWriter, WriterGroup
from selene_sdk.predict.effects import VariantGroup, run_variant_effects, window_steps
from selene_sdk.predict.files.outputs import ScoreOutputs, check_output_format, strip_extension
from selene_sdk.predict.files.summary import count, log_summary
from selene_sdk.predict.inputs import ChromMatcher
from selene_sdk.predict.scores import SCORES, normalize_save_data
from selene_sdk.predict.variant_windows import VariantWindows, build_variant_codes
from selene_sdk.progress import progress_bar

__all__ = [
    "GROUP_ROWS",
    "VariantEffectSummary",
    "annotated_vcf_name",
    "variant_effect_prediction",
]

logger = logging.getLogger("selene")

#: Rows handled together by the Python side of the pipeline (reading, window building,
#: labels, scoring, writing): several forward passes' worth, so that the fixed cost of each
#: numpy call and of cold CPU caches after a forward pass is paid once per group.
GROUP_ROWS = 512

#: The ``ref_match`` and ``contains_unk`` label columns, by value.
_FLAGS = {(m, u): f"{m}\t{u}" for m in (True, False) for u in (True, False)}


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
class _Work:
    """What a group carries to the consumer: its variants' labels and flags, plus the
    rejected lines and (for VCF output) the records read since the previous group."""

    labels: list[str] = field(default_factory=list)
    ref_match: np.ndarray | None = None
    contains_unk: np.ndarray | None = None
    na_lines: list[str] = field(default_factory=list)
    records: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    n_records: int = 0


def _labels(rows: VariantRows, ref_match: np.ndarray, contains_unk: np.ndarray) -> list[str]:
    strands = rows.strands
    if "-" in strands or "." in strands:
        strands = ["-" if s == "-" else "+" for s in strands]
    if ref_match.all() and not contains_unk.any():  # the usual case
        flags = [_FLAGS[True, False]] * len(rows)
    else:
        flags = [_FLAGS[k] for k in zip(ref_match.tolist(), contains_unk.tolist())]
    columns = (rows.chroms, map(str, rows.pos), rows.names, rows.refs, rows.alts, strands)
    return list(map("\t".join, zip(*columns, flags)))


def _groups(
    engine: Engine,
    reader: VcfReader,
    genome,
    length: int,
    require_strand: bool,
    keep_records: bool,
    summary: VariantEffectSummary,
) -> Iterator[VariantGroup]:
    """The VCF's usable variants in groups of :data:`GROUP_ROWS` (a multiple of the batch
    size), each with everything read since the previous group."""
    batch_size = engine.batch_size
    size = batch_size * max(1, GROUP_ROWS // batch_size)
    match = ChromMatcher(genome.get_chrs())
    windows = VariantWindows(genome, length)
    pending = VariantRows()
    work = _Work()

    def finish(work: _Work, rows: VariantRows) -> VariantGroup:
        if not len(rows):
            return VariantGroup([], work)
        codes = build_variant_codes(
            genome, engine.alphabet, rows.chroms, np.array(rows.pos, dtype=np.int64),
            rows.refs, rows.alts, rows.strands, length,
        )  # fmt: skip
        work.ref_match, work.contains_unk = codes.ref_match, codes.contains_unk
        work.labels = _labels(rows, codes.ref_match, codes.contains_unk)
        return VariantGroup(window_steps(engine, codes), work)

    for chunk in reader.chunks():
        rows = usable_variants(chunk, match, windows, require_strand, keep_records)
        for line, reason in rows.rejected:
            key = reason_key(reason)
            summary.rejected += 1
            summary.reasons[key] += 1
            if summary.reasons[key] == 1:
                logger.debug("%s:%d: %s", reader.path, line, reason)
        for mine, theirs in zip(
            (pending.chroms, pending.pos, pending.names, pending.refs, pending.alts),
            (rows.chroms, rows.pos, rows.names, rows.refs, rows.alts),
        ):
            mine += theirs
        pending.strands += rows.strands
        work.na_lines += rows.na_lines
        work.records += rows.records
        work.n_records += rows.n_records
        while len(pending) >= size:
            yield finish(work, pending.take(size))
            work = _Work()
    if len(pending) or work.na_lines or work.records or work.n_records:
        yield finish(work, pending)


def variant_effect_prediction(
    engine: Engine,
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
    part: range | None = None,
) -> VariantEffectSummary:
    """Score every variant of a VCF file; see
    :meth:`selene_sdk.predict.AnalyzeSequences.variant_effect_prediction` for the outputs.

    ``part``: only the records on these 0-based line indices (one rank's share under
    torchrun).

    Returns
    -------
    VariantEffectSummary
        Counts (records, scored variants, rejected records, REF mismatches) and the paths
        written.
    """
    vcf_file = require_file(vcf_file, "VCF file")
    check_output_format(output_format, VEP_OUTPUT_FORMATS)
    save_data = normalize_save_data(save_data)
    # `variants.vcf.gz` -> `variants` (the original, which read no .gz, dropped one extension)
    prefix = strip_extension(vcf_file)
    directory = os.fspath(output_dir) if output_dir is not None else os.path.dirname(vcf_file)
    directory = directory or "."
    os.makedirs(directory, exist_ok=True)
    summary = VariantEffectSummary()
    reader = VcfReader(vcf_file, strand_index=strand_index, lines=part)
    started = time.perf_counter()

    group = WriterGroup()
    scores: ScoreOutputs | None = None
    vcf_out: AnnotatedVcfWriter | None = None
    if output_format == "vcf":
        reader.read_header()
        path = os.path.join(directory, annotated_vcf_name(vcf_file))
        vcf_out = group.add(
            AnnotatedVcfWriter(
                path, reader.meta_lines, reader.columns, save_data, features, __version__
            )
        )
    else:
        scores = ScoreOutputs(
            group, save_data, directory, prefix, output_format, VARIANTEFFECT_COLS, features,
            write_mem_limit, ref_alt_predictions=True,
        )  # fmt: skip
    na = group.add(LinesWriter(os.path.join(directory, f"{prefix}.NA")))
    total = lambda: count_data_lines(vcf_file)  # noqa: E731 - counted only for a visible bar
    with group, progress_bar(total, "record", f"VEP {os.path.basename(vcf_file)}") as bar:

        def consume(item: VariantGroup, ref: np.ndarray | None, alt: np.ndarray | None):
            work: _Work = item.payload
            na.write_lines(work.na_lines)
            if vcf_out is not None:
                vcf_out.add_records(work.records)
            if ref is not None:
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

        stream = _groups(
            engine, reader, genome, sequence_length, require_strand, vcf_out is not None,
            summary,
        )  # fmt: skip
        run_variant_effects(engine, stream, consume, background=background)
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
    head = (
        f"{os.path.basename(vcf_file)}: {count(summary.variants, 'variant')} scored from "
        f"{count(summary.records, 'record')}, {summary.rejected:,} rejected (see the .NA file)"
    )
    log_summary(head, summary.outputs, summary.seconds, summary.variants, "variant")
    if summary.records == 0:
        warnings.warn(
            f"{vcf_file}: no variant records; wrote empty outputs", SeleneWarning, stacklevel=4
        )
    if summary.rejected:
        reasons = ", ".join(f"{k}: {v}" for k, v in summary.reasons.most_common())
        warnings.warn(
            f"{vcf_file}: {summary.rejected} record(s) could not be (fully) scored and were "
            f"written to the .NA file with the reason ({reasons})",
            SeleneWarning,
            stacklevel=4,
        )
    if summary.ref_mismatches:
        warnings.warn(
            f"{vcf_file}: REF differs from the reference genome for {summary.ref_mismatches} "
            "variant(s); the VCF REF was used for their reference sequence and they are marked "
            "ref_match=False",
            SeleneWarning,
            stacklevel=4,
        )
    if summary.contains_unk:
        warnings.warn(
            f"{vcf_file}: the reference window of {summary.contains_unk} variant(s) contains "
            "unknown bases (N); they are marked contains_unk=True",
            SeleneWarning,
            stacklevel=4,
        )
