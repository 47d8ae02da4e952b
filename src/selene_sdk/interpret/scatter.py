"""Interactive (plotly HTML) scatter plot of each variant's largest score across features."""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from selene_sdk.interpret.genes import GeneIndex, packaged_gene_bed
from selene_sdk.interpret.variants import ordered_variants_and_indices
from selene_sdk.io.atomic import atomic_path

__all__ = ["variant_diffs_scatter_plot"]

# Above this many points the WebGL trace keeps the page responsive.
_WEBGL_MIN_POINTS = 20_000


def _kept_features(filter_features: Callable[[list[str]], Any], features: list[str]) -> np.ndarray:
    """Column indices chosen by ``filter_features(features)``: indices, booleans or names."""
    chosen = list(filter_features(list(features)))
    n = len(features)
    if chosen and all(isinstance(c, (bool, np.bool_)) for c in chosen):
        if len(chosen) != n:
            raise ValueError(f"filter_features returned {len(chosen)} booleans for {n} features")
        index = np.nonzero(np.asarray(chosen, dtype=bool))[0]
    elif chosen and all(isinstance(c, str) for c in chosen):
        lookup = {name: i for i, name in enumerate(features)}
        unknown = [c for c in chosen if c not in lookup]
        if unknown:
            raise ValueError(f"filter_features returned unknown feature name(s) {unknown[:5]}")
        index = np.array([lookup[c] for c in chosen], dtype=np.intp)
    else:
        index = np.asarray(chosen, dtype=np.intp).reshape(-1)
        if ((index < -n) | (index >= n)).any():
            raise ValueError(f"filter_features returned an index outside 0..{n - 1}")
    if index.size == 0:
        raise ValueError("filter_features kept no feature")
    return index


def _gene_index(gene_bed: str | os.PathLike | None, version: str | None) -> GeneIndex | None:
    if gene_bed is not None:
        return GeneIndex(gene_bed)
    if version is not None:
        return GeneIndex(packaged_gene_bed(version))
    return None


def _hover_text(
    labels: Sequence[Sequence[Any]],
    names: Sequence[str],
    scores: np.ndarray,
    best_features: list[str],
    genes: GeneIndex | None,
) -> list[str]:
    text = []
    for (chrom, pos, ref, alt), name, score, feature in zip(labels, names, scores, best_features):
        lines = [f"<b>{html.escape(name)}</b>"] if name and name != "." else []
        lines += [
            f"{chrom}:{pos} {ref or '-'}>{alt or '-'}",
            f"Max score: {score:.3e} ({html.escape(feature)})",
        ]
        if genes is not None:
            # VCF positions are 1-based; gene BED intervals 0-based half-open.
            found, overlapping = genes.genes_at(str(chrom), int(pos) - 1)
            if found:
                kind = "Overlapping" if overlapping else "Closest"
                lines.append(f"{kind} gene(s): {', '.join(found)}")
        text.append("<br>".join(lines))
    return text


def _plotlyjs(output_path: str, plotlyjs: str) -> bool | str:
    """``include_plotlyjs`` for plotly's ``write_html``; ``"shared"`` writes the bundle."""
    if plotlyjs == "inline":
        return True
    if plotlyjs == "cdn":
        return "cdn"
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    name = f"plotly-{get_plotlyjs_version()}.min.js"
    bundle = os.path.join(os.path.dirname(os.path.abspath(output_path)), name)
    code = get_plotlyjs().encode("utf-8")
    if not os.path.exists(bundle) or os.path.getsize(bundle) != len(code):
        os.makedirs(os.path.dirname(bundle), exist_ok=True)
        with atomic_path(bundle, suffix=".js") as tmp, open(tmp, "wb") as handle:
            handle.write(code)
    return name


