"""Which VCF records can be scored: one row per usable ALT allele, and a reason for the rest.

The checks of variant effect prediction, applied to the chunks of
:class:`~selene_sdk.io.vcf.VcfReader`: the chromosome must be in the reference, REF and ALT
must be sequences of A/C/G/T/N (symbolic alleles, ``*``, ``.`` and ``-`` are refused with
advice), the strand given when required, and the window around the variant usable (a
check the caller supplies, since it depends on the model's input length). Rejected
records keep their original text so they can be written out unchanged with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from selene_sdk.io.vcf import VcfChunk

__all__ = ["VariantRows", "WindowCheck", "allele_problem", "reason_key", "usable_variants"]

_BASES = re.compile(r"[ACGTNacgtn]+")
_SINGLE_BASES = frozenset("ACGTNacgtn")


def allele_problem(allele: str, column: str) -> str | None:
    """Why a REF/ALT allele cannot be scored, or None if it is a plain A/C/G/T/N sequence."""
    if allele in _SINGLE_BASES or _BASES.fullmatch(allele):
        return None
    if allele == "":
        return f"empty {column}"
    if allele == ".":
        return f"{column} '.' (no allele)"
    if allele == "*":
        return f"{column} '*' (allele missing due to an overlapping deletion)"
    if allele == "-":
        return f"{column} '-' is not VCF notation (write indels with an anchor base)"
    if allele.startswith("<") or "[" in allele or "]" in allele:
        return f"{column} {allele!r} is a symbolic or breakend allele"
    return f"{column} {allele!r} has characters other than A, C, G, T, N"


def reason_key(reason: str) -> str:
    """Coarse category of a rejection reason (for a summary such as "window: 3")."""
    for key in ("chromosome", "window", "columns", "POS", "strand", "symbolic", "'*'", "'.'"):
        if key in reason:
            return key.strip("'")
    return reason.split(" ", 2)[0] + " allele"


#: ``check_windows(fasta_chroms, pos, ref_lengths) -> {record index: reason}``: the records of
#: a chunk whose sequence window cannot be used (``fasta_chroms`` holds None for records on
#: an unknown chromosome; those are rejected already and may be left out).
WindowCheck = Callable[[list, np.ndarray, np.ndarray], dict[int, str]]


@dataclass
class VariantRows:
    """The usable ALT alleles of consecutive VCF records, column by column (one entry per
    allele: a multi-allelic record gives several), and what was rejected.

    ``chroms`` are FASTA names; ``strands`` ``+``, ``-`` or ``.``; ``na_lines`` the rejected
    records' lines, each with a tab and the reason; ``rejected`` ``(line number, reason)``
    of each; ``records`` (when asked for) every parsed record as ``(text, indices of its
    scored ALT alleles)``, for an annotated copy of the VCF; ``n_records`` the data lines.
    """

    chroms: list[str] = field(default_factory=list)
    pos: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    alts: list[str] = field(default_factory=list)
    strands: list[str] = field(default_factory=list)
    na_lines: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    records: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    n_records: int = 0

    def __len__(self) -> int:
        return len(self.pos)

    def take(self, n: int) -> VariantRows:
        """Remove and return the first ``n`` alleles (the rest of the fields stay here)."""
        columns = (self.chroms, self.pos, self.names, self.refs, self.alts, self.strands)
        out = VariantRows(*(column[:n] for column in columns))
        for column in columns:
            del column[:n]
        return out


def usable_variants(
    chunk: VcfChunk,
    match: Callable[[str], str | None],
    check_windows: WindowCheck | None = None,
    require_strand: bool = False,
    keep_records: bool = False,
) -> VariantRows:
    """Check a chunk's records and return one row per usable ALT allele.

    A record is rejected whole for a parse problem, an unknown chromosome (``match`` maps
    VCF names to FASTA names, None when absent), a ``.`` strand with ``require_strand``, an
    unusable REF, no usable ALT, or a window ``check_windows`` refuses; its other usable
    ALT alleles are still scored when only some are unusable (the record then also goes to
    ``na_lines`` with the reasons). Column-wise: the checks look only at the records that
    need them, so a chunk of plain SNVs costs a few C-level passes, not a Python loop with
    per-record objects.
    """
    n = len(chunk)
    chrom_of = {c: match(c) for c in set(chunk.chrom)}
    fasta_chroms = [chrom_of[c] for c in chunk.chrom]
    verdict = _Verdict.of(chunk, fasta_chroms, None in chrom_of.values(), require_strand)
    dead, bad_alts = verdict.dead, verdict.bad_alts
    if check_windows is not None and len(dead) < n:
        pos = np.array(chunk.pos, dtype=np.int64)
        r = np.fromiter(map(len, chunk.ref), dtype=np.int64, count=n)
        for i, reason in check_windows(fasta_chroms, pos, r).items():
            if i not in dead:
                dead[i] = [*bad_alts.pop(i, []), reason]
    out = verdict.rows(chunk, fasta_chroms)
    if keep_records:
        out.records = verdict.records(chunk)
    return out


@dataclass
class _Verdict:
    """What is wrong with a chunk's records: ``dead`` (index -> the reasons the whole record
    is rejected), ``bad_alts`` (index -> reasons for some of its ALT alleles) and
    ``kept_alts`` (index -> its usable ``(ALT index, allele)``, for records that are not
    one plain allele)."""

    dead: dict[int, list[str]]
    bad_alts: dict[int, list[str]]
    kept_alts: dict[int, list[tuple[int, str]]]

    @classmethod
    def of(cls, chunk: VcfChunk, fasta_chroms: list, unknown_chroms: bool, require_strand: bool):
        dead: dict[int, list[str]] = {i: [p] for i, p in chunk.problems.items()}
        if unknown_chroms:
            for i, c in enumerate(fasta_chroms):
                if c is None and i not in dead:
                    dead[i] = [f"chromosome {chunk.chrom[i]!r} is not in the reference FASTA"]
        if require_strand and chunk.strand is not None and "." in chunk.strand:
            for i, s in enumerate(chunk.strand):
                if s == "." and i not in dead:
                    dead[i] = ["no strand ('.') and require_strand=True"]
        refs, alts = chunk.ref, chunk.alt
        for i in [i for i, r in enumerate(refs) if r not in _SINGLE_BASES]:
            if i not in dead:
                problem = allele_problem(refs[i], "REF")
                if problem is not None:
                    dead[i] = [problem]
        # ALT alleles that cannot be scored (the record's other ALTs still are)
        bad_alts: dict[int, list[str]] = {}
        kept_alts: dict[int, list[tuple[int, str]]] = {}
        for i in [i for i, a in enumerate(alts) if a not in _SINGLE_BASES]:
            if i in dead:
                continue
            kept: list[tuple[int, str]] = []
            for k, allele in enumerate(alts[i].split(",")):
                problem = allele_problem(allele, "ALT")
                if problem is None:
                    kept.append((k, allele))
                else:
                    bad_alts.setdefault(i, []).append(problem)
            kept_alts[i] = kept
            if not kept:
                dead[i] = bad_alts.pop(i)
        return cls(dead, bad_alts, kept_alts)

    def rows(self, chunk: VcfChunk, fasta_chroms: list) -> VariantRows:
        """One row per usable ALT allele, and the rejected records with their reasons."""
        n = len(chunk)
        dead, bad_alts, kept_alts = self.dead, self.bad_alts, self.kept_alts
        out = VariantRows(n_records=n)
        refs, alts = chunk.ref, chunk.alt
        strands = chunk.strand if chunk.strand is not None else ["+"] * n
        if not dead and not kept_alts and not bad_alts:  # the usual chunk
            out.chroms, out.pos, out.names = fasta_chroms, list(chunk.pos), list(chunk.id)
            out.refs, out.alts, out.strands = list(refs), list(alts), list(strands)
            return out
        emit = [
            (i, allele)
            for i in range(n)
            if i not in dead
            for allele in ([a for _, a in kept_alts[i]] if i in kept_alts else (alts[i],))
        ]
        index = [i for i, _ in emit]
        out.chroms = [fasta_chroms[i] for i in index]
        out.pos = [chunk.pos[i] for i in index]
        out.names = [chunk.id[i] for i in index]
        out.refs = [refs[i] for i in index]
        out.alts = [a for _, a in emit]
        out.strands = [strands[i] for i in index]
        for i in sorted({*dead, *bad_alts}):
            reason = "; ".join(dead.get(i) or bad_alts[i])
            out.na_lines.append(f"{chunk.texts[i]}\t{reason}")
            out.rejected.append((chunk.lines[i], reason))
        return out

    def records(self, chunk: VcfChunk) -> list[tuple[str, tuple[int, ...]]]:
        """Every parsed record with the indices of its scored ALT alleles."""
        out = []
        for i in range(len(chunk)):
            if i in chunk.problems:
                continue
            if i in self.dead:
                kept_index: tuple[int, ...] = ()
            elif i in self.kept_alts:
                kept_index = tuple(k for k, _ in self.kept_alts[i])
            else:
                kept_index = (0,)
            out.append((chunk.texts[i], kept_index))
        return out
