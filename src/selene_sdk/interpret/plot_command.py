"""``selene plot``: figures from prediction outputs without writing Python.

* ``selene plot ism <prefix>_logits.tsv --feature NAME -o out.png``: a sequence logo (top)
  and a heatmap (bottom) of one feature's ISM scores, as PNG, SVG or PDF.
* ``selene plot vep <prefix>_abs_diffs.tsv -o out.html``: the interactive scatter plot of
  each variant's largest score across features.
* ``selene plot attribution <name>_attributions.npz --feature NAME -o out.png``: the
  attribution logo of one sequence of an ``attribution`` output.
* ``selene plot roc|pr <output_dir>``: ROC / precision-recall curves redrawn from an
  evaluation's ``test_predictions.npz`` and ``test_targets.npz``.
* ``selene plot training <output_dir>``: loss and validation metric curves from the
  training logs.

The CLI registers this module with :func:`add_arguments` and calls :func:`run`, which
returns the exit status (0 on success, 1 on a user error, reported on stderr).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

from selene_sdk.errors import InputFormatError

__all__ = ["add_arguments", "run"]

_FIGURE_FORMATS = (".png", ".svg", ".pdf")
_HTML_FORMATS = (".html", ".htm")
_SCALINGS = ("identity", "probability", "max_effect")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``ism``, ``vep``, ``attribution``, ``roc``, ``pr`` and ``training``
    sub-commands to ``parser``."""
    kinds = parser.add_subparsers(
        dest="plot_kind", metavar="{ism,vep,attribution,roc,pr,training}", required=True
    )

    ism = kinds.add_parser(
        "ism",
        help="sequence logo + heatmap of one feature's in silico mutagenesis scores",
        description="Draw a sequence logo (top) and a heatmap (bottom) of the ISM scores of "
        "one feature, from an ISM output table (<prefix>_predictions.tsv, _logits.tsv, "
        "_diffs.tsv or _abs_diffs.tsv).",
    )
    ism.add_argument("input", help="ISM output TSV (columns pos, ref, alt, <features>)")
    ism.add_argument("-f", "--feature", help="feature to plot (required when the file has several)")
    ism.add_argument(
        "-o",
        "--output",
        help="figure file, .png/.svg/.pdf (default: <input>_<feature>.png beside the input)",
    )
    ism.add_argument("--start", type=int, help="first position to draw (default: first in file)")
    ism.add_argument("--end", type=int, help="one past the last position to draw")
    ism.add_argument(
        "--sequence-type",
        choices=("dna", "rna", "protein"),
        default="dna",
        help="alphabet of the sequence (default: dna)",
    )
    ism.add_argument(
        "--base-scaling",
        choices=_SCALINGS,
        default="max_effect",
        help="rescaling of each letter for the logo (default: max_effect, so the letter "
        "height is its score above the position's lowest)",
    )
    ism.add_argument(
        "--position-scaling",
        choices=_SCALINGS,
        default="identity",
        help="rescaling of each position for the logo (default: identity)",
    )
    ism.add_argument(
        "--order", choices=("value", "alpha"), default="value", help="letter stacking order"
    )
    ism.add_argument(
        "--cmap",
        help="heatmap colour map (default: Blues for non-negative scores, RdBu_r centred on "
        "0 otherwise)",
    )
    ism.add_argument(
        "--mask-reference",
        action="store_true",
        help="leave the reference letters blank in the heatmap",
    )
    ism.add_argument(
        "--logo",
        choices=("all", "reference", "both"),
        default="all",
        help="all: every letter (heights from the scalings); reference: the reference "
        "letter only, as tall as the effect of mutating it (above the line when mutating "
        "lowers the score); both: the reference logo above the all-letter one (default: all)",
    )
    ism.add_argument(
        "--reference-effect",
        choices=("mean", "max"),
        default="mean",
        help="reference logo height: the reference's score minus the mean of its "
        "substitutions (mean) or minus the farthest substitution (max); default mean",
    )
    ism.add_argument(
        "--label",
        help="what the scores are, for the y axis and the colour bar (default from the file "
        "name: prediction, prediction change (alt - ref), |prediction change|, log-odds change)",
    )
    ism.add_argument(
        "--per-row",
        type=int,
        help="positions per row (default: one row up to 100 positions, else rows of about "
        "80; 0: one row). The figure is at most 2,400 pixels wide at --dpi",
    )
    ism.add_argument("--dpi", type=int, default=150, help="resolution of PNG output (150)")

    vep = kinds.add_parser(
        "vep",
        help="interactive scatter plot of each variant's largest score (HTML)",
        description="Plot each variant's maximum score across features from a variant "
        "effect prediction table (<prefix>_abs_diffs.tsv) as an interactive HTML page.",
    )
    vep.add_argument("input", help="VEP output TSV (chrom, pos, name, ref, alt, ... columns)")
    vep.add_argument(
        "-o", "--output", help="HTML file (default: <input without .tsv>.html beside the input)"
    )
    vep.add_argument(
        "--features", nargs="+", metavar="NAME", help="only use these features (default: all)"
    )
    vep.add_argument(
        "--nth-percentile",
        type=float,
        help="only show variants whose maximum is at or above this percentile (0-100)",
    )
    vep.add_argument("--threshold", type=float, help="draw a horizontal line at this score")
    vep.add_argument(
        "--gene-bed", help="gene BED file (chrom, start, end, name) for gene names on hover"
    )
    vep.add_argument(
        "--hg-reference-version",
        choices=("hg19", "hg38"),
        help="use the packaged gencode gene file of this assembly (when installed)",
    )
    vep.add_argument(
        "--inline",
        action="store_true",
        help="embed plotly.js (about 4.7 MB) in the page; default: one shared "
        "plotly-<version>.min.js written once beside the page (works offline)",
    )
    vep.add_argument("--open", action="store_true", help="open the page in a web browser")
    _add_attribution_arguments(kinds)
    from selene_sdk.interpret.run_plots import add_run_arguments

    add_run_arguments(kinds)


