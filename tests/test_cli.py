"""Command line: exit codes, one-paragraph errors, subcommand table, legacy entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from selene_sdk import __version__
from selene_sdk.cli import SUBCOMMANDS, legacy_main, main, register_subcommand
from tests.config import standins
from tests.config.conftest import MODEL_FILE

S = "tests.config.standins"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _reset_calls():
    standins.reset()
    yield
    standins.reset()


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "tiny_model.py"
    path.write_text(MODEL_FILE)
    return path


@pytest.fixture
def features_file(tmp_path):
    path = tmp_path / "features.txt"
    path.write_text("feature0\nfeature1\nfeature2\n")
    return path


@pytest.fixture
def config(tmp_path, model_file, features_file):
    text = textwrap.dedent(f"""
    ops: [train]
    model: {{path: {model_file}, class: Tiny, class_args: {{sequence_length: 10, n_targets: 3}}}}
    sampler: !obj:{S}.FakeSampler {{
        features: !obj:selene_sdk.utils.load_features_list {{input_path: {features_file}}},
    }}
    train_model: !obj:{S}.FakeTrainModel {{
        batch_size: 4, max_steps: 10, report_stats_every_n_steps: 5,
    }}
    output_dir: {tmp_path / "out"}
    create_subdirectory: false
    """).lstrip()
    path = tmp_path / "config.yml"
    path.write_text(text)
    return path


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"selene_sdk {__version__}"
    assert legacy_main(["--version"]) == 0


def test_run_success_with_lr(config, capsys, tmp_path):
    assert main(["run", str(config), "--lr", "1e-3"]) == 0
    train = standins.calls("train")[0][2]
    assert train["optimizer_kwargs"]["lr"] == 0.001
    assert f"outputs are in {tmp_path / 'out'}" in capsys.readouterr().out


def test_legacy_entry_point(config):
    assert legacy_main([str(config), "--lr", "0.5"]) == 0
    assert standins.calls("train")[0][2]["optimizer_kwargs"]["lr"] == 0.5


def test_config_file_alone_means_run(config):
    assert main([str(config), "--lr", "0.2"]) == 0
    assert standins.calls("train")[0][2]["optimizer_kwargs"]["lr"] == 0.2


def test_error_is_one_paragraph_without_traceback(config, capsys):
    assert main(["run", str(config)]) == 1  # no lr anywhere
    err = capsys.readouterr().err
    first, hint = err.strip().split("\n")
    assert first.startswith(f"selene: error: {config}:1:")
    assert "no learning rate is given" in first
    assert "Traceback" not in err and "--debug" in hint


def test_debug_shows_traceback(config, capsys):
    assert main(["--debug", "run", str(config)]) == 1
    assert "Traceback" in capsys.readouterr().err
    assert main(["run", str(config), "--debug"]) == 1  # after the subcommand too
    assert "Traceback" in capsys.readouterr().err


def test_runtime_error_inside_a_constructor(tmp_path, model_file, capsys):
    import torch

    weights = tmp_path / "tiny.pth"
    layer = torch.nn.Linear(40, 3)
    torch.save({f"linear.{k}": v for k, v in layer.state_dict().items()}, weights)
    text = f"""ops: [analyze]
model: {{path: {model_file}, class: Tiny, class_args: {{sequence_length: 10, n_targets: 3}}}}
analyze_sequences: !obj:{S}.FakeAnalyzeSequences {{
    trained_model_path: {weights}, sequence_length: 10,
    features: !obj:selene_sdk.utils.load_features_list {{input_path: {tmp_path}}},
}}
prediction: {{input_path: ACGT}}
"""
    path = tmp_path / "c.yml"
    path.write_text(text)
    assert main(["run", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()[0]
    # the features "file" is a directory: open() fails inside load_features_list
    assert "while building !obj:selene_sdk.utils.load_features_list" in err
    assert "c.yml:5:15" in err


def test_validate_exit_codes(config, capsys):
    assert main(["validate", str(config), "--lr", "0.1"]) == 0
    assert capsys.readouterr().out.strip().endswith("OK")
    assert main(["validate", str(config)]) == 1
    out = capsys.readouterr().out
    assert "error [lr]" in out and "1 error, 0 warnings" in out


def test_validate_strict_warnings(config, capsys):
    config.write_text(config.read_text() + "lr: 0.1\nrandom_sed: 4\n")
    assert main(["validate", str(config)]) == 0
    assert "did you mean random_seed" in capsys.readouterr().out
    assert main(["validate", "--strict", str(config)]) == 1


def test_missing_config_file(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.yml")]) == 1
    assert "configuration file not found" in capsys.readouterr().err
    assert legacy_main([str(tmp_path / "nope.yml")]) == 1


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main(["run"]) == 2  # missing CONFIG
    assert main(["run", "x.yml", "--lr", "fast"]) == 2
    assert main(["valdate", "x.yml"]) == 2
    assert "did you mean `selene validate`" in capsys.readouterr().err
    assert legacy_main([]) == 2


def test_subcommand_table_lists_plot_and_write_h5():
    assert SUBCOMMANDS["plot"].module == "selene_sdk.interpret.plot_command"
    assert SUBCOMMANDS["write-h5"].module == "selene_sdk.config.write_h5_command"


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("plot", "selene_sdk.interpret.plot_command"),
        ("write-h5", "selene_sdk.config.write_h5_command"),
    ],
)
def test_missing_subcommand_module_is_not_available(name, module, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, module, None)  # as if the module did not exist
    assert main([name, "anything"]) == 1
    err = capsys.readouterr().err
    assert f"`selene {name}` is not available" in err and module in err
    assert "Traceback" not in err


def test_registered_stand_in_subcommand_runs(monkeypatch, capsys):
    seen = {}
    stand_in = types.ModuleType("selene_sdk.interpret.plot_command")

    def add_arguments(parser):
        parser.add_argument("table")
        parser.add_argument("--kind", default="heatmap")

    def run(args):
        seen.update(vars(args))
        return 3

    stand_in.add_arguments = add_arguments
    stand_in.run = run
    monkeypatch.setitem(sys.modules, "selene_sdk.interpret.plot_command", stand_in)
    assert main(["plot", "ism.tsv", "--kind", "logo"]) == 3
    assert seen["table"] == "ism.tsv" and seen["kind"] == "logo"

    def failing(args):
        raise ValueError("bad table")

    stand_in.run = failing
    assert main(["plot", "ism.tsv"]) == 1
    assert "selene: error: ValueError: bad table" in capsys.readouterr().err


def test_register_subcommand(monkeypatch):
    module = types.ModuleType("my_ext_cmd")
    module.add_arguments = lambda parser: parser.add_argument("n", type=int)
    module.run = lambda args: args.n
    monkeypatch.setitem(sys.modules, "my_ext_cmd", module)
    monkeypatch.setitem(SUBCOMMANDS, "ext", SUBCOMMANDS["run"])
    register_subcommand("ext", "my_ext_cmd", "an extension")
    assert main(["ext", "7"]) == 7


def test_module_without_protocol_is_not_available(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "selene_sdk.config.write_h5_command", types.ModuleType("x"))
    assert main(["write-h5"]) == 1
    assert "does not provide add_arguments(parser) and run(args)" in capsys.readouterr().err


def test_python_dash_m(config, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # the stand-in classes live in tests/
    result = subprocess.run(
        [sys.executable, "-m", "selene_sdk", "validate", str(config), "--lr", "0.1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "selene_sdk", str(tmp_path / "missing.yml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "configuration file not found" in result.stderr and "Traceback" not in result.stderr
