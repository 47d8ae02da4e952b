"""`selene validate`: every bad input is reported, with its line, and nothing is built."""

from __future__ import annotations

import os
import sys
import textwrap

import pytest

from selene_sdk.config.validate import validate_path
from tests.config import standins

S = "tests.config.standins"


def good_config(model_file, features_file, tmp_path) -> str:
    return textwrap.dedent(f"""
    ops: [train, evaluate]
    model:
      path: {model_file}
      class: Tiny
      class_args: {{sequence_length: 10, n_targets: 3}}
    sampler: !obj:{S}.FakeSampler {{
        features: !obj:selene_sdk.utils.load_features_list {{input_path: {features_file}}},
        seed: 5,
    }}
    train_model: !obj:{S}.FakeTrainModel {{
        batch_size: 4,
        max_steps: 10,
        report_stats_every_n_steps: 5,
    }}
    lr: 0.01
    random_seed: 3
    output_dir: {tmp_path / "out"}
    """)


def tiny_weights(tmp_path, sequence_length: int, n_targets: int, name: str = "tiny.pth"):
    """A checkpoint of the conftest's Tiny model (a linear layer on the flattened input)."""
    import torch

    layer = torch.nn.Linear(4 * sequence_length, n_targets)
    path = tmp_path / name
    torch.save({"state_dict": {f"linear.{k}": v for k, v in layer.state_dict().items()}}, path)
    return path


@pytest.fixture
def check(write_config):
    def run(text: str, lr=None):
        return validate_path(write_config(text), lr=lr)

    return run


def line_no(text: str, fragment: str) -> int:
    """1-based line of ``fragment`` in a config as ``write_config`` writes it."""
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    return next(i for i, line in enumerate(lines, 1) if fragment in line)


def only(problems, severity="error"):
    return [p for p in problems if p.severity == severity]


def test_good_config_has_no_problems(check, model_file, features_file, tmp_path):
    assert check(good_config(model_file, features_file, tmp_path)) == []
    assert standins.CALLS == []  # nothing was instantiated
    assert not (tmp_path / "out").exists()


def test_model_class_is_not_instantiated(check, tmp_path, features_file):
    model = tmp_path / "exploding.py"
    model.write_text(
        "class Boom:\n"
        "    def __init__(self, n):\n"
        "        raise RuntimeError('built!')\n"
        "def criterion():\n    raise RuntimeError('called!')\n"
        "def get_optimizer(lr):\n    raise RuntimeError('called!')\n"
    )
    text = good_config(model, features_file, tmp_path).replace("class: Tiny", "class: Boom")
    text = text.replace("{sequence_length: 10, n_targets: 3}", "{n: 1}")
    assert check(text) == []


def test_unknown_obj_class_line_and_suggestion(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path).replace(
        f"!obj:{S}.FakeSampler", f"!obj:{S}.FakeSampeler"
    )
    (problem,) = only(check(text))
    assert problem.line == 6 and problem.kind == "unknown-name"
    assert "did you mean FakeSampler" in problem.message


def test_unknown_selene_class_suggests_documented_name(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path).replace(
        f"!obj:{S}.FakeSampler", "!obj:selene_sdk.samplers.IntervalSampler"
    )
    errors = only(check(text))
    unknown = [p for p in errors if p.kind == "unknown-name"]
    assert len(unknown) == 1 and unknown[0].line == 6
    assert "did you mean IntervalsSampler" in unknown[0].message


def test_unknown_top_level_key_warns_with_suggestion(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path).replace(
        "random_seed: 3", "random_sed: 3\nouput_dir: x"
    )
    problems = check(text)
    assert only(problems) == []
    warnings = only(problems, "warning")
    assert [(w.key, w.line) for w in warnings] == [("random_sed", 16), ("ouput_dir", 17)]
    assert "did you mean random_seed" in warnings[0].message
    assert "did you mean output_dir" in warnings[1].message


def test_missing_model_file(check, model_file, features_file, tmp_path):
    text = good_config(tmp_path / "missing.py", features_file, tmp_path)
    (problem,) = only(check(text))
    assert problem.line == 3 and problem.key == "model.path"
    assert "model file not found" in problem.message and "missing.py" in problem.message


