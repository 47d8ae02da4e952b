"""What follows the chain of window layers, and how a mutant's window reaches it.

* ``linear``: the chain's output is flattened into an ``nn.Linear``, which is updated from
  the window alone, ``y = y_ref + W[:, window] @ (h - h_ref)[window]``;
* ``max`` / ``mean``: a global max or mean over positions, from the window and the
  reference's running maxima (sums) before and after it: O(channels) per mutant;
* ``full``: anything else, run on the mutant's whole activations (the reference's with the
  window put in).

After the linear layer or the pooling, the rest of the model runs as it is (``after``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import fx, nn

__all__ = ["Tail"]


@dataclass
class Tail:
    """The model after the chain: ``kind`` (see the module docstring), the linear layer
    (``linear``), the module of the rest (``after``; from the chain's output for ``full``)
    and the shape of the pooled output without the batch axis (``pooled_shape``)."""

    kind: str
    after: fx.GraphModule
    linear: nn.Linear | None = None
    pooled_shape: tuple[int, ...] = ()
    _weights: torch.Tensor | None = field(default=None, repr=False)

    @property
    def cheap(self) -> bool:
        """Whether a mutant's cost after the chain is independent of the length."""
        return self.kind != "full"

    def describe(self) -> str:
        return {
            "linear": "the first linear layer updated in place",
            "max": "the global max from the window and running maxima",
            "mean": "the global mean from the window and running sums",
            "full": "the rest in full",
        }[self.kind]

    def prepare(self, final: torch.Tensor) -> dict[str, torch.Tensor]:
        """What the tail needs of the reference's chain output ``final`` ``(C, L_f)``."""
        c, length = final.shape
        if self.kind == "linear":
            if self._weights is None or self._weights.device != final.device:
                w = self.linear.weight.detach().reshape(-1, c, length)
                # (L_f, C, O): a window of positions is then one contiguous (W * C, O) block
                self._weights = w.permute(2, 1, 0).contiguous()
            return {"y": self.linear(final.reshape(1, -1))}
        if self.kind == "max":
            edge = final.new_full((c, 1), -math.inf)
            before = torch.cat([edge, final.cummax(dim=1).values], dim=1)  # max of [0, i)
            after = torch.cat([final.flip(1).cummax(dim=1).values.flip(1), edge], dim=1)
            return {"before": before.T.contiguous(), "after": after.T.contiguous()}
        if self.kind == "mean":
            # float64 running sums: a window's sum as a difference of two loses nothing
            sums = torch.cat([final.new_zeros((c, 1)), final.double().cumsum(dim=1)], dim=1)
            return {"sums": sums.T.contiguous()}
        return {}

    def __call__(self, ref, v: torch.Tensor, off: np.ndarray, width: int) -> torch.Tensor:
        """The model's output for mutants whose chain output is the reference's
        (``ref.final``) with ``v`` ``(B, C, 1, W)`` at ``[off, off + W)``."""
        b, c = v.shape[0], v.shape[1]
        device = v.device
        extra = ref.tail
        if self.kind == "linear":
            from selene_sdk.predict.fast_ism.plan import runs

            around = ref.windows(("final", 0), width, 1, off)  # (B, W, C)
            delta = (v.squeeze(2).transpose(1, 2) - around).reshape(b, width * c)
            y = extra["y"].expand(b, -1).clone()
            weights = self._weights
            for start, rows in runs(off, device):  # the mutants of one window start
                y[rows] += delta[rows] @ weights[start : start + width].reshape(width * c, -1)
            return self.after(y)
        if self.kind in ("max", "mean"):
            lo = torch.as_tensor(off, device=device)
            hi = torch.as_tensor(off + width, device=device)
            window = v.squeeze(2)
            if self.kind == "max":
                outside = torch.maximum(extra["before"][lo], extra["after"][hi])
                pooled = torch.maximum(outside, window.amax(dim=2))
            else:
                sums = extra["sums"]
                rest = sums[-1] - (sums[hi] - sums[lo])
                pooled = ((rest + window.double().sum(dim=2)) / ref.final.shape[1]).to(v.dtype)
            return self.after(pooled.reshape(b, *self.pooled_shape))
        h = ref.final.unsqueeze(0).expand(b, -1, -1).clone()
        index = torch.as_tensor(off[:, None] + np.arange(width), device=device)
        h.scatter_(2, index.unsqueeze(1).expand(-1, c, -1), v.squeeze(2))
        return self.after(h.unsqueeze(2) if ref.lua else h)
