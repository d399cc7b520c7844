"""Gradient descent, and overfitting as capacity grows."""

import numpy as np

from snippets.generalization import errors_by_degree, fit_polynomial, polynomial_features, training_curves
from snippets.gradient_descent import gradient_descent, linear_regression_gd, mse_grad, toy_regression


def test_gradient_descent_on_a_quadratic_follows_the_closed_form():
    # L(θ) = ½ aθ²: θ_t = (1 - lr·a)^t θ_0
    path = gradient_descent(lambda t: 3.0 * t, np.array([2.0]), 0.1, 10)
    assert path.shape == (11, 1)
    assert np.allclose(path[:, 0], 2.0 * 0.7 ** np.arange(11))


def test_too_large_a_learning_rate_diverges():
    path = gradient_descent(lambda t: 3.0 * t, np.array([1.0]), 0.8, 20)  # |1 - 2.4| > 1
    assert abs(path[-1, 0]) > 100


def test_linear_regression_by_gradient_descent_reaches_least_squares():
    _, X, y = toy_regression()
    path, losses = linear_regression_gd(X, y, lr=0.2, steps=500)
    assert np.allclose(path[-1], np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-6)
    assert np.all(np.diff(losses) <= 1e-12)  # a small enough step never increases the loss
    w = np.array([0.3, -0.2])
    eps = 1e-6
    numeric = [(np.mean((X @ (w + e) - y) ** 2) - np.mean((X @ (w - e) - y) ** 2)) / (2 * eps)
               for e in np.eye(2) * eps]
    assert np.allclose(mse_grad(X, y, w), numeric, atol=1e-6)


def test_higher_degree_fits_the_training_data_better_but_generalises_worse():
    train, test = errors_by_degree([1, 3, 12])
    assert train[0] > train[1] > train[2]
    assert test[1] < test[0] and test[2] > 10 * test[1]


def test_a_polynomial_through_every_point_has_zero_training_error():
    x = np.linspace(-1, 1, 6)
    y = np.random.default_rng(0).normal(size=6)
    w = fit_polynomial(x, y, 5)
    assert np.allclose(polynomial_features(x, 5) @ w, y)


def test_training_longer_overfits_test_error_turns_back_up():
    _steps, train, test = training_curves()
    best = test.argmin()
    assert 0 < best < len(test) - 1
    assert train[-1] < train[best] and test[-1] > 2 * test[best]
