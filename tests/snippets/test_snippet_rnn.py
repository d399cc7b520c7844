"""RNN (BPTT), LSTM and GRU: every backward pass agrees with numerical gradients, the forward
passes follow their update equations, and a plain RNN forgets distant inputs faster than an LSTM."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.gradient_check import numerical_gradient, relative_error
from snippets.rnn import (
    bptt_gradient_norms,
    gru_backward,
    gru_forward,
    init_params,
    input_sensitivity,
    lstm_backward,
    lstm_forward,
    rnn_backward,
    rnn_forward,
    sigmoid,
)

T, N, D, H = 4, 2, 3, 5


def setup(kind):
    rng = np.random.default_rng(7)
    params = init_params(kind, D, H, seed=3, scale=0.6)
    params["b"] = rng.normal(0, 0.3, params["b"].shape)
    inputs = {"x": rng.normal(size=(T, N, D)), "h0": rng.normal(size=(N, H))}
    if kind == "lstm":
        inputs["c0"] = rng.normal(size=(N, H))
    return inputs, params, rng.normal(size=(T, N, H))


PASSES = {"rnn": (rnn_forward, rnn_backward), "lstm": (lstm_forward, lstm_backward),
          "gru": (gru_forward, gru_backward)}


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_backward_matches_numerical_gradients_for_inputs_states_and_weights(kind):
    forward, backward = PASSES[kind]
    inputs, params, dhs = setup(kind)
    loss = lambda: float(np.sum(forward(**inputs, **params)[0] * dhs))  # noqa: E731
    grads = backward(dhs, forward(**inputs, **params)[1])
    for name, value in {**inputs, **params}.items():
        assert relative_error(grads[f"d{name}"], numerical_gradient(loss, value)) < 1e-6, name


def test_rnn_forward_is_one_shared_cell_applied_at_every_step():
    inputs, params, _ = setup("rnn")
    hs, _ = rnn_forward(**inputs, **params)
    h = inputs["h0"]
    for t in range(T):
        h = np.tanh(inputs["x"][t] @ params["Wx"] + h @ params["Wh"] + params["b"])
        np.testing.assert_allclose(hs[t], h)


def test_lstm_with_a_closed_forget_gate_and_open_input_gate_keeps_only_the_new_candidate():
    inputs, params, _ = setup("lstm")
    params["b"][:] = 0
    params["b"][:H], params["b"][H:2 * H] = 50.0, -50.0  # i = 1, f = 0
    hs, cache = lstm_forward(**inputs, **params)
    candidate = np.tanh(inputs["x"][0] @ params["Wx"][:, 3 * H:] + inputs["h0"] @ params["Wh"][:, 3 * H:])
    np.testing.assert_allclose(cache.cs[0], candidate, atol=1e-12)
    o = sigmoid(inputs["x"][0] @ params["Wx"][:, 2 * H:3 * H] + inputs["h0"] @ params["Wh"][:, 2 * H:3 * H])
    np.testing.assert_allclose(hs[0], o * np.tanh(candidate), atol=1e-12)


def test_gru_with_the_update_gate_closed_copies_its_state():
    inputs, params, _ = setup("gru")
    params["b"][:H] = 50.0  # z = 1: H_t = H_{t-1}
    hs, _ = gru_forward(**inputs, **params)
    np.testing.assert_allclose(hs[-1], inputs["h0"], atol=1e-12)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_a_plain_rnn_forgets_distant_inputs_faster_than_a_gated_cell_keeping_its_memory(kind):
    rnn = input_sensitivity("rnn", 30, scale=0.15)
    gated = input_sensitivity(kind, 30, scale=0.15, keep_bias=3.0)
    assert rnn[0] / rnn[-1] < 1e-6  # vanished over 30 steps
    assert gated[0] / gated[-1] > 1e3 * rnn[0] / rnn[-1]


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_the_keep_bias_is_what_lets_a_gated_cell_remember(kind):
    plain = input_sensitivity(kind, 30, scale=0.15)
    keeping = input_sensitivity(kind, 30, scale=0.15, keep_bias=3.0)
    assert keeping[0] / keeping[-1] > 1e3 * plain[0] / plain[-1]


def test_bptt_gradients_vanish_below_and_explode_above_a_spectral_radius_of_one():
    shrinking, small_radius = bptt_gradient_norms(30, 16, scale=0.15)
    growing, large_radius = bptt_gradient_norms(30, 16, scale=0.5)
    assert small_radius < 1 < large_radius
    assert shrinking[0] < 1e-3 * shrinking[-1]  # the first input's gradient vanished
    assert growing[0] > 10 * growing[-1]  # and here it exploded
