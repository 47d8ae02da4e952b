"""Run the demo: generate a genome with planted motifs, train -> evaluate -> analyze, plot.

``python -m selene_sdk.demo [--output-dir demo_output] [--quick]``

1. writes a synthetic genome (4 x 250 kb, four made-up motifs planted as "peaks"), a VCF of
   motif-breaking and random variants and FASTA sequences with one motif each;
2. runs ``demo.yml`` (copied next to the data) through ``python -m selene_sdk``: trains a
   small DeepSEA-style model, evaluates it on a held-out chromosome (ROC/PR curves), scores
   the variants, runs in-silico mutagenesis and attribution (DeepLIFT/SHAP) on the sequences;
3. draws the ISM logos and heatmaps, the attribution logos and the variant scatter plot
   (``selene plot``);
4. prints the key numbers and where every output is.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import time
from importlib import resources
from pathlib import Path

from selene_sdk.demo.checks import (
    attribution_focus,
    ism_focus,
    read_test_aucs,
    variant_score_summary,
)
from selene_sdk.demo.synthetic import make_synthetic_data

SEQUENCE_LENGTH = 400
#: Settings changed by ``--quick`` (a reduced run for the test suite: same training, smaller
#: evaluation sets and fewer reports).
QUICK = {
    "report_stats_every_n_steps: 150": "report_stats_every_n_steps: 300",
    "n_validation_samples: 2000": "n_validation_samples: 500",
    "n_test_samples: 4000": "n_test_samples: 1500",
}


@contextlib.contextmanager
def _working_directory(path: Path):
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def prepare(output_dir: Path, quick: bool = False):
    """Generate the data and copy the config and model file into ``output_dir``."""
    output_dir.mkdir(parents=True, exist_ok=True)
    data = make_synthetic_data(output_dir / "data", sites_per_chrom=150, ism_length=SEQUENCE_LENGTH)
    package = resources.files("selene_sdk.demo")
    config = package.joinpath("demo.yml").read_text()
    if quick:
        for old, new in QUICK.items():
            if old not in config:
                raise RuntimeError(f"demo.yml no longer contains {old!r}")
            config = config.replace(old, new)
    (output_dir / "demo.yml").write_text(config)
    (output_dir / "demo_model.py").write_text(package.joinpath("demo_model.py").read_text())
    results = output_dir / "results"
    if results.exists():
        shutil.rmtree(results)
    return data


def _plot(argv: list[str]) -> None:
    from selene_sdk.interpret import plot_command

    parser = argparse.ArgumentParser(prog="selene plot")
    plot_command.add_arguments(parser)
    if plot_command.run(parser.parse_args(argv)) != 0:
        raise RuntimeError(f"selene plot {' '.join(argv)} failed")


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m selene_sdk.demo``."""
    parser = argparse.ArgumentParser(
        prog="python -m selene_sdk.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--output-dir", default="demo_output", help="where everything goes")
    parser.add_argument("--quick", action="store_true", help="a shorter run (for tests)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = Path(args.output_dir).resolve()
    t0 = time.perf_counter()
    data = prepare(out, quick=args.quick)
    print(f"[demo] synthetic genome, features, variants and ISM sequences in {out / 'data'}")

    from selene_sdk.cli import legacy_main

    with _working_directory(out):
        status = legacy_main(["demo.yml"])
    if status != 0:
        return status
    results = out / "results"

    figures = []
    for name, start, end, feature in data.ism_motif_spans:
        logits = results / "ism" / f"{name}_logits.tsv"
        figure = results / "ism" / f"{name}_{feature}.png"
        # A window around the motif keeps the letters legible (the full table has 400 bp).
        window = ["--start", str(max(0, start - 40)), "--end", str(min(SEQUENCE_LENGTH, end + 40))]
        _plot(["ism", str(logits), "--feature", feature, "-o", str(figure), *window])
        figures.append((figure, name, start, end, feature, logits))
    attributions = results / "attribution" / "ism_attributions.npz"
    logos = []
    for name, start, end, feature in data.ism_motif_spans:
        logo = results / "attribution" / f"{name}_{feature}.png"
        window = ["--start", str(max(0, start - 40)), "--end", str(min(SEQUENCE_LENGTH, end + 40))]
        _plot(["attribution", str(attributions), "--feature", feature, "--name", name,
               "-o", str(logo), *window])  # fmt: skip
        logos.append((logo, name, start, end, feature))
    abs_diffs = results / "variants" / "variants_abs_diffs.tsv"
    scatter = results / "variants" / "variants.html"
    _plot(["vep", str(abs_diffs), "-o", str(scatter)])

    print()
    print(f"[demo] finished in {time.perf_counter() - t0:.0f} s. Results:")
    aucs = read_test_aucs(str(results))
    print(
        "  test ROC AUC per feature (held-out chr4): "
        + ", ".join(f"{k} {v:.3f}" for k, v in aucs.items())
    )
    scores = variant_score_summary(str(abs_diffs))
    print(
        f"  mean max |diff| of motif-breaking variants {scores['planted']:.3f} "
        f"vs random variants {scores['random']:.3f}"
    )
    for _figure, name, start, end, feature, logits in figures:
        focus = ism_focus(str(logits), feature, start, end)
        print(
            f"  ISM of {name}: mean |logit change| {focus.inside:.3f} inside the planted "
            f"{feature} motif (positions {start}-{end - 1}) vs {focus.outside:.3f} "
            f"outside; {focus.top_in_motif:.0%} of the top positions are in the motif"
        )
    for _logo, name, start, end, feature in logos:
        share = attribution_focus(str(attributions), name, feature, start, end)
        print(
            f"  attribution of {name} to {feature}: {share:.0%} of the total |contribution| "
            f"falls on the planted motif ({end - start} of {SEQUENCE_LENGTH} positions)"
        )
    print()
    print("  where things are:")
    rows = [
        ("configuration (copy it!)", out / "demo.yml"),
        ("model file", out / "demo_model.py"),
        ("training log / curves", results / "training_curves.svg"),
        ("best weights", results / "best_model.pth.tar"),
        ("test scores", results / "test_performance.txt"),
        ("ROC / PR curves", results / "roc_curves.svg"),
        ("variant scores", abs_diffs),
        ("variant scatter plot", scatter),
        *((f"ISM logo + heatmap ({f[1]})", f[0]) for f in figures),
        ("attributions (DeepLIFT/SHAP)", attributions),
        *((f"attribution logo ({f[1]})", f[0]) for f in logos),
    ]
    width = max(len(label) for label, _ in rows)
    for label, path in rows:
        print(f"    {label:<{width}}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
