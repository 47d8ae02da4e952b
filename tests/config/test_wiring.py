"""The wiring of ops with stand-in engines: which arguments go where, in which order."""

from __future__ import annotations

import os
import random
import re
import sys
import textwrap

import numpy as np
import pytest
import torch

from selene_sdk.config.errors import ConfigError
from selene_sdk.config.loader import load_path
from selene_sdk.config.run import load_and_parse_configs_and_run, parse_configs_and_run
from selene_sdk.config.wiring import execute
from selene_sdk.errors import SeleneWarning
from selene_sdk.models.wrappers import NonStrandSpecific
from tests.config import standins
from tests.config.standins import calls

S = "tests.config.standins"


def train_config(model_file, features_file, out, extra="", sampler_extra="", train_extra=""):
    return (
        textwrap.dedent(f"""
    ops: [train, evaluate]
    model:
      path: {model_file}
      class: Tiny
      class_args: {{sequence_length: 10, n_targets: 3}}
      non_strand_specific: mean
    sampler: !obj:{S}.FakeSampler {{
        features: !obj:selene_sdk.utils.load_features_list {{input_path: {features_file}}},
        seed: 5,
        {sampler_extra}
    }}
    train_model: !obj:{S}.FakeTrainModel {{
        batch_size: 4, max_steps: 10, report_stats_every_n_steps: 5,
        {train_extra}
    }}
    evaluate_model: !obj:{S}.FakeEvaluateModel {{
        batch_size: 8,
    }}
    lr: 0.01
    output_dir: {out}
    """)
        + extra
        + "\n"
    )


def test_train_evaluate_injection_and_order(write_config, model_file, features_file, tmp_path):
    out = tmp_path / "out"
    path = write_config(
        train_config(
            model_file,
            features_file,
            out,
            extra="random_seed: 3\nload_test_set: true\ncreate_subdirectory: false",
            train_extra="checkpoint_resume: False",
        )
    )
    run_dir = load_and_parse_configs_and_run(path)
    assert run_dir == str(out)

    sequence = [(kind, method) for kind, method, _ in standins.CALLS]
    assert sequence == [
        ("sampler", "__init__"),
        ("train", "__init__"),
        ("train", "create_test_set"),
        ("train", "train_and_validate"),
        ("train", "evaluate"),
        ("sampler", "__init__"),  # evaluate gets a fresh sampler
        ("evaluate", "__init__"),
        ("evaluate", "evaluate"),
    ]
    train = calls("train")[0][2]
    assert isinstance(train["model"], NonStrandSpecific) and train["model"].mode == "mean"
    assert isinstance(train["data_sampler"], standins.FakeSampler)
    assert isinstance(train["loss_criterion"], torch.nn.BCELoss)
    assert train["optimizer_class"] is torch.optim.SGD
    assert train["optimizer_kwargs"] == {"lr": 0.01, "momentum": 0.9}
    assert train["output_dir"] == str(out)
    assert train["deterministic"] is True  # random_seed present
    assert train["checkpoint_resume"] is None  # `False` means "no resume"
    samplers = [c[2] for c in calls("sampler")]
    assert [s["output_dir"] for s in samplers] == [str(out), str(out)]

    ev = calls("evaluate")[0][2]
    assert ev["model"] is train["model"]  # the trained model object is reused
    assert ev["criterion"] is train["loss_criterion"]
    assert ev["data_sampler"] is not train["data_sampler"]
    assert ev["trained_model_path"] == os.path.join(str(out), "best_model.pth.tar")
    assert ev["features"] == ["feature0", "feature1", "feature2"]
    assert ev["batch_size"] == 8


def test_load_test_set_needs_evaluate(write_config, model_file, features_file, tmp_path):
    text = train_config(model_file, features_file, tmp_path / "o", extra="load_test_set: true")
    text = text.replace("ops: [train, evaluate]", "ops: [train]").replace(
        "evaluate_model:", "unused_eval:"
    )
    with pytest.warns(SeleneWarning, match="unknown top-level key 'unused_eval'"):
        load_and_parse_configs_and_run(write_config(text))
    assert ("train", "create_test_set", None) not in standins.CALLS
    assert ("train", "train_and_validate", None) in standins.CALLS


