"""Bias and variance measured by simulation, and the two ensembles that attack them:
bagging (averaging models fitted to bootstrap samples: less variance) and boosting (adding
weak models one after another, each fitted to what is still wrong: less bias).

A "learner" is fit_predict(x_train (N,), y_train (N,), x_eval (M,)) -> predictions (M,); the
data are y = sin(2 pi x) + noise from snippets.regularization.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from snippets.regularization import fit_polynomial, predict_polynomial, true_function

Learner = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def polynomial_learner(degree: int, lam: float = 0.0) -> Learner:
    """A learner fitting a degree-`degree` polynomial (L2 strength lam)."""
    return lambda x, y, x_eval: predict_polynomial(fit_polynomial(x, y, degree, lam), x_eval)


def simulate_bias_variance(learner: Learner, n_train: int = 25, trials: int = 300, noise: float = 0.3,
                           seed: int = 0) -> dict[str, float]:
    """Fits `learner` to `trials` fresh training sets and measures, averaged over x in [0, 1]:

    bias2 = (E[f^(x)] - f(x))^2, variance = E[(f^(x) - E[f^(x)])^2], noise = sigma^2, and
    mse = E[(f^(x) - y)^2] on fresh noisy targets, which equals bias2 + variance + noise up to
    simulation error. Returns these four numbers.

    E[f^(x)] is estimated by the mean of `trials` fits, which is off by variance / trials on
    average: squared, that error would add variance / trials to the bias (a floor of noise under
    a small bias). It is subtracted, with the unbiased variance, so bias2 estimates the bias alone.
    """
    rng = np.random.default_rng(seed)
    grid = np.linspace(0.02, 0.98, 60)
    predictions = np.empty((trials, grid.size))
    for trial in range(trials):
        x = rng.uniform(0, 1, n_train)
        predictions[trial] = learner(x, true_function(x) + rng.normal(0, noise, n_train), grid)
    mean = predictions.mean(axis=0)
    targets = true_function(grid) + rng.normal(0, noise, predictions.shape)
    squared_error_of_mean = predictions.var(axis=0, ddof=1) / trials
    return {"bias2": float(np.mean((mean - true_function(grid)) ** 2 - squared_error_of_mean)),
            "variance": float(np.mean(predictions.var(axis=0))),
            "noise": noise ** 2,
            "mse": float(np.mean((predictions - targets) ** 2))}


def bootstrap_sample(n: int, rng: np.random.Generator) -> np.ndarray:
    """n indices drawn from 0..n-1 with replacement (about 63% distinct)."""
    return rng.integers(0, n, n)


def bagging(learner: Learner, n_models: int = 25, seed: int = 0) -> Learner:
    """Bootstrap aggregating: the mean prediction of n_models copies of `learner`, each fitted to
    its own bootstrap sample of the training data."""
    def fit_predict(x: np.ndarray, y: np.ndarray, x_eval: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return np.mean([learner(x[idx], y[idx], x_eval)
                        for idx in (bootstrap_sample(len(x), rng) for _ in range(n_models))], axis=0)
    return fit_predict


def fit_stump(x: np.ndarray, residual: np.ndarray) -> tuple[float, float, float]:
    """The best one-split regression tree for residual (N,) over x (N,): (threshold, left, right)
    minimising the squared error, where the prediction is left for x <= threshold else right."""
    order = np.argsort(x)
    xs, rs = x[order], residual[order]
    n = len(xs)
    cumsum, cumsq = np.cumsum(rs), np.cumsum(rs ** 2)
    best = (np.inf, float(xs[-1]), float(rs.mean()), float(rs.mean()))
    for i in range(1, n):
        if xs[i] == xs[i - 1]:
            continue
        left_sum, right_sum = cumsum[i - 1], cumsum[-1] - cumsum[i - 1]
        sse = (cumsq[-1] - left_sum ** 2 / i - right_sum ** 2 / (n - i))
        if sse < best[0]:
            best = (sse, float((xs[i] + xs[i - 1]) / 2), left_sum / i, right_sum / (n - i))
    return best[1], best[2], best[3]


def fit_tree(x: np.ndarray, y: np.ndarray, depth: int, min_leaf: int = 2):
    """A regression tree on 1-D inputs, grown by best splits (fit_stump) to `depth` levels:
    a leaf is a float, a node is (threshold, left subtree, right subtree)."""
    if depth == 0 or len(x) < 2 * min_leaf or np.all(x == x[0]):
        return float(np.mean(y))
    threshold, _, _ = fit_stump(x, y)
    left = x <= threshold
    if left.sum() < min_leaf or (~left).sum() < min_leaf:
        return float(np.mean(y))
    return (threshold, fit_tree(x[left], y[left], depth - 1, min_leaf),
            fit_tree(x[~left], y[~left], depth - 1, min_leaf))


def predict_tree(tree, x: np.ndarray) -> np.ndarray:
    """The tree's prediction for each x (M,)."""
    x = np.asarray(x, dtype=float)
    if not isinstance(tree, tuple):
        return np.full(x.shape, tree)
    threshold, left, right = tree
    return np.where(x <= threshold, predict_tree(left, x), predict_tree(right, x))


