"""Prediction with trained models: sequences, variant effects and in silico mutagenesis."""

from selene_sdk.predict import predict_handlers
from selene_sdk.predict.model_predict import AnalyzeSequences

__all__ = ["AnalyzeSequences", "predict_handlers"]
