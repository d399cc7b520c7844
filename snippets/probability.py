"""Discrete and continuous distributions, joint, marginal and conditional distributions, and
expectations (sums with a mass function, integrals with a density)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def normal_pdf(x: np.ndarray, mu: float = 0.0, sigma: float = 1.0) -> np.ndarray:
    """Density of N(μ, σ²) at x (any shape)."""
    x = np.asarray(x, dtype=float)
    return np.exp(-((x - mu) ** 2) / (2 * sigma ** 2)) / np.sqrt(2 * np.pi * sigma ** 2)


def binomial_pmf(n: int, p: float) -> np.ndarray:
    """P(X = k) for k = 0..n of a binomial(n, p): shape (n + 1,)."""
    from math import comb

    k = np.arange(n + 1)
    return np.array([comb(n, int(i)) for i in k]) * p ** k * (1 - p) ** (n - k)


def probability_of_set(pmf: np.ndarray, members: np.ndarray) -> float:
    """Discrete: P(X ∈ A) = Σ_{x ∈ A} P(X = x), A given as a boolean mask over the support."""
    return float(np.asarray(pmf)[np.asarray(members, dtype=bool)].sum())


def probability_of_interval(pdf: Callable[[np.ndarray], np.ndarray], a: float, b: float,
                            points: int = 20001) -> float:
    """Continuous: P(a ≤ X ≤ b) = ∫_a^b p(x) dx, by the trapezoid rule."""
    x = np.linspace(a, b, points)
    return float(np.trapezoid(pdf(x), x))


def expectation_discrete(values: np.ndarray, pmf: np.ndarray, f: Callable = lambda x: x) -> float:
    """E[f(X)] = Σ f(x) P(X = x). values, pmf: shape (k,)."""
    return float(np.sum(f(np.asarray(values, dtype=float)) * np.asarray(pmf, dtype=float)))


def expectation_continuous(pdf: Callable[[np.ndarray], np.ndarray], a: float, b: float,
                           f: Callable = lambda x: x, points: int = 20001) -> float:
    """E[f(X)] = ∫ f(x) p(x) dx over [a, b] (where the density lives), by the trapezoid rule."""
    x = np.linspace(a, b, points)
    return float(np.trapezoid(f(x) * pdf(x), x))


def variance_discrete(values: np.ndarray, pmf: np.ndarray) -> float:
    """V[X] = E[(X - E[X])²] for a discrete distribution."""
    mean = expectation_discrete(values, pmf)
    return expectation_discrete(values, pmf, lambda x: (x - mean) ** 2)


def marginal(joint: np.ndarray, axis: int) -> np.ndarray:
    """Sum a joint table P(x, y) over `axis` (0: over x, giving P(y); 1: over y, giving P(x))."""
    return np.asarray(joint, dtype=float).sum(axis=axis)


def conditional(joint: np.ndarray, given_axis: int = 1) -> np.ndarray:
    """P(x | y) = P(x, y) / P(y) from a joint table (rows x, columns y). given_axis = 1 conditions
    on y (columns sum to 1), given_axis = 0 conditions on x (rows sum to 1)."""
    joint = np.asarray(joint, dtype=float)
    totals = joint.sum(axis=1 - given_axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, joint / totals, 0.0)


def joint_table(x: np.ndarray, y: np.ndarray, x_bins, y_bins) -> np.ndarray:
    """A continuous joint distribution's samples turned discrete: the fraction of samples in each
    (x bin, y bin) cell, shape (len(x_bins) - 1, len(y_bins) - 1), summing to 1."""
    counts, _, _ = np.histogram2d(x, y, bins=[x_bins, y_bins])
    return counts / counts.sum()


def conditional_mean(x: np.ndarray, y: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """E[y | x in bin] for each bin of x between consecutive `edges` (NaN for an empty bin)."""
    which = np.digitize(x, edges) - 1
    return np.array([y[which == i].mean() if np.any(which == i) else np.nan
                     for i in range(len(edges) - 1)])


def two_class_data(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Samples (x, y) ~ D: labels y ∈ {0, 1} with P(y = 1) = 0.4, and x | y ~ N(±1.2, 1) in 2-D.
    Returns (x (n, 2), y (n,))."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.4).astype(int)
    centers = np.where(y[:, None] == 1, [1.2, 1.0], [-1.0, -0.8])
    return centers + rng.normal(size=(n, 2)), y


def regression_data(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) with y = sin(2x) + x/2 + noise: E[y | x] is that curve. Shapes (n,), (n,)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, n)
    return x, np.sin(2 * x) + x / 2 + rng.normal(0, 0.4, n)


# -- figures ----------------------------------------------------------------------------------------

def data_space_figure():
    """Samples (x, y) ~ D in the data space: x is a point in the plane, y its class (colour)."""
    from snippets.plotting import PALETTE, figure, finish

    x, y = two_class_data()
    fig, ax = figure(figsize=(4.8, 4.0))
    for label, color in ((0, PALETTE[0]), (1, PALETTE[1])):
        ax.scatter(*x[y == label].T, s=10, color=color, alpha=0.7, label=f"y = {label}")
    ax.set(xlabel="x₁", ylabel="x₂")
    ax.legend(title="정답 y", fontsize=8)
    return finish(fig, "데이터 공간 X × Y 와 분포 D 에서 뽑은 (x, y)")


def discrete_figure(n: int = 10, p: float = 0.35, members=(2, 3, 4)):
    """A probability mass function (binomial) with a set A highlighted: P(X ∈ A) is a sum."""
    from snippets.plotting import PALETTE, figure, finish

    pmf = binomial_pmf(n, p)
    k = np.arange(n + 1)
    mask = np.isin(k, members)
    fig, ax = figure(figsize=(5.2, 3.4))
    ax.bar(k, pmf, color=np.where(mask, PALETTE[1], PALETTE[0]))
    ax.set(xlabel="x", ylabel="P(X = x)", xticks=k)
    ax.set_title(f"P(X ∈ A) = Σ P(X = x) = {probability_of_set(pmf, mask):.3f},  A = {set(members)}",
                 fontsize=9)
    return finish(fig, f"이산형 확률변수: 확률질량함수 (이항분포 n={n}, p={p})")


def continuous_figure(a: float = -0.5, b: float = 1.0):
    """A density (standard normal) with [a, b] shaded: P(a ≤ X ≤ b) is an integral, and the
    density's value itself is not a probability."""
    from snippets.plotting import PALETTE, figure, finish

    x = np.linspace(-4, 4, 400)
    fig, ax = figure(figsize=(5.2, 3.4))
    ax.plot(x, normal_pdf(x), color=PALETTE[0], label="밀도 p(x)")
    inside = np.linspace(a, b, 200)
    area = probability_of_interval(normal_pdf, a, b)
    ax.fill_between(inside, normal_pdf(inside), color=PALETTE[1], alpha=0.3,
                    label=f"P({a} ≤ X ≤ {b}) = ∫ p(x)dx = {area:.3f}")
    ax.set(xlabel="x", ylabel="p(x)", ylim=(0, 0.5))
    ax.legend(fontsize=8)
    return finish(fig, "연속형 확률변수: 확률밀도함수 (표준정규분포)")


