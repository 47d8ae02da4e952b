"""YAML loading: tags, nesting, environment expansion, floats, None spellings, errors."""

from __future__ import annotations

import math
import os
import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from selene_sdk.config.errors import ConfigError, ConfigProblems
from selene_sdk.config.loader import expand_string, load, load_path, parse
from selene_sdk.config.proxy import ObjProxy, instantiate
from selene_sdk.config.rundir import dump_config
from selene_sdk.utils import load_features_list


# -- tags ---------------------------------------------------------------------------------------
def test_obj_tag_builds_proxy_with_keywords_and_lines():
    text = "a: 1\nthing: !obj:collections.OrderedDict {x: 1, y: [2, 3]}\n"
    data = load(text)
    proxy = data["thing"]
    assert isinstance(proxy, ObjProxy)
    assert proxy.name == "collections.OrderedDict"
    from collections import OrderedDict

    assert proxy.callable is OrderedDict
    assert proxy.keywords == {"x": 1, "y": [2, 3]}
    assert proxy.positionals == ()
    assert (proxy.line, proxy.column) == (2, 8)
    assert proxy.key_lines["y"][0] == 2
    assert proxy.yaml_src.startswith("!obj:collections.OrderedDict {x: 1")
    assert instantiate(proxy) == OrderedDict(x=1, y=[2, 3])


def test_nested_obj_and_bare_builtin_names():
    text = """
    outer: !obj:builtins.dict {
        inner: !obj:dict {a: !obj:int {}, b: [!obj:str {}, 5]},
        keep: plain,
    }
    """
    data = load(text.replace("\n    ", "\n"))
    built = instantiate(data["outer"])
    assert built == {"inner": {"a": 0, "b": ["", 5]}, "keep": "plain"}


def test_obj_without_arguments_and_anchor_built_once():
    text = "first: &shared !obj:builtins.object\nboth: [*shared, *shared]\n"
    data = load(text)
    built = instantiate({"x": data["first"], "y": data["both"]})
    assert built["x"] is built["y"][0] is built["y"][1]
    # a separate instantiate call builds a new object
    assert instantiate(data["first"]) is not built["x"]


def test_import_tag_both_forms():
    from sklearn.metrics import average_precision_score, roc_auc_score

    data = load(
        "a: !import sklearn.metrics.roc_auc_score\n"
        "b: !import:sklearn.metrics.average_precision_score\n"
        "c: {roc: !import sklearn.metrics.roc_auc_score}\n"
    )
    assert data["a"] is roc_auc_score
    assert data["b"] is average_precision_score
    assert data["c"]["roc"] is roc_auc_score


def test_float_tag():
    assert load("x: !float 3\ny: !float '2.5e-2'") == {"x": 3.0, "y": 0.025}
    assert isinstance(load("x: !float 3")["x"], float)
    with pytest.raises(ConfigError, match=r"1:4: !float 'abc' is not a number"):
        load("x: !float abc")


def test_proxy_bind_pop_set():
    proxy = load("p: !obj:builtins.dict {a: 1, output_dir: mine}")["p"]
    proxy.bind(a=2, b=3, output_dir="injected")
    assert proxy.keywords == {"a": 1, "output_dir": "mine", "b": 3}  # written values win
    assert proxy.pop("b") == 3
    assert proxy.pop("missing", None) is None
    proxy.set(output_dir="forced")
    assert instantiate(proxy) == {"a": 1, "output_dir": "forced"}


def test_instantiate_reports_bad_keywords_with_signature():
    proxy = load("\n\np: !obj:selene_sdk.utils.load_features_list {path: x.txt}")["p"]
    with pytest.raises(ConfigError) as info:
        instantiate(proxy)
    message = str(info.value)
    assert ":3:4:" in message
    assert "load_features_list(input_path" in message


def test_instantiate_adds_location_note_to_constructor_errors(tmp_path):
    proxy = load(f"p: !obj:selene_sdk.utils.load_features_list {{input_path: {tmp_path}/no}}")["p"]
    with pytest.raises(FileNotFoundError) as info:
        instantiate(proxy)
    assert any(
        "while building !obj:selene_sdk.utils.load_features_list" in n for n in info.value.__notes__
    )


