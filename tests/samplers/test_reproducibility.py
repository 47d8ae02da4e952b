"""The step-keyed contract: determinism, fixed evaluation sets, saved datasets, resumption."""

from __future__ import annotations

import hashlib
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from selene_sdk.samplers import IntervalsSampler, RandomPositionsSampler
from selene_sdk.samplers.file_samplers import BedFileSampler
from tests.samplers.helpers import make_world

CHROMS = {"validation_holdout": ["chr2"], "test_holdout": ["chr3"]}
ARGS = dict(CHROMS, sequence_length=100, center_bin_to_predict=40)


def _digest(*arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _rps(world, **kwargs):
    return RandomPositionsSampler(world.genome, world.targets, world.features, **ARGS, **kwargs)


def test_sample_for_step_is_a_pure_function(world):
    a, b = _rps(world), _rps(world)
    # any order, any instance: same (seed, mode, step, batch_size) -> same batch
    first = [a.sample_for_step(s, 16) for s in (5, 0, 3)]
    second = [b.sample_for_step(s, 16) for s in (3, 5, 0)]
    for x, y in zip(first, [second[1], second[2], second[0]]):
        np.testing.assert_array_equal(x[0], y[0])
        np.testing.assert_array_equal(x[1], y[1])
    assert not np.array_equal(a.sample_for_step(1, 16)[0], a.sample_for_step(2, 16)[0])
    assert not np.array_equal(
        a.sample_for_step(1, 16, "train")[0], a.sample_for_step(1, 16, "validate")[0]
    )
    assert not np.array_equal(
        a.sample_for_step(1, 16)[0], _rps(world, seed=7).sample_for_step(1, 16)[0]
    )
    # the seed override gives the stream of a sampler built with that seed
    np.testing.assert_array_equal(
        a.sample_for_step(1, 16, seed=7)[0], _rps(world, seed=7).sample_for_step(1, 16)[0]
    )


def test_sample_walks_the_step_stream_per_mode(world):
    sampler, reference = _rps(world), _rps(world)
    batches = [sampler.sample(8) for _ in range(3)]
    val = sampler.sample(8, mode="validate")
    assert sampler.mode == "train"  # sample(mode=...) does not switch the mode
    for step, (seqs, targets) in enumerate(batches):
        expected = reference.sample_for_step(step, 8, "train")
        np.testing.assert_array_equal(seqs, expected[0])
        np.testing.assert_array_equal(targets, expected[1])
    np.testing.assert_array_equal(val[0], reference.sample_for_step(0, 8, "validate")[0])


def test_validation_and_test_sets_are_fixed(world):
    sampler = _rps(world)
    batches, targets = sampler.get_validation_set(32, n_samples=100)
    assert [len(b[0]) for b in batches] == [32, 32, 32, 4]
    assert targets.shape == (100, 3) and targets.dtype == np.float32
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), targets)
    sampler.sample(16)  # training in between changes nothing
    again, _targets2 = sampler.get_validation_set(32, n_samples=100)
    for (s1, t1), (s2, t2) in zip(batches, again):
        np.testing.assert_array_equal(s1, s2)
        np.testing.assert_array_equal(t1, t2)
    assert sampler.mode == "train"
    test_batches, _ = sampler.get_test_set(50, n_samples=100)
    assert len(test_batches) == 2


def test_get_data_and_targets_sets_the_mode_and_needs_n_for_train(world):
    sampler = _rps(world)
    sampler.get_data_and_targets(10, 20, mode="validate")
    assert sampler.mode == "validate"
    sampler.set_mode("train")
    with pytest.raises(ValueError, match="n_samples is required"):
        sampler.get_data_and_targets(10)


_SCRIPT = textwrap.dedent(
    """
    import hashlib, sys
    import numpy as np
    from selene_sdk.sequences import Genome
    from selene_sdk.samplers import {cls}
    h = hashlib.sha256()
    s = {cls}(Genome(sys.argv[1]), sys.argv[2], ["f0", "f1", "f2"], {extra}
              validation_holdout=["chr2"], test_holdout=["chr3"], sequence_length=100,
              center_bin_to_predict=40, save_datasets=[])
    for batch in [s.sample(16), s.sample(16), s.sample_for_step(9, 5, "test")]:
        for a in batch:
            h.update(np.ascontiguousarray(a).tobytes())
    for seqs, targets in s.get_validation_set(16, 40)[0]:
        h.update(seqs.tobytes()); h.update(targets.tobytes())
    print(h.hexdigest())
    """
)


