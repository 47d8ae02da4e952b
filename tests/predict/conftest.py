"""Fixtures for prediction tests: a small genome and analyzers over analytic models."""

from __future__ import annotations

import os

import pytest

from selene_sdk.predict import AnalyzeSequences
from selene_sdk.sequences import Genome

from .helpers import IdentityModel, identity_features, random_dna, write_fasta

L = 20
CHR1 = random_dna(300, seed=1)
CHR2 = random_dna(100, seed=2)[:40] + "N" * 10 + random_dna(50, seed=3)
CHRM = random_dna(80, seed=4)


@pytest.fixture(autouse=True)
def _quiet_progress(monkeypatch):
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "0")


@pytest.fixture(scope="session")
def genome_path(tmp_path_factory):
    return write_fasta(
        tmp_path_factory.mktemp("genome") / "genome.fa",
        {"chr1": CHR1, "chr2": CHR2, "chrM": CHRM},
    )


@pytest.fixture
def genome(genome_path):
    return Genome(genome_path)


@pytest.fixture
def identity(genome):
    """AnalyzeSequences over the identity model (predictions = one-hot input), L = 20."""
    return AnalyzeSequences(
        IdentityModel(), None, L, identity_features(L), batch_size=4, reference_sequence=genome
    )


def write_vcf(path, records, header=True, meta=("##fileformat=VCFv4.2",)):
    """Write VCF lines; ``records`` are tuples of column values or raw strings."""
    lines = []
    if header:
        lines += list(meta)
        lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    for rec in records:
        lines.append(rec if isinstance(rec, str) else "\t".join(str(x) for x in rec))
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + ("\n" if lines else ""))
    return os.fspath(path)
