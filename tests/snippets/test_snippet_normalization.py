"""Feature normalization and batch normalization: training outputs are standardized per feature,
inference uses the running statistics, and the backward pass agrees with numerical gradients."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.gradient_check import numerical_gradient, relative_error
from snippets.normalization import (
    BatchNormState,
    batch_norm_backward,
    batch_norm_forward,
    min_max_scale,
    standardize,
    standardize_fit,
)
from snippets.optimizers import SGD, minimize


def batch(seed=0, n=32, d=4):
    rng = np.random.default_rng(seed)
    return rng.normal(loc=[5.0, -3.0, 0.0, 100.0][:d], scale=[2.0, 0.1, 1.0, 30.0][:d], size=(n, d))


def test_training_mode_gives_each_feature_zero_mean_and_unit_variance():
    x = batch()
    y, _ = batch_norm_forward(x, np.ones(4), np.zeros(4), BatchNormState.zeros(4), training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-10)
    np.testing.assert_allclose(y.var(axis=0), x.var(axis=0) / (x.var(axis=0) + 1e-5))  # eps: just under 1
    np.testing.assert_allclose(y.var(axis=0), 1.0, atol=2e-3)


def test_gamma_and_beta_set_the_scale_and_shift_the_network_learns():
    gamma, beta = np.array([2.0, 0.5, 1.0, 3.0]), np.array([1.0, -1.0, 0.0, 4.0])
    y, _ = batch_norm_forward(batch(), gamma, beta, BatchNormState.zeros(4), training=True)
    np.testing.assert_allclose(y.mean(axis=0), beta, atol=1e-10)
    np.testing.assert_allclose(y.std(axis=0), gamma, rtol=1e-3)


def test_running_statistics_converge_and_inference_uses_them():
    state = BatchNormState.zeros(4, momentum=0.9)
    for seed in range(300):
        batch_norm_forward(batch(seed), np.ones(4), np.zeros(4), state, training=True)
    assert np.all(np.abs(state.mean - [5.0, -3.0, 0.0, 100.0]) < [0.3, 0.02, 0.15, 4.0])
    np.testing.assert_allclose(np.sqrt(state.var), [2.0, 0.1, 1.0, 30.0], rtol=0.1)
    frozen = (state.mean.copy(), state.var.copy())
    one = batch(999)[:1]
    y, _ = batch_norm_forward(one, np.ones(4), np.zeros(4), state, training=False)
    np.testing.assert_allclose(y, (one - frozen[0]) / np.sqrt(frozen[1] + 1e-5))
    # inference does not touch the running statistics, and a sample's output ignores its batch
    np.testing.assert_array_equal(state.mean, frozen[0])
    y_in_batch, _ = batch_norm_forward(np.vstack([one, batch(5)]), np.ones(4), np.zeros(4), state, False)
    np.testing.assert_allclose(y_in_batch[:1], y)


@pytest.mark.parametrize("training", [True, False])
def test_backward_matches_numerical_gradients(training):
    rng = np.random.default_rng(4)
    x, gamma, beta = batch(n=6), rng.normal(size=4), rng.normal(size=4)
    dout = rng.normal(size=(6, 4))
    state = BatchNormState(mean=rng.normal(size=4), var=rng.uniform(0.5, 2, 4))

    def loss():
        scratch = BatchNormState(state.mean.copy(), state.var.copy())
        return float(np.sum(batch_norm_forward(x, gamma, beta, scratch, training)[0] * dout))

    scratch = BatchNormState(state.mean.copy(), state.var.copy())
    dx, dgamma, dbeta = batch_norm_backward(dout, batch_norm_forward(x, gamma, beta, scratch, training)[1])
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-6
    assert relative_error(dgamma, numerical_gradient(loss, gamma)) < 1e-6
    assert relative_error(dbeta, numerical_gradient(loss, beta)) < 1e-6


def test_standardize_uses_the_training_statistics_for_new_data():
    train, test = batch(0), batch(1)
    mean, std = standardize_fit(train)
    np.testing.assert_allclose(standardize(train, mean, std).mean(axis=0), 0.0, atol=1e-10)
    np.testing.assert_allclose(standardize(train, mean, std).std(axis=0), 1.0)
    assert not np.allclose(standardize(test, mean, std).mean(axis=0), 0.0, atol=1e-3)
    _, std_const = standardize_fit(np.ones((5, 2)))
    np.testing.assert_array_equal(std_const, 1.0)


def test_min_max_scale_maps_each_feature_onto_zero_one():
    scaled = min_max_scale(batch())
    np.testing.assert_allclose(scaled.min(axis=0), 0.0)
    np.testing.assert_allclose(scaled.max(axis=0), 1.0)


def steps_to_fit(x, y, tolerance=1e-3, max_steps=20_000):
    """Gradient descent steps on least squares with the largest stable learning rate."""
    features = np.column_stack([x, np.ones(len(x))])
    hessian = features.T @ features / len(y)
    lr = 1.0 / np.linalg.eigvalsh(hessian).max()
    best = np.linalg.lstsq(features, y, rcond=None)[0]
    path = minimize(SGD(lr), lambda w: features.T @ (features @ w - y) / len(y), np.zeros(3), max_steps)
    close = np.linalg.norm(path - best, axis=1) < tolerance * np.linalg.norm(best)
    return int(np.argmax(close)) if close.any() else max_steps


def test_normalized_features_make_gradient_descent_converge_in_far_fewer_steps():
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.normal(0, 10, 200), rng.normal(0, 0.5, 200)])
    y = x @ np.array([0.3, 2.0]) + rng.normal(0, 0.1, 200)
    mean, std = standardize_fit(x)
    assert steps_to_fit(standardize(x, mean, std), y) * 20 < steps_to_fit(x, y)
