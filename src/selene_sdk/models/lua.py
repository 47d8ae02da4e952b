"""Detection of models in the layout of Lua-Torch ports (2-D convolutions, extra input axis)."""

from __future__ import annotations

from torch import nn

__all__ = ["_is_lua_trained_model"]


def _inner(model: nn.Module) -> nn.Module:
    sub_models = getattr(model, "sub_models", None)
    if sub_models is not None and len(sub_models) > 0:
        return _inner(sub_models[0])
    inner = getattr(model, "model", None)
    if isinstance(inner, nn.Module):
        return _inner(inner)
    inner = getattr(model, "module", None)  # DataParallel
    if isinstance(inner, nn.Module):
        return _inner(inner)
    return model


def _is_lua_trained_model(model: nn.Module) -> bool:
    """True if the model contains a layer whose class name has ``Conv2d`` in it.

    Such models take input ``(B, 4, 1, L)`` instead of ``(B, 4, L)``. The answer is cached on
    the model as the attribute ``from_lua``. Wrappers (``NonStrandSpecific``, DataParallel,
    ``MultiModelWrapper`` -- its first sub-model) are looked through.
    """
    cached = getattr(model, "from_lua", None)
    if isinstance(cached, bool):
        return cached
    inner = _inner(model)
    found = any("Conv2d" in type(m).__name__ for m in inner.modules())
    try:
        model.from_lua = found
    except AttributeError:  # pragma: no cover - exotic modules with __slots__
        pass
    return found
