"""RandomPositionsSampler and IntervalsSampler: windows, labels, holdouts, filters, errors."""

from __future__ import annotations

import numpy as np
import pytest

from selene_sdk.errors import InputFormatError
from selene_sdk.samplers import IntervalsSampler, RandomPositionsSampler
from selene_sdk.sequences import Genome
from tests.samplers.helpers import (
    make_world,
    random_sequence,
    revcomp,
    slow_labels,
    write_bed,
    write_fasta,
)

CHROMS = {"validation_holdout": ["chr2"], "test_holdout": ["chr3"]}


def _rps(world, **kwargs):
    args = dict(CHROMS, sequence_length=100, center_bin_to_predict=40)
    args.update(kwargs)
    return RandomPositionsSampler(world.genome, world.targets, world.features, **args)


def _intervals(world, **kwargs):
    args = dict(CHROMS, sequence_length=100, center_bin_to_predict=40, save_datasets=[])
    args.update(kwargs)
    return IntervalsSampler(world.genome, world.targets, world.features, world.intervals, **args)


def _expected_text(world, chrom, start, end, strand):
    text = world.records[chrom][start:end].upper()
    return revcomp(text) if strand == "-" else text


def _decode(encoding: np.ndarray) -> str:
    letters = np.array(list("ACGT"))
    out = np.where(encoding.max(axis=1) == 1, letters[encoding.argmax(axis=1)], "N")
    return "".join(out)


# -- windows and labels -------------------------------------------------------------------------
@pytest.mark.parametrize("make", [_rps, _intervals])
def test_windows_labels_and_strands_match_a_slow_reference(world, make):
    sampler = make(world)
    seqs, targets, (chroms, starts, ends, strands) = sampler.sample_for_step(
        0, 200, "train", return_coordinates=True
    )
    assert seqs.shape == (200, 100, 4) and seqs.dtype == np.float32
    assert targets.shape == (200, 3) and targets.dtype == np.float32
    assert set(strands) == {"+", "-"}
    assert np.all(ends - starts == 100)
    for i in range(200):
        text = _expected_text(world, chroms[i], starts[i], ends[i], strands[i])
        assert _decode(seqs[i]) == text
        # bin of 40 at the centre: [start + 30, start + 70)
        expected = slow_labels(
            world.feature_rows, world.features, chroms[i], starts[i] + 30, starts[i] + 70, 0.5
        )
        np.testing.assert_array_equal(targets[i], expected)


def test_odd_length_window_and_list_bin(world):
    sampler = _rps(world, sequence_length=101, center_bin_to_predict=[10, 30])
    seqs, targets, (chroms, starts, ends, strands) = sampler.sample_for_step(1, 50, "train", True)
    assert seqs.shape == (50, 101, 4)
    for i in range(50):
        assert _decode(seqs[i]) == _expected_text(world, chroms[i], starts[i], ends[i], strands[i])
        expected = slow_labels(
            world.feature_rows, world.features, chroms[i], starts[i] + 10, starts[i] + 30, 0.5
        )
        np.testing.assert_array_equal(targets[i], expected)


def test_random_positions_stay_in_l_to_len_minus_l(world):
    sampler = _rps(world)
    _, _, (chroms, starts, _, _) = sampler.sample_for_step(0, 2000, "train", True)
    lengths = dict(world.genome.get_chr_lens())
    centres = starts + 50
    assert all(100 <= c < lengths[ch] - 100 for ch, c in zip(chroms, centres))


def test_interval_centres_lie_inside_intervals(world):
    sampler = _intervals(world, sample_negative=True)
    _, _, (chroms, starts, _, _) = sampler.sample_for_step(0, 500, "train", True)
    intervals = [line.split("\t") for line in world.intervals.read_text().splitlines()]
    for chrom, centre in zip(chroms, starts + 50):
        assert any(c == chrom and int(s) <= centre < int(e) for c, s, e in intervals)


def test_sample_negative_false_rejects_all_negative_windows(world):
    sampler = _intervals(world, sample_negative=False)
    _, targets = sampler.sample_for_step(0, 300, "train")
    assert targets.any(axis=1).all()
    _, targets = _intervals(world, sample_negative=True).sample_for_step(0, 300, "train")
    assert not targets.any(axis=1).all()


