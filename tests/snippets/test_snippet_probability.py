"""Distributions, expectations, Monte Carlo, maximum likelihood, and information measures against
closed forms."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from snippets.information import cross_entropy, entropy, kl_divergence, total_variation
from snippets.likelihood import (
    bernoulli_likelihood,
    categorical_log_likelihood,
    categorical_mle,
    normal_log_likelihood,
    normal_mle,
)
from snippets.monte_carlo import (
    GAUSSIAN_INTEGRAL,
    gaussian_bump,
    monte_carlo_expectation,
    monte_carlo_integral,
)
from snippets.probability import (
    binomial_pmf,
    conditional,
    conditional_mean,
    expectation_continuous,
    expectation_discrete,
    joint_table,
    marginal,
    normal_pdf,
    probability_of_interval,
    probability_of_set,
    variance_discrete,
)
from snippets.sampling import sample_means, sample_variance


def test_the_notes_integral_has_the_closed_form_value():
    assert math.isclose(GAUSSIAN_INTEGRAL, 1.4936482656, rel_tol=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_monte_carlo_integral_lies_within_its_own_error_bars(seed):
    estimate, err = monte_carlo_integral(gaussian_bump, -1, 1, 10_000, seed)
    # the exact standard error: 2·std(f(U)) / √n, with E[f²] = ½∫e^{-2x²} = ½√(π/2)·erf(√2)
    variance = 0.5 * math.sqrt(math.pi / 2) * math.erf(math.sqrt(2)) - (GAUSSIAN_INTEGRAL / 2) ** 2
    assert math.isclose(err, 2 * math.sqrt(variance) / 100, rel_tol=0.05)  # the notes: ±0.0039
    assert abs(estimate - GAUSSIAN_INTEGRAL) < 4 * err


def test_monte_carlo_error_shrinks_like_one_over_root_n():
    rng = np.random.default_rng(0)
    errors = {n: np.mean([abs(monte_carlo_integral(gaussian_bump, -1, 1, n, rng)[0] - GAUSSIAN_INTEGRAL)
                          for _ in range(300)]) for n in (100, 10_000)}
    ratio = errors[100] / errors[10_000]
    assert 7 < ratio < 14  # √(10000/100) = 10
    stderr = {n: monte_carlo_integral(gaussian_bump, -1, 1, n, 0)[1] for n in (100, 10_000)}
    assert 8 < stderr[100] / stderr[10_000] < 12


def test_monte_carlo_expectation_of_x_squared_under_a_standard_normal():
    estimate, err = monte_carlo_expectation(np.square, lambda g, n: g.normal(size=n), 20_000, 5)
    assert abs(estimate - 1.0) < 4 * err


def test_discrete_and_continuous_probabilities():
    pmf = binomial_pmf(10, 0.35)
    assert np.isclose(pmf.sum(), 1)
    assert np.isclose(probability_of_set(pmf, np.arange(11) >= 0), 1)
    assert np.isclose(probability_of_set(pmf, np.arange(11) == 0), 0.65 ** 10)
    assert np.isclose(probability_of_interval(normal_pdf, -1, 1), math.erf(1 / math.sqrt(2)), atol=1e-7)
    assert normal_pdf(0.0, 0.0, 0.1) > 1  # a density is not a probability


def test_expectations_by_sum_and_by_integral():
    faces, pmf = np.arange(1, 7), np.full(6, 1 / 6)
    assert np.isclose(expectation_discrete(faces, pmf), 3.5)
    assert np.isclose(variance_discrete(faces, pmf), 35 / 12)
    pdf = lambda x: normal_pdf(x, 1.0, 2.0)  # noqa: E731
    assert np.isclose(expectation_continuous(pdf, -20, 20), 1.0, atol=1e-6)
    assert np.isclose(expectation_continuous(pdf, -20, 20, np.square), 1 + 4, atol=1e-6)


def test_binomial_mean_from_its_mass_function():
    pmf = binomial_pmf(12, 0.3)
    assert np.isclose(expectation_discrete(np.arange(13), pmf), 12 * 0.3)


@settings(max_examples=30, deadline=None)
@given(arrays(float, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=st.floats(0, 10)))
def test_marginals_and_conditionals_of_any_joint_table(counts):
    if counts.sum() == 0:
        return
    joint = counts / counts.sum()
    assert np.isclose(marginal(joint, 0).sum(), 1) and np.isclose(marginal(joint, 1).sum(), 1)
    given_y = conditional(joint, given_axis=1)
    p_y = marginal(joint, 0)
    assert np.allclose(given_y.sum(axis=0)[p_y > 0], 1)
    assert np.allclose(given_y * p_y, joint)  # P(x | y) P(y) = P(x, y)
    given_x = conditional(joint, given_axis=0)
    assert np.allclose(given_x * marginal(joint, 1)[:, None], joint)


def test_joint_table_of_independent_samples_factorises():
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 3, 200_000), rng.integers(0, 2, 200_000)
    table = joint_table(x, y, [-0.5, 0.5, 1.5, 2.5], [-0.5, 0.5, 1.5])
    assert np.allclose(table, np.outer(marginal(table, 1), marginal(table, 0)), atol=0.003)


def test_conditional_mean_recovers_the_regression_function():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, 50_000)
    y = 3 * x + rng.normal(0, 0.1, x.size)
    edges = np.linspace(0, 1, 11)
    assert np.allclose(conditional_mean(x, y, edges), 3 * (edges[:-1] + 0.05), atol=0.01)


def test_normal_mle_is_the_sample_mean_and_the_one_over_n_deviation():
    x = np.random.default_rng(0).normal(2.0, 1.5, 500)
    mu, sigma = normal_mle(x)
    assert np.isclose(mu, x.mean()) and np.isclose(sigma, x.std(ddof=0))
    grid_mu, grid_sigma = np.meshgrid(np.linspace(1.5, 2.5, 201), np.linspace(1.0, 2.0, 201))
    ll = normal_log_likelihood(x, grid_mu, grid_sigma)
    i, j = np.unravel_index(ll.argmax(), ll.shape)
    assert abs(grid_mu[i, j] - mu) <= 0.005 and abs(grid_sigma[i, j] - sigma) <= 0.005
    assert np.isclose(normal_log_likelihood(x, mu, sigma), np.log(normal_pdf(x, mu, sigma)).sum())


def test_categorical_mle_counts_and_maximises_the_likelihood():
    labels = np.array([0, 1, 1, 2, 1, 0, 1, 1, 2, 1])
    p_hat = categorical_mle(labels, 3)
    assert np.allclose(p_hat, [0.2, 0.6, 0.2])
    rng = np.random.default_rng(0)
    others = rng.dirichlet(np.ones(3), 2000)
    assert np.all(categorical_log_likelihood(labels, others) <= categorical_log_likelihood(labels, p_hat))
    assert categorical_log_likelihood(labels, np.array([0.5, 0.0, 0.5])) == -np.inf


def test_bernoulli_likelihood_peaks_at_the_observed_fraction():
    theta = np.linspace(0, 1, 1001)
    assert np.isclose(theta[bernoulli_likelihood(7, 10, theta).argmax()], 0.7)


probabilities = st.integers(2, 6).flatmap(
    lambda k: st.tuples(*[arrays(float, k, elements=st.floats(0.01, 1.0)) for _ in range(2)]))


@settings(max_examples=50, deadline=None)
@given(probabilities)
def test_kl_is_non_negative_and_cross_entropy_is_entropy_plus_kl(pair):
    p, q = (v / v.sum() for v in pair)
    kl = kl_divergence(p, q)
    assert kl >= -1e-12
    assert np.isclose(cross_entropy(p, q), entropy(p) + kl)
    assert np.isclose(kl_divergence(p, p), 0, atol=1e-12)
    if total_variation(p, q) > 1e-3:
        assert kl > 0
    assert 0 <= total_variation(p, q) <= 1


def test_kl_is_not_symmetric_and_handles_zero_probabilities():
    p, q = np.array([0.9, 0.1]), np.array([0.5, 0.5])
    assert not np.isclose(kl_divergence(p, q), kl_divergence(q, p))
    assert np.isclose(kl_divergence(np.array([1.0, 0.0]), q), math.log(2))
    assert kl_divergence(q, np.array([1.0, 0.0])) == np.inf
    assert np.isclose(entropy(np.array([1.0, 0.0])), 0)


def test_sampling_distribution_of_the_mean_narrows_like_sigma_over_root_n():
    exp = lambda g, shape: g.exponential(1.0, shape)  # noqa: E731  σ = 1
    for n in (4, 25):
        means = sample_means(exp, n, 20_000, n)
        assert abs(means.mean() - 1) < 0.02
        assert abs(means.std() - 1 / math.sqrt(n)) < 0.02


def test_sample_variance_divides_by_n_minus_one_unless_told():
    x = np.array([1.0, 2.0, 3.0, 6.0])
    assert np.isclose(sample_variance(x), np.var(x, ddof=1))
    assert np.isclose(sample_variance(x, ddof=0), normal_mle(x)[1] ** 2)
