"""Fuzzing the configuration loader (``parse``, ``load``, ``load_path``) and the checker
(``check_config``, ``validate_path``) on random and mutated config texts.

The seeds are the example configurations (``examples/seed_configs/*.yml``) and a few
snippets using the loader's extensions (tags, anchors, ``${VAR}``, exponent floats). The
contract: ``parse`` and the checkers report problems and never raise; ``load`` raises only
:class:`ConfigError` (or :class:`ConfigProblems`), naming the source, exactly when ``parse``
found an error.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from selene_sdk.config.errors import ConfigError, ConfigProblems, Problem
from selene_sdk.config.loader import LoadedConfig, load, load_path, parse
from selene_sdk.config.validate import check_config, validate_path

from .inputs import apply_mutation, fuzz, time_limit

SEEDS_DIR = Path(__file__).resolve().parents[2] / "examples" / "seed_configs"
SEEDS = sorted(p.read_bytes() for p in SEEDS_DIR.glob("*.yml"))
SNIPPETS = [
    b"ops: [train]\nlr: 1e-3\nmodel: {path: m.py, class: M}\n",
    b"a: &x {k: [1, 2]}\nb: *x\nc: [*x, *x]\n",
    b"path: ${HOME}/x\ncost: $$5\nhome: ~/data\nunset: $NOT_SET_ANYWHERE\n",
    b"sampler: !obj:selene_sdk.samplers.RandomPositionsSampler {seed: 1}\n",
    b"metric: !import sklearn.metrics.roc_auc_score\nx: !float 1e-4\nn: None\n",
    b"ops:\n  - train\n  - evaluate\n# comment\nrandom_seed: 0x1F\n",
    b"analyze: {\n  a: 1,\n  a: 2\n}\n",
    b"---\nkey: |\n  block\n  text\nother: >-\n  folded\n...\n",
]
YAML_PIECES = [
    b": ", b"- ", b"&a ", b"*a", b"<<: *a", b"!obj:", b"!obj:selene_sdk.Nope ", b"!import ",
    b"!import:os.path ", b"!float ", b"!!python/object:os.system ", b"!!binary ", b"${HOME}",
    b"${UNSET_VAR_X}", b"$$", b"~/", b"{", b"}", b"[", b"]", b"\t", b"'", b'"', b"|", b">",
    b"? ", b"%YAML 1.1\n", b"---\n", b"...\n", b"\xef\xbb\xbf", b"\x00", b"\x85", b"1e309",
    b"-.inf", b".nan", b"0o17", b"None", b"~", b"\n  ", b"\n- ", b"#",
]  # fmt: skip


#: YAML values of other types, for the ``value`` mutation.
VALUES = [
    b"[1, 2]", b"{a: 1}", b"null", b"5", b"-1", b"1e400", b"true", b'"str"', b'""', b"0",
    b"!obj:selene_sdk.sequences.Genome {}", b"[[]]", b".nan", b"[train, 5]", b"[{a: 1}]",
    b"!import os.path", b"~", b"-99999999999999999999", b"!float 1e-3",
]  # fmt: skip
_VALUE = re.compile(rb"(?<=: )[^\n,{}\[\]]+")


def _replace_value(data: bytes, k: int, value: bytes) -> bytes:
    """Replace the ``k``-th ``key: value`` value (modulo their number) with ``value``."""
    spots = list(_VALUE.finditer(data))
    if not spots:
        return data
    spot = spots[k % len(spots)]
    return data[: spot.start()] + value + data[spot.end() :]


@st.composite
def config_text(draw) -> bytes:
    """A seed config with byte, line and YAML-token mutations."""
    data = draw(st.sampled_from(SEEDS + SNIPPETS))
    ops = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("insert"), st.integers(0, 1 << 16), st.sampled_from(YAML_PIECES)),
                st.tuples(st.just("flip"), st.integers(0, 1 << 16), st.integers(1, 255)),
                st.tuples(st.just("delete"), st.integers(0, 1 << 16), st.integers(1, 12)),
                st.tuples(
                    st.just("lines"),
                    st.integers(0, 1 << 16),
                    st.integers(0, 1 << 16),
                    st.sampled_from(["dup", "del", "swap", "cut"]),
                ),
                st.tuples(st.sampled_from(["crlf", "cr", "no_final_newline"])),
                st.tuples(st.just("truncate"), st.integers(0, 1 << 16)),
                st.tuples(st.just("value"), st.integers(0, 1 << 16), st.sampled_from(VALUES)),
                st.tuples(st.just("value"), st.integers(0, 1 << 16), st.sampled_from(VALUES)),
            ),
            max_size=4,
        )
    )
    for op in ops:
        data = _replace_value(data, *op[1:]) if op[0] == "value" else apply_mutation(data, op)
    return data


CONFIG_INPUT = st.one_of(
    config_text(),
    config_text(),
    config_text(),
    st.binary(max_size=120),
    st.lists(st.sampled_from([*YAML_PIECES, b"a", b"ops", b"1", b"\n"]), max_size=30).map(b"".join),
)


SOURCE = "fuzzed.yml"
ENV = {"HOME": "/home/fuzz"}


def _check_problem(problem: Problem, source: str, n_lines: int) -> None:
    assert isinstance(problem, Problem)
    assert problem.severity in ("error", "warning")
    assert isinstance(problem.message, str) and problem.message.strip()
    assert problem.source == source
    assert problem.line is None or 1 <= problem.line <= n_lines + 1
    assert problem.column is None or problem.column >= 1
    assert str(problem).startswith(source)


def _check_config_problems(data, source: str, n_lines: int) -> list[Problem]:
    problems = check_config(data, source=source)
    assert isinstance(problems, list)
    for problem in problems:
        _check_problem(problem, source, n_lines)
    return problems


@fuzz(ci=40)
@given(CONFIG_INPUT)
def test_parse_load_and_check(data):
    text = data.decode("utf-8", "replace")
    n_lines = text.count("\n") + text.count("\r") + 1
    path_before = list(sys.path)
    try:
        with time_limit(30):
            loaded = parse(text, source=SOURCE, environ=ENV)
            assert isinstance(loaded, LoadedConfig)
            for problem in loaded.problems:
                _check_problem(problem, SOURCE, n_lines)
            errors = [p for p in loaded.problems if p.severity == "error"]
            event("parse: errors" if errors else "parse: clean")
            try:
                load(text, environ=ENV, source=SOURCE)
            except ConfigError as exc:
                assert errors, f"load raised but parse found no error: {exc}"
                assert SOURCE in str(exc)
                if isinstance(exc, ConfigProblems):
                    assert len(exc.problems) == len(errors) > 1
            else:
                assert not errors, f"load accepted a config with errors: {errors}"
            if loaded.data is not None or not loaded.problems:
                problems = _check_config_problems(loaded.data, SOURCE, n_lines)
                event(f"check_config: {'problems' if problems else 'clean'}")
    finally:
        sys.path[:] = path_before


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory):
    """One directory for every example: load_path puts the config's directory on sys.path."""
    return tmp_path_factory.mktemp("fuzz-config")


