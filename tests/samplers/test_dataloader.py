"""Bit unpacking, SamplerDataLoader, the HDF5 writer, _H5Dataset and H5DataLoader."""

from __future__ import annotations

import argparse
import os

import h5py
import numpy as np
import pytest
import torch

from selene_sdk.config.write_h5_command import add_arguments, run
from selene_sdk.errors import InputFormatError
from selene_sdk.samplers import RandomPositionsSampler
from selene_sdk.samplers.dataloader import (
    H5DataLoader,
    SamplerDataLoader,
    _H5Dataset,
    _SamplerDataset,
    unpackbits_sequence,
    unpackbits_targets,
)
from selene_sdk.samplers.write_h5 import write_sampler_to_h5

ARGS = dict(
    validation_holdout=["chr2"],
    test_holdout=["chr3"],
    sequence_length=100,
    center_bin_to_predict=40,
)


@pytest.fixture
def sampler(world):
    return RandomPositionsSampler(world.genome, world.targets, world.features, **ARGS)


# -- bits ---------------------------------------------------------------------------------------
def test_unpackbits_sequence_restores_one_hot_and_unknown_rows():
    seq = np.zeros((11, 4), dtype=np.float32)
    seq[np.arange(11), [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2]] = 1
    seq[4] = 0.25
    packed = np.packbits(seq > 0, axis=0)
    assert packed.shape == (2, 4) and packed.dtype == np.uint8
    np.testing.assert_array_equal(unpackbits_sequence(packed, 11), seq)
    batch = np.stack([packed, packed])
    np.testing.assert_array_equal(unpackbits_sequence(batch, 11), np.stack([seq, seq]))


def test_unpackbits_targets_one_and_two_dimensional():
    targets = np.array([1, 0, 0, 1, 1, 0, 0, 0, 0, 1], dtype=np.float32)
    packed = np.packbits(targets.astype(np.uint8))
    np.testing.assert_array_equal(unpackbits_targets(packed, 10), targets)  # spec §14 item 19
    np.testing.assert_array_equal(
        unpackbits_targets(np.stack([packed, packed]), 10), np.stack([targets, targets])
    )


# -- SamplerDataLoader --------------------------------------------------------------------------
@pytest.mark.parametrize("workers", [0, 2])
def test_sampler_dataloader_yields_the_step_stream_in_order(sampler, workers):
    loader = SamplerDataLoader(sampler, num_workers=workers, batch_size=8, seed=11)
    got = []
    for i, (seqs, targets) in enumerate(loader):
        assert isinstance(seqs, torch.Tensor) and seqs.shape == (8, 100, 4)
        got.append((seqs.numpy(), targets.numpy()))
        if i == 3:
            break
    for step, (seqs, targets) in enumerate(got):
        expected = sampler.sample_for_step(step, 8, "train", seed=11)
        np.testing.assert_array_equal(seqs, expected[0])
        np.testing.assert_array_equal(targets, expected[1])


def test_sampler_dataloader_uses_the_sampler_mode(sampler):
    sampler.set_mode("validate")
    seqs, _ = next(iter(SamplerDataLoader(sampler, num_workers=0, batch_size=4)))
    np.testing.assert_array_equal(
        seqs.numpy(), sampler.sample_for_step(0, 4, "validate", seed=436)[0]
    )


def test_sampler_dataloader_extensions(sampler, world, tmp_path):
    loader = SamplerDataLoader(
        sampler,
        num_workers=2,
        batch_size=4,
        seed=None,
        mode="test",
        start_step=5,
        return_coordinates=True,
    )
    iterator = iter(loader)
    for step in (5, 6):
        seqs, targets, coords = next(iterator)
        expected = sampler.sample_for_step(step, 4, "test", return_coordinates=True)
        np.testing.assert_array_equal(seqs.numpy(), expected[0])
        np.testing.assert_array_equal(targets.numpy(), expected[1])
        assert list(coords[0]) == list(expected[2][0])
        np.testing.assert_array_equal(coords[1], expected[2][1])  # numpy, as drawn
    del iterator


