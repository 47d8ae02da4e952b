"""The line each analysis operation logs at its end: counts, the files written and where, the
time (a fake clock: 12.0 s per run) and the rate."""

from __future__ import annotations

import logging
import os

import pytest

from selene_sdk.predict.files import mutagenesis, predictions, variants
from selene_sdk.predict.files.summary import count, written

from .conftest import CHR1, L, write_vcf
from .helpers import write_fasta


class FakeTime:
    """``perf_counter`` readings 100.0, then 112.0: every run takes 12 s."""

    def __init__(self):
        self.readings = iter([100.0, 112.0])

    def perf_counter(self) -> float:
        return next(self.readings)


@pytest.fixture
def summaries(monkeypatch, caplog):
    for module in (predictions, mutagenesis, variants):
        monkeypatch.setattr(module, "time", FakeTime())
    caplog.set_level(logging.INFO, logger="selene")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "selene"]


def test_fasta_predictions(identity, tmp_path, summaries):
    fasta = write_fasta(tmp_path / "seqs.fa", {f"s{i}": "ACGT" * 5 for i in range(24)})
    identity.get_predictions(str(fasta), tmp_path / "out")
    # 24 sequences in 12 s: 2 per second
    assert summaries() == [
        f"seqs.fa: 24 sequences predicted -> {tmp_path}/out/ (seqs_predictions.tsv) in 12.0 s "
        "(2.00 sequences/s)"
    ]


def test_bed_predictions_name_the_na_file(identity, tmp_path, summaries):
    bed = tmp_path / "r.bed"
    bed.write_text("chr1\t100\t110\nchr1\t120\t130\nchrZ\t0\t10\n")
    with pytest.warns(UserWarning):  # the chrZ line goes to r.NA
        identity.get_predictions(str(bed), tmp_path / "out", output_format="hdf5")
    assert summaries() == [
        f"r.bed: 2 intervals predicted, 1 line to r.NA -> {tmp_path}/out/ (r_predictions.h5, "
        "r_row_labels.txt, r.NA) in 12.0 s (6.0 s/interval)"
    ]


def test_ism_of_one_sequence(identity, tmp_path, summaries):
    identity.in_silico_mutagenesis(
        "ACGT" * 5, ["logits", "diffs"], output_path_prefix=tmp_path / "ism" / "x"
    )
    # L = 20 positions, 3 alternatives each: 60 mutations in 12 s
    assert L == 20
    assert summaries() == [
        f"ISM: 1 sequence, 60 mutations -> {tmp_path}/ism/ (x_diffs.tsv, x_logits.tsv) "
        "in 12.0 s (5.00 mutations/s)"
    ]


def test_ism_of_a_fasta_file_shortens_a_long_list(identity, tmp_path, summaries):
    fasta = write_fasta(tmp_path / "seqs.fa", {n: "ACGT" * 5 for n in "abc"})
    identity.in_silico_mutagenesis_from_file(
        fasta, ["diffs", "predictions"], tmp_path / "ism", end_position=10
    )
    # 10 positions x 3 alternatives x 3 records = 90 mutations; 6 files
    assert summaries() == [
        f"ISM seqs.fa: 3 sequences, 90 mutations -> {tmp_path}/ism/ (a_diffs.tsv, "
        "a_predictions.tsv, b_diffs.tsv, ... 6 files) in 12.0 s (7.50 mutations/s)"
    ]


def test_vep_names_its_outputs(identity, tmp_path, summaries):
    vcf = write_vcf(tmp_path / "v.vcf", [("chr1", 100, "a", CHR1[99], "G")] * 3)
    identity.variant_effect_prediction(vcf, ["diffs"], output_dir=tmp_path / "out")
    assert summaries() == [
        f"v.vcf: 3 variants scored from 3 records, 0 rejected (see the .NA file) -> "
        f"{tmp_path}/out/ (v_diffs.tsv, v.NA) in 12.0 s (4.0 s/variant)"
    ]


def test_written_and_count():
    assert written([]) == "nothing written"
    assert written(["a.tsv"]) == f".{os.sep} (a.tsv)"
    assert written(["o/x/a.tsv", "o/y/b.tsv"]) == "o/ (x/a.tsv, y/b.tsv)"
    many = [f"o/{i}.h5" for i in range(5)]
    assert written(many) == "o/ (0.h5, 1.h5, 2.h5, ... 5 files)"
    assert written(many, shown=5) == "o/ (0.h5, 1.h5, 2.h5, 3.h5, 4.h5)"
    assert [count(1, "line"), count(1200, "line"), count(2, "batch", "batches")] == [
        "1 line",
        "1,200 lines",
        "2 batches",
    ]


def test_short_runs_show_hundredths(caplog):
    from selene_sdk.predict.files.summary import log_summary

    caplog.set_level(logging.INFO, logger="selene")
    assert (
        log_summary("x", ["o/a.tsv"], 0.25, 5, "row") == "x -> o/ (a.tsv) in 0.25 s (20.0 rows/s)"
    )
    assert log_summary("x", ["o/a.tsv"], 3.0, 0, "row") == "x -> o/ (a.tsv) in 3.0 s"
    assert [r.getMessage() for r in caplog.records][-1] == "x -> o/ (a.tsv) in 3.0 s"
