"""The original ``selene_sdk.interpret.vis`` import path; the functions live in small modules."""

from selene_sdk.interpret.heatmap import heatmap
from selene_sdk.interpret.logo import sequence_logo
from selene_sdk.interpret.rescale import rescale_score_matrix
from selene_sdk.interpret.scatter import variant_diffs_scatter_plot
from selene_sdk.interpret.variants import (
    load_variant_abs_diff_scores,
    ordered_variants_and_indices,
    sort_standard_chrs,
)

__all__ = [
    "heatmap",
    "load_variant_abs_diff_scores",
    "ordered_variants_and_indices",
    "rescale_score_matrix",
    "sequence_logo",
    "sort_standard_chrs",
    "variant_diffs_scatter_plot",
]