def test_feature_thresholds_none_means_any_overlap(world):
    sampler = _rps(world, feature_thresholds=None)
    _, targets, (chroms, starts, _, _) = sampler.sample_for_step(0, 300, "train", True)
    for i in range(300):
        bs, be = starts[i] + 30, starts[i] + 70
        expected = [
            float(
                any(
                    c == chroms[i] and f == name and s < be and e > bs
                    for c, s, e, f in world.feature_rows
                )
            )
            for name in world.features
        ]
        assert list(targets[i]) == expected


def test_target_object_instead_of_path(world):
    from selene_sdk.targets import GenomicFeatures

    target = GenomicFeatures(world.targets, world.features, feature_thresholds=0.5)
    a = RandomPositionsSampler(
        world.genome,
        target,
        world.features,
        **CHROMS,
        sequence_length=100,
        center_bin_to_predict=40,
    )
    b = _rps(world)
    for x, y in zip(a.sample_for_step(3, 20), b.sample_for_step(3, 20)):
        np.testing.assert_array_equal(x, y)
    assert a.get_feature_from_index(2) == "f2"


# -- filters ------------------------------------------------------------------------------------
def test_windows_with_more_than_30_percent_unknown_are_rejected(tmp_path):
    # chr1: 400 ACGT, 200 N, 400 ACGT.
    rng = np.random.default_rng(0)
    acgt = lambda n: "".join(rng.choice(list("ACGT"), n))  # noqa: E731
    records = {"chr1": acgt(400) + "N" * 200 + acgt(400), "chr2": acgt(400), "chr3": acgt(400)}
    genome = Genome(write_fasta(tmp_path / "g.fa", records))
    bed = write_bed(tmp_path / "t.bed", [("chr1", 0, 10, "a")])
    sampler = RandomPositionsSampler(
        genome,
        bed,
        ["a"],
        validation_holdout=["chr2"],
        test_holdout=["chr3"],
        sequence_length=100,
        center_bin_to_predict=20,
        exclude_chrs=[],
    )
    seqs, _, (_, starts, _, _) = sampler.sample_for_step(0, 3000, "train", True)
    unknown = (seqs == 0.25).all(axis=2).mean(axis=1)
    assert unknown.max() <= 0.3
    # windows [s, s+100) overlapping [400, 600) by more than 30 bases must be absent ...
    overlap = np.minimum(starts + 100, 600) - np.maximum(starts, 400)
    assert overlap.max() <= 30
    # ... while windows with exactly 30 unknown bases are allowed (the rule is "more than")
    assert unknown.max() == pytest.approx(0.3)


def test_intervals_sampler_also_rejects_unknown_windows(tmp_path):
    # Spec §14 item 14: the original's N filter for intervals never fired.
    rng = np.random.default_rng(1)
    seq = "".join(rng.choice(list("ACGT"), 1000))
    records = {"chr1": seq[:400] + "N" * 200 + seq[600:], "chr2": seq, "chr3": seq}
    genome = Genome(write_fasta(tmp_path / "g.fa", records))
    bed = write_bed(tmp_path / "t.bed", [("chr1", 0, 1000, "a")])
    intervals = write_bed(tmp_path / "i.bed", [("chr1", 300, 700)])
    sampler = IntervalsSampler(
        genome,
        bed,
        ["a"],
        intervals,
        sample_negative=True,
        validation_holdout=["chr2"],
        test_holdout=["chr3"],
        sequence_length=100,
        center_bin_to_predict=20,
        save_datasets=[],
    )
    seqs, _ = sampler.sample_for_step(0, 200, "train")
    assert (seqs == 0.25).all(axis=2).mean(axis=1).max() <= 0.3


def test_blacklisted_windows_are_rejected(tmp_path):
    world = make_world(tmp_path)
    blacklist = write_bed(tmp_path / "bl.bed", [("chr1", 0, 30_000), ("chr4", 5000, 6000)])
    genome = Genome(world.fasta, blacklist_regions=str(blacklist))
    sampler = RandomPositionsSampler(
        genome,
        world.targets,
        world.features,
        **CHROMS,
        sequence_length=100,
        center_bin_to_predict=40,
    )
    _, _, (chroms, starts, ends, _) = sampler.sample_for_step(0, 1000, "train", True)
    on1 = chroms == "chr1"
    assert on1.any() and (starts[on1] >= 30_000).all()
    on4 = chroms == "chr4"
    assert not ((starts[on4] < 6000) & (ends[on4] > 5000)).any()


