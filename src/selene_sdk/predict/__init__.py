"""Prediction with trained models, in two tiers.

The array API (any alphabet, any device; arrays in, arrays or NamedTuples out):

* :func:`predict` -- ``(N, L, A)`` encodings -> ``(N, F)`` predictions;
* :func:`saturation_mutagenesis` -- every substitution of every position;
* :func:`variant_effects` -- paired reference/alternative encodings and their scores.

The file shell behind :class:`AnalyzeSequences` (Selene's interface): FASTA/BED
predictions, VCF variant effects and in silico mutagenesis written to files.
"""

from selene_sdk.predict import predict_handlers
from selene_sdk.predict.effects import VariantEffects, variant_effects
from selene_sdk.predict.model_predict import AnalyzeSequences
from selene_sdk.predict.mutagenesis import SaturationMutagenesis, saturation_mutagenesis
from selene_sdk.predict.prediction import predict

__all__ = [
    "AnalyzeSequences",
    "SaturationMutagenesis",
    "VariantEffects",
    "predict",
    "predict_handlers",
    "saturation_mutagenesis",
    "variant_effects",
]
