"""The array API (predict, saturation_mutagenesis, variant_effects): hand-computed values,
agreement with the file operations, and the caller's model handed back as it was."""

from __future__ import annotations

import doctest
import warnings

import h5py
import numpy as np
import pytest
import torch
from torch import nn

import selene_sdk.predict.effects
import selene_sdk.predict.mutagenesis
import selene_sdk.predict.mutations
import selene_sdk.predict.prediction
from selene_sdk.forward import ModelInputError
from selene_sdk.predict import (
    AnalyzeSequences,
    SaturationMutagenesis,
    predict,
    saturation_mutagenesis,
    variant_effects,
)
from selene_sdk.predict.mutations import in_silico_mutagenesis_sequences
from selene_sdk.predict.variant_windows import build_variant_codes
from selene_sdk.sequences.encoding import DNA, encode_many

from .conftest import write_vcf
from .helpers import GcModel, LuaIdentityModel, SmallConv, random_dna, write_fasta


@pytest.mark.parametrize(
    "module",
    [
        selene_sdk.predict.prediction,
        selene_sdk.predict.mutagenesis,
        selene_sdk.predict.effects,
        selene_sdk.predict.mutations,
    ],
)
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def _read_h5(path) -> np.ndarray:
    with h5py.File(path) as h5:
        return h5["data"][:]


# -- predict ----------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [1, 2, 64])
def test_predict_by_hand(batch_size):
    x = encode_many(["GGCC", "AATT", "ACGN", "CCCC", "AAAA"])
    out = predict(GcModel(), x, batch_size=batch_size)
    expected = [[1, 0], [0, 0.5], [0.5 + 0.25 / 2, 0.25 + 0.25 / 4], [1, 0], [0, 1]]
    np.testing.assert_allclose(out, expected)
    assert out.dtype == np.float32 and out.shape == (5, 2)
    torch_out = predict(GcModel(), torch.from_numpy(x), batch_size=batch_size)
    np.testing.assert_array_equal(torch_out, out)


def test_predict_empty_input_and_bad_shapes():
    model = SmallConv(length=40, n_features=3)
    assert predict(model, np.zeros((0, 40, 4), np.float32)).shape == (0, 3)
    with pytest.raises(ValueError, match=r"\(N, L, A\)"):
        predict(model, np.zeros((40, 4), np.float32))
    with pytest.raises(ModelInputError, match=r"shape \(2, 4, 30\)"):
        predict(model, np.zeros((2, 30, 4), np.float32))
    # what Genome.get_encoding_from_coords returns past a chromosome end, batched
    with pytest.raises(ValueError, match=r"shape \(1, 0, 4\).*get_encoding_from_coords"):
        predict(model, np.zeros((1, 0, 4), np.float32))
    with pytest.raises(ValueError, match="batch_size"):
        predict(model, np.zeros((2, 40, 4), np.float32), batch_size=0)


def test_predict_lua_model_and_any_width():
    x = encode_many(["ACGT"])
    # LuaIdentityModel checks that it is given (B, A, 1, L); columns stay as given
    np.testing.assert_array_equal(predict(LuaIdentityModel(), x).reshape(4, 4), x[0].T)

    class Sum(nn.Module):
        def forward(self, x):
            return x.sum(dim=2)

    seven = np.arange(2 * 3 * 7, dtype=np.float32).reshape(2, 3, 7)  # 7 columns
    np.testing.assert_allclose(predict(Sum(), seven), seven.sum(axis=1))


def test_predict_hands_the_model_back_in_its_mode():
    model = nn.Sequential(nn.Flatten(), nn.Linear(40, 8), nn.Dropout(0.9), nn.Linear(8, 2))
    model.train()
    x = encode_many([random_dna(10, seed=s) for s in range(6)])
    a, b = predict(model, x), predict(model, x)
    np.testing.assert_array_equal(a, b)  # evaluation mode: no dropout
    assert all(m.training for m in model.modules())
    with torch.no_grad():
        model.eval()
        expected = model(torch.from_numpy(x).transpose(1, 2)).numpy()
    np.testing.assert_allclose(a, expected, rtol=1e-6, atol=1e-7)


