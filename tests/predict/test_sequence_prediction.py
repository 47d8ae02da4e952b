"""Predictions for a sequence string, FASTA records and BED intervals."""

from __future__ import annotations

import gzip
import os

import h5py
import numpy as np
import pytest

from selene_sdk.errors import InputFormatError, SeleneWarning
from selene_sdk.predict import AnalyzeSequences
from selene_sdk.sequences.encoding import DNA

from .conftest import CHR1, CHR2, L
from .helpers import GcModel, IdentityModel, decode, identity_features, read_tsv, tsv_values


def test_sequence_string_returns_array(identity):
    out = identity.get_predictions("ACGT")
    assert out.shape == (1, 4 * L)
    assert decode(out, L) == ["N" * 8 + "ACGT" + "N" * 8]
    long = "T" * 3 + "ACGT" * 5 + "G" * 4
    assert decode(identity.get_predictions(long), L) == [long[3:23]]


def test_gc_model_hand_computed():
    a = AnalyzeSequences(GcModel(), None, 8, ["gc", "a"])
    np.testing.assert_allclose(a.get_predictions("GGCCAATT"), [[0.5, 0.25]])
    # N rows are 0.25 in every column: GC counts 0.5 per N
    np.testing.assert_allclose(a.get_predictions("NNNNNNNN"), [[0.5, 0.25]])


def test_fasta_predictions(identity, tmp_path):
    fasta = tmp_path / "seqs.fasta"
    fasta.write_text(">one first\nACGT\nACGT\n>two\n" + "g" * 25 + "\n>three\n" + "T" * 20 + "\n")
    with pytest.warns(SeleneWarning, match="2 record"):
        identity.get_predictions(fasta, tmp_path / "out")
    assert os.listdir(tmp_path / "out") == ["seqs_predictions.tsv"]
    header, rows = read_tsv(tmp_path / "out" / "seqs_predictions.tsv")
    assert header[:2] == ["index", "name"]
    assert [r[:2] for r in rows] == [["0", "one"], ["1", "two"], ["2", "three"]]
    assert decode(tsv_values(rows, 2), L) == ["N" * 6 + "ACGTACGT" + "N" * 6, "G" * 20, "T" * 20]


def test_fasta_gz_and_hdf5(identity, tmp_path):
    path = tmp_path / "s.fa.gz"
    with gzip.open(path, "wt") as handle:
        for i in range(9):
            handle.write(f">r{i}\n{'ACGT' * 5}\n")
    identity.get_predictions(str(path), tmp_path, output_format="hdf5")
    with h5py.File(tmp_path / "s_predictions.h5") as h5:
        assert h5["data"].shape == (9, 4 * L)
    labels = open(tmp_path / "s_row_labels.txt").read().splitlines()
    assert labels[0] == "index\tname" and labels[9] == "8\tr8"


def test_bed_predictions(identity, tmp_path):
    bed = tmp_path / "regions.bed"
    bed.write_text(
        "track name=x\n"
        "chr1\t100\t130\tr1\t0\t+\n"
        "1\t200\t201\tr2\t0\t-\n"
        "chr1\t0\t4\tedge\t0\t+\n"
        "chrQ\t10\t20\n"
        "chr1\tx\t20\n"
        "chr2\t40\t50\tn\t0\t.\n"
        "chr1\t50\t60\n"
    )
    with pytest.warns(SeleneWarning):
        identity.get_predictions(str(bed), tmp_path / "o", strand_index=5)
    assert sorted(os.listdir(tmp_path / "o")) == ["regions.NA", "regions_predictions.tsv"]
    header, rows = read_tsv(tmp_path / "o" / "regions_predictions.tsv")
    assert header[:6] == ["index", "chrom", "start", "end", "strand", "contains_unk"]
    assert [r[:6] for r in rows] == [
        ["1", "chr1", "100", "130", "+", "False"],
        ["2", "chr1", "200", "201", "-", "False"],
        ["6", "chr2", "40", "50", ".", "True"],
        ["7", "chr1", "50", "60", ".", "False"],
    ]
    seqs = decode(tsv_values(rows, 6), L)
    assert seqs[0] == CHR1[115 - 10 : 115 + 10]  # mid = 115, window [mid - 10, mid + 10)
    assert seqs[1] == DNA.reverse_complement(CHR1[190:210])
    assert seqs[2] == CHR2[35:55]
    na = open(tmp_path / "o" / "regions.NA").read().splitlines()
    assert [line.split("\t")[0] for line in na] == ["chr1", "chrQ", "chr1"]
    assert "extends beyond chr1" in na[0] and "not in the reference" in na[1]
    assert "not non-negative integers" in na[2]


def test_bed_strand_index_beyond_columns_warns(identity, tmp_path):
    bed = tmp_path / "r.bed"
    bed.write_text("chr1\t100\t130\n")
    with pytest.warns(SeleneWarning, match="strand_index=7 is beyond the columns of 1 line"):
        identity.get_predictions(str(bed), tmp_path, strand_index=7)
    _, rows = read_tsv(tmp_path / "r_predictions.tsv")
    assert rows[0][4] == "."


