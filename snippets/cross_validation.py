"""k-fold cross-validation: every sample is used for validation exactly once.

Shapes: x (N, ...) and y (N,) index along their first axis; folds are index arrays.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def k_fold_indices(n_samples: int, k: int, shuffle: bool = True,
                   seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """k (train, validation) index pairs: the validation parts are disjoint, cover 0..N-1, and
    differ in size by at most one; each train part is everything else."""
    if not 2 <= k <= n_samples:
        raise ValueError(f"k must be between 2 and the number of samples ({n_samples}), got {k}")
    order = np.random.default_rng(seed).permutation(n_samples) if shuffle else np.arange(n_samples)
    folds = np.array_split(order, k)
    return [(np.concatenate(folds[:i] + folds[i + 1:]), folds[i]) for i in range(k)]


def cross_val_scores(fit: Callable, score: Callable, x: np.ndarray, y: np.ndarray, k: int = 5,
                     seed: int = 0) -> np.ndarray:
    """score(fit(x_train, y_train), x_val, y_val) for each of the k folds: shape (k,).

    Their mean is the cross-validation estimate of the model's performance.
    """
    return np.array([score(fit(x[train], y[train]), x[val], y[val])
                     for train, val in k_fold_indices(len(x), k, seed=seed)])


def k_fold_figure(k: int = 5, degree: int = 3, n: int = 40, seed: int = 0):
    """The k rounds of k-fold CV as bars (validation fold highlighted, the test set kept aside),
    each labelled with its real validation error for a polynomial fit."""
    import matplotlib.patches as patches

    from snippets.plotting import PALETTE, figure, finish
    from snippets.regularization import fit_polynomial, noisy_samples, predict_polynomial

    x, y = noisy_samples(n, seed=seed)
    scores = cross_val_scores(lambda xs, ys: fit_polynomial(xs, ys, degree),
                              lambda w, xs, ys: float(np.mean((predict_polynomial(w, xs) - ys) ** 2)),
                              x, y, k=k, seed=seed)
    fig, ax = figure(figsize=(8.5, 0.55 * k + 1.6))
    ax.grid(False)
    ax.spines[:].set_visible(False)
    train_colour, val_colour, test_colour = "#c5cae9", PALETTE[1], "#9e9e9e"
    for row in range(k):
        yy = k - 1 - row
        for part in range(k):
            colour = val_colour if part == row else train_colour
            ax.add_patch(patches.Rectangle((part, yy + 0.15), 0.96, 0.7, color=colour))
        ax.add_patch(patches.Rectangle((k + 0.3, yy + 0.15), 0.9, 0.7, color=test_colour))
        ax.text(-0.15, yy + 0.5, f"{row + 1}번째 반복", ha="right", va="center")
        ax.text(k + 1.45, yy + 0.5, f"검증 MSE {scores[row]:.3f}", va="center", fontsize=9)
    ax.text(k + 1.45, -0.45, f"평균(CV) {scores.mean():.3f}", va="center", fontsize=9, weight="bold")
    ax.text(k + 0.75, k + 0.2, "테스트\n(사용 금지)", ha="center", va="bottom", fontsize=8)
    ax.set(xlim=(-1.6, k + 3.4), ylim=(-0.9, k + 0.9), xticks=[], yticks=[])
    handles = [patches.Patch(color=c, label=t) for c, t in
               ((train_colour, "학습 fold"), (val_colour, "검증 fold"), (test_colour, "테스트 데이터"))]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.4, 0.0), ncols=3, frameon=False)
    return finish(fig, f"{k}-fold 교차 검증: 검증 fold를 바꿔 가며 {k}번 학습")