def test_instantiate_features_list(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("a\nb\n")
    proxy = load(f"f: !obj:selene_sdk.utils.load_features_list {{input_path: {path}}}")["f"]
    assert instantiate(proxy) == load_features_list(path) == ["a", "b"]


# -- scalars ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1e-3", 0.001),
        ("1E-3", 0.001),
        ("5e4", 50000.0),
        ("-2.5e+3", -2500.0),
        ("+1.e2", 100.0),
        (".5e-1", 0.05),
        ("1_000e-3", 1.0),
        ("1.0e-3", 0.001),  # YAML 1.1 float, also for safe_load
        ("0.001", 0.001),
    ],
)
def test_exponent_floats(text, value):
    loaded = load(f"lr: {text}")["lr"]
    assert isinstance(loaded, float) and math.isclose(loaded, value)


@pytest.mark.parametrize("text", ["e5", "1e", "1e-", "abc1e3", "1e3x", "'1e-3'", '"5e4"'])
def test_not_floats_stay_strings(text):
    assert isinstance(load(f"v: {text}")["v"], str)


@pytest.mark.parametrize("text", ["None", "none", "NONE", "null", "Null", "~", ""])
def test_none_spellings(text):
    assert load(f"end_position: {text}") == {"end_position": None}


def test_booleans_and_quoted_none():
    assert load("a: False\nb: true\nc: 'None'") == {"a": False, "b": True, "c": "None"}


# -- environment and home expansion -----------------------------------------------------------
def test_env_expansion_everywhere():
    env = {"DATA": "/data", "N": "7"}
    text = """
    model:
      path: ${DATA}/model.py
    s: !obj:builtins.dict {p: $DATA/x, q: ["a${N}b"]}
    cost: $$5
    """
    data = load(text.replace("\n    ", "\n"), environ=env)
    assert data["model"]["path"] == "/data/model.py"
    assert data["s"].keywords == {"p": "/data/x", "q": ["a7b"]}
    assert data["cost"] == "$5"


def test_unset_env_reported_with_line():
    with pytest.raises(ConfigError, match=r"2:4: environment variable NOPE_X is not set"):
        load("a: 1\nb: ${NOPE_X}/y", environ={})


def test_home_expansion():
    assert load("p: ~/x.fa")["p"] == os.path.expanduser("~/x.fa")
    assert load("p: a~/x")["p"] == "a~/x"
    assert expand_string("~user/x", {}) == ("~user/x", [])


def test_keys_are_not_expanded():
    assert load("${X}: 1", environ={"X": "y"}) == {"${X}": 1}


# -- errors ----------------------------------------------------------------------------------
def test_unknown_obj_class_names_line_and_suggestion():
    text = "ops: [train]\nsampler: !obj:selene_sdk.samplers.IntervalSampler {\n  seed: 1}\n"
    with pytest.raises(ConfigError) as info:
        load(text, source="cfg.yml")
    message = str(info.value)
    assert message.startswith("cfg.yml:2:10:")
    assert "IntervalSampler" in message and "did you mean IntervalsSampler" in message


def test_unknown_import_name_suggests():
    with pytest.raises(ConfigError, match=r"1:4: .*did you mean roc_auc_score"):
        load("m: !import sklearn.metrics.roc_auc_scor")


def test_unknown_module_and_bad_name():
    with pytest.raises(ConfigError, match="no module named 'no_such_module_xyz'"):
        load("m: !obj:no_such_module_xyz.Thing {}")
    with pytest.raises(ConfigError, match="not a dotted Python name"):
        load("m: !import 'a..b'")


def test_all_unknown_names_reported_together():
    text = "a: !obj:selene_sdk.sequences.Genom {}\nb: !import torch.nn.BCELos\n"
    with pytest.raises(ConfigProblems) as info:
        load(text)
    lines = {p.line for p in info.value.problems}
    assert lines == {1, 2}
    assert "Genome" in str(info.value) and "BCELoss" in str(info.value)


def test_obj_with_sequence_is_rejected():
    with pytest.raises(ConfigError, match=r"1:4: !obj:builtins.dict takes keyword arguments"):
        load("a: !obj:builtins.dict [1, 2]")


def test_obj_of_non_callable():
    with pytest.raises(ConfigError, match="cannot be called; use !import"):
        load("a: !obj:math.pi {}")


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("ops: [train\nmodel: {}\n", 1, 6),  # the unclosed '[' leads
        ("a: 1\n  b: 2\n", 2, 4),
        ("a: {b: 1\nc: 2", 1, 4),
        ("a:\n\t- x\n", 2, 1),
    ],
)
def test_malformed_yaml_line_and_column(text, line, column):
    with pytest.raises(ConfigError, match="malformed YAML") as info:
        load(text, source="bad.yml")
    err = info.value
    assert (err.line, err.column) == (line, column)
    assert str(err).startswith(f"bad.yml:{line}:{column}: malformed YAML")


