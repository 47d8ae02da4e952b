"""``Alphabet.encode_channels_first``: the model-layout one-hot used by prediction."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selene_sdk.sequences.encoding import DNA, PROTEIN, dna_alphabet


@pytest.mark.parametrize("alphabet", [DNA, dna_alphabet(("A", "G", "C", "T")), PROTEIN])
def test_matches_transposed_encode(alphabet):
    codes = np.frombuffer(b"ACGTNacgtnRX-W" * 3, dtype=np.uint8).reshape(3, -1)
    got = alphabet.encode_channels_first(codes)
    assert got.dtype == np.float32 and got.flags.c_contiguous
    np.testing.assert_array_equal(got, alphabet.encode(codes).transpose(0, 2, 1))


def test_hand_computed_and_out_buffer():
    codes = np.frombuffer(b"AGn", dtype=np.uint8).reshape(1, 3)
    out = np.full((1, 4, 3), 7.0, dtype=np.float32)
    res = DNA.encode_channels_first(codes, out=out)
    assert res is out
    expected = np.array([[[1, 0, 0.25], [0, 0, 0.25], [0, 1, 0.25], [0, 0, 0.25]]], np.float32)
    np.testing.assert_array_equal(out, expected)


def test_rejects_non_code_input():
    with pytest.raises(ValueError, match="uint8"):
        DNA.encode_channels_first(np.zeros((2, 3), dtype=np.int64))


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(min_size=0, max_size=300),
    width=st.integers(min_value=1, max_value=30),
    order=st.permutations(["A", "C", "G", "T"]),
    use_scratch=st.booleans(),
)
def test_property_every_byte_matches_the_lookup_table(data, width, order, use_scratch):
    """All 256 byte values (lower case, N, punctuation, non-ASCII), any column order, with
    and without the recycled buffers: same values as the 2-D lookup table."""
    alphabet = dna_alphabet(tuple(order))
    rows = len(data) // width
    codes = np.frombuffer(data[: rows * width], dtype=np.uint8).reshape(rows, width)
    scratch = np.full(rows * width * 4 + 3, np.nan, np.float32) if use_scratch else None
    out = np.full((rows, 4, width), np.nan, np.float32) if use_scratch else None
    got = alphabet.encode_channels_first(codes, out=out, scratch=scratch)
    np.testing.assert_array_equal(got, alphabet.onehot_table[codes].transpose(0, 2, 1))


def test_non_contiguous_codes():
    codes = np.frombuffer(b"ACGTNacgtn" * 4, dtype=np.uint8).reshape(4, 10)[:, ::2]
    np.testing.assert_array_equal(
        DNA.encode_channels_first(codes), DNA.encode(np.ascontiguousarray(codes)).transpose(0, 2, 1)
    )


@settings(max_examples=100, deadline=None)
@given(data=st.binary(min_size=0, max_size=200), width=st.integers(min_value=1, max_value=20))
def test_unknown_rows_matches_the_index_table(data, width):
    rows = len(data) // width
    codes = np.frombuffer(data[: rows * width], dtype=np.uint8).reshape(rows, width)
    expected = (DNA.index_table[codes] < 0).any(axis=1)
    np.testing.assert_array_equal(DNA.unknown_rows(codes), expected)
    clean = np.frombuffer(b"ACGTacgt" * 3, dtype=np.uint8).reshape(3, 8)
    assert not DNA.unknown_rows(clean).any()
