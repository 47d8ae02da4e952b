"""Configuration files: YAML loading with Selene's tags, the dry-run validator, and the
wiring that turns a config into a training / evaluation / analysis run.

Names are imported on first use, so ``import selene_sdk.config`` stays light (the wiring
and the ``model:`` section pull in ``selene_sdk.models`` and torch).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY: dict[str, str] = {
    "ConfigError": "selene_sdk.config.errors",
    "ConfigProblems": "selene_sdk.config.errors",
    "NotImplementedYetError": "selene_sdk.config.errors",
    "Problem": "selene_sdk.config.errors",
    "load": "selene_sdk.config.loader",
    "load_path": "selene_sdk.config.loader",
    "ObjProxy": "selene_sdk.config.proxy",
    "instantiate": "selene_sdk.config.proxy",
    "load_and_parse_configs_and_run": "selene_sdk.config.run",
    "parse_configs_and_run": "selene_sdk.config.run",
    "check_config": "selene_sdk.config.validate",
    "validate_path": "selene_sdk.config.validate",
    "execute": "selene_sdk.config.wiring",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'selene_sdk.config' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
