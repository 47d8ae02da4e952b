"""selene_sdk: deep learning on biological sequences, configured by one YAML file.

Heavy submodules (torch, plotting) are imported lazily so ``import selene_sdk`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from selene_sdk._version import __version__

__all__ = [
    "EvaluateModel",
    "TrainModel",
    "__version__",
    "interpret",
    "predict",
    "samplers",
    "sequences",
    "targets",
    "tune_process",
    "utils",
]

_LAZY_ATTRS = {
    "TrainModel": ("selene_sdk.train_model", "TrainModel"),
    "EvaluateModel": ("selene_sdk.evaluate_model", "EvaluateModel"),
    "tune_process": ("selene_sdk._runtime", "tune_process"),
}
_SUBMODULES = {
    "sequences",
    "targets",
    "samplers",
    "utils",
    "predict",
    "interpret",
    "models",
    "forward",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY_ATTRS:
        module, attr = _LAZY_ATTRS[name]
        return getattr(importlib.import_module(module), attr)
    if name in _SUBMODULES:
        return importlib.import_module(f"selene_sdk.{name}")
    raise AttributeError(f"module 'selene_sdk' has no attribute {name!r}")