def test_predict_equals_the_fasta_and_bed_file_predictions(genome, tmp_path):
    torch.manual_seed(0)
    model = SmallConv(length=20, n_features=3)
    seqs = [random_dna(20, seed=40 + i) for i in range(9)]
    fasta = write_fasta(tmp_path / "s.fa", {f"r{i}": s for i, s in enumerate(seqs)})
    a = AnalyzeSequences(model, None, 20, ["a", "b", "c"], batch_size=4, reference_sequence=genome)
    a.get_predictions(str(fasta), tmp_path / "out", output_format="hdf5")
    ours = predict(model, encode_many(seqs), batch_size=3)
    np.testing.assert_allclose(ours, _read_h5(tmp_path / "out" / "s_predictions.h5"), atol=1e-6)

    bed = tmp_path / "r.bed"
    bed.write_text("chr1\t50\t60\nchr1\t100\t101\nchr1\t200\t230\n")
    a.get_predictions(str(bed), tmp_path / "out", output_format="hdf5")
    windows = encode_many(
        [genome.get_sequence_from_coords("chr1", m - 10, m + 10) for m in (55, 100, 215)]
    )
    np.testing.assert_allclose(
        predict(model, windows), _read_h5(tmp_path / "out" / "r_predictions.h5"), atol=1e-6
    )


# -- saturation_mutagenesis -------------------------------------------------------------------
class CountG(nn.Module):
    def forward(self, x):
        return torch.stack([x[:, 2].sum(dim=1), x[:, 0].sum(dim=1)], dim=1)


def test_saturation_mutagenesis_by_hand_and_in_selene_order():
    x = encode_many(["AGN", "TTG"])
    ism = saturation_mutagenesis(CountG(), x, batch_size=2)
    assert isinstance(ism, SaturationMutagenesis)
    np.testing.assert_allclose(ism.reference, [[1.25, 1.25], [1, 0]])
    for i, seq in enumerate(["AGN", "TTG"]):
        assert ism.mutations(i) == in_silico_mutagenesis_sequences(seq)
    # AGN: 3 + 3 + 4 mutants (N gets every letter), TTG: 9
    np.testing.assert_array_equal(ism.sequence_index, [0] * 10 + [1] * 9)
    first = ism.predictions[ism.sequence_index == 0]
    # A->C, A->G, A->T, G->A, G->C, G->T, N->A, N->C, N->G, N->T
    np.testing.assert_allclose(first[:, 0], [1.25, 2.25, 1.25, 0.25, 0.25, 0.25, 1, 1, 2, 1])
    np.testing.assert_allclose(ism.scores("diffs")[:3, 0], [0, 1, 0])
    with pytest.raises(ValueError, match="score"):
        ism.scores("predictions")
    dense = ism.to_array(3)
    assert dense.shape == (2, 3, 4, 2)
    np.testing.assert_allclose(dense[1, 2, 2], ism.reference[1])  # the reference G of TTG
    np.testing.assert_allclose(dense[0, 0, 2, 0], 2.25)  # A -> G at position 0


def test_saturation_mutagenesis_range_and_pairs():
    x = encode_many(["ACGTAC"])
    ism = saturation_mutagenesis(CountG(), x, mutate_n_bases=2, start=1, end=4)
    assert ism.mutations(0) == in_silico_mutagenesis_sequences("ACGTAC", 2, None, 1, 4)
    assert ism.positions.shape == (27, 2)
    with pytest.raises(ValueError, match="mutate_n_bases=1"):
        ism.to_array(6)
    single = saturation_mutagenesis(CountG(), x, start=4)
    assert set(single.positions[:, 0].tolist()) == {4, 5}
    assert np.isnan(single.to_array(6)[0, 0]).all()  # not mutated
    with pytest.raises(ValueError, match="beyond"):
        saturation_mutagenesis(CountG(), x, end=9)


def test_saturation_mutagenesis_equals_the_ism_files(tmp_path):
    torch.manual_seed(1)
    model = SmallConv(length=20, n_features=3)
    seqs = [random_dna(20, seed=3), random_dna(18, seed=4)[:9] + "N" + random_dna(10, seed=5)]
    fasta = write_fasta(tmp_path / "m.fa", {"a": seqs[0], "b": seqs[1]})
    a = AnalyzeSequences(model, None, 20, ["x", "y", "z"], batch_size=5)
    save = ["diffs", "logits", "predictions"]
    a.in_silico_mutagenesis_from_file(fasta, save, tmp_path / "ism", output_format="hdf5")
    ism = saturation_mutagenesis(model, encode_many(seqs), batch_size=7)
    for i, name in enumerate("ab"):
        rows = ism.sequence_index == i
        out = tmp_path / "ism"

        def close(ours, file, atol=1e-6, out=out):
            np.testing.assert_allclose(ours, _read_h5(out / file), rtol=0, atol=atol)

        close(ism.predictions[rows], f"{name}_predictions.h5")
        close(ism.scores("diffs")[rows], f"{name}_diffs.h5")
        close(ism.scores("logits")[rows], f"{name}_logits.h5", atol=1e-5)
        close(ism.reference[i : i + 1], f"{name}_ref_predictions.h5")
        labels = (out / f"{name}_row_labels.txt").read_text().splitlines()[1:]
        expected = [f"{p}\t{seqs[i][p]}\t{letter}" for [(p, letter)] in ism.mutations(i)]
        assert labels == expected


