"""Backpropagation by hand: the chain rule on the notes' z = (x + y)², and how gradients shrink
across depth (vanishing gradients). The numerical checks are snippets.gradient_check's."""

from __future__ import annotations

import numpy as np

from snippets.mlp import init_mlp, mlp_backward, mlp_forward


def square_of_sum(x: float, y: float) -> tuple[float, float, float]:
    """z = (x + y)² as the graph w = x + y, z = w²; returns (z, ∂z/∂x, ∂z/∂y).
    Backward: ∂z/∂w = 2w, ∂w/∂x = ∂w/∂y = 1, so ∂z/∂x = ∂z/∂y = 2(x + y)."""
    w = x + y
    z = w ** 2
    dz_dw = 2 * w
    return z, dz_dw * 1.0, dz_dw * 1.0


def gradient_norms_by_layer(depth: int, act: str, width: int = 32, n: int = 64, seed: int = 0
                            ) -> np.ndarray:
    """‖∂L/∂W_l‖ for each layer l = 1..depth of a random MLP (Xavier-scaled weights, so only the
    activation's derivative decides the trend), for L = mean of the outputs: shape (depth,)."""
    rng = np.random.default_rng(seed)
    sizes = [width] * (depth + 1)
    params = [(W * np.sqrt(0.5), b) for W, b in init_mlp(sizes, rng)]  # √(1/d_in): Xavier scale
    X = rng.normal(size=(n, width))
    O, cache = mlp_forward(params, X, act)
    grads, _ = mlp_backward(params, cache, np.full_like(O, 1.0 / O.size))
    return np.array([np.linalg.norm(dW) for dW, _ in grads])


def vanishing_gradient_figure(depth: int = 12, acts=("sigmoid", "tanh", "relu"), seeds: int = 5):
    """‖∂L/∂W⁽ˡ⁾‖ for each layer of a 12-layer MLP at random initialisation, averaged over a few
    random networks, on a log scale: with sigmoid the first layers get almost no gradient."""
    from snippets.plotting import figure, finish, log_scale

    fig, ax = figure(figsize=(5.6, 3.6))
    layers = np.arange(1, depth + 1)
    for act in acts:
        norms = np.mean([gradient_norms_by_layer(depth, act, seed=s) for s in range(seeds)], axis=0)
        ax.plot(layers, norms, "o-", ms=4, label=act)
    log_scale(ax)
    ax.set(xlabel="층 l (1 = 입력 쪽)", ylabel="‖∂L/∂W⁽ˡ⁾‖ (로그 눈금)", xticks=layers)
    ax.legend(fontsize=8)
    return finish(fig, "기울기 소실: 입력 쪽 층으로 갈수록 작아지는 그래디언트")
