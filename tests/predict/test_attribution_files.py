"""``AnalyzeSequences.attribution``: FASTA and BED inputs -> one file of attributions,
hypothetical contributions, inputs and labels, equal to ``attribute()`` called directly."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from torch import nn

pytest.importorskip("captum", reason="captum (the 'attribution' extra)")

from selene_sdk import distributed
from selene_sdk.errors import SeleneWarning
from selene_sdk.interpret.attribution import attribute, attribute_with_hypothetical
from selene_sdk.predict import AnalyzeSequences
from selene_sdk.predict.files import attribution as files
from selene_sdk.sequences import Genome
from selene_sdk.sequences.encoding import DNA

from .conftest import CHR1, L
from .helpers import write_fasta

FEATURES = ["f0", "f1", "f2"]


class Conv(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(3)
        self.conv = nn.Conv1d(4, 5, 3)
        self.relu = nn.ReLU()
        self.linear = nn.Linear(5 * (L - 2), 3)

    def forward(self, x):
        return self.linear(self.relu(self.conv(x)).flatten(1))


@pytest.fixture
def analyzer(genome):
    return AnalyzeSequences(Conv(), None, L, FEATURES, batch_size=2, reference_sequence=genome)


@pytest.fixture
def fasta(tmp_path):
    # four records: exact length, lower case, shorter (padded with N), longer (truncated)
    records = {"a": CHR1[:L], "b x": CHR1[20:40].lower(), "c": CHR1[50:64], "d": CHR1[: L + 6]}
    return write_fasta(tmp_path / "seqs.fa", records)


def encoded(sequences: list[str]) -> np.ndarray:
    return np.stack([DNA.encode(s.upper()) for s in sequences])


def test_fasta_file_holds_what_attribute_gives(analyzer, fasta, tmp_path):
    with pytest.warns(SeleneWarning, match="2 record"):
        (path,) = analyzer.attribution(
            fasta, tmp_path / "out", method="deeplift_shap", features=["f2", 0], n_shuffles=3,
            seed=5,
        )  # fmt: skip
    assert path == os.path.join(tmp_path / "out", "seqs_attributions.npz")
    data = np.load(path)
    assert set(data.files) == {
        *files.ARRAY_KEYS, "features", "alphabet", "names", "label_columns", "labels",
        *files.SETTING_KEYS,
    }  # fmt: skip
    seqs = [CHR1[:L], CHR1[20:40], "NNN" + CHR1[50:64] + "NNN", CHR1[3 : L + 3]]
    x = encoded(seqs)
    np.testing.assert_array_equal(data["sequences"], x)
    assert data["attributions"].shape == data["hypothetical"].shape == (4, 2, L, 4)
    assert data["attributions"].dtype == np.float32
    want, hyp = attribute_with_hypothetical(
        Conv(), x, method="deeplift_shap", target=[2, 0], n_shuffles=3, seed=5
    )
    np.testing.assert_allclose(data["attributions"], want, atol=1e-6)
    np.testing.assert_allclose(data["hypothetical"], hyp, atol=1e-6)
    assert data["features"].tolist() == ["f2", "f0"]
    assert data["alphabet"].tolist() == list("ACGT")
    assert data["names"].tolist() == ["a", "b", "c", "d"]
    assert data["label_columns"].tolist() == ["index", "name"]
    assert data["labels"].tolist() == [["0", "a"], ["1", "b"], ["2", "c"], ["3", "d"]]
    assert data["method"].item() == "deeplift_shap" and data["n_shuffles"].item() == 3
    assert data["seed"].item() == 5 and data["baselines"].item() == "shuffle"


def test_bed_rows_labels_and_na(analyzer, tmp_path):
    bed = tmp_path / "regions.bed"
    bed.write_text(
        "chr1\t100\t110\tx\t0\t+\n"  # window [95, 115)
        "chr9\t10\t20\tx\t0\t+\n"  # unknown chromosome
        "chr1\t150\t151\tx\t0\t-\n"  # window [140, 160), reverse complement
        "chr1\t0\t2\tx\t0\t+\n"  # window leaves the chromosome
    )
    with pytest.warns(SeleneWarning, match="2 line"):
        path, na = analyzer.attribution(
            bed, tmp_path, method="saliency", features="f1", output_format="hdf5",
            strand_index=5,
        )  # fmt: skip
    assert path.endswith("regions_attributions.h5") and na.endswith("regions.NA")
    import h5py

    with h5py.File(path) as h5:
        names = h5["names"].asstr()[()].tolist()
        labels = h5["labels"].asstr()[()].tolist()
        x = h5["sequences"][()]
        got = h5["attributions"][()]
        assert h5.attrs["method"] == "saliency" and h5["features"].asstr()[()].tolist() == ["f1"]
    assert names == ["chr1:100-110", "chr1:150-151(-)"]
    assert labels == [
        ["0", "chr1", "100", "110", "+", "False"],
        ["2", "chr1", "150", "151", "-", "False"],
    ]
    genome = Genome(analyzer.reference_sequence.input_path)
    want_x = encoded([CHR1[95:115], genome.get_sequence_from_coords("chr1", 140, 160, "-")])
    np.testing.assert_array_equal(x, want_x)
    np.testing.assert_allclose(got[:, 0], attribute(Conv(), want_x, method="saliency", target=1),
                               atol=1e-6)  # fmt: skip
    lines = open(na).read().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["chr9", "chr1"]
    assert "not in the reference FASTA" in lines[0] and "extends beyond chr1" in lines[1]


def test_hdf5_equals_npz_and_default_features(analyzer, fasta, tmp_path):
    with pytest.warns(SeleneWarning):
        (npz,) = analyzer.attribution(fasta, tmp_path / "n", n_steps=8)
        (h5,) = analyzer.attribution(fasta, tmp_path / "h", n_steps=8, output_format="hdf5")
    import h5py

    a = np.load(npz)
    with h5py.File(h5) as b:
        assert a["features"].tolist() == FEATURES  # default: every feature
        assert a["method"].item() == "integrated_gradients" and a["n_shuffles"].item() == 1
        for key in files.ARRAY_KEYS:
            np.testing.assert_array_equal(a[key], b[key][()])


def test_no_partial_file_when_it_fails(analyzer, fasta, tmp_path, monkeypatch):
    calls = []
    original = files._Arrays.append

    def failing(self, values):
        calls.append(1)
        if len(calls) == 2:  # the second batch
            raise RuntimeError("disk on fire")
        original(self, values)

    monkeypatch.setattr(files._Arrays, "append", failing)
    for fmt in ("npz", "hdf5"):
        calls.clear()
        out = tmp_path / fmt
        with pytest.raises(RuntimeError, match="disk on fire"):
            analyzer.attribution(fasta, out, method="saliency", output_format=fmt)
        assert os.listdir(out) == []  # neither the file nor its temporary


def test_bad_arguments(analyzer, fasta, tmp_path):
    out = tmp_path / "o"
    with pytest.raises(ValueError, match="method must be one of"):
        analyzer.attribution(fasta, out, method="gradcam")
    with pytest.raises(ValueError, match=r"'CTCF' is not a feature of the model \(f0, f1, f2\)"):
        analyzer.attribution(fasta, out, features=["CTCF"])
    with pytest.raises(ValueError, match="index 3 is out of range"):
        analyzer.attribution(fasta, out, features=3)
    with pytest.raises(ValueError, match="output_format must be one of npz, hdf5"):
        analyzer.attribution(fasta, out, output_format="tsv")
    with pytest.raises(ValueError, match="baselines must be"):
        analyzer.attribution(fasta, out, baselines="random")
    with pytest.raises(FileNotFoundError):
        analyzer.attribution(tmp_path / "missing.fa", out)
    fasta_only = AnalyzeSequences(Conv(), None, L, FEATURES)  # reference: the Genome class
    with pytest.raises(ValueError, match="BED attribution needs a DNA reference"):
        fasta_only.attribution(tmp_path / "x.bed", out)
    assert not out.exists()


def test_only_rank_0_runs_it(analyzer, fasta, tmp_path, monkeypatch):
    class Rank1:
        is_main = False

    monkeypatch.setattr(distributed, "current", lambda: Rank1())
    assert analyzer.attribution(fasta, tmp_path / "o") == []
    assert not (tmp_path / "o").exists()
