"""`selene plot attribution`, the attribution file reader and the modisco-lite export."""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch
from torch import nn

pytest.importorskip("captum", reason="captum (the 'attribution' extra)")

from selene_sdk import cli
from selene_sdk.interpret import plot_command
from selene_sdk.interpret.attribution_file import AttributionFile
from selene_sdk.interpret.modisco import export_modisco
from selene_sdk.predict import AnalyzeSequences
from selene_sdk.predict.inputs import LUA_BASES
from selene_sdk.sequences.encoding import dna_alphabet

L = 12
SEQS = {"first": "ACGTACGTACGT", "second": "TTTTGGGGCCCN"}


class Linear(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.linear = nn.Linear(4 * L, 2)

    def forward(self, x):
        return self.linear(x.flatten(1))


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    plot_command.add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """(npz, h5) attribution files of a linear model: saliency = its weights."""
    root = tmp_path_factory.mktemp("attr")
    fasta = root / "seqs.fa"
    fasta.write_text("".join(f">{k}\n{v}\n" for k, v in SEQS.items()))
    analyzer = AnalyzeSequences(Linear(), None, L, ["up", "down"])
    (npz,) = analyzer.attribution(fasta, root, method="saliency")
    (h5,) = analyzer.attribution(fasta, root / "h5", method="saliency", output_format="hdf5")
    return npz, h5, analyzer.model.linear.weight.detach().numpy()


def test_reader_and_contributions(files):
    npz, h5, weight = files
    for path in (npz, h5):
        data = AttributionFile.from_file(path)
        assert data.features == ["up", "down"] and data.names == ["first", "second"]
        assert data.shape == (2, 2, L, 4) and data.settings["method"] == "saliency"
        assert data.labels.tolist() == [["0", "first"], ["1", "second"]]
        w = weight[1].reshape(4, L).T  # (L, A) gradient of "down"
        x = data.arrays(1, 1)["sequences"]
        # saliency: the gradient of the letter present, on that letter (N: shared equally)
        want = (w * x).sum(axis=1)[:, None] * x
        np.testing.assert_allclose(data.contributions(1, 1), want, atol=1e-6)
        assert np.allclose(data.contributions(1, 1)[-1], w[-1].mean() / 4)


def test_plot_png_and_defaults(files, tmp_path, capsys):
    npz, h5, _ = files
    out = tmp_path / "logo.png"
    args = parse("attribution", npz, "--feature", "up", "--name", "second", "-o", str(out))
    assert plot_command.run(args) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {out}" in capsys.readouterr().out
    args = parse("attribution", h5, "-f", "down", "--start", "2", "--end", "9", "--hypothetical")
    assert plot_command.run(args) == 0
    written = h5.replace("seqs_attributions.h5", "seqs_first_down.png")  # row 0 by default
    assert open(written, "rb").read(4) == b"\x89PNG"
    svg = tmp_path / "logo.svg"
    assert (
        plot_command.run(parse("attribution", npz, "-f", "up", "--index", "1", "-o", str(svg))) == 0
    )
    assert "<svg" in svg.read_text()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "has 2 features; choose one with --feature (available: up, down)"),
        (["-f", "sideways"], "no feature 'sideways' (available: up, down)"),
        (["-f", "up", "--name", "third"], "no sequence named 'third' (names: first, second)"),
        (["-f", "up", "--index", "2"], "--index must be in 0..1, got 2"),
        (["-f", "up", "--start", "5", "--end", "13"], "0 <= start < end <= 12"),
        (["-f", "up", "--start", "5", "--end", "5"], "0 <= start < end <= 12"),
        (["-f", "up", "-o", "x.jpg"], "choose a file name ending in .png, .svg, .pdf"),
    ],
)
def test_plot_errors(files, extra, message, capsys):
    assert plot_command.run(parse("attribution", files[0], *extra)) == 1
    assert message in capsys.readouterr().err


def test_not_an_attribution_file(tmp_path, capsys):
    other = tmp_path / "other.npz"
    np.savez(other, data=np.zeros(3))
    assert plot_command.run(parse("attribution", str(other))) == 1
    assert "is not an attribution file of selene_sdk (no attributions" in capsys.readouterr().err
    assert plot_command.run(parse("attribution", str(tmp_path / "gone.npz"))) == 1


def test_modisco_export_layout(files, tmp_path):
    npz, h5, _ = files
    ohe, attr = export_modisco(h5, tmp_path / "m", feature="down")
    assert ohe.endswith("ohe.npz") and attr.endswith("attr.npz")
    data = AttributionFile.from_file(npz)
    arrays = data.arrays(1)
    for path, want in ((ohe, arrays["sequences"]), (attr, arrays["hypothetical"])):
        loaded = np.load(path)
        assert loaded.files == ["arr_0"]  # what `modisco motifs -s/-a` reads
        got = loaded["arr_0"]
        assert got.shape == (2, 4, L) and got.dtype == np.float32
        if path == ohe:
            want = np.where(want == 1, 1.0, 0.0)  # the N of "second" is no letter
            assert got[1, :, -1].tolist() == [0, 0, 0, 0]
        np.testing.assert_allclose(got, want.transpose(0, 2, 1), atol=1e-7)
    with pytest.raises(ValueError, match="choose one with --feature"):
        export_modisco(npz, tmp_path / "m")


def test_modisco_export_puts_lua_columns_in_acgt_order(tmp_path):
    fasta = tmp_path / "s.fa"
    fasta.write_text(f">s\n{SEQS['first']}\n")
    analyzer = AnalyzeSequences(
        Linear(), None, L, ["up", "down"], reference_sequence=dna_alphabet(LUA_BASES)
    )
    (path,) = analyzer.attribution(fasta, tmp_path, method="saliency", features="up")
    assert AttributionFile.from_file(path).alphabet == LUA_BASES
    ohe, _ = export_modisco(path, tmp_path / "m")
    got = np.load(ohe)["arr_0"][0]  # (4, L) in A, C, G, T order
    assert "".join("ACGT"[i] for i in got.argmax(axis=0)) == SEQS["first"]


def test_attribution_to_modisco_command(files, tmp_path, capsys):
    assert cli.main(["attribution-to-modisco", files[0], "-f", "up", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "modisco motifs -s" in out and (tmp_path / "attr.npz").is_file()
    assert cli.main(["attribution-to-modisco", files[0], "-f", "nope", "-o", str(tmp_path)]) == 1
    assert "no feature 'nope'" in capsys.readouterr().err