@pytest.mark.parametrize("cls", ["RandomPositionsSampler", "IntervalsSampler"])
def test_same_seed_same_samples_in_a_new_process(world, cls):
    extra = f"{str(world.intervals)!r}," if cls == "IntervalsSampler" else ""
    script = _SCRIPT.format(cls=cls, extra=extra)
    out = subprocess.run(
        [sys.executable, "-c", script, str(world.fasta), str(world.targets)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    ).stdout.strip()
    # the same computation here
    if cls == "IntervalsSampler":
        s = IntervalsSampler(
            world.genome, world.targets, world.features, world.intervals, **ARGS, save_datasets=[]
        )
    else:
        s = _rps(world)
    h = hashlib.sha256()
    for batch in [s.sample(16), s.sample(16), s.sample_for_step(9, 5, "test")]:
        for a in batch:
            h.update(np.ascontiguousarray(a).tobytes())
    for seqs, targets in s.get_validation_set(16, 40)[0]:
        h.update(seqs.tobytes())
        h.update(targets.tobytes())
    assert out == h.hexdigest()


def test_sampling_does_not_touch_global_rngs(world):
    import random

    np.random.seed(123)  # noqa: NPY002 - the global state is what this test watches
    random.seed(123)
    expected = (np.random.random(), random.random())  # noqa: NPY002
    np.random.seed(123)  # noqa: NPY002
    random.seed(123)
    sampler = _rps(world)
    sampler.sample(8)
    sampler.get_validation_set(8, 16)
    assert (np.random.random(), random.random()) == expected  # noqa: NPY002


def test_pickled_sampler_draws_the_same_batches(world):
    sampler = _rps(world)
    clone = pickle.loads(pickle.dumps(sampler))
    np.testing.assert_array_equal(sampler.sample_for_step(4, 8)[0], clone.sample_for_step(4, 8)[0])


# -- saved datasets -----------------------------------------------------------------------------
def test_saved_dataset_format_and_bedfilesampler_round_trip(tmp_path):
    world = make_world(tmp_path)
    out = tmp_path / "out"
    sampler = _rps(world, save_datasets=["train", "validate"], output_dir=out)
    drawn = [sampler.sample(16) for _ in range(3)]
    sampler.save_dataset_to_file("train", close_filehandle=True)
    val_batches, val_targets = sampler.get_validation_set(10, 25)

    lines = (out / "train_data.bed").read_text().splitlines()
    assert len(lines) == 48
    targets = np.concatenate([t for _, t in drawn])
    for line, row in zip(lines, targets):
        _chrom, start, end, strand, idx = line.split("\t")
        assert int(end) - int(start) == 100 and strand in "+-"
        assert idx == ";".join(str(i) for i in np.nonzero(row)[0])

    reread = BedFileSampler(
        out / "train_data.bed", world.genome, 48, targets_avail=True, n_features=3
    )
    batches, _all_targets = reread.get_data_and_targets(16)
    for (s1, t1), (s2, t2) in zip(drawn, batches):
        np.testing.assert_array_equal(s1, s2)  # strand honoured: identical encodings
        np.testing.assert_array_equal(t1, t2)

    val = BedFileSampler(
        out / "validate_data.bed", world.genome, 25, targets_avail=True, n_features=3
    )
    batches, targets = val.get_data_and_targets(10)
    np.testing.assert_array_equal(targets, val_targets)
    np.testing.assert_array_equal(batches[2][0], val_batches[2][0])


def test_add_to_saved_dataset_records_worker_batches(tmp_path):
    world = make_world(tmp_path)
    sampler = _rps(world, save_datasets=["train"], output_dir=tmp_path / "o")
    _seqs, targets, coords = sampler.sample_for_step(0, 5, "train", return_coordinates=True)
    sampler.add_to_saved_dataset("train", coords, targets)
    sampler.add_to_saved_dataset("validate", coords, targets)  # not saved: a no-op
    assert not (tmp_path / "o" / "train_data.bed").exists()  # written atomically on close
    sampler.save_dataset_to_file("train", close_filehandle=True)
    lines = (tmp_path / "o" / "train_data.bed").read_text().splitlines()
    assert [ln.split("\t")[:2] for ln in lines] == [
        [c, str(s)] for c, s in zip(coords[0], coords[1])
    ]
    assert not (tmp_path / "o" / "validate_data.bed").exists()
    # closing again does not truncate the finished file
    sampler.save_dataset_to_file("train", close_filehandle=True)
    assert len((tmp_path / "o" / "train_data.bed").read_text().splitlines()) == 5
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["train_data.bed"]


def test_save_datasets_without_output_dir_warns(world):
    with pytest.warns(UserWarning, match="needs an output_dir"):
        sampler = IntervalsSampler(
            world.genome, world.targets, world.features, world.intervals, **ARGS
        )
    assert sampler.save_datasets == []
    with pytest.raises(ValueError, match="unknown mode"):
        _rps(world, save_datasets=["training"], output_dir=world.fasta.parent)


def test_intervals_sampler_saves_test_set_by_default(tmp_path):
    world = make_world(tmp_path)
    sampler = IntervalsSampler(
        world.genome,
        world.targets,
        world.features,
        world.intervals,
        **ARGS,
        output_dir=tmp_path / "o",
    )
    sampler.get_test_set(8, 20)
    assert len((tmp_path / "o" / "test_data.bed").read_text().splitlines()) == 20
