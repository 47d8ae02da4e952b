"""The layers fast ISM can run on windows: convolutions, pooling and point-wise layers
(activations, batch norm in evaluation mode, dropout), recognised in a traced graph."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import fx, nn


class Unsupported(Exception):
    """The model cannot be decomposed for fast ISM (the message says why)."""


# -- the layers of the chain ---------------------------------------------------------------------
_POINTWISE_MODULES = (
    nn.ReLU,
    nn.ReLU6,
    nn.LeakyReLU,
    nn.PReLU,
    nn.ELU,
    nn.SELU,
    nn.CELU,
    nn.GELU,
    nn.SiLU,
    nn.Mish,
    nn.Sigmoid,
    nn.LogSigmoid,
    nn.Tanh,
    nn.Softplus,
    nn.Softsign,
    nn.Hardtanh,
    nn.Hardswish,
    nn.Hardsigmoid,
    nn.Threshold,
    nn.Identity,
    nn.Dropout,
    nn.Dropout1d,
    nn.Dropout2d,
    nn.AlphaDropout,
)
_POINTWISE_FUNCTIONS = {
    torch.relu,
    torch.sigmoid,
    torch.tanh,
    torch.exp,
    torch.abs,
    torch.square,
    F.relu,
    F.relu6,
    F.elu,
    F.selu,
    F.celu,
    F.gelu,
    F.silu,
    F.mish,
    F.leaky_relu,
    F.softplus,
    F.hardtanh,
    F.sigmoid,
    F.tanh,
    F.dropout,
    F.dropout1d,
    operator.add,
    operator.sub,
    operator.mul,
    operator.truediv,
    torch.add,
    torch.sub,
    torch.mul,
    torch.div,
    torch.clamp,
}
_POINTWISE_METHODS = {
    "relu",
    "sigmoid",
    "tanh",
    "exp",
    "abs",
    "square",
    "clamp",
    "add",
    "sub",
    "mul",
    "div",
    "contiguous",
}


@dataclass
class Layer:
    """One layer of the decomposed chain.

    ``full`` is the layer as the model runs it (on ``(B, C, L)``, or ``(B, C, 1, L)`` in
    Lua-style models). The windows of mutants are ``(B, C, 1, W)`` tensors, best in
    channels-last memory (position-major, which the convolutions run fastest on): a
    positional layer (convolution, pooling) runs on them as ``window``, the layer without
    its padding, with its geometry (output ``o`` reads inputs ``o * stride - left + j *
    dilation`` for ``j < kernel``; the padding holds ``pad_value``); a point-wise layer
    runs on them as ``point``. A convolution of stride 1 without groups also keeps its
    ``weight`` ``(C_out, C_in, kernel)``: it is linear, so a mutant's outputs are the
    reference's plus the convolution of the input's change alone (:meth:`change`).
    """

    name: str
    full: Callable[[torch.Tensor], torch.Tensor]
    window: Callable[[torch.Tensor], torch.Tensor] | None = None
    point: Callable[[torch.Tensor], torch.Tensor] | None = None
    kernel: int = 1
    stride: int = 1
    dilation: int = 1
    left: int = 0
    pad_value: float = 0.0
    weight: torch.Tensor | None = None
    _updates: dict[tuple, torch.Tensor] = field(default_factory=dict, repr=False)

    @property
    def reach(self) -> int:
        """How many positions before an output its first input lies."""
        return (self.kernel - 1) * self.dilation

    def change(self, delta: torch.Tensor) -> torch.Tensor:
        """The change ``(B, W + reach, C_out)`` of the outputs that read a change ``delta``
        ``(B, W, C_in)`` of ``W`` consecutive inputs (both position-major). Output ``t``
        reads input ``j`` through tap ``(reach + j - t) / dilation``: a transposed
        convolution with the kernel flipped, which multiplies only the changed inputs
        (running the layer on the window multiplies all it reads). For a few inputs (a
        base or two of a one-hot sequence) one product with the ``(W * C_in, (W + reach)
        * C_out)`` matrix of that map is faster."""
        b, width, c_in = delta.shape
        if width * c_in <= _SMALL_CHANGE:
            matrix = self._cached("matrix", width, delta)
            return (delta.reshape(b, -1) @ matrix).view(b, width + self.reach, -1)
        weight = self._cached("flipped", 0, delta)
        out = F.conv_transpose2d(
            delta.transpose(1, 2).unsqueeze(2), weight, dilation=(1, self.dilation)
        )
        return out.squeeze(2).transpose(1, 2)

    def _cached(self, kind: str, width: int, like: torch.Tensor) -> torch.Tensor:
        """The weights :meth:`change` uses, made once per device and type (and width)."""
        key = (kind, width, like.device, like.dtype)
        made = self._updates.get(key)
        if made is None:
            w = self.weight.detach().to(like.device, like.dtype)  # (C_out, C_in, k)
            if kind == "flipped":  # (C_in, C_out, 1, k), the transposed convolution's
                made = w.flip(2).transpose(0, 1).unsqueeze(2).contiguous()
            else:
                c_out, c_in, _ = w.shape
                made = w.new_zeros(width, c_in, width + self.reach, c_out)
                for j in range(width):
                    for tap in range(self.kernel):
                        made[j, :, j + self.reach - tap * self.dilation] = w[:, :, tap].T
                made = made.reshape(width * c_in, -1)
            self._updates[key] = made
        return made


#: Largest ``W * C_in`` of a change that :meth:`Layer.change` multiplies as one matrix
#: (a transposed convolution of a 4 x 1 input ran 10x slower than the product).
_SMALL_CHANGE = 32


def _one(value) -> int:
    """The length-axis entry of a 1-d (int) or Lua-style 2-d (``(1, k)``) layer setting."""
    if isinstance(value, int):
        return value
    return int(tuple(value)[-1])


def _check_height(module: nn.Module, lua: bool) -> None:
    """A 2-d layer of a Lua-style model must leave the height axis (of size 1) alone."""
    if not lua:
        raise Unsupported(f"{type(module).__name__} on a model without the Lua input axis")
    for attr, ok in (("kernel_size", 1), ("stride", 1), ("dilation", 1), ("padding", 0)):
        value = getattr(module, attr, ok)
        if isinstance(value, str):
            continue
        first = value if isinstance(value, int) else next(iter(value))
        if attr in ("kernel_size", "stride") and isinstance(value, int) and value != 1:
            raise Unsupported(f"{type(module).__name__} with a square {attr} {value}")
        if first != ok:
            raise Unsupported(f"{type(module).__name__} with {attr} {value} on the height axis")


def _pointwise(name: str, fn: Callable[[torch.Tensor], torch.Tensor], lua: bool) -> Layer:
    """A point-wise layer: on windows as on the model's tensors (the height axis taken
    off around the call for 1-d models)."""
    point = fn if lua else (lambda t: fn(t.squeeze(2)).unsqueeze(2))
    return Layer(name, fn, point=point)


def _conv(name: str, module: nn.Conv1d | nn.Conv2d, lua: bool) -> Layer:
    if module.padding_mode != "zeros":
        raise Unsupported(f"{name}: padding_mode {module.padding_mode!r}")
    one_d = isinstance(module, nn.Conv1d)
    if not one_d:
        _check_height(module, lua)
    elif lua:
        raise Unsupported(f"{name}: a Conv1d in a model given the Lua input axis")
    k, s, d = _one(module.kernel_size), _one(module.stride), _one(module.dilation)
    if isinstance(module.padding, str):
        left = 0 if module.padding == "valid" else d * (k - 1) // 2
    else:
        left = _one(module.padding)

    def window(t):
        weight = module.weight.unsqueeze(2) if one_d else module.weight
        return F.conv2d(t, weight, module.bias, (1, s), 0, (1, d), module.groups)

    linear = s == 1 and module.groups == 1
    weight = (module.weight if one_d else module.weight.squeeze(2)) if linear else None
    return Layer(name, module, window, None, k, s, d, left, 0.0, weight)


def _pool(name: str, module: nn.Module, lua: bool) -> Layer:
    if isinstance(module, nn.MaxPool2d | nn.AvgPool2d):
        _check_height(module, lua)
    elif lua:
        raise Unsupported(f"{name}: a 1-d pooling layer in a model given the Lua input axis")
    k = _one(module.kernel_size)
    s = _one(module.stride if module.stride is not None else module.kernel_size)
    left = _one(module.padding)
    if isinstance(module, nn.MaxPool1d | nn.MaxPool2d):
        if module.return_indices:
            raise Unsupported(f"{name}: max pooling with return_indices")
        d = _one(module.dilation)
        pad = -math.inf  # what max pooling's padding holds (a window past the end included)

        def window(t):
            return F.max_pool2d(t, (1, k), (1, s), 0, (1, d))
    else:
        d = 1
        # Explicit zero padding is average pooling's count_include_pad; a ceil-mode window
        # past the end would be divided by its clipped size, which explicit padding is not.
        if module.ceil_mode or (left and not module.count_include_pad):
            raise Unsupported(f"{name}: average pooling with ceil_mode or count_include_pad=False")
        if getattr(module, "divisor_override", None):
            raise Unsupported(f"{name}: average pooling with divisor_override")
        pad = 0.0

        def window(t):
            return F.avg_pool2d(t, (1, k), (1, s), 0)

    return Layer(name, module, window, None, k, s, d, left, pad)


def _module_layer(name: str, module: nn.Module, lua: bool) -> Layer | None:
    if isinstance(module, nn.Conv1d | nn.Conv2d):
        return _conv(name, module, lua)
    if isinstance(module, nn.MaxPool1d | nn.MaxPool2d | nn.AvgPool1d | nn.AvgPool2d):
        return _pool(name, module, lua)
    if isinstance(module, nn.BatchNorm1d | nn.BatchNorm2d):
        if module.training or module.running_mean is None:
            # batch statistics: each output depends on the whole batch
            return None
        return _pointwise(name, module, lua)
    if isinstance(module, _POINTWISE_MODULES):
        if module.training and not isinstance(module, nn.Identity):
            return None
        return _pointwise(name, module, lua)
    return None


def _constant(value) -> bool:
    return not isinstance(value, fx.Node | torch.Tensor) and not (
        isinstance(value, list | tuple) and any(isinstance(v, fx.Node) for v in value)
    )


def node_layer(gm: fx.GraphModule, node: fx.Node, previous: fx.Node, lua: bool):
    """The layer ``node`` computes from ``previous`` alone, or None (not decomposable)."""
    args = list(node.args)
    if not args or args[0] is not previous:
        return None
    rest_ok = all(_constant(a) for a in args[1:]) and all(
        _constant(v) for v in node.kwargs.values()
    )
    if node.op == "call_module":
        if len(args) != 1 or node.kwargs:
            return None
        return _module_layer(str(node.target), gm.get_submodule(node.target), lua)
    if not rest_ok:
        return None
    kwargs = dict(node.kwargs)
    rest = args[1:]
    if node.op == "call_function" and node.target in _POINTWISE_FUNCTIONS:
        target = node.target
        if target in (F.dropout, F.dropout1d):
            training = kwargs.get("training", rest[1] if len(rest) > 1 else True)
            if training:
                return None
        if target in (operator.add, operator.sub, operator.mul, operator.truediv) and not all(
            isinstance(a, int | float) for a in rest
        ):
            return None
        return _pointwise(node.name, lambda t: target(t, *rest, **kwargs), lua)
    if node.op == "call_method" and node.target in _POINTWISE_METHODS:
        method = node.target
        return _pointwise(node.name, lambda t: getattr(t, method)(*rest, **kwargs), lua)
    return None
