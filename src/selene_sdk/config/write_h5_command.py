"""``selene write-h5 CONFIG MODE N_STEPS``: instantiate a config's ``sampler`` and write its
batches to an HDF5 file with :func:`selene_sdk.samplers.write_h5.write_sampler_to_h5`."""

from __future__ import annotations

import argparse
import os

from selene_sdk.config.loader import load_path
from selene_sdk.config.proxy import instantiate
from selene_sdk.samplers.write_h5 import write_sampler_to_h5

__all__ = ["MODES", "add_arguments", "run"]

#: The sampler modes ``selene write-h5`` can draw from.
MODES = ("train", "validate", "test")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``selene write-h5 CONFIG MODE N_STEPS [--seed] [--compress]
    [--batch-size] [--output-dir]``."""
    parser.add_argument("config", metavar="CONFIG", help="YAML file with a top-level `sampler`")
    parser.add_argument(
        "mode",
        metavar="MODE",
        choices=MODES,
        help=(
            "the partition to draw from: `train` (the training part of the genome, or a "
            "MultiSampler's train_sampler), `validate` (the validation_holdout chromosomes or "
            "proportion, or validate_sampler) or `test` (test_holdout, or test_sampler; an "
            "error when the sampler has no test partition). A file sampler serves one "
            "set and ignores MODE. The file is <MODE>_seed=<SEED>_N=<n>.h5"
        ),
    )
    parser.add_argument(
        "n_steps",
        metavar="N_STEPS",
        type=int,
        help="number of batches (the file holds N_STEPS x batch size samples)",
    )
    parser.add_argument("--seed", type=int, default=123, help="seed of the draws (default 123)")
    parser.add_argument(
        "--compress", action="store_true", help="bit-pack sequences and (binary) targets"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="samples per batch (default: the config's `batch_size`, else 64)",
    )
    parser.add_argument(
        "--output-dir",
        default=None,
        help="output directory (default: the config's `output_dir`, else the current one)",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``selene write-h5``: instantiate the config's sampler and write the file."""
    configs = load_path(args.config)
    if not isinstance(configs, dict) or "sampler" not in configs:
        raise ValueError(f"{args.config}: the configuration needs a top-level `sampler` key")
    sampler = instantiate(configs["sampler"])
    batch_size = args.batch_size or configs.get("batch_size") or 64
    output_dir = args.output_dir or configs.get("output_dir") or os.getcwd()
    path = write_sampler_to_h5(
        sampler,
        args.mode,
        args.n_steps,
        int(batch_size),
        output_dir,
        args.seed,
        compress=args.compress,
    )
    print(path)
    return 0
