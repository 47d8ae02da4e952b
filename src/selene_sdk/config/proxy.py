"""Deferred objects from ``!obj:`` tags, and :func:`instantiate` which builds them.

A config is loaded into plain data plus :class:`ObjProxy` placeholders; nothing is
constructed until the wiring asks for it, after injecting run-time arguments (the model,
the sampler, the run directory) with :meth:`ObjProxy.bind`.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from selene_sdk.config.errors import ConfigError, NotImplementedYetError, where

__all__ = ["LineDict", "LineList", "ObjProxy", "instantiate", "signature_text"]


class LineDict(dict):
    """A ``dict`` that remembers where it and each of its keys appear in the YAML file.

    It compares, hashes and serialises like a plain dict; the extra attributes are only
    used to point error messages at the right line.
    """

    source: str | None = None
    line: int | None = None
    column: int | None = None

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, tuple[int, int]] = {}

    def line_of(self, key: Any) -> int | None:
        """1-based line of ``key`` in the file (the mapping's own line if unknown)."""
        found = self.key_lines.get(key)
        return found[0] if found else self.line

    def column_of(self, key: Any) -> int | None:
        found = self.key_lines.get(key)
        return found[1] if found else self.column


class LineList(list):
    """A ``list`` that remembers the line of each item in the YAML file."""

    source: str | None = None
    line: int | None = None
    column: int | None = None

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int | None:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class ObjProxy:
    """A deferred ``callable(**keywords)`` from an ``!obj:dotted.Name {...}`` tag.

    Attributes
    ----------
    name
        The dotted name as written.
    callable
        The imported class or function (None when it could not be imported; ``problem``
        then says why, and :func:`instantiate` raises it).
    positionals, keywords
        Arguments; YAML configs only produce keywords.
    yaml_src
        The YAML text of the tag and its mapping.
    source, line, column
        Where the tag is (1-based).
    key_lines
        keyword -> (line, column) for the keywords written in the file.
    """

    __slots__ = (
        "callable",
        "column",
        "key_lines",
        "keywords",
        "line",
        "name",
        "positionals",
        "problem",
        "source",
        "yaml_src",
    )

    def __init__(
        self,
        name: str,
        callable: Any,
        keywords: Mapping[str, Any] | None = None,
        positionals: tuple[Any, ...] = (),
        yaml_src: str = "",
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        key_lines: Mapping[str, tuple[int, int]] | None = None,
        problem: ConfigError | None = None,
    ):
        self.name = name
        self.callable = callable
        self.positionals = tuple(positionals)
        self.keywords: dict[str, Any] = dict(keywords or {})
        self.yaml_src = yaml_src
        self.source = source
        self.line = line
        self.column = column
        self.key_lines: dict[str, tuple[int, int]] = dict(key_lines or {})
        self.problem = problem

    # -- argument injection ----------------------------------------------------------------
    def bind(self, **kwargs: Any) -> ObjProxy:
        """Add keywords that are not already present (values written in the file win)."""
        for key, value in kwargs.items():
            self.keywords.setdefault(key, value)
        return self

    def set(self, **kwargs: Any) -> ObjProxy:
        """Add or overwrite keywords."""
        self.keywords.update(kwargs)
        return self

    def pop(self, key: str, *default: Any) -> Any:
        """Remove a keyword and return its value (``default`` if given and absent)."""
        return self.keywords.pop(key, *default)

    def copy(self) -> ObjProxy:
        """A shallow copy with its own keyword dict (nested values are shared)."""
        return ObjProxy(
            self.name,
            self.callable,
            self.keywords,
            self.positionals,
            self.yaml_src,
            self.source,
            self.line,
            self.column,
            self.key_lines,
            self.problem,
        )

    # -- presentation ------------------------------------------------------------------------
    @property
    def location(self) -> str:
        return where(self.source, self.line, self.column)

    def line_of(self, key: str) -> int | None:
        found = self.key_lines.get(key)
        return found[0] if found else self.line

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.keywords.items())
        return f"<!obj:{self.name}({args}) at {self.location}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ObjProxy):
            return NotImplemented
        return (self.name, self.positionals, self.keywords) == (
            other.name,
            other.positionals,
            other.keywords,
        )

    __hash__ = object.__hash__


def signature_text(obj: Any) -> str:
    """``"Name(a, b=1)"`` for error messages (just the name when not introspectable)."""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    try:
        return f"{name}{inspect.signature(obj)}"
    except (TypeError, ValueError):
        return name


def _check_call(proxy: ObjProxy, kwargs: dict[str, Any]) -> None:
    """Raise a located ConfigError if ``kwargs`` do not fit the callable's signature."""
    try:
        sig = inspect.signature(proxy.callable)
    except (TypeError, ValueError):
        return
    try:
        sig.bind(*proxy.positionals, **kwargs)
    except TypeError as exc:
        raise ConfigError(
            f"!obj:{proxy.name} cannot be called with the given arguments ({exc}); "
            f"its signature is {signature_text(proxy.callable)}",
            proxy.source,
            proxy.line,
            proxy.column,
        ) from None


def _build(value: Any, memo: dict[int, Any]) -> Any:
    if isinstance(value, ObjProxy):
        if id(value) in memo:
            return memo[id(value)]
        if value.callable is None:
            problem = value.problem or NotImplementedYetError(
                f"!obj:{value.name} cannot be imported", value.source, value.line, value.column
            )
            raise problem
        kwargs = {k: _build(v, memo) for k, v in value.keywords.items()}
        args = [_build(v, memo) for v in value.positionals]
        _check_call(value, kwargs)
        try:
            built = value.callable(*args, **kwargs)
        except Exception as exc:
            exc.add_note(f"(while building !obj:{value.name} at {value.location})")
            raise
        memo[id(value)] = built
        return built
    if isinstance(value, dict):
        return {_build(k, memo): _build(v, memo) for k, v in value.items()}
    if isinstance(value, list):
        return [_build(v, memo) for v in value]
    if isinstance(value, tuple):
        return tuple(_build(v, memo) for v in value)
    return value


def instantiate(proxy: Any, bindings: dict[int, Any] | None = None) -> Any:
    """Build every :class:`ObjProxy` inside ``proxy`` (dict values and keys, list items).

    The same proxy object (a YAML anchor used twice) is built once per call, or once per
    ``bindings`` dict when one is passed in and reused across calls. Plain values are
    returned unchanged (``${VAR}`` and ``~`` were already expanded by the loader).

    Raises
    ------
    ConfigError
        When the keywords do not fit the callable's signature (the message shows it).
    NotImplementedYetError
        When the named class is a documented selene_sdk name this build lacks.
    """
    memo = bindings if bindings is not None else {}
    return _build(proxy, memo)
