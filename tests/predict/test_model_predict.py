"""AnalyzeSequences construction, documented import paths and the handler adapters."""

from __future__ import annotations

import os

import h5py
import numpy as np
import pytest
import torch

from selene_sdk.models import NonStrandSpecific
from selene_sdk.predict import AnalyzeSequences, predict_handlers
from selene_sdk.predict._common import (
    _pad_sequence,
    _truncate_sequence,
    get_reverse_complement,
    get_reverse_complement_encoding,
)
from selene_sdk.predict.model_predict import (
    ISM_COLS,
    VARIANTEFFECT_COLS,
    in_silico_mutagenesis_sequences,
)
from selene_sdk.sequences.encoding import DNA

from .conftest import L
from .helpers import IdentityModel, SmallConv, identity_features, read_tsv


def test_documented_names():
    assert ISM_COLS == ["pos", "ref", "alt"]
    assert VARIANTEFFECT_COLS == [
        "chrom", "pos", "name", "ref", "alt", "strand", "ref_match", "contains_unk",
    ]  # fmt: skip
    assert callable(in_silico_mutagenesis_sequences)
    for name in (
        "PredictionsHandler", "write_to_hdf5_file", "write_to_tsv_file", "AbsDiffScoreHandler",
        "DiffScoreHandler", "LogitScoreHandler", "WritePredictionsHandler", "WriteRefAltHandler",
    ):  # fmt: skip
        assert hasattr(predict_handlers, name)


def test_common_helpers():
    assert _pad_sequence("acg", 6) == "NACGNN"
    assert _truncate_sequence("aaCGTtt", 3) == "CGT"
    assert get_reverse_complement("ACG", {"A": "T", "C": "G", "G": "C", "T": "A"}) == "CGT"
    assert get_reverse_complement("-", {}) == "*"
    enc = DNA.encode("ACGN")
    agct = get_reverse_complement_encoding(
        enc[:, [0, 2, 1, 3]], ["A", "G", "C", "T"], {"A": "T", "C": "G", "G": "C", "T": "A"}
    )
    assert DNA.decode(agct[:, [0, 2, 1, 3]]) == "NCGT"


def test_weights_are_loaded_from_checkpoint(tmp_path):
    trained = SmallConv(length=L, n_features=3)
    path = tmp_path / "best_model.pth.tar"
    torch.save({"state_dict": NonStrandSpecific(trained).state_dict(), "step": 3}, path)
    a = AnalyzeSequences(SmallConv(length=L, n_features=3), str(path), L, ["a", "b", "c"])
    with torch.inference_mode():
        x = torch.as_tensor(DNA.encode("ACGT" * 5).T[None].copy())
        expected = trained.eval()(x).numpy()
    np.testing.assert_allclose(a.get_predictions("ACGT" * 5), expected, rtol=1e-6)


def test_features_must_match_model_width():
    with pytest.raises(ValueError, match=r"returns 80 values per sequence but features lists 3"):
        AnalyzeSequences(IdentityModel(), None, L, ["a", "b", "c"])


def test_sequence_length_must_suit_model():
    with pytest.raises(ValueError, match="cannot run on sequences of length 25"):
        AnalyzeSequences(SmallConv(length=L, n_features=3), None, 25, ["a", "b", "c"])


def test_features_from_file(tmp_path):
    path = tmp_path / "features.txt"
    path.write_text("\n".join(identity_features(L)) + "\n")
    a = AnalyzeSequences(IdentityModel(), None, L, str(path))
    assert a.features == identity_features(L)


def test_missing_weights_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        AnalyzeSequences(IdentityModel(), str(tmp_path / "nope.pth"), L, identity_features(L))


def test_handler_adapters(tmp_path):
    ids = [("chr1", 5), ("chr2", 6)]
    ref = np.array([[0.5, 0.25], [0.5, 0.5]], dtype=np.float32)
    alt = np.array([[0.75, 0.25], [0.25, 0.5]], dtype=np.float32)
    diff = predict_handlers.DiffScoreHandler(["f", "g"], ["c", "p"], str(tmp_path / "x"), "tsv")
    diff.handle_batch_predictions(alt, ids, ref)
    diff.write_to_file()
    header, rows = read_tsv(tmp_path / "x_diffs.tsv")
    assert header == ["c", "p", "f", "g"]
    assert rows == [["chr1", "5", "2.50e-01", "0.00e+00"], ["chr2", "6", "-2.50e-01", "0.00e+00"]]
    with pytest.raises(ValueError, match="output_size"):
        predict_handlers.WritePredictionsHandler(["f"], ["c"], str(tmp_path / "y"), "hdf5")
    refalt = predict_handlers.WriteRefAltHandler(
        ["f", "g"], ["c", "p"], str(tmp_path / "v"), "hdf5", output_size=2
    )
    refalt.handle_batch_predictions(alt, ids, ref)
    refalt.write_to_file()
    assert sorted(os.listdir(tmp_path)) == [
        "v.alt_predictions.h5",
        "v.ref_predictions.h5",
        "v_row_labels.txt",
        "x_diffs.tsv",
    ]
    with h5py.File(tmp_path / "v.ref_predictions.h5") as h5:
        np.testing.assert_array_equal(h5["data"][:], ref)
    assert open(tmp_path / "v_row_labels.txt").read() == "c\tp\nchr1\t5\nchr2\t6\n"
    assert predict_handlers.probabilities_to_string([0.5, 1e-3]) == "5.00e-01\t1.00e-03"
