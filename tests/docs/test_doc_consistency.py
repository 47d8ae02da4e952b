"""The documentation agrees with the code: YAML examples load and validate, pages are linked
from the index, and relative links (and their #anchors) resolve.

YAML blocks go through the config package's own machinery: the loader (tags, names) and the
dry-run validator (keys of every ``!obj:``, sections, types). Files they mention need not
exist. A block with ``ops`` is a whole configuration and is checked as one; any other block
is a fragment: its ``!obj:`` keywords and the analysis sections it contains are checked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from selene_sdk.config.loader import parse
from selene_sdk.config.proxy import ObjProxy
from selene_sdk.config.validate import _Checker, check_config
from tests.conftest import REPO

DOC_FILES = sorted(
    [
        *(REPO / "docs").glob("*.md"),
        REPO / "README.md",
        *(REPO / "examples").glob("**/README.md"),
    ]
)
FENCE = re.compile(r"^```yaml[^\n]*\n(.*?)^```", re.M | re.S)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
#: Problems a documentation example may have: the data files it names are the user's.
IGNORED_KINDS = {"missing-file"}
#: Fragments lack the sections and arguments that a full configuration would supply.
FRAGMENT_IGNORED = IGNORED_KINDS | {"missing-key", "missing-section", "unused", "model"}
_ANALYSIS = (
    "analyze_sequences",
    "prediction",
    "variant_effect_prediction",
    "in_silico_mutagenesis",
)


def _rel(path: Path) -> str:
    return str(path.relative_to(REPO))


def _yaml_blocks() -> list[tuple[str, str]]:
    blocks = []
    for path in DOC_FILES:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 2  # first line inside the fence
            blocks.append((f"{_rel(path)}:{line}", match.group(1)))
    return blocks


YAML_BLOCKS = _yaml_blocks()


def _fragment_ops(data: Mapping) -> list[str]:
    ops = []
    if "train_model" in data:
        ops.append("train")
    if "evaluate_model" in data:
        ops.append("evaluate")
    if any(key in data for key in _ANALYSIS):
        ops.append("analyze")
    return ops


def config_problems(text: str, source: str) -> list[str]:
    """Every problem the loader and validator find in one YAML block, as printable lines."""
    loaded = parse(text, source)
    found = [p for p in loaded.problems if p.kind not in IGNORED_KINDS]
    data = loaded.data
    if isinstance(data, Mapping):
        if "ops" in data:
            found += [p for p in check_config(data, None, source) if p.kind not in IGNORED_KINDS]
            ops = data["ops"] if isinstance(data["ops"], list) else [data["ops"]]
        else:
            ops = _fragment_ops(data)
            if ops:
                with_ops = {"ops": ops, **data}
                found += [
                    p
                    for p in check_config(with_ops, None, source)
                    if p.kind not in FRAGMENT_IGNORED and not p.key == "ops"
                ]
    if data is not None:
        # Every !obj: anywhere (not only in the sections the validator walks): its keywords.
        walker = _Checker(data, source, None)
        walker.check_nested(data, "", list(ops) if isinstance(data, Mapping) else [])
        found += [
            p for p in walker.problems if p.kind in ("unknown-key", "type", "not-implemented")
        ]
    lines = sorted({str(p) for p in found})
    return lines


def test_docs_have_yaml_examples():
    assert len(YAML_BLOCKS) >= 8
    sources = {s.split(":")[0] for s, _ in YAML_BLOCKS}
    assert {"docs/getting_started.md", "docs/train.md", "docs/analyze.md"} <= sources


@pytest.mark.parametrize("source,text", YAML_BLOCKS, ids=[s for s, _ in YAML_BLOCKS])
def test_yaml_example_loads_and_validates(source, text):
    problems = config_problems(text, source)
    assert not problems, "documentation example does not validate:\n" + "\n".join(problems)


# -- the checker itself catches what it should ---------------------------------------------
def test_checker_reports_unknown_argument_and_name():
    text = (
        "sampler: !obj:selene_sdk.samplers.RandomPositionsSampler\n"
        "  reference_sequence: !obj:selene_sdk.sequences.Genome {input_pth: g.fa}\n"
        "  target_path: t.bed\n"
        "  features: [a]\n"
        "  validaton_holdout: [chr2]\n"
        "other: !obj:selene_sdk.samplers.IntervalSampler {}\n"
    )
    problems = "\n".join(config_problems(text, "x.yml"))
    assert "no argument 'input_pth' (did you mean input_path?)" in problems
    assert "no argument 'validaton_holdout'" in problems
    assert "IntervalSampler" in problems


def test_checker_reports_a_broken_full_config_but_not_missing_files():
    text = (
        "ops: [analyze]\n"
        "model: {class: DeepSEA, class_args: {sequence_length: 1000, n_genomic_features: 2}}\n"
        "analyze_sequences: !obj:selene_sdk.predict.AnalyzeSequences\n"
        "  trained_model_path: nowhere.pth\n"
        "  sequence_length: 1000\n"
        "  features: [a, b]\n"
        "in_silico_mutagenesis: {input_path: nowhere.fa, save_data: [logits]}\n"
        "prediction: {input_path: x.fa, output_dir: out, strand: 3}\n"
    )
    problems = config_problems(text, "x.yml")
    assert len(problems) == 2, problems
    assert "needs `output_dir`" in problems[0] or "needs `output_dir`" in problems[1]
    assert any("unknown key 'strand' in prediction" in p for p in problems)


def test_checker_checks_analysis_fragments():
    text = "variant_effect_prediction:\n  vcf_files: [a.vcf]\n  save_data: [diff]\n"
    problems = config_problems(text, "x.yml")
    assert len(problems) == 1 and "save_data" in problems[0], problems


def test_checker_reports_malformed_yaml():
    assert "malformed YAML" in config_problems("a: b: c\n", "x.yml")[0]


def test_every_key_under_obj_is_checked_in_lists_too():
    text = (
        "sampler: !obj:selene_sdk.samplers.MultiSampler\n"
        "  train_sampler: !obj:selene_sdk.samplers.file_samplers.MatFileSampler\n"
        "    {filepath: a.mat, sequence_key: x, shufle: true}\n"
        "  validate_sampler: null\n"
        "  features: [a]\n"
        "metrics: [!obj:selene_sdk.utils.NonStrandSpecific {model: null, moed: max}]\n"
    )
    problems = "\n".join(config_problems(text, "x.yml"))
    assert "'shufle'" in problems and "'moed'" in problems


def test_yaml_blocks_hold_objects():
    """The blocks are really parsed (not skipped): the train example builds proxies."""
    source, text = next((s, t) for s, t in YAML_BLOCKS if s.startswith("docs/train.md"))
    data = parse(text, source).data
    assert isinstance(data["train_model"], ObjProxy)
    assert data["train_model"].name == "selene_sdk.TrainModel"


# -- links ----------------------------------------------------------------------------------
def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)  # no headings in code blocks
    anchors: set[str] = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", text, flags=re.M):
        slug = _slug(heading)
        n = 1
        candidate = slug
        while candidate in anchors:  # repeated headings get -1, -2, ...
            candidate = f"{slug}-{n}"
            n += 1
        anchors.add(candidate)
    return anchors


def test_slug_matches_github():
    assert _slug("Configuration, CLI and models") == "configuration-cli-and-models"
    assert _slug("`selene plot`") == "selene-plot"
    assert _slug("AnalyzeSequences.get_predictions") == "analyzesequencesget_predictions"
    assert _slug("The `model` section") == "the-model-section"


def _links(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return LINK.findall(text)


@pytest.mark.parametrize("path", DOC_FILES, ids=[_rel(p) for p in DOC_FILES])
def test_relative_links_resolve(path):
    broken = []
    for target in _links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            broken.append(f"{target}: {file_part} does not exist")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            broken.append(f"{target}: no heading with anchor #{anchor} in {dest.name}")
    assert not broken, f"{_rel(path)} has broken links:\n" + "\n".join(broken)


def test_every_doc_page_is_linked_from_the_index():
    index = REPO / "docs" / "index.md"
    linked = {(index.parent / t.partition("#")[0]).resolve() for t in _links(index)}
    pages = {p.resolve() for p in (REPO / "docs").glob("*.md")} - {index.resolve()}
    missing = sorted(p.name for p in pages - linked)
    assert not missing, f"docs/index.md does not link to {missing}"


def test_readme_points_newcomers_to_the_docs():
    readme = REPO / "README.md"
    targets = {t.partition("#")[0].rstrip("/") for t in _links(readme)}
    for page in ("docs/getting_started.md", "docs/index.md", "examples/chr20"):
        assert page in targets or f"{page}/README.md" in targets, f"README.md should link {page}"
    text = readme.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
