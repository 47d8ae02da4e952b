"""Reading a model's graph (``torch.fx``): the chain of window layers it starts with, and
its tail (:mod:`~selene_sdk.predict.fast_ism.tail`): modules for what follows the chain,
a flatten + linear layer or a global pooling recognised by running them on a probe."""

from __future__ import annotations

import torch
from torch import fx, nn

from selene_sdk.forward.path import model_device
from selene_sdk.predict.fast_ism.layers import Layer, Unsupported, node_layer
from selene_sdk.predict.fast_ism.plan import BothStrands, FastMutagenesis
from selene_sdk.predict.fast_ism.tail import Tail

_META_METHODS = {"size", "dim"}


def _trace(model: nn.Module) -> fx.GraphModule:
    try:
        return fx.symbolic_trace(model)
    except Exception as exc:  # any tracing failure means: not decomposable
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise Unsupported(f"its graph cannot be traced ({type(exc).__name__}: {first})") from None


def _descendants(start: fx.Node) -> set[fx.Node]:
    seen: set[fx.Node] = set()
    stack = [start]
    while stack:
        for user in stack.pop().users:
            if user not in seen:
                seen.add(user)
                stack.append(user)
    return seen


def _meta(node: fx.Node) -> bool:
    """A node that reads only a tensor's shape (``x.size(0)``, ``x.shape``)."""
    if node.op == "call_method" and node.target in _META_METHODS:
        return True
    return node.op == "call_function" and node.target is getattr and node.args[1] == "shape"


def _subgraph(gm: fx.GraphModule, start: fx.Node, end: fx.Node, tainted: set[fx.Node]):
    """A module computing ``end`` from ``start`` alone (``tainted``: the nodes that depend
    on the model's input); Unsupported when ``end`` also needs an input-dependent node
    that does not come from ``start`` (a skip connection)."""
    wanted: set[fx.Node] = set()
    stack = [end]
    while stack:
        node = stack.pop()
        if node in wanted or node is start:
            continue
        if node.op == "placeholder":
            raise Unsupported("a later layer reads the model's input again")
        wanted.add(node)
        stack.extend(node.all_input_nodes)
    reached = _descendants(start)
    for node in wanted:
        if node in tainted and node not in reached:
            raise Unsupported(f"{node.name} reads an earlier layer (a skip connection)")
    graph = fx.Graph()
    env = {start: graph.placeholder("h")}
    for node in gm.graph.nodes:
        if node in wanted:
            env[node] = graph.node_copy(node, lambda n: env[n])
    graph.output(env[end])
    return fx.GraphModule(gm, graph)


def build_fast_mutagenesis(model: nn.Module, length: int, width: int, lua: bool = False):
    """Decompose ``model`` (in evaluation mode) for fast ISM of ``(width, length)``
    inputs; raises :class:`Unsupported` saying why it cannot."""
    from selene_sdk.models.wrappers import NonStrandSpecific

    if type(model) is NonStrandSpecific:
        inner = build_fast_mutagenesis(model.model, length, width, lua)
        return BothStrands(inner, model._combine)
    gm = _trace(model)
    placeholders = [n for n in gm.graph.nodes if n.op == "placeholder"]
    if len(placeholders) != 1:
        raise Unsupported(f"its forward takes {len(placeholders)} inputs")
    (output,) = [n for n in gm.graph.nodes if n.op == "output"]
    end = output.args[0]
    if not isinstance(end, fx.Node):
        raise Unsupported("it returns several tensors")
    tainted = _descendants(placeholders[0])
    chain: list[tuple[fx.Node, Layer]] = []
    node = placeholders[0]
    while True:
        users = [u for u in node.users if not _meta(u)]
        if len(users) != 1:
            stop = f"{node.name} feeds {len(users)} layers, a skip connection"
            break
        layer = node_layer(gm, users[0], node, lua)
        if layer is None:
            stop = f"{users[0].name} is not a convolution, pooling or point-wise layer"
            break
        chain.append((users[0], layer))
        node = users[0]
    # the longest prefix after which the rest reads nothing but the prefix's output
    rest = None
    while chain:
        if any(layer.window is not None for _, layer in chain):
            try:
                rest = _subgraph(gm, chain[-1][0], end, tainted)
                break
            except Unsupported:
                pass
        chain.pop()
    if not chain:
        raise Unsupported(f"it does not start with a convolution or pooling layer ({stop})")
    layers = [layer for _, layer in chain]
    last = chain[-1][0]
    with torch.inference_mode():
        probe = torch.zeros(1, width, *((1,) if lua else ()), length, device=model_device(model))
        for layer in layers:
            probe = layer.full(probe)
    shape = (1, probe.shape[1], probe.shape[-1])
    probe = _probe(shape, lua, probe.device)
    tail = _linear_tail(gm, last, end, tainted, probe)
    tail = tail or _pooled_tail(gm, last, end, tainted, probe)
    return FastMutagenesis(layers, tail or Tail("full", rest), lua, length)


def _probe(shape, lua: bool, device) -> torch.Tensor:
    """A random chain output of ``shape`` ``(1, C, L_f)`` for two sequences, in the
    model's layout (from a generator of its own: the caller's random state is theirs)."""
    _, c, length = shape
    size = (2, c, 1, length) if lua else (2, c, length)
    return torch.randn(size, generator=torch.Generator().manual_seed(0)).to(device)


def _linear_tail(gm, last: fx.Node, end: fx.Node, tainted, probe) -> Tail | None:
    """The tail when the chain's output is flattened into an ``nn.Linear`` (and nothing
    else reads it)."""
    users = [u for u in last.users if not _meta(u)]
    if len(users) != 1 or len(users[0].users) != 1:
        return None
    flat, lin = users[0], next(iter(users[0].users))
    if lin.op != "call_module" or len(lin.args) != 1 or lin.kwargs or lin.args[0] is not flat:
        return None
    module = gm.get_submodule(lin.target)
    if type(module) is not nn.Linear:
        return None
    try:
        flattens = _subgraph(gm, last, flat, tainted)
        after = _subgraph(gm, lin, end, tainted)
    except Unsupported:
        return None
    try:
        out = flattens(probe)
    except Exception:
        return None
    if not (isinstance(out, torch.Tensor) and torch.equal(out, probe.reshape(2, -1))):
        return None
    if module.in_features != out.shape[1]:
        return None
    return Tail("linear", after, module)


def _pooled_tail(gm, last: fx.Node, end: fx.Node, tainted, probe) -> Tail | None:
    """The tail when the chain's output goes through a global max or mean over positions
    (``amax(dim=2)``, ``max(2)[0]``, ``mean(2)``, adaptive pooling to 1, ...), found by
    running the first few layers after the chain on a random output."""
    c = probe.shape[1]
    flat = probe.reshape(2, c, probe.shape[-1])
    node = last
    for _ in range(3):
        users = [u for u in node.users if not _meta(u)]
        if len(users) != 1:
            return None
        node = users[0]
        try:
            out = _subgraph(gm, last, node, tainted)(probe)
        except Exception:
            return None
        if not isinstance(out, torch.Tensor) or out.numel() != 2 * c:
            continue
        pooled = out.reshape(2, c)
        if torch.equal(pooled, flat.amax(dim=2)):
            kind = "max"
        elif torch.allclose(pooled, flat.mean(dim=2), rtol=1e-5, atol=1e-6):
            kind = "mean"
        else:
            return None
        try:
            after = _subgraph(gm, node, end, tainted)
        except Unsupported:
            return None
        return Tail(kind, after, pooled_shape=tuple(out.shape[1:]))
    return None
