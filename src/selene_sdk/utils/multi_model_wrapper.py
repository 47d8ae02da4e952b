"""Selene's module path for ``MultiModelWrapper`` (code in :mod:`selene_sdk.models.wrappers`)."""

from selene_sdk.models.wrappers import MultiModelWrapper

__all__ = ["MultiModelWrapper"]
