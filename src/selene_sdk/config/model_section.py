"""The ``model:`` section of a config: find the class, build it, get its loss and optimizer.

A model is found in one of three ways (see docs/configuration.md):

* ``path: /some/model.py`` (or a package directory, or legacy ``file:``) and
  ``class: Name`` -- Selene's model-file contract: the file defines the class, a
  zero-argument ``criterion()`` returning the loss module and ``get_optimizer(lr)``
  returning ``(optimizer_class, optimizer_kwargs)``.
* no ``path`` and ``class: DeeperDeepSEA`` (or ``DeepSEA``, ``DanQ``, ``HeartENN``) -- a
  reference architecture shipped with selene_sdk.
* no ``path`` and ``class: package.module.Class`` -- any importable class; ``criterion`` and
  ``get_optimizer`` are taken from the module that defines it.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from selene_sdk.config.errors import ConfigError
from selene_sdk.config.names import NameResolutionError, closest, resolve_name, suggestion_text
from selene_sdk.config.proxy import signature_text
from selene_sdk.models.model_file import BUILTIN_ARCHITECTURES, load_model_module

__all__ = [
    "ModelSpec",
    "build_model",
    "check_class_args",
    "check_lr",
    "get_criterion",
    "get_optimizer_spec",
    "initialize_model",
    "resolve_model",
]


@dataclass
class ModelSpec:
    """Where a model class came from.

    Attributes
    ----------
    cls
        The model class.
    module
        The module providing ``criterion`` / ``get_optimizer``.
    origin
        Human-readable origin (file path, package directory or dotted name).
    path
        The model file or package directory (None for importable classes); the CLI copies
        it into the run directory.
    """

    cls: type
    module: ModuleType
    origin: str
    path: str | None


def _err(configs: Mapping[str, Any], key: str | None, message: str) -> ConfigError:
    line_of = getattr(configs, "line_of", None)
    column_of = getattr(configs, "column_of", None)
    line = line_of(key) if line_of and key else getattr(configs, "line", None)
    column = column_of(key) if column_of and key else getattr(configs, "column", None)
    return ConfigError(
        message,
        getattr(configs, "source", None),
        line,
        column,
        f"model.{key}" if key else "model",
    )


def _classes_in(module: ModuleType) -> list[str]:
    return sorted(
        n for n, v in vars(module).items() if inspect.isclass(v) and not n.startswith("_")
    )


def resolve_model(model_configs: Mapping[str, Any]) -> ModelSpec:
    """Find the model class named by a ``model:`` section (nothing is instantiated).

    Raises
    ------
    ConfigError
        Missing or unreadable file, class not found (with close names), wrong types.
    """
    if not isinstance(model_configs, Mapping):
        raise ConfigError(
            f"`model` must be a mapping with path, class and class_args, "
            f"got {type(model_configs).__name__}",
            key="model",
        )
    class_name = model_configs.get("class")
    if not isinstance(class_name, str) or not class_name.strip():
        raise _err(
            model_configs,
            "class" if "class" in model_configs else None,
            "`model.class` is required: the name of the model class",
        )
    class_name = class_name.strip()
    path_key = "path" if "path" in model_configs else ("file" if "file" in model_configs else None)
    if path_key is None:
        return _resolve_without_path(model_configs, class_name)
    path = model_configs[path_key]
    if not isinstance(path, str | os.PathLike):
        raise _err(model_configs, path_key, f"`model.{path_key}` must be a path, got {path!r}")
    full = os.path.abspath(os.path.expanduser(os.fspath(path)))
    if not os.path.exists(full):
        raise _err(model_configs, path_key, f"model file not found: {full}")
    try:
        module = load_model_module(full)
    except ImportError as exc:
        raise _err(model_configs, path_key, str(exc)) from exc
    cls = getattr(module, class_name, None)
    if not inspect.isclass(cls):
        available = _classes_in(module)
        hint = suggestion_text(closest(class_name, available))
        listing = ", ".join(available) if available else "none"
        raise _err(
            model_configs,
            "class",
            f"class {class_name!r} not found in {full}{hint}; classes defined there: {listing}",
        )
    return ModelSpec(cls, module, full, full)


def _resolve_without_path(model_configs: Mapping[str, Any], class_name: str) -> ModelSpec:
    if class_name in BUILTIN_ARCHITECTURES:
        module = importlib.import_module(BUILTIN_ARCHITECTURES[class_name])
        return ModelSpec(getattr(module, class_name), module, module.__name__, None)
    if "." not in class_name:
        hint = suggestion_text(closest(class_name, BUILTIN_ARCHITECTURES))
        raise _err(
            model_configs,
            "class",
            f"`model.path` is missing and {class_name!r} is not a shipped architecture"
            f"{hint}: give `path: /path/to/model.py`, a dotted class name "
            f"(package.module.Class) or one of {', '.join(BUILTIN_ARCHITECTURES)}",
        )
    try:
        cls = resolve_name(class_name)
    except NameResolutionError as exc:
        raise _err(model_configs, "class", f"model class {class_name}: {exc.detail}") from exc
    if not inspect.isclass(cls):
        raise _err(model_configs, "class", f"{class_name} is not a class")
    module = sys.modules.get(cls.__module__)
    if module is None or not hasattr(module, "criterion"):
        module = importlib.import_module(class_name.rpartition(".")[0])
    return ModelSpec(cls, module, class_name, None)


def _class_args(model_configs: Mapping[str, Any]) -> dict[str, Any]:
    args = model_configs.get("class_args", {})
    if args is None:
        return {}
    if not isinstance(args, Mapping):
        raise _err(
            model_configs,
            "class_args",
            f"`model.class_args` must be a mapping of keyword arguments, got {args!r}",
        )
    return dict(args)


def check_class_args(spec: ModelSpec, model_configs: Mapping[str, Any]) -> None:
    """Raise a ConfigError (showing the signature) if ``class_args`` do not fit the class."""
    args = _class_args(model_configs)
    try:
        sig = inspect.signature(spec.cls)
    except (TypeError, ValueError):
        return
    try:
        sig.bind(**args)
    except TypeError as exc:
        params = sig.parameters
        takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
        unknown = [] if takes_any else [k for k in args if k not in params]
        missing = [
            name
            for name, p in params.items()
            if p.default is p.empty
            and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            and name not in args
        ]
        parts = []
        for key in unknown:
            match = difflib.get_close_matches(key, missing, 1, 0.3) or (
                missing if len(unknown) == len(missing) == 1 else []
            )
            hint = f" (did you mean {key} -> {match[0]}?)" if match else ""
            parts.append(f"unknown argument {key!r}{hint}")
        parts += [f"missing argument {name!r}" for name in missing]
        detail = "; ".join(parts) if parts else str(exc)
        raise _err(
            model_configs,
            "class_args",
            f"class_args do not fit {spec.cls.__name__}: {detail}; its signature is "
            f"{signature_text(spec.cls)}",
        ) from None


def _non_strand_mode(model_configs: Mapping[str, Any]) -> str | None:
    mode = model_configs.get("non_strand_specific")
    if mode is None:
        return None
    if mode not in ("mean", "max"):
        raise _err(
            model_configs,
            "non_strand_specific",
            f"`model.non_strand_specific` must be mean or max, got {mode!r}",
        )
    return mode


def build_model(model_configs: Mapping[str, Any], spec: ModelSpec | None = None) -> Any:
    """Instantiate the model with ``class_args``; wrap it in ``NonStrandSpecific`` if asked."""
    spec = spec or resolve_model(model_configs)
    check_class_args(spec, model_configs)
    mode = _non_strand_mode(model_configs)
    try:
        model = spec.cls(**_class_args(model_configs))
    except Exception as exc:
        exc.add_note(f"(while building the model {spec.cls.__name__} from {spec.origin})")
        raise
    if mode is not None:
        from selene_sdk.models.wrappers import NonStrandSpecific

        model = NonStrandSpecific(model, mode=mode)
    return model


def _module_function(spec: ModelSpec, model_configs: Mapping[str, Any], name: str, example: str):
    fn = getattr(spec.module, name, None)
    if not callable(fn):
        raise _err(
            model_configs,
            "path" if spec.path else "class",
            f"{spec.origin} has no function {name}(); a model file must define it, e.g. "
            f"`{example}`",
        )
    return fn


def get_criterion(spec: ModelSpec, model_configs: Mapping[str, Any] | None = None) -> Any:
    """The loss module from the model file's ``criterion()``."""
    fn = _module_function(
        spec, model_configs or {}, "criterion", "def criterion(): return torch.nn.BCELoss()"
    )
    return fn()