def test_fully_blacklisted_partition_raises_instead_of_looping(tmp_path):
    world = make_world(tmp_path)
    blacklist = write_bed(tmp_path / "bl.bed", [(c, 0, len(s)) for c, s in world.records.items()])
    genome = Genome(world.fasta, blacklist_regions=str(blacklist))
    sampler = RandomPositionsSampler(
        genome,
        world.targets,
        world.features,
        **CHROMS,
        sequence_length=100,
        center_bin_to_predict=40,
    )
    sampler.max_consecutive_rejections = 5000
    with pytest.raises(RuntimeError, match=r"no acceptable window.*out of bounds or blacklisted"):
        sampler.sample(8)


def test_exclude_chrs(tmp_path):
    rng = np.random.default_rng(0)
    acgt = lambda n: "".join(rng.choice(list("ACGT"), n))  # noqa: E731
    records = {
        "chr1": acgt(2000),
        "chr1_random": acgt(2000),
        "chrUn_x": acgt(2000),
        "chr2": acgt(2000),
        "chrM": acgt(2000),
    }
    genome = Genome(write_fasta(tmp_path / "g.fa", records))
    bed = write_bed(tmp_path / "t.bed", [("chr1", 0, 10, "a")])
    kwargs = dict(
        validation_holdout=["chr2"],
        test_holdout=None,
        sequence_length=100,
        center_bin_to_predict=20,
    )
    default = RandomPositionsSampler(genome, bed, ["a"], **kwargs)
    _, _, coords = default.sample_for_step(0, 500, "train", True)
    assert set(coords[0]) == {"chr1", "chrM"}
    custom = RandomPositionsSampler(genome, bed, ["a"], exclude_chrs=["M", "Un"], **kwargs)
    _, _, coords = custom.sample_for_step(0, 500, "train", True)
    assert set(coords[0]) == {"chr1", "chr1_random"}


# -- holdouts -----------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [_rps, _intervals])
def test_chromosome_holdouts_are_disjoint_and_complete(world, make):
    sampler = make(world, sample_negative=True) if make is _intervals else make(world)
    seen = {}
    for mode in ("train", "validate", "test"):
        _, _, (chroms, *_rest) = sampler.sample_for_step(0, 400, mode, True)
        seen[mode] = set(chroms)
    assert seen == {"train": {"chr1", "chr4"}, "validate": {"chr2"}, "test": {"chr3"}}


