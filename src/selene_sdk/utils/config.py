"""Selene's ``selene_sdk.utils.config`` module path (YAML loading); the code is in
:mod:`selene_sdk.config`."""

from selene_sdk.config.loader import load, load_path
from selene_sdk.config.proxy import instantiate

__all__ = ["instantiate", "load", "load_path"]
