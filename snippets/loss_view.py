"""What the two standard losses measure: the L2 loss, the spread (variance) of the prediction
errors in regression; cross-entropy, the uncertainty of the predicted class distribution."""

from __future__ import annotations

import numpy as np


def loss_measures_figure(seed: int = 0):
    """Left: two regression models' errors y - ŷ as histograms: the one with the smaller L2 loss has
    the narrower error distribution. Right: cross-entropy -log q(y) of the true class against the
    predicted probability q(y), and three predicted distributions (true class first) marked at
    their own cross-entropy, which the legend gives. (Their entropy H(q) is another number: it
    equals the cross-entropy only for the uniform prediction.)"""
    from snippets.plotting import PALETTE, figure, finish

    rng = np.random.default_rng(seed)
    fig, (left, right) = figure(ncols=2)
    for scale, color, name in ((0.4, PALETTE[0], "모델 A"), (1.2, PALETTE[1], "모델 B")):
        errors = rng.normal(0, scale, 2000)
        left.hist(errors, bins=50, density=True, alpha=0.5, color=color,
                  label=f"{name}: L2 = {np.mean(errors ** 2):.2f}")
    left.set(title="회귀: L2 손실 = 오차의 분산", xlabel="예측 오차 $y - \\hat{y}$", ylabel="밀도")
    left.legend(fontsize=8)
    q = np.linspace(0.01, 1, 300)
    right.plot(q, -np.log(q), color=PALETTE[2], label="$-\\log q$(정답)")
    for p in ((0.9, 0.05, 0.05), (0.5, 0.3, 0.2), (1 / 3, 1 / 3, 1 / 3)):
        shown = ", ".join(f"{v:.2f}" for v in p)
        right.plot(p[0], -np.log(p[0]), "o", ms=6, label=f"q = ({shown}): 손실 {-np.log(p[0]):.2f}")
    right.set(title="분류: 교차 엔트로피 = $-\\log q$(정답)", xlabel="정답 클래스의 예측 확률 q",
              ylabel="손실")
    right.legend(fontsize=7.5)
    return finish(fig, "손실함수가 측정하는 것: 분산과 불확실성")