def joint_figure(bins: int = 6):
    """Left: samples of a continuous joint distribution; right: the same samples counted in a grid,
    a discrete joint distribution P(x, y) that approximates it."""
    from snippets.plotting import PALETTE, figure, finish

    x, y = regression_data(600)
    fig, (left, right) = figure(ncols=2)
    left.scatter(x, y, s=6, alpha=0.5, color=PALETTE[0])
    left.set(title="연속형: 샘플 (x, y)", xlabel="x", ylabel="y")
    x_edges, y_edges = np.linspace(-3, 3, bins + 1), np.linspace(-3, 3, bins + 1)
    table = joint_table(x, y, x_edges, y_edges)
    mesh = right.pcolormesh(x_edges, y_edges, table.T, cmap="Blues")
    for i in range(bins):
        for j in range(bins):
            if table[i, j] > 0.005:
                right.text((x_edges[i] + x_edges[i + 1]) / 2, (y_edges[j] + y_edges[j + 1]) / 2,
                           f"{table[i, j]:.2f}", ha="center", va="center", fontsize=6)
    right.figure.colorbar(mesh, ax=right, shrink=0.8, label="P(x, y)")
    right.set(title="이산형으로 근사: 칸마다 비율", xlabel="x 구간", ylabel="y 구간")
    right.grid(False)
    return finish(fig, "결합분포 P(x, y): 연속형 D 를 이산형으로 모델링할 수도 있다")


