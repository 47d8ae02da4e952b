"""The bundled demo (``make demo`` / ``python -m selene_sdk.demo``) and its synthetic data."""

from selene_sdk.demo.synthetic import MOTIFS, SyntheticData, make_synthetic_data

__all__ = ["MOTIFS", "SyntheticData", "make_synthetic_data"]
