"""Write ``docs/reference.md``, the configuration reference, from the code itself.

Every top-level configuration key, the keys of the ``model`` and analysis sections, and every
argument of the classes and functions that configurations name -- with its default from the
signature and its description from the numpy-style docstring. Generated, so it cannot drift:
``tests/docs`` fail when the committed page differs from what this module writes, or when a
public argument has no description.

A development tool, not part of the installed package; run it from the repository with the
package importable (the project's virtualenv):

    .venv/bin/python tools/docs_reference.py             # rewrite docs/reference.md
    .venv/bin/python tools/docs_reference.py --check     # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import enum
import importlib
import inspect
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ENTRIES",
    "TOP_LEVEL_KEYS",
    "Argument",
    "Entry",
    "arguments",
    "main",
    "parse_parameters",
    "render",
    "undocumented",
]

#: The command that regenerates the page, as the page and the messages name it.
COMMAND = ".venv/bin/python tools/docs_reference.py"

#: The repository holding this tool.
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: Where the page lives: the repository's docs/reference.md.
DEFAULT_OUTPUT = os.path.join(REPO, "docs", "reference.md")

#: Top-level key -> what it means. Must list exactly
#: ``selene_sdk.config.validate.KNOWN_TOP_LEVEL_KEYS`` (checked when rendering).
TOP_LEVEL_KEYS: dict[str, str] = {
    "ops": "Operations to run, in order: any of `train`, `evaluate`, `analyze` (required).",
    "model": "The model: a model file or class, its constructor arguments and optional "
    "strand averaging. See [the `model` section](#the-model-section).",
    "sampler": "`!obj:` sampler that provides training, validation and test data for `train` "
    "and `evaluate`. See [Samplers](#samplers).",
    "train_model": "`!obj:selene_sdk.TrainModel {...}`: the training settings "
    "([TrainModel](#trainmodel), [train.md](train.md)).",
    "evaluate_model": "`!obj:selene_sdk.EvaluateModel {...}`: evaluation of saved weights "
    "([EvaluateModel](#evaluatemodel), [evaluate.md](evaluate.md)). Not needed after `train` "
    "in the same run.",
    "analyze_sequences": "`!obj:selene_sdk.predict.AnalyzeSequences {...}`: the model "
    "runner for `analyze` ([AnalyzeSequences](#analyzesequences), [analyze.md](analyze.md)).",
    "prediction": "Arguments of [`get_predictions`](#analyzesequencesget_predictions).",
    "variant_effect_prediction": "`vcf_files: [...]` plus the arguments of "
    "[`variant_effect_prediction`](#analyzesequencesvariant_effect_prediction) "
    "(one call per file).",
    "in_silico_mutagenesis": "`sequence:` plus the arguments of "
    "[`in_silico_mutagenesis`](#analyzesequencesin_silico_mutagenesis), or `input_path:` / "
    "`fa_files:` plus those of "
    "[`in_silico_mutagenesis_from_file`](#analyzesequencesin_silico_mutagenesis_from_file).",
    "attribution": "`input_path:`, `output_dir:`, `method:`, `features:` ... : the arguments "
    "of [`attribution`](#analyzesequencesattribution) (an extension of selene_sdk; "
    "[interpret.md](interpret.md#attribution-in-a-configuration)).",
    "output_dir": "The run's output directory. It replaces the `output_dir` of the sampler, "
    "`train_model` and `evaluate_model`; the run's `configuration.yml` is saved there.",
    "create_subdirectory": "Default `true`: put the outputs in a new "
    "`<YYYY-MM-DD-HH-MM-SS>-<8 random characters>` directory inside `output_dir`.",
    "random_seed": "Seed Python's `random`, numpy and torch; `TrainModel` then gets "
    "`deterministic: true`.",
    "lr": "Learning rate for `train` (a positive number; `--lr` on the command line wins).",
    "load_test_set": "With `train` and `evaluate`: draw the test set before training starts.",
    "batch_size": "Batch size of `selene write-h5`.",
    "selene_sdk_version": "Written into saved configurations; ignored when read.",
}

#: ``model:`` key -> meaning. Must list exactly the validator's model keys.
MODEL_KEYS: dict[str, str] = {
    "path": "A model file (`.py`) or package directory defining the class, `criterion()` and "
    "`get_optimizer(lr)`. Not needed for a [reference architecture](#reference-architectures) "
    "or a dotted class name.",
    "file": "Old spelling of `path` (still accepted, with a warning).",
    "class": "The class name in that file, a reference architecture (`DeepSEA`, ...) or a "
    "dotted name (`my_package.nets.MyNet`).",
    "class_args": "Keyword arguments of the class's constructor.",
    "non_strand_specific": "`mean` or `max`: wrap the model in "
    "[`NonStrandSpecific`](#nonstrandspecific), which combines the predictions for a "
    "sequence and its reverse complement.",
}


@dataclass(frozen=True)
class Entry:
    """One documented class or function: its heading, where it lives, how configs name it."""

    title: str
    dotted: str
    usage: str


@dataclass(frozen=True)
class Argument:
    """One constructor/function argument as the reference shows it."""

    name: str
    default: str
    description: str


_S = "selene_sdk.samplers"
_A = "selene_sdk.predict.AnalyzeSequences"
#: Section title -> the entries under it, in page order.
ENTRIES: dict[str, list[Entry]] = {
    "Sequences and targets": [
        Entry("Genome", "selene_sdk.sequences.Genome", "`!obj:selene_sdk.sequences.Genome`"),
        Entry("Proteome", "selene_sdk.sequences.Proteome", "`!obj:selene_sdk.sequences.Proteome`"),
        Entry(
            "GenomicFeatures",
            "selene_sdk.targets.GenomicFeatures",
            "built by the online samplers from `target_path`/`features`; "
            "`!obj:selene_sdk.targets.GenomicFeatures` as a `target_path` value",
        ),
        Entry(
            "GenomicFeaturesH5",
            "selene_sdk.targets.genomic_features_h5.GenomicFeaturesH5",
            "`!obj:selene_sdk.targets.genomic_features_h5.GenomicFeaturesH5` as a "
            "`target_path` value (continuous targets, Selene 0.6.0)",
        ),
        Entry(
            "BigWigTargets",
            "selene_sdk.targets.BigWigTargets",
            "`!obj:selene_sdk.targets.BigWigTargets` as a `target_path` value (one bigWig "
            "per feature)",
        ),
        Entry(
            "load_features_list",
            "selene_sdk.utils.load_features_list",
            "`!obj:selene_sdk.utils.load_features_list {input_path: features.txt}`",
        ),
    ],
    "Samplers": [
        Entry("RandomPositionsSampler", f"{_S}.RandomPositionsSampler", "`sampler:`"),
        Entry("IntervalsSampler", f"{_S}.IntervalsSampler", "`sampler:`"),
        Entry("BedFileSampler", f"{_S}.file_samplers.BedFileSampler", "`sampler:`"),
        Entry("MatFileSampler", f"{_S}.file_samplers.MatFileSampler", "`sampler:`"),
        Entry(
            "MultiSampler",
            f"{_S}.MultiSampler",
            "`sampler:` (one sampler per partition; `MultiFileSampler` is an older name of it)",
        ),
        Entry(
            "SamplerDataLoader",
            f"{_S}.dataloader.SamplerDataLoader",
            "a `MultiSampler` partition",
        ),
        Entry("H5DataLoader", f"{_S}.dataloader.H5DataLoader", "a `MultiSampler` partition"),
        Entry("_H5Dataset", f"{_S}.dataloader._H5Dataset", "the dataset of an `H5DataLoader`"),
    ],
    "Operations": [
        Entry("TrainModel", "selene_sdk.TrainModel", "`train_model:`"),
        Entry("EvaluateModel", "selene_sdk.EvaluateModel", "`evaluate_model:`"),
        Entry("AnalyzeSequences", _A, "`analyze_sequences:`"),
        Entry("AnalyzeSequences.get_predictions", f"{_A}.get_predictions", "`prediction:`"),
        Entry(
            "AnalyzeSequences.variant_effect_prediction",
            f"{_A}.variant_effect_prediction",
            "`variant_effect_prediction:` (`vcf_files: [...]` instead of `vcf_file`)",
        ),
        Entry(
            "AnalyzeSequences.in_silico_mutagenesis",
            f"{_A}.in_silico_mutagenesis",
            "`in_silico_mutagenesis:` with `sequence:` (or `input_sequence:`)",
        ),
        Entry(
            "AnalyzeSequences.in_silico_mutagenesis_from_file",
            f"{_A}.in_silico_mutagenesis_from_file",
            "`in_silico_mutagenesis:` with `input_path:` (or `fa_files: [...]`, one call each)",
        ),
        Entry("AnalyzeSequences.attribution", f"{_A}.attribution", "`attribution:`"),
    ],
    "Reference architectures": [
        Entry(name, f"selene_sdk.models.{name}", f"`model: {{class: {name}, class_args: ...}}`")
        for name in ("DeepSEA", "DeeperDeepSEA", "DanQ", "HeartENN", "SignalCNN")
    ],
    "Model wrappers": [
        Entry(
            "NonStrandSpecific",
            "selene_sdk.utils.NonStrandSpecific",
            "`model: {non_strand_specific: mean}`",
        ),
        Entry(
            "MultiModelWrapper",
            "selene_sdk.utils.MultiModelWrapper",
            "Python API (several models as one)",
        ),
    ],
}

# -- docstrings ------------------------------------------------------------------------------
_SECTIONS = ("Parameters", "Other Parameters")
_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")


#: An item line: ``name``, ``a, b`` or ``name : type`` (``*args``/``**kwargs`` too).
_ITEM = re.compile(r"^\*{0,2}[A-Za-z_]\w*(\s*,\s*\*{0,2}[A-Za-z_]\w*)*(\s+:.*)?$")


def _item_names(line: str) -> list[str]:
    """Names of a parameter item line: ``a, b``, ``name : type``, ``**kwargs``."""
    names = line.split(" : ", 1)[0]
    return [n.strip().lstrip("*") for n in names.split(",") if n.strip()]


def parse_parameters(doc: str | None) -> dict[str, str]:
    """Parameter name -> description (one paragraph) from numpy-style docstring sections.

    Items are lines at the section's indentation (``name``, ``name : type``, or several
    names separated by commas sharing one description); descriptions are the more indented
    lines below them. Other unindented text (prose after the items) ends an item. Reads
    ``Parameters`` and ``Other Parameters``.
    """
    if not doc:
        return {}
    lines = inspect.cleandoc(doc).splitlines()
    found: dict[str, str] = {}
    names: list[str] = []  # the item being read
    in_section = False
    for i, line in enumerate(lines):
        underlined = i + 1 < len(lines) and bool(_UNDERLINE.match(lines[i + 1]))
        if underlined and line.strip():
            in_section, names = line.strip() in _SECTIONS, []
        elif not in_section or not line.strip() or _UNDERLINE.match(line):
            continue
        elif not line[0].isspace():
            names = _item_names(line) if _ITEM.match(line.strip()) else []
            for name in names:
                found[name] = ""
        elif names:
            for name in names:
                found[name] = f"{found[name]} {line.strip()}".strip()
    return found


def _markdown(text: str) -> str:
    """RST inline markup of a docstring as Markdown, safe inside a table cell."""
    text = re.sub(r":\w+:`~?([^`]+)`", lambda m: f"`{m.group(1).split('.')[-1]}`", text)
    text = text.replace("``", "`")
    return text.replace("|", "\\|")


# -- signatures ------------------------------------------------------------------------------
def resolve(dotted: str) -> Any:
    """The object named by ``module.attr[.attr...]``."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def _documented_in(obj: Any) -> dict[str, str]:
    """Parameter descriptions of a function, or of a class and its ``__init__``.

    A class inherits the descriptions of its base classes' parameters ("all other parameters
    are those of OnlineSampler"); its own docstring wins.
    """
    if not inspect.isclass(obj):
        return parse_parameters(inspect.getdoc(obj))
    found: dict[str, str] = {}
    for cls in reversed(obj.__mro__[:-1]):  # object last in the MRO: skipped
        for doc in (cls.__init__.__doc__ if "__init__" in vars(cls) else None, cls.__doc__):
            found.update((k, v) for k, v in parse_parameters(doc).items() if v)
    return found


