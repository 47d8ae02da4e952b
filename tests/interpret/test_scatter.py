"""variant_diffs_scatter_plot: HTML output, ordering, filtering and gene hover text."""

from __future__ import annotations

import re

import numpy as np
import pytest

from selene_sdk.interpret import ordered_variants_and_indices, variant_diffs_scatter_plot
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
    assert list(trace(figure).text) == [
        "<b>rs1</b><br>chr1:100 A>G<br>Max score: 5.000e-01 (CTCF)",
        "<b>rs4</b><br>chr1:2000 T>C<br>Max score: 5.000e-02 (CTCF)",
        "<b>rs2</b><br>chr10:50 C>T<br>Max score: 3.000e-01 (Pol2)",
        "chrX:7 G>A<br>Max score: 9.000e-01 (Pol2)",  # no ID (".")
    ]
    assert figure.layout.shapes[0].y0 == 0.4
    assert figure.layout.xaxis.title.text == "Genome coordinates"
    assert figure.layout.yaxis.title.text == "Absolute difference"
    assert not list(tmp_path.joinpath("plots").glob(".*"))  # no temporary files left


def _many_variants(n: int) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    rng = np.random.default_rng(0)
    labels = [
        (f"chr{1 + i % 22}", str(1000 + 37 * i), f"rs{100000 + i}", "A", "G") for i in range(n)
    ]
    return rng.random((n, 2)), labels


def test_page_is_small_and_shares_one_plotly_js(tmp_path):
    data, labels = _many_variants(3000)
    out = tmp_path / "vep" / "variants.html"
    figure = variant_diffs_scatter_plot(data, labels, FEATURES, out)
    bundles = list((tmp_path / "vep").glob("plotly-*.min.js"))
    assert len(bundles) == 1 and bundles[0].stat().st_size > 3_000_000
    page = out.read_text()
    assert out.stat().st_size < 700_000  # was 4.8-5.6 MB with plotly.js inlined
    assert f'src="{bundles[0].name}"' in page
    # every variant ID heads its hover text, in the plotted (genome) order
    _, order = ordered_variants_and_indices(labels)
    assert [t.split("<br>")[0] for t in trace(figure).text] == [
        f"<b>{labels[i][2]}</b>" for i in order
    ]
    assert "rs100000" in page and "rs102999" in page
    # a second page in the same directory reuses the bundle as it is
    before = bundles[0].stat().st_mtime_ns
    variant_diffs_scatter_plot(DATA, LABELS, FEATURES, tmp_path / "vep" / "other.html")
    assert bundles[0].stat().st_mtime_ns == before
    assert len(list((tmp_path / "vep").glob("plotly-*.min.js"))) == 1


def test_inline_and_cdn_pages(tmp_path):
    inline = tmp_path / "inline.html"
    variant_diffs_scatter_plot(DATA, LABELS, FEATURES, inline, plotlyjs="inline")
    assert inline.stat().st_size > 3_000_000
    assert not list(tmp_path.glob("plotly-*.js"))
    cdn = tmp_path / "cdn.html"
    variant_diffs_scatter_plot(DATA, LABELS, FEATURES, cdn, plotlyjs="cdn")
    assert "https://cdn.plot.ly/plotly-" in cdn.read_text()
    assert cdn.stat().st_size < 100_000
    with pytest.raises(ValueError, match="plotlyjs must be"):
        variant_diffs_scatter_plot(DATA, LABELS, FEATURES, cdn, plotlyjs="local")


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