def tree_learner(depth: int = 6, min_leaf: int = 1) -> Learner:
    """A learner growing a regression tree: deep trees have low bias and high variance."""
    return lambda x, y, x_eval: predict_tree(fit_tree(x, y, depth, min_leaf), x_eval)


def boosting(x: np.ndarray, y: np.ndarray, rounds: int = 50, learning_rate: float = 0.3
             ) -> list[tuple[float, float, float]]:
    """Gradient boosting for squared error with stumps: each round fits a stump to the current
    residual y - F(x) and adds learning_rate times it to F (starting from F = mean(y)).
    Returns the stumps; the first is the constant start (threshold inf)."""
    stumps = [(np.inf, float(np.mean(y)), float(np.mean(y)))]
    prediction = np.full(len(y), np.mean(y))
    for _ in range(rounds):
        threshold, left, right = fit_stump(x, y - prediction)
        stump = (threshold, learning_rate * left, learning_rate * right)
        stumps.append(stump)
        prediction += np.where(x <= threshold, stump[1], stump[2])
    return stumps


def predict_boosting(stumps: list[tuple[float, float, float]], x: np.ndarray,
                     rounds: int | None = None) -> np.ndarray:
    """F(x) after the first `rounds` stumps (all by default)."""
    x = np.asarray(x, dtype=float)
    used = stumps if rounds is None else stumps[:rounds + 1]
    return np.sum([np.where(x <= t, left, right) for t, left, right in used], axis=0)


def boosting_learner(rounds: int = 50, learning_rate: float = 0.3) -> Learner:
    """A learner wrapping `boosting`."""
    return lambda x, y, x_eval: predict_boosting(boosting(x, y, rounds, learning_rate), x_eval)


# --- figures ---------------------------------------------------------------------------------

def target_figure(seed: int = 0):
    """The dartboard picture of bias and variance: 2 x 2 targets, shots centred off the bull's-eye
    (bias) and spread out (variance)."""
    from matplotlib.patches import Circle

    from snippets.plotting import figure, finish

    rng = np.random.default_rng(seed)
    fig, axes = figure(ncols=2, nrows=2, figsize=(6.4, 6.4))
    for row, (bias, bias_name) in enumerate(((0.0, "낮은 편향"), (0.9, "높은 편향"))):
        for col, (spread, var_name) in enumerate(((0.18, "낮은 분산"), (0.6, "높은 분산"))):
            ax = axes[row, col]
            ax.grid(False)
            for radius, colour in zip((2.0, 1.5, 1.0, 0.5), ("#e3f2fd", "#90caf9", "#42a5f5", "#e91e63"),
                                      strict=True):
                ax.add_patch(Circle((0, 0), radius, color=colour))
            shots = rng.normal(0, spread, (12, 2)) + bias * np.array([np.cos(0.8), np.sin(0.8)])
            ax.plot(shots[:, 0], shots[:, 1], "o", color="#212121", ms=5, mec="white")
            ax.set(xlim=(-2.1, 2.1), ylim=(-2.1, 2.1), aspect="equal", xticks=[], yticks=[])
            ax.set_title(f"{bias_name} · {var_name}", fontsize=10)
    return finish(fig, "편향은 과녁 중심과의 거리, 분산은 탄착군의 퍼짐")


