"""Run directories, seeding, and the copy of the configuration saved with every run."""

from __future__ import annotations

import datetime
import os
import random
import secrets
import shutil
import string
import types
from collections.abc import Mapping
from typing import Any

import yaml

from selene_sdk.config.loader import _EXP_FLOAT, _NONE
from selene_sdk.config.proxy import LineDict, LineList, ObjProxy
from selene_sdk.io.atomic import atomic_write

__all__ = [
    "copy_model_source",
    "dump_config",
    "edit_top_level",
    "make_run_directory",
    "seed_everything",
]

_SUFFIX_CHARS = string.ascii_uppercase + string.digits


def make_run_directory(output_dir: str | os.PathLike, create_subdirectory: bool = True) -> str:
    """Create ``output_dir`` and, if asked, a fresh ``<YYYY-MM-DD-HH-MM-SS>-<8 chars>`` inside.

    The 8-character suffix (A-Z, 0-9) comes from the OS random source, so seeding does not
    make two runs collide; an existing name is never reused.
    """
    output_dir = os.path.abspath(os.path.expanduser(os.fspath(output_dir)))
    os.makedirs(output_dir, exist_ok=True)
    if not create_subdirectory:
        return output_dir
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H-%M-%S")
    while True:
        suffix = "".join(secrets.choice(_SUFFIX_CHARS) for _ in range(8))
        run_dir = os.path.join(output_dir, f"{stamp}-{suffix}")
        try:
            os.makedirs(run_dir)
        except FileExistsError:  # pragma: no cover - 36**8 names per second
            continue
        return run_dir


def seed_everything(seed: int, deterministic: bool = True) -> None:
    """Seed Python's ``random``, numpy, torch (CPU and every CUDA device).

    With ``deterministic``, cuDNN is put in deterministic mode (no autotuned kernels).
    """
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 - seeding the legacy global RNG is the point
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    if deterministic:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False


# -- saving the configuration ------------------------------------------------------------------
class _ConfigDumper(yaml.SafeDumper):
    """Writes configs that load back identically with the Selene loader."""


# Strings that the Selene loader would read as something else must be quoted.
_ConfigDumper.add_implicit_resolver("tag:yaml.org,2002:float", _EXP_FLOAT, list("-+0123456789."))
_ConfigDumper.add_implicit_resolver("tag:yaml.org,2002:null", _NONE, list("Nn"))


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    return dumper.represent_str(data.replace("$", "$$"))


def _represent_proxy(dumper: yaml.SafeDumper, proxy: ObjProxy) -> yaml.Node:
    return dumper.represent_mapping(f"!obj:{proxy.name}", proxy.keywords)


def _dotted(obj: Any) -> str | None:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if module and qualname and "<" not in qualname:
        return f"{module}.{qualname}"
    return None


def _represent_other(dumper: yaml.SafeDumper, data: Any) -> yaml.Node:
    if isinstance(data, type | types.FunctionType | types.BuiltinFunctionType):
        name = _dotted(data)
        if name:
            return dumper.represent_scalar("!import", name)
    if isinstance(data, tuple):
        return dumper.represent_list(list(data))
    return dumper.represent_str(repr(data))


_ConfigDumper.add_representer(str, _represent_str)
_ConfigDumper.add_representer(ObjProxy, _represent_proxy)
_ConfigDumper.add_representer(LineDict, yaml.SafeDumper.represent_dict)
_ConfigDumper.add_representer(LineList, yaml.SafeDumper.represent_list)
_ConfigDumper.add_representer(None, _represent_other)


def dump_config(configs: Mapping[str, Any]) -> str:
    """YAML text for a loaded config (``!obj:`` proxies and ``!import`` values included)."""
    return yaml.dump(dict(configs), Dumper=_ConfigDumper, default_flow_style=False, sort_keys=False)


def _top_level_spans(text: str) -> dict[str, tuple[int, int]] | None:
    """key -> (first line, end line exclusive), 0-based, for a block-style top-level mapping.

    None when the document is not a block mapping whose keys start in column 0.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        return None
    spans: dict[str, tuple[int, int]] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.start_mark.column != 0:
            return None
        end = value_node.end_mark
        end_line = end.line + (1 if end.column > 0 else 0)
        spans[str(key_node.value)] = (
            key_node.start_mark.line,
            max(end_line, key_node.start_mark.line + 1),
        )
    return spans


def edit_top_level(text: str, overrides: Mapping[str, Any]) -> str:
    """The config text with top-level keys replaced or added, keeping everything else as is.

    Overridden keys are removed where they were written and appended at the end; the
    result is wrapped in ``---`` / ``...`` document markers. Falls back to a full dump of
    the overridden keys after the unchanged text as comments when the file is not a plain
    block mapping.
    """
    lines = text.splitlines()
    while lines and lines[-1].strip() in ("", "..."):
        lines.pop()
    spans = _top_level_spans("\n".join(lines) + "\n")
    addition = yaml.dump(
        dict(overrides), Dumper=_ConfigDumper, default_flow_style=False, sort_keys=False
    ).splitlines()
    if spans is None:
        body = [f"# {line}" for line in lines]
        return "\n".join(["---", *addition, *body, "..."]) + "\n"
    drop: set[int] = set()
    for key in overrides:
        if key in spans:
            start, end = spans[key]
            drop.update(range(start, end))
    kept = [line for i, line in enumerate(lines) if i not in drop]
    if not any(line.strip() == "---" for line in kept[:1]):
        kept.insert(0, "---")
    return "\n".join([*kept, *addition, "..."]) + "\n"


def save_config_copy(
    run_dir: str,
    configs: Mapping[str, Any],
    overrides: Mapping[str, Any],
    text: str | None = None,
) -> str:
    """Write ``configuration.yml`` (from the file's text) or ``configuration.yaml`` (a dump)."""
    if text is not None:
        path = os.path.join(run_dir, "configuration.yml")
        content = edit_top_level(text, overrides)
    else:
        path = os.path.join(run_dir, "configuration.yaml")
        content = dump_config({**configs, **overrides})
    with atomic_write(path) as handle:
        handle.write(content)
    return path


def copy_model_source(model_path: str | None, run_dir: str) -> str | None:
    """Copy the model file (or package directory) into the run directory; returns the copy."""
    if not model_path:
        return None
    source = os.path.abspath(os.path.expanduser(model_path))
    target = os.path.join(run_dir, os.path.basename(source.rstrip(os.sep)))
    if os.path.abspath(target) == source:
        return target
    if os.path.isdir(source):
        shutil.copytree(
            source,
            target,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    elif os.path.isfile(source):
        shutil.copy2(source, target)
    else:
        return None
    return target
