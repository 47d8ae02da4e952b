"""The run times and AUCs that README.md and the example pages quote are the recorded runs'
(examples/*/recorded_run.json, written by tools/record_runs.py)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys

import pytest

from tests.conftest import REPO

TOOL = REPO / "tools" / "record_runs.py"


def _load_tool():
    spec = importlib.util.spec_from_file_location("_selene_tools_record_runs", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tool = _load_tool()
DEMO = json.loads((REPO / "examples" / "demo" / "recorded_run.json").read_text())
CHR20 = json.loads((REPO / "examples" / "chr20" / "recorded_run.json").read_text())


def test_the_docs_quote_the_recorded_runs():
    assert tool.out_of_date() == [], "run `.venv/bin/python tools/record_runs.py render`"


@pytest.mark.parametrize(
    ("page", "spans"),
    [
        ("README.md", {"demo-time", "demo-fresh"}),
        ("docs/getting_started.md", {"demo-time"}),
        ("examples/demo/README.md", {"demo-time", "demo-auc"}),
        ("examples/chr20/README.md", {"chr20-time", "chr20-table"}),
    ],
)
def test_each_page_quotes_its_measurements(page, spans):
    text = (REPO / page).read_text(encoding="utf-8")
    assert {m.group(1) for m in tool.SPAN.finditer(text)} == spans


def test_the_chr20_table_shows_the_recorded_aucs():
    """Read the table as a reader would and compare it with the recorded results."""
    text = (REPO / "examples" / "chr20" / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| (\S+) \|", text, re.M))
    expected = {
        feature: "NA" if auc is None else f"{auc:.3f}"
        for feature, auc in CHR20["test_roc_auc"].items()
    }
    assert rows == expected
    assert rows["TSS_500bp"] == "0.819"


def test_the_quoted_times_name_the_machine_and_the_date():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    quoted = tool.SPAN.search(text).group(2)
    assert quoted == f"{tool.duration(DEMO['demo_s'])} on {DEMO['machine']}, {DEMO['date']}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", DEMO["date"]) and re.fullmatch(
        r"\d{4}-\d\d-\d\d", CHR20["date"]
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(27.9, "28 s"), (89.4, "89 s"), (94, "1 min 34 s"), (140, "2 min 20 s"), (480, "8 min")],
)
def test_duration(seconds, text):
    assert tool.duration(seconds) == text


def test_rewrite_replaces_only_marked_spans():
    text = "a <!-- measured:demo-auc -->old<!-- /measured:demo-auc --> b old"
    new = tool.rewrite(text, {"demo-auc": "0.9"})
    assert new == "a <!-- measured:demo-auc -->0.9<!-- /measured:demo-auc --> b old"
    with pytest.raises(KeyError):
        tool.rewrite("<!-- measured:nope -->x<!-- /measured:nope -->", {})
