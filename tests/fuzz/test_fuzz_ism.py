"""Fuzzing the in silico mutagenesis enumerator (``selene_sdk.predict.mutations``).

For random sequences (any case, unknown letters, non-ASCII), alphabets, ``mutate_n_bases``
and ``[start, end)``: the number of mutations is the closed-form count, none repeats, each
changes exactly the positions it names to other letters of the alphabet, the order is the
documented one (and the same every time), and the chunked form gives the same mutations.
"""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from selene_sdk.predict.mutations import (
    check_range,
    count_mutations,
    in_silico_mutagenesis_sequences,
    ism_sample_id,
    letter_codes,
    mutate_sequence,
    mutation_chunks,
)
from selene_sdk.sequences import Genome, Proteome
from selene_sdk.sequences.encoding import DNA, PROTEIN, as_codes

from .inputs import fuzz

#: ``reference_sequence`` values and the alphabet each stands for.
REFERENCES = [(None, DNA), (Genome, DNA), (DNA, DNA), (Proteome, PROTEIN), (PROTEIN, PROTEIN)]
MAX_MUTATIONS = 20_000  # keeps an example fast


def closed_form(window: str, size: int, known: int, n: int) -> int:
    """Mutations of ``n`` of the positions of ``window``: a position holding one of the
    alphabet's ``size`` letters has ``size - 1`` alternatives, any other ``size``; ``known``
    positions are of the first kind."""
    unknown = len(window) - known
    return sum(
        comb(known, j) * comb(unknown, n - j) * (size - 1) ** j * size ** (n - j)
        for j in range(n + 1)
    )


@st.composite
def ism_case(draw):
    reference, alphabet = draw(st.sampled_from(REFERENCES))
    letters = "".join(alphabet.letters)
    sequence = draw(
        st.text(
            st.sampled_from(letters + letters.lower() + "NX-*é\x00"),
            min_size=1,
            max_size=14 if alphabet is DNA else 9,
        )
    )
    n = draw(st.integers(1, min(3 if alphabet is DNA else 2, len(sequence))))
    start = draw(st.integers(0, len(sequence) - n))
    end = draw(st.one_of(st.none(), st.integers(start + n, len(sequence))))
    return sequence, reference, alphabet, n, start, end


@fuzz(ci=80)
@given(ism_case())
def test_ism_enumeration(case):
    sequence, reference, alphabet, n, start, end = case
    stop = len(sequence) if end is None else end
    letters = list(alphabet.letters)
    window = sequence[start:stop]
    expected = closed_form(window, len(letters), sum(c in letters for c in window), n)
    assume(expected <= MAX_MUTATIONS)
    mutations = in_silico_mutagenesis_sequences(sequence, n, reference, start, end)
    # the count: closed form, and what count_mutations promises
    assert len(mutations) == expected
    assert count_mutations(sequence, letters, n, start, stop) == expected
    if set(window) <= set(letters):
        assert expected == comb(stop - start, n) * (len(letters) - 1) ** n
    # no duplicates
    keys = [tuple(m) for m in mutations]
    assert len(set(keys)) == len(keys)
    # each changes exactly the positions it names, to other letters of the alphabet
    for mutation in mutations:
        positions = [p for p, _ in mutation]
        assert len(mutation) == n and positions == sorted(set(positions))
        assert all(start <= p < stop for p in positions)
        mutated = list(sequence)
        for p, alt in mutation:
            assert alt in letters and alt != sequence[p]
            mutated[p] = alt
        assert [i for i, (a, b) in enumerate(zip(sequence, mutated)) if a != b] == positions
    # the documented order: positions lexicographic, then alternatives in alphabet order
    order = [([p for p, _ in m], [letters.index(a) for _, a in m]) for m in mutations]
    assert order == sorted(order)
    assert in_silico_mutagenesis_sequences(sequence, n, reference, start, end) == mutations


@fuzz(ci=40)
@given(ism_case(), st.integers(1, 9))
def test_mutation_chunks_and_helpers(case, chunk):
    sequence, reference, alphabet, n, start, end = case
    stop = check_range(len(sequence), n, start, end)
    letters = list(alphabet.letters)
    window = sequence[start:stop]
    assume(closed_form(window, len(letters), sum(c in letters for c in window), n) <= 5_000)
    mutations = in_silico_mutagenesis_sequences(sequence, n, reference, start, end)
    chunks = list(
        mutation_chunks(as_codes(sequence), letter_codes(alphabet), n, start, stop, chunk)
    )
    assert all(1 <= len(pos) <= chunk and pos.shape == alt.shape for pos, alt in chunks)
    flat = [
        [(int(p), chr(a)) for p, a in zip(prow, arow)]
        for pos, alt in chunks
        for prow, arow in zip(pos.tolist(), alt.tolist())
    ]
    assert flat == mutations
    if alphabet is DNA and sequence.isascii():
        encoding = DNA.encode(sequence)
        for mutation in mutations[:50]:
            mutated = list(sequence)
            for p, a in mutation:
                mutated[p] = a
            out = mutate_sequence(encoding, mutation, reference)
            np.testing.assert_array_equal(out, DNA.encode("".join(mutated)))
            positions, refs, alts = ism_sample_id(sequence, mutation)
            assert positions == ";".join(str(p) for p, _ in mutation)
            assert refs == ";".join(sequence[p] for p, _ in mutation)
            assert alts == ";".join(a for _, a in mutation)


@fuzz(ci=60)
@given(
    st.integers(0, 12),
    st.one_of(st.integers(-2, 5), st.booleans(), st.just(1.0), st.none()),
    st.one_of(st.integers(-3, 15), st.booleans()),
    st.one_of(st.none(), st.integers(-3, 15), st.just(2.5)),
)
def test_ism_range_arguments(length, n, start, end):
    """Any ``mutate_n_bases``/``start``/``end``: mutations, or a ValueError saying why."""
    sequence = "ACGTN"[:length] + "A" * max(0, length - 5)
    try:
        mutations = in_silico_mutagenesis_sequences(sequence, n, None, start, end)
    except ValueError as exc:
        assert str(exc)
        return
    stop = length if end is None else end
    assert isinstance(n, int) and not isinstance(n, bool) and n >= 1
    assert not isinstance(start, bool) and 0 <= start < stop <= length and stop - start >= n
    assert len(mutations) == count_mutations(sequence, DNA.letters, n, start, stop)


@pytest.mark.parametrize(
    ("sequence", "n", "count"),
    [("ACGT", 1, 12), ("ACGT", 2, 54), ("ACGT", 4, 81), ("acgN", 1, 16), ("AN", 2, 12)],
)
def test_ism_counts_by_hand(sequence, n, count):
    assert len(in_silico_mutagenesis_sequences(sequence, n)) == count
