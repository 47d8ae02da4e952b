"""Model loading (checkpoints, state dicts, model files), wrappers and reference architectures.

Building a model from a config's ``model:`` section (``initialize_model``) belongs to the
config layer: :mod:`selene_sdk.config.model_section`, documented as
``selene_sdk.utils.initialize_model``.
"""

from selene_sdk.models.danq import DanQ
from selene_sdk.models.deeper_deepsea import DeeperDeepSEA
from selene_sdk.models.deepsea import DeepSEA
from selene_sdk.models.heartenn import HeartENN
from selene_sdk.models.loading import (
    StateDictMismatchError,
    load_checkpoint,
    load_model_from_state_dict,
)
from selene_sdk.models.losses import MaskedMSELoss
from selene_sdk.models.lua import _is_lua_trained_model
from selene_sdk.models.model_file import BUILTIN_ARCHITECTURES, load_model_module
from selene_sdk.models.signal_cnn import SignalCNN
from selene_sdk.models.wrappers import MultiModelWrapper, NonStrandSpecific

__all__ = [
    "BUILTIN_ARCHITECTURES",
    "DanQ",
    "DeepSEA",
    "DeeperDeepSEA",
    "HeartENN",
    "MaskedMSELoss",
    "MultiModelWrapper",
    "NonStrandSpecific",
    "SignalCNN",
    "StateDictMismatchError",
    "_is_lua_trained_model",
    "load_checkpoint",
    "load_model_from_state_dict",
    "load_model_module",
]