def conditional_figure():
    """P(x₁ | y) for y = 0 and y = 1, counted from the samples of each class only, next to the
    marginal P(x₁) counted from all samples."""
    from snippets.plotting import PALETTE, figure, finish

    x, y = two_class_data(2000)
    edges = np.linspace(-4.5, 4.5, 31)
    fig, ax = figure(figsize=(5.6, 3.6))
    ax.hist(x[:, 0], bins=edges, density=True, histtype="step", color="black", lw=1.5,
            label="주변분포 P(x₁)")
    for label, color in ((0, PALETTE[0]), (1, PALETTE[1])):
        ax.hist(x[y == label, 0], bins=edges, density=True, alpha=0.45, color=color,
                label=f"조건부 P(x₁ | y = {label})")
    ax.set(xlabel="x₁", ylabel="밀도")
    ax.legend(fontsize=8)
    return finish(fig, "조건부확률분포: y 가 주어진 데이터만 세기")


def conditional_expectation_figure():
    """Regression data, the conditional expectation E[y | x] estimated per bin of x, the true
    curve, and the conditional density p(y | x) drawn at a few x."""
    from snippets.plotting import PALETTE, figure, finish

    x, y = regression_data(800)
    edges = np.linspace(-3, 3, 25)
    centers = (edges[:-1] + edges[1:]) / 2
    fig, ax = figure(figsize=(5.8, 3.8))
    ax.scatter(x, y, s=4, alpha=0.3, color="gray", label="데이터 (x, y)")
    grid = np.linspace(-3, 3, 300)
    ax.plot(grid, np.sin(2 * grid) + grid / 2, color=PALETTE[0], label="E[y | x] (참)")
    ax.plot(centers, conditional_mean(x, y, edges), "o", ms=4, color=PALETTE[1],
            label="구간별 y 의 평균")
    ys = np.linspace(-1.5, 1.5, 100)
    for x0 in (-2.0, 0.0, 2.0):
        m = np.sin(2 * x0) + x0 / 2
        ax.plot(x0 + 0.5 * normal_pdf(ys, 0, 0.4), m + ys, color=PALETTE[2], lw=1)
    ax.plot([], [], color=PALETTE[2], label="조건부 밀도 p(y | x)")
    ax.set(xlabel="x", ylabel="y")
    ax.legend(fontsize=7, loc="upper left")
    return finish(fig, "조건부기대값 E[y | x]: L2 오차를 최소화하는 f(x)")


def expectation_figure():
    """Left: continuous E[f(X)] = ∫ f(x)p(x)dx as the area under f·p; right: discrete
    E[f(X)] = Σ f(x)P(x) as a sum of bars (X ~ N(1, 1) and a die, f(x) = x²)."""
    from snippets.plotting import PALETTE, figure, finish

    fig, (left, right) = figure(ncols=2)
    x = np.linspace(-3, 5, 400)
    pdf = lambda t: normal_pdf(t, 1.0, 1.0)  # noqa: E731
    left.plot(x, pdf(x), color=PALETTE[0], label="p(x)")
    left.fill_between(x, x ** 2 * pdf(x), color=PALETTE[1], alpha=0.3, label="f(x)p(x)")
    value = expectation_continuous(pdf, -8, 10, lambda t: t ** 2)
    left.set(title=f"연속형: ∫ x² p(x) dx = {value:.2f}", xlabel="x")
    left.legend(fontsize=8)
    faces = np.arange(1, 7)
    pmf = np.full(6, 1 / 6)
    right.bar(faces, faces ** 2 * pmf, color=PALETTE[1], alpha=0.7, label="f(x)P(x)")
    right.set(title=f"이산형: Σ x² P(x) = {expectation_discrete(faces, pmf, np.square):.2f}",
              xlabel="주사위 눈 x", xticks=faces)
    right.legend(fontsize=8)
    return finish(fig, "기대값: 밀도함수는 적분, 질량함수는 급수")