def test_sampler_dataloader_over_a_mat_file_sampler(tmp_path):
    import scipy.io

    from selene_sdk.samplers.file_samplers import MatFileSampler

    seqs = np.eye(4, dtype=np.uint8)[np.random.default_rng(0).integers(0, 4, (10, 6))]
    scipy.io.savemat(tmp_path / "d.mat", {"x": seqs.transpose(0, 2, 1), "y": np.eye(10)})
    mat = MatFileSampler(tmp_path / "d.mat", "x", "y", random_seed=2)
    got = [b for _, b in zip(range(3), SamplerDataLoader(mat, num_workers=0, batch_size=4))]
    for step, (x, y) in enumerate(got):
        expected = mat.sample_for_step(step, 4, seed=436)
        np.testing.assert_array_equal(x.numpy(), expected[0])
        np.testing.assert_array_equal(y.numpy(), expected[1])


def test_code_batches_encode_to_the_same_samples(sampler, world, tmp_path):
    batch = sampler.sample_codes_for_step(2, 6, "validate", return_coordinates=True)
    assert batch.codes.dtype == np.uint8 and batch.codes.shape == (6, 100)
    expected = sampler.sample_for_step(2, 6, "validate", return_coordinates=True)
    np.testing.assert_array_equal(batch.sequences(), expected[0])
    np.testing.assert_array_equal(batch.targets, expected[1])


def test_sampler_dataset_single_items_and_lists(sampler):
    dataset = _SamplerDataset(sampler)
    seq, target = dataset[5]
    assert seq.shape == (100, 4) and target.shape == (3,)
    np.testing.assert_array_equal(seq, sampler.sample_for_step(5, 1)[0][0])
    seqs, _ = dataset[[8, 9, 10, 11]]
    np.testing.assert_array_equal(seqs, sampler.sample_for_step(2, 4)[0])
    assert len(dataset) > 2**62


# -- HDF5 writer and reader ---------------------------------------------------------------------
@pytest.mark.parametrize("compress", [False, True])
def test_write_h5_round_trip(sampler, tmp_path, compress):
    path = write_sampler_to_h5(
        sampler, "train", 3, 8, tmp_path / "h5", seed=5, compress=compress, progress=False
    )
    assert os.path.basename(path) == "train_seed=5_N=24.h5"
    assert os.listdir(tmp_path / "h5") == ["train_seed=5_N=24.h5"]  # no temporary left
    with h5py.File(path) as f:
        assert int(f["sequences_length"][()]) == 100 and int(f["targets_length"][()]) == 3
        if compress:
            assert f["sequences"].shape == (24, 13, 4) and f["sequences"].dtype == np.uint8
            assert f["targets"].shape == (24, 1)
        else:
            assert f["sequences"].shape == (24, 100, 4) and f["targets"].dtype == np.float32
    expected = [sampler.sample_for_step(s, 8, "train", seed=5) for s in range(3)]
    seqs = np.concatenate([e[0] for e in expected])
    targets = np.concatenate([e[1] for e in expected])
    dataset = _H5Dataset(path, unpackbits=compress)
    assert len(dataset) == 24
    seq, target = dataset[9]
    assert seq.dtype == torch.float32 and target.dtype == torch.float32
    np.testing.assert_array_equal(seq.numpy(), seqs[9])
    np.testing.assert_array_equal(target.numpy(), targets[9])
    np.testing.assert_array_equal(dataset[33][0].numpy(), seqs[9])  # int indices wrap
    loader = H5DataLoader(dataset, num_workers=0, batch_size=10, shuffle=False)
    batches = list(loader)
    assert [len(b[0]) for b in batches] == [10, 10, 4]
    np.testing.assert_array_equal(torch.cat([b[0] for b in batches]).numpy(), seqs)
    np.testing.assert_array_equal(torch.cat([b[1] for b in batches]).numpy(), targets)


def test_write_h5_compress_needs_binary_targets(tmp_path):
    class Continuous:
        def sample_for_step(self, step, batch_size, mode="train", seed=None):
            return np.zeros((batch_size, 8, 4), np.float32), np.full((batch_size, 2), 0.5)

    with pytest.raises(ValueError, match="binary"):
        write_sampler_to_h5(Continuous(), "train", 1, 2, tmp_path, 1, compress=True, progress=False)
    assert os.listdir(tmp_path) == []
    path = write_sampler_to_h5(Continuous(), "train", 1, 2, tmp_path, 1, progress=False)
    np.testing.assert_array_equal(_H5Dataset(path)[0][1].numpy(), [0.5, 0.5])


