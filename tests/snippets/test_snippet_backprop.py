"""Every backward pass agrees with central differences: activations, the linear layer,
softmax-cross-entropy, and MLPs of several depths and activations."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import snippets
from snippets.activations import ACTIVATIONS, activation, sigmoid
from snippets.backprop import gradient_norms_by_layer, square_of_sum
from snippets.gradient_check import numerical_gradient
from snippets.linear import linear, linear_backward
from snippets.mlp import init_mlp, loss_and_grads, mlp_backward, mlp_forward, train_mlp, two_layer_forward
from snippets.softmax import log_softmax, softmax, softmax_cross_entropy

PROJECT = Path(__file__).resolve().parents[2]


def test_snippets_is_the_top_level_package_not_this_test_folder():
    assert Path(snippets.__file__).resolve() == PROJECT / "snippets" / "__init__.py"


def test_numerical_gradient_matches_a_known_derivative():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    assert np.allclose(numerical_gradient(lambda: float((x ** 3).sum()), x), 3 * x ** 2, atol=1e-5)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity"])
def test_activation_derivatives_match_central_differences(name):
    f, df = activation(name)
    z = np.array([-3.0, -0.7, -0.1, 0.2, 0.9, 4.0])  # away from ReLU's kink at 0
    numeric = numerical_gradient(lambda: float(f(z).sum()), z)
    assert np.allclose(df(z), numeric, atol=1e-6)


def test_sigmoid_derivative_peaks_at_a_quarter_and_sigmoid_does_not_overflow():
    _, dsigmoid = ACTIVATIONS["sigmoid"]
    z = np.linspace(-10, 10, 2001)
    assert np.isclose(dsigmoid(z).max(), 0.25) and z[dsigmoid(z).argmax()] == 0
    with np.errstate(over="raise"):
        assert np.allclose(sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])


def test_unknown_activation_names_the_known_ones():
    with pytest.raises(ValueError, match="relu"):
        activation("swish")


def test_chain_rule_example_of_the_notes():
    z, dzdx, dzdy = square_of_sum(1.0, 2.0)
    assert (z, dzdx, dzdy) == (9.0, 6.0, 6.0)
    v = np.array([1.0, 2.0])
    numeric = numerical_gradient(lambda: float((v[0] + v[1]) ** 2), v)
    assert np.allclose(numeric, [dzdx, dzdy], atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 5), d=st.integers(1, 4), p=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_linear_layer_shapes_and_gradients(n, d, p, seed):
    rng = np.random.default_rng(seed)
    X, W, b, G = rng.normal(size=(n, d)), rng.normal(size=(d, p)), rng.normal(size=p), rng.normal(size=(n, p))
    O = linear(X, W, b)
    assert O.shape == (n, p)
    assert np.allclose(O - X @ W, b)  # the same b is added to every row
    dX, dW, db = linear_backward(G, X, W)
    loss = lambda: float((linear(X, W, b) * G).sum())  # noqa: E731  ∂loss/∂O = G
    assert np.allclose(dX, numerical_gradient(loss, X), atol=1e-5)
    assert np.allclose(dW, numerical_gradient(loss, W), atol=1e-5)
    assert np.allclose(db, numerical_gradient(loss, b), atol=1e-5)


def test_linear_refuses_shapes_that_do_not_fit():
    with pytest.raises(ValueError, match="shapes"):
        linear(np.ones((2, 3)), np.ones((4, 2)), np.zeros(2))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 6), k=st.integers(2, 6), seed=st.integers(0, 10_000))
def test_softmax_cross_entropy_gradient_and_value(n, k, seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 3, (n, k))
    labels = rng.integers(0, k, n)
    loss, grad = softmax_cross_entropy(logits, labels)
    assert np.isclose(loss, -np.mean(np.log(softmax(logits)[np.arange(n), labels])))
    numeric = numerical_gradient(lambda: softmax_cross_entropy(logits, labels)[0], logits)
    assert np.allclose(grad, numeric, atol=1e-6)
    assert np.allclose(grad.sum(axis=1), 0)  # softmax - one_hot sums to 0 per row


def test_log_softmax_is_stable_for_huge_logits():
    out = log_softmax(np.array([[1000.0, 0.0]]))
    assert np.all(np.isfinite(out)) and np.isclose(out[0, 0], 0.0)


@pytest.mark.parametrize("sizes", [[3, 2], [3, 5, 2], [2, 4, 4, 3], [4, 3, 5, 3, 2, 3]])
@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("loss", ["softmax-ce", "mse"])
def test_mlp_backward_matches_numerical_gradients_at_every_depth(sizes, act, loss):
    rng = np.random.default_rng(len(sizes))
    params = init_mlp(sizes, rng)
    X = rng.normal(size=(5, sizes[0]))
    y = rng.integers(0, sizes[-1], 5) if loss == "softmax-ce" else rng.normal(size=(5, sizes[-1]))
    _, grads = loss_and_grads(params, X, y, loss, act)
    total = lambda: loss_and_grads(params, X, y, loss, act)[0]  # noqa: E731  reads W, b nudged in place
    for layer, (dW, db) in enumerate(grads):
        W, b = params[layer]
        assert np.allclose(dW, numerical_gradient(total, W), atol=1e-5), layer
        assert np.allclose(db, numerical_gradient(total, b), atol=1e-5), layer


def test_mlp_backward_also_returns_the_input_gradient():
    rng = np.random.default_rng(3)
    params = init_mlp([3, 4, 2], rng)
    X = rng.normal(size=(4, 3))
    G = rng.normal(size=(4, 2))
    _O, cache = mlp_forward(params, X, "tanh")
    _, dX = mlp_backward(params, cache, G)
    numeric = numerical_gradient(lambda: float((mlp_forward(params, X, "tanh")[0] * G).sum()), X)
    assert np.allclose(dX, numeric, atol=1e-6)


def test_two_layer_forward_is_the_mlp_forward_of_depth_two():
    rng = np.random.default_rng(0)
    (W1, b1), (W2, b2) = params = init_mlp([3, 4, 2], rng)
    X = rng.normal(size=(6, 3))
    O, H = two_layer_forward(X, W1, b1, W2, b2, "relu")
    assert O.shape == (6, 2) and H.shape == (6, 4) and np.all(H >= 0)
    assert np.allclose(O, mlp_forward(params, X, "relu")[0])


def test_gradient_descent_with_backprop_learns_a_separable_problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    params, losses = train_mlp([2, 8, 2], X, y, lr=0.5, steps=200)
    accuracy = (mlp_forward(params, X)[0].argmax(axis=1) == y).mean()
    assert losses[-1] < 0.3 * losses[0] and accuracy > 0.95


def test_sigmoid_gradients_vanish_toward_the_input_and_relu_gradients_do_not():
    sig = gradient_norms_by_layer(10, "sigmoid")
    rel = gradient_norms_by_layer(10, "relu")
    assert sig[0] < 1e-4 * sig[-1]  # each sigmoid layer multiplies by at most 0.25
    assert rel[0] > 1e-2 * rel[-1]
