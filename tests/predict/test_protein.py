"""Protein models: the alphabet of an analysis comes from its reference sequence (the 20
amino acids of a Proteome), through the array API, AnalyzeSequences and the command line."""

from __future__ import annotations

import textwrap

import h5py
import numpy as np
import pytest
import torch
from torch import nn

from selene_sdk.cli import main
from selene_sdk.predict import AnalyzeSequences, predict, saturation_mutagenesis
from selene_sdk.predict.mutations import in_silico_mutagenesis_sequences
from selene_sdk.sequences import Genome, Proteome
from selene_sdk.sequences.encoding import PROTEIN, encode_many

from .helpers import read_tsv, tsv_values, write_fasta

W = PROTEIN.letters.index("W")  # column 17 of A R N D C E Q G H I L K M F P S T W Y V

MODEL_SOURCE = textwrap.dedent(
    """
    import torch
    from torch import nn


    class CountW(nn.Module):
        '''Tryptophans per sequence and the fraction of unknown residues (X rows: 0.05).'''

        def __init__(self, sequence_length=6):
            super().__init__()
            self.w = nn.Conv1d(20, 1, 1, bias=False)  # column 17 is W
            with torch.no_grad():
                self.w.weight.zero_()
                self.w.weight[0, 17, 0] = 1.0

        def forward(self, x):
            unknown = (x == 0.05).all(dim=1).float().mean(dim=1)
            return torch.stack([self.w(x).sum(dim=(1, 2)), unknown], dim=1)


    def criterion():
        return nn.MSELoss()


    def get_optimizer(lr):
        return torch.optim.SGD, {"lr": lr}
    """
)


def count_w_model() -> nn.Module:
    namespace: dict = {}
    exec(compile(MODEL_SOURCE, "count_w.py", "exec"), namespace)
    return namespace["CountW"]()


def test_array_api_on_a_20_channel_model():
    x = encode_many(["MWAW", "XXWA", "wMKA"], PROTEIN)  # lower case is unknown for protein
    out = predict(count_w_model(), x)
    np.testing.assert_allclose(out, [[2, 0], [1 + 0.1, 0.5], [0.05, 0.25]], rtol=1e-6)
    ism = saturation_mutagenesis(count_w_model(), x[:1])
    assert ism.letters == PROTEIN.letters
    assert ism.mutations(0) == in_silico_mutagenesis_sequences("MWAW", reference_sequence=Proteome)
    assert len(ism.predictions) == 4 * 19
    dense = ism.to_array(4)[0, :, :, 0]  # (positions, 20 residues) of the W count
    np.testing.assert_allclose(dense[0], np.where(np.arange(20) == W, 3, 2))  # M -> W adds one
    np.testing.assert_allclose(dense[1], np.where(np.arange(20) == W, 2, 1))  # W -> any loses one


@pytest.fixture
def proteins(tmp_path):
    return write_fasta(tmp_path / "prots.fa", {"p1": "MWAWKL", "p2": "MWW", "p3": "WWWWWWWW"})


@pytest.mark.parametrize("reference", ["class", "instance"])
def test_analyze_sequences_encodes_with_the_proteome_alphabet(proteins, tmp_path, reference):
    ref = Proteome if reference == "class" else Proteome(proteins)
    a = AnalyzeSequences(count_w_model(), None, 6, ["W", "unknown"], batch_size=2,
                         reference_sequence=ref)  # fmt: skip
    assert a.engine.alphabet is PROTEIN
    np.testing.assert_allclose(a.get_predictions("MWAWKL"), [[2, 0]])
    with pytest.warns(UserWarning, match="padded with X or centre-truncated"):
        a.get_predictions(str(proteins), tmp_path / "out")
    _, rows = read_tsv(tmp_path / "out" / "prots_predictions.tsv")
    assert [r[1] for r in rows] == ["p1", "p2", "p3"]
    # p2 is padded with one X on the left, two on the right; p3 keeps its centre
    np.testing.assert_allclose(tsv_values(rows, 2), [[2, 0], [2.15, 0.5], [6, 0]], atol=5e-3)


