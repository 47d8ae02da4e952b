"""Reading variant effect prediction (VEP) score tables and ordering variants by position."""

from __future__ import annotations

import os
from collections.abc import Sequence as SequenceABC

import numpy as np

from selene_sdk.errors import InputFormatError
from selene_sdk.interpret._tables import (
    VEP_LABEL_COLUMNS,
    detect_kind,
    float_column,
    read_header,
    read_string_table,
)

__all__ = [
    "load_variant_abs_diff_scores",
    "ordered_variants_and_indices",
    "sort_standard_chrs",
    "vep_label_column_count",
]

_WHAT = "variant effect prediction output"
_SPECIAL_CHROMS = {"X": 23, "Y": 24, "M": 25, "MT": 25}
_OTHER_CHROM = 26


def vep_label_column_count(header: list[str]) -> int:
    """Number of leading label columns of a VEP table header (5, 7 or 8; 0 if not VEP).

    The current layout has the 8 labels ``chrom, pos, name, ref, alt, strand, ref_match,
    contains_unk``; Selene 0.4.0-0.4.2 wrote the first 7 and older versions the first 5.
    """
    n = 0
    for name, expected in zip(header, VEP_LABEL_COLUMNS):
        if name != expected:
            break
        n += 1
    return n if n >= 5 else 0


def load_variant_abs_diff_scores(
    input_path: str | os.PathLike,
) -> tuple[np.ndarray, list[tuple[str, ...]], list[str]]:
    """Read a VEP score TSV (``<prefix>_abs_diffs.tsv``; also ``_diffs``/``_logits``).

    The label columns are recognised from the header: the current 8 (``chrom, pos, name,
    ref, alt, strand, ref_match, contains_unk``) or an older layout's first 5 (or 7).

    Returns
    -------
    tuple
        ``(scores, labels, features)``: ``scores`` float64 ``(n_variants, n_features)``;
        ``labels`` one tuple of strings per variant holding its label columns (always
        starting ``chrom, pos, name, ref, alt``); ``features`` the feature names.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    selene_sdk.errors.InputFormatError
        If the file is not a VEP TSV (e.g. an ISM output) or a score is not a number.
    """
    path = os.fspath(input_path)
    header = read_header(path, _WHAT)
    n_labels = vep_label_column_count(header)
    if n_labels == 0:
        kind = detect_kind(header)
        hint = " (this is an ISM output: use ISMResult)" if kind == "ism" else ""
        raise InputFormatError(
            path,
            "expected a header starting with chrom, pos, name, ref, alt; found "
            f"{', '.join(header[:5])}{hint}",
            1,
        )
    features = header[n_labels:]
    if not features:
        raise InputFormatError(path, "no feature columns after the variant labels", 1)
    frame = read_string_table(path, _WHAT)
    label_frame = frame.iloc[:, :n_labels]
    labels = list(label_frame.itertuples(index=False, name=None))
    scores = np.empty((len(frame), len(features)), dtype=np.float64)
    for j, feature in enumerate(features):
        scores[:, j] = float_column(frame.iloc[:, n_labels + j], path, feature)
    return scores, labels, list(features)


def sort_standard_chrs(chrom: str) -> int:
    """Sort key of a chromosome name: 1-22 -> themselves, X -> 23, Y -> 24, M/MT -> 25,
    anything else -> 26. A leading ``chr`` is ignored (``"chr7"`` and ``"7"`` -> 7).

    Examples
    --------
    >>> [sort_standard_chrs(c) for c in ("chr2", "chrX", "MT", "chrUn_gl000220")]
    [2, 23, 25, 26]
    """
    name = str(chrom)
    if name[:3].lower() == "chr":
        name = name[3:]
    if name.isdigit():
        return int(name)
    return _SPECIAL_CHROMS.get(name.upper(), _OTHER_CHROM)


def ordered_variants_and_indices(
    labels: SequenceABC[SequenceABC[str]],
) -> tuple[list[tuple[str, int, str, str]], list[int]]:
    """Sort variants by chromosome (:func:`sort_standard_chrs`, then name), position, ref, alt.

    Parameters
    ----------
    labels
        One label tuple per variant, starting ``chrom, pos, name, ref, alt`` (as returned by
        :func:`load_variant_abs_diff_scores`).

    Returns
    -------
    tuple
        ``(ordered, indices)``: ``ordered`` the ``(chrom, pos, ref, alt)`` tuples in sorted
        order (``pos`` an int); ``indices[k]`` the input index of ``ordered[k]``.

    Raises
    ------
    ValueError
        If a label has fewer than 5 fields or a position is not an integer.
    """
    n = len(labels)
    if n == 0:
        return [], []
    short = [i for i, label in enumerate(labels) if len(label) < 5]
    if short:
        raise ValueError(
            f"variant label {short[0]} has {len(labels[short[0]])} fields; expected at least "
            "chrom, pos, name, ref, alt"
        )
    chroms = np.array([str(label[0]) for label in labels])
    refs = np.array([str(label[3]) for label in labels])
    alts = np.array([str(label[4]) for label in labels])
    try:
        positions = np.array([int(label[1]) for label in labels], dtype=np.int64)
    except (TypeError, ValueError):
        bad = next(i for i, label in enumerate(labels) if not str(label[1]).strip().isdigit())
        raise ValueError(f"variant {bad}: position {labels[bad][1]!r} is not an integer") from None
    names, chrom_ids = np.unique(chroms, return_inverse=True)
    chrom_keys = np.array([sort_standard_chrs(c) for c in names], dtype=np.int64)[chrom_ids]
    # np.lexsort sorts by the last key first and is stable.
    order = np.lexsort((alts, refs, positions, chrom_ids, chrom_keys))
    ordered = [
        (str(chroms[i]), int(positions[i]), str(refs[i]), str(alts[i])) for i in order.tolist()
    ]
    return ordered, order.tolist()