def test_model_package_directory(check, tmp_path, features_file, model_file):
    package = tmp_path / "mymodels"
    package.mkdir()
    (package / "arch.py").write_text(model_file.read_text())
    (package / "__init__.py").write_text("from .arch import Tiny, criterion, get_optimizer\n")
    assert check(good_config(package, features_file, tmp_path)) == []
    (package / "__init__.py").unlink()
    (problem,) = only(check(good_config(package, features_file, tmp_path)))
    assert "without __init__.py" in problem.message


def test_class_not_in_file(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path).replace("class: Tiny", "class: tiny")
    (problem,) = only(check(text))
    assert problem.line == 4 and problem.key == "model.class"
    assert "class 'tiny' not found" in problem.message
    assert "did you mean Tiny" in problem.message


def test_missing_criterion_and_get_optimizer(check, tmp_path, features_file, model_file):
    model = tmp_path / "bare.py"
    model.write_text(model_file.read_text().split("def criterion")[0])
    problems = only(check(good_config(model, features_file, tmp_path)))
    messages = " ".join(p.message for p in problems)
    assert len(problems) == 2
    assert "no function criterion()" in messages and "no function get_optimizer()" in messages


def test_get_optimizer_only_needed_for_training(check, tmp_path, features_file, model_file):
    model = tmp_path / "no_opt.py"
    model.write_text(model_file.read_text().split("def get_optimizer")[0])
    weights = tiny_weights(tmp_path, 10, 3)
    text = textwrap.dedent(f"""
    ops: [analyze]
    model: {{path: {model}, class: Tiny, class_args: {{sequence_length: 10, n_targets: 3}}}}
    analyze_sequences: !obj:{S}.FakeAnalyzeSequences {{
        trained_model_path: {weights},
        sequence_length: 10,
        features: [a, b, c],
    }}
    prediction: {{input_path: ACGT}}
    """)
    assert check(text) == []
    problems = only(check(good_config(model, features_file, tmp_path)))
    assert ["get_optimizer" in p.message for p in problems] == [True]


def test_class_args_not_accepted_shows_signature(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path).replace(
        "n_targets: 3", "n_genomic_features: 3"
    )
    (problem,) = only(check(text))
    assert problem.line == 5 and problem.key == "model.class_args"
    assert "Tiny(sequence_length, n_targets)" in problem.message
    assert "n_genomic_features -> n_targets" in problem.message


def test_ops_missing(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path).replace("ops: [train, evaluate]", "")
    problems = check(text)
    errors = only(problems)
    assert [p.kind for p in errors] == ["missing-key"]
    assert "`ops` is missing" in errors[0].message


def test_ops_unknown(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path).replace(
        "ops: [train, evaluate]", "ops: [trian, evaluate]"
    )
    problems = only(check(text))
    (problem,) = [p for p in problems if p.kind == "unknown-op"]
    assert problem.line == 1
    assert (
        "unknown operation 'trian'" in problem.message and "did you mean train" in problem.message
    )


def test_op_without_its_sections(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path).replace(
        "ops: [train, evaluate]", "ops: [train, evaluate, analyze]"
    )
    text = text.replace("train_model:", "train_modle:")
    problems = check(text)
    errors = only(problems)
    keys = sorted(p.key for p in errors)
    # the misspelled section is one error at its own line (not also "no train_model")
    assert keys == ["analyze_sequences", "ops", "train_modle"]
    assert [p.line for p in errors if p.key != "train_modle"] == [1, 1]  # the ops line
    (typo,) = [p for p in errors if p.key == "train_modle"]
    assert typo.line == line_no(text, "train_modle:")
    assert "did you mean train_model?" in typo.message
    assert "ops includes 'train', which uses `train_model`" in typo.message


def test_misspelled_analysis_section_is_an_error(check, model_file, features_file, tmp_path):
    (tmp_path / "a.vcf").write_text("")
    body = f"""
    prediction: {{input_path: ACGTACGTAC}}
    variant_effects:
      vcf_files: [{tmp_path / "a.vcf"}]
    """
    text = _analyze_config(model_file, features_file, body)
    (error,) = only(check(text))
    assert error.key == "variant_effects"
    assert error.line == line_no(text, "variant_effects:")
    assert "did you mean variant_effect_prediction?" in error.message
    assert "would be skipped" in error.message
    # a name close to nothing, shaped like an analysis section
    (error,) = only(check(text.replace("variant_effects:", "vep:")))
    assert error.key == "vep" and "it has vcf_files like an analysis section" in error.message
    # a key that is neither close to a section nor shaped like one stays a warning
    quiet = _analyze_config(
        model_file, features_file, "prediction: {input_path: ACGT}\nvep: {a: 1}"
    )
    assert only(check(quiet)) == [] and [p.key for p in only(check(quiet), "warning")] == ["vep"]


