"""Labels for genomic windows (``Target``, ``GenomicFeatures``, ``GenomicFeaturesH5``,
``BigWigTargets``)."""

from selene_sdk.targets import genomic_features_h5
from selene_sdk.targets.bigwig import BigWigTargets
from selene_sdk.targets.genomic_features import GenomicFeatures
from selene_sdk.targets.genomic_features_h5 import GenomicFeaturesH5
from selene_sdk.targets.target import Target

__all__ = ["BigWigTargets", "GenomicFeatures", "GenomicFeaturesH5", "Target", "genomic_features_h5"]
