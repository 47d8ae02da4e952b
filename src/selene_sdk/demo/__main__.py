"""Run the demo: generate the synthetic genome, load it and summarise what is there."""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from selene_sdk.demo.synthetic import make_synthetic_data
from selene_sdk.sequences import Genome
from selene_sdk.targets import GenomicFeatures
from selene_sdk.utils import load_features_list


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m selene_sdk.demo", description=__doc__)
    parser.add_argument("--output-dir", default="demo_output", help="where data and results go")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    data = make_synthetic_data(os.path.join(args.output_dir, "data"))
    print(f"Generated synthetic data in {data.directory} ({time.perf_counter() - t0:.1f} s)")

    genome = Genome(data.fasta)
    features = load_features_list(data.features_list)
    targets = GenomicFeatures(data.features_bed, features, feature_thresholds=0.5)
    print(f"Genome {data.fasta}:")
    for name, length in genome.get_chr_lens():
        print(f"  {name}: {length:,} bp")
    print(f"Features ({len(features)}) from {data.features_bed}:")
    for feature in features:
        print(f"  {feature}: {len(data.sites[feature])} planted sites")

    rng = np.random.default_rng(0)
    chrom_ids = rng.integers(0, len(genome.chrom_names), 10_000)
    centres = rng.integers(1000, data.chrom_lengths["chr1"] - 1000, 10_000)
    labels = targets.get_feature_data_batch(
        genome.chrom_names[chrom_ids], centres - 100, centres + 100
    )
    print("Fraction of random 200-bp bins labelled positive (threshold 0.5):")
    for feature, fraction in zip(features, labels.mean(axis=0)):
        print(f"  {feature}: {fraction:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
