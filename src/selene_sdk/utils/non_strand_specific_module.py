"""Selene's module path for ``NonStrandSpecific`` (code in :mod:`selene_sdk.models.wrappers`)."""

from selene_sdk.models.wrappers import NonStrandSpecific

__all__ = ["NonStrandSpecific"]