def test_h5_loader_shuffle_subsets_and_workers(sampler, tmp_path):
    path = write_sampler_to_h5(sampler, "train", 4, 5, tmp_path, seed=1, progress=False)
    dataset = _H5Dataset(path)
    all_seqs = dataset[list(range(20))][0].numpy()

    def rows(loader):
        seqs = torch.cat([b[0] for b in loader]).numpy()
        return [int(np.nonzero((all_seqs == s).all(axis=(1, 2)))[0][0]) for s in seqs]

    shuffled = rows(H5DataLoader(dataset, num_workers=0, batch_size=6, seed=3))
    assert sorted(shuffled) == list(range(20)) and shuffled != list(range(20))
    assert rows(H5DataLoader(dataset, num_workers=0, batch_size=6, seed=3)) == shuffled
    assert rows(H5DataLoader(dataset, num_workers=2, batch_size=6, seed=3)) == shuffled
    assert sorted(rows(H5DataLoader(dataset, num_workers=0, use_subset=4))) == [0, 1, 2, 3]
    assert sorted(rows(H5DataLoader(dataset, num_workers=0, use_subset=(5, 8)))) == [5, 6, 7]
    assert sorted(rows(H5DataLoader(dataset, num_workers=0, use_subset=[19, 2]))) == [2, 19]
    with pytest.raises(ValueError, match="outside the dataset"):
        H5DataLoader(dataset, use_subset=[25])
    in_memory = _H5Dataset(path, in_memory=True)
    assert H5DataLoader(in_memory, num_workers=4).num_workers == 0
    np.testing.assert_array_equal(in_memory[3][0].numpy(), all_seqs[3])


def test_h5_dataset_centre_slice_and_shift(sampler, tmp_path):
    path = write_sampler_to_h5(sampler, "train", 1, 4, tmp_path, seed=1, progress=False)
    full = _H5Dataset(path)[0][0].numpy()
    # L=100, mid=50: u=21 -> [50 - 11, 50 + 10) = [39, 60)
    np.testing.assert_array_equal(_H5Dataset(path, use_seq_len=21)[0][0].numpy(), full[39:60])
    np.testing.assert_array_equal(
        _H5Dataset(path, use_seq_len=21, shift=-5)[0][0].numpy(), full[34:55]
    )
    with pytest.raises(ValueError, match="outside the stored sequences"):
        _H5Dataset(path, use_seq_len=90, shift=10)


def test_h5_dataset_errors(tmp_path):
    path = tmp_path / "x.h5"
    with h5py.File(path, "w") as f:
        f["seqs"] = np.zeros((3, 2, 4), np.uint8)
        f["targets"] = np.zeros((3, 1), np.uint8)
    with pytest.raises(InputFormatError, match=r"no dataset 'sequences'.*\['seqs', 'targets'\]"):
        _H5Dataset(path)
    with pytest.raises(InputFormatError, match="'seqs_length'"):
        _H5Dataset(path, sequence_key="seqs", unpackbits=True)
    with pytest.raises(FileNotFoundError):
        _H5Dataset(tmp_path / "missing.h5")


# -- `selene write-h5` --------------------------------------------------------------------------
def test_write_h5_arguments():
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["c.yml", "validate", "7", "--compress", "--batch-size", "32"])
    assert (args.config, args.mode, args.n_steps) == ("c.yml", "validate", 7)
    assert args.compress and args.batch_size == 32 and args.seed == 123
    with pytest.raises(SystemExit):
        parser.parse_args(["c.yml", "evaluate", "7"])


def test_write_h5_run_with_a_config(world, tmp_path):
    config = tmp_path / "c.yml"
    config.write_text(
        f"""
sampler: !obj:selene_sdk.samplers.RandomPositionsSampler {{
    reference_sequence: !obj:selene_sdk.sequences.Genome {{input_path: {world.fasta}}},
    target_path: {world.targets},
    features: [f0, f1, f2],
    validation_holdout: [chr2],
    test_holdout: [chr3],
    sequence_length: 100,
    center_bin_to_predict: 40,
}}
batch_size: 4
output_dir: {tmp_path / "out"}
"""
    )
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert run(parser.parse_args([str(config), "train", "2", "--seed", "9"])) == 0
    assert (tmp_path / "out" / "train_seed=9_N=8.h5").exists()
