"""ISMResult: round trips from hand-written ISM tables, partial windows and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selene_sdk.errors import InputFormatError
from selene_sdk.interpret import ISMResult
from selene_sdk.sequences import Genome, Proteome
from tests.interpret.ism_tables import exact, expected_matrix, fmt, ism_table


def test_round_trip_predictions_file(tmp_path):
    rng = np.random.default_rng(1)
    sequence = "ACGTTGCANA"
    f1 = exact(rng.uniform(0, 1, size=(10, 4)))
    f2 = exact(rng.uniform(0, 1, size=(10, 4)))
    path = tmp_path / "ism_predictions.tsv"
    path.write_text(ism_table(sequence, {"f1": f1, "f2": f2}, {"f1": 0.5, "f2": 0.125}))

    result = ISMResult.from_file(path)
    assert result.reference_sequence == sequence
    assert result.sequence_type is Genome
    assert result.features == ["f1", "f2"]
    assert (result.start_position, result.end_position) == (0, 10)
    assert result.has_reference_prediction

    m1 = result.get_score_matrix_for("f1")
    assert m1.shape == (10, 4) and m1.dtype == np.float64
    np.testing.assert_array_equal(m1, expected_matrix(sequence, f1, 0.5))
    np.testing.assert_array_equal(
        result.get_score_matrix_for("f2"), expected_matrix(sequence, f2, float(fmt(0.125)))
    )
    # the N at position 8 has all four letters as mutations
    np.testing.assert_array_equal(m1[8], f1[8])
    masked = result.get_score_matrix_for("f1", reference_mask=-1.0, dtype=np.float32)
    assert masked.dtype == np.float32
    np.testing.assert_allclose(masked, expected_matrix(sequence, f1, -1.0), rtol=1e-6)


def test_logits_file_without_reference_row(tmp_path):
    sequence = "GATC"
    scores = exact(np.linspace(-2, 2, 16).reshape(4, 4))
    path = tmp_path / "ism_logits.tsv"
    path.write_text(ism_table(sequence, {"CTCF": scores}, None))
    result = ISMResult.from_file(path)
    assert not result.has_reference_prediction
    np.testing.assert_array_equal(
        result.get_score_matrix_for("CTCF"), expected_matrix(sequence, scores, 0.0)
    )


def test_partial_window(tmp_path):
    sequence = "CGNT"
    scores = exact(np.arange(16, dtype=float).reshape(4, 4) / 16)
    path = tmp_path / "window_diffs.tsv"
    path.write_text(ism_table(sequence, {"f": scores}, None, start=100))
    result = ISMResult.from_file(path)
    assert (result.start_position, result.end_position) == (100, 104)
    assert result.reference_sequence == sequence
    np.testing.assert_array_equal(
        result.get_score_matrix_for("f"), expected_matrix(sequence, scores, 0.0)
    )


def test_unknown_reference_cells_without_rows_are_zero():
    # an N position with only two of its four mutation rows present
    frame = pd.DataFrame(
        [
            ["input_sequence", "NA", "NA", "9.00e-01"],
            ["0", "A", "C", "1.00e-01"],
            ["0", "A", "G", "2.00e-01"],
            ["0", "A", "T", "3.00e-01"],
            ["1", "N", "A", "4.00e-01"],
            ["1", "N", "T", "5.00e-01"],
        ],
        columns=["pos", "ref", "alt", "f"],
    )
    matrix = ISMResult(frame).get_score_matrix_for("f")
    np.testing.assert_allclose(matrix, [[0.9, 0.1, 0.2, 0.3], [0.4, 0.0, 0.0, 0.5]])


def test_numeric_data_frame_and_pandas_na():
    frame = pd.DataFrame(
        {
            "pos": [np.nan, 0, 0, 0],
            "ref": [np.nan, "C", "C", "C"],
            "alt": [np.nan, "A", "G", "T"],
            "f": [0.5, 0.1, 0.2, 0.3],
        }
    )
    frame["pos"] = frame["pos"].astype("Int64").astype(str).replace("<NA>", "input_sequence")
    result = ISMResult(frame)
    np.testing.assert_allclose(result.get_score_matrix_for("f"), [[0.1, 0.5, 0.2, 0.3]])


def test_protein_sequence_type():
    letters = Proteome.BASES_ARR
    rows = [["0", "M", alt, "1.00e+00"] for alt in letters if alt != "M"]
    frame = pd.DataFrame(rows, columns=["pos", "ref", "alt", "f"])
    result = ISMResult(frame, sequence_type=Proteome)
    matrix = result.get_score_matrix_for("f")
    assert matrix.shape == (1, 20)
    assert matrix[0, letters.index("M")] == 0.0
    assert matrix.sum() == 19.0


@settings(max_examples=40, deadline=None)
@given(
    sequence=st.text(alphabet="ACGTN", min_size=1, max_size=12),
    start=st.integers(0, 50),
    ref_value=st.one_of(st.none(), st.sampled_from([0.0, 0.25, 0.5, 1.0])),
    seed=st.integers(0, 2**16),
)
def test_round_trip_property(sequence, start, ref_value, seed):
    scores = exact(np.random.default_rng(seed).uniform(-1, 1, size=(len(sequence), 4)))
    text = ism_table(
        sequence, {"f": scores}, None if ref_value is None else {"f": ref_value}, start=start
    )
    lines = [line.split("\t") for line in text.splitlines()]
    result = ISMResult(pd.DataFrame(lines[1:], columns=lines[0]))
    assert result.reference_sequence == sequence
    assert result.start_position == start
    expected = expected_matrix(sequence, scores, 0.0 if ref_value is None else ref_value)
    np.testing.assert_array_equal(result.get_score_matrix_for("f"), expected)


# -- errors ------------------------------------------------------------------------------------
def write(tmp_path, text, name="ism_logits.tsv"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        ("0\tA\tC\t1\n0\tG\tT\t2\n", "conflicting reference letters at pos 0", 3),
        ("0\tA\tC\t1\n2\tA\tC\t2\n", "positions 1 have no rows", None),
        ("0\tA\tC\t1\n0\tA\tC\t2\n", "repeated mutation pos 0", 3),
        ("0;1\tA;C\tC;G\t1\n", "multi-base mutation", 2),
        ("x\tA\tC\t1\n", "not a non-negative integer", 2),
        ("0\tU\tC\t1\n", "reference letter 'U' is not in the alphabet", 2),
        ("0\tA\tZ\t1\n", "alternative letter 'Z'", 2),
        ("0\tA\tC\t1\ninput_sequence\tNA\tNA\t1\n", "only the first row", 3),
    ],
)
def test_malformed_tables_name_the_line(tmp_path, body, message, line):
    path = write(tmp_path, "pos\tref\talt\tf\n" + body)
    with pytest.raises(InputFormatError, match=message) as info:
        ISMResult.from_file(path)
    assert info.value.path == str(path)
    assert info.value.line == line


def test_bad_value_names_the_line(tmp_path):
    path = write(
        tmp_path, "pos\tref\talt\tf\ninput_sequence\tNA\tNA\t0.5\n0\tA\tC\t0.1\n0\tA\tG\toops\n"
    )
    result = ISMResult.from_file(path)
    with pytest.raises(InputFormatError, match="'oops' is not a number") as info:
        result.get_score_matrix_for("f")
    assert info.value.line == 4


def test_unknown_feature_lists_available(tmp_path):
    path = write(tmp_path, "pos\tref\talt\tCTCF\tPol2\n0\tA\tC\t1\t2\n")
    with pytest.raises(ValueError, match="unknown feature 'GATA1'; available features: CTCF, Pol2"):
        ISMResult.from_file(path).get_score_matrix_for("GATA1")


def test_wrong_file_kinds(tmp_path):
    vep = write(
        tmp_path,
        "chrom\tpos\tname\tref\talt\tstrand\tref_match\tcontains_unk\tf\n"
        "chr1\t10\trs1\tA\tG\t+\tTrue\tFalse\t1.00e-01\n",
        "v_abs_diffs.tsv",
    )
    with pytest.raises(InputFormatError, match="variant effect prediction output"):
        ISMResult.from_file(vep)
    with pytest.raises(FileNotFoundError):
        ISMResult.from_file(tmp_path / "absent.tsv")
    h5 = write(tmp_path, "", "ism_logits.h5")
    with pytest.raises(InputFormatError, match="HDF5"):
        ISMResult.from_file(h5)
    with pytest.raises(InputFormatError, match="empty"):
        ISMResult.from_file(write(tmp_path, ""))
    with pytest.raises(InputFormatError, match="no feature columns"):
        ISMResult.from_file(write(tmp_path, "pos\tref\talt\n0\tA\tC\n"))
    with pytest.raises(ValueError, match="row 1: conflicting"):
        ISMResult(
            pd.DataFrame(
                [["0", "A", "C", "1"], ["0", "C", "G", "1"]], columns=["pos", "ref", "alt", "f"]
            )
        )
