"""Sampling distributions: the distribution of a statistic (here the sample mean) over many
samples of size n, which narrows like σ/√n and turns normal even when the data are not."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def sample_means(sample: Callable[[np.random.Generator, tuple[int, int]], np.ndarray], n: int,
                 repeats: int, rng: np.random.Generator | int = 0) -> np.ndarray:
    """Means of `repeats` independent samples of size n drawn by `sample(rng, shape)`: (repeats,)."""
    rng = np.random.default_rng(rng)
    return sample(rng, (repeats, n)).mean(axis=1)


def sample_variance(x: np.ndarray, ddof: int = 1) -> float:
    """The sample variance Σ(x - x̄)² / (n - ddof): ddof = 1 is unbiased, ddof = 0 is the MLE."""
    x = np.asarray(x, dtype=float)
    return float(((x - x.mean()) ** 2).sum() / (len(x) - ddof))


def sampling_distribution_figure(sizes=(1, 5, 30), repeats: int = 20000, seed: int = 0):
    """Data from an exponential distribution (skewed, not normal) and the distribution of the
    sample mean for growing n, each with the normal N(1, 1/n) the central limit theorem predicts."""
    from snippets.plotting import PALETTE, figure, finish

    rng = np.random.default_rng(seed)
    fig, axes = figure(ncols=len(sizes), sharey=False)
    for ax, n in zip(axes, sizes, strict=True):
        means = sample_means(lambda g, shape: g.exponential(1.0, shape), n, repeats, rng)
        ax.hist(means, bins=60, density=True, color=PALETTE[0], alpha=0.7,
                label="데이터 분포" if n == 1 else "표본평균의 분포")
        if n > 1:
            x = np.linspace(means.min(), means.max(), 200)
            ax.plot(x, np.exp(-(x - 1) ** 2 * n / 2) * np.sqrt(n / (2 * np.pi)), color=PALETTE[1],
                    label="정규분포 N(1, 1/n)")
        ax.set(title="데이터 (지수분포)" if n == 1 else f"표본 크기 n = {n}", xlabel="값")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("밀도")
    return finish(fig, "표집분포: 표본평균의 분포는 n 이 커질수록 좁아지고 정규분포에 가까워짐")
