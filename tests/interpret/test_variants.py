"""VEP score reader (8-, 7- and 5-label-column layouts) and variant ordering."""

from __future__ import annotations

import numpy as np
import pytest

from selene_sdk.errors import InputFormatError
from selene_sdk.interpret import (
    load_variant_abs_diff_scores,
    ordered_variants_and_indices,
    sort_standard_chrs,
)

HEADER8 = "chrom\tpos\tname\tref\talt\tstrand\tref_match\tcontains_unk\tCTCF\tPol2\n"
ROWS8 = (
    "chr10\t50\trs2\tC\tT\t+\tTrue\tFalse\t2.00e-01\t3.00e-01\n"
    "chr1\t100\trs1\tA\tG\t+\tTrue\tFalse\t5.00e-01\t1.00e-02\n"
    "chrX\t7\t.\tG\tA\t-\tFalse\tTrue\t1.00e-01\t9.00e-01\n"
    "chr1\t100\trs1b\tA\tC\t+\tTrue\tFalse\t0.00e+00\t1.25e-01\n"
    "chr2\t300\trs3\t\t*\t+\tTrue\tFalse\t1.00e-03\t2.00e-03\n"
)


@pytest.fixture
def vep8(tmp_path):
    path = tmp_path / "variants_abs_diffs.tsv"
    path.write_text(HEADER8 + ROWS8)
    return path


def test_reads_current_eight_column_layout(vep8):
    scores, labels, features = load_variant_abs_diff_scores(vep8)
    assert features == ["CTCF", "Pol2"]
    assert scores.dtype == np.float64 and scores.shape == (5, 2)
    np.testing.assert_array_equal(
        scores, [[0.2, 0.3], [0.5, 0.01], [0.1, 0.9], [0.0, 0.125], [0.001, 0.002]]
    )
    assert labels[0] == ("chr10", "50", "rs2", "C", "T", "+", "True", "False")
    assert labels[2] == ("chrX", "7", ".", "G", "A", "-", "False", "True")
    assert labels[4][3:5] == ("", "*")  # empty ref (from "-") kept as an empty string


def test_reads_older_layouts(tmp_path):
    five = tmp_path / "old_abs_diffs.tsv"
    five.write_text("chrom\tpos\tname\tref\talt\tF\nchr1\t5\trs\tA\tG\t5.00e-01\n")
    scores, labels, features = load_variant_abs_diff_scores(five)
    assert features == ["F"] and labels == [("chr1", "5", "rs", "A", "G")]
    np.testing.assert_array_equal(scores, [[0.5]])
    seven = tmp_path / "v042_abs_diffs.tsv"
    seven.write_text(
        "chrom\tpos\tname\tref\talt\tstrand\tref_match\tF\nchr1\t5\trs\tA\tG\t+\tTrue\t1e-1\n"
    )
    scores, labels, features = load_variant_abs_diff_scores(seven)
    assert features == ["F"] and len(labels[0]) == 7
    np.testing.assert_array_equal(scores, [[0.1]])


def test_header_only_file(tmp_path):
    path = tmp_path / "empty_abs_diffs.tsv"
    path.write_text(HEADER8)
    scores, labels, features = load_variant_abs_diff_scores(path)
    assert scores.shape == (0, 2) and labels == [] and features == ["CTCF", "Pol2"]


def test_reader_errors(tmp_path):
    bad = tmp_path / "bad_abs_diffs.tsv"
    bad.write_text(HEADER8 + ROWS8 + "chr3\t1\trs\tA\tG\t+\tTrue\tFalse\t1.0\tabc\n")
    with pytest.raises(InputFormatError, match="'abc' is not a number") as info:
        load_variant_abs_diff_scores(bad)
    assert info.value.line == 7
    ism = tmp_path / "ism_logits.tsv"
    ism.write_text("pos\tref\talt\tF\n0\tA\tC\t1\n")
    with pytest.raises(InputFormatError, match="ISM output"):
        load_variant_abs_diff_scores(ism)
    with pytest.raises(FileNotFoundError):
        load_variant_abs_diff_scores(tmp_path / "missing.tsv")


@pytest.mark.parametrize(
    ("chrom", "key"),
    [
        ("chr1", 1),
        ("chr22", 22),
        ("chrX", 23),
        ("chrY", 24),
        ("chrM", 25),
        ("chrUn_gl000220", 26),
        ("chr1_gl000191_random", 26),
        ("7", 7),
        ("MT", 25),
        ("scaffold_3", 26),
    ],
)
def test_sort_standard_chrs(chrom, key):
    assert sort_standard_chrs(chrom) == key


def test_ordered_variants_and_indices(vep8):
    _, labels, _ = load_variant_abs_diff_scores(vep8)
    ordered, indices = ordered_variants_and_indices(labels)
    assert ordered == [
        ("chr1", 100, "A", "C"),
        ("chr1", 100, "A", "G"),
        ("chr2", 300, "", "*"),
        ("chr10", 50, "C", "T"),
        ("chrX", 7, "G", "A"),
    ]
    assert indices == [3, 1, 4, 0, 2]
    assert all(labels[i][0] == o[0] and int(labels[i][1]) == o[1] for o, i in zip(ordered, indices))
    assert ordered_variants_and_indices([]) == ([], [])
    with pytest.raises(ValueError, match="not an integer"):
        ordered_variants_and_indices([("chr1", "x", ".", "A", "G")])


def test_gzip_input_detected_by_content(tmp_path):
    import gzip

    path = tmp_path / "variants_abs_diffs.tsv"  # gzip data without a .gz suffix
    with gzip.open(path, "wt") as handle:
        handle.write(HEADER8 + ROWS8)
    scores, labels, _ = load_variant_abs_diff_scores(path)
    assert scores.shape == (5, 2) and labels[1][0] == "chr1"


def test_ragged_row_names_the_line(tmp_path):
    path = tmp_path / "ragged_abs_diffs.tsv"
    path.write_text(HEADER8 + ROWS8 + "chr3\t1\trs\tA\tG\t+\tTrue\tFalse\t1.0\t2.0\t3.0\n")
    with pytest.raises(InputFormatError, match="line 7"):
        load_variant_abs_diff_scores(path)
