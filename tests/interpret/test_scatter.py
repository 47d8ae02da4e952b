"""variant_diffs_scatter_plot: HTML output, ordering, filtering and gene hover text."""

from __future__ import annotations

import re

import numpy as np
import pytest

from selene_sdk.interpret import variant_diffs_scatter_plot
from selene_sdk.interpret.genes import GeneIndex, packaged_gene_bed
from tests.conftest import shared_path

LABELS = [
    ("chr10", "50", "rs2", "C", "T", "+", "True", "False"),
    ("chr1", "100", "rs1", "A", "G", "+", "True", "False"),
    ("chrX", "7", ".", "G", "A", "-", "False", "True"),
    ("chr1", "2000", "rs4", "T", "C", "+", "True", "False"),
]
FEATURES = ["CTCF", "Pol2"]
DATA = np.array([[0.2, 0.3], [0.5, 0.01], [0.1, 0.9], [0.05, 0.02]])

GENES = (
    "chr1\t90\t150\tGENE_A\n"
    "chr1\t120\t400\tGENE_B\n"
    "chr1\t1000\t1500\tGENE_C\n"
    "chrX\t0\t5\t.\tGENE_X\n"  # gencode layout: name in column 5
)


def trace(figure):
    return figure.data[0]


def test_html_written_with_variants_in_genome_order(tmp_path):
    out = tmp_path / "plots" / "scatter.html"
    figure = variant_diffs_scatter_plot(DATA, LABELS, FEATURES, out, threshold_line=0.4)
    assert out.is_file()
    html = out.read_text()
    for x in ("chr1 100", "chr1 2000", "chr10 50", "chrX 7"):
        assert x in html
    assert "Max probability difference scores" in html
    assert list(trace(figure).x) == ["chr1 100", "chr1 2000", "chr10 50", "chrX 7"]
    np.testing.assert_array_equal(trace(figure).y, [0.5, 0.05, 0.3, 0.9])
    assert trace(figure).text[0].startswith("Max score: 5.000e-01 (CTCF)<br>chr1 100<br>A/G")
    assert figure.layout.shapes[0].y0 == 0.4
    assert figure.layout.xaxis.title.text == "Genome coordinates"
    assert figure.layout.yaxis.title.text == "Absolute difference"
    assert not list(tmp_path.joinpath("plots").glob(".*"))  # no temporary files left


def test_filter_features_keeps_sorted_order(tmp_path):
    figure = variant_diffs_scatter_plot(
        DATA, LABELS, FEATURES, tmp_path / "f.html", filter_features=lambda names: [1]
    )
    assert list(trace(figure).x) == ["chr1 100", "chr1 2000", "chr10 50", "chrX 7"]
    np.testing.assert_array_equal(trace(figure).y, [0.01, 0.02, 0.3, 0.9])
    by_name = variant_diffs_scatter_plot(
        DATA, LABELS, FEATURES, tmp_path / "g.html", filter_features=lambda names: ["Pol2"]
    )
    np.testing.assert_array_equal(trace(by_name).y, trace(figure).y)
    with pytest.raises(ValueError, match="kept no feature"):
        variant_diffs_scatter_plot(
            DATA, LABELS, FEATURES, tmp_path / "h.html", filter_features=lambda names: []
        )


def test_nth_percentile(tmp_path):
    figure = variant_diffs_scatter_plot(
        DATA, LABELS, FEATURES, tmp_path / "p.html", nth_percentile=50
    )
    # maxima 0.3, 0.5, 0.9, 0.05 -> median 0.4: keep 0.5 and 0.9
    assert list(trace(figure).x) == ["chr1 100", "chrX 7"]


def test_gene_hover_text_from_bed(tmp_path):
    bed = tmp_path / "genes.bed"
    bed.write_text(GENES)
    figure = variant_diffs_scatter_plot(DATA, LABELS, FEATURES, tmp_path / "s.html", gene_bed=bed)
    text = list(trace(figure).text)
    assert text[0].endswith("Overlapping gene(s): GENE_A")  # chr1:100 (0-based 99)
    assert text[1].endswith("Closest gene(s): GENE_C")  # chr1:2000, 500 after GENE_C
    assert "chr10" in text[2] and "gene" not in text[2]  # no genes on chr10
    assert text[3].endswith("Closest gene(s): GENE_X")  # gencode-style 5-column line


def test_gene_index_queries(tmp_path):
    bed = tmp_path / "genes.bed"
    bed.write_text(GENES)
    genes = GeneIndex(bed)
    assert genes.genes_at("chr1", 130) == (["GENE_A", "GENE_B"], True)
    assert genes.genes_at("chr1", 89) == (["GENE_A"], False)  # 1 base before GENE_A
    assert genes.genes_at("chr1", 600) == (["GENE_B"], False)  # 201 after B, 400 before C
    assert genes.genes_at("chr1", 1500) == (["GENE_C"], False)  # first base after C
    assert genes.genes_at("chr2", 10) == ([], False)


def test_reference_version_without_packaged_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="gene_bed"):
        packaged_gene_bed("hg19")
    with pytest.raises(FileNotFoundError, match="pass gene_bed"):
        variant_diffs_scatter_plot(
            DATA, LABELS, FEATURES, tmp_path / "x.html", hg_reference_version="hg38"
        )
    with pytest.raises(ValueError, match="hg19"):
        variant_diffs_scatter_plot(
            DATA, LABELS, FEATURES, tmp_path / "x.html", hg_reference_version="mm10"
        )
    assert not (tmp_path / "x.html").exists()


def test_gencode_gene_file(tmp_path):
    path = shared_path(
        "data",
        "selene",
        "selene_sdk",
        "interpret",
        "data",
        "gencode_v28_hg19",
        "protein_coding_l12_genes.bed.gz",
    )
    figure = variant_diffs_scatter_plot(DATA, LABELS, FEATURES, tmp_path / "s.html", gene_bed=path)
    text = list(trace(figure).text)
    assert re.search(r"gene\(s\): OR4F5$", text[0])  # first gene of chr1 (65,419-71,585)


def test_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="labels"):
        variant_diffs_scatter_plot(DATA, LABELS[:2], FEATURES, tmp_path / "e.html")
    with pytest.raises(ValueError, match="features"):
        variant_diffs_scatter_plot(DATA, LABELS, ["CTCF"], tmp_path / "e.html")
    with pytest.raises(ValueError, match="no variants"):
        variant_diffs_scatter_plot(np.zeros((0, 2)), [], FEATURES, tmp_path / "e.html")
    with pytest.raises(ValueError, match="nth_percentile"):
        variant_diffs_scatter_plot(DATA, LABELS, FEATURES, tmp_path / "e.html", nth_percentile=101)
