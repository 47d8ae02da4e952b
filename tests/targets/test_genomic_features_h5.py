"""GenomicFeaturesH5: hand-computed overlaps, means and NaN; errors; workers; samplers."""

from __future__ import annotations

import gzip
import pickle

import h5py
import numpy as np
import pytest

from selene_sdk.errors import InputFormatError
from selene_sdk.targets import GenomicFeaturesH5
from selene_sdk.targets import genomic_features_h5 as module

MATRIX = np.array(
    [[1.0, 2.0, 3.0], [3.0, 4.0, 5.0], [10.0, 20.0, 30.0], [7.0, np.nan, 9.0]], np.float32
)
NAMES = ["a", "b", "c"]


def write(tmp_path, lines, matrix=MATRIX, key="targets", name="t.bed"):
    bed = tmp_path / name
    text = "".join(line + "\n" for line in lines)
    if name.endswith(".gz"):
        bed.write_bytes(gzip.compress(text.encode()))
    else:
        bed.write_text(text)
    h5 = tmp_path / "t.h5"
    with h5py.File(h5, "w") as f:
        f.create_dataset(key, data=matrix)
    return bed, h5


LINES = [
    "chr1\t10\t20\t0",
    "chr1\t15\t30\tpeak\t1",  # columns between are ignored: the last one is the row
    "chr1\t100\t110\t2",
    "chr2\t5\t8\t3",
]


@pytest.fixture
def targets(tmp_path):
    bed, h5 = write(tmp_path, LINES)
    return GenomicFeaturesH5(str(bed), str(h5), NAMES)


def test_one_overlap_several_overlaps_and_none(targets):
    np.testing.assert_array_equal(targets.get_feature_data("chr1", 0, 12), [1, 2, 3])
    np.testing.assert_array_equal(targets.get_feature_data("chr1", 16, 18), [2, 3, 4])  # mean
    np.testing.assert_array_equal(
        targets.get_feature_data("chr1", 20, 21), [3, 4, 5]
    )  # [10,20) ends
    assert np.isnan(targets.get_feature_data("chr1", 40, 50)).all()
    assert np.isnan(targets.get_feature_data("chrX", 0, 1000)).all()
    # a NaN in the matrix stays NaN in its target only
    got = targets.get_feature_data("chr2", 0, 6)
    assert got[0] == 7 and np.isnan(got[1]) and got[2] == 9
    assert targets.is_positive("chr1", 105, 106) and not targets.is_positive("chr1", 40, 50)
    assert targets.index_feature_dict == {0: "a", 1: "b", 2: "c"} and targets.n_targets == 3


def test_batches_equal_a_brute_force_mean(tmp_path):
    rng = np.random.default_rng(0)
    n = 300
    starts = rng.integers(0, 5_000, n)
    ends = starts + rng.integers(0, 400, n)
    chroms = rng.choice(["chr1", "chr2"], n)
    matrix = rng.random((n, 4)).astype(np.float32)
    lines = [f"{c}\t{s}\t{e}\t{i}" for i, (c, s, e) in enumerate(zip(chroms, starts, ends))]
    bed, h5 = write(tmp_path, lines, matrix, name="r.bed.gz")
    t = GenomicFeaturesH5(bed, h5, list("wxyz"))
    qc = rng.choice(["chr1", "chr2", "chr3"], 500)
    qs = rng.integers(0, 5_000, 500)
    qe = qs + rng.integers(1, 300, 500)
    got = t.get_feature_data_batch(qc, qs, qe)
    for j in range(500):
        hit = (chroms == qc[j]) & (starts < qe[j]) & (np.maximum(ends, starts + 1) > qs[j])
        want = matrix[hit].mean(axis=0) if hit.any() else np.full(4, np.nan)
        np.testing.assert_allclose(got[j], want, rtol=1e-6, equal_nan=True)


def test_matrix_read_from_file_when_too_big_for_memory_and_in_workers(tmp_path, monkeypatch):
    bed, h5 = write(tmp_path, LINES)
    in_memory = GenomicFeaturesH5(bed, h5, NAMES)
    monkeypatch.setattr(module, "IN_MEMORY_BYTES", 0)
    from_file = GenomicFeaturesH5(bed, h5, NAMES)
    assert from_file._matrix is None
    query = (["chr1", "chr1", "chr2", "chr9"], [0, 16, 0, 0], [12, 18, 6, 5])
    want = in_memory.get_feature_data_batch(*query)
    np.testing.assert_array_equal(from_file.get_feature_data_batch(*query), want)
    copy = pickle.loads(pickle.dumps(from_file))  # as a DataLoader worker receives it
    np.testing.assert_array_equal(copy.get_feature_data_batch(*query), want)


def test_bad_inputs_name_the_file(tmp_path):
    bed, h5 = write(tmp_path, ["chr1\t1\t5\t0", "chr1\t6\t9\t4"])
    with pytest.raises(InputFormatError, match=r"t\.bed:2: row index 4 is beyond the 4 rows"):
        GenomicFeaturesH5(bed, h5, NAMES)
    bed, h5 = write(tmp_path, ["chr1\t1\t5\tx"])
    with pytest.raises(InputFormatError, match=r"t\.bed:1: row index 'x' is not an integer"):
        GenomicFeaturesH5(bed, h5, NAMES)
    bed, h5 = write(tmp_path, ["chr1\t1\t5\t0"], key="values")
    with pytest.raises(ValueError, match=r"t\.h5: no dataset 'targets' \(it has: values\)"):
        GenomicFeaturesH5(bed, h5, NAMES)
    bed, h5 = write(tmp_path, ["chr1\t1\t5\t0"])
    with pytest.raises(ValueError, match="3 columns but 2 target names"):
        GenomicFeaturesH5(bed, h5, ["a", "b"])
    with pytest.raises(TypeError, match="load_features_list"):
        GenomicFeaturesH5(bed, h5, "features.txt")
    with pytest.raises(FileNotFoundError):
        GenomicFeaturesH5(tmp_path / "missing.bed", h5, NAMES)


