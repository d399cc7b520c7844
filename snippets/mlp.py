"""A multi-layer perceptron of any depth: forward pass, backward pass by the chain rule, and
training by gradient descent. Parameters are a list of (W, b) per layer, W: (d_in, d_out), b: (d_out,).
Every hidden layer applies the activation; the last layer is linear (its output O goes to the loss)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from snippets.activations import activation
from snippets.linear import linear, linear_backward
from snippets.softmax import softmax_cross_entropy

Params = list[tuple[np.ndarray, np.ndarray]]


def init_mlp(sizes: list[int], rng: np.random.Generator | int = 0) -> Params:
    """Random weights for layer sizes [d, h1, ..., p] (He-like scale √(2 / d_in)), zero biases."""
    rng = np.random.default_rng(rng)
    return [(rng.normal(0.0, np.sqrt(2.0 / d_in), (d_in, d_out)), np.zeros(d_out))
            for d_in, d_out in itertools.pairwise(sizes)]


@dataclass
class ForwardCache:
    """What the backward pass needs: each layer's input and pre-activation z."""
    inputs: list[np.ndarray]
    pre_activations: list[np.ndarray]
    activation: str


def mlp_forward(params: Params, X: np.ndarray, act: str = "relu") -> tuple[np.ndarray, ForwardCache]:
    """O = W_L(σ(... σ(X W_1 + b_1) ...)) + b_L. X: (n, d) -> O: (n, p), and the cache."""
    f, _ = activation(act)
    h = np.asarray(X, dtype=float)
    inputs, zs = [], []
    for index, (W, b) in enumerate(params):
        inputs.append(h)
        z = linear(h, W, b)
        zs.append(z)
        h = z if index == len(params) - 1 else f(z)
    return h, ForwardCache(inputs, zs, act)


def two_layer_forward(X, W1, b1, W2, b2, act: str = "relu") -> tuple[np.ndarray, np.ndarray]:
    """The notes' 2-layer network: H = σ(X W1 + b1) (n, h), O = H W2 + b2 (n, p); returns (O, H)."""
    f, _ = activation(act)
    H = f(linear(X, W1, b1))
    return linear(H, W2, b2), H


def mlp_backward(params: Params, cache: ForwardCache, dO: np.ndarray
                 ) -> tuple[Params, np.ndarray]:
    """From dO = ∂L/∂O (n, p), the chain rule layer by layer from the top: returns
    ([(∂L/∂W_l, ∂L/∂b_l) for each layer], ∂L/∂X)."""
    _, df = activation(cache.activation)
    grads: Params = []
    delta = dO  # ∂L/∂z of the current layer
    for index in range(len(params) - 1, -1, -1):
        W, _ = params[index]
        dX, dW, db = linear_backward(delta, cache.inputs[index], W)
        grads.append((dW, db))
        delta = dX * df(cache.pre_activations[index - 1]) if index > 0 else dX
    return grads[::-1], delta


def mse_loss(O: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean over examples of the squared error ||O_i - Y_i||², and ∂L/∂O. O, Y: (n, p)."""
    diff = O - Y
    return float((diff ** 2).sum(axis=1).mean()), 2 * diff / O.shape[0]


def loss_and_grads(params: Params, X: np.ndarray, y: np.ndarray, loss: str = "softmax-ce",
                   act: str = "relu") -> tuple[float, Params]:
    """The loss of the network on (X, y) and its gradient for every parameter.
    loss: "softmax-ce" (y: integer labels (n,)) or "mse" (y: targets (n, p))."""
    O, cache = mlp_forward(params, X, act)
    if loss == "softmax-ce":
        value, dO = softmax_cross_entropy(O, y)
    elif loss == "mse":
        value, dO = mse_loss(O, np.asarray(y, dtype=float).reshape(O.shape))
    else:
        raise ValueError(f"unknown loss {loss!r}; use 'softmax-ce' or 'mse'")
    grads, _ = mlp_backward(params, cache, dO)
    return value, grads


def train_mlp(sizes: list[int], X: np.ndarray, y: np.ndarray, loss: str = "softmax-ce",
              act: str = "relu", lr: float = 0.1, steps: int = 500, seed: int = 0,
              record=None) -> tuple[Params, list[float]]:
    """Full-batch gradient descent from random weights; returns (params, loss before each step).
    `record(step, params)`, if given, is called before every step (e.g. to track test error)."""
    params = init_mlp(sizes, seed)
    losses = []
    for step in range(steps):
        if record is not None:
            record(step, params)
        value, grads = loss_and_grads(params, X, y, loss, act)
        losses.append(value)
        params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads, strict=True)]
    return params, losses


def predict(params: Params, X: np.ndarray, act: str = "relu") -> np.ndarray:
    """The network's output O for X: (n, d) -> (n, p)."""
    return mlp_forward(params, X, act)[0]


# -- figures ----------------------------------------------------------------------------------------

def _curve_data(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3, 3, n))
    return x, np.sin(1.5 * x) + 0.3 * x + rng.normal(0, 0.1, n)


def universal_approximation_figure(widths=(1, 3, 32), steps: int = 3000):
    """2-layer networks (1 → h → 1, tanh) trained on one curve: with more hidden neurons the
    approximation gets closer (a 2-layer network can approximate any continuous function)."""
    from snippets.plotting import PALETTE, figure, finish

    x, y = _curve_data()
    grid = np.linspace(-3, 3, 300)[:, None]
    fig, ax = figure(figsize=(5.6, 3.6))
    ax.scatter(x, y, s=10, color="gray", label="데이터")
    for h, color in zip(widths, PALETTE[1:], strict=False):
        params, losses = train_mlp([1, h, 1], x[:, None], y[:, None], "mse", "tanh", lr=0.02,
                                   steps=steps, seed=1)
        ax.plot(grid, predict(params, grid, "tanh"), color=color,
                label=f"은닉 뉴런 {h}개 (MSE {losses[-1]:.3f})")
    ax.set(xlabel="x", ylabel="y")
    ax.legend(fontsize=8)
    return finish(fig, "2층 신경망으로도 함수 근사 가능: 뉴런 수에 따라")


