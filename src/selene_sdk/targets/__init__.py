"""Labels for genomic windows (``Target``, ``GenomicFeatures``)."""

from selene_sdk.targets.genomic_features import GenomicFeatures
from selene_sdk.targets.target import Target

__all__ = ["GenomicFeatures", "Target"]