def test_evaluate_without_evaluate_model_or_training(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path).replace(
        "ops: [train, evaluate]", "ops: [evaluate]"
    )
    errors = only(check(text))
    assert [p.key for p in errors] == ["evaluate_model"]
    assert "no train before it" in errors[0].message


@pytest.mark.parametrize(
    ("old", "new", "key", "fragment"),
    [
        ("lr: 0.01", "lr: fast", "lr", "`lr` must be a positive number"),
        ("lr: 0.01", "lr: -1", "lr", "`lr` must be a positive number"),
        ("random_seed: 3", "random_seed: 1.5", "random_seed", "must be an integer"),
        ("random_seed: 3", "create_subdirectory: maybe", "create_subdirectory", "true or false"),
        ("ops: [train, evaluate]", "ops: {train: 1}", "ops", "must be a non-empty list"),
        ("seed: 5,", "seed: five,", "sampler.seed", "must be a number"),
    ],
)
def test_wrong_value_types(check, model_file, features_file, tmp_path, old, new, key, fragment):
    text = good_config(model_file, features_file, tmp_path).replace(old, new)
    errors = only(check(text))
    assert [p.key for p in errors] == [key]
    assert fragment in errors[0].message and errors[0].line is not None


def test_section_must_be_obj_tag(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path).replace(f"!obj:{S}.FakeTrainModel ", "")
    errors = only(check(text))
    assert [p.key for p in errors] == ["train_model"]
    assert "must be an !obj: tag" in errors[0].message


def test_non_strand_specific_value(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path).replace(
        "  class: Tiny\n", "  class: Tiny\n  non_strand_specific: average\n"
    )
    (problem,) = only(check(text))
    assert problem.key == "model.non_strand_specific" and "mean or max" in problem.message


def test_unknown_and_missing_keywords(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path)
    text = text.replace("max_steps: 10,", "max_step: 10,")
    problems = only(check(text))
    assert sorted((p.key, p.kind) for p in problems) == [
        ("train_model.max_step", "unknown-key"),
        ("train_model.max_steps", "missing-key"),
    ]
    unknown = next(p for p in problems if p.kind == "unknown-key")
    assert unknown.line == 12 and "did you mean max_steps" in unknown.message


def test_injected_arguments_are_not_missing(check, model_file, features_file, tmp_path):
    # model, data_sampler, loss_criterion, optimizer_*, output_dir are injected
    text = good_config(model_file, features_file, tmp_path).replace(
        f"output_dir: {tmp_path / 'out'}", ""
    )
    errors = only(check(text))
    assert [p.key for p in errors] == ["train_model.output_dir"]


def test_missing_input_files_named_with_lines(check, model_file, features_file, tmp_path):
    text = good_config(model_file, tmp_path / "nofeatures.txt", tmp_path)
    (problem,) = only(check(text))
    assert problem.kind == "missing-file" and problem.line == 7
    assert "nofeatures.txt" in problem.message


def test_trained_model_path_may_be_produced_by_training(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path) + textwrap.dedent(f"""
    evaluate_model: !obj:{S}.FakeEvaluateModel {{
        trained_model_path: {tmp_path / "out" / "best_model.pth.tar"},
    }}
    """)
    problems = check(text)
    assert only(problems) == []
    (warning,) = only(problems, "warning")
    assert "does not exist yet" in warning.message


