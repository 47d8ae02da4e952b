"""The mutations of in silico mutagenesis, in Selene's order, and Selene's helpers for them.

Order: the ``n``-combinations of positions in ``[start, end)`` in lexicographic order; at
each position the alphabet's letters other than the reference letter, in alphabet order
(a letter outside the alphabet, such as ``N``, gets all of them), the last position
varying fastest.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import numpy as np

from selene_sdk.sequences.encoding import DNA, Alphabet, as_codes

__all__ = [
    "Mutation",
    "check_range",
    "count_mutations",
    "in_silico_mutagenesis_sequences",
    "ism_sample_id",
    "letter_codes",
    "mutate_sequence",
    "mutation_chunks",
]

Mutation = list[tuple[int, str]]


def _alphabet_of(reference_sequence) -> Alphabet:
    if isinstance(reference_sequence, Alphabet):
        return reference_sequence
    alphabet = getattr(reference_sequence, "ALPHABET", None)
    return alphabet if isinstance(alphabet, Alphabet) else DNA


def letter_codes(alphabet: Alphabet) -> np.ndarray:
    return np.frombuffer("".join(alphabet.letters).encode(), np.uint8)


def check_range(
    n: int, mutate_n_bases: int, start: int, end: int | None, what: str = "sequence"
) -> int:
    """Validate a mutation range over a sequence of length ``n``; return its end."""
    end = n if end is None else end
    if isinstance(mutate_n_bases, bool) or not isinstance(mutate_n_bases, int):
        raise ValueError(f"mutate_n_bases must be an integer, got {mutate_n_bases!r}")
    if mutate_n_bases < 1:
        raise ValueError(f"mutate_n_bases must be >= 1, got {mutate_n_bases}")
    for name, value in (("start_position", start), ("end_position", end)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise ValueError(f"{name} must be an integer, got {value!r}")
    if start < 0 or end < 0:
        raise ValueError(f"start_position ({start}) and end_position ({end}) must be >= 0")
    if start >= end:
        raise ValueError(f"start_position ({start}) must be less than end_position ({end})")
    if start >= n:
        raise ValueError(f"start_position ({start}) is beyond the {what} (length {n})")
    if end > n:
        raise ValueError(f"end_position ({end}) is beyond the {what} (length {n})")
    if end - start < mutate_n_bases:
        raise ValueError(
            f"[{start}, {end}) has fewer than mutate_n_bases={mutate_n_bases} positions"
        )
    return int(end)


def mutation_chunks(
    codes: np.ndarray,
    letters: np.ndarray,
    mutate_n_bases: int,
    start: int,
    end: int,
    chunk: int,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Mutations in Selene's order as ``(positions (k, n), alt letter codes (k, n))``,
    ``chunk`` at a time (the reference letters are ``codes``, compared case-sensitively
    with the alphabet's ``letters``)."""
    if mutate_n_bases == 1:
        window = codes[start:end]
        pos, alt = np.nonzero(window[:, None] != letters[None, :])
        pos = (pos + start).reshape(-1, 1)
        alt = letters[alt].reshape(-1, 1)
        for i in range(0, len(pos), chunk):
            yield pos[i : i + chunk], alt[i : i + chunk]
        return
    choices = [letters[letters != c] for c in codes]
    buf_pos: list[tuple[int, ...]] = []
    buf_alt: list[tuple[int, ...]] = []
    for combo in itertools.combinations(range(start, end), mutate_n_bases):
        for alts in itertools.product(*(choices[p] for p in combo)):
            buf_pos.append(combo)
            buf_alt.append(alts)
            if len(buf_pos) >= chunk:
                yield np.array(buf_pos, dtype=np.int64), np.array(buf_alt, dtype=np.uint8)
                buf_pos, buf_alt = [], []
    if buf_pos:
        yield np.array(buf_pos, dtype=np.int64), np.array(buf_alt, dtype=np.uint8)


def count_mutations(sequence: str, letters: Sequence[str], n: int, start: int, end: int) -> int:
    """How many mutations :func:`in_silico_mutagenesis_sequences` would enumerate."""
    window = as_codes(sequence[start:end])
    table = np.zeros(256, dtype=np.int64)  # alternatives per letter (compared case-sensitively)
    table[:] = len(letters)
    for x in letters:
        table[ord(x)] -= 1
    alts = table[window]
    if n == 1:
        return int(alts.sum())
    # elementary symmetric polynomial of degree n of the per-position alternative counts
    # (exact Python integers: the count can exceed 64 bits)
    e = [1] + [0] * n
    for c in alts.tolist():
        for j in range(n, 0, -1):
            e[j] += e[j - 1] * c
    return e[n]


def in_silico_mutagenesis_sequences(
    sequence: str,
    mutate_n_bases: int = 1,
    reference_sequence=None,
    start_position: int = 0,
    end_position: int | None = None,
) -> list[Mutation]:
    """Every mutation of ``sequence`` as a list of ``(position, alt_letter)`` tuples.

    Parameters
    ----------
    sequence
        The sequence (its letters are compared case-sensitively with the alphabet, so a
        lower-case or unknown letter gets all alphabet letters as alternatives).
    mutate_n_bases
        Positions changed together.
    reference_sequence
        ``Genome`` (class or instance), ``Proteome`` or an ``Alphabet`` giving the letters;
        default DNA.
    start_position, end_position
        Mutate positions in ``[start_position, end_position)`` (end defaults to the length).

    Examples
    --------
    >>> in_silico_mutagenesis_sequences("AC")[:4]
    [[(0, 'C')], [(0, 'G')], [(0, 'T')], [(1, 'A')]]
    """
    end = check_range(len(sequence), mutate_n_bases, start_position, end_position)
    letters = letter_codes(_alphabet_of(reference_sequence))
    out: list[Mutation] = []
    for pos, alt in mutation_chunks(
        as_codes(sequence), letters, mutate_n_bases, start_position, end, 1 << 16
    ):
        out.extend(
            [(int(p), chr(a)) for p, a in zip(prow, arow)]
            for prow, arow in zip(pos.tolist(), alt.tolist())
        )
    return out


def mutate_sequence(
    encoding: np.ndarray, mutation_information: Sequence[tuple[int, str]], reference_sequence=None
) -> np.ndarray:
    """A copy of an ``(L, A)`` encoding with each mutated row set to its alt letter's one-hot."""
    alphabet = _alphabet_of(reference_sequence)
    out = np.array(encoding, copy=True)
    for position, alt in mutation_information:
        out[position] = alphabet.onehot_table[ord(alt)]
    return out


def ism_sample_id(
    sequence: str, mutation_information: Sequence[tuple[int, str]]
) -> tuple[str, str, str]:
    """Row labels of a mutation: ``;``-joined positions, reference letters and alt letters."""
    positions = ";".join(str(p) for p, _ in mutation_information)
    refs = ";".join(sequence[p] for p, _ in mutation_information)
    alts = ";".join(a for _, a in mutation_information)
    return positions, refs, alts
