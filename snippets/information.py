"""Entropy, cross-entropy, KL divergence and total variation for discrete distributions.
Distributions are arrays of probabilities over the last axis (shape (..., k), each summing to 1)."""

from __future__ import annotations

import numpy as np


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x·log y with the convention 0·log 0 = 0 (and 0·log y = 0 for any y)."""
    x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
    out = np.zeros(x.shape)
    mask = x != 0
    with np.errstate(divide="ignore"):
        out[mask] = x[mask] * np.log(y[mask])
    return out


def entropy(p: np.ndarray) -> np.ndarray:
    """H(P) = -Σ p log p (nats), over the last axis."""
    return -_xlogy(p, p).sum(axis=-1)


def cross_entropy(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """H(P, Q) = -Σ p log q (nats): infinite where q = 0 but p > 0."""
    return -_xlogy(p, q).sum(axis=-1)


def kl_divergence(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """KL(P‖Q) = Σ p log(p / q) ≥ 0, zero only when P = Q; not symmetric."""
    return (_xlogy(p, p) - _xlogy(p, q)).sum(axis=-1)


def total_variation(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """TV(P, Q) = ½ Σ |p - q|, in [0, 1]."""
    return 0.5 * np.abs(np.asarray(p, float) - np.asarray(q, float)).sum(axis=-1)


def distances_figure():
    """Three model distributions Q against one data distribution P over 5 classes, each panel
    titled with its total variation, KL(P‖Q) and KL(Q‖P)."""
    from snippets.plotting import PALETTE, figure, finish

    p = np.array([0.1, 0.4, 0.3, 0.15, 0.05])
    qs = {"비슷한 Q": np.array([0.12, 0.35, 0.3, 0.15, 0.08]),
          "고른 Q": np.full(5, 0.2),
          "어긋난 Q": np.array([0.4, 0.1, 0.1, 0.1, 0.3])}
    fig, axes = figure(ncols=3, sharey=True)
    k = np.arange(5)
    for ax, (name, q) in zip(axes, qs.items(), strict=True):
        ax.bar(k - 0.2, p, 0.4, color=PALETTE[0], label="P (데이터)")
        ax.bar(k + 0.2, q, 0.4, color=PALETTE[1], label="Q (모델)")
        ax.set_title(f"{name}\nTV = {total_variation(p, q):.2f}, KL(P‖Q) = {kl_divergence(p, q):.2f}\n"
                     f"KL(Q‖P) = {kl_divergence(q, p):.2f}", fontsize=9)
        ax.set_xticks(k, [f"{i + 1}" for i in k])
        ax.set_xlabel("클래스")
    axes[0].set_ylabel("확률")
    axes[0].legend(fontsize=8)
    return finish(fig, "두 확률분포 사이의 거리")


def kl_figure(p: float = 0.3):
    """For a Bernoulli P = (1-p, p) and Q = (1-q, q) with q varying: the cross-entropy H(P, Q)
    is the entropy H(P) (a constant) plus KL(P‖Q), and KL is 0 only at q = p."""
    from snippets.plotting import PALETTE, figure, finish

    q = np.linspace(0.01, 0.99, 300)
    P = np.array([1 - p, p])
    Q = np.column_stack([1 - q, q])
    fig, ax = figure(figsize=(5.6, 3.6))
    ax.plot(q, cross_entropy(P, Q), color=PALETTE[0], label="교차 엔트로피 H(P, Q)")
    ax.plot(q, kl_divergence(P, Q), color=PALETTE[1], label="KL(P‖Q)")
    ax.axhline(entropy(P), color=PALETTE[2], ls="--", label=f"엔트로피 H(P) = {entropy(P):.3f}")
    ax.fill_between(q, entropy(P), cross_entropy(P, Q), color=PALETTE[1], alpha=0.1)
    ax.axvline(p, color="gray", ls=":", lw=1)
    ax.annotate(f"q = p = {p}: KL = 0", (p, 0.02), xytext=(p + 0.08, 1.3), fontsize=8,
                arrowprops={"arrowstyle": "->", "color": "gray"})
    ax.set(xlabel="모델 분포의 모수 q", ylabel="nats", ylim=(0, 2.5))
    ax.legend(fontsize=8)
    return finish(fig, f"H(P, Q) = H(P) + KL(P‖Q)   (P = 베르누이({p}))")