def test_analysis_sections(check, model_file, features_file, tmp_path):
    (tmp_path / "a.vcf").write_text("")
    text = textwrap.dedent(f"""
    ops: [analyze]
    model: {{path: {model_file}, class: Tiny, class_args: {{sequence_length: 10, n_targets: 3}}}}
    analyze_sequences: !obj:{S}.FakeAnalyzeSequences {{
        trained_model_path: {tiny_weights(features_file.parent, 10, 3)},
        sequence_length: 10,
        features: [a, b, c],
    }}
    variant_effect_prediction:
      vcf_files:
        - {tmp_path / "a.vcf"}
        - {tmp_path / "b.vcf"}
      save_data: [predictions, abs_diff]
      output_fromat: tsv
    prediction: {{input_path: {tmp_path / "x.fa"}, output_dir: {tmp_path}, output_format: csv}}
    in_silico_mutagenesis: {{sequence: ACGT, save_data: [logits], end_position: 3.5}}
    """)
    errors = only(check(text))
    found = {(p.key, p.line) for p in errors}
    assert found == {
        ("variant_effect_prediction.vcf_files[1]", 11),
        ("variant_effect_prediction.save_data", 12),
        ("variant_effect_prediction.output_fromat", 13),
        ("prediction.output_format", 14),
        ("prediction.input_path[0]", 14),
        ("in_silico_mutagenesis.end_position", 15),
    }
    fromat = next(p for p in errors if p.key.endswith("output_fromat"))
    assert "did you mean output_format" in fromat.message


def test_malformed_yaml_reports_line_and_column(check):
    (problem,) = check("ops: [train]\nmodel: {path: x.py\nlr: 0.1\n")
    assert problem.kind == "yaml" and problem.severity == "error"
    # the mistake (the unclosed '{') leads; where the parser gave up follows
    assert (problem.line, problem.column) == (2, 8)
    assert "malformed YAML: the '{' here is never closed" in problem.message
    assert "parsing stopped at line 3, column 3: expected ',' or '}', but got ':'" in (
        problem.message
    )


def test_unclosed_bracket_far_above_where_parsing_stops(check):
    lines = ["ops: [analyze]", "analyze_sequences: !obj:x.Y {"]
    lines += [f"    key{i}: [1, 2," if i == 5 else f"    key{i}: {i}," for i in range(12)]
    lines += ["}"]
    (problem,) = check("\n".join(lines) + "\n")
    # inside [...] `key6: 6` is a valid item: PyYAML only fails at the closing '}'
    assert (problem.line, problem.column) == (8, 11)  # the '[' of key5
    assert "the '[' here is never closed" in problem.message
    assert "parsing stopped at line 15, column 1: expected the node content, but found '}'" in (
        problem.message
    )


def test_other_yaml_errors_name_both_places(check):
    (problem,) = check('ops: [train]\nmodel: "abc\n')
    assert problem.line == 3
    assert "while scanning a quoted scalar that starts at line 2, column 8" in problem.message


def test_all_problems_reported_at_once(check, tmp_path, features_file):
    text = textwrap.dedent(f"""
    ops: [train, analyse]
    model: {{path: {tmp_path / "none.py"}, class: X, class_args: {{}}}}
    sampler: !obj:{S}.FakeSampler {{
        features: !obj:selene_sdk.utils.load_features_list {{input_path: /no/such/file}},
        sede: 1,
    }}
    train_model: !obj:{S}.FakeTrainModl {{batch_size: 2}}
    metrics: !import sklearn.metrics.roc_auc
    output_dri: {tmp_path}
    """)
    problems = check(text)
    errors = only(problems)
    kinds = sorted(p.kind for p in errors)
    assert kinds == [
        "missing-file",  # model path
        "missing-file",  # features list
        "missing-key",  # lr
        "unknown-key",  # sede
        "unknown-name",  # FakeTrainModl
        "unknown-name",  # roc_auc
        "unknown-op",  # analyse
    ]
    assert {p.key for p in only(problems, "warning")} == {"metrics", "output_dri"}
    assert [p.line for p in problems] == sorted(p.line for p in problems)


def test_not_implemented_engine(check, model_file, features_file, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "selene_sdk.evaluate_model", None)
    text = good_config(model_file, features_file, tmp_path) + (
        "evaluate_model: !obj:selene_sdk.EvaluateModel {batch_size: 3}\n"
    )
    (problem,) = only(check(text))
    assert problem.kind == "not-implemented" and problem.line == 18
    assert "not implemented yet" in problem.message
    # an unused section is only a warning
    text = text.replace("ops: [train, evaluate]", "ops: [train]")
    assert only(check(text)) == []
    assert "not-implemented" in {p.kind for p in only(check(text), "warning")}


def test_cli_lr_satisfies_training(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path).replace("lr: 0.01", "")
    assert [p.key for p in only(check(text))] == ["lr"]
    assert check(text, lr=0.1) == []


def test_empty_and_non_mapping_documents(check):
    (problem,) = check("")
    assert "must be a mapping" in problem.message
    (problem,) = check("- a\n- b\n")
    assert "must be a mapping" in problem.message


