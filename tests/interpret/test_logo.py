"""sequence_logo: glyph counts, stacking layout, alphabets, colours."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from matplotlib.colors import to_rgba
from matplotlib.font_manager import FontProperties

from selene_sdk.interpret import sequence_logo
from selene_sdk.interpret.logo import stack_layout
from selene_sdk.sequences import Proteome

MIXED = np.array([[1.0, 0.0, 2.0, -1.0], [0.0, 0.0, 0.0, 0.0], [3.0, -2.0, 1.0, 0.5]])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def glyph_boxes(ax):
    """(x0, y0, x1, y1) data-space bounding boxes of the drawn glyph patches."""
    inv = ax.transData.inverted()
    return [p.get_extents().transformed(inv).extents for p in ax.patches]


def test_one_glyph_per_nonzero_value():
    ax = sequence_logo(MIXED)
    assert len(ax.patches) == 7  # 3 + 0 + 4 non-zero values
    assert ax.get_xlim() == (0.0, 3.0)
    np.testing.assert_allclose(ax.get_xticks(), [0.5, 1.5, 2.5])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]


def test_nonnegative_value_order_puts_largest_at_bottom():
    m = np.array([[1.0, 0.0, 2.0, 1.0]])
    floors, ceilings = stack_layout(m, "value")
    # G (2) at the bottom, then A, then T (tie with A keeps alphabet order); the zero C is
    # an empty box on top
    np.testing.assert_allclose(floors, [[2.0, 4.0, 0.0, 3.0]])
    np.testing.assert_allclose(ceilings, [[3.0, 4.0, 2.0, 4.0]])
    ax = sequence_logo(m)
    colors = [p.get_facecolor() for p in ax.patches]
    assert len(colors) == 3
    boxes = glyph_boxes(ax)
    bottom = np.argmin([b[1] for b in boxes])
    assert colors[bottom] == to_rgba("#4daf4a")  # G is the third Set1 colour


def test_mixed_value_order():
    floors, ceilings = stack_layout(MIXED, "value")
    # position 2: C=-2 below the axis; T 0.5, G 1, A 3 stacked upward in increasing order
    np.testing.assert_allclose(floors[2], [1.5, -2.0, 0.5, 0.0])
    np.testing.assert_allclose(ceilings[2], [4.5, 0.0, 1.5, 0.5])
    # two negatives: the most negative next to the axis
    f, c = stack_layout(np.array([[-1.0, -3.0, 2.0, 0.0]]), "value")
    np.testing.assert_allclose(f, [[-4.0, -3.0, 0.0, 0.0]])
    np.testing.assert_allclose(c, [[-3.0, 0.0, 2.0, 0.0]])


def test_alpha_order():
    floors, ceilings = stack_layout(MIXED, "alpha")
    # A at the bottom; the zero C is an empty box between A and G
    np.testing.assert_allclose(floors[0], [0.0, 1.0, 1.0, -1.0])
    np.testing.assert_allclose(ceilings[0], [1.0, 1.0, 3.0, 0.0])
    np.testing.assert_allclose(floors[2], [0.0, -2.0, 3.0, 4.0])
    np.testing.assert_allclose(ceilings[2], [3.0, 0.0, 4.0, 4.5])
    ax = sequence_logo(MIXED, order="alpha")
    boxes = glyph_boxes(ax)
    # glyph extents match the layout (glyphs fill their boxes up to font outline rounding)
    tops = sorted(round(b[3], 1) for b in boxes)
    assert tops == sorted([1.0, 3.0, 0.0, 3.0, 0.0, 4.0, 4.5])


def slow_layout(m, order):
    """Independent per-position implementation of the stacking rules."""
    floors = np.zeros_like(m)
    ceilings = np.zeros_like(m)
    nonneg = (m >= 0).all()
    for i, row in enumerate(m):
        if order == "alpha":
            idx = list(range(len(row)))
        elif nonneg:
            idx = sorted(range(len(row)), key=lambda j: (-row[j], j))
        else:
            idx = sorted(range(len(row)), key=lambda j: (row[j], j))
        up = down = 0.0
        for j in idx:
            if row[j] >= 0:
                floors[i, j], ceilings[i, j] = up, up + row[j]
                up += row[j]
            else:
                floors[i, j], ceilings[i, j] = down + row[j], down
                down += row[j]
    return floors, ceilings


@settings(max_examples=60, deadline=None)
@given(
    m=arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.integers(1, 5)),
        elements=st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0]),
    ),
    order=st.sampled_from(["value", "alpha"]),
)
def test_layout_matches_slow_implementation(m, order):
    floors, ceilings = stack_layout(m, order)
    slow_f, slow_c = slow_layout(m, order)
    np.testing.assert_allclose(floors, slow_f)
    np.testing.assert_allclose(ceilings, slow_c)
    np.testing.assert_allclose(ceilings - floors, np.abs(m))


def test_rna_alphabet_draws_u():
    m = np.array([[0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]])
    ax = sequence_logo(m, sequence_type="rna")
    assert len(ax.patches) == 2
    # the same call with a custom sequence class exposing BASES_ARR
    rna_type = type("RNA", (), {"BASES_ARR": ["A", "C", "G", "U"]})
    assert len(sequence_logo(m, sequence_type=rna_type, ax=plt.subplots()[1]).patches) == 2


def test_protein_alphabet_with_colours_and_font():
    rng = np.random.default_rng(0)
    m = rng.uniform(0.1, 1.0, size=(5, 20))
    ax = sequence_logo(m, sequence_type=Proteome)
    assert len(ax.patches) == 100
    assert len({p.get_facecolor() for p in ax.patches}) == 20  # tab20: distinct colours
    ax2 = sequence_logo(
        m,
        sequence_type="protein",
        color_scheme="chemistry",
        font_properties=FontProperties(family="DejaVu Sans", weight="bold"),
        ax=plt.subplots()[1],
    )
    assert len(ax2.patches) == 100


def test_colour_scheme_list_and_dict():
    m = np.array([[1.0, 2.0, 3.0, 4.0]])
    ax = sequence_logo(m, color_scheme=["red", "green", "blue", "black"])
    assert {p.get_facecolor() for p in ax.patches} == {
        to_rgba(c) for c in ("red", "green", "blue", "black")
    }
    ax = sequence_logo(
        m, color_scheme={"A": "red", "C": "red", "G": "red", "T": "blue"}, ax=plt.subplots()[1]
    )
    assert sorted(p.get_facecolor() for p in ax.patches).count(to_rgba("red")) == 3


def test_given_axes_and_width():
    _fig, ax = plt.subplots()
    out = sequence_logo(np.array([[1.0, 0.0, 0.0, 0.0]]), ax=ax, width=0.5)
    assert out is ax
    x0, _, x1, _ = glyph_boxes(ax)[0]
    assert x1 - x0 <= 0.5 + 1e-6
    assert x0 >= 0.25 - 1e-6


def test_long_sequence_labels_are_thinned():
    ax = sequence_logo(np.eye(4)[np.arange(120) % 4])  # one glyph per position
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[:3] == ["0", "5", "10"]
    assert len(labels) == 24


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"score_matrix": np.ones((2, 3))}, "alphabet"),
        ({"score_matrix": np.ones((2, 4)), "order": "size"}, "order"),
        ({"score_matrix": np.ones((2, 4)), "color_scheme": ["red"] * 3}, "3 colours"),
        ({"score_matrix": np.ones((2, 4)), "color_scheme": "not-a-colour"}, "colour"),
        ({"score_matrix": np.array([[np.nan, 1, 1, 1]])}, "NaN"),
    ],
)
def test_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sequence_logo(**kwargs)