def run(args: argparse.Namespace) -> int:
    """Run ``selene plot <kind>``; returns the exit status."""
    from selene_sdk.interpret import run_plots

    commands = {
        "ism": _plot_ism,
        "vep": _plot_vep,
        "attribution": _plot_attribution,
        **run_plots.COMMANDS,
    }
    try:
        if args.plot_kind not in commands:  # pragma: no cover - argparse restricts them
            raise ValueError(f"unknown plot kind {args.plot_kind!r}")
        output = commands[args.plot_kind](args)
    except OSError as exc:
        detail = exc.strerror or str(exc)
        where = f": {exc.filename}" if exc.filename else ""
        print(f"selene plot: error: {detail}{where}", file=sys.stderr)
        return 1
    except ValueError as exc:  # includes InputFormatError (file:line: message)
        print(f"selene plot: error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {output}")
    return 0


# -- ism -------------------------------------------------------------------------------------
def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "feature"


def _strip_tsv(path: str) -> str:
    for suffix in (".tsv.gz", ".tsv", ".txt"):
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _check_kind(path: str, wanted: str, what: str) -> None:
    from selene_sdk.interpret._tables import detect_kind, read_header

    kind = detect_kind(read_header(path, what))
    if kind == wanted:
        return
    names = {"ism": "an ISM output", "vep": "a variant effect output", "prediction": ""}
    if kind in ("ism", "vep"):
        raise InputFormatError(
            path, f"this is {names[kind]}, not {names[wanted]}; use `selene plot {kind}`", 1
        )
    if kind == "prediction":
        raise InputFormatError(
            path, f"this is a sequence prediction output, not {names[wanted]}", 1
        )


def _plot_ism(args: argparse.Namespace) -> str:
    from selene_sdk.interpret.ism_figure import ism_figure
    from selene_sdk.interpret.ism_result import ISMResult
    from selene_sdk.io.atomic import atomic_path

    output = args.output
    if output is not None and not output.lower().endswith(_FIGURE_FORMATS):
        raise ValueError(
            f"output {output!r}: choose a file name ending in {', '.join(_FIGURE_FORMATS)}"
        )
    if args.per_row is not None and args.per_row < 0:
        raise ValueError(f"--per-row must be 0 or more, got {args.per_row}")
    _check_kind(args.input, "ism", "ISM output file")
    result = ISMResult.from_file(args.input, sequence_type=args.sequence_type)
    feature = args.feature
    if feature is None:
        if len(result.features) != 1:
            raise ValueError(
                f"{args.input} has {len(result.features)} features; choose one with --feature "
                f"(available: {', '.join(result.features[:20])}"
                f"{', ...' if len(result.features) > 20 else ''})"
            )
        feature = result.features[0]
    result.get_score_matrix_for(feature)  # an unknown feature lists the available ones
    if output is None:
        output = f"{_strip_tsv(args.input)}_{_safe_name(feature)}.png"
    figure = ism_figure(
        result,
        feature,
        args.start,
        args.end,
        logo=args.logo,
        reference_effect=args.reference_effect,
        label=args.label,
        base_scaling=args.base_scaling,
        position_scaling=args.position_scaling,
        order=args.order,
        cmap=args.cmap,
        mask_reference=args.mask_reference,
        per_row=args.per_row,
        dpi=args.dpi,
    )
    suffix = os.path.splitext(output)[1].lower()
    with atomic_path(output, suffix=suffix) as tmp:
        figure.savefig(tmp, dpi=args.dpi, format=suffix[1:])
    return output


