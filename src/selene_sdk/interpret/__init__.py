"""Interpretation: ISM result tables, sequence logos, heatmaps and variant score plots.

Plotting libraries (matplotlib, logomaker, plotly) are imported on first use, so importing
this package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "ISMResult",
    "heatmap",
    "load_variant_abs_diff_scores",
    "ordered_variants_and_indices",
    "rescale_score_matrix",
    "sequence_logo",
    "sort_standard_chrs",
    "variant_diffs_scatter_plot",
]

_LOCATIONS = {
    "ISMResult": "selene_sdk.interpret.ism_result",
    "heatmap": "selene_sdk.interpret.heatmap",
    "load_variant_abs_diff_scores": "selene_sdk.interpret.variants",
    "ordered_variants_and_indices": "selene_sdk.interpret.variants",
    "rescale_score_matrix": "selene_sdk.interpret.rescale",
    "sequence_logo": "selene_sdk.interpret.logo",
    "sort_standard_chrs": "selene_sdk.interpret.variants",
    "variant_diffs_scatter_plot": "selene_sdk.interpret.scatter",
}

if TYPE_CHECKING:  # pragma: no cover
    from selene_sdk.interpret.heatmap import heatmap
    from selene_sdk.interpret.ism_result import ISMResult
    from selene_sdk.interpret.logo import sequence_logo
    from selene_sdk.interpret.rescale import rescale_score_matrix
    from selene_sdk.interpret.scatter import variant_diffs_scatter_plot
    from selene_sdk.interpret.variants import (
        load_variant_abs_diff_scores,
        ordered_variants_and_indices,
        sort_standard_chrs,
    )


def __getattr__(name: str) -> Any:
    module = _LOCATIONS.get(name)
    if module is None:
        raise AttributeError(f"module 'selene_sdk.interpret' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
