"""Run a whole config: check it, make the run directory, save a copy, seed, execute."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Mapping
from typing import Any

from selene_sdk import distributed
from selene_sdk._version import __version__
from selene_sdk.config.errors import ConfigError, ConfigProblems
from selene_sdk.config.loader import _config_dir_on_path, parse, read_config_text
from selene_sdk.config.model_section import check_lr
from selene_sdk.config.rundir import (
    copy_model_source,
    make_run_directory,
    save_config_copy,
    seed_everything,
)
from selene_sdk.config.validate import check_config
from selene_sdk.config.wiring import execute
from selene_sdk.errors import SeleneWarning

__all__ = ["load_and_parse_configs_and_run", "parse_configs_and_run"]

logger = logging.getLogger("selene")


def _preflight(configs: Any, lr: float | None, source: str | None) -> None:
    """Raise every error of the config at once; turn the rest into warnings."""
    problems = check_config(configs, lr, source)
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        if p.severity == "warning":
            warnings.warn(str(p), SeleneWarning, stacklevel=3)
    if len(errors) == 1:
        p = errors[0]
        raise ConfigError(p.message, p.source, p.line, p.column, p.key)
    if errors:
        raise ConfigProblems(errors)


def _model_path(configs: Mapping[str, Any]) -> str | None:
    model = configs.get("model")
    if isinstance(model, Mapping):
        path = model.get("path", model.get("file"))
        return os.fspath(path) if isinstance(path, str | os.PathLike) else None
    return None


def _run(
    configs: Mapping[str, Any],
    create_subdirectory: bool,
    lr: float | None,
    text: str | None,
    check: bool,
) -> str | None:
    if not isinstance(configs, Mapping):
        raise ConfigError(f"a configuration must be a mapping, got {type(configs).__name__}")
    source = getattr(configs, "source", None)
    if lr is not None:
        lr = check_lr(lr)
    if check:
        _preflight(configs, lr, source)
    logger.info("selene_sdk version %s", __version__)
    ops = configs.get("ops")
    ops = [ops] if isinstance(ops, str) else list(ops or [])
    # A shallow copy (keeping line numbers for messages): the caller's dict is not modified.
    run_configs = _with_lines(configs, dict(configs))
    overrides: dict[str, Any] = {"selene_sdk_version": __version__}
    if "train" in ops:
        file_lr = configs.get("lr")
        if lr is not None:
            if file_lr is not None and file_lr != lr:
                warnings.warn(
                    f"--lr {lr} overrides lr: {file_lr} from the configuration",
                    SeleneWarning,
                    stacklevel=3,
                )
            run_configs["lr"] = lr
            overrides["lr"] = lr
        else:
            run_configs["lr"] = check_lr(file_lr)

    run_dir = None
    output_dir = configs.get("output_dir")
    if output_dir:
        sub = configs.get("create_subdirectory", create_subdirectory)
        ranks = distributed.current()
        if ranks.is_main:  # under torchrun: rank 0 names the run directory for all
            run_dir = make_run_directory(output_dir, bool(sub))
            overrides["output_dir"] = run_dir
            save_config_copy(run_dir, configs, overrides, text)
            copy_model_source(_model_path(configs), run_dir)
            logger.info("selene_sdk: outputs go to %s", run_dir)
        run_dir = distributed.broadcast(run_dir, ranks)
    elif any(op in ops for op in ("train", "evaluate")):
        logger.info("selene_sdk: no top-level output_dir; each section's own output_dir is used")
    if "random_seed" in configs:
        seed_everything(int(configs["random_seed"]))
    execute(ops, run_configs, run_dir)
    return run_dir


def _with_lines(original: Any, data: dict[str, Any]) -> Any:
    from selene_sdk.config.proxy import LineDict

    out = LineDict(data)
    out.source = getattr(original, "source", None)
    out.line = getattr(original, "line", None)
    out.column = getattr(original, "column", None)
    out.key_lines = dict(getattr(original, "key_lines", {}))
    return out


def parse_configs_and_run(
    configs: Mapping[str, Any], create_subdirectory: bool = True, lr: float | None = None
) -> str | None:
    """Run an already-loaded config (the API counterpart of the command line).

    Parameters
    ----------
    configs
        The result of :func:`~selene_sdk.config.loader.load` / ``load_path``.
    create_subdirectory
        Put outputs in a new ``<timestamp>-<random>`` directory inside ``output_dir``
        (a ``create_subdirectory`` key in the config wins).
    lr
        Learning rate for ``train``; wins over ``lr`` in the config.

    Returns
    -------
    The run directory, or None when the config has no top-level ``output_dir``. A copy of
    the config is written there as ``configuration.yaml``.
    """
    return _run(configs, create_subdirectory, lr, None, True)


def load_and_parse_configs_and_run(
    path: str | os.PathLike, create_subdirectory: bool = True, lr: float | None = None
) -> str | None:
    """Load a config file and run it (what ``python -m selene_sdk CONFIG`` does).

    The whole config is checked first and every error is reported at once, before any
    directory is created or anything is built. The run directory receives
    ``configuration.yml`` -- the file as written, with ``selene_sdk_version``,
    ``output_dir`` (the actual run directory) and, from the command line, ``lr`` set --
    and a copy of the model file or package.
    """
    path, text = read_config_text(path)
    _config_dir_on_path(path)
    loaded = parse(text, path)
    errors = [p for p in loaded.problems if p.severity == "error"]
    if errors:
        if len(errors) == 1:
            p = errors[0]
            raise ConfigError(p.message, p.source, p.line, p.column, p.key)
        raise ConfigProblems(errors)
    return _run(loaded.data, create_subdirectory, lr, text, True)