def tradeoff_figure(lams=(1.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7), degree: int = 9,
                    n_train: int = 15, noise: float = 0.3, trials: int = 300):
    """bias^2, variance, noise and their sum (the expected test error) of a degree-9 polynomial
    as its L2 penalty lam weakens (the model grows more complex to the right), every point
    measured by simulate_bias_variance on the same training sets: bias falls, variance rises,
    and the test error is a U."""
    from snippets.plotting import figure, finish, log_scale

    lams = list(lams)
    rows = [simulate_bias_variance(polynomial_learner(degree, lam), n_train=n_train, noise=noise,
                                   trials=trials) for lam in lams]
    fig, ax = figure(figsize=(8.2, 3.8))
    curves = (("bias2", "편향² (bias²)", "o-"), ("variance", "분산 (variance)", "s-"),
              ("noise", "노이즈 σ² (줄일 수 없음)", ":"), ("mse", "테스트 오차 (합)", "k-"))
    for key, label, style in curves:
        ax.plot(lams, [r[key] for r in rows], style, label=label, lw=2 if key == "mse" else 1.4)
    best = lams[int(np.argmin([r["mse"] for r in rows]))]
    ax.axvline(best, color="#9e9e9e", ls="--", lw=1)
    log_scale(ax)
    log_scale(ax, "x")
    ax.invert_xaxis()  # weaker penalty, more complex model: to the right
    ax.text(best, ax.get_ylim()[0] * 1.6, " 최적 복잡도", fontsize=8, color="#616161", ha="left")
    ax.set(xlabel=f"L2 규제 강도 λ ({degree}차 다항식, 오른쪽일수록 복잡)", ylabel="오차 (로그 축)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))  # beside: no curve under it
    return finish(fig, "편향-분산 트레이드오프: 오차 = 편향² + 분산 + 노이즈")


def bagging_figure(depth: int = 6, n: int = 30, n_models: int = 20, seed: int = 3, trials: int = 120):
    """Bagging: deep trees fitted to bootstrap samples (thin), their average (thick), next to the
    variance of one tree and of the bagged trees over many training sets."""
    from snippets.plotting import PALETTE, figure, finish
    from snippets.regularization import noisy_samples

    x, y = noisy_samples(n, noise=0.3, seed=seed)
    grid = np.linspace(0.02, 0.98, 200)
    rng = np.random.default_rng(seed)
    fig, (ax, ax_bar) = figure(ncols=2, figsize=(9.0, 3.6), gridspec_kw={"width_ratios": [2, 1]})
    single = tree_learner(depth)
    fits = []
    for i in range(n_models):
        idx = bootstrap_sample(n, rng)
        fits.append(single(x[idx], y[idx], grid))
        ax.plot(grid, fits[-1], color=PALETTE[0], alpha=0.25, lw=1,
                label="부트스트랩 모델" if i == 0 else None)
    ax.plot(grid, np.mean(fits, axis=0), color=PALETTE[1], lw=2.5, label="평균 (배깅)")
    ax.plot(grid, true_function(grid), "--", color="#424242", label="참 함수")
    ax.plot(x, y, "o", color="#212121", ms=4, label="학습 데이터")
    ax.set(ylim=(-2, 2), xlabel="x", ylabel="y", title=f"깊이 {depth} 트리 {n_models}개의 평균")
    ax.legend(fontsize=7, loc="lower left")
    one = simulate_bias_variance(single, n_train=n, trials=trials)
    bagged = simulate_bias_variance(bagging(single, n_models=n_models), n_train=n, trials=trials)
    ax_bar.bar(["트리 하나", "배깅"], [one["variance"], bagged["variance"]], color=[PALETTE[0], PALETTE[1]])
    ax_bar.set(ylabel="분산", title="학습 데이터가 바뀔 때의 분산")
    return finish(fig, "배깅: 복원 추출한 데이터로 여러 모델을 만들어 평균")


def boosting_figure(n: int = 60, rounds=(1, 3, 10, 60), learning_rate: float = 0.3, seed: int = 2):
    """Boosting: the ensemble after 1, 3, 10 and 60 stumps, each stump fitted to the residuals
    the previous ones left (shown as bars)."""
    from snippets.plotting import PALETTE, figure, finish
    from snippets.regularization import noisy_samples

    x, y = noisy_samples(n, noise=0.2, seed=seed)
    stumps = boosting(x, y, rounds=max(rounds), learning_rate=learning_rate)
    grid = np.linspace(0, 1, 400)
    fig, axes = figure(ncols=len(rounds), figsize=(2.6 * len(rounds), 3.2), sharey=True)
    for ax, r in zip(axes, rounds, strict=True):
        fitted = predict_boosting(stumps, x, r)
        ax.vlines(x, fitted, y, color=PALETTE[1], lw=1, alpha=0.7, label="남은 잔차")
        ax.plot(x, y, "o", color="#212121", ms=3)
        ax.plot(grid, predict_boosting(stumps, grid, r), color=PALETTE[0], lw=2, label="앙상블")
        ax.set(title=f"약한 모델 {r}개", xlabel="x", ylim=(-1.8, 1.8))
    axes[0].set_ylabel("y")
    axes[0].legend(fontsize=7, loc="lower left")
    return finish(fig, "부스팅: 다음 모델이 앞 모델들이 틀린 부분(잔차)을 학습")
