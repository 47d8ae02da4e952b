"""The dry run of `selene validate`: shape mistakes are caught, in words, before any work."""

from __future__ import annotations

import textwrap

import pytest
import torch

from selene_sdk.config.errors import ConfigError
from selene_sdk.config.run import load_and_parse_configs_and_run
from selene_sdk.config.validate import validate_path
from selene_sdk.forward.probe import describe_lengths, lengths_giving, probe_model

CONV_MODEL = """
import torch
from torch import nn


class Conv(nn.Module):
    '''conv(k=8) -> pool(4) -> linear: input length L gives 16 * ((L - 7) // 4) inputs.'''

    def __init__(self, sequence_length, n_genomic_features, channels=4):
        super().__init__()
        self.conv = nn.Conv1d(channels, 16, kernel_size=8)
        self.pool = nn.MaxPool1d(4, 4)
        self.classifier = nn.Linear(16 * ((sequence_length - 7) // 4), n_genomic_features)

    def forward(self, x):
        h = self.pool(torch.relu(self.conv(x)))
        return torch.sigmoid(self.classifier(h.flatten(1)))


def criterion():
    return nn.BCELoss()


def get_optimizer(lr):
    return torch.optim.SGD, {"lr": lr}
"""


@pytest.fixture
def setup(tmp_path):
    (tmp_path / "conv_model.py").write_text(CONV_MODEL)
    (tmp_path / "genome.fa").write_text(">chr1\n" + "ACGT" * 500 + "\n")
    (tmp_path / "targets.bed").write_text("chr1\t10\t20\ta\n")
    return tmp_path


def train_config(tmp_path, model_length=1000, sampler_length=1000, n_out=4, features=4):
    names = ", ".join(f"f{i}" for i in range(features))
    return textwrap.dedent(f"""
    ops: [train]
    model:
      path: {tmp_path / "conv_model.py"}
      class: Conv
      class_args: {{sequence_length: {model_length}, n_genomic_features: {n_out}}}
    sampler: !obj:selene_sdk.samplers.RandomPositionsSampler {{
        reference_sequence: !obj:selene_sdk.sequences.Genome {{
            input_path: {tmp_path / "genome.fa"}
        }},
        target_path: {tmp_path / "targets.bed"},
        features: [{names}],
        sequence_length: {sampler_length},
    }}
    train_model: !obj:selene_sdk.TrainModel {{
        batch_size: 4,
        max_steps: 2,
        report_stats_every_n_steps: 1,
    }}
    lr: 0.01
    output_dir: {tmp_path / "out"}
    """)


def analyze_config(tmp_path, weights, length=500, model_length=500, reference=None):
    reference = (
        reference or f"!obj:selene_sdk.sequences.Genome {{input_path: {tmp_path}/genome.fa}}"
    )
    return textwrap.dedent(f"""
    ops: [analyze]
    model:
      path: {tmp_path / "conv_model.py"}
      class: Conv
      class_args: {{sequence_length: {model_length}, n_genomic_features: 2}}
    analyze_sequences: !obj:selene_sdk.predict.AnalyzeSequences {{
        trained_model_path: {weights},
        sequence_length: {length},
        features: [a, b],
        reference_sequence: {reference},
    }}
    prediction: {{input_path: ACGTACGT}}
    """)


