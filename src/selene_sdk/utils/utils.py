"""Selene's ``selene_sdk.utils.utils`` module path; each name lives with its job."""

from selene_sdk.logging_utils import initialize_logger
from selene_sdk.models.loading import load_model_from_state_dict
from selene_sdk.models.lua import _is_lua_trained_model
from selene_sdk.samplers._partition import get_indices_and_probabilities
from selene_sdk.utils.features import load_features_list

__all__ = [
    "_is_lua_trained_model",
    "get_indices_and_probabilities",
    "initialize_logger",
    "load_features_list",
    "load_model_from_state_dict",
]
