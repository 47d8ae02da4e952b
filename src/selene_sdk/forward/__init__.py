"""The one forward path and the batched inference engine every model call goes through.

* :class:`ForwardPath`: layout, dtype, device, ``DataParallel``, the Lua case, evaluation
  mode for inference, and the caller's model handed back as it was (training, evaluation
  and analysis all call models through it);
* :class:`Engine` and the steps of :mod:`selene_sdk.forward.steps`: the speed machinery of
  analysis (recycled buffers, inputs patched in place, background preparation and
  consumption), used by every verb by declaring what its inputs are.
"""

from selene_sdk.forward.engine import Engine, ModelInputError
from selene_sdk.forward.path import (
    ForwardPath,
    as_output_array,
    model_device,
    resolve_device,
    to_model_layout,
)
from selene_sdk.forward.steps import Dense, Encode, Patch, Template, TemplateBatch, flat_cells
from selene_sdk.forward.threads import Sink, prefetch

__all__ = [
    "Dense",
    "Encode",
    "Engine",
    "ForwardPath",
    "ModelInputError",
    "Patch",
    "Sink",
    "Template",
    "TemplateBatch",
    "as_output_array",
    "flat_cells",
    "model_device",
    "prefetch",
    "resolve_device",
    "to_model_layout",
]
