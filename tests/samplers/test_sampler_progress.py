"""Progress while drawing evaluation sets and writing HDF5 files: log lines off a terminal,
hand-computed against a clock that advances 10 s at every reading."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from selene_sdk import progress
from selene_sdk.samplers import MultiSampler, RandomPositionsSampler
from selene_sdk.samplers.dataloader import H5DataLoader, _H5Dataset
from selene_sdk.samplers.file_samplers import BedFileSampler
from selene_sdk.samplers.write_h5 import write_sampler_to_h5
from tests.samplers.helpers import write_bed

ARGS = dict(
    validation_holdout=["chr2"],
    test_holdout=["chr3"],
    sequence_length=100,
    center_bin_to_predict=40,
)


class TickingClock:
    """Each reading is 10 s after the previous one (the first is 0)."""

    def __init__(self):
        self.t = -10.0

    def __call__(self) -> float:
        self.t += 10.0
        return self.t


@pytest.fixture
def lines(monkeypatch, caplog):
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "log")
    monkeypatch.setenv("SELENE_SDK_PROGRESS_INTERVAL", "25")
    monkeypatch.setattr(progress, "_now", TickingClock())
    caplog.set_level(logging.INFO, logger="selene")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "selene"]


def _online(world, mode="train"):
    return RandomPositionsSampler(world.genome, world.targets, world.features, mode=mode, **ARGS)


def test_validation_and_test_sets_report_progress(world, lines):
    sampler = _online(world)
    # 5 batches of 4: readings at 0 (start), 10, 20, 30 (12 samples: a line), 40, 50, 60 (end)
    batches, targets = sampler.get_validation_set(4, n_samples=20)
    assert targets.shape == (20, 3) and len(batches) == 5
    assert lines() == [
        "validate set: 12/20 samples (60%) after 30s, 2.5 s/sample, ETA 20s",
        "validate set: 20/20 samples (100%) in 1m00s, 3.0 s/sample",
    ]
    sampler.get_test_set(10, n_samples=20)  # 2 batches: 0, 10, 20, then 30 at the end
    assert lines()[2:] == []
    # the progress display does not change the drawn set
    again, _ = _online(world).get_validation_set(4, n_samples=20)
    np.testing.assert_array_equal(again[3][0], batches[3][0])


def test_dataloader_partition_and_write_h5_report_progress(world, tmp_path, lines):
    h5 = write_sampler_to_h5(_online(world), "validate", 3, 5, tmp_path, seed=2)
    # 3 batches: readings 0, 10, 20, 30 (a line: all done, so no ETA), 40 at the end
    assert lines() == [
        "writing validate_seed=2_N=15.h5: 3/3 batches (100%) after 30s, 10.0 s/batch",
        "writing validate_seed=2_N=15.h5: 3/3 batches (100%) in 40s, 13.3 s/batch",
    ]
    loader = H5DataLoader(_H5Dataset(h5), num_workers=0, batch_size=4, shuffle=False)
    multi = MultiSampler(_online(world), loader, world.features)
    # a finite loader is read in full: 4 loader batches, readings 0, 10, 20, 30 (3 done), 40, 50
    _, targets = multi.get_validation_set(4)
    assert targets.shape == (15, 3)
    assert lines()[2:] == [
        "validate set: 3/4 batches (75%) after 30s, 10.0 s/batch, ETA 10s",
        "validate set: 4/4 batches (100%) in 50s, 12.5 s/batch",
    ]
    # n_samples given: 6 rows in batches of 2; readings 0, 10, 20, 30 (6 rows), 40 at the end
    multi.get_data_and_targets(2, 6, mode="validate")
    assert lines()[4:] == [
        "validate set: 6/6 samples (100%) after 30s, 5.0 s/sample",
        "validate set: 6/6 samples (100%) in 40s, 6.7 s/sample",
    ]


def test_file_sampler_set_reports_progress(world, tmp_path, lines):
    rows = [("chr3", 1000 + 200 * i, 1100 + 200 * i, "+", str(i % 3)) for i in range(9)]
    path = write_bed(tmp_path / "test.bed", rows)
    sampler = BedFileSampler(path, world.genome, 9, targets_avail=True, n_features=3)
    _, targets = sampler.get_data_and_targets(3)  # 3 batches: a line at 30 s, then 40 s
    assert targets.shape == (9, 3)
    assert lines() == [
        "BedFileSampler set: 9/9 samples (100%) after 30s, 3.3 s/sample",
        "BedFileSampler set: 9/9 samples (100%) in 40s, 4.4 s/sample",
    ]
