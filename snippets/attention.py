"""Scaled dot-product attention, forward and backward, with an optional mask.

Shapes: queries q (..., T_q, d), keys k (..., T_k, d), values v (..., T_k, d_v); leading axes
(batch, heads) are carried through. A mask (T_q, T_k) or broadcastable to (..., T_q, T_k) is
True where a query may look at a key.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snippets.softmax import softmax


def causal_mask(length: int) -> np.ndarray:
    """(T, T) mask letting position t see positions 0..t only (no peeking at the future)."""
    return np.tril(np.ones((length, length), dtype=bool))


@dataclass
class AttentionCache:
    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    weights: np.ndarray  # (..., T_q, T_k), each row sums to 1


def attention_forward(q: np.ndarray, k: np.ndarray, v: np.ndarray,
                      mask: np.ndarray | None = None) -> tuple[np.ndarray, AttentionCache]:
    """softmax(q k^T / sqrt(d)) v: returns out (..., T_q, d_v) and the cache (with the weights).

    Masked scores are set to -inf before the softmax, so their weights are exactly 0; every query
    must be allowed at least one key.
    """
    q, k, v = (np.asarray(a, dtype=float) for a in (q, k, v))
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        mask = np.broadcast_to(mask, scores.shape)
        if not mask.any(axis=-1).all():
            raise ValueError("a query row is fully masked: it has no key to attend to")
        scores = np.where(mask, scores, -np.inf)
    weights = softmax(scores)
    return weights @ v, AttentionCache(q, k, v, weights)


def attention_backward(dout: np.ndarray, cache: AttentionCache
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients (dq, dk, dv) given dout = dL/d(out), shapes as q, k, v.

    Through the softmax: dS = A * (dA - sum(dA * A, last axis)); masked entries have A = 0 and so
    get no gradient.
    """
    q, k, v, a = cache.q, cache.k, cache.v, cache.weights
    dv = np.swapaxes(a, -1, -2) @ dout
    da = dout @ np.swapaxes(v, -1, -2)
    ds = a * (da - (da * a).sum(axis=-1, keepdims=True)) / np.sqrt(q.shape[-1])
    return ds @ k, np.swapaxes(ds, -1, -2) @ q, dv


def attention_figure(length: int = 6, dim: int = 4, seed: int = 0):
    """Attention weights of one sequence attending to itself, without and with the causal mask."""
    from snippets.plotting import figure

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(length, dim))
    fig, axes = figure(ncols=2, figsize=(8.4, 3.9))
    for ax, (mask, title) in zip(axes, ((None, "마스크 없음: 모든 위치를 본다"),
                                       (causal_mask(length), "causal 마스크: 미래는 가중치 0")),
                                 strict=True):
        _, cache = attention_forward(x, x, x, mask)
        ax.grid(False)
        image = ax.imshow(cache.weights, cmap="Blues", vmin=0, vmax=1)
        for (i, j), value in np.ndenumerate(cache.weights):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if value > 0.6 else "black")
        ticks = [f"{i + 1}" for i in range(length)]
        ax.set(xticks=range(length), yticks=range(length), xticklabels=ticks, yticklabels=ticks,
               xlabel="키 위치 (key)", ylabel="쿼리 위치 (query)", title=title)
    fig.colorbar(image, ax=axes, shrink=0.8, label="가중치")
    fig.suptitle(r"어텐션 가중치 softmax($QK^T/\sqrt{d}$): 각 행의 합은 1")
    return fig
