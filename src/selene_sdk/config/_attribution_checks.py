"""Dry-run checks of the ``attribution`` analysis section (``AnalyzeSequences.attribution``).

A mixin of the validator in :mod:`selene_sdk.config.validate`: unknown keys, the input and
output, the method and its settings, and feature names against ``analyze_sequences``'
features when the config lists them (a list, a features file or ``load_features_list``).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from typing import Any

from selene_sdk.config._analysis_checks import _line
from selene_sdk.config.names import closest, suggestion_text
from selene_sdk.config.proxy import ObjProxy, instantiate

__all__ = ["ATTRIBUTION_KEYS", "AttributionChecks"]

ATTRIBUTION_KEYS = (
    "input_path",
    "output_dir",
    "method",
    "features",
    "output_format",
    "baselines",
    "n_steps",
    "n_shuffles",
    "seed",
    "batch_size",
    "strand_index",
)
_METHODS = ("saliency", "input_x_gradient", "integrated_gradients", "deeplift_shap")
_CHOICES = {
    "method": _METHODS,
    "output_format": ("npz", "hdf5"),
    "baselines": ("shuffle", "zeros"),
}
#: key -> smallest value allowed
_INTEGERS = {"n_steps": 1, "n_shuffles": 1, "batch_size": 1, "seed": 0, "strand_index": 0}
_NAME = "attribution"


def _feature_names(analyze: Any) -> list[str] | None:
    """``analyze_sequences``' feature names, when the config gives them readably."""
    if not isinstance(analyze, ObjProxy):
        return None
    value = analyze.keywords.get("features")
    try:
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        if isinstance(value, ObjProxy) and value.callable is not None:
            built = instantiate(value.copy())
            return [str(v) for v in built] if isinstance(built, list | tuple) else None
        if isinstance(value, str | os.PathLike) and os.path.isfile(value):
            from selene_sdk.utils.features import load_features_list

            return list(load_features_list(value))
    except Exception:  # reported by the other checks (missing file, bad arguments)
        return None
    return None


class AttributionChecks:
    """Checks of the ``attribution`` section; the host class provides ``configs``, ``add``
    and ``warn``."""

    configs: Any

    def add(self, message: str, key=None, line=None, kind="other", severity="error") -> None:
        raise NotImplementedError

    def check_attribution_section(self) -> None:
        section = self.configs.get(_NAME)
        if not isinstance(section, Mapping):
            return  # absent, or reported by the type checks
        for key in section:
            if key not in ATTRIBUTION_KEYS:
                hint = suggestion_text(closest(str(key), ATTRIBUTION_KEYS, n=1))
                self.add(
                    f"unknown key {key!r} in {_NAME}{hint}; allowed: {', '.join(ATTRIBUTION_KEYS)}",
                    f"{_NAME}.{key}",
                    _line(section, key),
                    "unknown-key",
                )
        self._attribution_paths(section)
        for key, choices in _CHOICES.items():
            value = section.get(key)
            if value is not None and value not in choices:
                hint = suggestion_text(closest(str(value), choices, n=1))
                self.add(
                    f"`{_NAME}.{key}` must be one of {', '.join(choices)}, got {value!r}{hint}",
                    f"{_NAME}.{key}",
                    _line(section, key),
                    "type",
                )
        for key, least in _INTEGERS.items():
            value = section.get(key)
            bad = not isinstance(value, int) or isinstance(value, bool) or value < least
            if value is not None and bad:
                self.add(
                    f"`{_NAME}.{key}` must be an integer >= {least}, got {value!r}",
                    f"{_NAME}.{key}",
                    _line(section, key),
                    "type",
                )
        self._attribution_features(section)
        if importlib.util.find_spec("captum") is None:
            self.add(
                "`attribution` needs captum: pip install 'selene_sdk[attribution]' (or captum)",
                _NAME,
                _line(self.configs, _NAME),
                "missing-package",
            )

    def _attribution_paths(self, section: Mapping) -> None:
        for key in ("input_path", "output_dir"):
            if section.get(key) is None:
                self.add(
                    f"`{_NAME}` needs `{key}`",
                    f"{_NAME}.{key}",
                    _line(self.configs, _NAME),
                    "missing-key",
                )
        value = section.get("input_path")
        if value is None:
            return
        line = _line(section, "input_path")
        if not isinstance(value, str | os.PathLike):
            self.add(
                f"`{_NAME}.input_path` must be the path of a FASTA or BED file, got {value!r}",
                f"{_NAME}.input_path",
                line,
                "type",
            )
        elif not os.path.isfile(os.path.expanduser(os.fspath(value))):
            self.add(
                f"input_path: file not found: {value}", f"{_NAME}.input_path", line, "missing-file"
            )

    def _attribution_features(self, section: Mapping) -> None:
        value = section.get("features")
        if value is None:
            return
        line = _line(section, "features")
        items = value if isinstance(value, list) else [value]
        wrong = [v for v in items if isinstance(v, bool) or not isinstance(v, str | int)]
        if wrong or not items:
            self.add(
                f"`{_NAME}.features` must be a feature name or index, or a list of them, "
                f"got {value!r}",
                f"{_NAME}.features",
                line,
                "type",
            )
            return
        names = _feature_names(self.configs.get("analyze_sequences"))
        if names is None:
            return
        for item in items:
            if isinstance(item, str) and item not in names:
                hint = suggestion_text(closest(item, names, n=1))
                self.add(
                    f"`{_NAME}.features`: {item!r} is not one of analyze_sequences' features{hint}",
                    f"{_NAME}.features",
                    line,
                    "unknown-key",
                )
            elif isinstance(item, int) and not 0 <= item < len(names):
                self.add(
                    f"`{_NAME}.features`: index {item} is out of range (analyze_sequences "
                    f"lists {len(names)} features)",
                    f"{_NAME}.features",
                    line,
                    "type",
                )