def errors(tmp_path, text):
    path = tmp_path / "config.yml"
    path.write_text(text)
    return [p for p in validate_path(path) if p.severity == "error"], text


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def conv_module(directory):
    """The model file written by the ``setup`` fixture, imported."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("conv_model", directory / "conv_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def conv_weights(tmp_path, length: int, n_out: int = 2):
    module = conv_module(tmp_path)
    path = tmp_path / f"conv_{length}.pth.tar"
    torch.save({"state_dict": module.Conv(length, n_out).state_dict()}, path)
    return path


def test_matching_config_passes(setup):
    assert errors(setup, train_config(setup))[0] == []


def test_model_length_differs_from_sampler(setup):
    (problem,), text = errors(setup, train_config(setup, model_length=500, sampler_length=1000))
    # (500 - 7) // 4 = 123 -> 1968 inputs; lengths 499..502 give 123 pooled positions
    assert problem.key == "sampler.sequence_length"
    assert problem.line == line_of(text, "sequence_length: 1000")
    assert "expects input length 500 (any length from 499 to 502" in problem.message
    assert "classifier takes 1968 inputs and gets 3968 at input length 1000" in problem.message


def test_output_width_differs_from_features(setup):
    (problem,), text = errors(setup, train_config(setup, n_out=3, features=4))
    assert problem.key == "sampler.features"
    assert problem.line == line_of(text, "features: [f0")
    assert "returns 3 values per sequence" in problem.message
    assert "lists 4 features" in problem.message


def test_alphabet_width_differs(setup):
    text = train_config(setup).replace(
        "n_genomic_features: 4}", "n_genomic_features: 4, channels: 20}"
    )
    (problem,), _ = errors(setup, text)
    assert "layer conv takes 20 input channels" in problem.message
    assert "4 letters of Genome (ACGT)" in problem.message


def test_protein_reference_fits_a_20_channel_model(setup):
    (setup / "prot.fa").write_text(">p\nACDEFGHIK\n")
    weights = setup / "w20.pth"
    module = conv_module(setup)
    torch.save(module.Conv(30, 2, channels=20).state_dict(), weights)
    reference = f"!obj:selene_sdk.sequences.Proteome {{input_path: {setup}/prot.fa}}"
    text = analyze_config(setup, weights, 30, 30, reference).replace(
        "n_genomic_features: 2}", "n_genomic_features: 2, channels: 20}"
    )
    assert errors(setup, text)[0] == []
    alphabet, checkpoint = errors(setup, text.replace(", channels: 20}", "}"))[0]
    # a 4-channel model takes neither the 20 amino acids nor the 20-channel checkpoint
    assert "layer conv takes 4 input channels" in alphabet.message
    assert "the 20 letters of Proteome (ARNDCEQG...)" in alphabet.message
    assert checkpoint.key == "analyze_sequences.trained_model_path"
    assert "conv takes 20 input channels (it was trained on a 20-letter alphabet)" in (
        checkpoint.message
    )


def test_checkpoint_trained_for_another_length(setup):
    weights = conv_weights(setup, 1000)
    (problem,), text = errors(setup, analyze_config(setup, weights, 500, 500))
    assert problem.key == "analyze_sequences.trained_model_path"
    assert problem.line == line_of(text, "trained_model_path")
    assert (
        "the checkpoint was trained for input length 1000 (any length from 999 to 1002"
        in problem.message
    )
    assert "(classifier expects 3968 inputs; the model built here gives it 1968)" in problem.message
    assert "this config says 500 (analyze_sequences.sequence_length)" in problem.message


def test_checkpoint_with_other_feature_count(setup):
    weights = conv_weights(setup, 500, n_out=7)
    (problem,), _ = errors(setup, analyze_config(setup, weights))
    assert "classifier has 7 outputs but the model built from model.class_args has 2" in (
        problem.message
    )


def test_unreadable_checkpoint_is_reported(setup):
    bad = setup / "bad.pth"
    bad.write_bytes(b"not a checkpoint")
    (problem,), _ = errors(setup, analyze_config(setup, bad))
    assert problem.key == "analyze_sequences.trained_model_path"
    assert "cannot be read as a PyTorch checkpoint" in problem.message


def test_model_that_cannot_be_built(setup):
    text = train_config(setup, model_length=5)  # (5 - 7) // 4 < 0: nn.Linear refuses
    (problem,), _ = errors(setup, text)
    assert problem.key == "model.class_args"
    assert "could not be built for the dry run" in problem.message


def test_run_stops_before_any_work(setup):
    path = setup / "config.yml"
    path.write_text(train_config(setup, model_length=500, sampler_length=1000))
    with pytest.raises(ConfigError, match="expects input length 500"):
        load_and_parse_configs_and_run(path)
    assert not (setup / "out").exists()


def test_probe_and_length_search_on_a_known_model(setup):
    module = conv_module(setup)
    model = module.Conv(1000, 3)
    model.train()
    ok = probe_model(model, 1000, 4)
    assert ok.ok and ok.output_width == 3
    assert model.training  # handed back in its mode
    bad = probe_model(model, 700, 4)
    assert bad.mismatch.name == "classifier" and bad.mismatch.expected == 3968
    assert bad.mismatch.got == 16 * ((700 - 7) // 4)
    # (L - 7) // 4 == 248  <=>  999 <= L <= 1002;  == 247  <=>  995 <= L <= 998
    assert lengths_giving(model, "classifier", 3968, 4, start=700) == (999, 1002)
    assert lengths_giving(model, "classifier", 3952, 4, start=5000) == (995, 998)
    assert lengths_giving(model, "classifier", 3953, 4) is None  # not a multiple of 16
    assert describe_lengths((995, 998)) == "995-998"
    assert describe_lengths((993, 1056)) == "1000 (any length from 993 to 1056 gives that)"
    assert describe_lengths((7, 7)) == "7"
