"""MultiSampler with sampler, file-sampler and DataLoader partitions; MultiFileSampler."""

from __future__ import annotations

import numpy as np
import pytest

from selene_sdk.samplers import MultiFileSampler, MultiSampler, RandomPositionsSampler
from selene_sdk.samplers.dataloader import H5DataLoader, SamplerDataLoader, _H5Dataset
from selene_sdk.samplers.file_samplers import BedFileSampler
from selene_sdk.samplers.write_h5 import write_sampler_to_h5
from tests.samplers.helpers import write_bed

ARGS = dict(
    validation_holdout=["chr2"],
    test_holdout=["chr3"],
    sequence_length=100,
    center_bin_to_predict=40,
)


def _online(world, mode="train", **kwargs):
    return RandomPositionsSampler(
        world.genome, world.targets, world.features, mode=mode, **ARGS, **kwargs
    )


def _bed(world, tmp_path, n=7):
    rows = [("chr3", 1000 + 200 * i, 1100 + 200 * i, "+-"[i % 2], str(i % 3)) for i in range(n)]
    path = write_bed(tmp_path / "test.bed", rows)
    return BedFileSampler(path, world.genome, n, targets_avail=True, n_features=3)


def test_sampler_partitions_delegate(world, tmp_path):
    train, val, test = _online(world), _online(world, "validate"), _bed(world, tmp_path)
    multi = MultiSampler(train, val, world.features, test_sampler=test)
    assert multi.modes == ["train", "validate", "test"]
    assert multi.get_feature_from_index(1) == "f1"
    ref_train, ref_val = _online(world), _online(world)
    np.testing.assert_array_equal(multi.sample(4)[0], ref_train.sample_for_step(0, 4, "train")[0])
    np.testing.assert_array_equal(
        multi.sample(4, mode="validate")[0], ref_val.sample_for_step(0, 4, "validate")[0]
    )
    # sample_for_step: online partitions draw from their own mode, file partitions by step
    np.testing.assert_array_equal(
        multi.sample_for_step(6, 4, "validate")[1], ref_val.sample_for_step(6, 4, "validate")[1]
    )
    _seqs, targets, coords = multi.sample_for_step(1, 3, "test", return_coordinates=True)
    assert targets.argmax(axis=1).tolist() == [0, 1, 2] and coords[1].tolist() == [1600, 1800, 2000]
    batches, all_targets = multi.get_test_set(3)
    assert [len(b[0]) for b in batches] == [3, 3, 1] and all_targets.shape == (7, 3)
    assert multi.mode == "train"
    val_batches, _ = multi.get_validation_set(5, 10)
    np.testing.assert_array_equal(val_batches[1][0], ref_val.get_validation_set(5, 10)[0][1][0])
    multi.get_data_and_targets(3, mode="test")
    assert multi.mode == "test"


def test_saving_is_passed_to_partition_samplers(world, tmp_path):
    train = _online(world, save_datasets=["train"], output_dir=tmp_path / "o")
    multi = MultiSampler(train, _online(world, "validate"), world.features)
    _seqs, targets, coords = multi.sample_for_step(0, 4, "train", return_coordinates=True)
    multi.add_to_saved_dataset("train", coords, targets)
    multi.save_dataset_to_file("train", close_filehandle=True)
    assert len((tmp_path / "o" / "train_data.bed").read_text().splitlines()) == 4
    with pytest.warns(UserWarning, match="partition samplers"):
        MultiSampler(train, train, world.features, save_datasets=["train"])


def test_dataloader_partitions(world, tmp_path):
    source = _online(world)
    h5 = write_sampler_to_h5(source, "validate", 3, 5, tmp_path, seed=2, progress=False)
    val_loader = H5DataLoader(_H5Dataset(h5), num_workers=0, batch_size=4, shuffle=False)
    train_loader = SamplerDataLoader(_online(world), num_workers=0, batch_size=3, seed=8)
    multi = MultiSampler(train_loader, val_loader, world.features)
    # a DataLoader partition is re-batched to the requested size, as float32 numpy arrays
    first = multi.sample(5)
    second = multi.sample(2)
    assert first[0].dtype == np.float32 and first[0].shape == (5, 100, 4)
    stream = np.concatenate([source.sample_for_step(s, 3, "train", seed=8)[0] for s in range(3)])
    np.testing.assert_array_equal(np.concatenate([first[0], second[0]]), stream[:7])
    with pytest.raises(NotImplementedError, match=r"DataLoader.*cannot draw"):
        multi.sample_for_step(0, 4, "train")
    # a finite loader's validation set is one full pass, and the same every time
    batches, targets = multi.get_validation_set(4)
    assert [len(b[0]) for b in batches] == [4, 4, 4, 3] and targets.shape == (15, 3)
    expected = np.concatenate(
        [source.sample_for_step(s, 5, "validate", seed=2)[1] for s in range(3)]
    )
    np.testing.assert_array_equal(targets, expected)
    again = multi.get_validation_set(4)
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(batches, again[0]))
    # restarting at the end: 15 rows, ask for 20
    _, more = multi.get_data_and_targets(8, 20, mode="validate")
    np.testing.assert_array_equal(more[15:], expected[:5])


def test_online_partition_of_an_endless_loader_uses_default_size(world):
    loader = SamplerDataLoader(_online(world, "validate"), num_workers=0, batch_size=50)
    multi = MultiSampler(_online(world), loader, world.features)
    _, targets = multi.get_data_and_targets(100, 120, mode="validate")
    assert targets.shape == (120, 3)


def test_errors(world):
    train = _online(world)
    multi = MultiSampler(train, train, world.features)
    with pytest.raises(ValueError, match="no test partition"):
        multi.get_test_set(4)
    with pytest.raises(ValueError, match="mode must be one of"):
        multi.sample(1, mode="test")
    with pytest.raises(TypeError, match="validate partition"):
        MultiSampler(train, "validate.bed", world.features)


def test_multi_file_sampler_is_a_deprecated_alias(world):
    train = _online(world)
    with pytest.warns(DeprecationWarning, match="MultiSampler"):
        multi = MultiFileSampler(train, train, world.features)
    assert isinstance(multi, MultiSampler)