def test_empty_fasta_and_bed(identity, tmp_path):
    (tmp_path / "e.fa").write_text("")
    (tmp_path / "e.bed").write_text("")
    with pytest.warns(SeleneWarning, match="no FASTA records"):
        identity.get_predictions(str(tmp_path / "e.fa"), tmp_path / "f", output_format="hdf5")
    with h5py.File(tmp_path / "f" / "e_predictions.h5") as h5:
        assert h5["data"].shape == (0, 4 * L)
    with pytest.warns(SeleneWarning, match="no intervals"):
        identity.get_predictions(str(tmp_path / "e.bed"), tmp_path / "b")
    assert open(tmp_path / "b" / "e_predictions.tsv").read().count("\n") == 1
    assert open(tmp_path / "b" / "e.NA").read() == ""


def test_not_a_fasta(identity, tmp_path):
    bad = tmp_path / "x.fa"
    bad.write_text("ACGT\n")
    with pytest.raises(InputFormatError, match="not FASTA"):
        identity.get_predictions(str(bad), tmp_path / "o")


def test_bed_needs_genome_instance(tmp_path):
    a = AnalyzeSequences(IdentityModel(), None, L, identity_features(L))
    bed = tmp_path / "r.bed"
    bed.write_text("chr1\t1\t2\n")
    with pytest.raises(ValueError, match="Genome instance"):
        a.get_predictions(str(bed), tmp_path)


def test_file_path_without_output_dir(identity, tmp_path):
    fasta = tmp_path / "s.fa"
    fasta.write_text(">a\nACGT\n")
    with pytest.raises(ValueError, match="output_dir"):
        identity.get_predictions(str(fasta))


def _mixed_bed(n: int, seed: int = 0) -> str:
    """``n`` BED lines: mostly plain intervals on both chromosomes and strands, with blank,
    header, malformed, out-of-range and spaced lines among them."""
    rng = np.random.default_rng(seed)
    odd = [
        "",
        "# comment",
        "chr1\tx\t20",
        "chrQ\t10\t20",
        "chr1\t5\t2",
        "chr1\t0\t4\te\t0\t+",
        "chr1\t 60\t70 \tsp\t0\t- ",
        "1\t100\t101\tr\t0\t+",
        "chr2\t40\t50\tn\t0\t?",
        "chr1\t99999999999999999999\t99999999999999999999\tbig\t0\t+",
    ]
    lines = []
    for i in range(n):
        if rng.random() < 0.08:
            lines.append(odd[int(rng.integers(len(odd)))])
            continue
        chrom, size = ("chr1", len(CHR1)) if rng.random() < 0.7 else ("chr2", len(CHR2))
        start = int(rng.integers(L, size - 2 * L))
        strand = "+-."[int(rng.integers(3))]
        lines.append(f"{chrom}\t{start}\t{start + int(rng.integers(0, L))}\tr{i}\t0\t{strand}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("block", [1, 3, 16])
def test_bed_blocks_give_the_same_outputs_as_line_by_line(identity, tmp_path, monkeypatch, block):
    # One block holding the whole file is parsed line by line (it has unusable lines);
    # small blocks mostly take the column-wise path. Both must write the same files.
    import selene_sdk.io.bed as sp

    bed = tmp_path / "mixed.bed"
    bed.write_text(_mixed_bed(300))
    outputs = {}
    for size in (10**6, block):
        monkeypatch.setattr(sp, "BED_BLOCK_LINES", size)
        out = tmp_path / f"o{size}"
        with pytest.warns(SeleneWarning):
            identity.get_predictions(str(bed), out, strand_index=5)
        outputs[size] = {name: (out / name).read_text() for name in sorted(os.listdir(out))}
    assert outputs[block] == outputs[10**6]
    rows = outputs[block]["mixed_predictions.tsv"].splitlines()
    assert len(rows) > 250  # the plain lines were predicted, not sent to the .NA file
    na = outputs[block]["mixed.NA"].splitlines()
    assert any("not non-negative integers" in line for line in na)


def test_bed_start_with_non_decimal_digits_goes_to_na(identity, tmp_path):
    # "²" passes str.isdigit() but int() rejects it: this used to raise a ValueError.
    bed = tmp_path / "r.bed"
    bed.write_text("chr1\t1\u00b2\t130\nchr1\t100\t130\n")
    with pytest.warns(SeleneWarning):
        identity.get_predictions(str(bed), tmp_path)
    _, rows = read_tsv(tmp_path / "r_predictions.tsv")
    assert [r[:4] for r in rows] == [["1", "chr1", "100", "130"]]
    na = (tmp_path / "r.NA").read_text().splitlines()
    assert len(na) == 1 and "not non-negative integers" in na[0]


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_bed_strand_index_must_be_a_column_index(identity, tmp_path, bad, error):
    # a negative index used to count columns from the end of each line (IndexError on
    # shorter lines)
    bed = tmp_path / "r.bed"
    bed.write_text("chr1\t100\t130\tr\t0\t+\n")
    with pytest.raises(error, match="strand_index"):
        identity.get_predictions(str(bed), tmp_path, strand_index=bad)
