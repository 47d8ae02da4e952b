"""The `attribution` section of `ops: [analyze]`: run end to end on a tiny model (FASTA and
BED), and checked by `selene validate` with the key and line of each problem."""

from __future__ import annotations

import textwrap
import warnings

import numpy as np
import pytest

pytest.importorskip("captum", reason="captum (the 'attribution' extra)")

from selene_sdk.config.loader import load_path
from selene_sdk.config.run import load_and_parse_configs_and_run
from selene_sdk.config.validate import validate_path
from selene_sdk.config.wiring import execute
from selene_sdk.errors import SeleneWarning
from selene_sdk.interpret.attribution import attribute
from selene_sdk.sequences.encoding import DNA
from tests.config.test_validate import tiny_weights

CHR1 = "ACGTTGCAAGGCTTACCGAT" * 5


@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "genome.fa").write_text(f">chr1\n{CHR1}\n")
    (tmp_path / "seqs.fa").write_text(f">one\n{CHR1[:10]}\n>two\n{CHR1[30:40]}\n")
    (tmp_path / "regions.bed").write_text("chr1\t20\t30\nchr1\t96\t98\n")
    return tmp_path


def config(model_file, tmp_path, section: str, analyze_extra: str = "") -> str:
    weights = tiny_weights(tmp_path, 10, 3)
    return textwrap.dedent(f"""
    ops: [analyze]
    model:
      path: {model_file}
      class: Tiny
      class_args: {{sequence_length: 10, n_targets: 3}}
    analyze_sequences: !obj:selene_sdk.predict.AnalyzeSequences {{
        trained_model_path: {weights},
        sequence_length: 10,
        features: [a, b, c],
        batch_size: 1,
        reference_sequence: !obj:selene_sdk.sequences.Genome {{input_path: {tmp_path}/genome.fa}},
        {analyze_extra}
    }}
    """) + textwrap.dedent(section)


def errors(path):
    return [p for p in validate_path(path) if p.severity == "error"]


def test_fasta_and_bed_end_to_end(write_config, model_file, inputs, monkeypatch):
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "0")
    section = f"""
    attribution:
      input_path: {inputs}/seqs.fa
      method: input_x_gradient
      features: [c]
      output_dir: {inputs}/out
    """
    path = write_config(config(model_file, inputs, section))
    assert errors(path) == []
    load_and_parse_configs_and_run(path)
    data = np.load(inputs / "out" / "seqs_attributions.npz")
    assert data["attributions"].shape == (2, 1, 10, 4)
    assert data["names"].tolist() == ["one", "two"] and data["features"].tolist() == ["c"]
    # the values of attribute() on the model with the checkpoint's weights
    configs = load_path(path)
    from selene_sdk.config.model_section import initialize_model

    model, _ = initialize_model(configs["model"], train=False)
    from selene_sdk.models.loading import load_trained_weights

    load_trained_weights(model, configs["analyze_sequences"].keywords["trained_model_path"])
    x = np.stack([DNA.encode(CHR1[:10]), DNA.encode(CHR1[30:40])])
    want = attribute(model, x, method="input_x_gradient", target=2)
    np.testing.assert_allclose(data["attributions"][:, 0], want, atol=1e-6)

    bed = section.replace("seqs.fa", "regions.bed").replace("[c]", "a")
    bed = bed.replace("      method: input_x_gradient\n", "      output_format: hdf5\n")
    with pytest.warns(SeleneWarning, match="1 line"):  # [92, 102) leaves the 100-bp chr1
        load_and_parse_configs_and_run(write_config(config(model_file, inputs, bed)))
    import h5py

    with h5py.File(inputs / "out" / "regions_attributions.h5") as h5:
        assert h5["names"].asstr()[()].tolist() == ["chr1:20-30"]
        assert h5.attrs["method"] == "integrated_gradients"
        assert h5["attributions"].shape[1:] == (1, 10, 4)


def test_attribution_alone_counts_as_an_analysis(write_config, model_file, inputs, monkeypatch):
    monkeypatch.setenv("SELENE_SDK_PROGRESS", "0")
    section = f"""
    attribution: {{input_path: {inputs}/seqs.fa, output_dir: {inputs}/o, method: saliency}}
    """
    configs = load_path(write_config(config(model_file, inputs, section)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeleneWarning)  # no "nothing was analysed"
        execute(["analyze"], configs, None)
    assert (inputs / "o" / "seqs_attributions.npz").is_file()


def test_nothing_analysed_names_attribution(write_config, model_file, inputs):
    configs = load_path(write_config(config(model_file, inputs, "")))
    with pytest.warns(SeleneWarning, match="in_silico_mutagenesis, attribution is configured"):
        execute(["analyze"], configs, None)
    problems = validate_path(write_config(config(model_file, inputs, "")))
    assert any("attribution is configured" in p.message for p in problems)


def test_validation_names_key_and_line(write_config, model_file, inputs):
    section = f"""
    attribution:
      input_path: {inputs}/missing.fa
      method: integrated_gradient
      features: [a, CTCF, 7]
      output_format: tsv
      baselines: random
      n_steps: 0
      sead: 3
    """
    text = config(model_file, inputs, section)
    path = write_config(text)
    lines = textwrap.dedent(text).lstrip("\n").splitlines()

    def line(fragment):
        return next(i for i, t in enumerate(lines, 1) if fragment in t)

    found: dict = {}
    for p in errors(path):
        found[(p.key, p.line)] = found.get((p.key, p.line), "") + p.message + "\n"
    assert found[("attribution.input_path", line("missing.fa"))].startswith(
        "input_path: file not found"
    )
    method = found[("attribution.method", line("method:"))]
    assert (
        "must be one of saliency, input_x_gradient, integrated_gradients, deeplift_shap" in method
    )
    assert "integrated_gradients" in method.split("got")[1]  # the suggestion
    assert (
        "'CTCF' is not one of analyze_sequences' features"
        in found[("attribution.features", line("features: [a, CTCF"))]
    )
    assert any("index 7 is out of range" in m for m in found.values())
    assert "must be one of npz, hdf5" in found[("attribution.output_format", line("tsv"))]
    assert "must be one of shuffle, zeros" in found[("attribution.baselines", line("random"))]
    assert "integer >= 1" in found[("attribution.n_steps", line("n_steps"))]
    assert (
        "unknown key 'sead' in attribution (did you mean seed?)"
        in found[("attribution.sead", line("sead"))]
    )
    assert ("attribution.output_dir", line("attribution:")) in found  # missing


def test_missing_input_and_unused_section(write_config, model_file, inputs):
    text = config(model_file, inputs, f"attribution: {{output_dir: {inputs}/o}}\n")
    found = {p.key: p for p in errors(write_config(text))}
    assert found["attribution.input_path"].message == "`attribution` needs `input_path`"
    assert found["attribution.input_path"].line == len(textwrap.dedent(text).strip().splitlines())
    unused = text.replace("ops: [analyze]", "ops: [evaluate]")
    problems = validate_path(write_config(unused))
    assert any(p.key == "attribution" and "not used by ops" in p.message for p in problems)


def test_output_dir_that_is_a_file(write_config, model_file, inputs):
    (inputs / "blocked").write_text("")
    section = f"attribution: {{input_path: {inputs}/seqs.fa, output_dir: {inputs}/blocked}}\n"
    found = {p.key: p.message for p in errors(write_config(config(model_file, inputs, section)))}
    assert "is a file, not a directory" in found["attribution.output_dir"]
