"""YAML loading for Selene configs: PyYAML's safe loader plus the Selene tags.

Tags
----
``!obj:dotted.Name {key: value, ...}``
    A deferred call (:class:`~selene_sdk.config.proxy.ObjProxy`); the name is imported at
    load time so typos are reported with their line number and the closest existing name.
``!import dotted.name`` / ``!import:dotted.name``
    The imported object itself (e.g. ``!import sklearn.metrics.roc_auc_score``).
``!float text``
    ``float(text)``.

Deliberate differences from PyYAML's safe loader (documented in docs/configuration.md):
``1e-3`` / ``2E5`` are floats (not strings); ``None`` / ``none`` / ``NONE`` are null; a
duplicated key in one mapping is an error; ``${VAR}`` / ``$VAR`` in string values are
replaced from the environment (``$$`` is a literal ``$``) and a leading ``~/`` is expanded to
the home directory. Everything else loads exactly as ``yaml.safe_load`` would.

No ``eval``/``exec``: names are resolved with importlib.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from typing import IO, Any

import yaml

from selene_sdk.config.errors import (
    ConfigError,
    ConfigProblems,
    NotImplementedYetError,
    Problem,
)
from selene_sdk.config.names import NameResolutionError, resolve_name
from selene_sdk.config.proxy import LineDict, LineList, ObjProxy

__all__ = ["LoadedConfig", "expand_string", "load", "load_path", "parse"]

#: Floats in exponent notation that YAML 1.1 (and so PyYAML) reads as strings: ``1e-3``,
#: ``5E4``, ``-2.5e+3``, ``.5e-3``.
_EXP_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
_NONE = re.compile(r"^(?:None|none|NONE)$")
_ENV = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


class _SeleneLoader(yaml.SafeLoader):
    """SafeLoader with the Selene tags; per-load state is set by :func:`parse`."""

    source: str | None = None
    environ: Mapping[str, str] = os.environ
    problems: list[Problem]

    def _mark(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def _report(self, err: ConfigError, kind: str) -> None:
        self.problems.append(Problem.from_error(err, kind))

    def _error(self, message: str, node: yaml.Node, key: str | None = None) -> ConfigError:
        line, column = self._mark(node)
        return ConfigError(message, self.source, line, column, key)


_SeleneLoader.add_implicit_resolver("tag:yaml.org,2002:float", _EXP_FLOAT, list("-+0123456789."))
_SeleneLoader.add_implicit_resolver("tag:yaml.org,2002:null", _NONE, list("Nn"))


def expand_string(text: str, environ: Mapping[str, str] | None = None) -> tuple[str, list[str]]:
    """Expand ``${VAR}``/``$VAR`` (``$$`` -> ``$``) and a leading ``~/``.

    Returns the expanded text and the names of variables that are not set (left as written).
    """
    env = os.environ if environ is None else environ
    missing: list[str] = []
    if "$" in text:

        def sub(match: re.Match[str]) -> str:
            if match.group(1):
                return "$"
            name = match.group(2) or match.group(3)
            if name in env:
                return env[name]
            missing.append(name)
            return match.group(0)

        text = _ENV.sub(sub, text)
    if text.startswith("~/"):
        text = os.path.expanduser(text)
    return text, missing


def _construct_str(loader: _SeleneLoader, node: yaml.ScalarNode) -> str:
    value = loader.construct_scalar(node)
    expanded, missing = expand_string(value, loader.environ)
    for name in missing:
        loader._report(
            loader._error(
                f"environment variable {name} is not set (used as ${{{name}}} in {value!r}); "
                "set it or write the value out",
                node,
            ),
            "environment",
        )
    return expanded


def _hashable(loader: _SeleneLoader, key: Any, node: yaml.Node) -> None:
    try:
        hash(key)
    except TypeError:
        raise loader._error(
            f"a mapping key must be a plain value, found {type(key).__name__}", node
        ) from None


def _mapping_pairs(
    loader: _SeleneLoader, node: yaml.MappingNode
) -> list[tuple[Any, Any, yaml.Node]]:
    """Key/value pairs of a mapping node (merge keys applied), refusing duplicate keys."""
    seen: dict[tuple[str, str], int] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            ident = (key_node.tag, key_node.value)
            if ident in seen:
                raise loader._error(
                    f"duplicate key {key_node.value!r} (first written on line {seen[ident]}); "
                    "only one value per key is allowed",
                    key_node,
                    key=str(key_node.value),
                )
            seen[ident] = key_node.start_mark.line + 1
    loader.flatten_mapping(node)
    pairs = []
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:str":
            key = loader.construct_scalar(key_node)  # keys are never env-expanded
        else:
            key = loader.construct_object(key_node, deep=True)
        _hashable(loader, key, key_node)
        pairs.append((key, loader.construct_object(value_node, deep=True), key_node))
    return pairs


def _construct_map(loader: _SeleneLoader, node: yaml.MappingNode):
    data = LineDict()
    data.source = loader.source
    data.line, data.column = loader._mark(node)
    yield data
    for key, value, key_node in _mapping_pairs(loader, node):
        data[key] = value
        data.key_lines[key] = loader._mark(key_node)


def _construct_seq(loader: _SeleneLoader, node: yaml.SequenceNode):
    data = LineList()
    data.source = loader.source
    data.line, data.column = loader._mark(node)
    yield data
    for child in node.value:
        data.append(loader.construct_object(child, deep=True))
        data.item_lines.append(child.start_mark.line + 1)


def _resolve(loader: _SeleneLoader, dotted: str, node: yaml.Node, tag: str) -> tuple[Any, Any]:
    """(object or None, NotImplementedYetError or None); unknown names are reported."""
    try:
        return resolve_name(dotted), None
    except NameResolutionError as exc:
        line, column = loader._mark(node)
        if exc.kind == "not-implemented":
            return None, NotImplementedYetError(str(exc), loader.source, line, column)
        message = f"{tag}{dotted}: {exc.detail}"
        loader._report(ConfigError(message, loader.source, line, column), exc.kind)
        return None, None


def _construct_obj(loader: _SeleneLoader, suffix: str, node: yaml.Node) -> ObjProxy:
    line, column = loader._mark(node)
    callable_, unavailable = _resolve(loader, suffix, node, "!obj:")
    if callable_ is not None and not callable(callable_):
        loader._report(
            ConfigError(
                f"!obj:{suffix} names a {type(callable_).__name__}, which cannot be called; "
                "use !import to refer to a value",
                loader.source,
                line,
                column,
            ),
            "type",
        )
        callable_ = None
    keywords: dict[str, Any] = {}
    key_lines: dict[str, tuple[int, int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value, key_node in _mapping_pairs(loader, node):
            if not isinstance(key, str):
                raise loader._error(
                    f"!obj:{suffix}: argument names must be strings, found {key!r}", key_node
                )
            keywords[key] = value
            key_lines[key] = loader._mark(key_node)
    elif isinstance(node, yaml.ScalarNode) and node.value == "":
        pass  # ``!obj:pkg.Class`` with no arguments
    else:
        raise loader._error(
            f"!obj:{suffix} takes keyword arguments as a mapping ({{key: value, ...}}), "
            f"found a {node.id}",
            node,
        )
    buffer = node.start_mark.buffer
    src = buffer[node.start_mark.index : node.end_mark.index] if buffer else ""
    proxy = ObjProxy(
        suffix,
        callable_,
        keywords,
        yaml_src=src.rstrip("\0 ") or f"!obj:{suffix}",
        source=loader.source,
        line=line,
        column=column,
        key_lines=key_lines,
        problem=unavailable,
    )
    return proxy


def _import(loader: _SeleneLoader, dotted: str, node: yaml.Node, tag: str) -> Any:
    obj, unavailable = _resolve(loader, dotted, node, tag)
    if unavailable is not None:
        loader._report(unavailable, "not-implemented")
    return obj


def _construct_import_suffix(loader: _SeleneLoader, suffix: str, node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode) or node.value != "":
        raise loader._error(
            f"!import:{suffix} takes no value (write `!import:{suffix}` or `!import {suffix}`)",
            node,
        )
    return _import(loader, suffix, node, "!import:")


def _construct_import(loader: _SeleneLoader, node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
        raise loader._error("!import needs a dotted name, e.g. `!import torch.optim.SGD`", node)
    return _import(loader, node.value.strip(), node, "!import ")


def _construct_float(loader: _SeleneLoader, node: yaml.Node) -> float:
    text = loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None
    try:
        return float(str(text).replace("_", ""))
    except ValueError:
        raise loader._error(f"!float {text!r} is not a number", node) from None


_SeleneLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_SeleneLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_SeleneLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_SeleneLoader.add_constructor("!import", _construct_import)
_SeleneLoader.add_constructor("!float", _construct_float)
_SeleneLoader.add_multi_constructor("!obj:", _construct_obj)
_SeleneLoader.add_multi_constructor("!import:", _construct_import_suffix)


class LoadedConfig:
    """Result of :func:`parse`: the data plus every problem found while loading."""

    def __init__(self, data: Any, problems: list[Problem], source: str | None, text: str):
        self.data = data
        self.problems = problems
        self.source = source
        self.text = text


def _at(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _open_brackets(text: str, upto: int) -> list[tuple[str, Any]]:
    """The ``[`` / ``{`` still open just before character ``upto`` (innermost last)."""
    stack: list[tuple[str, Any]] = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= upto:
                break
            if isinstance(token, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
                stack.append(
                    (
                        "[" if isinstance(token, yaml.FlowSequenceStartToken) else "{",
                        token.start_mark,
                    )
                )
            elif isinstance(token, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken) and stack:
                stack.pop()
    except yaml.YAMLError:
        pass
    return stack


def _reader_error(exc: yaml.reader.ReaderError, source: str | None, text: str) -> ConfigError:
    """A character YAML does not allow (a control byte such as NUL), with its line and column."""
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    return ConfigError(
        f"malformed YAML: character U+{char:04X} is not allowed in YAML (a control "
        "character: is this a text file?)",
        source,
        line,
        column,
    )


def _yaml_error(exc: yaml.YAMLError, source: str | None, text: str = "") -> ConfigError:
    """One message with both places: where PyYAML gave up and where the mistake probably
    is. Inside ``[...]`` / ``{...}`` YAML accepts ``key: value`` items, so an unclosed
    bracket is often only noticed at a closing bracket many lines later: then the
    innermost bracket still open, when it opened on an earlier line, leads."""
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    mark = problem_mark or context_mark
    if mark is None:
        return ConfigError(f"malformed YAML: {problem}", source)
    gave_up = f"{problem}" + (f" ({context})" if context else "")
    if context_mark is not None and problem_mark is not None and context:
        if (context_mark.line, context_mark.column) != (problem_mark.line, problem_mark.column):
            gave_up = f"{problem} ({context} that starts at {_at(context_mark)})"
    if problem_mark is not None and text:
        opened = _open_brackets(text, problem_mark.index)
        if opened and opened[-1][1].line < problem_mark.line:
            bracket, start = opened[-1]
            closing = "]" if bracket == "[" else "}"
            message = (
                f"malformed YAML: the {bracket!r} here is never closed (or a ',' is missing "
                f"inside it; close it with {closing!r}); parsing stopped at "
                f"{_at(problem_mark)}: {problem}"
            )
            return ConfigError(message, source, start.line + 1, start.column + 1)
    return ConfigError(f"malformed YAML: {gave_up}", source, mark.line + 1, mark.column + 1)


#: The most values a config may expand to once aliases (``*name``) are followed. Real
#: configs hold hundreds; an "alias bomb" (9 levels of 9 aliases) expands to 387 million
#: and would make every walk over the config hang.
MAX_EXPANDED_NODES = 1_000_000


def _check_expansion(root: yaml.Node, source: str | None) -> None:
    """Refuse a document whose alias expansion exceeds :data:`MAX_EXPANDED_NODES`.

    Sizes are counted once per distinct node (an alias is the same node object), so the
    check itself costs time linear in the file, whatever the expansion.
    """
    sizes: dict[int, int] = {}
    visiting: set[int] = set()  # on the current path: a recursive alias counts once
    order: list[yaml.Node] = []
    stack = [(root, False)]
    while stack:  # iterative post-order: deep nesting cannot overflow the Python stack
        node, done = stack.pop()
        if id(node) in sizes or (not done and id(node) in visiting):
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if done or not children:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
            visiting.discard(id(node))
            order.append(node)
            continue
        visiting.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    total = sizes[id(root)]
    if total <= MAX_EXPANDED_NODES:
        return
    # point at the first value that expands to a large part of the total
    worst = min(
        (n for n in order if sizes[id(n)] > MAX_EXPANDED_NODES // 10 and n is not root),
        key=lambda n: (n.start_mark.line, n.start_mark.column),
        default=root,
    )
    raise ConfigError(
        f"the configuration expands to {total:,} values once its aliases (*name) are "
        f"followed, more than the {MAX_EXPANDED_NODES:,} allowed; aliases nested in "
        "aliases multiply (an 'alias bomb'). Write the values out, or use fewer levels",
        source,
        worst.start_mark.line + 1,
        worst.start_mark.column + 1,
    )


def parse(
    text: str, source: str | None = None, environ: Mapping[str, str] | None = None
) -> LoadedConfig:
    """Parse config text, collecting problems instead of stopping at the first one.

    Malformed YAML and structural errors (duplicate keys, a sequence after ``!obj:``)
    still stop parsing: they come back as the single problem, with data None.
    """
    try:
        loader = _SeleneLoader(text)
    except yaml.reader.ReaderError as exc:  # PyYAML checks every character up front
        return LoadedConfig(
            None, [Problem.from_error(_reader_error(exc, source, text), "yaml")], source, text
        )
    loader.source = source
    loader.environ = os.environ if environ is None else environ
    loader.problems = []
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_expansion(node, source)
        data = loader.construct_document(node) if node is not None else None
    except ConfigError as exc:
        return LoadedConfig(None, [*loader.problems, Problem.from_error(exc, "yaml")], source, text)
    except yaml.YAMLError as exc:
        err = _yaml_error(exc, source, text)
        return LoadedConfig(None, [Problem.from_error(err, "yaml")], source, text)
    finally:
        loader.dispose()
    return LoadedConfig(data, loader.problems, source, text)


def _raise_problems(loaded: LoadedConfig) -> Any:
    errors = [p for p in loaded.problems if p.severity == "error"]
    if len(errors) == 1:
        p = errors[0]
        raise ConfigError(p.message, p.source, p.line, p.column, p.key)
    if errors:
        raise ConfigProblems(errors)
    return loaded.data


def load(
    stream: str | IO[str],
    environ: Mapping[str, str] | None = None,
    instantiate: bool = True,
    **kwargs: Any,
) -> Any:
    """Load a config from YAML text or a text stream; ``!obj:`` tags become proxies.

    Like Selene, nothing is instantiated here (``instantiate`` is accepted for
    compatibility and ignored; call :func:`~selene_sdk.config.proxy.instantiate`).
    ``environ`` is the mapping used for ``${VAR}`` (default ``os.environ``).

    Raises
    ------
    ConfigError
        Malformed YAML (with line and column), unknown ``!obj``/``!import`` names (with the
        closest existing names), unset environment variables, duplicate keys. Several
        problems are reported together as :class:`ConfigProblems`.
    """
    source = kwargs.pop("source", None)
    if not isinstance(stream, str):
        source = source or getattr(stream, "name", None)
        stream = stream.read()
    return _raise_problems(parse(stream, source, environ))


def _config_dir_on_path(path: str) -> None:
    """Let ``!import mymodule.x`` find modules beside the config or in the working dir."""
    for directory in (os.getcwd(), os.path.dirname(os.path.abspath(path))):
        if directory not in sys.path:
            sys.path.append(directory)


def read_config_text(path: str | os.PathLike) -> tuple[str, str]:
    """(path as str, file text); clear errors for a missing or unreadable file."""
    path = os.path.expanduser(os.fspath(path))
    if os.path.isdir(path):
        raise ConfigError("the configuration path is a directory, not a YAML file", path)
    if not os.path.isfile(path):
        raise ConfigError("configuration file not found", path)
    try:
        with open(path, encoding="utf-8") as handle:
            return path, handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the configuration file ({exc})", path) from exc


def load_path(
    path: str | os.PathLike,
    environ: Mapping[str, str] | None = None,
    instantiate: bool = False,
    **kwargs: Any,
) -> Any:
    """Read and :func:`load` a config file (the file's directory and the working directory
    are appended to ``sys.path`` so that ``!import`` can find user modules there)."""
    path, text = read_config_text(path)
    _config_dir_on_path(path)
    return _raise_problems(parse(text, path, environ))
