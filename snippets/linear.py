"""The linear model O = XW + b: forward and backward."""

from __future__ import annotations

import numpy as np


def linear(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """O = XW + b. X: (n, d) data, one row per example; W: (d, p); b: (p,), added to every row.
    Returns O: (n, p)."""
    X, W, b = np.asarray(X, float), np.asarray(W, float), np.asarray(b, float)
    if X.ndim != 2 or W.ndim != 2 or X.shape[1] != W.shape[0] or b.shape != (W.shape[1],):
        raise ValueError(f"shapes do not fit O = XW + b: X {X.shape}, W {W.shape}, b {b.shape}")
    return X @ W + b


def linear_backward(dO: np.ndarray, X: np.ndarray, W: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a loss through O = XW + b, given dO = ∂L/∂O of shape (n, p).
    Returns (dX (n, d), dW (d, p), db (p,))."""
    return dO @ W.T, X.T @ dO, dO.sum(axis=0)
