"""heatmap: orientation (transposed, alphabet bottom-to-top), mask, colour bar, options."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from selene_sdk.interpret import heatmap

M = np.arange(12, dtype=float).reshape(3, 4)  # 3 positions x A, C, G, T


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def mesh_values(ax):
    mesh = ax.collections[0]
    return np.ma.asarray(mesh.get_array()).reshape(4, 3)


def test_transposed_with_alphabet_bottom_to_top():
    ax = heatmap(M)
    assert len(ax.collections) == 1
    values = mesh_values(ax)
    # drawn row r is letter 3 - r; the y axis points down, so A (row 3) is at the bottom
    np.testing.assert_array_equal(values, [[3, 7, 11], [2, 6, 10], [1, 5, 9], [0, 4, 8]])
    assert ax.get_ylim() == (4.0, 0.0)
    assert ax.get_xlim() == (0.0, 3.0)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["T", "G", "C", "A"]
    np.testing.assert_allclose(ax.get_yticks(), [0.5, 1.5, 2.5, 3.5])
    assert all(t.get_rotation() == 0 for t in ax.get_yticklabels())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]


def test_colorbar_at_the_bottom_and_default_cmap():
    ax = heatmap(M)
    figure = ax.get_figure()
    assert len(figure.axes) == 2
    cbar_ax = next(a for a in figure.axes if a is not ax)
    assert cbar_ax.get_position().y1 < ax.get_position().y0  # below the heatmap
    assert ax.collections[0].get_cmap().name == "Blues"
    assert ax.collections[0].norm.vmin == 0.0 and ax.collections[0].norm.vmax == 11.0
    no_bar = heatmap(M, cbar=False, ax=plt.subplots()[1])
    assert len(no_bar.get_figure().axes) == 1


def test_mask_is_transformed_like_the_matrix():
    mask = np.zeros_like(M, dtype=bool)
    mask[0, 0] = True  # position 0, letter A -> drawn row 3, column 0
    mask[2, 3] = True  # position 2, letter T -> drawn row 0, column 2
    values = mesh_values(heatmap(M, mask=mask))
    assert values.mask[3, 0] and values.mask[0, 2]
    assert values.mask.sum() == 2


def test_options_pass_through():
    _fig, ax = plt.subplots()
    out = heatmap(
        M, ax=ax, cmap="RdBu_r", center=5.0, vmin=0.0, vmax=7.0, xticklabels=["a", "b", "c"]
    )
    assert out is ax
    norm = ax.collections[0].norm
    assert (norm.vmin, norm.vmax) == (0.0, 10.0)  # symmetric around the centre 5
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]


def test_protein_alphabet_and_errors():
    ax = heatmap(np.ones((2, 20)), sequence_type="protein")
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "A"
    with pytest.raises(ValueError, match="alphabet"):
        heatmap(np.ones((2, 5)))
    with pytest.raises(ValueError, match="mask"):
        heatmap(M, mask=np.zeros((4, 3), dtype=bool))
    with pytest.raises(ValueError, match="tick labels"):
        heatmap(M, xticklabels=["a"])