def test_missing_config_file(tmp_path):
    (problem,) = validate_path(tmp_path / "nope.yml")
    assert "configuration file not found" in problem.message


def test_problems_in_unused_sections_are_warnings(check, model_file, features_file, tmp_path):
    text = good_config(model_file, features_file, tmp_path).replace(
        "ops: [train, evaluate]", "ops: [train]"
    ) + (f"evaluate_model: !obj:{S}.FakeEvaluateModel {{trained_model_path: /no/file, bad: 1}}\n")
    problems = check(text)
    assert only(problems) == []
    kinds = {p.kind for p in only(problems, "warning")}
    assert {"unused", "unknown-key", "missing-file"} <= kinds


def _analyze_config(model_file, features_file, body: str) -> str:
    return textwrap.dedent(f"""
    ops: [analyze]
    model: {{path: {model_file}, class: Tiny, class_args: {{sequence_length: 10, n_targets: 3}}}}
    analyze_sequences: !obj:{S}.FakeAnalyzeSequences {{
        trained_model_path: {tiny_weights(features_file.parent, 10, 3)},
        sequence_length: 10,
        features: [a, b, c],
    }}
    """) + textwrap.dedent(body)


def test_vep_accepts_vcf_output_format(check, model_file, features_file, tmp_path):
    (tmp_path / "a.vcf").write_text("")
    body = f"""
    variant_effect_prediction:
      vcf_files: [{tmp_path / "a.vcf"}]
      save_data: [abs_diffs]
      output_format: vcf
    """
    assert only(check(_analyze_config(model_file, features_file, body))) == []
    body = body.replace("output_format: vcf", "output_format: csv")
    (error,) = only(check(_analyze_config(model_file, features_file, body)))
    assert "tsv, hdf5, vcf" in error.message


def test_prediction_file_without_output_dir(check, model_file, features_file, tmp_path):
    (tmp_path / "regions.bed").write_text("chr1\t0\t10\n")
    body = f"""
    prediction: {{input_path: {tmp_path / "regions.bed"}}}
    """
    (error,) = only(check(_analyze_config(model_file, features_file, body)))
    assert error.key == "prediction.output_dir" and "raw DNA sequence" in error.message
    body = """
    prediction: {input_path: ACGTNACGTA}
    """
    assert only(check(_analyze_config(model_file, features_file, body))) == []


def test_output_directories_that_cannot_be_written(check, model_file, features_file, tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("a file")
    text = good_config(model_file, features_file, tmp_path).replace(
        f"output_dir: {tmp_path / 'out'}", f"output_dir: {blocker}"
    )
    before = sorted(p.name for p in tmp_path.iterdir())
    (error,) = only(check(text))
    assert error.key == "output_dir" and error.line == line_no(text, "output_dir:")
    assert error.message == f"`output_dir`: {blocker} is a file, not a directory"
    fasta = tmp_path / "in.fa"
    fasta.write_text(">s\nACGTACGTAC\n")
    body = f"""
    prediction: {{input_path: {fasta}, output_dir: {blocker / "preds"}}}
    """
    text = _analyze_config(model_file, features_file, body)
    (error,) = only(check(text))
    assert error.key == "prediction.output_dir"
    assert error.message == (
        f"`prediction.output_dir`: {blocker / 'preds'} cannot be created: {blocker} is a "
        "file, not a directory"
    )
    # a directory that does not exist yet is fine, and the check creates nothing
    fine = body.replace(str(blocker / "preds"), str(tmp_path / "new" / "deeper"))
    assert only(check(_analyze_config(model_file, features_file, fine))) == []
    after = sorted(p.name for p in tmp_path.iterdir())
    assert [n for n in after if n not in before] == ["config.yml", "in.fa", "tiny.pth"]


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root writes anywhere")
def test_read_only_output_directory(check, model_file, features_file, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        fasta = tmp_path / "in.fa"
        fasta.write_text(">s\nACGTACGTAC\n")
        body = f"prediction: {{input_path: {fasta}, output_dir: {locked / 'p'}}}\n"
        (error,) = only(check(_analyze_config(model_file, features_file, body)))
        assert f"{locked / 'p'} cannot be created ({locked} cannot be written)" in error.message
    finally:
        locked.chmod(0o755)
