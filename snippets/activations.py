"""Activation functions and their derivatives, applied elementwise to arrays of any shape."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray


def sigmoid(z: Array) -> Array:
    """1 / (1 + e^-z), in (0, 1); computed without overflow for large |z|."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(z: Array) -> Array:
    """σ'(z) = σ(z)(1 - σ(z)); at most 0.25 (at z = 0)."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z: Array) -> Array:
    """tanh z, in (-1, 1)."""
    return np.tanh(np.asarray(z, dtype=float))


def tanh_grad(z: Array) -> Array:
    """1 - tanh² z; at most 1 (at z = 0)."""
    return 1 - np.tanh(np.asarray(z, dtype=float)) ** 2


def relu(z: Array) -> Array:
    """max(0, z)."""
    return np.maximum(0.0, np.asarray(z, dtype=float))


def relu_grad(z: Array) -> Array:
    """1 where z > 0, else 0 (the subgradient 0 is taken at z = 0)."""
    return (np.asarray(z) > 0).astype(float)


def identity(z: Array) -> Array:
    """z itself: a layer with no activation."""
    return np.asarray(z, dtype=float)


def identity_grad(z: Array) -> Array:
    """1 everywhere."""
    return np.ones_like(np.asarray(z, dtype=float))


ACTIVATIONS: dict[str, tuple[Callable[[Array], Array], Callable[[Array], Array]]] = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "identity": (identity, identity_grad),
}


def activation(name: str) -> tuple[Callable[[Array], Array], Callable[[Array], Array]]:
    """(function, derivative) of the activation called `name` (one of ACTIVATIONS)."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}") from None


def activation_figure(names=("sigmoid", "tanh", "relu")):
    """Two panels: each activation, and its derivative, on [-5, 5]."""
    from snippets.plotting import figure, finish

    z = np.linspace(-5, 5, 401)
    fig, (left, right) = figure(ncols=2)
    for name in names:
        f, df = activation(name)
        left.plot(z, f(z), label=name)
        right.plot(z, df(z), label=name)
    left.set(title="활성함수 σ(z)", xlabel="z", ylabel="σ(z)")
    right.set(title="미분값 σ'(z)", xlabel="z", ylabel="σ'(z)")
    right.axhline(0.25, color="gray", ls=":", lw=1)
    right.annotate("sigmoid 최대 0.25", (1.5, 0.28), fontsize=8, color="gray")  # where no curve runs
    left.legend()
    return finish(fig)
