"""Scaled dot-product attention: weights are distributions that respect the mask, the output
is their average of the values, and the backward pass agrees with numerical gradients."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.attention import attention_backward, attention_forward, causal_mask
from snippets.gradient_check import numerical_gradient, relative_error


def qkv(seed=0, batch=(2,), tq=4, tk=4, d=3, dv=2):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(*batch, tq, d)), rng.normal(size=(*batch, tk, d)),
            rng.normal(size=(*batch, tk, dv)))


def test_forward_matches_the_formula_row_by_row():
    q, k, v = qkv(batch=())
    out, cache = attention_forward(q, k, v)
    for i in range(len(q)):
        scores = k @ q[i] / np.sqrt(q.shape[-1])
        weights = np.exp(scores) / np.exp(scores).sum()
        np.testing.assert_allclose(cache.weights[i], weights)
        np.testing.assert_allclose(out[i], weights @ v)


def test_causal_mask_zeroes_future_weights_and_the_future_cannot_change_the_past():
    q, k, v = qkv()
    out, cache = attention_forward(q, k, v, causal_mask(4))
    np.testing.assert_allclose(cache.weights.sum(axis=-1), 1.0)
    assert np.all(cache.weights[..., np.triu_indices(4, 1)[0], np.triu_indices(4, 1)[1]] == 0)
    v2 = v.copy()
    v2[:, -1] += 100.0  # change only the last position's value
    out2, _ = attention_forward(q, k, v2, causal_mask(4))
    np.testing.assert_allclose(out2[:, :-1], out[:, :-1])
    assert not np.allclose(out2[:, -1], out[:, -1])


@pytest.mark.parametrize("masked", [False, True])
def test_backward_matches_numerical_gradients(masked):
    q, k, v = qkv(seed=3, batch=(2, 2), tq=3, tk=5)
    mask = np.random.default_rng(1).random((3, 5)) < 0.6 if masked else None
    if mask is not None:
        mask[:, 0] = True
    dout = np.random.default_rng(2).normal(size=(2, 2, 3, 2))
    dq, dk, dv = attention_backward(dout, attention_forward(q, k, v, mask)[1])
    loss = lambda: float(np.sum(attention_forward(q, k, v, mask)[0] * dout))  # noqa: E731
    for analytic, value in ((dq, q), (dk, k), (dv, v)):
        assert relative_error(analytic, numerical_gradient(loss, value)) < 1e-6


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5), st.integers(1, 6), st.integers(1, 4), st.integers(1, 3), st.integers(0, 999))
def test_output_shapes_follow_queries_and_values(tq, tk, d, dv, seed):
    q, k, v = qkv(seed, batch=(3,), tq=tq, tk=tk, d=d, dv=dv)
    out, cache = attention_forward(q, k, v)
    assert out.shape == (3, tq, dv) and cache.weights.shape == (3, tq, tk)
    dq, dk, dvv = attention_backward(np.ones_like(out), cache)
    assert (dq.shape, dk.shape, dvv.shape) == (q.shape, k.shape, v.shape)


def test_a_query_with_every_key_masked_is_an_error():
    q, k, v = qkv(batch=())
    mask = causal_mask(4)
    mask[2] = False
    with pytest.raises(ValueError, match="fully masked"):
        attention_forward(q, k, v, mask)
