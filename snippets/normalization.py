"""Feature normalization (scaling the inputs before training) and batch normalization
(normalizing a layer's activations per mini-batch while training), forward and backward.

Shapes: data and activations are (N, D): N samples (the batch), D features.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# --- feature normalization -------------------------------------------------------------------

def standardize_fit(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and standard deviation of training data x (N, D): each (D,).

    A constant feature gets std 1, so that it is only centred, never divided by zero.
    """
    x = np.asarray(x, dtype=float)
    std = x.std(axis=0)
    return x.mean(axis=0), np.where(std > 0, std, 1.0)


def standardize(x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """(x - mean) / std with statistics from the training data (never from the test data)."""
    return (np.asarray(x, dtype=float) - mean) / std


def min_max_scale(x: np.ndarray, low: np.ndarray | None = None,
                  high: np.ndarray | None = None) -> np.ndarray:
    """Maps each feature of x (N, D) linearly onto [0, 1] using low/high (default: x's own range)."""
    x = np.asarray(x, dtype=float)
    low = x.min(axis=0) if low is None else low
    high = x.max(axis=0) if high is None else high
    span = np.where(high > low, high - low, 1.0)
    return (x - low) / span


# --- batch normalization ---------------------------------------------------------------------

@dataclass
class BatchNormState:
    """Running mean and variance (D,), updated in training, used at inference."""

    mean: np.ndarray
    var: np.ndarray
    momentum: float = 0.9  # weight of the old running value in each update

    @classmethod
    def zeros(cls, features: int, momentum: float = 0.9) -> BatchNormState:
        return cls(np.zeros(features), np.ones(features), momentum)


@dataclass
class BatchNormCache:
    x_hat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray
    training: bool = field(default=True)


def batch_norm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, state: BatchNormState,
                       training: bool, eps: float = 1e-5) -> tuple[np.ndarray, BatchNormCache]:
    """y = gamma * (x - mu) / sqrt(var + eps) + beta for x (N, D), gamma and beta (D,).

    training=True: mu, var are the batch's own statistics, and `state` (the running statistics)
    is updated in place: running = momentum * running + (1 - momentum) * batch.
    training=False: mu, var are the running statistics, so one sample's output does not depend
    on the rest of its batch. Returns y (N, D) and the cache for batch_norm_backward.
    """
    x = np.asarray(x, dtype=float)
    if training:
        mean, var = x.mean(axis=0), x.var(axis=0)
        m = state.momentum
        state.mean = m * state.mean + (1 - m) * mean
        # The running variance is the unbiased one, as PyTorch keeps it.
        state.var = m * state.var + (1 - m) * var * x.shape[0] / max(x.shape[0] - 1, 1)
    else:
        mean, var = state.mean, state.var
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, BatchNormCache(x_hat, inv_std, np.asarray(gamma, dtype=float), training)


def batch_norm_backward(dout: np.ndarray, cache: BatchNormCache
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients (dx (N, D), dgamma (D,), dbeta (D,)) given dout = dL/dy (N, D).

    In training the batch mean and variance depend on every sample, so each dx row has two
    extra terms that remove the gradient's mean and its component along x_hat.
    """
    x_hat, inv_std = cache.x_hat, cache.inv_std
    dgamma = (dout * x_hat).sum(axis=0)
    dbeta = dout.sum(axis=0)
    dx_hat = dout * cache.gamma
    if not cache.training:
        return dx_hat * inv_std, dgamma, dbeta
    n = dout.shape[0]
    dx = inv_std / n * (n * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta


# --- figures ---------------------------------------------------------------------------------

def scaling_figure(steps: int = 30, seed: int = 0):
    """Gradient descent on least squares with raw features of very different ranges, and with
    standardized features: the loss contours and the path of the same number of steps."""
    from snippets.optimizers import SGD, minimize
    from snippets.plotting import PALETTE, figure, finish

    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(0, 3.0, 200), rng.normal(0, 0.5, 200)])
    y = x @ np.array([1.0, 2.0]) + rng.normal(0, 0.1, 200)
    mean, std = standardize_fit(x)
    fig, axes = figure(ncols=2, figsize=(9.0, 4.0))
    for ax, (data, title) in zip(axes, ((x - x.mean(axis=0), "정규화 전: 범위가 다른 두 특성"),
                                       (standardize(x, mean, std), "표준화 후: 같은 범위")), strict=True):
        hessian = data.T @ data / len(y)
        best = np.linalg.lstsq(data, y - y.mean(), rcond=None)[0]
        lr = 0.9 / np.linalg.eigvalsh(hessian).max()  # the same safe rule for both
        path = minimize(SGD(lr), lambda w, d=data: d.T @ (d @ w - (y - y.mean())) / len(y),
                        best - np.array([2.5, 2.5]) * np.abs(best).max() / 2, steps)
        span = np.abs(path - best).max() * 1.2
        w1, w2 = np.meshgrid(np.linspace(best[0] - span, best[0] + span, 150),
                             np.linspace(best[1] - span, best[1] + span, 150))
        grid = np.stack([w1 - best[0], w2 - best[1]], axis=-1)
        loss = 0.5 * np.einsum("...i,ij,...j->...", grid, hessian, grid)
        ax.contour(w1, w2, loss, levels=12, colors="#bdbdbd", linewidths=0.8)
        ax.plot(path[:, 0], path[:, 1], ".-", color=PALETTE[1], ms=4, label=f"경사하강법 {steps} 스텝")
        ax.plot(*best, "k*", ms=10, label="최솟값")
        ax.set(xlabel="$w_1$", ylabel="$w_2$", title=title, aspect="equal")
        ax.legend(fontsize=8, loc="upper right")
    return finish(fig, "특성 정규화: 등고선이 둥글어져 최솟값으로 곧장 간다")


def batch_norm_figure(features: int = 3, batch: int = 256, seed: int = 0):
    """One mini-batch of activations with different scales per feature, before and after batch
    normalization (training mode, gamma = 1, beta = 0)."""
    from snippets.plotting import PALETTE, figure, finish

    rng = np.random.default_rng(seed)
    x = rng.normal([4.0, -2.0, 0.5], [2.5, 0.4, 1.0], (batch, features))
    y, _ = batch_norm_forward(x, np.ones(features), np.zeros(features), BatchNormState.zeros(features),
                              training=True)
    fig, axes = figure(ncols=2, figsize=(9.0, 3.6), sharey=True)
    bins = np.linspace(-6, 12, 60)
    for ax, (values, title) in zip(axes, ((x, "정규화 전 (특성마다 평균·분산이 다름)"),
                                         (y, "배치 정규화 후 (평균 0, 분산 1)")), strict=True):
        for j in range(features):
            ax.hist(values[:, j], bins=bins, alpha=0.55, color=PALETTE[j],
                    label=f"특성 {j + 1}: 평균 {values[:, j].mean():.1f}, 표준편차 {values[:, j].std():.1f}")
        ax.set(title=title, xlabel="활성값")
        ax.legend(fontsize=7.5)
    axes[0].set_ylabel("개수")
    return finish(fig, "배치 정규화: 미니배치의 평균과 분산으로 특성마다 정규화")
