"""Reading feature-name lists."""

from __future__ import annotations

import os

from selene_sdk.errors import require_file

__all__ = ["load_features_list"]


def load_features_list(input_path: str | os.PathLike) -> list[str]:
    """Feature names, one per line, in file order (surrounding whitespace stripped).

    Blank lines are kept as empty strings, as in Selene, except a single trailing one.

    Parameters
    ----------
    input_path
        Text file (UTF-8) with one feature name per line, e.g. ``distinct_features.txt``.
    """
    path = require_file(input_path, "features list")
    with open(path, encoding="utf-8") as handle:
        return [line.strip() for line in handle.read().splitlines()]
