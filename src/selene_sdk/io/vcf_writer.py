"""Annotated VCF output: the input records, in order, with per-feature scores in INFO.

For every score ``S`` the INFO key ``SELENE_S`` (``Number=A``) holds, per ALT allele, the
feature values joined by ``|`` (the order is given by ``Format:`` in the header, as VEP's
CSQ does, so ``bcftools +split-vep`` can take it apart); ALT alleles that were not scored
show ``.``. ``SELENE_ref_predictions`` (``Number=1``) and ``SELENE_alt_predictions``
(``Number=A``) hold raw predictions; the flags ``SELENE_REF_MISMATCH`` and
``SELENE_CONTAINS_UNK`` mirror the ``ref_match`` and ``contains_unk`` columns.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Sequence
from typing import Any

import numpy as np

from selene_sdk.io.numfmt import format_rows
from selene_sdk.io.writers import DEFAULT_FLUSH_BYTES, BufferedWriter

__all__ = ["AnnotatedVcfWriter", "info_key"]

_PREFIX = "SELENE_"
_FIXED = ("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")
_DESCRIPTIONS = {
    "abs_diffs": "absolute difference |ref - alt| of the model's predictions",
    "diffs": "difference alt - ref of the model's predictions",
    "logits": "difference logit(alt) - logit(ref) of the model's predictions",
}


def info_key(score: str) -> str:
    """INFO key of a score name."""
    return _PREFIX + score


class AnnotatedVcfWriter(BufferedWriter):
    """Writes the input VCF with selene_sdk scores added to INFO.

    Feed it, in input order, every record (:meth:`add_records`, with the indices of the ALT
    alleles that were scored) and the score rows of those alleles (:meth:`add_rows`); a
    record is written as soon as all its rows have arrived.

    Parameters
    ----------
    path
        Output ``.vcf`` path.
    meta_lines, columns
        ``##`` lines and ``#CHROM`` fields of the input (either may be empty/None).
    save_data
        Score names, e.g. ``["abs_diffs", "predictions"]``.
    features
        Feature names, in column order.
    source
        Text for the ``##selene_sdkVersion`` line.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        meta_lines: Sequence[str],
        columns: Sequence[str] | None,
        save_data: Sequence[str],
        features: Sequence[str],
        source: str = "",
        buffer_bytes: int = DEFAULT_FLUSH_BYTES,
    ):
        super().__init__(path, buffer_bytes)
        self.meta_lines = list(meta_lines)
        self.columns = list(columns) if columns else None
        self.scores = [s for s in save_data if s != "predictions"]
        self.predictions = "predictions" in save_data
        self.features = list(features)
        self.source = source
        self._records: deque[list[Any]] = deque()  # [fields, kept alt indices]
        self._rows: deque[tuple[Any, ...]] = deque()
        self._handle: Any = None

    # -- header -------------------------------------------------------------------------------
    def _header(self) -> list[str]:
        fmt = "|".join(self.features)
        info = []
        for score in self.scores:
            info.append(
                f'##INFO=<ID={info_key(score)},Number=A,Type=String,Description="selene_sdk '
                f'{_DESCRIPTIONS[score]}, per feature. Format: {fmt}">'
            )
        if self.predictions:
            info.append(
                f"##INFO=<ID={info_key('ref_predictions')},Number=1,Type=String,"
                f'Description="selene_sdk predictions for the reference sequence, per '
                f'feature. Format: {fmt}">'
            )
            info.append(
                f"##INFO=<ID={info_key('alt_predictions')},Number=A,Type=String,"
                f'Description="selene_sdk predictions for the alternative sequence, per '
                f'feature. Format: {fmt}">'
            )
        info.append(
            f"##INFO=<ID={info_key('REF_MISMATCH')},Number=0,Type=Flag,Description="
            '"REF differs from the reference genome; the VCF REF was used (ref_match=False)">'
        )
        info.append(
            f"##INFO=<ID={info_key('CONTAINS_UNK')},Number=0,Type=Flag,Description="
            '"the reference window contains bases other than A/C/G/T (contains_unk=True)">'
        )
        meta = [m for m in self.meta_lines if not m.startswith(f"##INFO=<ID={_PREFIX}")]
        # exactly one fileformat line, first: the input's when it names a VCF version (an
        # empty or misplaced one would make the output unreadable to bcftools)
        version = next((m for m in meta if m.startswith("##fileformat=VCF")), None)
        meta = [m for m in meta if not m.startswith("##fileformat=")]
        meta.insert(0, version or "##fileformat=VCFv4.2")
        columns = list(self.columns) if self.columns else list(_FIXED)
        if len(columns) < len(_FIXED):
            columns = columns + list(_FIXED[len(columns) :])
        return [*meta, *info, f"##selene_sdkVersion={self.source}", "\t".join(columns)]

    def _start(self, tmp_path: str) -> None:
        self._handle = open(tmp_path, "w", encoding="utf-8", newline="\n")
        self._handle.write("\n".join(self._header()) + "\n")

    # -- records and rows ---------------------------------------------------------------------
    def add_records(self, records: Sequence[tuple[str, Sequence[int]]]) -> None:
        """Queue input records: ``(line text, indices of the scored ALT alleles)``."""
        for text, kept in records:
            self._records.append([text, list(kept)])
        self._emit()

    def add_rows(
        self,
        scores: dict[str, np.ndarray],
        ref: np.ndarray | None,
        alt: np.ndarray | None,
        ref_match: np.ndarray,
        contains_unk: np.ndarray,
    ) -> None:
        """Queue the rows of scored alleles, in the order of :meth:`add_records`."""
        n = len(ref_match)
        text = {name: format_rows(scores[name], sep="|") for name in self.scores}
        ref_text = format_rows(ref, sep="|") if self.predictions and ref is not None else None
        alt_text = format_rows(alt, sep="|") if self.predictions and alt is not None else None
        for i in range(n):
            self._rows.append(
                (
                    [text[name][i] for name in self.scores],
                    ref_text[i] if ref_text is not None else None,
                    alt_text[i] if alt_text is not None else None,
                    bool(ref_match[i]),
                    bool(contains_unk[i]),
                )
            )
        self._emit()

    def _emit(self) -> None:
        lines = []
        while self._records and len(self._rows) >= len(self._records[0][1]):
            text, kept = self._records.popleft()
            rows = [self._rows.popleft() for _ in kept]
            lines.append(self._annotate(text, kept, rows))
        if lines:
            self._add(lines, sum(map(len, lines)))

    def _annotate(self, text: str, kept: list[int], rows: list[tuple[Any, ...]]) -> str:
        fields = text.split("\t")
        if len(fields) < 8:
            fields = fields + ["."] * (8 - len(fields))
        info = [x for x in fields[7].split(";") if x and x != "." and not x.startswith(_PREFIX)]
        if rows:
            n_alts = len(fields[4].split(","))
            slot = {k: j for j, k in enumerate(kept)}
            for s, score in enumerate(self.scores):
                values = [rows[slot[k]][0][s] if k in slot else "." for k in range(n_alts)]
                info.append(f"{info_key(score)}={','.join(values)}")
            if self.predictions:
                info.append(f"{info_key('ref_predictions')}={rows[0][1]}")
                values = [rows[slot[k]][2] if k in slot else "." for k in range(n_alts)]
                info.append(f"{info_key('alt_predictions')}={','.join(values)}")
            if not rows[0][3]:
                info.append(info_key("REF_MISMATCH"))
            if rows[0][4]:
                info.append(info_key("CONTAINS_UNK"))
        fields[7] = ";".join(info) if info else "."
        return "\t".join(fields)

    def _append(self, items: list[Any]) -> None:
        for lines in items:
            self._handle.write("".join(line + "\n" for line in lines))

    def _finish(self) -> None:
        if self._handle is not None:
            if self._records and not self._closed:
                pending = len(self._records)
                self._handle.close()
                self._handle = None
                raise RuntimeError(f"{self.path}: {pending} record(s) never received their rows")
            self._handle.close()
            self._handle = None

    def _finish_on_error(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
