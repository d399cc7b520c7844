"""The five optimizers: each finds the minimum of a convex quadratic, and on a long narrow
valley they differ the way the note says, over a range of steps rather than at one: momentum
and AdaGrad beat plain SGD throughout, Adam's loss goes up and down, RMSProp is steady but slow."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.optimizers import (
    NARROW_VALLEY,
    OPTIMIZERS,
    SGD,
    VALLEY_SETTINGS,
    AdaGrad,
    Adam,
    minimize,
    quadratic,
    valley_losses,
)

WELL_CONDITIONED_RATES = {"SGD": 0.1, "Momentum": 0.05, "AdaGrad": 1.0, "RMSProp": 0.01, "Adam": 0.05}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_optimizer_reaches_the_minimum_of_a_convex_quadratic(name):
    minimum = np.array([1.0, -2.0, 0.5])
    f, grad = quadratic((2.0, 3.0, 1.0), minimum)
    path = minimize(OPTIMIZERS[name](lr=WELL_CONDITIONED_RATES[name]), grad, np.zeros(3), 1000)
    np.testing.assert_allclose(path[-1], minimum, atol=1e-2)
    assert f(path[-1]) < 1e-3 * f(path[0])


def test_step_returns_new_parameters_and_leaves_its_arguments_alone():
    params, grad = np.array([1.0, 2.0]), np.array([0.5, -0.5])
    for name, optimizer in OPTIMIZERS.items():
        new = optimizer(lr=0.1).step(params, grad)
        assert not np.shares_memory(new, params), name
        np.testing.assert_array_equal(params, [1.0, 2.0])
        np.testing.assert_array_equal(grad, [0.5, -0.5])


VALLEY = NARROW_VALLEY  # condition number 50, the valley of the optimizer note's figure
START = np.array([-4.0, 2.0])
SGD_RATE = VALLEY_SETTINGS["SGD"]["lr"]


def final_loss(optimizer, steps=100):
    f, grad = quadratic(VALLEY)
    return float(f(minimize(optimizer, grad, START, steps)[-1]))


def test_sgd_cannot_take_a_larger_step_than_the_steep_direction_allows():
    assert final_loss(SGD(lr=2.2 / VALLEY[1])) > 1e6  # diverges
    assert final_loss(SGD(lr=SGD_RATE)) < final_loss(SGD(lr=SGD_RATE), steps=10)


def test_sgd_runs_just_under_its_stability_limit():
    assert 0.9 * 2 / max(VALLEY) < SGD_RATE < 2 / max(VALLEY)


SECOND_HALF = slice(50, 101)  # steps 50..100 of the figure's run


@pytest.mark.parametrize("name", ["Momentum", "AdaGrad"])
def test_momentum_and_adagrad_beat_sgd_a_hundredfold_at_every_step_of_the_second_half(name):
    losses = valley_losses(100)
    assert np.all(losses[name][SECOND_HALF] < losses["SGD"][SECOND_HALF] / 100)


def test_adams_loss_goes_up_and_down_and_is_not_always_below_sgds():
    losses = valley_losses(100)
    rises = np.diff(losses["Adam"]) > 0
    assert rises.sum() >= 10  # it overshoots the minimum and comes back, again and again
    ratio = losses["Adam"][SECOND_HALF] / losses["SGD"][SECOND_HALF]
    assert ratio.min() < 0.1 and ratio.max() > 1  # some steps far better than SGD, some worse


def test_only_the_optimizers_that_carry_momentum_raise_their_loss_in_the_figure():
    losses = valley_losses(100)
    raised = {name for name, loss in losses.items() if np.any(np.diff(loss) > 0)}
    assert raised == {"Momentum", "Adam"}  # RMSProp and SGD go steadily down


def test_rmsprop_is_steady_but_no_faster_than_sgd_here():
    losses = valley_losses(100)
    ratio = losses["RMSProp"][SECOND_HALF] / losses["SGD"][SECOND_HALF]
    assert ratio.min() > 0.1 and ratio.max() < 10  # within a factor of ten of SGD throughout


def test_with_more_steps_adam_stays_below_sgd():
    losses = valley_losses(200)
    assert np.all(losses["Adam"][100:] < losses["SGD"][100:])


def test_adaptive_steps_do_not_depend_on_the_gradients_scale():
    _, grad = quadratic(VALLEY)
    small = minimize(Adam(lr=0.1), grad, START, 20)
    large = minimize(Adam(lr=0.1), lambda x: 1000.0 * grad(x), START, 20)
    np.testing.assert_allclose(small, large, rtol=1e-6)
    first_step = Adam(lr=0.1).step(START, grad(START)) - START
    np.testing.assert_allclose(np.abs(first_step), 0.1)  # bias correction: exactly lr on step 1


def test_adagrad_rates_only_shrink():
    optimizer, params = AdaGrad(lr=1.0), np.array([1.0])
    steps = []
    for _ in range(5):
        new = optimizer.step(params, np.array([1.0]))
        steps.append(float(params[0] - new[0]))
        params = new
    assert steps == sorted(steps, reverse=True) and steps[-1] < steps[0] / 2