def _public_parameters(obj: Any) -> list[inspect.Parameter]:
    params = list(inspect.signature(obj).parameters.values())
    if params and params[0].name in ("self", "cls") and not inspect.isclass(obj):
        params = params[1:]
    return [p for p in params if not p.name.startswith("_")]


def _default_text(param: inspect.Parameter) -> str:
    if param.kind is param.VAR_KEYWORD:
        return "(any keywords)"
    if param.kind is param.VAR_POSITIONAL:
        return "(any)"
    default = param.default
    if default is param.empty:
        return "required"
    if inspect.isclass(default) or inspect.isfunction(default):
        text = default.__qualname__
    elif isinstance(default, enum.Enum):
        text = f"{type(default).__name__}.{default.name}"
    else:
        text = repr(default)
        if " at 0x" in text:
            text = type(default).__name__
    return f"`{text}`"


def _label(param: inspect.Parameter) -> str:
    prefix = {param.VAR_KEYWORD: "**", param.VAR_POSITIONAL: "*"}.get(param.kind, "")
    keyword_only = " (keyword only)" if param.kind is param.KEYWORD_ONLY else ""
    return f"`{prefix}{param.name}`{keyword_only}"


def arguments(obj: Any) -> list[Argument]:
    """The public arguments of ``obj`` (a class or function), in signature order.

    Neighbours documented together (``use_cuda, data_parallel``) share one row.
    """
    described = _documented_in(obj)
    groups: list[tuple[list[inspect.Parameter], str]] = []
    for p in _public_parameters(obj):
        text = _markdown(described.get(p.name, ""))
        if groups and text and groups[-1][1] == text:
            groups[-1][0].append(p)
        else:
            groups.append(([p], text))
    rows = []
    for params, text in groups:
        defaults = [_default_text(p) for p in params]
        if len(set(defaults)) == 1:
            defaults = defaults[:1]  # "required" rather than "required, required"
        rows.append(Argument(", ".join(map(_label, params)), ", ".join(defaults), text))
    return rows


