"""A decomposed model: the reference sequence's activations, and the mutants' windows
carried through the layers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from selene_sdk.predict.fast_ism.layers import Layer
from selene_sdk.predict.fast_ism.tail import Tail


@dataclass
class _Reference:
    """The reference sequence's activations, position-major: the template ``(L, A)``,
    each positional layer's padded input ``(L', C)`` (``padded``), each linear
    convolution's output ``(L_out, C_out)`` (``outputs``), each layer's output length, the
    chain's output (``final`` ``(C, L_f)`` and ``final_t`` ``(L_f, C)``) and what the
    tail needs of it."""

    template: torch.Tensor
    padded: list[torch.Tensor | None]
    outputs: list[torch.Tensor | None]
    lengths: list[int]
    final: torch.Tensor
    final_t: torch.Tensor
    tail: dict[str, torch.Tensor]
    lua: bool
    _windows: dict[tuple, torch.Tensor] = field(default_factory=dict)
    _buffers: dict[tuple, torch.Tensor] = field(default_factory=dict)

    def _source(self, key: tuple[str, int]) -> torch.Tensor:
        kind, i = key
        if kind == "final":
            return self.final_t
        return self.padded[i] if kind == "in" else self.outputs[i]

    def windows(
        self, key: tuple[str, int], need: int, stride: int, starts: np.ndarray
    ) -> torch.Tensor:
        """The windows of ``need`` positions at ``starts * stride`` of a position-major
        activation (``key``: ``("in", i)`` layer ``i``'s padded input, ``("out", i)`` its
        output, ``("final", 0)`` the chain's output), ``(B, need, C)``, in a buffer kept
        for the next batch. Every window is made once per sequence, so a batch's are one
        ``index_select``."""
        source = self._source(key)
        table = self._windows.get((key, need, stride))
        if table is None:
            table = (
                source.unfold(0, need, stride).transpose(1, 2).reshape(-1, need * source.shape[1])
            )
            self._windows[(key, need, stride)] = table
        # Into a buffer kept for the next batch: a new multi-MB output each time cost more
        # in page faults than the gather (5 ms against 0.1 ms). On a 2-d table: on a 3-d
        # one, index_select was 10x slower for some shapes.
        out = self._buffers.get((key, need, len(starts)))
        if out is None:
            out = self._buffers[(key, need, len(starts))] = table.new_empty(
                len(starts), table.shape[1]
            )
        torch.index_select(table, 0, torch.as_tensor(starts, device=table.device), out=out)
        return out.view(len(starts), need, source.shape[1])


def _rows_view(x: torch.Tensor) -> torch.Tensor:
    """``(B, W, C)`` -> the ``(B, C, 1, W)`` channels-last view of the same memory."""
    return x.transpose(1, 2).unsqueeze(2)


class FastMutagenesis:
    """A model decomposed for fast ISM (see the package docstring); build it with
    :func:`~selene_sdk.predict.fast_ism.build_fast_mutagenesis`.

    Use: ``ref = plan.prepare(template)`` once per sequence (``template``: its ``(A, L)``
    model-layout encoding), then ``plan.mutants(ref, positions, values)`` per batch of
    mutants, each the template with ``values[b, j]`` (``(A,)``) at ``positions[b, j]``.
    """

    def __init__(self, layers: list[Layer], tail: Tail, lua: bool, length: int):
        self.layers = layers
        self.tail = tail
        self.lua = lua
        self.length = length

    @property
    def cheap_tail(self) -> bool:
        """Whether the layers after the chain cost a mutant the same at any length (else
        they run in full, and may cost more than the windows save)."""
        return self.tail.cheap

    def describe(self) -> str:
        windowed = sum(layer.window is not None for layer in self.layers)
        linear = sum(layer.weight is not None for layer in self.layers)
        return (
            f"{windowed} positional layers on windows ({linear} convolutions from the "
            f"input's change), {self.tail.describe()}"
        )

    @torch.inference_mode()
    def prepare(self, template: torch.Tensor) -> _Reference:
        h = template.unsqueeze(0)
        if self.lua:
            h = h.unsqueeze(2)
        padded: list[torch.Tensor | None] = []
        outputs: list[torch.Tensor | None] = []
        lengths: list[int] = []
        for layer in self.layers:
            out = layer.full(h.clone())  # (a clone: an in-place layer must not change h)
            l_in, l_out = h.shape[-1], out.shape[-1]
            lengths.append(l_out)
            outputs.append(None if layer.weight is None else out.reshape(-1, l_out).T.contiguous())
            if layer.window is None:
                padded.append(None)
            else:
                last = (l_out - 1) * layer.stride - layer.left
                right = max(0, last + (layer.kernel - 1) * layer.dilation + 1 - l_in)
                pad = F.pad(h.reshape(h.shape[1], l_in), (layer.left, right), value=layer.pad_value)
                padded.append(pad.T.contiguous())
            h = out
        final = h.reshape(h.shape[1], h.shape[-1])
        return _Reference(
            template.T.contiguous(),
            padded,
            outputs,
            lengths,
            final,
            final.T.contiguous(),
            self.tail.prepare(final),
            self.lua,
        )

    @torch.inference_mode()
    def mutants(self, ref: _Reference, positions: np.ndarray, values: torch.Tensor) -> torch.Tensor:
        """``(B, F)`` predictions of the mutants: ``positions`` ``(B, n)`` (sorted in each
        row), ``values`` ``(B, n, A)`` the encodings put there."""
        device = ref.template.device
        b, n = positions.shape
        length = ref.template.shape[0]
        # the input window: the changed positions (all of them, for n > 1)
        width = int((positions[:, -1] - positions[:, 0]).max()) + 1
        off = np.minimum(positions[:, 0], length - width)
        index = torch.as_tensor(off[:, None] + np.arange(width), device=device)
        v = ref.template[index]  # (B, W, A)
        rows = torch.arange(b, device=device).repeat_interleave(n)
        cols = torch.as_tensor((positions - off[:, None]).reshape(-1), device=device)
        v[rows, cols] = values.reshape(b * n, -1).to(v.dtype)
        v = _rows_view(v)
        for i, layer in enumerate(self.layers):
            if layer.window is None:
                v = layer.point(v)
            else:
                v, off, width = self._window(i, ref, v, off, width)
        return self.tail(ref, v, off, width)

    def _window(self, i: int, ref: _Reference, v: torch.Tensor, off: np.ndarray, width: int):
        """Layer ``i``'s outputs ``[start, start + W')`` of each mutant, from its input
        window ``v`` ``(B, C, 1, W)`` at ``off`` spliced into the reference input."""
        layer, l_out = self.layers[i], ref.lengths[i]
        s, left = layer.stride, layer.left
        reach = layer.reach
        lo = np.clip(-((reach - off - left) // s), 0, l_out - 1)  # ceil((off+left-reach)/s)
        hi = np.clip((off + width - 1 + left) // s, 0, l_out - 1)
        out_width = int(min(l_out, max(1, int((hi - lo).max()) + 1)))
        start = np.minimum(lo, l_out - out_width)
        if layer.weight is not None:
            return self._update(i, ref, v, off, width, start, out_width), start, out_width
        need = (out_width - 1) * s + reach + 1
        x = _rows_view(ref.windows(("in", i), need, s, start))
        shift = off + left - start * s  # where v starts in x
        first, top = int(shift.min()), int(shift.max())
        if first == top and first >= 0 and first + width <= need:  # one copy
            x[:, :, :, first : first + width] = v
        elif first >= 0 and top + width <= need:  # (the usual case) at once
            where = torch.as_tensor(shift[:, None] + np.arange(width), device=v.device)
            x.scatter_(3, where.view(-1, 1, 1, width).expand_as(v), v)
        else:  # the mutants of each shift (some windows reach past x)
            for r, rows in runs(shift, v.device):
                if (cut := _overlap(r, need, width)) is not None:
                    x[rows, :, :, cut[0]] = v[rows, :, :, cut[1]]
        return layer.window(x), start, out_width

    def _update(self, i, ref, v, off, width, start, out_width) -> torch.Tensor:
        """A linear convolution's output window (``_window``): the reference's plus the
        convolution of the input's change (:meth:`Layer.change`)."""
        layer = self.layers[i]
        around = ref.windows(("out", i), out_width, 1, start)  # (B, W', C_out)
        before = ref.windows(("in", i), width, 1, off + layer.left)  # (B, W, C_in)
        # (as the reference's type: one made under autocast may differ from v's)
        change = layer.change(v.squeeze(2).transpose(1, 2).to(around.dtype) - before)
        # The change starts at output `off + left - reach`, the window kept at `start`:
        # the same but near an end of the sequence, where the window is clipped and each
        # row's change goes in shifted (by one of a few shifts, each a slice of rows when
        # sorted).
        shift = off + layer.left - layer.reach - start  # where the change starts in around
        outs = change.shape[1]
        if out_width == outs and not shift.any():
            around += change
        else:
            for r, rows in runs(shift, v.device):
                if (cut := _overlap(r, out_width, outs)) is not None:
                    around[rows, cut[0]] += change[rows, cut[1]]
        return _rows_view(around)


