"""Dinucleotide-preserving shuffles of one-hot sequences (references for attribution).

Each shuffle keeps the sequence's first letter, its letter counts and all its
dinucleotide counts: it is a random Eulerian path through the sequence's graph of letter
transitions (Altschul & Erickson's idea, with Kandel et al.'s random last-edge arborescence
so every such path is equally likely). Written here from the algorithm's description.
"""

from __future__ import annotations

import numpy as np

__all__ = ["dinucleotide_shuffle"]


def _shuffle_codes(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(codes)
    if n < 3:
        return codes.copy()
    letters = np.unique(codes)
    last = codes[-1]
    # the outgoing edges of each letter, in sequence order
    edges = {int(a): list(codes[1:][codes[:-1] == a]) for a in letters}
    # a random arborescence towards the last letter: for every other letter, pick its last
    # exit by a random walk (Wilson / Kandel et al.), so the Eulerian path exists
    in_tree = {int(last)}
    last_exit: dict[int, int] = {}
    for start in letters:
        u = int(start)
        path = []
        while u not in in_tree:
            nxt = int(rng.choice(edges[u]))
            path.append((u, nxt))
            u = nxt
        # loop-erase: keep the most recent exit of each vertex on the walk
        for a, b in path:
            last_exit[a] = b
        v = int(start)
        while v not in in_tree:
            in_tree.add(v)
            v = last_exit[v]
    order: dict[int, list[int]] = {}
    for a, outs in edges.items():
        outs = list(outs)
        if a in last_exit:
            outs.remove(last_exit[a])
            rng.shuffle(outs)
            outs.append(last_exit[a])
        else:
            rng.shuffle(outs)
        order[a] = outs
    out = np.empty(n, dtype=codes.dtype)
    out[0] = codes[0]
    position = {a: 0 for a in order}
    for i in range(1, n):
        a = int(out[i - 1])
        out[i] = order[a][position[a]]
        position[a] += 1
    return out


def dinucleotide_shuffle(one_hot: np.ndarray, n: int = 1, seed: int = 0) -> np.ndarray:
    """``n`` dinucleotide-preserving shuffles of one ``(L, A)`` one-hot sequence ->
    ``(n, L, A)``. Positions that are not one-hot (e.g. all-zero ``N``) are shuffled as an
    extra letter."""
    x = np.asarray(one_hot)
    length, size = x.shape
    hot = x.sum(axis=1) == 1
    codes = np.where(hot, np.argmax(x, axis=1), size)  # `size`: the not-one-hot letter
    rng = np.random.default_rng(seed)
    out = np.zeros((n, length, size), dtype=x.dtype)
    for k in range(n):
        shuffled = _shuffle_codes(codes, rng)
        keep = shuffled < size
        out[k, np.flatnonzero(keep), shuffled[keep]] = 1
    return out
