"""Proof it learns: train + evaluate through the CLI on planted motifs, test ROC AUC >= 0.90."""

from __future__ import annotations

import textwrap

from selene_sdk.cli import legacy_main
from selene_sdk.demo import make_synthetic_data

MODEL = """
import torch
from torch import nn


class SmallCNN(nn.Module):
    def __init__(self, sequence_length, n_targets):
        super().__init__()
        self.conv = nn.Conv1d(4, 64, 15)
        self.linear = nn.Linear(64, n_targets)

    def forward(self, x):
        return torch.sigmoid(self.linear(torch.relu(self.conv(x)).amax(dim=2)))


def criterion():
    return nn.BCELoss()


def get_optimizer(lr):
    return torch.optim.Adam, {"lr": lr}
"""

CONFIG = """
ops: [train, evaluate]
model:
  path: small_cnn.py
  class: SmallCNN
  class_args: {sequence_length: 400, n_targets: 3}
sampler: !obj:selene_sdk.samplers.RandomPositionsSampler
  reference_sequence: !obj:selene_sdk.sequences.Genome {input_path: data/genome.fa}
  target_path: data/features.bed.gz
  features: !obj:selene_sdk.utils.load_features_list {input_path: data/features.txt}
  validation_holdout: [chr3]
  test_holdout: [chr4]
  sequence_length: 400
  center_bin_to_predict: 100
  feature_thresholds: 0.5
train_model: !obj:selene_sdk.TrainModel
  batch_size: 64
  max_steps: 600
  report_stats_every_n_steps: 200
  n_validation_samples: 1000
  n_test_samples: 2000
  cpu_n_threads: 1
lr: 0.01
random_seed: 6
output_dir: out
create_subdirectory: False
"""


def test_cli_training_learns_planted_motifs(tmp_path, monkeypatch):
    make_synthetic_data(
        tmp_path / "data",
        n_chroms=4,
        chrom_length=150_000,
        sites_per_chrom=80,
        features=["CTCF_like", "GATA_like", "AP1_like"],
    )
    (tmp_path / "small_cnn.py").write_text(MODEL)
    (tmp_path / "learn.yml").write_text(textwrap.dedent(CONFIG))
    monkeypatch.chdir(tmp_path)
    assert legacy_main(["learn.yml"]) == 0

    lines = (tmp_path / "out" / "test_performance.txt").read_text().splitlines()
    assert lines[0] == "class\troc_auc\taverage_precision"
    aucs = {row.split("\t")[0]: float(row.split("\t")[1]) for row in lines[1:]}
    assert set(aucs) == {"CTCF_like", "GATA_like", "AP1_like"}
    mean_auc = sum(aucs.values()) / len(aucs)
    assert mean_auc >= 0.90, aucs
    for name in (
        "best_model.pth.tar",
        "training_curves.svg",
        "configuration.yml",
        "small_cnn.py",
        "roc_curves.svg",
    ):
        assert (tmp_path / "out" / name).exists(), name
