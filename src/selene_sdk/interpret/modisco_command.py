"""``selene attribution-to-modisco FILE --feature F -o DIR``: the two ``.npz`` inputs of
``modisco motifs`` (:func:`selene_sdk.interpret.modisco.export_modisco`)."""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    parser.description = (
        "Write DIR/ohe.npz (one-hot sequences) and DIR/attr.npz (hypothetical "
        "contributions), each (N, 4, L) under the key arr_0, from one feature of an "
        "attribution output, for `modisco motifs -s DIR/ohe.npz -a DIR/attr.npz ...`."
    )
    parser.add_argument("input", help="attribution file (<name>_attributions.npz or .h5)")
    parser.add_argument(
        "-f", "--feature", help="feature to export (required when the file has several)"
    )
    parser.add_argument("-o", "--output-dir", required=True, help="directory of the two files")


def run(args: argparse.Namespace) -> int:
    """Export; print the paths written."""
    from selene_sdk.interpret.modisco import export_modisco

    try:
        ohe, attr = export_modisco(args.input, args.output_dir, args.feature)
    except ValueError as exc:  # a user error: one line, no exception name
        print(f"selene attribution-to-modisco: error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {ohe} and {attr}")
    print(f"next: modisco motifs -s {ohe} -a {attr} -n 2000 -o modisco_results.h5")
    return 0