def undocumented(obj: Any) -> list[str]:
    """Public arguments of ``obj`` whose docstring has no description for them."""
    described = _documented_in(obj)
    return [p.name for p in _public_parameters(obj) if not described.get(p.name)]


def _signature_text(title: str, obj: Any) -> str:
    parts = []
    for p in _public_parameters(obj):
        prefix = {p.VAR_KEYWORD: "**", p.VAR_POSITIONAL: "*"}.get(p.kind, "")
        default = "" if p.default is p.empty else "=" + _default_text(p).strip("`")
        parts.append(f"{prefix}{p.name}{default}")
    return f"{title.split('.')[-1]}({', '.join(parts)})"


def _summary(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    first = doc.split("\n\n", 1)[0]
    return _markdown(" ".join(first.split())).replace("\\|", "|")


# -- rendering -------------------------------------------------------------------------------
def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9_\- ]", "", title.lower()).replace(" ", "-")


def _key_table(rows: dict[str, str], header: str) -> list[str]:
    out = [f"| {header} | meaning |", "|---|---|"]
    out += [f"| `{key}` | {text} |" for key, text in rows.items()]
    return out


def _checked_keys(rows: dict[str, str], expected: tuple[str, ...], what: str) -> dict[str, str]:
    missing = [k for k in expected if k not in rows]
    extra = [k for k in rows if k not in expected]
    if missing or extra:
        raise ValueError(
            f"tools/docs_reference.py: the {what} table is out of step with the validator: "
            f"undescribed {missing}, unknown {extra}"
        )
    return {k: rows[k] for k in expected}


