"""Numerical gradients by central differences: the check every hand-written backward pass
must pass."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """d f() / d x by central differences, nudging each entry of the float array x in place
    (and restoring it); f reads x itself. Returns an array shaped like x."""
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        plus = f()
        x[index] = original - h
        minus = f()
        x[index] = original
        grad[index] = (plus - minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a| + |b|, tiny): below ~1e-6 means a backward pass agrees with the numbers."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), 1e-12))
