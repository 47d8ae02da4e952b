"""Fuzzing variant effect prediction end to end: hostile VCFs through
``AnalyzeSequences.variant_effect_prediction`` on a tiny genome with a hand-computable model.

A run either refuses the VCF with an error naming it, or accounts for every record: the
scored variants are the usable ALT alleles (as ``usable_variants`` picks them), every
rejected record is in the ``.NA`` file with its reason, and the score files hold one row of
finite numbers per variant, with ``diffs = alt - ref``.
"""

from __future__ import annotations

import os
import tempfile
import warnings

import h5py
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from selene_sdk.errors import SeleneWarning
from selene_sdk.io.vcf import VcfReader
from selene_sdk.io.vcf_variants import usable_variants
from selene_sdk.predict import AnalyzeSequences
from selene_sdk.predict.inputs import ChromMatcher
from selene_sdk.predict.model_predict import VARIANTEFFECT_COLS
from selene_sdk.predict.variant_windows import VariantWindows
from selene_sdk.sequences import Genome

from ..predict.helpers import GcModel, random_dna, read_tsv, write_fasta
from .inputs import fuzz, reader_contract, stored_file
from .test_fuzz_vcf import VCF_INPUT

L = 20
FEATURES = ["gc", "a"]
GENOME = {
    "chr1": random_dna(300, seed=1),
    "chr2": random_dna(40, seed=2) + "N" * 10 + random_dna(50, seed=3),
    "chrM": random_dna(80, seed=4),
}


@pytest.fixture(scope="module")
def genome_path(tmp_path_factory):
    return write_fasta(tmp_path_factory.mktemp("fuzz-genome") / "genome.fa", GENOME)


def _expected(path, genome, strand_index, require_strand):
    """(records, scored variants, rejected records) as the reader and filter see them."""
    match = ChromMatcher(genome.get_chrs())
    windows = VariantWindows(genome, L)
    records = variants = rejected = 0
    for chunk in VcfReader(path, strand_index=strand_index).chunks():
        rows = usable_variants(chunk, match, windows, require_strand)
        records += len(chunk)
        variants += len(rows)
        rejected += len(rows.rejected)
    return records, variants, rejected


def _scores(directory: str, name: str, output_format: str) -> np.ndarray:
    if output_format == "hdf5":
        with h5py.File(os.path.join(directory, f"{name}.h5")) as h5:
            return h5["data"][:]
    header, rows = read_tsv(os.path.join(directory, f"{name}.tsv"))
    assert header == VARIANTEFFECT_COLS + FEATURES
    assert all(len(row) == len(header) for row in rows)
    ids = [row[: len(VARIANTEFFECT_COLS)] for row in rows]
    assert all(strand in ("+", "-") for strand in (i[5] for i in ids))
    values = [[float(v) for v in row[len(VARIANTEFFECT_COLS) :]] for row in rows]
    return np.array(values, dtype=np.float64).reshape(len(rows), len(FEATURES))


@fuzz(ci=12, slow=1_000, deadline_s=30)
@given(
    stored_file(VCF_INPUT),
    st.sampled_from([None, None, 8]),
    st.booleans(),
    st.sampled_from(["tsv", "hdf5", "vcf"]),
)
def test_variant_effect_prediction(genome_path, stored, strand_index, require_strand, fmt):
    data, _, _ = stored
    genome = Genome(genome_path)
    analyzer = AnalyzeSequences(
        GcModel(), None, L, FEATURES, batch_size=4, reference_sequence=genome, background=False
    )
    with tempfile.TemporaryDirectory(prefix="selene-fuzz-vep-") as directory:
        path = os.path.join(directory, "calls.vcf")
        with open(path, "wb") as handle:
            handle.write(data)
        out = os.path.join(directory, "out")
        summary = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SeleneWarning)
            with reader_contract(path, seconds=60) as error:
                summary = analyzer.variant_effect_prediction(
                    path,
                    ["diffs", "predictions"],
                    output_dir=out,
                    output_format=fmt,
                    strand_index=strand_index,
                    require_strand=require_strand,
                )
        if error:
            # the reader refuses this file too (test_fuzz_vcf checks the reader's refusals)
            with reader_contract(path) as again:
                _expected(path, genome, strand_index, require_strand)
            assert again, f"variant_effect_prediction refused a file the reader reads: {error}"
            return
        records, variants, rejected = _expected(path, genome, strand_index, require_strand)
        assert (summary.records, summary.variants, summary.rejected) == (
            records,
            variants,
            rejected,
        )
        assert 0 <= summary.ref_mismatches <= variants and 0 <= summary.contains_unk <= variants
        with open(os.path.join(out, "calls.NA"), encoding="utf-8", newline="") as handle:
            na_lines = handle.read().split("\n")[:-1]  # records may hold \x0b, \x1c, ...
        assert len(na_lines) == rejected and all("\t" in line for line in na_lines)
        if fmt == "vcf":
            with open(os.path.join(out, "calls.selene.vcf"), encoding="utf-8") as handle:
                lines = handle.read().splitlines()
            assert lines and lines[0].startswith("##fileformat=VCF")
            return
        ref = _scores(out, "calls.ref_predictions", fmt)
        alt = _scores(out, "calls.alt_predictions", fmt)
        diffs = _scores(out, "calls_diffs", fmt)
        assert ref.shape == alt.shape == diffs.shape == (variants, len(FEATURES))
        assert np.isfinite(ref).all() and np.isfinite(alt).all()
        assert ((0 <= ref) & (ref <= 1)).all() and ((0 <= alt) & (alt <= 1)).all()
        np.testing.assert_allclose(diffs, alt - ref, atol=1e-6 if fmt == "hdf5" else 1e-2)