# -- variant_effects --------------------------------------------------------------------------
def test_variant_effects_by_hand_and_errors():
    ref, alt = encode_many(["AGA", "GGG", "CCC"]), encode_many(["AAA", "GTG", "CGC"])
    out = variant_effects(CountG(), ref, alt, scores=("diffs", "abs_diffs"), batch_size=2)
    np.testing.assert_allclose(out.ref[:, 0], [1, 3, 0])
    np.testing.assert_allclose(out.alt[:, 0], [0, 2, 1])
    np.testing.assert_allclose(out.scores["diffs"][:, 0], [-1, -1, 1])
    np.testing.assert_allclose(out.scores["abs_diffs"][:, 0], [1, 1, 1])
    with pytest.raises(ValueError, match="same shape"):
        variant_effects(CountG(), ref, alt[:2])
    with pytest.raises(ValueError, match="predictions"):
        variant_effects(CountG(), ref, alt, scores=["predictions"])
    empty = variant_effects(CountG(), ref[:0], alt[:0])
    assert empty.ref.shape == (0, 2) and empty.scores["diffs"].shape == (0, 2)


def test_variant_effects_equal_the_vcf_scores(genome, tmp_path):
    from .conftest import CHR1

    torch.manual_seed(2)
    model = nn.Sequential(SmallConv(length=20, n_features=3), nn.Sigmoid())
    records = []
    for i, pos in enumerate(range(30, 250, 11)):
        ref = CHR1[pos - 1]
        alt = "A" if ref != "A" else "C"
        if i % 4 == 1:  # an insertion
            alt = ref + "GT"
        records.append(("chr1", pos, f"v{i}", ref, alt, ".", ".", ".", "+-"[i % 2]))
    vcf = write_vcf(tmp_path / "v.vcf", records)
    a = AnalyzeSequences(model, None, 20, ["x", "y", "z"], batch_size=4, reference_sequence=genome)
    save = ["diffs", "logits", "predictions"]
    a.variant_effect_prediction(
        vcf, save, output_dir=tmp_path, output_format="hdf5", strand_index=8
    )
    codes = build_variant_codes(
        genome, DNA, [r[0] for r in records], np.array([r[1] for r in records]),
        [r[3] for r in records], [r[4] for r in records], [r[8] for r in records], 20,
    )  # fmt: skip
    out = variant_effects(model, DNA.encode(codes.ref), DNA.encode(codes.alt), scores=save[:2])
    np.testing.assert_allclose(out.ref, _read_h5(tmp_path / "v.ref_predictions.h5"), atol=1e-6)
    np.testing.assert_allclose(out.alt, _read_h5(tmp_path / "v.alt_predictions.h5"), atol=1e-6)
    np.testing.assert_allclose(out.scores["diffs"], _read_h5(tmp_path / "v_diffs.h5"), atol=1e-6)
    np.testing.assert_allclose(out.scores["logits"], _read_h5(tmp_path / "v_logits.h5"), atol=1e-5)


def test_analyze_sequences_hands_the_model_back(genome, tmp_path):
    model = nn.Sequential(SmallConv(length=20, n_features=3), nn.Dropout(0.5))
    model.train()
    a = AnalyzeSequences(model, None, 20, ["x", "y", "z"], batch_size=4, reference_sequence=genome)
    assert all(m.training for m in model.modules())
    one = a.get_predictions("ACGT" * 5)
    a.in_silico_mutagenesis("ACGT" * 5, ["diffs"], tmp_path / "ism")
    bed = tmp_path / "r.bed"
    bed.write_text("chr1\t50\t60\n")
    a.get_predictions(str(bed), tmp_path)
    assert all(m.training for m in model.modules())
    np.testing.assert_array_equal(a.get_predictions("ACGT" * 5), one)  # no dropout


def test_evaluate_model_hands_the_model_back(tmp_path):
    from selene_sdk.evaluate_model import EvaluateModel

    class Sampler:
        def get_data_and_targets(self, batch_size, n_samples=None):
            x = encode_many(["ACGT" * 5] * 4)
            y = np.array([[1, 0, 1]] * 2 + [[0, 1, 0]] * 2, dtype=np.float32)
            return [(x, y)], y

    model = nn.Sequential(SmallConv(length=20, n_features=3), nn.Sigmoid())
    torch.save(model.state_dict(), tmp_path / "w.pth")
    model.train()
    evaluator = EvaluateModel(
        model, nn.BCELoss(), Sampler(), ["a", "b", "c"], str(tmp_path / "w.pth"),
        str(tmp_path / "out"), report_gt_feature_n_positives=0,
    )  # fmt: skip
    assert model.training
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        evaluator.evaluate()
    assert model.training
