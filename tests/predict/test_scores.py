"""Scores are pure functions of (ref, alt)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logit

from selene_sdk.predict.scores import SCORES, abs_diffs, diffs, logits, normalize_save_data


def test_values_hand_computed():
    ref = np.array([[0.2, 0.5]], dtype=np.float32)
    alt = np.array([[0.6, 0.25]], dtype=np.float32)
    np.testing.assert_allclose(diffs(ref, alt), [[0.4, -0.25]], rtol=1e-6)
    np.testing.assert_allclose(abs_diffs(ref, alt), [[0.4, 0.25]], rtol=1e-6)
    expected = [[np.log(0.6 / 0.4) - np.log(0.2 / 0.8), np.log(1 / 3) - 0.0]]
    np.testing.assert_allclose(logits(ref, alt), expected, rtol=1e-5)
    assert diffs(ref, alt).dtype == np.float32
    assert SCORES["predictions"](ref, alt) is alt


def test_logits_clip_copies_not_inputs():
    ref = np.array([[0.0, 1.0, 0.5]], dtype=np.float32)
    alt = np.array([[1.0, 0.0, 0.5]], dtype=np.float32)
    before = (ref.copy(), alt.copy())
    out = logits(ref, alt)
    np.testing.assert_array_equal(ref, before[0])
    np.testing.assert_array_equal(alt, before[1])
    lo, hi = logit(np.float32(1e-24)), logit(np.float32(0.999999))
    np.testing.assert_allclose(out, [[hi - lo, lo - hi, 0.0]], rtol=1e-6)
    assert np.isfinite(out).all()


def test_normalize_save_data():
    assert normalize_save_data(["predictions", "diffs", "abs_diffs", "diffs"]) == [
        "abs_diffs",
        "diffs",
        "predictions",
    ]
    assert normalize_save_data("logits") == ["logits"]
    with pytest.raises(ValueError, match="unknown output"):
        normalize_save_data(["diffs", "diff"])
    with pytest.raises(ValueError, match="empty"):
        normalize_save_data([])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(0, 1, width=32),
            st.sampled_from([0.0, 1.0, 1.5, -0.5, float("nan"), 0.999999, 1e-30]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_logits_match_the_clip_then_logit_definition(values):
    """Fast path (nothing to replace) and slow path give Selene's definition exactly."""
    p = np.array(values, dtype=np.float32).reshape(1, -1)
    q = np.flip(p, axis=1).copy()

    def reference(x):
        x = np.where(x == 0, np.float32(1e-24), x)
        x = np.where(x >= 1, np.float32(0.999999), x)
        return logit(x)

    np.testing.assert_array_equal(logits(q, p), reference(p) - reference(q))


@pytest.mark.parametrize("name", sorted(SCORES))
@pytest.mark.parametrize("shared_ref", [False, True])
def test_scores_into_a_float64_buffer_equal_the_float32_scores_cast(name, shared_ref):
    """Writers get scores computed straight into their float64 buffers: the values must be
    exactly those of the float32 computation, cast (as the original wrote them)."""
    rng = np.random.default_rng(3)
    alt = rng.random((40, 7)).astype(np.float32)
    alt[0, :3] = [0.0, 1.0, 1e-30]
    ref = rng.random((1 if shared_ref else 40, 7)).astype(np.float32)
    expected = SCORES[name](ref, alt).astype(np.float64)
    out = np.full((40, 7), np.nan)
    got = SCORES[name](ref, alt, out=out)
    assert got is out
    np.testing.assert_array_equal(out, expected)
    assert SCORES[name](ref, alt).dtype == np.float32
