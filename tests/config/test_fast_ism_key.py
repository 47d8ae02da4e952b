"""`in_silico_mutagenesis: {fast: ...}` in the configuration checks."""

from __future__ import annotations

import textwrap

from selene_sdk.config.validate import validate_path
from tests.config.test_validate import S, tiny_weights


def config(model_file, features_file, fast: str) -> str:
    return textwrap.dedent(f"""
    ops: [analyze]
    model: {{path: {model_file}, class: Tiny, class_args: {{sequence_length: 10, n_targets: 3}}}}
    analyze_sequences: !obj:{S}.FakeAnalyzeSequences {{
        trained_model_path: {tiny_weights(features_file.parent, 10, 3)},
        sequence_length: 10,
        features: [a, b, c],
    }}
    in_silico_mutagenesis: {{sequence: ACGT, save_data: [logits], fast: {fast}}}
    """)


def test_fast_is_a_known_key_and_must_be_a_flag(write_config, model_file, features_file):
    good = validate_path(write_config(config(model_file, features_file, "True")))
    assert [p for p in good if p.severity == "error"] == []
    bad = validate_path(write_config(config(model_file, features_file, "sometimes")))
    (error,) = [p for p in bad if p.severity == "error"]
    assert error.key == "in_silico_mutagenesis.fast" and error.line == 8
    assert "must be True or False, got 'sometimes'" in error.message
