"""The demo end to end (reduced evaluation sets): it learns the planted motifs, and ISM and
variant scores point at them."""

from __future__ import annotations

import pytest

from selene_sdk.demo.checks import (
    attribution_focus,
    ism_focus,
    read_test_aucs,
    variant_score_summary,
)
from selene_sdk.demo.synthetic import make_synthetic_data
from tests.demo.quick_run import quick_demo_output


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    return quick_demo_output(tmp_path_factory)


def test_outputs_exist(demo_run):
    results = demo_run / "results"
    for name in (
        "best_model.pth.tar",
        "test_performance.txt",
        "roc_curves.svg",
        "precision_recall_curves.svg",
        "training_curves.svg",
        "configuration.yml",
        "variants/variants_abs_diffs.tsv",
        "variants/variants_diffs.tsv",
        "variants/variants.NA",
        "variants/variants.html",
        "ism/seq0_CTCF_like_logits.tsv",
        "ism/seq0_CTCF_like_predictions.tsv",
        "ism/seq0_CTCF_like_CTCF_like.png",
        "ism/seq1_GATA_like_GATA_like.png",
        "attribution/ism_attributions.npz",
        "attribution/seq0_CTCF_like_CTCF_like.png",
        "attribution/seq1_GATA_like_GATA_like.png",
    ):
        assert (results / name).exists(), name
    assert (demo_run / "demo.yml").exists() and (demo_run / "demo_model.py").exists()


def test_model_learned_the_motifs(demo_run):
    aucs = read_test_aucs(str(demo_run / "results"))
    assert sum(aucs.values()) / len(aucs) >= 0.85, aucs


def test_ism_effect_concentrated_on_motif(demo_run, tmp_path):
    # the same deterministic data again, for the motif positions (the run is not modified)
    data = make_synthetic_data(tmp_path / "data", sites_per_chrom=150, ism_length=400)
    for name, start, end, feature in data.ism_motif_spans:
        focus = ism_focus(
            str(demo_run / "results" / "ism" / f"{name}_logits.tsv"), feature, start, end
        )
        assert focus.ratio > 5, (name, focus)
        assert focus.top_in_motif >= 0.5, (name, focus)


def test_attribution_falls_on_the_planted_motif(demo_run, tmp_path):
    data = make_synthetic_data(tmp_path / "data", sites_per_chrom=150, ism_length=400)
    path = str(demo_run / "results" / "attribution" / "ism_attributions.npz")
    for name, start, end, feature in data.ism_motif_spans:
        # 14 of 400 positions (3.5%) hold far more than their share of the contributions
        assert attribution_focus(path, name, feature, start, end) > 0.4, name


def test_motif_breaking_variants_score_higher(demo_run):
    scores = variant_score_summary(
        str(demo_run / "results" / "variants" / "variants_abs_diffs.tsv")
    )
    assert scores["planted"] > 5 * scores["random"], scores
