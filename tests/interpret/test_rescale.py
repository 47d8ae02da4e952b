"""rescale_score_matrix on hand-computed matrices."""

from __future__ import annotations

import numpy as np
import pytest

from selene_sdk.interpret import rescale_score_matrix

M = np.array([[1.0, 2.0, 3.0, 4.0], [2.0, -1.0, 0.5, 0.5]])

# Row 0: sum 10, min 1, range 3. Row 1: sum 2, min -1, range 3.
EXPECTED = {
    ("identity", "identity"): M,
    ("identity", "probability"): [[0.1, 0.2, 0.3, 0.4], [1.0, -0.5, 0.25, 0.25]],
    ("identity", "max_effect"): [[0.3, 0.6, 0.9, 1.2], [3.0, -1.5, 0.75, 0.75]],
    ("probability", "identity"): M,
    ("probability", "probability"): [[0.1, 0.2, 0.3, 0.4], [1.0, -0.5, 0.25, 0.25]],
    ("max_effect", "identity"): [[0.0, 1.0, 2.0, 3.0], [3.0, 0.0, 1.5, 1.5]],
    # base-scaled rows divided by the ORIGINAL sums (10 and 2)
    ("max_effect", "probability"): [[0.0, 0.1, 0.2, 0.3], [1.5, 0.0, 0.75, 0.75]],
    # base-scaled rows sum to 6 and 6; times range 3 -> factor 0.5
    ("max_effect", "max_effect"): [[0.0, 0.5, 1.0, 1.5], [1.5, 0.0, 0.75, 0.75]],
}


@pytest.mark.parametrize(("base", "position"), sorted(EXPECTED))
def test_hand_computed(base, position):
    out = rescale_score_matrix(M, base_scaling=base, position_scaling=position)
    np.testing.assert_allclose(out, EXPECTED[(base, position)], rtol=0, atol=1e-12)


def test_input_is_not_modified_and_dtype_kept():
    m = M.astype(np.float32)
    before = m.copy()
    out = rescale_score_matrix(m, "max_effect", "max_effect")
    np.testing.assert_array_equal(m, before)
    assert out.dtype == np.float32
    assert out is not m
    assert rescale_score_matrix(np.array([[1, 2], [3, 4]])).dtype == np.float64


def test_zero_positions():
    m = np.array([[0.0, 0.0, 0.0, 0.0], [2.0, 2.0, 2.0, 2.0], [1.0, -1.0, 0.0, 0.0]])
    prob = rescale_score_matrix(m, "identity", "probability")
    np.testing.assert_array_equal(prob[0], 0.0)
    np.testing.assert_allclose(prob[1], 0.25)
    assert np.isnan(prob[2]).all()  # sum 0 with non-zero values: undefined
    eff = rescale_score_matrix(m, "max_effect", "max_effect")
    np.testing.assert_array_equal(eff[:2], 0.0)  # no effect at all
    np.testing.assert_allclose(eff[2], [1.0, 0.0, 0.5, 0.5])  # [2,0,1,1]/4 * 2


@pytest.mark.parametrize("kwargs", [{"base_scaling": "foo"}, {"position_scaling": "bar"}])
def test_unknown_names(kwargs):
    with pytest.raises(ValueError, match="Could not find"):
        rescale_score_matrix(M, **kwargs)


def test_not_2d():
    with pytest.raises(ValueError, match="2-D"):
        rescale_score_matrix(np.ones(4))