def training_loss_figure(depths=(1, 2, 3), steps: int = 400, seed: int = 0):
    """MLPs of several depths trained by backpropagation + gradient descent on a 3-class spiral:
    the cross-entropy loss after each update."""
    from snippets.plotting import figure, finish

    X, y = spiral(seed=seed)
    fig, ax = figure(figsize=(5.6, 3.4))
    for depth in depths:
        sizes = [2] + [24] * depth + [3]
        _, losses = train_mlp(sizes, X, y, "softmax-ce", "relu", lr=0.2, steps=steps, seed=seed)
        ax.plot(losses, label=f"은닉층 {depth}개")
    ax.set(xlabel="가중치 갱신 횟수", ylabel="교차 엔트로피 손실")
    ax.legend(fontsize=8)
    return finish(fig, "역전파로 구한 미분으로 경사하강법: 손실 감소")


def spiral(n_per_class: int = 80, classes: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D spiral with `classes` arms: X (n, 2), integer labels y (n,). Not linearly separable."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k in range(classes):
        r = np.linspace(0.1, 1, n_per_class)
        t = np.linspace(k * 4, (k + 1) * 4, n_per_class) + rng.normal(0, 0.2, n_per_class)
        X.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        y.append(np.full(n_per_class, k))
    return np.vstack(X), np.concatenate(y)


def linear_stack_figure(steps: int = 1500):
    """Two linear layers without activation (x → W₁ → h → W₂) trained on a curve: the result is one
    straight line, the same as the single matrix W₁W₂."""
    from snippets.plotting import PALETTE, figure, finish

    x, y = _curve_data()
    grid = np.linspace(-3, 3, 300)[:, None]
    params, _ = train_mlp([1, 8, 1], x[:, None], y[:, None], "mse", "identity", lr=0.01, steps=steps,
                          seed=2)
    (W1, b1), (W2, b2) = params
    fig, ax = figure(figsize=(5.6, 3.6))
    ax.scatter(x, y, s=10, color="gray", label="데이터")
    ax.plot(grid, predict(params, grid, "identity"), color=PALETTE[0], lw=3, alpha=0.6,
            label="선형층 2개: (xW₁ + b₁)W₂ + b₂")
    ax.plot(grid, grid @ (W1 @ W2) + (b1 @ W2 + b2), "--", color=PALETTE[1],
            label="행렬 하나: x(W₁W₂) + (b₁W₂ + b₂)")
    ax.set(xlabel="x", ylabel="y")
    ax.legend(fontsize=8)
    return finish(fig, "활성함수 없이 쌓은 층은 행렬 하나와 같다")


def nonlinear_stack_figure(acts=("identity", "relu", "tanh"), steps: int = 3000):
    """The same 2-layer network (1 → 16 → 1) with and without a nonlinear activation between its
    layers: only the nonlinear ones can bend to the data."""
    from snippets.plotting import PALETTE, figure, finish

    x, y = _curve_data()
    grid = np.linspace(-3, 3, 300)[:, None]
    names = {"identity": "활성함수 없음", "relu": "ReLU", "tanh": "tanh"}
    fig, ax = figure(figsize=(5.6, 3.6))
    ax.scatter(x, y, s=10, color="gray", label="데이터")
    for act, color in zip(acts, PALETTE, strict=False):
        params, losses = train_mlp([1, 16, 1], x[:, None], y[:, None], "mse", act,
                                   lr=0.01 if act == "identity" else 0.05, steps=steps, seed=1)
        ax.plot(grid, predict(params, grid, act), color=color,
                label=f"{names.get(act, act)} (MSE {losses[-1]:.3f})")
    ax.set(xlabel="x", ylabel="y")
    ax.legend(fontsize=8)
    return finish(fig, "비선형 활성함수로 표현력 극대화")


def feature_learning_figure(hidden: int = 2, steps: int = 2000, seed: int = 0):
    """Two rings of points that no line separates in the input space become separable in the
    hidden features H = σ(XW⁽¹⁾ + b⁽¹⁾) the network learns (a 2 → 8 → 2 → 2 MLP; the last hidden
    layer's 2 features are plotted)."""
    from snippets.plotting import PALETTE, figure, finish

    rng = np.random.default_rng(seed)
    n = 300
    y = rng.integers(0, 2, n)
    radius = np.where(y == 1, 1.0, 2.2) + rng.normal(0, 0.15, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    params, _ = train_mlp([2, 8, hidden, 2], X, y, "softmax-ce", "tanh", lr=0.3, steps=steps, seed=seed)
    _, cache = mlp_forward(params, X, "tanh")
    H = np.tanh(cache.pre_activations[-2])
    fig, (left, right) = figure(ncols=2)
    for k in (0, 1):
        left.scatter(*X[y == k].T, s=6, color=PALETTE[k], label=f"클래스 {k + 1}")
        right.scatter(*H[y == k].T, s=6, color=PALETTE[k])
    left.set(title="입력 공간 x: 직선으로 못 나눔", xlabel="x₁", ylabel="x₂")
    left.set_aspect("equal")
    left.legend(fontsize=7)
    right.set(title="학습된 특징 H: 직선으로 나뉨", xlabel="h₁", ylabel="h₂")
    return finish(fig, "다층신경망이 데이터에서 특징패턴을 학습")
