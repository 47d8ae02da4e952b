"""Selene's ``selene_sdk.utils.example_model`` module path: a valid model file for
DeeperDeepSEA (the code is in :mod:`selene_sdk.models.deeper_deepsea`)."""

from selene_sdk.models.deeper_deepsea import DeeperDeepSEA, criterion, get_optimizer

__all__ = ["DeeperDeepSEA", "criterion", "get_optimizer"]
