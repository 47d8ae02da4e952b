"""Selene's documented ``selene_sdk.utils`` names, re-exported from where they live.

Names are imported on first use, so ``import selene_sdk.utils`` does not pull in torch.
"""

from __future__ import annotations

import importlib
from typing import Any

from selene_sdk.utils.features import load_features_list

_LAZY: dict[str, str] = {
    "load": "selene_sdk.config.loader",
    "load_path": "selene_sdk.config.loader",
    "instantiate": "selene_sdk.config.proxy",
    "initialize_model": "selene_sdk.config.model_section",
    "execute": "selene_sdk.config.wiring",
    "parse_configs_and_run": "selene_sdk.config.run",
    "load_and_parse_configs_and_run": "selene_sdk.config.run",
    "initialize_logger": "selene_sdk.logging_utils",
    "load_model_from_state_dict": "selene_sdk.models.loading",
    "NonStrandSpecific": "selene_sdk.models.wrappers",
    "MultiModelWrapper": "selene_sdk.models.wrappers",
    "DeeperDeepSEA": "selene_sdk.models.deeper_deepsea",
    "get_indices_and_probabilities": "selene_sdk.samplers._partition",
    "_is_lua_trained_model": "selene_sdk.models.lua",
    "PerformanceMetrics": "selene_sdk.metrics.performance",
    "compute_score": "selene_sdk.metrics.performance",
    "auc_u_test": "selene_sdk.metrics.performance",
    "visualize_roc_curves": "selene_sdk.metrics.plots",
    "visualize_precision_recall_curves": "selene_sdk.metrics.plots",
}

__all__ = ["load_features_list", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'selene_sdk.utils' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
