"""Resolve dotted names from configs (``!obj:`` / ``!import``) with importlib, never ``eval``.

Failures say exactly which part of the name is unknown and suggest the closest existing
names (``IntervalSampler`` -> ``IntervalsSampler``); a documented selene_sdk name that this
build does not provide yet gets a "not implemented yet" error instead.
"""

from __future__ import annotations

import builtins
import difflib
import importlib
import pkgutil
from types import ModuleType
from typing import Any

from selene_sdk.config.documented import DOCUMENTED_NAMES, is_documented

__all__ = ["NameResolutionError", "closest", "resolve_name"]


class NameResolutionError(LookupError):
    """A dotted name could not be resolved.

    Attributes
    ----------
    name
        The full dotted name.
    kind
        ``"unknown-name"`` (typo or missing module), ``"not-implemented"`` (documented
        selene_sdk name not in this build) or ``"import-failed"`` (the module exists but
        raised while importing).
    suggestions
        Close existing names for the unknown part (may be empty).
    """

    def __init__(self, message: str, name: str, kind: str, suggestions: list[str] | None = None):
        super().__init__(message)
        self.message = message
        #: The message without the leading "cannot resolve 'name': ".
        self.detail = message.split(": ", 1)[1] if message.startswith("cannot resolve") else message
        self.name = name
        self.kind = kind
        self.suggestions = suggestions or []

    def __str__(self) -> str:
        return self.message


def closest(word: str, candidates: Any, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` candidates close to ``word`` (difflib ratio), best first.

    Exact-case matches come first, then matches that differ only in case; private names
    (leading underscore) are offered only when ``word`` is private too.
    """
    pool = sorted({str(c) for c in candidates})
    if not word.startswith("_"):
        pool = [c for c in pool if not c.startswith("_")]
    hits = difflib.get_close_matches(word, pool, n=n, cutoff=cutoff)
    by_lower: dict[str, list[str]] = {}
    for c in pool:
        by_lower.setdefault(c.lower(), []).append(c)
    for low in difflib.get_close_matches(word.lower(), list(by_lower), n=n, cutoff=cutoff):
        for c in by_lower[low]:
            if c not in hits:
                hits.append(c)
    return hits[:n]


def suggestion_text(suggestions: list[str]) -> str:
    """``" (did you mean X?)"`` / ``" (did you mean X or Y?)"``, or ``""``."""
    if not suggestions:
        return ""
    return f" (did you mean {' or '.join(suggestions)}?)"


def _members(obj: Any, dotted: str) -> set[str]:
    names = {n for n in dir(obj) if not n.startswith("__")}
    if isinstance(obj, ModuleType):
        names |= set(getattr(obj, "__all__", ()))
        path = getattr(obj, "__path__", None)
        if path is not None:
            names |= {info.name for info in pkgutil.iter_modules(path)}
    names |= set(DOCUMENTED_NAMES.get(dotted, ()))
    return names


def _import_failure(dotted: str, module: str, exc: BaseException) -> NameResolutionError:
    detail = f"{type(exc).__name__}: {exc}".strip()
    return NameResolutionError(
        f"cannot resolve {dotted!r}: importing module {module!r} failed ({detail})",
        dotted,
        "import-failed",
    )


def _missing_module(exc: ModuleNotFoundError, module: str) -> bool:
    """True if ``exc`` says ``module`` itself (or one of its parents) does not exist."""
    missing = exc.name
    if missing is None:
        # ``sys.modules[name] = None`` (a deliberately blocked module) leaves ``name`` unset.
        return module in str(exc)
    return module == missing or module.startswith(missing + ".")


def _getattr(obj: Any, attr: str) -> tuple[bool, Any]:
    """(found, value); a lazy attribute whose import fails counts as not found."""
    try:
        return True, getattr(obj, attr)
    except AttributeError:
        return False, None
    except ImportError:
        return False, None


def resolve_name(dotted: str) -> Any:
    """The object named by ``dotted`` (``package.module.attr`` or a builtin like ``dict``).

    Raises
    ------
    NameResolutionError
        With a message naming the unknown part and close alternatives.
    """
    dotted = dotted.strip()
    parts = dotted.split(".")
    if not dotted or any(not p.isidentifier() for p in parts):
        raise NameResolutionError(
            f"{dotted!r} is not a dotted Python name (expected e.g. package.module.Class)",
            dotted,
            "unknown-name",
        )
    if len(parts) == 1:
        if hasattr(builtins, dotted):
            return getattr(builtins, dotted)
        suggestions = closest(dotted, dir(builtins))
        raise NameResolutionError(
            f"unknown name {dotted!r}: a name without a module part must be a Python builtin"
            f"{suggestion_text(suggestions)}",
            dotted,
            "unknown-name",
            suggestions,
        )

    # Import the longest prefix that is a module, then walk the rest as attributes.
    obj: Any = None
    n_module = 0
    for i in range(len(parts), 0, -1):
        module = ".".join(parts[:i])
        try:
            obj = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if _missing_module(exc, module):
                continue
            raise _import_failure(dotted, module, exc) from exc
        except Exception as exc:  # a module that exists but breaks on import
            raise _import_failure(dotted, module, exc) from exc
        n_module = i
        break
    if obj is None:
        top = parts[0]
        suggestions = closest(top, [m.name for m in pkgutil.iter_modules()], cutoff=0.8)
        raise NameResolutionError(
            f"cannot resolve {dotted!r}: no module named {top!r} (is it installed, or on "
            f"PYTHONPATH?){suggestion_text(suggestions)}",
            dotted,
            "unknown-name",
            suggestions,
        )
    for i in range(n_module, len(parts)):
        found, value = _getattr(obj, parts[i])
        if found:
            obj = value
            continue
        if is_documented(dotted):
            raise NameResolutionError(
                f"{dotted} is part of the documented selene_sdk interface but is not "
                f"implemented yet in this version of selene_sdk",
                dotted,
                "not-implemented",
            )
        # Skip documented-but-absent modules along the way: the unknown part is the first
        # one that is not documented either.
        j = i
        while j < len(parts) - 1 and is_documented(".".join(parts[: j + 1])):
            j += 1
        parent = ".".join(parts[:j])
        candidates = set(DOCUMENTED_NAMES.get(parent, ()))
        if j == i:
            candidates |= _members(obj, parent)
        suggestions = closest(parts[j], candidates)
        i = j
        raise NameResolutionError(
            f"cannot resolve {dotted!r}: {parent} has no name {parts[i]!r}"
            f"{suggestion_text(suggestions)}",
            dotted,
            "unknown-name",
            suggestions,
        )
    return obj
