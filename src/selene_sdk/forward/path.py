"""The one forward path: how every part of the package calls a model.

Training, validation, evaluation and every analysis verb go through :class:`ForwardPath`,
which owns what must be the same everywhere: the layout (encodings are ``(B, L, A)``,
models take ``(B, A, L)``; ``(B, A, 1, L)`` for models in the layout of Lua-Torch ports),
float32 inputs, the device (and ``DataParallel`` over several GPUs), evaluation mode for
inference, and handing the caller's model back as it was found.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import numpy as np
import torch
from torch import nn

from selene_sdk.errors import SeleneWarning
from selene_sdk.forward.precision import (
    ModelCompileError,
    autocast,
    is_compile_failure,
    resolve_precision,
)
from selene_sdk.models.lua import _is_lua_trained_model

__all__ = ["ForwardPath", "model_device", "resolve_device", "to_model_layout"]


def to_model_layout(encodings: np.ndarray | torch.Tensor) -> np.ndarray | torch.Tensor:
    """``(B, L, A)`` encodings -> contiguous float32 ``(B, A, L)`` (numpy in, numpy out;
    tensor in, tensor out)."""
    if isinstance(encodings, torch.Tensor):
        return encodings.transpose(1, 2).to(torch.float32).contiguous()
    return np.ascontiguousarray(np.swapaxes(encodings, 1, 2), dtype=np.float32)


def resolve_device(device: str | torch.device | None = None, use_cuda: bool = False):
    """The device to run on: ``device`` if given; else ``cuda`` when ``use_cuda`` and a
    CUDA device exists (the CPU with a warning when none does); else None, meaning
    "wherever the model already is"."""
    if device is not None:
        return torch.device(device)
    if not use_cuda:
        return None
    if torch.cuda.is_available():
        return torch.device("cuda")
    warnings.warn(
        "use_cuda is set but no CUDA device is available (torch.cuda.is_available() is "
        "False); running on the CPU instead.",
        SeleneWarning,
        stacklevel=3,
    )
    return torch.device("cpu")


def model_device(model: nn.Module) -> torch.device:
    """The device of a model's first parameter (or buffer); the CPU for a model with
    neither."""
    for tensor in model.parameters():
        return tensor.device
    for tensor in model.buffers():
        return tensor.device
    return torch.device("cpu")


class ForwardPath:
    """A model, where it runs and the input layout it takes.

    Parameters
    ----------
    model
        The caller's model. It is moved to ``device`` (and put in evaluation mode) only
        inside :meth:`inference` or by :meth:`place`; :meth:`inference` hands it back on
        its device and in the mode of each of its modules as it found them.
    device
        Where to run: a device, or None for the device the model is on.
    data_parallel
        Spread batches over all CUDA devices with ``torch.nn.DataParallel`` (a warning
        and a single device when fewer than two are in use). The caller's model is never
        wrapped: checkpoints of it carry no ``module.`` prefix.
    lua
        Feed ``(B, A, 1, L)`` inputs (Selene's convention for models with a ``Conv2d``
        layer, §5.3 of the spec). None detects it; training passes False (Selene adds the
        axis only in prediction and evaluation).
    precision
        ``32`` (default), ``bf16`` or ``fp16``: autocast around the forward pass (see
        :mod:`selene_sdk.forward.precision`); outputs are float32 either way.
    compile
        Run the model through ``torch.compile`` (the caller's model itself is not
        changed; its checkpoints have no ``_orig_mod.`` prefix). A model that cannot be
        compiled raises :class:`~selene_sdk.forward.precision.ModelCompileError` at its
        first forward pass.
    """

    def __init__(
        self,
        model: nn.Module,
        device: str | torch.device | None = None,
        *,
        data_parallel: bool = False,
        lua: bool | None = None,
        precision: str | int | None = None,
        compile: bool = False,
    ):
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be a torch.nn.Module instance, got {type(model).__name__}")
        self.model = model
        self.device = torch.device(device) if device is not None else model_device(model)
        self.lua = _is_lua_trained_model(model) if lua is None else bool(lua)
        #: what :meth:`__call__` runs (training): the model, or a DataParallel /
        #: DistributedDataParallel wrapper of it
        self.module: nn.Module = model
        #: what inference runs: never the DDP wrapper, whose forward is a collective
        #: (ranks scoring different numbers of batches would wait on each other)
        self.inference_module: nn.Module = model
        #: the autocast dtype (None: float32)
        self.autocast_dtype = resolve_precision(precision)
        self.compiled = bool(compile)
        self._compile_checked = not self.compiled
        if self.compiled:
            self.module = self.inference_module = torch.compile(model)
        if data_parallel:
            if self.device.type == "cuda" and torch.cuda.device_count() > 1:
                self.module = self.inference_module = nn.DataParallel(self.module)
            else:
                warnings.warn(
                    "data_parallel is set but fewer than two CUDA devices are in use; "
                    "running without DataParallel.",
                    SeleneWarning,
                    stacklevel=3,
                )
        #: whether inputs are copied to another device (then the model cannot change ours)
        self.on_cpu = self.device.type == "cpu"
        self._pin = self.device.type == "cuda"

    # -- placement --------------------------------------------------------------------------
    def place(self) -> ForwardPath:
        """Move the model to the device (for a caller that keeps it there, e.g. training)."""
        self.model.to(self.device)
        return self

    @contextlib.contextmanager
    def inference(self) -> Iterator[ForwardPath]:
        """Evaluation mode on the device for the block, then the model's own modes and
        device again (also when the block raises)."""
        modes = [(m, m.training) for m in self.model.modules()]
        before = model_device(self.model)
        moved = before != self.device
        if moved:
            self.model.to(self.device)
        self.model.eval()
        try:
            yield self
        finally:
            for module, training in modes:
                module.training = training
            if moved:
                self.model.to(before)

    def distribute(self) -> ForwardPath:
        """Train with ``DistributedDataParallel`` (under torchrun; call after :meth:`place`):
        gradients are averaged over the ranks at every step. The caller's model is not
        wrapped (its checkpoints carry no ``module.`` prefix) and inference runs it alone."""
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device.index or 0] if self.device.type == "cuda" else None
        self.module = DistributedDataParallel(self.inference_module, device_ids=ids)
        return self

    # -- inputs and the forward pass ----------------------------------------------------------
    def tensor(self, encodings: np.ndarray | torch.Tensor) -> torch.Tensor:
        """``(B, L, A)`` encodings -> the model's input tensor on its device."""
        return self.model_input(torch.as_tensor(to_model_layout(encodings)))

    def model_input(self, x: torch.Tensor) -> torch.Tensor:
        """A ``(B, A, L)`` float32 tensor -> the model's input: the Lua axis added and on
        the device (no copy when it is there already)."""
        if self.lua:
            x = x.unsqueeze(2)
        if x.device != self.device:
            x = x.to(self.device, non_blocking=self._pin)
        return x

    def __call__(self, x: torch.Tensor):
        """The model's output for a ``(B, A, L)`` float32 tensor (any device), in the
        autocast dtype when one is set (callers cast to float32)."""
        return self._run(self.module, self.model_input(x))

    def _run(self, module: nn.Module, x: torch.Tensor):
        with autocast(self.device, self.autocast_dtype):
            if self._compile_checked:
                return module(x)
            try:
                out = module(x)
            except Exception as exc:
                if not is_compile_failure(exc):
                    raise
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                raise ModelCompileError(
                    f"compile: True, but torch.compile could not compile "
                    f"{type(self.model).__name__} ({type(exc).__name__}: {first}); set "
                    "compile: False to run it as it is"
                ) from exc
            self._compile_checked = True
            return out

    def predict(self, encodings: np.ndarray | torch.Tensor) -> np.ndarray:
        """Float32 numpy ``(B, F)`` predictions for ``(B, L, A)`` encodings (inference
        mode; the caller decides the model's mode, see :meth:`inference`)."""
        with torch.inference_mode():
            out = self._run(self.inference_module, self.tensor(encodings))
        return as_output_array(out)

    def infer(self, x: torch.Tensor):
        """Like :meth:`__call__` but for inference (no DDP wrapper; see
        ``inference_module``)."""
        return self._run(self.inference_module, self.model_input(x))


def as_output_array(out) -> np.ndarray:
    """A model output -> float32 numpy ``(B, F)`` on the CPU (one tensor expected)."""
    if type(out) is not torch.Tensor:
        if isinstance(out, tuple | list):
            raise TypeError(
                f"the model returned a {type(out).__name__}; prediction needs one tensor "
                "of shape (batch, features)"
            )
        out = torch.as_tensor(out)
    if out.dim() != 2:
        out = out.reshape(out.shape[0], -1)
    if out.device.type != "cpu" or out.dtype != torch.float32:
        out = out.to("cpu", torch.float32)
    return out.detach().numpy()
