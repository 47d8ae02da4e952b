"""The synthetic data set: motifs where it says, labels and VCF consistent, deterministic."""

from __future__ import annotations

import filecmp

import numpy as np
import pysam

from selene_sdk.demo import MOTIFS, make_synthetic_data
from selene_sdk.sequences import Genome
from selene_sdk.sequences.encoding import DNA
from selene_sdk.targets import GenomicFeatures


def test_motifs_planted_and_labelled(tmp_path):
    data = make_synthetic_data(tmp_path / "d", n_chroms=2, chrom_length=60_000, sites_per_chrom=10)
    genome = Genome(data.fasta)
    targets = GenomicFeatures(data.features_bed, data.features, feature_thresholds=0.5)
    for feature, sites in data.sites.items():
        assert len(sites) == 20
        motif = MOTIFS[feature]
        for chrom, start, strand in sites:
            seq = genome.get_sequence_from_coords(chrom, start, start + len(motif), strand)
            assert seq == motif
            centre = start + len(motif) // 2
            labels = targets.get_feature_data(chrom, centre - 100, centre + 100)
            assert labels[data.features.index(feature)] == 1
            assert labels.sum() == 1


def test_vcf_refs_match_and_ism_spans(tmp_path):
    data = make_synthetic_data(tmp_path / "d", n_chroms=2, chrom_length=60_000, sites_per_chrom=10)
    genome = Genome(data.fasta)
    with pysam.VariantFile(data.vcf) as vcf:
        records = list(vcf)
    assert len(records) == 4 * 6 + 24
    for rec in records:
        assert genome.get_sequence_from_coords(rec.chrom, rec.pos - 1, rec.pos) == rec.ref
        assert rec.alts[0] != rec.ref
    ism = Genome(data.ism_fasta)
    for name, start, end, feature in data.ism_motif_spans:
        assert ism.get_sequence_from_coords(name, start, end) == MOTIFS[feature]
    assert DNA.reverse_complement(MOTIFS["CTCF_like"]) != MOTIFS["CTCF_like"]


def test_deterministic(tmp_path):
    a = make_synthetic_data(tmp_path / "a", n_chroms=1, chrom_length=40_000, sites_per_chrom=5)
    b = make_synthetic_data(tmp_path / "b", n_chroms=1, chrom_length=40_000, sites_per_chrom=5)
    for name in ("genome.fa", "intervals.bed", "variants.vcf", "ism.fa"):
        assert filecmp.cmp(tmp_path / "a" / name, tmp_path / "b" / name, shallow=False)
    assert np.array_equal(
        np.array([s[1] for s in a.sites["CTCF_like"]]),
        np.array([s[1] for s in b.sites["CTCF_like"]]),
    )
