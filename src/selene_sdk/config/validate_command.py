"""``selene validate CONFIG [--lr LR]``: check a configuration without running anything."""

from __future__ import annotations

import argparse

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="the YAML configuration file")
    parser.add_argument(
        "--lr",
        type=float,
        default=None,
        help="the learning rate you will pass to `selene run` (satisfies train's need for lr)",
    )
    parser.add_argument("--strict", action="store_true", help="exit non-zero on warnings too")


def run(args: argparse.Namespace) -> int:
    from selene_sdk.config.validate import validate_path

    problems = validate_path(args.config, lr=args.lr)
    for problem in problems:
        print(problem)
    n_errors = sum(p.severity == "error" for p in problems)
    n_warnings = len(problems) - n_errors
    if not problems:
        print(f"{args.config}: OK")
    else:
        print(
            f"{args.config}: {n_errors} error{'s' if n_errors != 1 else ''}, "
            f"{n_warnings} warning{'s' if n_warnings != 1 else ''}"
        )
    return 1 if n_errors or (args.strict and n_warnings) else 0
