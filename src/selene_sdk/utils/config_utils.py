"""Selene's ``selene_sdk.utils.config_utils`` module path (running configs); the code is in
:mod:`selene_sdk.config` and :mod:`selene_sdk.models.model_file`."""

from selene_sdk.config.run import load_and_parse_configs_and_run, parse_configs_and_run
from selene_sdk.config.wiring import execute
from selene_sdk.models.model_file import initialize_model

__all__ = [
    "execute",
    "initialize_model",
    "load_and_parse_configs_and_run",
    "parse_configs_and_run",
]