def get_optimizer_spec(
    spec: ModelSpec, lr: float, model_configs: Mapping[str, Any] | None = None
) -> tuple[type, dict[str, Any]]:
    """``(optimizer_class, optimizer_kwargs)`` from the model file's ``get_optimizer(lr)``."""
    fn = _module_function(
        spec,
        model_configs or {},
        "get_optimizer",
        'def get_optimizer(lr): return torch.optim.SGD, {"lr": lr, "momentum": 0.9}',
    )
    result = fn(lr)
    if (
        not isinstance(result, tuple | list)
        or len(result) != 2
        or not callable(result[0])
        or not isinstance(result[1], Mapping)
    ):
        raise _err(
            model_configs or {},
            "path" if spec.path else "class",
            f"get_optimizer(lr) in {spec.origin} must return (optimizer_class, kwargs_dict), "
            f"got {result!r}",
        )
    return result[0], dict(result[1])


def check_lr(lr: Any) -> float:
    """The learning rate as a float; clear errors for a missing or non-numeric value."""
    if lr is None:
        raise ConfigError(
            "training needs a learning rate: add `lr: 0.01` (any number) at the top level "
            "of the config or pass --lr on the command line",
            key="lr",
        )
    if isinstance(lr, bool) or not isinstance(lr, int | float | str):
        raise ConfigError(f"`lr` must be a number, got {lr!r}", key="lr")
    try:
        value = float(lr)
    except ValueError:
        raise ConfigError(f"`lr` must be a number, got {lr!r}", key="lr") from None
    if not value > 0:
        raise ConfigError(f"`lr` must be positive, got {lr!r}", key="lr")
    return value


def initialize_model(
    model_configs: Mapping[str, Any], train: bool = True, lr: float | None = None
) -> tuple[Any, ...]:
    """Build the model described by a config's ``model:`` section.

    Returns
    -------
    ``(model, criterion, optimizer_class, optimizer_kwargs)`` when ``train`` is True,
    else ``(model, criterion)``. ``lr`` is required for training (ints and numeric strings
    are accepted, unlike Selene which insisted on a float).
    """
    spec = resolve_model(model_configs)
    if train:
        lr = check_lr(lr)
    model = build_model(model_configs, spec)
    criterion = get_criterion(spec, model_configs)
    if not train:
        return model, criterion
    optim_class, optim_kwargs = get_optimizer_spec(spec, lr, model_configs)
    return model, criterion, optim_class, optim_kwargs
