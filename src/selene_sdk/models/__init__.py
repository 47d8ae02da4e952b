"""Model loading (checkpoints, state dicts), wrappers and reference architectures."""

from selene_sdk.models.loading import (
    StateDictMismatchError,
    load_checkpoint,
    load_model_from_state_dict,
)
from selene_sdk.models.wrappers import MultiModelWrapper, NonStrandSpecific

__all__ = [
    "MultiModelWrapper",
    "NonStrandSpecific",
    "StateDictMismatchError",
    "load_checkpoint",
    "load_model_from_state_dict",
]
