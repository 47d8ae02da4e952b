"""In silico mutagenesis (ISM): predictions for every substitution of one (or ``n``)
positions of a sequence, in Selene's order. The array API and the core of the ISM files.

Order of the mutations: the ``n``-combinations of positions in ``[start, end)`` in
lexicographic order; at each position the alphabet's letters other than the reference
letter, in alphabet order (a letter outside the alphabet, such as ``N``, gets all of them),
the last position varying fastest.

The core is :func:`run_mutagenesis`: for each sequence (a template encoding and its letter
codes) it enumerates the mutations in groups, shows each batch to the model as the template
with a few cells changed (:class:`~selene_sdk.forward.steps.TemplateBatch`) and hands the
consumer the reference and mutant predictions with the mutations.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

from selene_sdk.forward import (
    Dense,
    Engine,
    Template,
    TemplateBatch,
    flat_cells,
    to_model_layout,
)
from selene_sdk.forward.path import as_output_array
from selene_sdk.forward.precision import autocast
from selene_sdk.forward.threads import Sink
from selene_sdk.predict.arrays import as_encodings, engine_for
from selene_sdk.predict.fast_ism import fast_mutagenesis_for
from selene_sdk.predict.mutations import Mutation, check_range, letter_codes, mutation_chunks
from selene_sdk.predict.scores import SCORES
from selene_sdk.sequences.encoding import Alphabet

__all__ = [
    "GROUP_ROWS",
    "MutagenesisGroup",
    "MutagenesisInput",
    "SaturationMutagenesis",
    "run_mutagenesis",
    "saturation_mutagenesis",
]

#: Mutations handled together by the Python side (labels, scores, writes): several
#: forward passes' worth, so the fixed cost of each call is paid once per group.
GROUP_ROWS = 512

#: The same for fast ISM on a CUDA device, where a group's fixed cost (kernel launches and
#: Python, ~3 ms on an H200) outweighs its small windows: groups of 8192 ran the
#: DeepSEA-like model's fast ISM 1.9-2.1x faster there than groups of 512 (on the CPU,
#: 512 is the fastest).
FAST_CUDA_GROUP_ROWS = 8192


def group_rows(device: torch.device, fast: bool) -> int:
    """Mutations per group (at most; a group holds one sequence's) on ``device``."""
    return FAST_CUDA_GROUP_ROWS if fast and device.type == "cuda" else GROUP_ROWS


# -- the core -----------------------------------------------------------------------------------
@dataclass
class MutagenesisInput:
    """One sequence to mutate: its letter ``codes`` ``(L,)`` (the reference letters),
    its ``template`` encoding in the model layout ``(A, L)``, the step that shows the
    unmutated sequence to the model, and ``payload`` for the consumer."""

    codes: np.ndarray
    template: np.ndarray
    base: Any
    payload: Any = None


@dataclass
class MutagenesisGroup:
    """Up to :data:`GROUP_ROWS` mutations of one sequence (one forward pass per
    ``batch_size``); the first group of a sequence also predicts the unmutated sequence
    (its ``steps[0]``), the last one is marked ``last``. ``labels`` is what ``describe``
    made of the mutations."""

    source: MutagenesisInput
    steps: list[Any]
    positions: np.ndarray
    alternatives: np.ndarray
    labels: Any = None
    first: bool = False
    last: bool = False

    def split(self, preds: list[np.ndarray]) -> tuple[np.ndarray | None, np.ndarray]:
        """``(reference (1, F) or None, mutants (k, F))`` from the group's predictions."""
        reference = preds[0] if self.first else None
        blocks = preds[1:] if self.first else preds
        return reference, blocks[0] if len(blocks) == 1 else np.concatenate(blocks)


def _cells(
    template: np.ndarray, pos: np.ndarray, alt: np.ndarray, table: np.ndarray, batch_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where consecutive batches of ``batch_size`` mutations go in a ``(B, A, L)`` buffer of
    copies of ``template`` ``(A, L)``: flat positions ``(cells, A)`` of every channel of
    every mutated position (mutation ``i`` in row ``i % batch_size``), their mutated values
    and the template's values there."""
    k, n = pos.shape
    size, length = template.shape
    cols = pos.reshape(-1)
    rows = np.repeat(np.arange(k) % batch_size, n)
    return flat_cells(rows, cols, size, length), table[alt.reshape(-1)], template[:, cols].T


def _chunks(
    engine: Engine,
    sources: Iterable[MutagenesisInput],
    mutate_n_bases: int,
    start: int,
    end: int,
    describe: Callable[[MutagenesisInput, np.ndarray, np.ndarray], Any] | None,
    fast: bool = False,
) -> Iterator[MutagenesisGroup]:
    """Each source's mutations as groups (without model inputs yet), first and last
    marked; groups for fast ISM with ``fast`` (:func:`group_rows`)."""
    letters = letter_codes(engine.alphabet)
    batch = engine.batch_size
    per_group = batch * max(1, group_rows(engine.path.device, fast) // batch)
    for source in sources:
        pending: MutagenesisGroup | None = None
        for pos, alt in mutation_chunks(
            source.codes, letters, mutate_n_bases, start, end, per_group
        ):
            labels = None if describe is None else describe(source, pos, alt)
            group = MutagenesisGroup(source, [], pos, alt, labels)
            if pending is None:
                group.first = True
            else:
                yield pending
            pending = group
        if pending is not None:  # (a valid range always has mutations)
            pending.last = True
            yield pending


def _groups(
    engine: Engine,
    sources: Iterable[MutagenesisInput],
    mutate_n_bases: int,
    start: int,
    end: int,
    describe: Callable[[MutagenesisInput, np.ndarray, np.ndarray], Any] | None,
) -> Iterator[MutagenesisGroup]:
    """The groups with their model inputs: one :class:`TemplateBatch` per batch of
    mutants (after the unmutated sequence's step in a sequence's first group)."""
    table = engine.alphabet.onehot_table
    batch = engine.batch_size
    template = None
    for group in _chunks(engine, sources, mutate_n_bases, start, end, describe):
        source = group.source
        if group.first:
            template = Template(engine, source.template)
            group.steps.append(source.base)
        # cells made once for all the group's batches
        pos, alt = group.positions, group.alternatives
        cells = _cells(source.template, pos, alt, table, batch)
        n = pos.shape[1]
        for lo in range(0, len(pos), batch):
            k = min(batch, len(pos) - lo)
            flat, values, restore = (c[lo * n : (lo + k) * n] for c in cells)
            group.steps.append(TemplateBatch(template, flat, values, restore, k))
        yield group
        if group.last:
            template.close()


def _run_fast(
    plan_for: Callable[[int], Any],
    engine: Engine,
    groups: Iterable[MutagenesisGroup],
    consume: Callable[[MutagenesisGroup, np.ndarray | None, np.ndarray], None],
    background: bool | None,
) -> None:
    """:func:`run_mutagenesis` with a fast-ISM plan (:mod:`selene_sdk.predict.fast_ism`):
    the reference through the model, the mutants through the plan; with ``background``
    (None: as the engine decides) the results are consumed in a thread while the next
    group is computed."""
    path = engine.path
    table = torch.tensor(engine.alphabet.onehot_table, device=path.device)
    if background is None:
        background = engine.wants_background()
    sink = Sink(lambda group, preds: consume(group, *preds)) if background else None
    reference = None
    try:
        with path.inference(), autocast(path.device, path.autocast_dtype):
            for group in groups:
                source = group.source
                if group.first:
                    template = torch.as_tensor(source.template, device=path.device)
                    plan = plan_for(template.shape[1])
                    reference = plan.prepare(template)
                    base = path.predict(np.ascontiguousarray(source.template.T)[None])
                values = table[torch.as_tensor(group.alternatives.astype(np.int64))]
                # A whole group at once when only windows are computed; a plan that runs
                # the model's last layers in full holds full activations: batch_size at a
                # time.
                rows = len(values) if plan.cheap_tail else engine.batch_size
                mutants = [
                    as_output_array(plan.mutants(reference, group.positions[i : i + rows], v))
                    for i, v in zip(range(0, len(values), rows), values.split(rows))
                ]
                preds = [base if group.first else None, np.concatenate(mutants)]
                if sink is None:
                    consume(group, *preds)
                else:
                    sink.put(group, preds)
        if sink is not None:
            sink.finish()
    finally:
        if sink is not None:
            sink.stop()


def run_mutagenesis(
    engine: Engine,
    sources: Iterable[MutagenesisInput],
    consume: Callable[[MutagenesisGroup, np.ndarray | None, np.ndarray], None],
    mutate_n_bases: int,
    start: int,
    end: int,
    describe: Callable[[MutagenesisInput, np.ndarray, np.ndarray], Any] | None = None,
    background: bool | None = None,
    fast: bool = False,
) -> None:
    """Predict every mutation of every source, in Selene's order.

    ``consume(group, reference, mutants)`` is called per group in order: ``reference`` is
    the ``(1, F)`` prediction of the unmutated sequence in a sequence's first group (None
    in the others), ``mutants`` the ``(k, F)`` predictions of ``group.positions`` /
    ``group.alternatives`` (letter codes). ``describe(source, positions, alternatives)``,
    if given, is called as each group is built (ahead of the model, with ``background``)
    and its result stored as ``group.labels``. The range ``[start, end)`` must be valid
    for every source (see :func:`check_range`).

    With ``fast``, the mutants are predicted by fast ISM
    (:mod:`~selene_sdk.predict.fast_ism`: only the layer windows a mutation reaches are
    recomputed) when the model can be decomposed, by naive ISM otherwise (one log line
    says why). The sources must then all have one length.
    """
    if fast:
        sources = iter(sources)
        first = next(sources, None)
        if first is None:
            return
        length = first.template.shape[1]
        table = engine.alphabet.onehot_table[letter_codes(engine.alphabet)]
        with engine.path.inference():
            plan = fast_mutagenesis_for(engine.path, length, table, mutate_n_bases)
        sources = itertools.chain([first], sources)
        if plan is not None:

            def plan_for(n: int):
                if n != length:
                    raise ValueError(
                        f"fast ISM needs sequences of one length: {length} and {n} bases"
                    )
                return plan

            groups = _chunks(engine, sources, mutate_n_bases, start, end, describe, fast=True)
            _run_fast(plan_for, engine, groups, consume, background)
            return

    def each(group: MutagenesisGroup, preds: list[np.ndarray]) -> None:
        consume(group, *group.split(preds))

    groups = _groups(engine, sources, mutate_n_bases, start, end, describe)
    engine.run(groups, each, background=background)


# -- the array API -------------------------------------------------------------------------------
class SaturationMutagenesis(NamedTuple):
    """Predictions for every mutation of a set of sequences (:func:`saturation_mutagenesis`).

    Attributes
    ----------
    reference
        ``(N, F)`` predictions of the unmutated sequences.
    predictions
        ``(M, F)`` predictions of the mutants, every sequence's in Selene's ISM order, one
        sequence after the other.
    sequence_index
        ``(M,)`` which input sequence each mutant comes from.
    positions
        ``(M, n)`` 0-based positions changed (``n = mutate_n_bases``).
    alternatives
        ``(M, n)`` the alphabet columns (letters) put there.
    letters
        The alphabet's letters, in column order.
    """

    reference: np.ndarray
    predictions: np.ndarray
    sequence_index: np.ndarray
    positions: np.ndarray
    alternatives: np.ndarray
    letters: tuple[str, ...]

    def scores(self, name: str = "diffs") -> np.ndarray:
        """``(M, F)`` ``diffs``, ``abs_diffs`` or ``logits`` of each mutant against its
        sequence's reference prediction."""
        if name not in SCORES or name == "predictions":
            raise ValueError(f"score must be one of abs_diffs, diffs, logits; got {name!r}")
        return SCORES[name](self.reference[self.sequence_index], self.predictions)

    def mutations(self, i: int) -> list[Mutation]:
        """Sequence ``i``'s mutations as Selene lists them: ``[[(position, letter)], ...]``."""
        rows = np.flatnonzero(self.sequence_index == i)
        letters = self.letters
        return [
            [(int(p), letters[a]) for p, a in zip(prow, arow)]
            for prow, arow in zip(self.positions[rows].tolist(), self.alternatives[rows].tolist())
        ]

    def to_array(self, length: int) -> np.ndarray:
        """Single-position ISM as ``(N, length, A, F)``: the prediction with letter ``a`` at
        position ``p``; the reference prediction at each reference letter, NaN at positions
        that were not mutated."""
        if self.positions.shape[1] != 1:
            raise ValueError("to_array needs mutate_n_bases=1")
        n, f = self.reference.shape
        out = np.full((n, length, len(self.letters), f), np.nan, dtype=np.float32)
        mutated = np.zeros((n, length), dtype=bool)
        mutated[self.sequence_index, self.positions[:, 0]] = True
        seq, pos = np.nonzero(mutated)
        out[seq, pos] = self.reference[seq][:, None, :]
        out[self.sequence_index, self.positions[:, 0], self.alternatives[:, 0]] = self.predictions
        return out


def _reference_codes(X: np.ndarray, alphabet: Alphabet) -> np.ndarray:
    """``(N, L)`` letter codes of one-hot rows; any other row is the unknown letter."""
    column = X.argmax(axis=2)
    exact = (X == np.eye(X.shape[2], dtype=X.dtype)[column]).all(axis=2)
    letters = letter_codes(alphabet)
    return np.where(exact, letters[column], np.uint8(ord(alphabet.unknown))).astype(np.uint8)


def saturation_mutagenesis(
    model: nn.Module,
    X: np.ndarray | torch.Tensor,
    *,
    mutate_n_bases: int = 1,
    start: int = 0,
    end: int | None = None,
    alphabet=None,
    batch_size: int = 64,
    device: str | torch.device | None = None,
    fast: bool = False,
) -> SaturationMutagenesis:
    """Predictions for every substitution of ``mutate_n_bases`` positions in
    ``[start, end)`` of each sequence (in silico mutagenesis), in Selene's order.

    Parameters
    ----------
    model
        The model (run in evaluation mode, handed back as it was; see
        :func:`~selene_sdk.predict.predict`).
    X
        ``(N, L, A)`` one-hot encodings (numpy or torch). A row that is not one-hot (an
        ``N``) counts as an unknown letter: every letter of the alphabet is tried there.
    mutate_n_bases
        Positions changed together (every combination of positions and letters).
    start, end
        The positions mutated, 0-based, ``end`` exclusive (None: the sequence's end).
    alphabet
        An :class:`~selene_sdk.sequences.encoding.Alphabet`, ``Genome`` or ``Proteome``
        naming the columns; default DNA (``A, C, G, T``) for 4 columns, the 20 amino
        acids for 20.
    batch_size, device
        Mutants per forward pass; where to run (None: the model's device).
    fast
        Fast ISM: for models that start with convolutions, pooling, point-wise layers
        and batch norm (then any layers, ideally flatten + linear), recompute only the
        part of each layer a mutation reaches (:mod:`~selene_sdk.predict.fast_ism`);
        equal to naive ISM within float32 rounding. Other models run naive ISM, with
        one log line saying why.

    Returns
    -------
    SaturationMutagenesis
        Reference ``(N, F)`` and mutant ``(M, F)`` predictions with the mutations.

    Examples
    --------
    >>> import torch
    >>> from selene_sdk.sequences.encoding import encode_many
    >>> class CountG(torch.nn.Module):  # columns A, C, G, T
    ...     def forward(self, x):
    ...         return x[:, 2].sum(dim=1, keepdim=True)
    >>> ism = saturation_mutagenesis(CountG(), encode_many(["AG"]))
    >>> ism.reference
    array([[1.]], dtype=float32)
    >>> ism.mutations(0)
    [[(0, 'C')], [(0, 'G')], [(0, 'T')], [(1, 'A')], [(1, 'C')], [(1, 'T')]]
    >>> ism.predictions[:, 0]
    array([1., 2., 1., 0., 0., 0.], dtype=float32)
    >>> ism.scores("diffs")[:, 0]
    array([ 0.,  1.,  0., -1., -1., -1.], dtype=float32)
    """
    X = as_encodings(X)
    n, length, width = X.shape
    engine = engine_for(model, width, batch_size, device, alphabet)
    end = check_range(length, mutate_n_bases, start, end, what="sequences")
    letters = engine.alphabet.letters
    if n == 0:
        with engine.path.inference():
            f = engine.path.predict(np.zeros((1, length, width), np.float32)).shape[1]
        none = np.zeros((0, mutate_n_bases), dtype=np.int64)
        empty = np.zeros((0, f), dtype=np.float32)
        return SaturationMutagenesis(empty, empty, none[:, 0], none, none, letters)

    def sources():  # one sequence at a time: memory is the outputs, not copies of X
        for i in range(n):
            x = X[i : i + 1]
            codes = _reference_codes(x, engine.alphabet)[0]
            yield MutagenesisInput(codes, to_model_layout(x)[0], Dense(x), i)

    reference: list[np.ndarray] = []
    mutants: list[np.ndarray] = []
    index: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    alternatives: list[np.ndarray] = []

    def consume(group: MutagenesisGroup, ref: np.ndarray | None, mut: np.ndarray) -> None:
        if ref is not None:
            reference.append(ref)
        mutants.append(mut)
        index.append(np.full(len(mut), group.source.payload, dtype=np.int64))
        positions.append(group.positions)
        alternatives.append(group.alternatives)

    run_mutagenesis(engine, sources(), consume, mutate_n_bases, start, end, fast=fast)
    column = engine.alphabet.column_table
    return SaturationMutagenesis(
        np.concatenate(reference),
        np.concatenate(mutants),
        np.concatenate(index),
        np.concatenate(positions),
        column[np.concatenate(alternatives)].astype(np.int64),
        letters,
    )
