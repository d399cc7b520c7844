"""Softmax with temperature, and the one-hot choice used at inference."""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Probabilities over the last axis of `logits` (shape (..., k)), scaled by 1/temperature."""
    scaled = np.asarray(logits, dtype=float) / temperature
    shifted = scaled - scaled.max(axis=-1, keepdims=True)  # exp never overflows
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def one_hot(logits: np.ndarray) -> np.ndarray:
    """The inference-time output: 1 at the largest logit of each row, 0 elsewhere."""
    logits = np.asarray(logits)
    out = np.zeros_like(logits, dtype=float)
    np.put_along_axis(out, logits.argmax(axis=-1)[..., None], 1.0, axis=-1)
    return out


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log softmax over the last axis, computed stably (no log of a rounded-off 0)."""
    z = np.asarray(logits, dtype=float)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(logits) (n, k) against integer class labels (n,), and its
    gradient with respect to the logits, (softmax(logits) - one_hot(labels)) / n, shape (n, k)."""
    logits = np.asarray(logits, dtype=float)
    labels = np.asarray(labels)
    n = logits.shape[0]
    log_p = log_softmax(logits)
    loss = -float(log_p[np.arange(n), labels].mean())
    grad = np.exp(log_p)
    grad[np.arange(n), labels] -= 1.0
    return loss, grad / n


def softmax_figure(logits=(2.0, 1.0, 0.1), temperatures=(0.5, 1.0, 2.0)):
    """Bar charts of softmax(logits / T) for each temperature, with Korean labels."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(temperatures), figsize=(3.2 * len(temperatures), 3),
                             sharey=True)
    for ax, t in zip(np.atleast_1d(axes), temperatures, strict=True):
        p = softmax(np.array(logits), t)
        ax.bar([f"클래스 {i + 1}" for i in range(len(p))], p, color="#3f51b5")
        ax.set_title(f"온도 T = {t}")
        ax.set_ylim(0, 1)
    np.atleast_1d(axes)[0].set_ylabel("확률")
    fig.suptitle("온도에 따른 softmax 출력")
    fig.tight_layout()
    return fig


def one_hot_figure(logits=(2.0, 1.0, 0.1)):
    """Side by side: softmax(logits) used in training, and the one-hot vector used at inference."""
    from snippets.plotting import PALETTE, figure, finish

    fig, (left, right) = figure(ncols=2, sharey=True)
    classes = [f"클래스 {i + 1}" for i in range(len(logits))]
    for ax, values, title, color in ((left, softmax(np.array(logits)), "학습: softmax", PALETTE[0]),
                                     (right, one_hot(np.array(logits)), "추론: one-hot", PALETTE[1])):
        bars = ax.bar(classes, values, color=color)
        ax.bar_label(bars, fmt="%.2f", fontsize=8)
        ax.set(title=title, ylim=(0, 1.1))
    left.set_ylabel("출력 값")
    return finish(fig, f"출력 o = {tuple(logits)}")
