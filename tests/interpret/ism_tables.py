"""Hand-written ISM output tables in the spec's TSV layout (shared by the interpret tests)."""

from __future__ import annotations

import numpy as np

BASES = "ACGT"


def fmt(value: float) -> str:
    """Values as the prediction writers format them (e.g. ``5.00e-01``)."""
    return f"{value:.2e}"


def exact(values: np.ndarray) -> np.ndarray:
    """Values that survive the 2-decimal scientific formatting unchanged."""
    return np.vectorize(lambda v: float(fmt(v)))(values)


def ism_table(
    sequence: str,
    scores: dict[str, np.ndarray],
    ref_values: dict[str, float] | None,
    start: int = 0,
    letters: str = BASES,
) -> str:
    """Write an ISM TSV by hand in the spec's layout and enumeration order.

    ``scores[f]`` is the full (len(sequence), N) matrix of feature ``f``; a reference row
    (``input_sequence NA NA``) is written when ``ref_values`` is given. Positions are
    ``start .. start + len(sequence) - 1``; unknown reference letters get all alternatives.
    """
    features = list(scores)
    lines = ["\t".join(["pos", "ref", "alt", *features])]
    if ref_values is not None:
        lines.append(
            "\t".join(["input_sequence", "NA", "NA", *(fmt(ref_values[f]) for f in features)])
        )
    for i, ref in enumerate(sequence):
        for j, alt in enumerate(letters):
            if alt == ref:
                continue
            values = [fmt(scores[f][i, j]) for f in features]
            lines.append("\t".join([str(start + i), ref, alt, *values]))
    return "\n".join(lines) + "\n"


def expected_matrix(sequence, matrix, ref_value, letters=BASES):
    """The documented score matrix: reference cells = reference value, others = scores."""
    out = np.array(matrix, dtype=np.float64)
    for i, base in enumerate(sequence):
        if base in letters:
            out[i, letters.index(base)] = ref_value
    return out
