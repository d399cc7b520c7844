"""L2 regularization (weight decay) on polynomial regression, the notes' example of a model
that overfits: the penalty keeps the weights small and the fitted curve smooth.

Shapes: x (N,) inputs, y (N,) targets, design matrices (N, degree + 1), weights (degree + 1,).
"""

from __future__ import annotations

import numpy as np


def polynomial_features(x: np.ndarray, degree: int) -> np.ndarray:
    """[1, x, x^2, ..., x^degree] for each x (N,): shape (N, degree + 1)."""
    return np.vander(np.asarray(x, dtype=float), degree + 1, increasing=True)


def l2_penalty(w: np.ndarray, lam: float) -> float:
    """lam / 2 * ||w||^2, added to the loss. The bias w[0] is penalised too, for simplicity."""
    return 0.5 * lam * float(np.sum(np.asarray(w) ** 2))


def l2_gradient(w: np.ndarray, lam: float) -> np.ndarray:
    """Gradient of l2_penalty: lam * w, so every step also shrinks w toward 0 ("weight decay")."""
    return lam * np.asarray(w, dtype=float)


def ridge_loss(w: np.ndarray, features: np.ndarray, y: np.ndarray, lam: float) -> float:
    """Mean squared error / 2 plus the L2 penalty: 1/(2N) ||X w - y||^2 + lam/2 ||w||^2."""
    residual = features @ w - y
    return 0.5 * float(residual @ residual) / len(y) + l2_penalty(w, lam)


def ridge_gradient(w: np.ndarray, features: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Gradient of ridge_loss with respect to w (degree + 1,)."""
    return features.T @ (features @ w - y) / len(y) + l2_gradient(w, lam)


def ridge_fit(features: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """The minimiser of ridge_loss in closed form: (X^T X / N + lam I)^-1 X^T y / N."""
    n, d = features.shape
    return np.linalg.solve(features.T @ features / n + lam * np.eye(d), features.T @ y / n)


def fit_polynomial(x: np.ndarray, y: np.ndarray, degree: int, lam: float = 0.0) -> np.ndarray:
    """Weights of a degree-`degree` polynomial fitted to (x, y) with L2 strength lam (0: least squares)."""
    features = polynomial_features(x, degree)
    if lam == 0.0:
        return np.linalg.lstsq(features, y, rcond=None)[0]
    return ridge_fit(features, y, lam)


def predict_polynomial(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The fitted polynomial's values at x (M,)."""
    return polynomial_features(x, len(w) - 1) @ w


def true_function(x: np.ndarray) -> np.ndarray:
    """The smooth curve the figures' noisy data are drawn around."""
    return np.sin(2 * np.pi * np.asarray(x, dtype=float))


def noisy_samples(n: int, noise: float = 0.25, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n points x ~ U(0, 1), y = sin(2 pi x) + N(0, noise^2)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, n)
    return x, true_function(x) + rng.normal(0, noise, n)


def regularization_figure(degree: int = 9, lams=(0.0, 1e-3, 1e-1), n: int = 12, seed: int = 1):
    """The same degree-9 polynomial fitted with growing L2 strength, and its weight norms."""
    from snippets.plotting import figure, finish, log_scale

    x, y = noisy_samples(n, seed=seed)
    grid = np.linspace(0, 1, 300)
    fig, axes = figure(ncols=len(lams) + 1, figsize=(3.1 * (len(lams) + 1), 3.2), sharey=False)
    norms = []
    for ax, lam in zip(axes[:-1], lams, strict=True):
        w = fit_polynomial(x, y, degree, lam)
        norms.append(np.linalg.norm(w))
        ax.plot(grid, true_function(grid), "--", color="#999999", label="참 함수")
        ax.plot(grid, predict_polynomial(w, grid), label=f"{degree}차 다항식")
        ax.plot(x, y, "o", color="#e91e63", ms=4, label="학습 데이터")
        ax.set(ylim=(-2, 2), xlabel="x", title=f"λ = {lam:g}")
    axes[0].set_ylabel("y")
    axes[0].legend(fontsize=7, loc="lower left")
    axes[-1].bar([f"{lam:g}" for lam in lams], norms, color="#3f51b5")
    log_scale(axes[-1])
    axes[-1].set(xlabel="λ", ylabel="‖w‖ (로그 축)", title="가중치 크기")
    return finish(fig, "L2 규제: λ가 클수록 가중치가 작아지고 곡선이 매끄러워진다")
