"""``selene plot``: ``run`` driven directly through argparse, end to end."""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from selene_sdk.interpret import ISMResult, plot_command
from selene_sdk.interpret.ism_figure import ism_figure
from selene_sdk.interpret.rescale import rescale_score_matrix
from tests.interpret.ism_tables import exact, ism_table
from tests.interpret.test_variants import HEADER8, ROWS8

SEQUENCE = "TTACGTGCATTA"  # planted motif CGTG at positions 3-6
MOTIF = slice(3, 7)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="selene plot")
    plot_command.add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.fixture
def ism_files(tmp_path):
    """ISM tables in which mutating the motif lowers the prediction 0.9 -> 0.1."""
    n = len(SEQUENCE)
    preds = np.full((n, 4), 0.88)
    preds[MOTIF] = 0.1
    preds = exact(preds)
    other = exact(np.full((n, 4), 0.3))
    predictions = tmp_path / "seq_predictions.tsv"
    predictions.write_text(
        ism_table(SEQUENCE, {"CTCF": preds, "Pol2": other}, {"CTCF": 0.9, "Pol2": 0.3})
    )
    logits = tmp_path / "seq_logits.tsv"
    logits.write_text(ism_table(SEQUENCE, {"CTCF": exact(np.log(preds / 0.9))}, None))
    return predictions, logits


def test_ism_png_end_to_end(ism_files, tmp_path, capsys):
    predictions, _ = ism_files
    out = tmp_path / "figs" / "ctcf.png"
    assert (
        plot_command.run(parse("ism", str(predictions), "--feature", "CTCF", "-o", str(out))) == 0
    )
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(out) in capsys.readouterr().out


def test_ism_svg_and_default_output_name(ism_files):
    _, logits = ism_files
    assert plot_command.run(parse("ism", str(logits), "--mask-reference")) == 0
    svg = logits.parent / "seq_logits_CTCF.svg"
    png = logits.parent / "seq_logits_CTCF.png"
    assert png.is_file() and not svg.exists()
    out = logits.parent / "l.svg"
    assert plot_command.run(parse("ism", str(logits), "-o", str(out), "--order", "alpha")) == 0
    assert "<svg" in out.read_text()[:500]


def test_ism_figure_shows_the_motif(ism_files):
    predictions, _ = ism_files
    result = ISMResult.from_file(predictions)
    matrix = result.get_score_matrix_for("CTCF")
    figure = ism_figure(result, "CTCF")
    logo_ax, heat_ax = figure.axes[:2]
    # max_effect base scaling: only the reference letter at each position has height > 0
    # (0.02 outside the motif, 0.8 inside), so one glyph per position
    assert len(logo_ax.patches) == len(SEQUENCE)
    heights = rescale_score_matrix(matrix, "max_effect").max(axis=1)
    np.testing.assert_allclose(heights[MOTIF], 0.8)
    assert (heights[:3] < 0.05).all() and (heights[7:] < 0.05).all()
    top = logo_ax.get_ylim()[1]
    assert 0.8 <= top < 0.9
    mesh = heat_ax.collections[0]
    assert mesh.get_cmap().name == "Blues"
    drawn = np.ma.asarray(mesh.get_array()).reshape(4, len(SEQUENCE))
    np.testing.assert_array_equal(drawn, matrix.T[::-1])  # T row on top, A at the bottom


def test_ism_window_and_signed_scores(ism_files):
    _, logits = ism_files
    result = ISMResult.from_file(logits)
    figure = ism_figure(result, "CTCF", 2, 8, base_scaling="identity")
    logo_ax, heat_ax = figure.axes[:2]
    assert [t.get_text() for t in heat_ax.get_xticklabels()] == [str(i) for i in range(2, 8)]
    assert heat_ax.collections[0].get_cmap().name == "RdBu_r"  # negative logit changes
    assert logo_ax.get_ylim()[0] < 0
    args = parse("ism", str(logits), "--start", "2", "--end", "8", "--base-scaling", "identity")
    assert plot_command.run(args) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--feature", "GATA1"), "unknown feature 'GATA1'; available features: CTCF, Pol2"),
        ((), "has 2 features; choose one with --feature (available: CTCF, Pol2)"),
        (("--feature", "CTCF", "-o", "x.html"), "ending in .png, .svg, .pdf"),
        (("--feature", "CTCF", "--start", "5", "--end", "50"), "--start/--end must satisfy"),
    ],
)
def test_ism_user_errors(ism_files, capsys, argv, message):
    predictions, _ = ism_files
    assert plot_command.run(parse("ism", str(predictions), *argv)) == 1
    err = capsys.readouterr().err
    assert err.startswith("selene plot: error: ")
    assert message in err


@pytest.fixture
def vep_file(tmp_path):
    path = tmp_path / "variants_abs_diffs.tsv"
    path.write_text(HEADER8 + ROWS8)
    return path


def test_vep_html_end_to_end(vep_file, tmp_path, capsys):
    out = tmp_path / "out" / "scatter.html"
    argv = ("vep", str(vep_file), "-o", str(out), "--threshold", "0.5", "--features", "Pol2")
    assert plot_command.run(parse(*argv)) == 0
    html = out.read_text()
    for x in ("chr1 100", "chr2 300", "chr10 50", "chrX 7"):
        assert x in html
    assert "(Pol2)" in html and "(CTCF)" not in html
    assert str(out) in capsys.readouterr().out
    # default output name: beside the input
    assert plot_command.run(parse("vep", str(vep_file))) == 0
    assert (tmp_path / "variants_abs_diffs.html").is_file()


def test_vep_gene_bed(vep_file, tmp_path):
    bed = tmp_path / "genes.bed"
    bed.write_text("chr1\t50\t150\tMYGENE\n")
    out = tmp_path / "g.html"
    assert (
        plot_command.run(parse("vep", str(vep_file), "-o", str(out), "--gene-bed", str(bed))) == 0
    )
    assert "Overlapping gene(s): MYGENE" in out.read_text()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--features", "GATA1"), "unknown feature(s) GATA1; available features: CTCF, Pol2"),
        (("--hg-reference-version", "hg19"), "pass --gene-bed"),
        (("-o", "out.png"), "ending in .html"),
        (("--gene-bed", "/nonexistent/genes.bed"), "/nonexistent/genes.bed"),
    ],
)
def test_vep_user_errors(vep_file, capsys, argv, message):
    assert plot_command.run(parse("vep", str(vep_file), *argv)) == 1
    assert message in capsys.readouterr().err


def test_wrong_file_kinds_and_missing_files(ism_files, vep_file, tmp_path, capsys):
    predictions, _ = ism_files
    assert plot_command.run(parse("vep", str(predictions))) == 1
    assert "this is an ISM output, not a variant effect output; use `selene plot ism`" in (
        capsys.readouterr().err
    )
    assert plot_command.run(parse("ism", str(vep_file))) == 1
    assert "use `selene plot vep`" in capsys.readouterr().err
    assert plot_command.run(parse("ism", str(tmp_path / "nope.tsv"))) == 1
    assert "not found" in capsys.readouterr().err
    fasta_preds = tmp_path / "seqs_predictions.tsv"
    fasta_preds.write_text("index\tname\tCTCF\n0\tseq\t5.00e-01\n")
    assert plot_command.run(parse("ism", str(fasta_preds))) == 1
    assert "sequence prediction output" in capsys.readouterr().err


def test_subcommand_is_required():
    with pytest.raises(SystemExit):
        parse()