def variant_diffs_scatter_plot(
    data: np.ndarray,
    labels: Sequence[Sequence[Any]],
    features: Sequence[str],
    output_path: str | os.PathLike,
    filter_features: Callable[[list[str]], Any] | None = None,
    labels_sort_fn: Callable[..., tuple[list[Any], list[int]]] = ordered_variants_and_indices,
    nth_percentile: float | None = None,
    hg_reference_version: str | None = None,
    threshold_line: float | None = None,
    auto_open: bool = False,
    gene_bed: str | os.PathLike | None = None,
    plotlyjs: str = "shared",
) -> Any:
    """Plot each variant's maximum score across features; write an interactive HTML page.

    Parameters
    ----------
    data
        ``(n_variants, n_features)`` scores (e.g. from
        :func:`~selene_sdk.interpret.load_variant_abs_diff_scores`).
    labels
        One label tuple per variant, starting ``chrom, pos, name, ref, alt``.
    features
        Feature names, one per column of ``data``.
    output_path
        HTML file to write (directories are created; written atomically).
    filter_features
        Optional function called with the list of feature names; it returns the features
        to keep as column indices, booleans or names. Default: all features.
    labels_sort_fn
        Function ``labels -> (ordered labels (chrom, pos, ref, alt), indices)`` giving the
        x order. Default :func:`~selene_sdk.interpret.ordered_variants_and_indices`.
    nth_percentile
        Keep only variants whose maximum score is at or above this percentile (0-100).
    hg_reference_version
        ``"hg19"`` or ``"hg38"``: add the overlapping or nearest gene(s) to the hover text
        from the gencode gene file packaged for that assembly. selene_sdk does not package
        those files, so this raises ``FileNotFoundError`` unless one was added; use
        ``gene_bed``.
    threshold_line
        Draw a horizontal line at this score.
    auto_open
        Open the page in a web browser after writing it.
    gene_bed
        Gene BED file (``chrom, start, end, name`` or the gencode ``chrom, start, end, .,
        name`` layout) for the hover text; takes precedence over ``hg_reference_version``.
    plotlyjs : {"shared", "inline", "cdn"}
        How the page loads plotly.js: ``"shared"`` (default) from
        ``plotly-<version>.min.js`` beside the page, written once per directory (the page
        stays small and opens offline; copy the two files together); ``"inline"`` embedded
        (a self-contained page of about 5 MB); ``"cdn"`` from the plotly CDN (needs the
        internet to open).

    Returns
    -------
    plotly.graph_objects.Figure
        The figure that was written.

    Raises
    ------
    ValueError
        If shapes disagree, no variant or feature is left, or arguments are out of range.
    FileNotFoundError
        If ``gene_bed`` does not exist, or ``hg_reference_version`` has no packaged file.
    """
    scores = np.asarray(data, dtype=np.float64)
    features = [str(f) for f in features]
    if scores.ndim != 2:
        raise ValueError(f"data must be 2-D (n_variants, n_features), got shape {scores.shape}")
    if scores.shape[0] != len(labels):
        raise ValueError(f"data has {scores.shape[0]} rows but there are {len(labels)} labels")
    if scores.shape[1] != len(features):
        raise ValueError(
            f"data has {scores.shape[1]} columns but there are {len(features)} features"
        )
    if scores.shape[0] == 0:
        raise ValueError("no variants to plot")
    if plotlyjs not in ("shared", "inline", "cdn"):
        raise ValueError(f"plotlyjs must be 'shared', 'inline' or 'cdn', got {plotlyjs!r}")
    if nth_percentile is not None and not 0 <= float(nth_percentile) <= 100:
        raise ValueError(f"nth_percentile must be within 0..100, got {nth_percentile}")
    genes = _gene_index(gene_bed, hg_reference_version)

    ###
    import plotly.graph_objects as go

    ordered_labels, indices = labels_sort_fn(labels)
    scores = scores[np.asarray(indices, dtype=np.intp)]
    columns = np.arange(len(features))
    if filter_features is not None:
        columns = _kept_features(filter_features, features)
        scores = scores[:, columns]
    # fmax ignores NaN scores (a variant with only NaN stays NaN and is not drawn).
    max_scores = np.fmax.reduce(scores, axis=1)
    best = np.where(np.isnan(scores), -np.inf, scores).argmax(axis=1)
    best_features = [features[int(columns[j])] for j in best]
    keep = np.arange(len(max_scores))
    if nth_percentile is not None:
        cutoff = np.nanpercentile(max_scores, float(nth_percentile))
        keep = np.nonzero(max_scores >= cutoff)[0]
    kept_labels = [tuple(ordered_labels[i][:4]) for i in keep.tolist()]
    # the variant IDs (VCF ID, the ``name`` column) of the rows in plotting order
    order = np.asarray(indices, dtype=np.intp)
    names = [str(labels[int(order[i])][2]) for i in keep.tolist()]
    x = [f"{chrom} {pos}" for chrom, pos, _, _ in kept_labels]
    y = max_scores[keep]
    text = _hover_text(kept_labels, names, y, [best_features[i] for i in keep.tolist()], genes)

    trace_type = go.Scattergl if len(x) >= _WEBGL_MIN_POINTS else go.Scatter
    figure = go.Figure(
        data=[
            trace_type(
                x=x,
                y=y,
                text=text,
                mode="markers",
                hoverinfo="text",
                marker={"size": 6, "color": "#1f77b4", "opacity": 0.8},
            )
        ],
        layout=go.Layout(
            title={"text": "Max probability difference scores"},
            xaxis={"title": {"text": "Genome coordinates"}, "type": "category"},
            yaxis={"title": {"text": "Absolute difference"}},
            hovermode="closest",
            showlegend=False,
        ),
    )
    if threshold_line is not None:
        figure.add_shape(
            type="line",
            xref="paper",
            x0=0,
            x1=1,
            y0=float(threshold_line),
            y1=float(threshold_line),
            line={"color": "#d62728", "width": 1.5, "dash": "dash"},
        )
    include = _plotlyjs(os.fspath(output_path), plotlyjs)
    with atomic_path(output_path, suffix=".html") as tmp:
        figure.write_html(tmp, include_plotlyjs=include, full_html=True, auto_open=False)
    if auto_open:
        import webbrowser

        webbrowser.open("file://" + os.path.abspath(os.fspath(output_path)))
    return figure