def test_random_positions_proportion_holdout_splits_bases_of_one_chromosome(tmp_path):
    # One 5 Mb chromosome: Selene's chromosome-count rule would give an empty validation set.
    rng = np.random.default_rng(2)
    genome = Genome(write_fasta(tmp_path / "g.fa", {"chrA": random_sequence(rng, 5_000_000)}))
    bed = write_bed(tmp_path / "t.bed", [("chrA", 0, 10, "a")])
    sampler = RandomPositionsSampler(
        genome,
        bed,
        ["a"],
        validation_holdout=0.2,
        test_holdout=0.2,
        sequence_length=1000,
        center_bin_to_predict=200,
    )
    blocks = {}
    for mode in ("train", "validate", "test"):
        _, _, (_, starts, ends, _) = sampler.sample_for_step(0, 3000, mode, True)
        blocks[mode] = set(starts // 1_000_000) | set((ends - 1) // 1_000_000)
        # no window crosses a 1 Mb block edge
        assert (starts // 1_000_000 == (ends - 1) // 1_000_000).all()
    assert blocks["validate"] and blocks["test"] and blocks["train"]
    assert not (blocks["validate"] & blocks["test"]) and not (blocks["train"] & blocks["test"])
    assert not (blocks["train"] & blocks["validate"])
    assert blocks["train"] | blocks["validate"] | blocks["test"] == set(range(5))


def test_intervals_proportion_holdout(world):
    sampler = _intervals(world, validation_holdout=0.25, test_holdout=0.25, sample_negative=True)
    pools = sampler._pools
    n = sum(len(p) for p in pools.values())
    assert len(pools["validate"]) == len(pools["test"]) == int(n * 0.25)


def test_holdout_chromosomes_absent_from_the_genome_are_named(world):
    with pytest.raises(ValueError, match=r"\['chr6', 'chr7'\] are not in the genome"):
        RandomPositionsSampler(world.genome, world.targets, world.features)
    with pytest.raises(ValueError, match=r"test_holdout chromosome\(s\) \['chr9'\]"):
        _intervals(world, validation_holdout=["chr2"], test_holdout=["chr3", "chr9"])


def test_mixed_holdout_types_raise(world):
    with pytest.raises(ValueError, match="both be lists"):
        _rps(world, validation_holdout=["chr2"], test_holdout=0.1)


def test_odd_length_with_even_bin_raises(world):
    with pytest.raises(ValueError, match="both be even or both be odd"):
        _rps(world, sequence_length=101, center_bin_to_predict=40)


def test_unknown_mode_raises(world):
    sampler = _rps(world, test_holdout=None)
    assert sampler.modes == ["train", "validate"]
    with pytest.raises(ValueError, match="mode must be one of"):
        sampler.set_mode("test")
    with pytest.raises(ValueError, match="mode must be one of"):
        sampler.sample(2, mode="training")
    with pytest.raises(ValueError, match="mode must be one of"):
        _rps(world, mode="evaluate")
    with pytest.raises(ValueError, match="no test partition"):
        sampler.get_test_set(4, 8)


def test_malformed_intervals_line_names_file_and_line(world, tmp_path):
    bad = tmp_path / "bad.bed"
    bad.write_text("chr1\t10\t100\nchr1\tabc\t200\n")
    with pytest.raises(InputFormatError, match=r"bad\.bed:2: start 'abc' is not an integer"):
        IntervalsSampler(world.genome, world.targets, world.features, bad, **CHROMS)


def test_intervals_on_unknown_chromosomes_are_dropped_with_a_warning(world, tmp_path):
    path = write_bed(tmp_path / "i.bed", [("chr1", 100, 2000), ("chrZ", 0, 100)])
    with pytest.warns(UserWarning, match=r"chrZ"):
        IntervalsSampler(
            world.genome, world.targets, world.features, path, **CHROMS, save_datasets=[]
        )
    only_bad = write_bed(tmp_path / "j.bed", [("chrZ", 0, 100)])
    with pytest.raises(ValueError, match="no interval is on a chromosome of the genome"):
        IntervalsSampler(
            world.genome, world.targets, world.features, only_bad, **CHROMS, save_datasets=[]
        )


def test_empty_partition_is_a_clear_error(world, tmp_path):
    # chr3 has intervals, chr2 does not: the validation partition is empty.
    path = write_bed(tmp_path / "i.bed", [("chr1", 100, 2000), ("chr3", 100, 2000)])
    sampler = IntervalsSampler(
        world.genome,
        world.targets,
        world.features,
        path,
        **CHROMS,
        sample_negative=True,
        save_datasets=[],
    )
    with pytest.raises(ValueError, match=r"'validate' partition .* has nothing to sample"):
        sampler.get_validation_set(4, 8)


def test_feature_count_mismatch_and_bad_reference(world):
    from selene_sdk.targets import GenomicFeatures

    target = GenomicFeatures(world.targets, world.features)
    with pytest.raises(ValueError, match="3 features but 2 feature names"):
        RandomPositionsSampler(world.genome, target, ["f0", "f1"], **CHROMS)
    with pytest.raises(TypeError, match="Genome"):
        RandomPositionsSampler(str(world.fasta), world.targets, world.features, **CHROMS)


def test_bad_seed_and_batch_size(world):
    with pytest.raises(ValueError, match="seed"):
        _rps(world, seed=-1)
    sampler = _rps(world)
    with pytest.raises(ValueError, match="batch_size"):
        sampler.sample(0)
    with pytest.raises(ValueError, match="step"):
        sampler.sample_for_step(-1, 4)