# -- vep -------------------------------------------------------------------------------------
def _plot_vep(args: argparse.Namespace) -> str:
    from selene_sdk.interpret.scatter import variant_diffs_scatter_plot
    from selene_sdk.interpret.variants import load_variant_abs_diff_scores

    output = args.output
    if output is None:
        output = _strip_tsv(args.input) + ".html"
    if not output.lower().endswith(_HTML_FORMATS):
        raise ValueError(f"output {output!r}: choose a file name ending in .html")
    _check_kind(args.input, "vep", "variant effect prediction output")
    if args.hg_reference_version and not args.gene_bed:
        from selene_sdk.interpret.genes import packaged_gene_bed

        try:
            packaged_gene_bed(args.hg_reference_version)
        except FileNotFoundError:
            raise ValueError(
                f"no gene annotation is packaged for {args.hg_reference_version}; pass "
                "--gene-bed <gene BED file> instead (e.g. the gencode v28 "
                "protein_coding_l12_genes.bed of the original Selene)"
            ) from None
    scores, labels, features = load_variant_abs_diff_scores(args.input)
    filter_features = None
    if args.features:
        from selene_sdk.interpret._tables import check_features

        check_features(args.features, features)
        chosen = list(args.features)

        def filter_features(_names: list[str]) -> list[str]:
            return chosen

    variant_diffs_scatter_plot(
        scores,
        labels,
        features,
        output,
        filter_features=filter_features,
        nth_percentile=args.nth_percentile,
        hg_reference_version=args.hg_reference_version,
        threshold_line=args.threshold,
        auto_open=args.open,
        gene_bed=args.gene_bed,
        plotlyjs="inline" if args.inline else "shared",
    )
    return output


# -- attribution -----------------------------------------------------------------------------
def _add_attribution_arguments(kinds: Any) -> None:
    att = kinds.add_parser(
        "attribution",
        help="attribution logo of one sequence of an attribution output",
        description="Draw the attribution logo of one sequence of an `attribution` output "
        "(<name>_attributions.npz or .h5): at each position the letter present, as tall as "
        "its contribution to the feature (above the line: it raises the output).",
    )
    att.add_argument("input", help="attribution file (<name>_attributions.npz or .h5)")
    att.add_argument("-f", "--feature", help="feature to draw (required when the file has several)")
    att.add_argument(
        "-o",
        "--output",
        help="figure file, .png/.svg/.pdf (default: <input>_<name>_<feature>.png beside it)",
    )
    att.add_argument("--start", type=int, help="first position to draw (default 0)")
    att.add_argument("--end", type=int, help="one past the last position to draw (default L)")
    which = att.add_mutually_exclusive_group()
    which.add_argument("--index", type=int, help="0-based row of the sequence (default 0)")
    which.add_argument("--name", help="the sequence by name (FASTA name or chrom:start-end)")
    att.add_argument(
        "--hypothetical",
        action="store_true",
        help="draw the hypothetical contributions of every letter at every position (what "
        "motif discovery reads) instead of the letters present",
    )
    att.add_argument(
        "--per-row",
        type=int,
        help="positions per row (default: one row up to 100 positions, else rows of about "
        "80; 0: one row)",
    )
    att.add_argument("--dpi", type=int, default=150, help="resolution of PNG output (150)")


def _strip_attribution(path: str) -> str:
    for suffix in ("_attributions.npz", "_attributions.h5", ".npz", ".h5", ".hdf5"):
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _plot_attribution(args: argparse.Namespace) -> str:
    from selene_sdk.interpret.attribution_figure import attribution_figure
    from selene_sdk.interpret.attribution_file import DNA_ORDER, AttributionFile
    from selene_sdk.io.atomic import atomic_path

    output = args.output
    if output is not None and not output.lower().endswith(_FIGURE_FORMATS):
        raise ValueError(
            f"output {output!r}: choose a file name ending in {', '.join(_FIGURE_FORMATS)}"
        )
    if args.per_row is not None and args.per_row < 0:
        raise ValueError(f"--per-row must be 0 or more, got {args.per_row}")
    data = AttributionFile.from_file(args.input)
    feature = data.feature_index(args.feature)
    row = data.row_index(args.index, args.name)
    length = data.shape[2]
    start = 0 if args.start is None else args.start
    end = length if args.end is None else args.end
    if not 0 <= start < end <= length:
        raise ValueError(
            f"--start/--end must satisfy 0 <= start < end <= {length} (the sequence "
            f"length); got {start}, {end}"
        )
    if args.hypothetical:
        matrix = data.arrays(feature, row)["hypothetical"]
    else:
        matrix = data.contributions(feature, row)
    letters = data.alphabet
    order = data.dna_columns()
    if order is not None:
        matrix, letters = matrix[:, order], DNA_ORDER
    name, feature_name = data.names[row], data.features[feature]
    what = "hypothetical contributions" if args.hypothetical else "attribution"
    title = (
        f"{feature_name}: {data.settings['method']} {what} of {name} (row {row}), "
        f"positions {start}-{end - 1}"
    )
    figure = attribution_figure(
        matrix[start:end],
        letters,
        start,
        title=title,
        ylabel="hypothetical\ncontribution" if args.hypothetical else "contribution",
        per_row=args.per_row,
        dpi=args.dpi,
    )
    if output is None:
        stem = _strip_attribution(args.input)
        output = f"{stem}_{_safe_name(name)}_{_safe_name(feature_name)}.png"
    suffix = os.path.splitext(output)[1].lower()
    with atomic_path(output, suffix=suffix) as tmp:
        figure.savefig(tmp, dpi=args.dpi, format=suffix[1:])
    return output
