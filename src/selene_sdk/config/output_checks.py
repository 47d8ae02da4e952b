"""Can every output directory of a config be created and written? Checked before a run.

A path that is (or runs through) a file, or a directory that cannot be written, is
reported with its config key and line, instead of an ``OSError`` about a hidden
temporary file minutes into the run. The check leaves nothing behind: a directory that
does not exist yet is not created; the nearest existing one gets a probe directory that
is removed at once.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from typing import Any

from selene_sdk.config._analysis_checks import _line
from selene_sdk.config.errors import Problem
from selene_sdk.config.proxy import ObjProxy

__all__ = ["check_output_dirs", "output_dir_problem"]

_ANALYSES = ("prediction", "variant_effect_prediction", "in_silico_mutagenesis", "attribution")


def output_dir_problem(path: str) -> str | None:
    """What prevents writing into directory ``path`` (None when nothing does)."""
    path = os.path.abspath(os.path.expanduser(path))
    if os.path.exists(path) and not os.path.isdir(path):
        return f"{path} is a file, not a directory"
    existing = path
    while not os.path.exists(existing):
        parent = os.path.dirname(existing)
        if parent == existing:
            break
        existing = parent
    if not os.path.isdir(existing):
        return f"{path} cannot be created: {existing} is a file, not a directory"
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".selene-write-check-", dir=existing))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        verb = "written" if existing == path else f"created ({existing} cannot be written)"
        return f"{path} cannot be {verb}: {reason}"
    return None


def _places(configs: Mapping[str, Any], ops: list[str]) -> list[tuple[str, Any, int | None]]:
    """(key, value, line) of each output directory the ops will write into."""
    places = []
    if isinstance(configs.get("output_dir"), str):
        places.append(("output_dir", configs["output_dir"], _line(configs, "output_dir")))
    sections = []
    if "train" in ops:
        sections += ["train_model", "sampler"]
    if "evaluate" in ops:
        sections += ["evaluate_model", "sampler"]
    for name in dict.fromkeys(sections):
        proxy = configs.get(name)
        if isinstance(proxy, ObjProxy) and isinstance(proxy.keywords.get("output_dir"), str):
            value = proxy.keywords["output_dir"]
            places.append((f"{name}.output_dir", value, proxy.line_of("output_dir")))
    if "analyze" in ops:
        for name in _ANALYSES:
            section = configs.get(name)
            if isinstance(section, Mapping) and isinstance(section.get("output_dir"), str):
                line = _line(section, "output_dir") or _line(configs, name)
                places.append((f"{name}.output_dir", section["output_dir"], line))
    return places


def check_output_dirs(configs: Mapping[str, Any], ops: list[str], source: str | None):
    """Problems with the output directories the ops write into (empty when all can be
    written)."""
    problems = []
    checked: dict[str, str | None] = {}
    for key, value, line in _places(configs, ops):
        if value not in checked:
            checked[value] = output_dir_problem(value)
        if checked[value] is not None:
            message = f"`{key}`: {checked[value]}"
            problems.append(Problem("error", message, source, line, None, key, "output"))
    return problems
