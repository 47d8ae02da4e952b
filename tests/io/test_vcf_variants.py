"""Which VCF records can be scored: one row per usable ALT allele, reasons for the rest."""

from __future__ import annotations

import numpy as np
import pytest

from selene_sdk.io.vcf import VcfReader
from selene_sdk.io.vcf_variants import allele_problem, reason_key, usable_variants

LINES = [
    "chr1\t10\ta\tA\tG",  # plain SNV
    "1\t20\tb\tC\tT,<DEL>,A",  # multi-allelic with a symbolic allele: two rows kept
    "chrX\t30\tc\tA\tG",  # unknown chromosome
    "chr1\t40\td\tN\t*",  # no usable ALT
    "chr1\tx\te\tA\tG",  # bad POS
    "chr1\t50\tf\tAC\tA",  # deletion, window refused by the check
    "chr1\t60\tg\tA\tC,<INS>",  # window refused and a bad ALT: both reasons
    "chr1\t70\th\tR\tA",  # REF not a DNA sequence
    "chr1\t80\ti\tacg\ttt",  # lower case is fine
]


def chunk(tmp_path, lines=LINES, strand_index=None):
    path = tmp_path / "v.vcf"
    path.write_text("\n".join(lines) + "\n")
    return next(VcfReader(path, strand_index=strand_index).chunks())


def match(name):
    return {"chr1": "chr1", "1": "chr1"}.get(name)


def refuse_50_and_60(chroms, pos, ref_lengths):
    assert pos.dtype == np.int64 and ref_lengths.dtype == np.int64
    return {i: f"window of {p} refused" for i, p in enumerate(pos.tolist()) if p in (50, 60)}


def test_rows_reasons_and_records(tmp_path):
    rows = usable_variants(chunk(tmp_path), match, refuse_50_and_60, keep_records=True)
    assert list(zip(rows.names, rows.alts)) == [
        ("a", "G"), ("b", "T"), ("b", "A"), ("i", "tt")
    ]  # fmt: skip
    assert rows.chroms == ["chr1"] * 4 and rows.pos == [10, 20, 20, 80]
    assert rows.strands == ["+"] * 4 and rows.n_records == 9
    reasons = dict((line, reason) for line, reason in rows.rejected)
    assert reasons == {
        2: "ALT '<DEL>' is a symbolic or breakend allele",
        3: "chromosome 'chrX' is not in the reference FASTA",
        4: "ALT '*' (allele missing due to an overlapping deletion)",
        5: "POS 'x' is not an integer",
        6: "window of 50 refused",
        7: "ALT '<INS>' is a symbolic or breakend allele; window of 60 refused",
        8: "REF 'R' has characters other than A, C, G, T, N",
    }
    assert rows.na_lines[0] == LINES[1] + "\tALT '<DEL>' is a symbolic or breakend allele"
    # every parsed record, with the ALT alleles that were scored (for an annotated VCF)
    kept = dict(rows.records)
    assert kept[LINES[0]] == (0,) and kept[LINES[1]] == (0, 2) and kept[LINES[6]] == ()
    assert LINES[4] not in kept  # unparseable: passed through as is


def test_strand_required(tmp_path):
    lines = ["chr1\t10\ta\tA\tG\t.", "chr1\t11\tb\tA\tG\t-", "chr1\t12\tc\tA\tG\t."]
    c = chunk(tmp_path, lines, strand_index=5)
    assert usable_variants(c, match).strands == [".", "-", "."]
    rows = usable_variants(c, match, require_strand=True)
    assert rows.names == ["b"] and len(rows.rejected) == 2
    assert reason_key(rows.rejected[0][1]) == "strand"


def test_take_splits_rows(tmp_path):
    rows = usable_variants(chunk(tmp_path), match)
    first = rows.take(2)
    assert first.names == ["a", "b"] and rows.names == ["b", "f", "g", "i"]
    assert first.na_lines == [] and rows.na_lines  # the side information stays


@pytest.mark.parametrize(
    ("allele", "problem"),
    [
        ("ACGTN", None),
        ("acgtn", None),
        ("", "empty ALT"),
        (".", "ALT '.' (no allele)"),
        ("-", "ALT '-' is not VCF notation (write indels with an anchor base)"),
        ("A[chr2:5[", "ALT 'A[chr2:5[' is a symbolic or breakend allele"),
        ("AU", "ALT 'AU' has characters other than A, C, G, T, N"),
    ],
)
def test_allele_problem(allele, problem):
    assert allele_problem(allele, "ALT") == problem