def test_top_level_output_dir_wins(write_config, model_file, features_file, tmp_path):
    out = tmp_path / "top"
    text = train_config(
        model_file,
        features_file,
        out,
        extra="create_subdirectory: false",
        sampler_extra=f"output_dir: {tmp_path / 'sampler_own'},",
        train_extra=f"output_dir: {tmp_path / 'train_own'},",
    )
    with pytest.warns(SeleneWarning, match="replaced by the top-level output_dir"):
        load_and_parse_configs_and_run(write_config(text))
    assert calls("train")[0][2]["output_dir"] == str(out)
    assert calls("sampler")[0][2]["output_dir"] == str(out)


def test_section_output_dir_used_without_top_level(
    write_config, model_file, features_file, tmp_path
):
    text = (
        train_config(model_file, features_file, "", train_extra=f"output_dir: {tmp_path / 'own'},")
        .replace("output_dir: \n", "")
        .replace("batch_size: 8,", f"batch_size: 8, output_dir: {tmp_path / 'ev'},")
    )
    configs = load_path(write_config(text))
    assert "output_dir" not in configs
    assert parse_configs_and_run(configs) is None
    assert calls("train")[0][2]["output_dir"] == str(tmp_path / "own")
    assert calls("sampler")[0][2]["output_dir"] is None
    # after training, evaluation uses the trainer's best model
    ev = calls("evaluate")[0][2]
    assert ev["trained_model_path"] == str(tmp_path / "own" / "best_model.pth.tar")


def test_cli_lr_wins_over_file(write_config, model_file, features_file, tmp_path):
    path = write_config(train_config(model_file, features_file, tmp_path / "o"))
    with pytest.warns(SeleneWarning, match="--lr 0.5 overrides lr: 0.01"):
        run_dir = load_and_parse_configs_and_run(path, lr=0.5)
    assert calls("train")[0][2]["optimizer_kwargs"]["lr"] == 0.5
    saved = load_path(os.path.join(run_dir, "configuration.yml"))
    assert saved["lr"] == 0.5


def test_lr_from_cli_only_and_missing(write_config, model_file, features_file, tmp_path):
    text = train_config(model_file, features_file, tmp_path / "o").replace("lr: 0.01\n", "")
    path = write_config(text)
    with pytest.raises(ConfigError, match="no learning rate is given"):
        load_and_parse_configs_and_run(path)
    assert not (tmp_path / "o").exists()  # nothing is created before the config is checked
    load_and_parse_configs_and_run(path, lr=1)  # an int is accepted
    assert calls("train")[0][2]["optimizer_kwargs"]["lr"] == 1.0


def test_run_directory_config_copy_and_model_copy(
    write_config, model_file, features_file, tmp_path
):
    out = tmp_path / "runs"
    path = write_config(train_config(model_file, features_file, out, extra="# trailing comment"))
    run_dir = load_and_parse_configs_and_run(path)
    name = os.path.basename(run_dir)
    assert os.path.dirname(run_dir) == str(out)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[A-Z0-9]{8}", name)
    assert (out / name / "tiny_model.py").read_text() == model_file.read_text()
    text = (out / name / "configuration.yml").read_text()
    assert text.startswith("---\n") and text.rstrip().endswith("...")
    assert "# trailing comment" in text  # the file as written, not a re-dump
    saved = load_path(out / name / "configuration.yml")
    assert saved["output_dir"] == run_dir
    assert saved["selene_sdk_version"]
    original = load_path(path)
    assert saved["ops"] == original["ops"] and saved["model"] == original["model"]
    assert saved["sampler"] == original["sampler"]
    # two runs never share a directory
    assert load_and_parse_configs_and_run(path) != run_dir


