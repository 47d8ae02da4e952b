"""Fast in silico mutagenesis: recompute only what a mutation can reach.

A single-base change of the input changes only a window of each convolution or pooling
layer's output: the outputs whose receptive field holds the changed base. For models that
start with a chain of such layers (convolutions, pooling, point-wise activations, batch
norm in evaluation mode, dropout) a mutant's activations are the reference sequence's
everywhere except in that window. Each layer is therefore run on the window alone (with
the reference activations around it as context). A convolution of stride 1 is linear, so
its window is the reference's outputs plus the convolution of the input's change alone (a
transposed convolution of the few changed inputs: in DeepSEA's layers a third of the
multiplications of running it on the window). The first linear layer after the flatten
is updated from the changed inputs alone too: ``y = y_ref + W[:, window] @ delta`` (a
global max or mean over positions likewise from the window and the reference's running
maxima or sums). Whatever follows (more linear layers, an LSTM) runs as in the model. The
idea is the one of the fastISM and Yuzu papers; this is our own implementation.

Modules: ``layers`` (the layers a window runs through), ``graph`` (reading the model's
graph), ``plan`` (the reference's activations and the mutants' windows), ``tail`` (what
follows the chain).

The decomposition reads the model's graph with ``torch.fx``; a model it cannot decompose
(no convolution first, a skip connection around the first layers, a graph that cannot be
traced) runs naive ISM instead, with one log line saying why. A built plan is checked
against the model itself on random mutations before it is used: a model whose layers do
something the decomposition did not foresee also falls back to naive ISM, never to a wrong
answer.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import torch

from selene_sdk.forward.path import ForwardPath
from selene_sdk.forward.precision import autocast
from selene_sdk.predict.fast_ism.graph import build_fast_mutagenesis
from selene_sdk.predict.fast_ism.layers import Unsupported
from selene_sdk.predict.fast_ism.plan import FastMutagenesis

__all__ = [
    "FastMutagenesis",
    "Unsupported",
    "build_fast_mutagenesis",
    "check_tolerance",
    "fast_mutagenesis_for",
]

logger = logging.getLogger("selene_sdk")

#: Largest difference between a plan's predictions and the model's own, on the plan's
#: check, for the plan to be used (float32 rounding of the window sums is ~1e-7).
CHECK_TOLERANCE = 1e-4

#: The same where float32 convolutions or matrix products may run in TF32 (a 10-bit
#: mantissa: on CUDA, PyTorch's default for cuDNN convolutions), so the model's own
#: outputs carry ~1e-3 of rounding.
TF32_TOLERANCE = 1e-2

#: The same under autocast to bfloat16 or float16.
REDUCED_TOLERANCE = 5e-2

#: Mutants of the check, also timed against naive ISM for a plan that runs the model's
#: last layers in full.
TRIAL_MUTANTS = 64


def check_tolerance(device: torch.device, autocast_dtype: torch.dtype | None) -> float:
    """The largest difference from the model a plan's check allows on ``device``: float32
    rounding, TF32 rounding where CUDA may use it for float32 (read from the process's
    ``torch.backends`` settings, never changed here), or autocast's."""
    if autocast_dtype is not None:
        return REDUCED_TOLERANCE
    if torch.device(device).type == "cuda" and (
        torch.backends.cudnn.allow_tf32 or torch.backends.cuda.matmul.allow_tf32
    ):
        return TF32_TOLERANCE
    return CHECK_TOLERANCE


def _trial(
    plan, path: ForwardPath, width: int, length: int, values_table: np.ndarray, n: int, timed: bool
):
    """The plan against the model on random mutants of a random sequence (both ends and
    the middle included): ``(largest difference, fast seconds, naive seconds)``. With
    ``timed``, :data:`TRIAL_MUTANTS` mutants and the better of two runs of each; else 8
    mutants, once."""
    rng = np.random.default_rng(0)
    x = values_table[rng.integers(0, width, size=length)].T.astype(np.float32)  # (A, L)
    template = torch.as_tensor(x, device=path.device)
    n = min(n, length)
    picks = [np.arange(n), np.arange(length - n, length), (length - n) // 2 + np.arange(n)]
    for _ in range((TRIAL_MUTANTS if timed else 8) - len(picks)):
        picks.append(np.sort(rng.choice(length, size=n, replace=False)))
    positions = np.stack(picks).astype(np.int64)
    values = values_table[rng.integers(0, width, size=positions.shape)].astype(np.float32)
    mutated = np.repeat(x.T[None], len(positions), axis=0)  # (B, L, A)
    mutated[np.arange(len(positions))[:, None], positions] = values
    values = torch.as_tensor(values, device=path.device)
    seconds = [math.inf, math.inf]
    for _ in range(2 if timed else 1):
        start = time.perf_counter()
        with autocast(path.device, path.autocast_dtype):
            fast = plan.mutants(plan.prepare(template), positions, values)
        fast = fast.reshape(fast.shape[0], -1).float().cpu().numpy()
        middle = time.perf_counter()
        naive = path.predict(mutated)
        seconds = [min(seconds[0], middle - start), min(seconds[1], time.perf_counter() - middle)]
    if fast.shape != naive.shape:
        return math.inf, *seconds
    return float(np.abs(fast - naive).max()), *seconds


def fast_mutagenesis_for(
    path: ForwardPath, length: int, values_table: np.ndarray, mutate_n_bases: int = 1
):
    """The fast-ISM plan of ``path``'s model for sequences of ``length`` (None, with one
    log line saying why, when it cannot be decomposed, fails its check or, running the
    model's last layers in full, is no faster than naive ISM). Call inside
    ``path.inference()`` (evaluation mode on the device)."""
    model = path.model
    name = type(model).__name__
    width = values_table.shape[1]
    if path.compiled or path.inference_module is not model:
        reason = "it runs compiled or wrapped"
    else:
        try:
            plan = build_fast_mutagenesis(model, length, width, path.lua)
        except Unsupported as exc:
            reason = str(exc)
        else:
            timed = not plan.cheap_tail
            error, fast, naive = _trial(
                plan, path, width, length, values_table, mutate_n_bases, timed
            )
            if error > check_tolerance(path.device, path.autocast_dtype):
                reason = f"its decomposition differs from the model by {error:.3g} on a check"
            elif plan.cheap_tail or fast < naive:
                logger.info("fast ISM of %s: %s", name, plan.describe())
                return plan
            else:
                # (a windowed first layer before a large rest in full, e.g. a global
                # pooling, can cost more than it saves)
                logger.info(
                    "fast ISM of %s would be slower than naive ISM (%.1f ms against %.1f ms "
                    "for %d mutants); running naive ISM",
                    name,
                    fast * 1e3,
                    naive * 1e3,
                    TRIAL_MUTANTS,
                )
                return None
    logger.info("fast ISM: %s cannot be decomposed (%s); running naive ISM", name, reason)
    return None
