"""Configuration errors and problem reports that point at a file, line, column and key."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from selene_sdk.errors import InputFormatError

__all__ = [
    "ConfigError",
    "ConfigProblems",
    "NotImplementedYetError",
    "Problem",
    "where",
]

Severity = Literal["error", "warning"]


def where(
    source: str | os.PathLike | None, line: int | None = None, column: int | None = None
) -> str:
    """``"config.yml:12:5"``-style location text (parts that are unknown are left out)."""
    text = os.fspath(source) if source is not None else "<config>"
    if line is not None:
        text += f":{line}"
        if column is not None:
            text += f":{column}"
    return text


class ConfigError(InputFormatError):
    """A configuration file (or dict) cannot be used as written.

    The message starts with ``<file>:<line>:<column>:`` when the place is known.

    Attributes
    ----------
    source, line, column, key
        Where the problem is (1-based line and column; ``key`` is the dotted config key).
    hint
        Optional extra sentence on how to fix it (already part of the message).
    """

    def __init__(
        self,
        message: str,
        source: str | os.PathLike | None = None,
        line: int | None = None,
        column: int | None = None,
        key: str | None = None,
    ):
        self.source = os.fspath(source) if source is not None else None
        self.column = column
        self.key = key
        self.bare_message = message
        # InputFormatError formats "<path>:<line>: message"; we also want the column.
        ValueError.__init__(self, f"{where(source, line, column)}: {message}")
        self.path = self.source or "<config>"
        self.line = line


class NotImplementedYetError(ConfigError):
    """The config names a documented selene_sdk class that this version does not provide."""


@dataclass(frozen=True)
class Problem:
    """One finding of a config check (``selene validate`` prints one per line)."""

    severity: Severity
    message: str
    source: str | None = None
    line: int | None = None
    column: int | None = None
    key: str | None = None
    #: A short machine-readable category, e.g. ``"unknown-name"``, ``"not-implemented"``,
    #: ``"missing-file"``, ``"unknown-key"``, ``"type"``, ``"missing-key"``, ``"yaml"``.
    kind: str = "other"

    def __str__(self) -> str:
        key = f" [{self.key}]" if self.key else ""
        return f"{where(self.source, self.line, self.column)}: {self.severity}{key}: {self.message}"

    @classmethod
    def from_error(cls, err: ConfigError, kind: str = "other") -> Problem:
        return cls("error", err.bare_message, err.source, err.line, err.column, err.key, kind)


class ConfigProblems(ConfigError):
    """Several problems found at once; ``problems`` holds them all (errors first)."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.severity != "error", p.line or 0))
        errors = [p for p in self.problems if p.severity == "error"]
        first = errors[0] if errors else self.problems[0]
        lines = "\n".join(f"  {p}" for p in self.problems)
        n = len(errors)
        summary = f"{n} problem{'s' if n != 1 else ''} in the configuration:\n{lines}"
        super().__init__(summary, first.source, None, None, first.key)
        # The summary already names every location; don't prefix it with one of them.
        self.args = (summary,)

    def __str__(self) -> str:
        return self.args[0]
