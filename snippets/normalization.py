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
