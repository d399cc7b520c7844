"""Gradient descent θ ← θ - η ∇L(θ), and linear regression fitted with it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def gradient_descent(grad: Callable[[np.ndarray], np.ndarray], theta0, lr: float, steps: int
                     ) -> np.ndarray:
    """The path θ_0, θ_1, ..., θ_steps of θ_{t+1} = θ_t - lr ∇L(θ_t): shape (steps + 1, *θ.shape)."""
    theta = np.array(theta0, dtype=float)
    path = [theta.copy()]
    for _ in range(steps):
        theta = theta - lr * grad(theta)
        path.append(theta.copy())
    return np.array(path)


def mse(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Mean squared error of the linear model Xw. X: (n, d), y: (n,), w: (d,)."""
    return float(np.mean((X @ w - y) ** 2))


def mse_grad(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """∇_w of the mean squared error: 2 Xᵀ(Xw - y) / n, shape (d,)."""
    return 2 * X.T @ (X @ w - y) / len(y)


def linear_regression_gd(X: np.ndarray, y: np.ndarray, lr: float = 0.1, steps: int = 100,
                         w0=None) -> tuple[np.ndarray, np.ndarray]:
    """Fit y ≈ Xw by gradient descent on the MSE. Returns (path of w (steps + 1, d), loss per w)."""
    w0 = np.zeros(X.shape[1]) if w0 is None else w0
    path = gradient_descent(lambda w: mse_grad(X, y, w), w0, lr, steps)
    return path, np.array([mse(X, y, w) for w in path])


def toy_regression(n: int = 30, slope: float = 2.0, intercept: float = -1.0, noise: float = 0.5,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n noisy points of y = slope·x + intercept on [-1, 1]: (x (n,), X = [x, 1] (n, 2), y (n,))."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    y = slope * x + intercept + rng.normal(0, noise, n)
    return x, np.column_stack([x, np.ones(n)]), y


def descent_path_figure(lrs=(0.05, 0.3, 0.95), steps: int = 25):
    """Loss contours of a linear regression's MSE over (w, b) and the gradient-descent path from
    one start for each learning rate: too small crawls, a good one converges, too large zigzags."""
    from snippets.plotting import PALETTE, figure, finish

    x, X, y = toy_regression()
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    fig, ax = figure(figsize=(5.6, 4.2))
    ws, bs = np.meshgrid(np.linspace(-2, 5, 200), np.linspace(-4, 3, 200))
    losses = ((ws[..., None] * x + bs[..., None] - y) ** 2).mean(axis=-1)
    ax.contour(ws, bs, losses, levels=np.geomspace(losses.min() + 0.05, losses.max(), 14),
               colors="#bbbbbb", linewidths=0.8)
    for lr, color in zip(lrs, PALETTE, strict=False):
        path, _ = linear_regression_gd(X, y, lr, steps, w0=np.array([-1.5, 2.5]))
        ax.plot(path[:, 0], path[:, 1], "o-", ms=3, lw=1.2, color=color, label=f"학습률 η = {lr}")
    ax.plot(*w_star, "*", ms=14, color="black", label="손실 최소점")
    ax.set(xlabel="가중치 w", ylabel="편향 b", xlim=(-2, 5), ylim=(-4, 3))
    ax.legend(fontsize=8, loc="lower right")
    return finish(fig, "손실을 최소화하는 파라미터 찾기 (경사하강법)")


def regression_fit_figure(lr: float = 0.1, steps: int = 60, shown=(0, 2, 5, 15, 60)):
    """Left: the data and the line y = wx + b after several gradient-descent steps;
    right: the loss falling step by step."""
    from snippets.plotting import figure, finish, log_scale

    x, X, y = toy_regression()
    path, losses = linear_regression_gd(X, y, lr, steps)
    fig, (left, right) = figure(ncols=2)
    left.scatter(x, y, s=12, color="gray", label="데이터")
    grid = np.linspace(-1, 1, 2)
    cmap = __import__("matplotlib").colormaps["viridis"]
    for i, step in enumerate(shown):
        w, b = path[step]
        left.plot(grid, w * grid + b, color=cmap(i / (len(shown) - 1)), label=f"{step}번 갱신")
    left.set(title="직선이 데이터에 맞춰짐", xlabel="x", ylabel="y")
    left.legend(fontsize=7)
    right.plot(losses)
    right.set(title="갱신할수록 줄어드는 손실", xlabel="갱신 횟수", ylabel="MSE 손실")
    log_scale(right, subs=(1.0, 2.0, 5.0))  # the loss spans about one decade
    return finish(fig)
