"""Dry forward passes: what input a model takes and what it returns, found without data.

Used by ``selene validate`` (and the start of every run) to catch a model whose input
length, alphabet width or output width does not fit the configuration before any long
work, and to explain in words why a checkpoint's tensors do not fit a model. A probe runs
the model once on a zero batch on the CPU; the search for the input lengths that give a
layer its expected width stops each pass at that layer (a forward pre-hook), so it costs
a few partial passes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from selene_sdk.forward.path import ForwardPath, as_output_array

__all__ = [
    "LayerMismatch",
    "Probe",
    "describe_lengths",
    "input_hint",
    "lengths_giving",
    "probe_model",
]

#: The longest input a length search tries (longer models than this are not genomic windows
#: we can probe cheaply).
MAX_PROBE_LENGTH = 1 << 18


@dataclass(frozen=True)
class LayerMismatch:
    """A layer that received an input of the wrong width.

    ``kind`` is ``"linear"`` (``got``/``expected`` are input features of an ``nn.Linear``)
    or ``"channels"`` (input channels of the first convolution or recurrent layer).
    """

    name: str
    kind: str
    expected: int
    got: int


@dataclass(frozen=True)
class Probe:
    """The result of one dry forward pass at ``length`` with ``width`` input channels."""

    length: int
    width: int
    output_width: int | None  # outputs per sequence, None when the pass failed
    error: str | None  # first line of the error, None on success
    mismatch: LayerMismatch | None  # the layer that rejected the input, when known

    @property
    def ok(self) -> bool:
        return self.error is None


class _Stop(Exception):
    """Raised by a hook to end a pass early (the hook has recorded what it saw)."""


def _layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    named = [(n, m) for n, m in model.named_modules() if n]
    return [(n, m) for n, m in named if isinstance(m, nn.Linear | nn.modules.conv._ConvNd)] + [
        (n, m) for n, m in named if isinstance(m, nn.RNNBase)
    ]


def _zeros(length: int, width: int) -> torch.Tensor:
    return torch.zeros((1, width, length), dtype=torch.float32)


def _run(model: nn.Module, length: int, width: int, hooks: dict[nn.Module, object]):
    """One pass under inference mode with ``hooks`` (module -> pre-hook) installed."""
    handles = [m.register_forward_pre_hook(h) for m, h in hooks.items()]
    try:
        path = ForwardPath(model, "cpu")
        with path.inference(), torch.inference_mode():
            return path(_zeros(length, width))
    finally:
        for handle in handles:
            handle.remove()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}".rstrip(": ")


def probe_model(model: nn.Module, length: int, width: int) -> Probe:
    """Run ``model`` once on a zero batch of shape ``(1, length, width)`` (the encoders'
    layout; the model gets ``(1, width, length)``).

    Returns the number of outputs per sequence, or the error and, when one of its linear,
    convolutional or recurrent layers got an input of the wrong width, that layer. The
    model is handed back in its mode and on its device.
    """
    seen: list[LayerMismatch] = []

    def watch(name: str, module: nn.Module):
        def hook(_module, args):
            if not args or not isinstance(args[0], torch.Tensor):
                return
            x = args[0]
            if isinstance(module, nn.Linear) and x.shape[-1] != module.in_features:
                seen.append(LayerMismatch(name, "linear", module.in_features, int(x.shape[-1])))
                raise _Stop
            if isinstance(module, nn.modules.conv._ConvNd) and x.dim() >= 2:
                if x.shape[1] != module.in_channels:
                    seen.append(
                        LayerMismatch(name, "channels", module.in_channels, int(x.shape[1]))
                    )
                    raise _Stop
            if isinstance(module, nn.RNNBase) and x.shape[-1] != module.input_size:
                seen.append(LayerMismatch(name, "channels", module.input_size, int(x.shape[-1])))
                raise _Stop

        return hook

    hooks = {m: watch(n, m) for n, m in _layers(model)}
    try:
        out = _run(model, length, width, hooks)
    except _Stop:
        m = seen[-1]
        what = "input features" if m.kind == "linear" else "input channels"
        error = f"layer {m.name} expects {m.expected} {what}, got {m.got}"
        return Probe(length, width, None, error, m)
    except Exception as exc:  # any model code may raise anything on a bad shape
        return Probe(length, width, None, _first_line(exc), None)
    try:
        width_out = int(as_output_array(out).shape[1])
    except Exception as exc:
        return Probe(length, width, None, _first_line(exc), None)
    return Probe(length, width, width_out, None, None)


def _width_at(model: nn.Module, name: str, length: int, width: int) -> int:
    """Input width that layer ``name`` receives at ``length`` (-1 if the pass fails first)."""
    module = dict(model.named_modules())[name]
    seen: list[int] = []

    def hook(_module, args):
        seen.append(int(args[0].shape[-1]))
        raise _Stop

    try:
        _run(model, length, width, {module: hook})
    except _Stop:
        return seen[0]
    except Exception:
        return -1
    return -1


def lengths_giving(
    model: nn.Module, name: str, features: int, width: int, start: int = 1000
) -> tuple[int, int] | None:
    """The range ``(shortest, longest)`` of input lengths at which the ``nn.Linear`` layer
    ``name`` receives ``features`` inputs, or None when no length does.

    Assumes (as holds for stacks of convolutions and pooling) that the width the layer
    receives never shrinks as the input grows; a layer whose input does not depend on
    the length (after global pooling) gives None unless it already fits.
    """

    def at(length: int) -> int:
        return _width_at(model, name, length, width)

    hi = max(int(start), 16)
    while at(hi) < features:
        if hi >= MAX_PROBE_LENGTH:
            return None
        hi = min(hi * 2, MAX_PROBE_LENGTH)

    def first(predicate, lo: int, hi: int) -> int:
        """Smallest length in [lo, hi] where predicate holds (it holds at hi)."""
        while lo < hi:
            mid = (lo + hi) // 2
            if predicate(mid):
                hi = mid
            else:
                lo = mid + 1
        return lo

    shortest = first(lambda n: at(n) >= features, 1, hi)
    if at(shortest) != features:
        return None
    top = hi
    while at(top) <= features:
        if top >= MAX_PROBE_LENGTH:
            return shortest, top
        top = min(top * 2, MAX_PROBE_LENGTH)
    return shortest, first(lambda n: at(n) > features, shortest, top) - 1


def _roundest(lo: int, hi: int) -> int | None:
    """The 'roundest' length in [lo, hi] (most trailing zeros, then multiples of 5)."""
    for step in (10_000, 5_000, 1_000, 500, 100, 50, 10):
        first = -(-lo // step) * step
        if first <= hi:
            return first
    return None


def describe_lengths(span: tuple[int, int]) -> str:
    """``(993, 1056)`` -> ``"1000 (any length from 993 to 1056 gives that)"``."""
    lo, hi = span
    if lo == hi:
        return str(lo)
    likely = _roundest(lo, hi)
    if likely is None:
        return f"{lo}-{hi}"
    return f"{likely} (any length from {lo} to {hi} gives that)"


def input_hint(model: nn.Module, length: int, width: int) -> str | None:
    """One sentence on what input ``model`` expects when it fails at ``(length, width)``:
    the input length (or channel count) its first mismatched layer was built for. None
    when the probe finds nothing more specific (the hint never raises)."""
    try:
        probe = probe_model(model, length, width)
        m = probe.mismatch
        if probe.ok or m is None:
            return None
        if m.kind == "channels":
            return f"the model's layer {m.name} takes {m.expected} input channels, not {width}"
        span = lengths_giving(model, m.name, m.expected, width, start=length)
    except Exception:
        return None
    if span is None:
        return f"the model's layer {m.name} takes {m.expected} inputs but gets {m.got}"
    return (
        f"the model expects input length {describe_lengths(span)}, not {length}: its layer "
        f"{m.name} takes {m.expected} inputs"
    )
