"""Proteome: the 20-residue alphabet, bounds and encodings."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from selene_sdk.errors import InvalidCoordinatesWarning
from selene_sdk.sequences import Proteome

ALPHABET = "ARNDCEQGHILKMFPSTWYV"


@pytest.fixture
def proteome(small_faa):
    return Proteome(small_faa)


def test_names_and_lengths(proteome):
    assert proteome.get_prots() == ["prot0", "prot1"]
    assert proteome.get_prot_lens() == [("prot0", 41), ("prot1", 20)]


def test_sequence_and_encoding(proteome):
    assert proteome.get_sequence_from_coords("prot1", 0, 20) == ALPHABET
    np.testing.assert_array_equal(
        proteome.get_encoding_from_coords("prot1", 0, 20), np.eye(20, dtype=np.float32)
    )
    enc = proteome.get_encoding_from_coords("prot0", 19, 22)
    assert proteome.encoding_to_sequence(enc) == "VXA"
    np.testing.assert_allclose(enc[1], np.full(20, 0.05))


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [(0, 20, True), (19, 20, True), (0, 21, False), (-1, 3, False), (5, 5, False)],
)
def test_bounds(proteome, start, end, ok):
    assert proteome.coords_in_bounds("prot1", start, end) is ok
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert (proteome.get_sequence_from_coords("prot1", start, end) != "") is ok
        assert proteome.get_encoding_from_coords("prot1", start, end).shape == (
            (end - start, 20) if ok else (0, 20)
        )
    assert [w.category for w in caught] == ([] if ok else [InvalidCoordinatesWarning] * 2)


def test_unknown_protein(proteome):
    with pytest.warns(InvalidCoordinatesWarning, match="'protX' is not a sequence of"):
        assert proteome.get_sequence_from_coords("protX", 0, 3) == ""
    with pytest.warns(InvalidCoordinatesWarning, match=r"prot1:0-21 lies outside prot1 \(20 "):
        assert proteome.get_encoding_from_coords("prot1", 0, 21).shape == (0, 20)
