"""BigWigTargets on bigWig files written in the test: aggregations, bins, transform,
missing values, cache budget, workers, samplers, chromosome names."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

pyBigWig = pytest.importorskip("pyBigWig", reason="pyBigWig (the 'tracks' extra)")

from selene_sdk.targets import BigWigTargets  # noqa: E402

SIZES = {"chr1": 1000, "chr2": 500}


def write_bigwig(path, values: dict[str, np.ndarray]) -> str:
    """Per-base values; NaN bases are left out of the file (no data)."""
    bw = pyBigWig.open(str(path), "w")
    bw.addHeader([(c, SIZES[c]) for c in SIZES])
    for chrom, v in values.items():
        keep = np.flatnonzero(~np.isnan(v))
        bw.addEntries(
            [chrom] * len(keep), keep.tolist(), ends=(keep + 1).tolist(), values=v[keep].tolist()
        )
    bw.close()
    return str(path)


@pytest.fixture
def tracks(tmp_path):
    a1 = np.arange(1000, dtype=np.float64)  # value = position
    a1[100:110] = np.nan  # a gap
    b1 = np.full(1000, 2.0)
    a = write_bigwig(tmp_path / "a.bw", {"chr1": a1, "chr2": np.ones(500)})
    b = write_bigwig(tmp_path / "b.bw", {"chr1": b1})  # no chr2 in this track
    return a, b


def test_mean_max_sum_by_hand(tracks):
    t = BigWigTargets(tracks, ["A", "B"])
    np.testing.assert_allclose(t.get_feature_data("chr1", 10, 20), [14.5, 2.0])
    np.testing.assert_allclose(
        BigWigTargets(tracks, ["A", "B"], aggregation="max").get_feature_data("chr1", 10, 20),
        [19, 2],
    )
    np.testing.assert_allclose(
        BigWigTargets(tracks, ["A", "B"], aggregation="sum").get_feature_data("chr1", 10, 20),
        [145, 20],
    )
    # the gap [100, 110) counts as `missing` (0 by default, or what is asked)
    np.testing.assert_allclose(
        t.get_feature_data("chr1", 95, 105)[0], (95 + 96 + 97 + 98 + 99) / 10
    )
    other = BigWigTargets(tracks, ["A", "B"], missing=-1.0)
    np.testing.assert_allclose(other.get_feature_data("chr1", 95, 105)[0], (485 - 5) / 10)
    # a chromosome one track lacks, and a window past the chromosome's end
    np.testing.assert_allclose(t.get_feature_data("chr2", 0, 10), [1.0, 0.0])
    np.testing.assert_allclose(t.get_feature_data("chr2", 495, 505), [0.5, 0.0])


def test_bins_and_log1p(tracks):
    t = BigWigTargets(tracks, ["A", "B"], bins=2, transform="log1p")
    got = t.get_feature_data("chr1", 10, 20)
    np.testing.assert_allclose(got, np.log1p([12, 17, 2, 2]), rtol=1e-6)
    assert t.n_outputs == 4 and t.index_feature_dict[1] == "A/1"


def test_batches_equal_single_windows_and_survive_pickling_and_a_full_cache(tracks):
    t = BigWigTargets(tracks, ["A", "B"], aggregation="mean")
    chroms = np.array(["chr1", "chr1", "chr2", "chr2", "chr1"], dtype=object)
    starts = np.array([0, 95, 0, 490, 990])
    batch = t.get_feature_data_batch(chroms, starts, starts + 20)
    for i in range(5):
        np.testing.assert_allclose(
            batch[i], t.get_feature_data(chroms[i], starts[i], starts[i] + 20)
        )
    uncached = BigWigTargets(tracks, ["A", "B"], cache_bytes=0)  # every window from the file
    np.testing.assert_allclose(uncached.get_feature_data_batch(chroms, starts, starts + 20), batch)
    copy = pickle.loads(pickle.dumps(uncached))  # as a DataLoader worker receives it
    np.testing.assert_allclose(copy.get_feature_data_batch(chroms, starts, starts + 20), batch)


def test_bad_arguments(tracks, tmp_path):
    with pytest.raises(ValueError, match="2 bigWig files for 1 features"):
        BigWigTargets(tracks, ["A"])
    with pytest.raises(ValueError, match="aggregation"):
        BigWigTargets(tracks, ["A", "B"], aggregation="median")
    with pytest.raises(FileNotFoundError):
        BigWigTargets([tmp_path / "none.bw"], ["A"])
    (tmp_path / "x.bw").write_text("not a bigwig")
    with pytest.raises((ValueError, RuntimeError)):
        BigWigTargets([tmp_path / "x.bw"], ["A"])


def test_sampler_trains_on_tracks_and_checks_chromosome_names(tracks, tmp_path):
    from selene_sdk.samplers import RandomPositionsSampler
    from selene_sdk.sequences import Genome

    rng = np.random.default_rng(0)
    fasta = tmp_path / "g.fa"
    fasta.write_text(
        "".join(f">{c}\n{''.join(rng.choice(list('ACGT'), n))}\n" for c, n in SIZES.items())
    )
    sampler = RandomPositionsSampler(
        Genome(str(fasta)), BigWigTargets(tracks, ["A", "B"]), ["A", "B"],
        validation_holdout=["chr2"], test_holdout=None, sequence_length=100,
        center_bin_to_predict=20,
    )  # fmt: skip
    _, targets = sampler.sample(batch_size=8)
    assert targets.shape == (8, 2) and np.allclose(targets[:, 1], 2.0)  # chr1 only in train
    renamed = tmp_path / "nochr.fa"
    renamed.write_text(fasta.read_text().replace(">chr", ">"))
    with pytest.raises(ValueError, match="'chr' prefix"):
        RandomPositionsSampler(
            Genome(str(renamed)), BigWigTargets(tracks, ["A", "B"]), ["A", "B"],
            validation_holdout=["2"], test_holdout=None, sequence_length=100,
            center_bin_to_predict=20,
        )  # fmt: skip
