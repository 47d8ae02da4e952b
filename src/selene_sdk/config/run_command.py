"""``selene run CONFIG [--lr LR]``: run a configuration file."""

from __future__ import annotations

import argparse

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="the YAML configuration file")
    parser.add_argument(
        "--lr",
        type=float,
        default=None,
        help="learning rate for train (wins over `lr` in the file)",
    )


def run(args: argparse.Namespace) -> int:
    from selene_sdk import distributed
    from selene_sdk.config.run import load_and_parse_configs_and_run

    run_dir = load_and_parse_configs_and_run(args.config, lr=args.lr)
    if run_dir is not None and distributed.current().is_main:
        print(f"selene: done; outputs are in {run_dir}")
    return 0