def test_parse_configs_and_run_writes_reloadable_dump(
    write_config, model_file, features_file, tmp_path
):
    configs = load_path(write_config(train_config(model_file, features_file, tmp_path / "o")))
    run_dir = parse_configs_and_run(configs, create_subdirectory=False)
    assert run_dir == str(tmp_path / "o")
    saved = load_path(os.path.join(run_dir, "configuration.yaml"))
    assert saved["sampler"] == configs["sampler"]
    assert saved["train_model"] == configs["train_model"]
    assert saved["output_dir"] == run_dir
    # the caller's dict is not modified by injection
    assert "model" not in configs["train_model"].keywords
    assert "output_dir" not in configs["sampler"].keywords


def test_random_seed_seeds_everything(write_config, model_file, features_file, tmp_path):
    path = write_config(train_config(model_file, features_file, tmp_path / "o", "random_seed: 7"))
    draws = []
    for _ in range(2):
        load_and_parse_configs_and_run(path)
        legacy = np.random.random()  # noqa: NPY002 - the global RNG is what gets seeded
        draws.append((random.random(), legacy, torch.rand(1).item()))
    assert draws[0] == draws[1]


def analyze_config(model_file, features_file, sections):
    return f"""
    ops: [analyze]
    model: {{path: {model_file}, class: Tiny, class_args: {{sequence_length: 10, n_targets: 3}}}}
    analyze_sequences: !obj:{S}.FakeAnalyzeSequences {{
        trained_model_path: weights.pth.tar,
        sequence_length: 10,
        features: !obj:selene_sdk.utils.load_features_list {{input_path: {features_file}}},
    }}
    {sections}
    """


def test_analyze_order_vep_ism_prediction(write_config, model_file, features_file, tmp_path):
    (tmp_path / "a.vcf").write_text("")
    (tmp_path / "b.vcf").write_text("")
    (tmp_path / "in.fa").write_text(">x\nACGT\n")
    sections = f"""
    prediction: {{input_path: {tmp_path / "in.fa"}, output_dir: {tmp_path}, output_format: hdf5}}
    in_silico_mutagenesis:
      input_sequence: ACGTACGTAC
      save_data: [predictions, diffs]
      output_path_prefix: {tmp_path / "ism"}
      end_position: None
    variant_effect_prediction:
      vcf_files: [{tmp_path / "a.vcf"}, {tmp_path / "b.vcf"}]
      save_data: [abs_diffs]
      strand_index: 5
    """
    configs = load_path(write_config(analyze_config(model_file, features_file, sections)))
    execute(configs["ops"], configs, None)
    order = [m for k, m, _ in calls("analyze")]
    assert order == [
        "__init__",
        "variant_effect_prediction",
        "variant_effect_prediction",
        "in_silico_mutagenesis",
        "get_predictions",
    ]
    init, vep_a, vep_b, ism, pred = (c[2] for c in calls("analyze"))
    assert isinstance(init["model"], torch.nn.Module)
    assert init["trained_model_path"] == "weights.pth.tar"
    assert init["features"] == ["feature0", "feature1", "feature2"]
    assert [vep_a["vcf_file"], vep_b["vcf_file"]] == [
        str(tmp_path / "a.vcf"),
        str(tmp_path / "b.vcf"),
    ]
    assert vep_a["save_data"] == ["abs_diffs"] and vep_a["strand_index"] == 5
    assert ism["sequence"] == "ACGTACGTAC"  # the documented `input_sequence` key is accepted
    assert ism["end_position"] is None  # `None` is null, not the string 'None'
    assert pred["output_format"] == "hdf5"
    # the loaded config is untouched (vcf_files not popped)
    assert "vcf_files" in configs["variant_effect_prediction"]


@pytest.mark.parametrize(
    ("ism", "method", "expected_inputs"),
    [
        ("sequence: ACGT\n      save_data: [logits]", "in_silico_mutagenesis", ["ACGT"]),
        (
            "input_path: {d}/x.fa\n      save_data: [logits]\n      output_dir: {d}",
            "in_silico_mutagenesis_from_file",
            ["{d}/x.fa"],
        ),
        (
            "fa_files: [{d}/x.fa, {d}/y.fa]\n      save_data: [logits]\n      output_dir: {d}",
            "in_silico_mutagenesis_from_file",
            ["{d}/x.fa", "{d}/y.fa"],
        ),
    ],
)
def test_ism_dispatch(
    write_config, model_file, features_file, tmp_path, ism, method, expected_inputs
):
    for name in ("x.fa", "y.fa"):
        (tmp_path / name).write_text(">r\nACGT\n")
    section = "in_silico_mutagenesis:\n      " + ism.format(d=tmp_path)
    configs = load_path(write_config(analyze_config(model_file, features_file, section)))
    execute(["analyze"], configs, None)
    made = [c for c in calls("analyze") if c[1] != "__init__"]
    assert {c[1] for c in made} == {method}
    key = "sequence" if method == "in_silico_mutagenesis" else "input_path"
    assert [c[2][key] for c in made] == [e.format(d=tmp_path) for e in expected_inputs]