def _analysis_section_lines() -> list[str]:
    from selene_sdk.config import _analysis_checks as checks
    from selene_sdk.config._attribution_checks import ATTRIBUTION_KEYS

    rows = {
        "prediction": (checks._PREDICTION_KEYS, "get_predictions"),
        "variant_effect_prediction": (checks._VEP_KEYS, "variant_effect_prediction"),
        "in_silico_mutagenesis (one sequence)": (
            checks._ISM_SEQUENCE_KEYS,
            "in_silico_mutagenesis",
        ),
        "in_silico_mutagenesis (FASTA files)": (
            checks._ISM_FILE_KEYS,
            "in_silico_mutagenesis_from_file",
        ),
        "attribution": (ATTRIBUTION_KEYS, "attribution"),
    }
    out = ["| section | accepted keys | arguments of |", "|---|---|---|"]
    for section, (keys, method) in rows.items():
        listed = ", ".join(f"`{k}`" for k in keys)
        link = f"[`{method}`](#analyzesequences{method})"
        out.append(f"| `{section.split(' ')[0]}` {' '.join(section.split(' ')[1:])} ".rstrip())
        out[-1] += f" | {listed} | {link} |"
    return out


def _entry_lines(entry: Entry) -> list[str]:
    obj = resolve(entry.dotted)
    out = [
        f"### {entry.title}",
        "",
        f"`{entry.dotted}` — in configs: {entry.usage}",
        "",
        f"{_summary(obj)}",
        "",
        "```python",
        _signature_text(entry.title, obj),
        "```",
        "",
    ]
    args = arguments(obj)
    if not args:
        return [*out, "No arguments.", ""]
    out += ["| argument | default | description |", "|---|---|---|"]
    out += [f"| {a.name} | {a.default} | {a.description} |" for a in args]
    return [*out, ""]


