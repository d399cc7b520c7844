"""Generalization and overfitting: models of growing capacity fitted to a few noisy points, and the
gap between training and test error."""

from __future__ import annotations

import numpy as np


def target(x: np.ndarray) -> np.ndarray:
    """The function the data come from: sin(πx) on [-1, 1]."""
    return np.sin(np.pi * np.asarray(x, dtype=float))


def noisy_samples(n: int, noise: float = 0.25, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n points x ~ U(-1, 1), y = sin(πx) + N(0, noise²): shapes (n,), (n,)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    return x, target(x) + rng.normal(0, noise, n)


def polynomial_features(x: np.ndarray, degree: int) -> np.ndarray:
    """Legendre polynomials P_0..P_degree at x (n,): shape (n, degree + 1), well conditioned on [-1, 1]."""
    return np.polynomial.legendre.legvander(np.asarray(x, dtype=float), degree)


def fit_polynomial(x: np.ndarray, y: np.ndarray, degree: int) -> np.ndarray:
    """Least-squares coefficients (degree + 1,) of the polynomial fitting (x, y)."""
    return np.linalg.lstsq(polynomial_features(x, degree), y, rcond=None)[0]


def mse(pred: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error."""
    return float(np.mean((np.asarray(pred) - np.asarray(y)) ** 2))


def errors_by_degree(degrees, n_train: int = 15, n_test: int = 500, seed: int = 0
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Training and test MSE of least-squares polynomials of each degree: two arrays (len(degrees),)."""
    x, y = noisy_samples(n_train, seed=seed)
    xt, yt = noisy_samples(n_test, seed=seed + 1)
    train, test = [], []
    for d in degrees:
        w = fit_polynomial(x, y, d)
        train.append(mse(polynomial_features(x, d) @ w, y))
        test.append(mse(polynomial_features(xt, d) @ w, yt))
    return np.array(train), np.array(test)


def training_curves(steps: int = 30000, degree: int = 15, n_train: int = 12, lr: float = 0.05,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train and test MSE while a degree-15 polynomial (more coefficients than the 12 points) is
    fitted by gradient descent from zero: (recorded steps (log-spaced), train error, test error).
    Early on it learns the smooth shape; later it bends through the noise (overfitting)."""
    x, y = noisy_samples(n_train, seed=seed)
    xt, yt = noisy_samples(400, seed=seed + 1)
    F, Ft = polynomial_features(x, degree), polynomial_features(xt, degree)
    recorded = set(np.unique(np.geomspace(1, steps, 60).astype(int)).tolist())
    w = np.zeros(degree + 1)
    rows = []
    for step in range(steps + 1):
        if step in recorded:
            rows.append((step, mse(F @ w, y), mse(Ft @ w, yt)))
        w -= lr * 2 * F.T @ (F @ w - y) / n_train
    steps_, train, test = (np.array(c) for c in zip(*rows, strict=True))
    return steps_, train, test


def generalization_gap_figure():
    """Training error falling while test error turns back up: the gap between them is the
    generalization gap, and it grows with overfitting."""
    from snippets.plotting import PALETTE, figure, finish, log_scale

    steps, train, test = training_curves()
    fig, ax = figure(figsize=(5.6, 3.6))
    ax.plot(steps, train, color=PALETTE[0], label="학습 데이터 오차")
    ax.plot(steps, test, color=PALETTE[1], label="테스트 데이터 오차")
    best = int(np.argmin(test))
    ax.axvline(steps[best], color="gray", ls=":", lw=1)
    ax.annotate("", (steps[-1], train[-1]), (steps[-1], test[-1]),
                arrowprops={"arrowstyle": "<->", "color": "black"})
    # right of the arrow, at the middle of the log axis, clear of both curves
    ax.text(steps[-1] * 1.2, float(np.sqrt(train[-1] * test[-1])), "일반화\n격차", ha="left",
            va="center", fontsize=9)
    ax.text(steps[best], ax.get_ylim()[1] * 0.9, " 테스트 오차 최소", fontsize=8, color="gray")
    ax.set(xlabel="경사하강 횟수", ylabel="MSE")
    log_scale(ax, "x")
    ax.set_xlim(right=steps[-1] * 10)  # room for the gap's label
    log_scale(ax, "y")
    ax.legend(fontsize=8, loc="lower left")
    return finish(fig, "일반화 성능: 학습 오차와 테스트 오차의 차이")


def fits_figure(degrees=(1, 3, 12), n: int = 15):
    """The same noisy points fitted by polynomials of low, right and high degree: underfitting,
    a good fit, and overfitting, each with its training and test error."""
    from snippets.plotting import PALETTE, figure, finish

    x, y = noisy_samples(n)
    xt, yt = noisy_samples(500, seed=1)
    grid = np.linspace(-1, 1, 400)
    fig, axes = figure(ncols=len(degrees), sharey=True)
    names = ("과소적합 (underfitting)", "적당함", "과적합 (overfitting)")
    for ax, d, name in zip(axes, degrees, names, strict=False):
        w = fit_polynomial(x, y, d)
        ax.plot(grid, target(grid), "--", color="gray", lw=1, label="참 함수")
        ax.plot(grid, polynomial_features(grid, d) @ w, color=PALETTE[1], label=f"{d}차 다항식")
        ax.scatter(x, y, s=14, color=PALETTE[0], zorder=3, label="학습 데이터")
        train = mse(polynomial_features(x, d) @ w, y)
        test = mse(polynomial_features(xt, d) @ w, yt)
        ax.set_title(f"{name}\n학습 오차 {train:.3f} / 테스트 오차 {test:.2f}", fontsize=9)
        ax.set(ylim=(-2, 2), xlabel="x")
    axes[0].set_ylabel("y")
    axes[0].legend(fontsize=7, loc="lower right")
    return finish(fig)
