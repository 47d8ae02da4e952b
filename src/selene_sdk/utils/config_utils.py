"""Selene's ``selene_sdk.utils.config_utils`` module path (running configs); the code is in
:mod:`selene_sdk.config` (the ``model:`` section in :mod:`selene_sdk.config.model_section`)."""

from selene_sdk.config.model_section import initialize_model
from selene_sdk.config.run import load_and_parse_configs_and_run, parse_configs_and_run
from selene_sdk.config.wiring import execute

__all__ = [
    "execute",
    "initialize_model",
    "load_and_parse_configs_and_run",
    "parse_configs_and_run",
]
