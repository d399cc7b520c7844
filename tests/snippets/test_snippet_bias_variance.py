"""Bias and variance by simulation, bagging and boosting, and L2 regularization: the
decomposition adds up, complexity trades bias for variance, bagging cuts variance, boosting
cuts training error round by round, and L2 shrinks the weights."""

from __future__ import annotations

import itertools

import numpy as np

from snippets.bias_variance import (
    bagging,
    boosting,
    bootstrap_sample,
    fit_stump,
    fit_tree,
    polynomial_learner,
    predict_boosting,
    predict_tree,
    simulate_bias_variance,
    tree_learner,
)
from snippets.gradient_check import numerical_gradient, relative_error
from snippets.optimizers import SGD, minimize
from snippets.regularization import (
    l2_gradient,
    l2_penalty,
    noisy_samples,
    polynomial_features,
    ridge_fit,
    ridge_gradient,
    ridge_loss,
    true_function,
)


def test_expected_test_error_is_bias_squared_plus_variance_plus_noise():
    for degree in (1, 3, 8):
        r = simulate_bias_variance(polynomial_learner(degree), trials=300)
        assert abs(r["mse"] - (r["bias2"] + r["variance"] + r["noise"])) < 0.08 * r["mse"], (degree, r)


def test_a_simple_model_has_high_bias_and_a_complex_one_high_variance():
    simple = simulate_bias_variance(polynomial_learner(1), trials=150)
    complex_ = simulate_bias_variance(polynomial_learner(6), trials=150)
    assert simple["bias2"] > 10 * complex_["bias2"]
    assert complex_["variance"] > 3 * simple["variance"]


def test_bagging_lowers_the_variance_of_a_high_variance_model():
    single = tree_learner(depth=6)
    one = simulate_bias_variance(single, n_train=30, trials=60)
    bagged = simulate_bias_variance(bagging(single, n_models=20), n_train=30, trials=60)
    assert bagged["variance"] < 0.7 * one["variance"]
    assert bagged["mse"] < one["mse"]


def test_a_deep_tree_fits_its_training_data_and_a_stump_does_not():
    x, y = noisy_samples(40, seed=4)
    assert np.allclose(predict_tree(fit_tree(x, y, depth=12, min_leaf=1), x), y)
    assert np.mean((predict_tree(fit_tree(x, y, depth=1), x) - y) ** 2) > 0.1


def test_a_bootstrap_sample_draws_with_replacement():
    idx = bootstrap_sample(1000, np.random.default_rng(0))
    assert idx.min() >= 0 and idx.max() < 1000
    assert 0.58 < len(np.unique(idx)) / 1000 < 0.68  # 1 - 1/e of the points, on average


def test_the_stump_is_the_best_single_split():
    rng = np.random.default_rng(1)
    x, r = rng.uniform(0, 1, 30), rng.normal(size=30)
    threshold, left, right = fit_stump(x, r)
    sse = lambda t: sum(((r[s] - r[s].mean()) ** 2).sum() for s in (x <= t, x > t) if s.any())  # noqa: E731
    best_by_search = min(sse(t) for t in np.sort(x)[:-1])
    assert np.isclose(sse(threshold), best_by_search)
    assert np.isclose(left, r[x <= threshold].mean()) and np.isclose(right, r[x > threshold].mean())


def test_boosting_lowers_training_error_every_round():
    x, y = noisy_samples(60, noise=0.2, seed=2)
    stumps = boosting(x, y, rounds=40)
    errors = [np.mean((predict_boosting(stumps, x, r) - y) ** 2) for r in range(41)]
    assert all(b < a for a, b in itertools.pairwise(errors))
    assert errors[-1] < errors[0] / 5
    # and it is a bias reducer: stumps alone are far too simple, the sum is not
    assert np.isclose(errors[0], np.var(y))


def test_ridge_fit_is_where_the_penalised_gradient_vanishes_and_gradient_descent_goes():
    x, y = noisy_samples(15, seed=0)
    features = polynomial_features(x, 5)
    w = ridge_fit(features, y, 0.01)
    np.testing.assert_allclose(ridge_gradient(w, features, y, 0.01), 0.0, atol=1e-10)
    path = minimize(SGD(lr=0.5), lambda v: ridge_gradient(v, features, y, 0.01), np.zeros(6), 20_000)
    np.testing.assert_allclose(path[-1], w, atol=1e-3)
    v = np.random.default_rng(0).normal(size=6)
    assert relative_error(ridge_gradient(v, features, y, 0.3),
                          numerical_gradient(lambda: ridge_loss(v, features, y, 0.3), v)) < 1e-6
    assert relative_error(l2_gradient(v, 0.3), numerical_gradient(lambda: l2_penalty(v, 0.3), v)) < 1e-6


def test_a_stronger_penalty_gives_smaller_weights():
    x, y = noisy_samples(12, seed=1)
    features = polynomial_features(x, 9)
    norms = [np.linalg.norm(ridge_fit(features, y, lam)) for lam in (1e-6, 1e-3, 1e-1, 10.0)]
    assert norms == sorted(norms, reverse=True)


def test_weakening_the_penalty_trades_bias_for_variance_and_the_test_error_is_a_u():
    lams = (1.0, 1e-2, 1e-4, 1e-7)
    rows = [simulate_bias_variance(polynomial_learner(9, lam), n_train=15, trials=150) for lam in lams]
    bias2 = [r["bias2"] for r in rows]
    variance = [r["variance"] for r in rows]
    mse = [r["mse"] for r in rows]
    assert bias2 == sorted(bias2, reverse=True) and variance == sorted(variance)
    best = int(np.argmin(mse))
    assert 0 < best < len(lams) - 1 and min(mse[0], mse[-1]) > 1.5 * mse[best]


def test_the_bias_estimate_does_not_count_the_error_of_the_averaged_fit():
    # An unbiased learner that only adds noise: averaging 200 of its fits leaves an error of
    # variance / 200 in the mean, which a raw (mean - f)^2 would report as bias.
    rng = np.random.default_rng(1)
    result = simulate_bias_variance(lambda x, y, grid: true_function(grid) + rng.normal(0, 1, grid.size),
                                    trials=200)
    assert abs(result["bias2"]) < 0.5 * result["variance"] / 200