def moments_figure(seed: int = 0):
    """Statistics computed as expectations: for a skewed density, the mean E[X], the standard
    deviation √V[X] and the skewness; and for 2-D samples, the covariance Cov(X₁, X₂)."""
    from snippets.plotting import PALETTE, figure, finish

    fig, (left, right) = figure(ncols=2)
    x = np.linspace(0, 12, 600)
    pdf = lambda t: t * np.exp(-t / 1.5) / 1.5 ** 2  # gamma(2, 1.5)  # noqa: E731
    mean = expectation_continuous(pdf, 0, 40)
    var = expectation_continuous(pdf, 0, 40, lambda t: (t - mean) ** 2)
    skew = expectation_continuous(pdf, 0, 40, lambda t: ((t - mean) / np.sqrt(var)) ** 3)
    left.plot(x, pdf(x), color=PALETTE[0])
    left.axvline(mean, color=PALETTE[1], label=f"E[X] = {mean:.2f}")
    left.axvspan(mean - np.sqrt(var), mean + np.sqrt(var), color=PALETTE[1], alpha=0.12,
                 label=f"± √V[X] = {np.sqrt(var):.2f}")
    left.set(title=f"평균, 분산, 왜도 (왜도 = {skew:.2f})", xlabel="x", ylabel="p(x)")
    left.legend(fontsize=8)
    rng = np.random.default_rng(seed)
    a = rng.normal(size=400)
    b = 0.8 * a + 0.6 * rng.normal(size=400)
    cov = np.mean((a - a.mean()) * (b - b.mean()))
    right.scatter(a, b, s=6, alpha=0.5, color=PALETTE[2])
    right.set(title=f"공분산 E[(X₁-μ₁)(X₂-μ₂)] = {cov:.2f}", xlabel="X₁", ylabel="X₂")
    return finish(fig, "기대값으로 계산하는 통계량")


def families_figure():
    """Which distribution to assume, by the data's range: Bernoulli (0 or 1), categorical
    (one of K), beta ([0, 1]), gamma and log-normal (non-negative), normal and Laplace (all reals)."""
    from math import gamma as gamma_fn

    from snippets.plotting import PALETTE, figure, finish

    fig, axes = figure(ncols=3, nrows=2, figsize=(9.6, 5.4))
    axes = axes.ravel()
    axes[0].bar([0, 1], [0.3, 0.7], color=PALETTE[0], width=0.5)
    axes[0].set(title="베르누이: 0 또는 1", xticks=[0, 1])
    axes[1].bar(np.arange(1, 6), [0.1, 0.3, 0.25, 0.2, 0.15], color=PALETTE[0])
    axes[1].set(title="카테고리: K 개 중 하나")
    t = np.linspace(0.001, 0.999, 300)
    for a, b in ((2, 5), (5, 2), (2, 2)):
        beta = gamma_fn(a + b) / (gamma_fn(a) * gamma_fn(b)) * t ** (a - 1) * (1 - t) ** (b - 1)
        axes[2].plot(t, beta, label=f"a={a}, b={b}")
    axes[2].set(title="베타: [0, 1] 사이 값")
    axes[2].legend(fontsize=7)
    s = np.linspace(0.001, 8, 400)
    axes[3].plot(s, s * np.exp(-s), label="감마(2, 1)")
    axes[3].set(title="감마: 0 이상의 값")
    axes[3].legend(fontsize=7)
    axes[4].plot(s, np.exp(-np.log(s) ** 2 / 0.5) / (s * np.sqrt(0.5 * np.pi)), color=PALETTE[1],
                 label="로그정규")
    axes[4].set(title="로그정규: 0 이상의 값")
    axes[4].legend(fontsize=7)
    r = np.linspace(-5, 5, 400)
    axes[5].plot(r, normal_pdf(r), label="정규")
    axes[5].plot(r, 0.5 * np.exp(-np.abs(r)), label="라플라스")
    axes[5].set(title="정규, 라플라스: 실수 전체")
    axes[5].legend(fontsize=7)
    return finish(fig, "데이터가 가지는 값의 범위에 따라 가정하는 확률분포")