def test_in_silico_mutagenesis_over_the_20_amino_acids(proteins, tmp_path):
    a = AnalyzeSequences(count_w_model(), None, 6, ["W", "unknown"], reference_sequence=Proteome)
    with pytest.warns(UserWarning, match="padded with X"):
        a.in_silico_mutagenesis_from_file(
            proteins, ["predictions", "diffs"], tmp_path / "ism", output_format="hdf5"
        )
    with h5py.File(tmp_path / "ism" / "p1_diffs.h5") as h5:
        diffs = h5["data"][:]
    labels = (tmp_path / "ism" / "p1_row_labels.txt").read_text().splitlines()[1:]
    assert len(labels) == len(diffs) == 6 * 19
    expected = [f"{p}\t{'MWAWKL'[p]}\t{alt}" for [(p, alt)] in in_silico_mutagenesis_sequences(
        "MWAWKL", reference_sequence=Proteome)]  # fmt: skip
    assert labels == expected
    for label, row in zip(labels, diffs):
        _, ref, alt = label.split("\t")
        assert row[0] == (alt == "W") - (ref == "W")
    # the short record: X (unknown) positions get all 20 residues
    p2 = (tmp_path / "ism" / "p2_row_labels.txt").read_text().splitlines()[1:]
    assert len(p2) == 3 * 20 + 3 * 19 and p2[0] == "0\tX\tA"


def test_dna_only_operations_refuse_a_proteome_clearly(proteins, tmp_path):
    a = AnalyzeSequences(count_w_model(), None, 6, ["W", "unknown"],
                         reference_sequence=Proteome(proteins))  # fmt: skip
    vcf = tmp_path / "v.vcf"
    vcf.write_text("p1\t2\t.\tW\tA\n")
    with pytest.raises(ValueError, match="needs a DNA reference: a Genome instance.*Proteome"):
        a.variant_effect_prediction(vcf, ["diffs"], output_dir=tmp_path)
    bed = tmp_path / "r.bed"
    bed.write_text("p1\t0\t3\n")
    with pytest.raises(ValueError, match="needs a DNA reference"):
        a.get_predictions(str(bed), tmp_path)


def test_a_dna_genome_with_a_protein_model_fails_at_construction(tmp_path):
    genome = Genome(write_fasta(tmp_path / "g.fa", {"chr1": "ACGT" * 10}))
    with pytest.raises(ValueError, match=r"4 channels \(ACGT\)"):
        AnalyzeSequences(count_w_model(), None, 6, ["W", "u"], reference_sequence=genome)


def test_command_line_prediction_and_ism_with_a_proteome(proteins, tmp_path):
    model_file = tmp_path / "count_w.py"
    model_file.write_text(MODEL_SOURCE)
    features = tmp_path / "features.txt"
    features.write_text("W\nunknown\n")
    config = tmp_path / "protein.yml"
    config.write_text(
        textwrap.dedent(f"""
        ops: [analyze]
        model: {{path: {model_file}, class: CountW, class_args: {{sequence_length: 6}}}}
        analyze_sequences: !obj:selene_sdk.predict.AnalyzeSequences {{
            trained_model_path: null,
            sequence_length: 6,
            features: !obj:selene_sdk.utils.load_features_list {{input_path: {features}}},
            reference_sequence: !obj:selene_sdk.sequences.Proteome {{input_path: {proteins}}},
        }}
        prediction: {{input_path: {proteins}, output_dir: {tmp_path / "pred"}}}
        in_silico_mutagenesis:
          input_path: {proteins}
          save_data: [predictions]
          output_dir: {tmp_path / "ism"}
        output_dir: {tmp_path / "run"}
        create_subdirectory: false
        """).lstrip()
    )
    assert main(["run", str(config)]) == 0
    _, rows = read_tsv(tmp_path / "pred" / "prots_predictions.tsv")
    np.testing.assert_allclose(tsv_values(rows, 2)[:, 0], [2, 2.15, 6], atol=5e-3)
    _, ism = read_tsv(tmp_path / "ism" / "p1_predictions.tsv")
    assert ism[0][:3] == ["input_sequence", "NA", "NA"] and len(ism) == 1 + 6 * 19
    assert ism[1][:3] == ["0", "M", "A"]


def test_a_tensor_input_keeps_its_channel_count():
    x = torch.from_numpy(encode_many(["MW"], PROTEIN))
    assert predict(count_w_model(), x).shape == (1, 2)
