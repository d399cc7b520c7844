"""Monte Carlo: expectations and integrals as averages over independent samples, with their
standard errors (which shrink like 1/√n)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

GAUSSIAN_INTEGRAL = math.sqrt(math.pi) * math.erf(1.0)  # ∫_{-1}^{1} e^{-x²} dx = 1.4936...


def gaussian_bump(x: np.ndarray) -> np.ndarray:
    """The notes' integrand e^{-x²}."""
    return np.exp(-np.asarray(x, dtype=float) ** 2)


def monte_carlo_expectation(f: Callable[[np.ndarray], np.ndarray],
                            sample: Callable[[np.random.Generator, int], np.ndarray], n: int,
                            rng: np.random.Generator | int = 0) -> tuple[float, float]:
    """E[f(x)] ≈ (1/n) Σ f(x_i) over n independent draws `sample(rng, n)`.
    Returns (estimate, standard error = sample std of f / √n)."""
    rng = np.random.default_rng(rng)
    values = np.asarray(f(sample(rng, n)), dtype=float)
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(n))


def monte_carlo_integral(f: Callable[[np.ndarray], np.ndarray], a: float, b: float, n: int,
                         rng: np.random.Generator | int = 0) -> tuple[float, float]:
    """∫_a^b f(x) dx = (b - a) E_{x~U(a,b)}[f(x)], estimated from n uniform samples.
    Returns (estimate, standard error)."""
    mean, err = monte_carlo_expectation(f, lambda g, m: g.uniform(a, b, m), n, rng)
    return (b - a) * mean, (b - a) * err


def running_mean_figure(n: int = 2000, seed: int = 0):
    """The running average (1/k) Σ_{i≤k} f(x_i), x_i ~ N(0, 1), f(x) = x², approaching
    E[x²] = 1 as k grows (law of large numbers), for three independent runs."""
    from snippets.plotting import figure, finish

    rng = np.random.default_rng(seed)
    fig, ax = figure(figsize=(5.6, 3.4))
    k = np.arange(1, n + 1)
    for run in range(3):
        values = rng.normal(size=n) ** 2
        ax.plot(k, np.cumsum(values) / k, lw=1, label=f"시행 {run + 1}")
    ax.axhline(1.0, color="black", ls="--", lw=1, label="참값 E[x²] = 1")
    ax.set(xscale="log", xlabel="샘플 수 N", ylabel="표본 평균 (1/N) Σ f(x⁽ⁱ⁾)", ylim=(0, 2.5))
    ax.legend(fontsize=8)
    return finish(fig, "몬테카를로 근사: 샘플이 늘수록 기대값에 수렴")


def integrand_figure(n_points: int = 40, seed: int = 0):
    """f(x) = e^{-x²} on [-2, 2], the area ∫_{-1}^{1} shaded, and uniform samples on [-1, 1]
    with their values f(x_i) (what Monte Carlo averages)."""
    from snippets.plotting import PALETTE, figure, finish

    rng = np.random.default_rng(seed)
    fig, ax = figure(figsize=(5.6, 3.4))
    x = np.linspace(-2, 2, 400)
    ax.plot(x, gaussian_bump(x), color=PALETTE[0], label="f(x) = e^(-x²)")
    inside = np.linspace(-1, 1, 200)
    ax.fill_between(inside, gaussian_bump(inside), alpha=0.2, color=PALETTE[0],
                    label=f"구하려는 넓이 ≈ {GAUSSIAN_INTEGRAL:.4f}")
    samples = rng.uniform(-1, 1, n_points)
    ax.vlines(samples, 0, gaussian_bump(samples), color=PALETTE[1], lw=0.8, alpha=0.7)
    ax.plot(samples, gaussian_bump(samples), "o", ms=3, color=PALETTE[1], label="균등분포 샘플의 f(x⁽ⁱ⁾)")
    ax.set(xlabel="x", ylabel="f(x)", ylim=(0, 1.15))
    ax.legend(fontsize=8, loc="upper right")
    return finish(fig, "초등함수로 부정적분할 수 없는 ∫₋₁¹ e^(-x²) dx")


def integral_error_figure(sizes=(10, 30, 100, 300, 1000, 3000, 10000, 30000), repeats: int = 200,
                          seed: int = 0):
    """Left: Monte Carlo estimates of ∫_{-1}^{1} e^{-x²} dx spreading less as the sample size grows;
    right: their mean absolute error against the exact √π·erf(1), on log axes, with a 1/√n line."""
    from snippets.plotting import PALETTE, figure, finish, log_scale

    rng = np.random.default_rng(seed)
    estimates = np.array([[monte_carlo_integral(gaussian_bump, -1, 1, n, rng)[0] for _ in range(repeats)]
                          for n in sizes])
    fig, (left, right) = figure(ncols=2)
    left.boxplot(estimates.T, positions=range(len(sizes)), widths=0.6, showfliers=False)
    left.set_xticks(range(len(sizes)), [f"{n:,}" for n in sizes], rotation=60, fontsize=7)
    left.axhline(GAUSSIAN_INTEGRAL, color=PALETTE[1], ls="--", lw=1, label="참값 √π·erf(1)")
    left.set(title=f"추정값의 분포 ({repeats}번 반복)", xlabel="샘플 수 n", ylabel="추정값")
    left.legend(fontsize=8)
    error = np.abs(estimates - GAUSSIAN_INTEGRAL).mean(axis=1)
    sizes_a = np.array(sizes, dtype=float)
    right.plot(sizes_a, error, "o-", label="평균 절대 오차")
    right.plot(sizes_a, error[0] * np.sqrt(sizes_a[0] / sizes_a), "--", color="gray", label="1/√n 기울기")
    log_scale(right, "x")
    log_scale(right, "y")
    right.set(title="오차는 1/√n 로 줄어듦", xlabel="샘플 수 n", ylabel="|추정값 - 참값|")
    right.legend(fontsize=8)
    return finish(fig)
