"""Reference/alternative window construction: hand-computed cases and a slow reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selene_sdk.predict.inputs import allele_offset, window_radii
from selene_sdk.predict.variant_windows import build_variant_codes
from selene_sdk.sequences import Genome
from selene_sdk.sequences.encoding import DNA, codes_to_str

from .helpers import random_dna, write_fasta

S = random_dna(200, seed=11)
T = random_dna(60, seed=12)


@pytest.fixture(scope="module")
def genome(tmp_path_factory):
    path = write_fasta(tmp_path_factory.mktemp("g") / "g.fa", {"chr1": S, "chr2": T})
    return Genome(path)


def build(genome, variants, length, strands=None):
    chroms = [v[0] for v in variants]
    pos = np.array([v[1] for v in variants])
    refs = [v[2] for v in variants]
    alts = [v[3] for v in variants]
    strands = strands or ["+"] * len(variants)
    out = build_variant_codes(genome, DNA, chroms, pos, refs, alts, strands, length)
    return (
        [codes_to_str(r) for r in out.ref],
        [codes_to_str(a) for a in out.alt],
        out.ref_match.tolist(),
        out.contains_unk.tolist(),
    )


def rc(seq: str) -> str:
    return DNA.reverse_complement(seq)


def test_conventions_put_pos_at_index_499_or_500():
    assert window_radii(1000) == (500, 500)
    assert window_radii(1001) == (501, 500)
    assert allele_offset(1000, 1) == 499
    assert allele_offset(1001, 1) == 500
    assert allele_offset(1000, 4) == 497


def test_snv_even_and_odd_length(genome):
    alt = "A" if S[50] != "A" else "C"
    (ref10,), (alt10,), match, unk = build(genome, [("chr1", 51, S[50], alt)], 10)
    assert ref10 == S[46:56]
    assert alt10 == S[46:50] + alt + S[51:56]
    assert match == [True] and unk == [False]
    (ref11,), (alt11,), _, _ = build(genome, [("chr1", 51, S[50], alt)], 11)
    assert ref11 == S[45:56] and alt11[5] == alt and alt11[:5] == S[45:50]


def test_pos_lands_at_index_499_for_1000bp(tmp_path):
    seq = random_dna(3000, seed=3)
    g = Genome(write_fasta(tmp_path / "x.fa", {"c": seq}))
    (ref,), (alt,), _, _ = build(g, [("c", 1500, seq[1499], "N")], 1000)
    assert ref == seq[1000:2000] and alt[499] == "N" and alt[:499] == ref[:499]
    (ref,), (alt,), _, _ = build(g, [("c", 1500, seq[1499], "N")], 1001)
    assert ref == seq[999:2000] and alt[500] == "N"


def test_mnp(genome):
    (ref,), (alt,), match, _ = build(genome, [("chr1", 51, S[50:53], "GGG")], 10)
    assert ref == S[47:57]
    assert alt == S[47:50] + "GGG" + S[53:57]
    assert match == [True]


def test_insertion_keeps_anchor_and_inserted_bases(genome):
    (ref,), (alt,), _, _ = build(genome, [("chr1", 51, S[50], S[50] + "GG")], 10)
    assert ref == S[46:56]
    assert alt == S[47:50] + S[50] + "GG" + S[51:55]


def test_deletion_removes_the_bases_after_the_anchor(genome):
    (ref,), (alt,), _, _ = build(genome, [("chr1", 51, S[50:53], S[50])], 10)
    assert ref == S[47:57]
    # alternative haplotype: ... S[50] (anchor) then S[53] ...; S[51:53] are gone
    assert alt == S[46:50] + S[50] + S[53:58]


def test_complex_deletion(genome):
    (ref,), (alt,), _, _ = build(genome, [("chr1", 101, S[100:104], "TC")], 12)
    hap = S[:100] + "TC" + S[104:]
    ws = 100 - 5 + 2  # p - centre + r // 2
    hs = ws - (4 // 2 - 2 // 2)
    assert ref == S[ws : ws + 12]
    assert alt == hap[hs : hs + 12]


def test_minus_strand_reverse_complements_both(genome):
    plus = build(genome, [("chr1", 51, S[50:53], "GGG")], 10)
    minus = build(genome, [("chr1", 51, S[50:53], "GGG")], 10, strands=["-"])
    assert minus[0][0] == rc(plus[0][0]) and minus[1][0] == rc(plus[1][0])


def test_ref_mismatch_uses_vcf_ref(genome):
    wrong = "A" if S[50] != "A" else "C"
    (ref,), (alt,), match, _ = build(genome, [("chr1", 51, wrong, "T")], 10)
    assert ref == S[46:50] + wrong + S[51:56]
    assert alt == S[46:50] + "T" + S[51:56]
    assert match == [False]
    # lower-case alleles compare like upper-case ones
    _, _, match, _ = build(genome, [("chr1", 51, S[50].lower(), "t")], 10)
    assert match == [True]


def test_long_ref_longer_than_window(genome):
    ref_allele = S[50:70]
    (ref,), (alt,), match, _ = build(genome, [("chr1", 51, ref_allele, S[50])], 10)
    ws = 50 - 4 + 10
    assert ref == S[ws : ws + 10] and match == [True]
    hap = S[:50] + S[50] + S[70:]
    hs = ws - (20 // 2 - 0)
    assert alt == hap[hs : hs + 10]


def test_deletion_window_beyond_chromosome_end_reads_n(genome):
    # chr2 has 60 bases; the alternative window needs bases past the end
    (_,), (alt,), _, _ = build(genome, [("chr2", 52, T[51:58], T[51])], 12)
    hap = T[:51] + T[51] + T[58:] + "N" * 20
    ws = 51 - 5 + 3
    hs = ws - 3
    assert alt == hap[hs : hs + 12]
    assert alt.endswith("N")


def test_contains_unk(tmp_path):
    seq = "ACGTACGTACGTNNACGTACGTACGT"
    g = Genome(write_fasta(tmp_path / "n.fa", {"c": seq}))
    _, _, _, unk = build(g, [("c", 8, seq[7], "A"), ("c", 15, seq[14], "A")], 6)
    assert unk == [False, True]


def slow_windows(seq: str, pos: int, ref: str, alt: str, length: int):
    """Independent string-slicing version of the documented construction."""
    p, r, a = pos - 1, len(ref), len(alt)
    centre = length // 2 - (1 if length % 2 == 0 else 0)
    ws = p - centre + r // 2
    pad = "N" * (3 * length + r + a)
    padded = pad + seq + pad
    off = len(pad)
    ref_win = list(padded[off + ws : off + ws + length])
    for j in range(r):
        k = centre - r // 2 + j
        if 0 <= k < length:
            ref_win[k] = ref[j]
    hap = padded[: off + p] + alt + padded[off + p + r :]
    hs = ws + (a - r) // 2 if a >= r else ws - (r // 2 - a // 2)
    return "".join(ref_win), hap[off + hs : off + hs + length]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pos=st.integers(1, 200),
    r=st.integers(1, 12),
    alt=st.text(alphabet="ACGTN", min_size=1, max_size=14),
    length=st.integers(5, 24),
    minus=st.booleans(),
)
def test_matches_slow_reference(genome, pos, r, alt, length, minus):
    ref = S[pos - 1 : pos - 1 + r] or "A"
    ws = pos - 1 - (length // 2 - (1 - length % 2)) + len(ref) // 2
    if ws < 0 or ws + length > len(S):
        return  # windows outside the chromosome are rejected before construction
    expected_ref, expected_alt = slow_windows(S, pos, ref, alt, length)
    strand = "-" if minus else "+"
    variants = [("chr1", pos, ref, alt), ("chr1", pos, ref, "G" * len(ref))]
    (got_ref, _), (got_alt, sub_alt), _, _ = build(genome, variants, length, [strand, "+"])
    if minus:
        expected_ref, expected_alt = rc(expected_ref), rc(expected_alt)
    assert got_ref == expected_ref
    assert got_alt == expected_alt
    # every position where alt differs from ref is listed in ``changed``
    out = build_variant_codes(
        genome, DNA, ["chr1"] * 2, np.array([pos, pos]), [ref] * 2, [alt, "G" * len(ref)],
        [strand, "+"], length,
    )  # fmt: skip
    listed = set(zip(*(c.tolist() for c in out.changed)))
    differ = set(zip(*np.nonzero(out.ref != out.alt)))
    assert differ <= listed
    assert sub_alt.count("G") >= 1
