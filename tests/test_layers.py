"""The import rules of the layering (the intended architecture: data layer -> samplers, models,
metrics -> forward path -> engines -> config -> cli; arrows point down only), checked with ``ast``.

Every module under ``src/selene_sdk/`` is parsed; every ``import x`` and ``from x import y``
counts, wherever it is (inside functions and ``if TYPE_CHECKING:`` blocks too), with relative
imports resolved against the module's package. ``from x import y`` counts as importing both
``x`` and ``x.y`` (``y`` may be a submodule). Each rule is checked per top-level unit of the
package (a subpackage such as ``models`` or a module such as ``train_model``), one test case
each, so a case can be marked as a known violation on its own.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = "selene_sdk"
SRC = REPO / "src" / PACKAGE

#: Cases that fail today only because of modules being rewritten (the prediction core).
PENDING = pytest.mark.xfail(strict=True, reason="pending the prediction-core rewrite")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. selene_sdk.models.model_file
    path: str  # its file, relative to the repository
    line: int
    target: str  # the imported module (or module.name), e.g. selene_sdk.config.errors
    statement: str  # the import as written, e.g. from .errors import ConfigError


def _module_name(path: Path) -> tuple[str, str]:
    """``(module, package)`` of a file under ``src/``: the package relative imports start from."""
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        name = ".".join(parts[:-1])
        return name, name
    name = ".".join(parts)
    return name, name.rpartition(".")[0]


def imports_of(source: str, module: str, package: str, path: str = "<string>") -> list[Import]:
    """Every import in ``source`` (the text of ``module``, a module of ``package``)."""
    found = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[: len(base) - node.level + 1] if node.level else []
            origin = ".".join([*base, *([node.module] if node.module else [])])
            targets = [origin, *(".".join(filter(None, (origin, a.name))) for a in node.names)]
        else:
            continue
        statement = ast.unparse(node)
        found += [Import(module, path, node.lineno, t, statement) for t in targets]
    return found


def _scan() -> dict[str, list[Import]]:
    """Unit -> the imports of its modules. Units are the top-level subpackages and modules
    (``models``, ``train_model``, ...) and, inside them, every subpackage and module by its
    dotted path (``predict.files``, ``predict.files.variants``)."""
    units: dict[str, list[Import]] = {}
    for path in sorted(SRC.rglob("*.py")):
        module, package = _module_name(path)
        parts = [p.removesuffix(".py") for p in path.relative_to(SRC).parts]
        if parts[-1] == "__init__":
            parts.pop()
        rel = str(path.relative_to(REPO))
        found = imports_of(path.read_text(encoding="utf-8"), module, package, rel)
        for depth in range(1, len(parts) + 1):
            units.setdefault(".".join(parts[:depth]), []).extend(found)
    return units


UNITS = _scan()


def _is_within(target: str, forbidden: str) -> bool:
    return target == forbidden or target.startswith(forbidden + ".")


@dataclass(frozen=True)
class Rule:
    name: str
    sources: tuple[str, ...]  # the units the rule applies to
    forbidden: tuple[str, ...]  # modules (and everything under them) they must not import
    why: str
    pending: frozenset[str] = frozenset()  # units whose case is a known violation


def _p(*names: str) -> tuple[str, ...]:
    return tuple(f"{PACKAGE}.{n}" for n in names)


_LOW = ("samplers", "sequences", "targets", "io", "metrics", "models")

RULES = [
    Rule(
        "models-below-config",
        ("models",),
        _p("config", "utils"),
        "models/ never imports config/ or utils/",
    ),
    Rule(
        "lower-layers-below-engines",
        _LOW,
        _p("utils", "config", "cli", "train_model", "evaluate_model", "predict"),
        "samplers/, sequences/, targets/, io/, metrics/ and models/ never import the "
        "selene_sdk.utils façade, config, cli, train_model, evaluate_model or predict",
    ),
    Rule(
        "data-layer-below-samplers-and-models",
        ("sequences", "targets", "io"),
        _p("samplers", "models"),
        "sequences/, targets/ and io/ never import samplers/ or models/",
    ),
    Rule(
        "runtime-only-from-the-cli",
        tuple(u for u in UNITS if "." not in u and u not in ("cli", "__main__", "_runtime")),
        _p("_runtime"),
        "only cli.py and __main__.py import selene_sdk._runtime (process-wide settings)",
    ),
    Rule(
        "evaluate-without-train",
        ("evaluate_model",),
        _p("train_model"),
        "evaluate_model.py and train_model.py do not import each other",
    ),
    Rule(
        "train-without-evaluate",
        ("train_model",),
        _p("evaluate_model"),
        "evaluate_model.py and train_model.py do not import each other",
    ),
    Rule(
        "low-layers-below-the-forward-path",
        _LOW,
        _p("forward", "training"),
        "the data layer, samplers, models and metrics never import the forward path",
    ),
    Rule(
        "forward-path-below-engines",
        ("forward",),
        _p(
            "predict",
            "training",
            "train_model",
            "evaluate_model",
            "interpret",
            "config",
            "cli",
            "utils",
        ),
        "forward/ (the one forward path) never imports the engines, config or cli",
    ),
    Rule(
        "engines-apart",
        ("train_model", "evaluate_model", "training"),
        _p("predict", "interpret"),
        "training and evaluation never import prediction",
    ),
    Rule(
        "prediction-apart-from-training",
        ("predict", "interpret"),
        _p("train_model", "evaluate_model", "training", "config", "cli"),
        "prediction and interpretation never import training, evaluation, config or cli",
    ),
    Rule(
        "array-core-below-the-file-shell",
        tuple(
            f"predict.{m}"
            for m in (
                "prediction",
                "mutagenesis",
                "effects",
                "mutations",
                "scores",
                "variant_windows",
                "inputs",
                "arrays",
            )
        ),
        _p("predict.files", "predict.model_predict", "predict.predict_handlers"),
        "the array core of predict/ never imports its file shell",
    ),
    *(
        Rule(
            f"file-verbs-apart:{verb}",
            (f"predict.files.{verb}",),
            _p(
                *(
                    f"predict.files.{o}"
                    for o in ("predictions", "variants", "mutagenesis")
                    if o != verb
                )
            ),
            "the file verbs of predict/files/ never import each other",
        )
        for verb in ("predictions", "variants", "mutagenesis")
    ),
]


def _cases() -> list:
    return [
        pytest.param(
            rule,
            unit,
            id=f"{rule.name}:{unit}",
            marks=[PENDING] if unit in rule.pending else [],
        )
        for rule in RULES
        for unit in rule.sources
    ]


@pytest.mark.parametrize(("rule", "unit"), _cases())
def test_import_rule(rule: Rule, unit: str):
    assert unit in UNITS, f"src/{PACKAGE}/{unit} not found: update tests/test_layers.py"
    offending = sorted(
        {
            (imp.path, imp.line, imp.module, imp.statement)
            for imp in UNITS[unit]
            if any(_is_within(imp.target, f) for f in rule.forbidden)
        }
    )
    if offending:
        pytest.fail(
            f"{rule.why}; found:\n"
            + "\n".join(f"  {p}:{line}: {mod}: `{stmt}`" for p, line, mod, stmt in offending),
            pytrace=False,
        )


def test_every_import_form_is_seen():
    source = """