def render() -> str:
    """The whole reference page, as Markdown."""
    from selene_sdk.config.validate import _MODEL_KEYS, KNOWN_TOP_LEVEL_KEYS

    top = _checked_keys(TOP_LEVEL_KEYS, KNOWN_TOP_LEVEL_KEYS, "top-level key")
    model = _checked_keys(MODEL_KEYS, _MODEL_KEYS, "model key")
    lines = [
        "# Configuration reference",
        "",
        f"<!-- Generated by `{COMMAND}` from the code and its",
        "     docstrings. Do not edit by hand: change the docstrings and regenerate. -->",
        "",
        "Every key a configuration file can hold and every argument of the classes and",
        "functions configurations name, with defaults and descriptions taken from the code.",
        "How the file is read and run: [configuration.md](configuration.md); a first",
        "configuration, step by step: [getting_started.md](getting_started.md).",
        "",
        "Arguments marked *required* must be written in the file unless the run fills them",
        "in ([which ones are filled in](configuration.md#what-each-operation-does)).",
        "Defaults are shown as Python writes them; in YAML `None` may also be written",
        "`null`, and `True`/`False` as `true`/`false`.",
        "",
        "## Top-level keys",
        "",
        *_key_table(top, "key"),
        "",
        "## The `model` section",
        "",
        *_key_table(model, "key"),
        "",
        "## Analysis sections",
        "",
        "With `ops: [analyze]`, these sections are calls on the `analyze_sequences` object:",
        "",
        *_analysis_section_lines(),
        "",
    ]
    for section, entries in ENTRIES.items():
        lines += [f"## {section}", ""]
        for entry in entries:
            lines += _entry_lines(entry)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or ``--check``) the reference page; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="tools/docs_reference.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--output", default=DEFAULT_OUTPUT, help="default: docs/reference.md of this repository"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as handle:
                current = handle.read()
        except FileNotFoundError:
            current = None
        if current != text:
            print(f"{args.output} is out of date: run `{COMMAND}`")
            return 1
        print(f"{args.output} is up to date")
        return 0
    from selene_sdk.io.atomic import atomic_write

    with atomic_write(args.output, "w") as handle:
        handle.write(text)
    print(f"wrote {args.output}")
    return 0


def _entry_objects() -> list[tuple[Entry, Callable]]:
    return [(e, resolve(e.dotted)) for entries in ENTRIES.values() for e in entries]


if __name__ == "__main__":
    # The package from this repository's src/, even when it is not installed.
    sys.path.insert(0, os.path.join(REPO, "src"))
    sys.exit(main())
