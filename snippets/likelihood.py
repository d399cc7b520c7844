"""Likelihood and maximum likelihood estimation for the normal and the categorical distribution."""

from __future__ import annotations

import numpy as np

from snippets.probability import normal_pdf


def normal_log_likelihood(x: np.ndarray, mu: float | np.ndarray, sigma: float | np.ndarray) -> np.ndarray:
    """Σ_i log N(x_i; μ, σ²) for data x (n,); μ and σ may be arrays (broadcast), e.g. a grid."""
    x = np.asarray(x, dtype=float)
    mu, sigma = np.asarray(mu, dtype=float)[..., None], np.asarray(sigma, dtype=float)[..., None]
    return (-0.5 * np.log(2 * np.pi * sigma ** 2) - (x - mu) ** 2 / (2 * sigma ** 2)).sum(axis=-1)


def normal_mle(x: np.ndarray) -> tuple[float, float]:
    """The (μ, σ) maximising the normal likelihood: the sample mean, and the square root of the
    variance divided by n (not n - 1)."""
    x = np.asarray(x, dtype=float)
    mu = x.mean()
    return float(mu), float(np.sqrt(((x - mu) ** 2).mean()))


def categorical_log_likelihood(labels: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Σ_i log p_{y_i} = Σ_k n_k log p_k for integer labels y (n,) and probabilities p (..., K)."""
    p = np.asarray(p, dtype=float)
    counts = np.bincount(np.asarray(labels), minlength=p.shape[-1])
    with np.errstate(divide="ignore"):
        terms = np.where(counts > 0, counts * np.log(p), 0.0)
    return terms.sum(axis=-1)


def categorical_mle(labels: np.ndarray, k: int) -> np.ndarray:
    """p̂_k = n_k / n: the fraction of the labels (n,) equal to each class 0..k-1, shape (k,)."""
    return np.bincount(np.asarray(labels), minlength=k) / len(labels)


def bernoulli_likelihood(heads: int, n: int, theta: np.ndarray) -> np.ndarray:
    """L(θ) = θ^heads (1 - θ)^(n - heads): the probability of the observed coin flips, as θ varies."""
    theta = np.asarray(theta, dtype=float)
    return theta ** heads * (1 - theta) ** (n - heads)


# -- figures ----------------------------------------------------------------------------------------

def likelihood_curve_figure(heads: int = 7, n: int = 10):
    """L(θ) for n coin flips with `heads` heads, θ̂ = heads / n at its maximum."""
    from snippets.plotting import PALETTE, figure, finish

    theta = np.linspace(0, 1, 400)
    L = bernoulli_likelihood(heads, n, theta)
    fig, ax = figure(figsize=(5.2, 3.4))
    ax.plot(theta, L, color=PALETTE[0], label=f"L(θ) = θ^{heads} (1-θ)^{n - heads}")
    ax.axvline(heads / n, color=PALETTE[1], ls="--", label=f"최대가능도 θ̂ = {heads}/{n}")
    ax.set(xlabel="모수 θ (앞면이 나올 확률)", ylabel="가능도 L(θ)")
    ax.legend(fontsize=8)
    return finish(fig, f"동전 {n}번 중 앞면 {heads}번: 가능도를 가장 크게 하는 θ")


def log_likelihood_figure(seed: int = 0):
    """Left: the likelihood of n normal samples (a product of densities) underflowing to 0 in
    floating point as n grows, while the log-likelihood (a sum) stays representable; right: L(μ)
    and log L(μ) peak at the same μ."""
    from snippets.plotting import PALETTE, figure, finish

    rng = np.random.default_rng(seed)
    x = rng.normal(1.0, 1.0, 2000)
    sizes = np.array([1, 10, 50, 100, 300, 600, 1000, 2000])
    products = [float(np.prod(normal_pdf(x[:n], 1.0, 1.0))) for n in sizes]
    sums = [float(normal_log_likelihood(x[:n], 1.0, 1.0)) for n in sizes]
    fig, (left, right) = figure(ncols=2)
    left.plot(sizes, [np.log10(p) if p > 0 else np.nan for p in products], "o-", label="log₁₀ (Π p(xᵢ))")
    left.plot(sizes, np.array(sums) / np.log(10), "s--", label="Σ log p(xᵢ) / ln 10", ms=3)
    gone = sizes[np.array(products) == 0]
    if len(gone):
        left.axvspan(gone[0], sizes[-1], color="gray", alpha=0.15, label="곱이 0 으로 언더플로")
    left.set(title="곱 대신 로그의 합", xlabel="데이터 수 n", ylabel="가능도 (log₁₀)")
    left.legend(fontsize=7)
    mu = np.linspace(0, 2, 300)
    small = x[:20]
    L = np.exp(normal_log_likelihood(small, mu, 1.0))
    right.plot(mu, L / L.max(), color=PALETTE[0], label="L(μ) (최대값으로 나눔)")
    twin = right.twinx()
    twin.plot(mu, normal_log_likelihood(small, mu, 1.0), color=PALETTE[1], label="log L(μ)")
    twin.set_ylabel("log L(μ)", color=PALETTE[1])
    right.axvline(small.mean(), color="gray", ls=":", label="같은 최대점")
    right.set(title="최대점은 그대로", xlabel="μ", ylabel="L(μ)")
    right.legend(fontsize=7, loc="lower center")
    return finish(fig)


def normal_mle_figure(n: int = 50, seed: int = 1):
    """Left: the normal log-likelihood over (μ, σ) for n samples, its maximum at the sample mean and
    the 1/n standard deviation; right: the fitted density over the data's histogram."""
    from snippets.plotting import PALETTE, figure, finish

    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 1.5, n)
    mu_hat, sigma_hat = normal_mle(x)
    fig, (left, right) = figure(ncols=2)
    mus, sigmas = np.meshgrid(np.linspace(0.5, 3.5, 150), np.linspace(0.7, 3.0, 150))
    ll = normal_log_likelihood(x, mus, sigmas)
    left.contourf(mus, sigmas, ll, levels=np.linspace(ll.max() - 40, ll.max(), 15), cmap="Blues")
    left.plot(mu_hat, sigma_hat, "*", ms=14, color=PALETTE[1], label=f"MLE ({mu_hat:.2f}, {sigma_hat:.2f})")
    left.set(title="로그가능도 log L(μ, σ)", xlabel="μ", ylabel="σ")
    left.legend(fontsize=8)
    right.hist(x, bins=12, density=True, color="gray", alpha=0.5, label=f"데이터 {n}개")
    grid = np.linspace(x.min() - 1, x.max() + 1, 300)
    right.plot(grid, normal_pdf(grid, mu_hat, sigma_hat), color=PALETTE[1], label="추정한 정규분포")
    right.plot(grid, normal_pdf(grid, 2.0, 1.5), "--", color=PALETTE[0], label="참 분포 N(2, 1.5²)")
    right.set(title="μ̂ = 표본평균, σ̂² = Σ(x-μ̂)²/n", xlabel="x", ylabel="밀도")
    right.legend(fontsize=7)
    return finish(fig, "정규분포의 최대가능도 추정")