import selene_sdk.config.errors
import os, selene_sdk.cli as cli
from selene_sdk import utils
from selene_sdk.predict.runner import run

def late():
    from selene_sdk._runtime import tune_memory_allocator

class K:
    def method(self):
        import selene_sdk.train_model

from . import wrappers
from .loading import load_checkpoint
from .. import config
from ..io.atomic import atomic_path
from ... import outside
"""
    targets = {i.target for i in imports_of(source, "selene_sdk.models.x", "selene_sdk.models")}
    assert targets >= {
        "selene_sdk.config.errors",
        "selene_sdk.cli",
        "selene_sdk.utils",
        "selene_sdk.predict.runner",
        "selene_sdk._runtime",
        "selene_sdk.train_model",
        "selene_sdk.models.wrappers",
        "selene_sdk.models.loading",
        "selene_sdk.models.loading.load_checkpoint",
        "selene_sdk.config",
        "selene_sdk.io.atomic",
        "outside",
    }
    # a package's own __init__ resolves `from . import` against itself
    init = {i.target for i in imports_of("from . import a", "selene_sdk.io", "selene_sdk.io")}
    assert init == {"selene_sdk.io", "selene_sdk.io.a"}
    assert _module_name(SRC / "models" / "model_file.py") == (
        "selene_sdk.models.model_file",
        "selene_sdk.models",
    )
    assert _module_name(SRC / "io" / "__init__.py") == ("selene_sdk.io", "selene_sdk.io")


def test_prefix_match_is_by_module_not_by_text():
    assert _is_within("selene_sdk.utils.features", "selene_sdk.utils")
    assert _is_within("selene_sdk.utils", "selene_sdk.utils")
    assert not _is_within("selene_sdk.utils_extra", "selene_sdk.utils")
    assert not _is_within("selene_sdk.predictions", "selene_sdk.predict")
