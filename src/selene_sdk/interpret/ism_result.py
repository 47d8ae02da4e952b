"""``ISMResult``: an in silico mutagenesis output table as per-feature score matrices."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from selene_sdk.errors import InputFormatError
from selene_sdk.interpret._alphabet import resolve_alphabet
from selene_sdk.interpret._tables import (
    ISM_COLUMNS,
    detect_kind,
    float_column,
    read_header,
    read_string_table,
)
from selene_sdk.sequences.encoding import as_codes
from selene_sdk.sequences.genome import Genome

__all__ = ["ISMResult"]

_WHAT = "ISM output file"
_SHOW = 5  # offending positions / features listed in an error message


def _listing(items: list[Any], limit: int = _SHOW) -> str:
    shown = ", ".join(str(x) for x in items[:limit])
    return shown + (f", ... ({len(items)} in total)" if len(items) > limit else "")


class ISMResult:
    """Scores of an in silico mutagenesis (ISM) run, one table row per single-base mutation.

    The table has the columns ``pos, ref, alt`` followed by one column per feature (the
    layout of ``<prefix>_{predictions,diffs,abs_diffs,logits}.tsv``). An optional first row
    with ``ref`` and ``alt`` equal to ``NA`` (``input_sequence  NA  NA  ...`` in
    ``_predictions.tsv``) holds the prediction for the unmutated sequence. The reference
    sequence is rebuilt from the ``(pos, ref)`` pairs.

    The positions must form one contiguous window ``[start_position, end_position)``: a full
    ISM run (``0 .. L-1``) or one restricted with ``start_position``/``end_position``. Score
    matrices have one row per position of that window.

    Parameters
    ----------
    data_frame
        The ISM table; values may be strings (as read by :meth:`from_file`) or numbers.
    sequence_type
        Alphabet of the sequence: ``Genome`` (default), ``Proteome`` or any value accepted by
        :func:`~selene_sdk.interpret.sequence_logo`.
    source
        File name used in error messages (set by :meth:`from_file`).

    Raises
    ------
    ValueError
        For a reference letter outside the alphabet (the unknown letter, e.g. ``N``, is
        allowed), an alternative letter outside the alphabet, conflicting reference letters
        at one position, missing positions inside the window, repeated ``(pos, alt)`` rows,
        or multi-base mutations (``pos`` like ``3;4``). From a file these are
        :class:`~selene_sdk.errors.InputFormatError` naming the line.
    """

    def __init__(
        self, data_frame: pd.DataFrame, sequence_type: Any = Genome, *, source: str | None = None
    ):
        self._data_frame = data_frame
        self._sequence_type = sequence_type
        self._source = source
        self._alphabet = resolve_alphabet(sequence_type)
        columns = [str(c) for c in data_frame.columns]
        if tuple(columns[:3]) != ISM_COLUMNS:
            self._fail(self._kind_message(columns), line=1)
        self._features = columns[3:]
        if not self._features:
            self._fail("no feature columns after pos, ref, alt", line=1)
        self._parse_rows()

    # -- construction helpers ----------------------------------------------------------------
    @staticmethod
    def _kind_message(columns: list[str]) -> str:
        kind = detect_kind(columns)
        found = ", ".join(columns[:4])
        if kind == "vep":
            return (
                f"this is a variant effect prediction output (columns {found}, ...), not an "
                "ISM output; ISM outputs start with pos, ref, alt"
            )
        return f"expected the columns pos, ref, alt, <features...>; found {found}"

    def _fail(self, message: str, line: int | None = None, row: int | None = None) -> None:
        if self._source is not None:
            if line is None and row is not None:
                line = row + 2  # header is line 1
            raise InputFormatError(self._source, message, line)
        where = f"row {row}: " if row is not None else ""
        raise ValueError(where + message)

    def _column(self, name: str) -> np.ndarray:
        column = self._data_frame[name]
        text = column.astype(str).str.strip()
        # A frame read with pandas' default NA handling has NaN where the file says "NA".
        return np.where(column.isna().to_numpy(), "NA", text.to_numpy()).astype(str)

    def _parse_rows(self) -> None:
        pos_text = self._column("pos")
        ref_text = self._column("ref")
        alt_text = self._column("alt")
        is_ref_row = (ref_text == "NA") & (alt_text == "NA")
        ref_rows = np.nonzero(is_ref_row)[0]
        if ref_rows.size > 1 or (ref_rows.size == 1 and ref_rows[0] != 0):
            bad = int(ref_rows[1] if ref_rows[0] == 0 else ref_rows[0])
            self._fail("only the first row may be the reference (NA, NA) row", row=bad)
        self._ref_row: int | None = int(ref_rows[0]) if ref_rows.size else None
        rows = np.nonzero(~is_ref_row)[0]
        if rows.size == 0:
            self._fail("no mutation rows", line=None if self._source is None else 2)
        pos_text, ref_text, alt_text = pos_text[rows], ref_text[rows], alt_text[rows]

        multi = np.char.find(pos_text, ";") >= 0
        if multi.any():
            i = int(np.argmax(multi))
            self._fail(
                f"multi-base mutation at pos {str(pos_text[i])!r}: ISMResult needs single-base "
                "mutations (mutate_n_bases: 1)",
                row=int(rows[i]),
            )
        numeric = np.char.isdigit(pos_text)
        if not numeric.all():
            i = int(np.argmax(~numeric))
            self._fail(f"pos {str(pos_text[i])!r} is not a non-negative integer", row=int(rows[i]))
        positions = pos_text.astype(np.int64)
        for name, letters in (("ref", ref_text), ("alt", alt_text)):
            lengths = np.char.str_len(letters)
            if (lengths != 1).any():
                i = int(np.argmax(lengths != 1))
                self._fail(f"{name} {str(letters[i])!r} is not a single letter", row=int(rows[i]))

        alphabet = self._alphabet
        ref_codes = as_codes("".join(ref_text))
        alt_codes = as_codes("".join(alt_text))
        ref_idx = alphabet.index_table[ref_codes]
        alt_idx = alphabet.index_table[alt_codes]
        bad_ref = (ref_idx < 0) & (ref_codes != ord(alphabet.unknown))
        if bad_ref.any():
            i = int(np.argmax(bad_ref))
            self._fail(
                f"reference letter {str(ref_text[i])!r} is not in the alphabet "
                f"{''.join(alphabet.letters)} (or the unknown letter {alphabet.unknown})",
                row=int(rows[i]),
            )
        if (alt_idx < 0).any():
            i = int(np.argmax(alt_idx < 0))
            self._fail(
                f"alternative letter {str(alt_text[i])!r} is not in the alphabet "
                f"{''.join(alphabet.letters)}",
                row=int(rows[i]),
            )

        order = np.argsort(positions, kind="stable")
        sorted_pos = positions[order]
        same_pos = sorted_pos[1:] == sorted_pos[:-1]
        conflict = same_pos & (ref_codes[order][1:] != ref_codes[order][:-1])
        if conflict.any():
            k = int(np.argmax(conflict))
            self._fail(
                f"conflicting reference letters at pos {sorted_pos[k]}: "
                f"{str(ref_text[order[k]])!r} and {str(ref_text[order[k + 1]])!r}",
                row=int(rows[order[k + 1]]),
            )
        pair_keys = positions * 256 + alt_codes
        unique_keys, counts = np.unique(pair_keys, return_counts=True)
        if (counts > 1).any():
            key = unique_keys[np.argmax(counts > 1)]
            dup = np.nonzero(pair_keys == key)[0][1]
            self._fail(
                f"repeated mutation pos {positions[dup]} alt {str(alt_text[dup])!r}",
                row=int(rows[dup]),
            )
        start, end = int(sorted_pos[0]), int(sorted_pos[-1]) + 1
        present = np.zeros(end - start, dtype=bool)
        present[positions - start] = True
        if not present.all():
            missing = (np.nonzero(~present)[0] + start).tolist()
            self._fail(
                f"positions {_listing(missing)} have no rows: the table must cover one "
                f"contiguous window (found pos {start} to {end - 1})"
            )

        reference = np.empty(end - start, dtype=np.uint8)
        reference[positions - start] = ref_codes
        self._start, self._end = start, end
        self._rows = rows
        self._positions = positions
        self._alt_idx = alt_idx.astype(np.intp)
        self._reference_codes = reference
        self._reference_sequence = reference.tobytes().decode("ascii")

    # -- public API --------------------------------------------------------------------------
    @classmethod
    def from_file(cls, input_path: str | os.PathLike, sequence_type: Any = Genome) -> ISMResult:
        """Read an ISM output TSV (``<prefix>_predictions.tsv``, ``_logits.tsv``, ...).

        Raises
        ------
        FileNotFoundError
            If the file does not exist.
        selene_sdk.errors.InputFormatError
            If it is not a well-formed ISM table (another output kind, HDF5, bad rows).
        """
        path = os.fspath(input_path)
        header = read_header(path, _WHAT)
        if tuple(header[:3]) != ISM_COLUMNS:
            raise InputFormatError(path, cls._kind_message(header), 1)
        frame = read_string_table(path, _WHAT)
        return cls(frame, sequence_type=sequence_type, source=path)

    @property
    def reference_sequence(self) -> str:
        """The reference letters of positions ``start_position .. end_position - 1``."""
        return self._reference_sequence

    @property
    def sequence_type(self) -> Any:
        """The ``sequence_type`` given at construction (``Genome`` by default)."""
        return self._sequence_type

    @property
    def features(self) -> list[str]:
        """Feature (score column) names, in file order."""
        return list(self._features)

    @property
    def start_position(self) -> int:
        """First mutated position (0 for a full-length ISM run)."""
        return self._start

    @property
    def end_position(self) -> int:
        """One past the last mutated position."""
        return self._end

    @property
    def source(self) -> str | None:
        """The file the table was read from (None when built from a frame)."""
        return self._source

    @property
    def score_type(self) -> str | None:
        """``predictions``, ``diffs``, ``abs_diffs`` or ``logits`` from the file name
        (``<prefix>_<score>.tsv``); None when read from a frame or named otherwise."""
        if self._source is None:
            return None
        name = os.path.basename(self._source)
        for suffix in (".gz", ".tsv", ".txt"):
            name = name.removesuffix(suffix)
        for score in ("abs_diffs", "diffs", "logits", "predictions"):
            if name.endswith(f"_{score}") or name == score:
                return score
        return None

    @property
    def has_reference_prediction(self) -> bool:
        """Whether the table has the ``NA, NA`` reference-prediction row."""
        return self._ref_row is not None

    def get_score_matrix_for(
        self, feature: str, reference_mask: float | None = None, dtype: Any = np.float64
    ) -> np.ndarray:
        """The ``(end_position - start_position, N)`` score matrix of one feature.

        Cell ``(i, j)`` is the score of letter ``j`` at position ``start_position + i``: the
        mutation row's value for an alternative letter, and for the reference letter the
        reference prediction (the ``NA`` row; 0 when the table has none, as in ``_diffs``
        and ``_logits`` files) or ``reference_mask`` when given. At an unknown reference
        letter (e.g. ``N``) every letter is a mutation; a cell without a row there is 0.

        Parameters
        ----------
        feature
            A feature column name (see :attr:`features`).
        reference_mask
            Value for the reference-letter cells instead of the reference prediction.
        dtype
            Output dtype.

        Raises
        ------
        ValueError
            For an unknown feature (the message lists the available ones) or a value that
            is not a number (:class:`~selene_sdk.errors.InputFormatError` from a file).
        """
        if feature not in self._features:
            raise ValueError(
                f"unknown feature {feature!r}; available features: {_listing(self._features, 20)}"
            )
        column = self._data_frame[feature]
        if self._ref_row is not None and reference_mask is None:
            ref_value = float_column(
                column.iloc[[self._ref_row]], self._source, feature, self._ref_row + 2
            )[0]
        else:
            ref_value = 0.0 if reference_mask is None else float(reference_mask)
        # Mutation rows are contiguous (all rows, or all but the first), so file line =
        # first row + 2.
        parsed = float_column(
            column.iloc[self._rows], self._source, feature, int(self._rows[0]) + 2
        )

        ###
        n_letters = self._alphabet.size
        matrix = np.zeros((self._end - self._start, n_letters), dtype=np.float64)
        ref_idx = self._alphabet.index_table[self._reference_codes]
        known = np.nonzero(ref_idx >= 0)[0]
        matrix[known, ref_idx[known]] = ref_value
        matrix[self._positions - self._start, self._alt_idx] = parsed
        return matrix.astype(dtype, copy=False)

    def __repr__(self) -> str:
        return (
            f"ISMResult(positions {self._start}..{self._end - 1}, "
            f"{len(self._features)} feature(s), reference row: {self._ref_row is not None})"
        )