def _overlap(at: int, size: int, width: int) -> tuple[slice, slice] | None:
    """Where ``width`` values placed at ``at`` of ``size`` positions land: the slices of
    the destination and of the values that overlap (``None``: no overlap)."""
    a, b = max(0, at), min(size, at + width)
    return (slice(a, b), slice(a - at, b - at)) if a < b else None


def runs(keys: np.ndarray, device) -> list[tuple[int, slice | torch.Tensor]]:
    """The rows of each distinct key: slices when the keys are sorted either way (as
    Selene's order of mutations makes them), index tensors otherwise."""
    if len(keys) < 2 or (keys[1:] >= keys[:-1]).all() or (keys[1:] <= keys[:-1]).all():
        cuts = [0, *(np.flatnonzero(np.diff(keys)) + 1).tolist(), len(keys)]
        return [(int(keys[a]), slice(a, b)) for a, b in itertools.pairwise(cuts)]
    values, which = np.unique(keys, return_inverse=True)
    return [
        (int(key), torch.as_tensor(np.flatnonzero(which == j), device=device))
        for j, key in enumerate(values.tolist())
    ]


class BothStrands:
    """Fast ISM of a ``NonStrandSpecific`` model: its model on the sequence and on the
    reverse complement (flipped channels and positions), combined as it combines them."""

    def __init__(self, inner: FastMutagenesis, combine):
        self.inner = inner
        self.combine = combine
        self.lua = inner.lua
        self.length = inner.length

    @property
    def cheap_tail(self) -> bool:
        return self.inner.cheap_tail

    def describe(self) -> str:
        return f"both strands, {self.inner.describe()}"

    def prepare(self, template: torch.Tensor):
        return (self.inner.prepare(template), self.inner.prepare(template.flip(0, 1)))

    @torch.inference_mode()
    def mutants(self, ref, positions: np.ndarray, values: torch.Tensor) -> torch.Tensor:
        forward = self.inner.mutants(ref[0], positions, values)
        length = ref[0].template.shape[0]
        reverse = self.inner.mutants(
            ref[1], (length - 1 - positions)[:, ::-1].copy(), values.flip(1, 2)
        )
        return self.combine(forward, reverse)