def test_duplicate_keys_rejected():
    with pytest.raises(ConfigError, match=r"3:1: duplicate key 'lr' \(first written on line 1\)"):
        load("lr: 0.1\nops: [train]\nlr: 0.2\n")
    with pytest.raises(ConfigError, match="duplicate key 'a'"):
        load("x: !obj:builtins.dict {a: 1, a: 2}")


def test_merge_keys_still_work():
    text = "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n"
    assert load(text)["derived"] == {"x": 1, "y": 3}


def test_load_path_missing_and_directory(tmp_path):
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_path(tmp_path / "nope.yml")
    with pytest.raises(ConfigError, match="is a directory"):
        load_path(tmp_path)


def test_load_path_finds_user_modules_beside_config(tmp_path):
    (tmp_path / "my_metrics_mod.py").write_text("def pearson(a, b):\n    return 1.0\n")
    config = tmp_path / "c.yml"
    config.write_text("metric: !import my_metrics_mod.pearson\n")
    assert load_path(config)["metric"](0, 0) == 1.0


def test_line_numbers_of_plain_sections():
    data = load("ops: [a]\nmodel:\n  path: x.py\n  class: Y\n")
    assert data["model"].line_of("class") == 4
    assert data.line_of("model") == 2
    assert data["ops"].line_of(0) == 1


def test_parse_collects_instead_of_raising():
    loaded = parse("a: !import no.such.thing\nb: ${UNSET_Q}\n", "c.yml", environ={})
    assert [p.line for p in loaded.problems] == [1, 2]
    assert loaded.data["b"] == "${UNSET_Q}"


# -- property: plain YAML loads exactly like yaml.safe_load -------------------------------------
_EXP_LIKE = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")

# '$' and a leading '~/' are expanded on purpose; everything else must be untouched.
_text = st.text(st.characters(blacklist_characters="$", blacklist_categories=("Cs",)), max_size=12)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    _text.filter(lambda s: not s.startswith("~/")),
    st.sampled_from(["1e-3", "5E4", "None", "none", "NONE", "1.0e-3", "~", "null", "yes", "0x1F"]),
)
_keys = st.one_of(_text, st.integers(), st.booleans())
_documents = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(_keys, children, max_size=4)
    ),
    max_leaves=20,
)


def _plain_is_str(value: str) -> bool:
    """True if safe_dump writes ``value`` unquoted (PyYAML itself would read it as a string)."""
    tag = yaml.SafeLoader.resolve(yaml.SafeLoader, yaml.ScalarNode, value, (True, False))
    return tag == "tag:yaml.org,2002:str"


def _documented_differences(value):
    """What the Selene loader deliberately does differently from yaml.safe_load.

    Only strings that PyYAML writes as plain (unquoted) scalars are affected; a quoted
    '1e-3' stays a string for both loaders.
    """
    if isinstance(value, str) and _plain_is_str(value):
        if _EXP_LIKE.match(value):
            return float(value.replace("_", ""))
        if value in ("None", "none", "NONE"):
            return None
        return value
    if isinstance(value, dict):
        return {_documented_differences(k): _documented_differences(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_documented_differences(v) for v in value]
    return value


@settings(max_examples=150, deadline=None)
@given(_documents, st.booleans())
def test_plain_yaml_matches_safe_load(document, flow):
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    expected = _documented_differences(yaml.safe_load(text))
    assert load(text) == expected


@settings(max_examples=100, deadline=None)
@given(_documents)
def test_dump_and_reload_round_trip(document):
    """Configs saved by the runner load back to the same values (strings stay strings)."""
    assert load(dump_config({"x": document}))["x"] == document


def _alias_bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join([*lines, "ops: [analyze]", f"keep: *a{levels}"]) + "\n"


def test_alias_bomb_is_refused_quickly():
    """9 levels of 9 aliases hung `selene validate` past 30 s and took 1.7 GB before."""
    import time

    started = time.perf_counter()
    with pytest.raises(ConfigError, match=r"expands to [\d,]+ values once its aliases") as info:
        load(_alias_bomb(9), source="bomb.yml")
    assert time.perf_counter() - started < 2.0
    # the first value that expands to a tenth of the limit: a5 holds 9**6 = 531,441 x's
    assert (info.value.line, info.value.column) == (6, 5)


def test_ordinary_aliases_still_work():
    data = load("base: &b {lr: 0.1, n: [1, 2]}\nother: *b\nmore: [*b, *b]\n")
    assert data["other"] == {"lr": 0.1, "n": [1, 2]} and data["more"][1]["n"] == [1, 2]
    load(_alias_bomb(4))  # 9**4 values: fine
