"""The one encoding path: hand-computed encodings, round trips and reverse complements."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from selene_sdk.sequences import (
    Genome,
    Proteome,
    encoding_to_sequence,
    get_reverse_encoding,
    reverse_complement_sequence,
    sequence_to_encoding,
)
from selene_sdk.sequences.encoding import DNA, PROTEIN, Alphabet, dna_alphabet, encode_many

Q = 0.25


def test_dna_encoding_hand_computed():
    enc = DNA.encode("ACGTNacgtnR-")
    expected = np.array(
        [
            [1, 0, 0, 0],
            [0, 1, 0, 0],
            [0, 0, 1, 0],
            [0, 0, 0, 1],
            [Q, Q, Q, Q],
            [1, 0, 0, 0],
            [0, 1, 0, 0],
            [0, 0, 1, 0],
            [0, 0, 0, 1],
            [Q, Q, Q, Q],
            [Q, Q, Q, Q],
            [Q, Q, Q, Q],
        ],
        dtype=np.float32,
    )
    assert enc.dtype == np.float32
    np.testing.assert_array_equal(enc, expected)


def test_protein_encoding_lower_case_is_unknown():
    enc = PROTEIN.encode("AVa")
    assert enc.shape == (3, 20)
    assert enc[0, 0] == 1 and enc[0].sum() == 1
    assert enc[1, 19] == 1
    np.testing.assert_allclose(enc[2], np.full(20, 0.05, dtype=np.float32))


def test_decode_unknown_rows_and_first_one():
    enc = np.array([[0, 1, 0, 0], [Q, Q, Q, Q], [0, 0, 0, 0], [0, 0, 1, 1]], dtype=np.float32)
    assert DNA.decode(enc) == "CNNG"


@given(st.text(alphabet="ACGT", max_size=200))
def test_roundtrip_acgt(seq):
    assert DNA.decode(DNA.encode(seq)) == seq


@given(st.text(alphabet="ACGTNacgtnRYKM", max_size=200))
def test_decode_of_any_dna_text_is_upper_acgt_or_n(seq):
    decoded = DNA.decode(DNA.encode(seq))
    expected = "".join(c.upper() if c.upper() in "ACGT" else "N" for c in seq)
    assert decoded == expected


@given(st.text(alphabet="ACGTNacgtn", min_size=1, max_size=200))
def test_reverse_complement_encoding_matches_string(seq):
    rc = DNA.reverse_complement(seq)
    np.testing.assert_array_equal(DNA.reverse_complement_encoding(DNA.encode(seq)), DNA.encode(rc))
    comp = {"A": "T", "C": "G", "G": "C", "T": "A", "N": "N"}
    expected = "".join(
        comp[c.upper()] if c.isupper() else comp[c.upper()].lower() for c in seq[::-1]
    )
    assert rc == expected


def test_reverse_complement_encoding_any_column_order():
    alphabet = dna_alphabet(("A", "G", "C", "T"))
    seq = "AACGTTG"
    rc = alphabet.reverse_complement_encoding(alphabet.encode(seq))
    np.testing.assert_array_equal(rc, alphabet.encode("CAACGTT"))


def test_dna_alphabet_rejects_bad_orders():
    with pytest.raises(ValueError, match="permutation"):
        dna_alphabet(("A", "C", "G", "G"))
    with pytest.raises(ValueError, match="distinct"):
        Alphabet(("A", "A"), "N")


def test_encode_many_batches():
    batch = encode_many(["ACGT", "TTNA"])
    assert batch.shape == (2, 4, 4)
    np.testing.assert_array_equal(batch[1], DNA.encode("TTNA"))
    with pytest.raises(ValueError, match="equal length"):
        encode_many(["A", "AC"])


# -- Selene's module-level functions ------------------------------------------------------------


def test_legacy_sequence_to_encoding_and_back():
    enc = sequence_to_encoding("AcgTN", Genome.BASE_TO_INDEX, Genome.BASES_ARR)
    np.testing.assert_array_equal(enc, DNA.encode("ACGTN"))
    assert encoding_to_sequence(enc, Genome.BASES_ARR, "N") == "ACGTN"
    enc = sequence_to_encoding("ARx", Proteome.BASE_TO_INDEX, Proteome.BASES_ARR)
    assert enc.shape == (3, 20)
    np.testing.assert_allclose(enc[2], 0.05)
    assert encoding_to_sequence(enc, Proteome.BASES_ARR, "X") == "ARX"


def test_legacy_reverse_encoding_is_fixed():
    # The original computed the target row from the row array (spec §14 item 11).
    enc = DNA.encode("AACG")
    rc = get_reverse_encoding(
        enc, Genome.BASES_ARR, Genome.BASE_TO_INDEX, Genome.COMPLEMENTARY_BASE_DICT
    )
    np.testing.assert_array_equal(rc, DNA.encode("CGTT"))


def test_legacy_reverse_complement_sequence():
    assert reverse_complement_sequence("AACGn", Genome.COMPLEMENTARY_BASE_DICT) == "NCGTT"


def test_class_level_encoding_methods():
    np.testing.assert_array_equal(Genome.sequence_to_encoding("GATTACA"), DNA.encode("GATTACA"))
    assert Genome.encoding_to_sequence(DNA.encode("GATTACA")) == "GATTACA"
    assert Proteome.encoding_to_sequence(Proteome.sequence_to_encoding("MKV")) == "MKV"