def categorical_mle_figure(n: int = 60, seed: int = 0):
    """Counts of n labels drawn from a 4-class categorical distribution, the MLE p̂_k = n_k / n, and
    the true p."""
    from snippets.plotting import PALETTE, figure, finish

    p = np.array([0.1, 0.4, 0.3, 0.2])
    rng = np.random.default_rng(seed)
    labels = rng.choice(4, n, p=p)
    p_hat = categorical_mle(labels, 4)
    counts = np.bincount(labels, minlength=4)
    fig, ax = figure(figsize=(5.2, 3.4))
    k = np.arange(4)
    bars = ax.bar(k - 0.2, p_hat, 0.4, color=PALETTE[0], label="MLE p̂ₖ = nₖ / n")
    ax.bar_label(bars, [f"{c}/{n}" for c in counts], fontsize=8)
    ax.bar(k + 0.2, p, 0.4, color=PALETTE[2], alpha=0.6, label="참 모수 pₖ")
    ax.set(xticks=k, xticklabels=[f"클래스 {i + 1}" for i in k], ylabel="확률", ylim=(0, 0.55))
    ax.legend(fontsize=8)
    return finish(fig, f"카테고리분포의 최대가능도: 세어서 비율 구하기 (n = {n})")


def categorical_simplex_figure(counts=(3, 5, 2)):
    """The categorical log-likelihood Σ n_k log p_k over every p = (p₁, p₂, p₃) on the triangle
    p₁ + p₂ + p₃ = 1, with its maximum at p = counts / n."""
    from snippets.plotting import PALETTE, figure, finish

    counts = np.asarray(counts)
    labels = np.repeat(np.arange(3), counts)
    steps = 200
    a, b = np.meshgrid(np.linspace(0, 1, steps), np.linspace(0, 1, steps))
    inside = a + b < 1
    p = np.stack([a, b, 1 - a - b], axis=-1).clip(1e-9, 1)
    ll = np.where(inside, categorical_log_likelihood(labels, p), np.nan)
    corners = np.array([[0, 0], [1, 0], [0.5, np.sqrt(3) / 2]])  # p₁, p₂, p₃ vertices
    xy = p @ corners
    fig, ax = figure(figsize=(4.8, 4.2))
    best = np.nanmax(ll)
    ax.contourf(xy[..., 0], xy[..., 1], ll, levels=np.linspace(best - 12, best, 13), cmap="Blues")
    mle = counts / counts.sum()
    ax.plot(*(mle @ corners), "*", ms=14, color=PALETTE[1])
    ax.set_title(f"★ 최대점 p̂ = ({', '.join(f'{c}/{counts.sum()}' for c in counts)})", fontsize=9,
                 color=PALETTE[1], pad=16)  # clear of the top corner's label
    ax.plot(*np.vstack([corners, corners[:1]]).T, color="black", lw=1)
    for corner, text in zip(corners, ["p₁ = 1", "p₂ = 1", "p₃ = 1"], strict=True):
        top = corner[1] > 0  # the top corner's label goes to its right, under the title
        ax.annotate(text, corner, textcoords="offset points", xytext=(8, -2) if top else (0, -12),
                    ha="left" if top else "center", va="top" if top else "baseline", fontsize=9)
    ax.set_aspect("equal")
    ax.axis("off")
    return finish(fig, f"log L(p) = Σ nₖ log pₖ,  세어본 수 n = {tuple(int(c) for c in counts)}")