def test_ism_without_input_is_an_error(write_config, model_file, features_file):
    section = "in_silico_mutagenesis: {save_data: [logits]}"
    path = write_config(analyze_config(model_file, features_file, section))
    with pytest.raises(ConfigError, match="needs one of `sequence`"):
        execute(["analyze"], load_path(path), None)
    with pytest.raises(ConfigError, match=r"config.yml:\d+.*needs one of `sequence`"):
        load_and_parse_configs_and_run(path)


def test_evaluate_only_builds_model_untrained(write_config, model_file, features_file, tmp_path):
    import torch

    layer = torch.nn.Linear(40, 3)
    torch.save(
        {"state_dict": {f"linear.{k}": v for k, v in layer.state_dict().items()}},
        tmp_path / "w.pth",
    )
    text = f"""
    ops: [evaluate]
    model: {{path: {model_file}, class: Tiny, class_args: {{sequence_length: 10, n_targets: 3}}}}
    sampler: !obj:{S}.FakeFileSampler {{filepath: {features_file}, sequence_key: x}}
    evaluate_model: !obj:{S}.FakeEvaluateModel {{
        features: [a, b, c],
        trained_model_path: {tmp_path / "w.pth"},
    }}
    output_dir: {tmp_path / "ev"}
    create_subdirectory: false
    """
    load_and_parse_configs_and_run(write_config(text))
    ev = calls("evaluate")[0][2]
    assert ev["trained_model_path"] == str(tmp_path / "w.pth")
    assert ev["output_dir"] == str(tmp_path / "ev")
    # file samplers take no output_dir, so none is injected
    assert calls("file_sampler")[0][2] == {"filepath": str(features_file)}
    assert isinstance(ev["criterion"], torch.nn.BCELoss)
    assert isinstance(ev["data_sampler"], standins.FakeFileSampler)
    assert [m for _, m, _ in standins.CALLS] == ["__init__", "__init__", "evaluate"]


def test_unimplemented_engine_gives_clear_error(
    write_config, model_file, features_file, tmp_path, monkeypatch
):
    # Simulate a build without TrainModel, whatever this checkout contains.
    monkeypatch.setitem(sys.modules, "selene_sdk.train_model", None)
    text = train_config(model_file, features_file, tmp_path / "o").replace(
        f"!obj:{S}.FakeTrainModel", "!obj:selene_sdk.TrainModel"
    )
    path = write_config(text)
    with pytest.raises(ConfigError, match=r"selene_sdk\.TrainModel .*not implemented yet") as info:
        load_and_parse_configs_and_run(path)
    assert "config.yml:12:" in str(info.value)  # the line of the train_model tag
    assert not (tmp_path / "o").exists()
    assert standins.CALLS == []  # nothing was built


def test_execute_rejects_unknown_op(write_config, model_file, features_file, tmp_path):
    configs = load_path(write_config(train_config(model_file, features_file, tmp_path)))
    with pytest.raises(ConfigError, match="unknown operation"):
        execute(["trian"], configs, None)


def test_execute_reports_missing_sections(write_config, model_file, features_file, tmp_path):
    configs = dict(load_path(write_config(train_config(model_file, features_file, tmp_path))))
    del configs["model"]
    with pytest.raises(ConfigError, match="ops includes 'train' but the config has no `model`"):
        execute(["train"], configs, None)
    with pytest.raises(ConfigError, match="no `analyze_sequences`"):
        execute(["analyze"], configs, None)
