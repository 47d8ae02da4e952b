"""``Alphabet.encode_channels_first``: the model-layout one-hot used by prediction."""

import numpy as np
import pytest

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