@fuzz(ci=30)
@given(CONFIG_INPUT)
def test_validate_and_load_path(config_dir, data):
    path = config_dir / "config.yml"
    path.write_bytes(data)
    path_before = list(sys.path)
    try:
        with time_limit(30):
            problems = validate_path(path)
            assert isinstance(problems, list)
            n_lines = data.count(b"\n") + data.count(b"\r") + 1
            for problem in problems:
                _check_problem(problem, str(path), n_lines)
            try:
                load_path(path, environ=ENV)
            except ConfigError as exc:
                assert str(path) in str(exc)
    finally:
        sys.path[:] = path_before


def test_load_path_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_path(tmp_path / "absent.yml")
    (problem,) = validate_path(tmp_path / "absent.yml")
    assert problem.kind == "missing-file" and problem.source == str(tmp_path / "absent.yml")


# -- reported bugs, pinned with their minimal inputs ---------------------------------------------
_READER_ERROR = (
    "a control character (here NUL) makes PyYAML's Reader raise yaml.reader.ReaderError in "
    "_SeleneLoader(text), which parse() builds before its try, so the raw YAMLError escapes "
    "parse/load/load_path/validate_path instead of becoming a 'yaml' problem with file:line:col"
)


def test_parse_control_character_is_a_problem():
    loaded = parse("ops: [train]\x00\n", source=SOURCE)
    assert loaded.data is None
    (problem,) = loaded.problems
    assert problem.kind == "yaml" and problem.line == 1 and problem.source == SOURCE


def test_validate_path_control_character_is_a_problem(tmp_path):
    path = tmp_path / "config.yml"
    path.write_bytes(b"\x00")
    (problem,) = validate_path(path)
    assert problem.kind == "yaml" and problem.source == str(path)