def test_random_positions_sampler_draws_continuous_targets(tmp_path):
    from selene_sdk.samplers import RandomPositionsSampler
    from selene_sdk.sequences import Genome

    rng = np.random.default_rng(1)
    fasta = tmp_path / "g.fa"
    fasta.write_text(
        "".join(f">{c}\n{''.join(rng.choice(list('ACGT'), 3000))}\n" for c in ("chr1", "chr2"))
    )
    lines = [f"chr1\t{s}\t{s + 400}\t{i}" for i, s in enumerate(range(0, 2600, 400))]
    matrix = np.arange(len(lines) * 3, dtype=np.float32).reshape(-1, 3)
    bed, h5 = write(tmp_path, lines, matrix)
    sampler = RandomPositionsSampler(
        Genome(str(fasta)), GenomicFeaturesH5(bed, h5, NAMES), NAMES, validation_holdout=["chr2"],
        test_holdout=None, sequence_length=200, center_bin_to_predict=100,
    )  # fmt: skip
    seqs, targets = sampler.sample(batch_size=16)
    assert seqs.shape == (16, 200, 4) and targets.shape == (16, 3)
    ok = ~np.isnan(targets).any(axis=1)
    assert ok.any()
    # every label is a row of the matrix or the mean of two neighbouring rows
    rows = targets[ok]
    assert np.allclose(rows[:, 1] - rows[:, 0], 1) and np.allclose(rows[:, 2] - rows[:, 0], 2)
    assert sampler.get_feature_from_index(2) == "c"


MODEL_FILE = """
import torch
from torch import nn

from selene_sdk.models.losses import MaskedMSELoss


class Net(nn.Module):
    def __init__(self, n_targets=3):
        super().__init__()
        self.conv = nn.Conv1d(4, 8, 9)
        self.linear = nn.Linear(8, n_targets)

    def forward(self, x):
        return self.linear(torch.relu(self.conv(x)).mean(dim=2))


def criterion():
    return MaskedMSELoss()


def get_optimizer(lr):
    return torch.optim.SGD, {"lr": lr}
"""

CONFIG = """
ops: [train, evaluate]
model:
  path: {d}/model.py
  class: Net
  class_args: {{n_targets: 3}}
sampler: !obj:selene_sdk.samplers.RandomPositionsSampler
  reference_sequence: !obj:selene_sdk.sequences.Genome
    input_path: {d}/g.fa
  target_path: !obj:selene_sdk.targets.genomic_features_h5.GenomicFeaturesH5
    tabix_path: {d}/t.bed.gz
    h5_path: {d}/t.h5
    targets: !obj:selene_sdk.utils.load_features_list
      input_path: {d}/names.txt
  features: !obj:selene_sdk.utils.load_features_list
    input_path: {d}/names.txt
  sequence_length: 200
  center_bin_to_predict: 100
  validation_holdout: [chr2]
  test_holdout: [chr3]
train_model: !obj:selene_sdk.TrainModel
  batch_size: 16
  max_steps: 4
  report_stats_every_n_steps: 2
  n_validation_samples: 32
  n_test_samples: 32
  cpu_n_threads: 1
  n_data_workers: 1
lr: 0.01
random_seed: 1
output_dir: {d}/out
create_subdirectory: False
"""


def test_a_0_6_0_config_with_genomic_features_h5_validates_and_trains(tmp_path):
    from selene_sdk.config.run import load_and_parse_configs_and_run
    from selene_sdk.config.validate import validate_path

    rng = np.random.default_rng(2)
    (tmp_path / "g.fa").write_text(
        "".join(f">chr{c}\n{''.join(rng.choice(list('ACGT'), 4000))}\n" for c in (1, 2, 3))
    )
    lines = [f"chr{c}\t{s}\t{s + 300}\t{i}" for i, (c, s) in enumerate(
        (c, s) for c in (1, 2, 3) for s in range(0, 3700, 250))]  # fmt: skip
    write(tmp_path, lines, rng.random((len(lines), 3)).astype(np.float32), name="t.bed.gz")
    (tmp_path / "names.txt").write_text("a\nb\nc\n")
    (tmp_path / "model.py").write_text(MODEL_FILE)
    config = tmp_path / "config.yml"
    config.write_text(CONFIG.format(d=tmp_path))
    errors = [p for p in validate_path(config) if p.severity == "error"]
    assert errors == []
    load_and_parse_configs_and_run(str(config))
    log = (tmp_path / "out" / "selene_sdk.train_model.validation.txt").read_text().splitlines()
    assert len(log) == 3 and log[0] == "loss\tmse\tpearson\tr2\tspearman"  # regression
    assert np.isfinite(float(log[-1].split("\t")[0]))  # NaN targets left out of the loss
    out = tmp_path / "out"
    header = (out / "test_performance.txt").read_text().splitlines()[0]
    assert header == "class\tpearson\tspearman\tmse\tr2"
    assert (out / "regression_scatter.png").is_file() and not (out / "roc_curves.svg").exists()
