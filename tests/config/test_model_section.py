"""The `model:` section: model files, packages, shipped classes, initialize_model."""

from __future__ import annotations

import sys

import pytest
import torch

from selene_sdk.config.errors import ConfigError
from selene_sdk.config.loader import load
from selene_sdk.config.model_section import initialize_model
from selene_sdk.models import NonStrandSpecific
from selene_sdk.models.deepsea import DeepSEA


def model_section(text: str):
    return load(f"model: {text}\n", source="cfg.yml")["model"]


def test_initialize_model_from_file_train(model_file):
    cfg = model_section(
        f"{{path: {model_file}, class: Tiny, class_args: {{sequence_length: 5, n_targets: 2}}}}"
    )
    model, loss, optim, kwargs = initialize_model(cfg, train=True, lr=0.25)
    assert type(model).__name__ == "Tiny" and model.linear.in_features == 20
    assert isinstance(loss, torch.nn.BCELoss)
    assert optim is torch.optim.SGD and kwargs == {"lr": 0.25, "momentum": 0.9}
    optim(model.parameters(), **kwargs)  # usable as documented


def test_initialize_model_evaluate_and_wrapping(model_file):
    cfg = model_section(
        f"{{path: {model_file}, class: Tiny, non_strand_specific: max,"
        " class_args: {sequence_length: 5, n_targets: 2}}"
    )
    result = initialize_model(cfg, train=False)
    assert len(result) == 2
    model, _ = result
    assert isinstance(model, NonStrandSpecific) and model.mode == "max"


def test_legacy_file_key_and_lr_forms(model_file):
    cfg = model_section(
        f"{{file: {model_file}, class: Tiny, class_args: {{sequence_length: 5, n_targets: 2}}}}"
    )
    assert initialize_model(cfg, lr=1)[3]["lr"] == 1.0  # ints are fine
    assert initialize_model(cfg, lr="1e-3")[3]["lr"] == 0.001  # so are numeric strings
    with pytest.raises(ConfigError, match="needs a learning rate"):
        initialize_model(cfg, train=True, lr=None)
    with pytest.raises(ConfigError, match="`lr` must be a number"):
        initialize_model(cfg, lr="fast")
    with pytest.raises(ConfigError, match="`lr` must be a number"):
        initialize_model(cfg, lr=True)


def test_shipped_architecture_without_path():
    cfg = model_section(
        "{class: DeepSEA, class_args: {sequence_length: 1000, n_genomic_features: 4}}"
    )
    model, loss, optim, kwargs = initialize_model(cfg, lr=0.1)
    assert isinstance(model, DeepSEA) and isinstance(loss, torch.nn.BCELoss)
    assert optim is torch.optim.SGD and kwargs["momentum"] == 0.9


def test_dotted_class_without_path():
    cfg = model_section(
        "{class: selene_sdk.models.DanQ, class_args: {sequence_length: 100, n_genomic_features: 2}}"
    )
    model, _, optim, _ = initialize_model(cfg, lr=0.1)
    assert type(model).__name__ == "DanQ" and optim is torch.optim.RMSprop


def test_unknown_builtin_name_suggests():
    cfg = model_section("{class: DeeperDeepSea, class_args: {}}")
    with pytest.raises(ConfigError, match="did you mean DeeperDeepSEA"):
        initialize_model(cfg, train=False)


def test_missing_model_file_names_line():
    cfg = model_section("{path: /no/such/model.py, class: X, class_args: {}}")
    with pytest.raises(
        ConfigError, match=r"cfg.yml:1:\d+: model file not found: /no/such/model.py"
    ):
        initialize_model(cfg, train=False)


def test_class_not_in_file(model_file):
    cfg = model_section(f"{{path: {model_file}, class: Tin, class_args: {{}}}}")
    with pytest.raises(
        ConfigError, match=r"class 'Tin' not found .*did you mean Tiny.*classes defined there: Tiny"
    ):
        initialize_model(cfg, train=False)


def test_missing_criterion(tmp_path, model_file):
    bare = tmp_path / "bare.py"
    bare.write_text(model_file.read_text().split("def criterion")[0])
    cfg = model_section(
        f"{{path: {bare}, class: Tiny, class_args: {{sequence_length: 2, n_targets: 1}}}}"
    )
    with pytest.raises(ConfigError, match=r"has no function criterion\(\)"):
        initialize_model(cfg, train=False)


def test_missing_get_optimizer(tmp_path, model_file):
    bare = tmp_path / "no_opt.py"
    bare.write_text(model_file.read_text().split("def get_optimizer")[0])
    cfg = model_section(
        f"{{path: {bare}, class: Tiny, class_args: {{sequence_length: 2, n_targets: 1}}}}"
    )
    initialize_model(cfg, train=False)  # fine without training
    with pytest.raises(ConfigError, match=r"has no function get_optimizer\(\)"):
        initialize_model(cfg, train=True, lr=0.1)


def test_bad_get_optimizer_return(tmp_path, model_file):
    bad = tmp_path / "bad_opt.py"
    bad.write_text(model_file.read_text() + "\ndef get_optimizer(lr):\n    return 'sgd'\n")
    cfg = model_section(
        f"{{path: {bad}, class: Tiny, class_args: {{sequence_length: 2, n_targets: 1}}}}"
    )
    with pytest.raises(ConfigError, match=r"must return \(optimizer_class, kwargs_dict\)"):
        initialize_model(cfg, lr=0.1)


def test_class_args_not_accepted_shows_signature(model_file):
    cfg = model_section(
        f"{{path: {model_file}, class: Tiny, class_args: {{sequence_length: 5, n_target: 2}}}}"
    )
    with pytest.raises(ConfigError) as info:
        initialize_model(cfg, train=False)
    message = str(info.value)
    assert "unknown argument 'n_target' (did you mean n_target -> n_targets?)" in message
    assert "missing argument 'n_targets'" in message
    assert "its signature is Tiny(sequence_length, n_targets)" in message


def test_class_args_must_be_mapping(model_file):
    cfg = model_section(f"{{path: {model_file}, class: Tiny, class_args: [5, 2]}}")
    with pytest.raises(ConfigError, match="must be a mapping of keyword arguments"):
        initialize_model(cfg, train=False)


def test_non_strand_specific_value(model_file):
    cfg = model_section(
        f"{{path: {model_file}, class: Tiny, non_strand_specific: both,"
        " class_args: {sequence_length: 5, n_targets: 2}}"
    )
    with pytest.raises(ConfigError, match="must be mean or max, got 'both'"):
        initialize_model(cfg, train=False)


def test_model_file_import_error_is_reported(tmp_path):
    broken = tmp_path / "broken_model.py"
    broken.write_text("import no_such_dependency_xyz\n")
    cfg = model_section(f"{{path: {broken}, class: X, class_args: {{}}}}")
    with pytest.raises(
        ConfigError, match=r"importing the model file .* failed: ModuleNotFoundError"
    ):
        initialize_model(cfg, train=False)
    assert "broken_model" not in sys.modules


def test_package_directory_with_relative_imports(tmp_path, model_file):
    package = tmp_path / "my_arch_pkg"
    package.mkdir()
    (package / "net.py").write_text(model_file.read_text())
    (package / "__init__.py").write_text("from .net import Tiny, criterion, get_optimizer\n")
    cfg = model_section(
        f"{{path: {package}, class: Tiny, class_args: {{sequence_length: 3, n_targets: 1}}}}"
    )
    model, _, optim, _ = initialize_model(cfg, lr=0.1)
    assert type(model).__name__ == "Tiny" and optim is torch.optim.SGD
