"""Smoke test on real data: human chr20 (hg19) with CTCF / CpG / TSS / DHS features."""

from __future__ import annotations

import numpy as np
import pytest

from selene_sdk.samplers import IntervalsSampler, RandomPositionsSampler
from selene_sdk.sequences import Genome
from selene_sdk.utils import load_features_list


@pytest.fixture(scope="module")
def chr20():
    from tests.conftest import shared_path

    directory = shared_path("data", "real", "hg19_chr20")
    return (
        Genome(directory / "hg19_chr20.fa.gz", blacklist_regions="hg19"),
        directory / "selene_features.chr20.bed.gz",
        load_features_list(directory / "selene_distinct_features.txt"),
        directory / "ctcf_sites.chr20.bed.gz",
    )


def test_random_positions_on_chr20(chr20):
    genome, targets, features, _ = chr20
    # One chromosome: proportion holdouts split it into 1 Mb blocks.
    sampler = RandomPositionsSampler(
        genome, targets, features, validation_holdout=0.1, test_holdout=0.1
    )
    seqs, labels, (chroms, starts, ends, strands) = sampler.sample_for_step(0, 256, "train", True)
    assert seqs.shape == (256, 1000, 4) and labels.shape == (256, 4)
    assert set(chroms) == {"chr20"} and (ends - starts == 1000).all()
    assert ((seqs == 0.25).all(axis=2).mean(axis=1) <= 0.3).all()
    for i in range(0, 256, 37):
        expected = genome.get_encoding_from_coords("chr20", starts[i], ends[i], strands[i])
        np.testing.assert_array_equal(seqs[i], expected)
    assert 0 < labels.mean() < 0.5
    val = sampler.sample_for_step(0, 256, "validate", True)[2][1]
    train_blocks, val_blocks = set(starts // 1_000_000), set(val // 1_000_000)
    assert not train_blocks & val_blocks


def test_intervals_sampler_on_ctcf_sites(chr20):
    genome, targets, features, ctcf = chr20
    sampler = IntervalsSampler(
        genome,
        targets,
        features,
        ctcf,
        validation_holdout=0.1,
        test_holdout=0.1,
        save_datasets=[],
    )
    _, labels = sampler.sample_for_step(3, 128, "train")
    assert labels.any(axis=1).all()
    # windows centred in CTCF peaks are mostly CTCF-positive
    assert labels[:, features.index("CTCF")].mean() > 0.5
