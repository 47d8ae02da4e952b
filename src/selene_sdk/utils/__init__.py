"""Selene's documented ``selene_sdk.utils`` names, re-exported from where they live."""

from selene_sdk.utils.features import load_features_list

__all__ = ["load_features_list"]