def softmax_mle_figure(steps: int = 300, seed: int = 0):
    """A softmax classifier (a 2-layer MLP) trained on 3-class data by maximising the log-likelihood
    of the labels (= minimising cross-entropy): the mean log-likelihood rising, and the decision
    regions at the end."""
    from snippets.mlp import predict, train_mlp
    from snippets.plotting import PALETTE, figure, finish

    rng = np.random.default_rng(seed)
    centers = np.array([[0, 1.5], [-1.4, -1], [1.4, -1]])
    y = rng.integers(0, 3, 300)
    X = centers[y] + rng.normal(0, 0.8, (300, 2))
    params, losses = train_mlp([2, 16, 3], X, y, "softmax-ce", "relu", lr=0.3, steps=steps, seed=seed)
    fig, (left, right) = figure(ncols=2)
    left.plot(-np.array(losses), color=PALETTE[0])
    left.set(title="평균 로그가능도 (1/n) Σ log p̂(yᵢ|xᵢ)", xlabel="경사하강 횟수", ylabel="로그가능도")
    g = np.linspace(-4, 4, 200)
    gx, gy = np.meshgrid(g, g)
    pred = predict(params, np.column_stack([gx.ravel(), gy.ravel()])).argmax(axis=1).reshape(gx.shape)
    from matplotlib.colors import ListedColormap

    right.contourf(gx, gy, pred, levels=[-0.5, 0.5, 1.5, 2.5], cmap=ListedColormap(PALETTE[:3]), alpha=0.2)
    for k in range(3):
        right.scatter(*X[y == k].T, s=6, color=PALETTE[k], label=f"클래스 {k + 1}")
    right.set(title="학습된 softmax 분류기", xlabel="x₁", ylabel="x₂")
    right.legend(fontsize=7)
    return finish(fig, "딥러닝의 최대가능도: softmax 출력을 카테고리분포의 모수로")


def probability_vs_likelihood_figure(x_obs: float = 1.0):
    """Left, probability: the parameter fixed, x varies; each density integrates to 1 over x.
    Right, likelihood: x fixed at the observation, σ varies; L(σ) = p(x_obs | μ = 0, σ) does not
    integrate to 1 over σ: its values are compared (which σ explains x best), not summed."""
    from snippets.plotting import PALETTE, figure, finish

    grid = np.linspace(-4, 5, 400)
    fig, (left, right) = figure(ncols=2)
    for mu, color in ((0.0, PALETTE[0]), (2.0, PALETTE[2])):
        left.plot(grid, normal_pdf(grid, mu, 1.0), color=color, label=f"μ = {mu:g} 고정")
    left.axvline(x_obs, color=PALETTE[1], ls=":", lw=1)
    left.set(title="확률(밀도): 모수 고정, x 가 변수", xlabel="x", ylabel="p(x | μ)")
    left.legend(fontsize=8)
    sigma_grid = np.linspace(0.2, 4, 400)
    right.plot(sigma_grid, normal_pdf(x_obs, 0.0, sigma_grid), color=PALETTE[1],
               label=f"L(σ) = p(x={x_obs:g} | μ=0, σ)")
    best = sigma_grid[np.argmax(normal_pdf(x_obs, 0.0, sigma_grid))]
    right.axvline(best, color="gray", ls="--", lw=1, label=f"최대 σ̂ = {best:.2f}")
    right.set(title="가능도: 데이터 고정, 모수가 변수", xlabel="σ", ylabel="L(σ)")
    right.legend(fontsize=8)
    return finish(fig, "같은 식, 다른 변수: 확률 vs 가능도")
