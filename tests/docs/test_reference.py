"""docs/reference.md is generated from the code and every documented argument is described."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from tests.conftest import REPO

TOOL = REPO / "tools" / "docs_reference.py"


def _load_tool():
    """tools/docs_reference.py is not part of the package: import it by path."""
    spec = importlib.util.spec_from_file_location("_selene_tools_docs_reference", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


ref = _load_tool()

ENTRY_IDS = [e.title for entries in ref.ENTRIES.values() for e in entries]


def test_committed_reference_is_up_to_date():
    committed = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    assert committed == ref.render(), (
        "docs/reference.md is out of date with the code's signatures/docstrings: "
        "regenerate it with `.venv/bin/python tools/docs_reference.py` and commit it"
    )


@pytest.mark.parametrize("title", ENTRY_IDS)
def test_every_public_argument_is_described(title):
    entry = next(e for entries in ref.ENTRIES.values() for e in entries if e.title == title)
    obj = ref.resolve(entry.dotted)
    missing = ref.undocumented(obj)
    assert not missing, (
        f"{entry.dotted}: add a description of {missing} to the Parameters section of its "
        "docstring (numpy style), then regenerate docs/reference.md"
    )


def test_reference_covers_the_classes_configs_name():
    dotted = {e.dotted for entries in ref.ENTRIES.values() for e in entries}
    for name in [
        "selene_sdk.sequences.Genome",
        "selene_sdk.sequences.Proteome",
        "selene_sdk.targets.GenomicFeatures",
        "selene_sdk.samplers.RandomPositionsSampler",
        "selene_sdk.samplers.IntervalsSampler",
        "selene_sdk.samplers.MultiSampler",
        "selene_sdk.samplers.file_samplers.BedFileSampler",
        "selene_sdk.samplers.file_samplers.MatFileSampler",
        "selene_sdk.samplers.dataloader.SamplerDataLoader",
        "selene_sdk.samplers.dataloader.H5DataLoader",
        "selene_sdk.samplers.dataloader._H5Dataset",
        "selene_sdk.TrainModel",
        "selene_sdk.EvaluateModel",
        "selene_sdk.predict.AnalyzeSequences",
        "selene_sdk.utils.NonStrandSpecific",
        "selene_sdk.utils.load_features_list",
    ]:
        assert name in dotted
    from selene_sdk.models import BUILTIN_ARCHITECTURES

    for name in BUILTIN_ARCHITECTURES:
        assert f"selene_sdk.models.{name}" in dotted, f"reference architecture {name} missing"


def test_every_top_level_key_of_the_validator_is_described():
    from selene_sdk.config.validate import _MODEL_KEYS, KNOWN_TOP_LEVEL_KEYS

    assert list(ref.TOP_LEVEL_KEYS) == list(KNOWN_TOP_LEVEL_KEYS)
    assert list(ref.MODEL_KEYS) == list(_MODEL_KEYS)
    text = ref.render()
    for key in KNOWN_TOP_LEVEL_KEYS:
        assert f"| `{key}` |" in text


def test_a_new_top_level_key_without_description_fails(monkeypatch):
    from selene_sdk.config import validate

    monkeypatch.setattr(validate, "KNOWN_TOP_LEVEL_KEYS", (*validate.KNOWN_TOP_LEVEL_KEYS, "new"))
    with pytest.raises(ValueError, match=r"undescribed \['new'\]"):
        ref.render()


def test_parse_parameters_reads_numpy_sections():
    doc = """Summary line.

    Parameters
    ----------
    alpha
        First line
        continues here.
    beta, gamma : int
        Shared ``code``.
    **kwargs
        Extra.

    All other parameters are those of :class:`Base` (prose, not an item).

    Returns
    -------
    thing
        Not a parameter.

    Other Parameters
    ----------------
    delta
        Rare.
    """
    assert ref.parse_parameters(doc) == {
        "alpha": "First line continues here.",
        "beta": "Shared ``code``.",
        "gamma": "Shared ``code``.",
        "kwargs": "Extra.",
        "delta": "Rare.",
    }
    assert ref.parse_parameters(None) == {}
    assert ref.parse_parameters("No sections at all.") == {}


class _Base:
    """Base.

    Parameters
    ----------
    shared
        From the base.
    """

    def __init__(self, shared: int = 1):
        self.shared = shared


class _Documented(_Base):
    """Own docstring.

    Parameters
    ----------
    own
        Its own argument; uses ``|`` and :class:`~selene_sdk.sequences.Genome`.
    """

    def __init__(self, own: str, shared: int = 1, _private: int = 0):
        super().__init__(shared)


class _Undocumented(_Base):
    """Documents nothing of its own."""

    def __init__(self, forgotten: float = 0.5, shared: int = 1):
        super().__init__(shared)


def test_undocumented_names_the_missing_argument():
    assert ref.undocumented(_Documented) == []  # `shared` inherited, `_private` not public
    assert ref.undocumented(_Undocumented) == ["forgotten"]

    def f(a, b=2):
        """F.

        Parameters
        ----------
        a
            A.
        """

    assert ref.undocumented(f) == ["b"]


def test_arguments_render_defaults_and_markdown():
    rows = ref.arguments(_Documented)
    assert [(r.name, r.default) for r in rows] == [("`own`", "required"), ("`shared`", "`1`")]
    assert rows[0].description == "Its own argument; uses `\\|` and `Genome`."
    assert rows[1].description == "From the base."


def test_check_mode_reports_a_stale_file(tmp_path, capsys):
    out = tmp_path / "reference.md"
    assert ref.main(["--output", str(out), "--check"]) == 1
    assert ref.main(["--output", str(out)]) == 0
    assert ref.main(["--output", str(out), "--check"]) == 0
    out.write_text(out.read_text() + "edited\n")
    assert ref.main(["--output", str(out), "--check"]) == 1
    assert ".venv/bin/python tools/docs_reference.py" in capsys.readouterr().out


def test_tool_runs_as_a_script_from_anywhere(tmp_path):
    result = subprocess.run(
        [sys.executable, str(TOOL), "--check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{REPO / 'docs' / 'reference.md'} is up to date" in result.stdout
