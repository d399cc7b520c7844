"""Figures of the RNN note: sequence models as diagrams, and the gradient measurements made
with snippets.rnn (how far back a gradient reaches in a plain RNN, an LSTM and a GRU)."""

from __future__ import annotations

import numpy as np

from snippets.drawing import HIGHLIGHT, arrow, blank, box, node
from snippets.plotting import PALETTE, figure, finish, log_scale
from snippets.rnn import bptt_gradient_norms, input_sensitivity

X_COLOUR, H_COLOUR, O_COLOUR, GATE_COLOUR = "#e3f2fd", "#e8eaf6", "#fff3e0", "#fce4ec"


def sequence_figure(length: int = 40, context: int = 8, seed: int = 0):
    """A sequence read one value at a time: predicting the next value needs what came before."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    x = np.sin(2 * np.pi * t / 14) + 0.4 * np.sin(2 * np.pi * t / 5) + rng.normal(0, 0.1, length)
    now = length - 6
    fig, ax = figure(figsize=(8.0, 3.4))
    ax.plot(t[:now + 1], x[:now + 1], "o-", color=PALETTE[0], ms=4, label="지금까지 들어온 값 $x_1, …, x_t$")
    ax.plot(t[now:], x[now:], "o:", color="#bdbdbd", ms=4, label="아직 모르는 미래")
    ax.axvspan(now - context + 0.5, now + 0.5, color=PALETTE[3], alpha=0.15, label="참고하는 과거 맥락")
    ax.plot(now + 1, x[now + 1], "*", color=PALETTE[1], ms=16, label="예측할 값 $x_{t+1}$")
    ax.annotate("?", (now + 1, x[now + 1]), xytext=(now + 2.2, x[now + 1] + 0.6), fontsize=16,
                color=PALETTE[1], arrowprops={"arrowstyle": "->", "color": PALETTE[1]})
    ax.set(xlabel="시간 t", ylabel="값 $x_t$")
    ax.legend(fontsize=8, loc="lower left", ncols=2)
    return finish(fig, "순차 데이터: 다음 값은 앞의 맥락 없이는 예측하기 어렵다")


def _chain(ax, n, y, labels, fill, radius=0.36):
    for i in range(n):
        node(ax, (i * 1.3, y), labels[i], fill=fill, radius=radius, fontsize=9)


def factorization_figure(steps: int = 7, tau: int = 2):
    """P(X_1..X_t) = prod_s P(X_s | X_{s-1}, ..., X_1): each value conditioned on all the past,
    versus on a fixed window of the last tau values."""
    fig, axes = figure(nrows=2, figsize=(8.0, 4.6))
    labels = [f"$X_{i + 1}$" for i in range(steps)]
    titles = ("모든 과거에 조건부: $P(X_t \\mid X_{t-1}, …, X_1)$ (곱 Π로 결합)",
              f"최근 τ={tau}개만: $P(X_t \\mid X_{{t-1}}, …, X_{{t-τ}})$ (먼 과거는 생략)")
    for row, ax in enumerate(axes):
        blank(ax, (-0.7, steps * 1.3), (-0.7, 1.9))
        _chain(ax, steps, 0, labels, X_COLOUR)
        target = steps - 1
        sources = range(target) if row == 0 else range(target - tau, target)
        for s in sources:
            arrow(ax, (s * 1.3, 0.3), (target * 1.3, 0.3), colour=PALETTE[1] if row else PALETTE[0],
                  rad=-0.35 - 0.02 * (target - s), shrink=8)
        ax.set_title(titles[row], fontsize=9.5)
    return finish(fig, "시퀀스의 확률 = 조건부확률의 곱")


def _unrolled(ax, steps, with_backward=False):
    """X_t at the bottom, H_t in the middle, O_t on top; H_{t-1} -> H_t with the shared W_H."""
    for t in range(steps):
        cx = 0.8 + t * 2.0
        node(ax, (cx, 0), f"$X_{t + 1}$", fill=X_COLOUR)
        node(ax, (cx, 1.6), f"$H_{t + 1}$", fill=H_COLOUR)
        node(ax, (cx, 3.2), f"$O_{t + 1}$", fill=O_COLOUR)
        arrow(ax, (cx, 0), (cx, 1.6), text="$W_X$", side=-1)  # left: the backward arrows run right
        arrow(ax, (cx, 1.6), (cx, 3.2), text="$W_O$", side=-1)
        arrow(ax, (cx - 2.0 if t else -0.9, 1.6), (cx, 1.6), text="$W_H$")
        if with_backward:
            node(ax, (cx, 4.5), f"$L_{t + 1}$", fill="#ffebee", radius=0.3, fontsize=8)
            arrow(ax, (cx + 0.25, 4.5), (cx + 0.25, 3.2), colour=PALETTE[1], lw=1.6, shrink=10)
            arrow(ax, (cx + 0.25, 3.2), (cx + 0.25, 1.6), colour=PALETTE[1], lw=1.6, shrink=12)
            if t:
                arrow(ax, (cx, 1.3), (cx - 2.0, 1.3), colour=PALETTE[1], lw=1.6, rad=0.0)
    ax.text(-0.9, 1.6, "$H_0$", ha="center", va="center", fontsize=9)


def unrolled_figure(steps: int = 4):
    """The RNN computation unrolled in time: the same W_X, W_H, W_O at every step."""
    fig, ax = figure(figsize=(8.0, 3.8))
    blank(ax, (-1.4, steps * 2.0 + 0.2), (-0.8, 4.2))
    _unrolled(ax, steps)
    ax.text(steps * 1.0 - 0.2, -0.75,
            "$H_t = \\tanh(X_t W_X + H_{t-1} W_H + b)$,   $O_t = H_t W_O + c$"
            "   (모든 시점이 같은 가중치 공유)",
            ha="center", fontsize=9)
    return finish(fig, "시간 순으로 펼친 RNN")


def bptt_figure(steps: int = 30, hidden: int = 16, scales=(0.15, 0.25, 0.5), seed: int = 0,
                input_scale: float = 0.1):
    """BPTT: gradients flow back through every step (left); measured with rnn_backward, the
    gradient reaching H_t from a loss at the last step shrinks or grows geometrically (right):
    it vanishes when W_H's spectral radius is below 1 and explodes above it, as long as the
    inputs are small enough that tanh does not saturate (saturation, 1 - H^2 near 0, makes
    every gradient vanish)."""
    fig, (ax_graph, ax_norm) = figure(ncols=2, figsize=(10.0, 4.0), gridspec_kw={"width_ratios": [1.2, 1]})
    blank(ax_graph, (-1.4, 3 * 2.0 + 0.2), (-0.8, 5.0))
    _unrolled(ax_graph, 3, with_backward=True)
    ax_graph.set_title("빨간 화살표: 손실의 기울기가 시간을 거슬러 전달", fontsize=9.5)
    for colour, scale in zip(PALETTE, scales, strict=False):
        norms, spectral = bptt_gradient_norms(steps, hidden, scale, seed, input_scale)
        ax_norm.plot(np.arange(1, steps + 1), norms, color=colour,
                     label=f"$W_H$ 스펙트럼 반경 {spectral:.1f}")
    log_scale(ax_norm)
    ax_norm.set(xlabel="시점 t (손실은 마지막 시점)", ylabel="‖∂L/∂$X_t$‖ (로그 축)",
                title="BPTT로 잰 기울기 크기")
    ax_norm.legend(fontsize=8)
    return finish(fig, "BPTT: RNN의 역전파 = 시간으로 펼친 그래프의 역전파")


def latent_autoregressive_figure(steps: int = 6, tau: int = 3):
    """An autoregressive model reads a fixed window of raw past values; a latent autoregressive
    model carries one summary H_t of the whole past forward."""
    fig, axes = figure(nrows=2, figsize=(8.4, 5.2))
    ax_ar, ax_latent = axes
    blank(ax_ar, (-0.8, steps * 1.3 + 0.6), (-0.7, 1.9))
    _chain(ax_ar, steps, 0, [f"$x_{i + 1}$" for i in range(steps)], X_COLOUR)
    predict = steps * 1.3 - 0.1
    node(ax_ar, (predict, 1.3), "$\\hat x_{t+1}$", fill=O_COLOUR, fontsize=8)
    for s in range(steps - tau, steps):
        arrow(ax_ar, (s * 1.3, 0), (predict, 1.3), colour=PALETTE[0])
    ax_ar.set_title(f"자기회귀 모델 AR(τ={tau}): 최근 τ개의 원본 값만 본다", fontsize=9.5)
    blank(ax_latent, (-0.8, steps * 1.3 + 0.6), (-0.7, 2.6))
    for i in range(steps):
        cx = i * 1.3
        node(ax_latent, (cx, 0), f"$x_{i + 1}$", fill=X_COLOUR)
        node(ax_latent, (cx, 1.4), f"$H_{i + 1}$", fill=H_COLOUR, fontsize=8)
        arrow(ax_latent, (cx, 0), (cx, 1.4))
        if i:
            arrow(ax_latent, (cx - 1.3, 1.4), (cx, 1.4), colour=PALETTE[1])
    node(ax_latent, (predict, 1.4), "$\\hat x_{t+1}$", fill=O_COLOUR, fontsize=8)
    arrow(ax_latent, ((steps - 1) * 1.3, 1.4), (predict, 1.4), colour=PALETTE[0])
    ax_latent.text(steps * 0.65 - 0.4, 2.3,
                   "$H_t = g(H_{t-1}, x_t)$: 과거 전체를 요약한 잠재 상태 하나만 넘긴다",
                   ha="center", fontsize=9)
    ax_latent.set_title("잠재 자기회귀 모델 (Latent autoregressive)", fontsize=9.5)
    return finish(fig, "과거를 몇 개만 볼 것인가, 요약해서 볼 것인가")


def rolled_unrolled_figure(steps: int = 4):
    """The RNN drawn as a cell with a loop back to itself, and the same cell unrolled in time."""
    fig, ax = figure(figsize=(9.4, 3.8))
    blank(ax, (-0.6, 3.2 + steps * 1.8), (-0.9, 3.8))
    for t, cx in [(None, 0.6), *((t, 3.3 + t * 1.8) for t in range(steps))]:
        sub = "t" if t is None else str(t)
        node(ax, (cx, 0), f"$x_{sub}$", fill=X_COLOUR)
        box(ax, (cx, 1.6), 1.0, 0.8, "RNN", fill=H_COLOUR)
        node(ax, (cx, 3.1), f"$h_{sub}$", fill=O_COLOUR)
        arrow(ax, (cx, 0.38), (cx, 1.2), shrink=1)
        arrow(ax, (cx, 2.0), (cx, 2.72), shrink=1)
        if t:
            arrow(ax, (cx - 1.3, 1.6), (cx - 0.5, 1.6), colour=PALETTE[1], shrink=1, lw=1.6)
    arrow(ax, (1.1, 1.8), (1.1, 1.4), colour=PALETTE[1], lw=1.6, rad=-2.6, shrink=2, head=10, zorder=3)
    ax.text(1.75, 2.25, "자기 자신으로", ha="left", fontsize=8, color=PALETTE[1])
    ax.text(2.5, 1.6, "=", fontsize=18, ha="center", va="center")
    ax.text(3.3 + steps * 1.8 - 0.6, -0.75, "같은 셀(같은 가중치)을 시간 순으로 펼친 것", ha="right",
            fontsize=9)
    return finish(fig, "되먹임 구조의 RNN과 시간 순으로 펼친 RNN")


def long_term_figure(steps: int = 40, hidden: int = 16, seed: int = 0):
    """How much the last state still depends on each earlier input, measured by the real
    backward passes: a plain RNN forgets geometrically, gated cells keep far more."""
    fig, ax = figure(figsize=(7.4, 3.8))
    # The gated cells get the same initialisation that keeps memory by default: +3 on the bias
    # of the LSTM's forget gate and of the GRU's update gate.
    curves = (("rnn", "RNN", {"scale": 0.25}),
              ("gru", "GRU (업데이트 게이트 편향 +3)", {"scale": 0.25, "keep_bias": 3.0}),
              ("lstm", "LSTM (망각 게이트 편향 +3)", {"scale": 0.25, "keep_bias": 3.0}))
    distance = np.arange(steps)[::-1]
    for colour, (kind, label, kwargs) in zip(PALETTE, curves, strict=False):
        sensitivity = input_sensitivity(kind, steps, hidden, seed=seed, **kwargs)
        ax.plot(distance, sensitivity / sensitivity[-1], color=colour, lw=2, label=label)
    log_scale(ax)
    ax.set(xlabel="입력이 들어온 뒤 지난 시간 (T - t)", ylabel="‖∂$h_T$/∂$x_t$‖ (상대값, 로그 축)",
           ylim=(1e-12, 10))
    ax.invert_xaxis()
    ax.legend(fontsize=8)
    return finish(fig, "먼 과거의 입력이 마지막 상태에 남기는 영향")


def _op(ax, x, y, symbol):
    node(ax, (x, y), symbol, fill="#ffffff", radius=0.2, fontsize=10)


def lstm_cell_figure():
    """The LSTM cell: the cell state runs along the top; the forget gate erases part of it, the
    input gate writes part of a new candidate, the output gate reads it out."""
    fig, ax = figure(figsize=(9.4, 4.8))
    blank(ax, (-1.6, 11.4), (-1.2, 5.2))
    box(ax, (4.2, 1.9), 9.6, 4.9, fill="#fafafa", edge="#b0bec5", zorder=0)
    top, gate_y = 3.8, 1.0
    ax.text(-1.2, top, "$C_{t-1}$", fontsize=11, va="center")
    ax.text(10.0, top, "$C_t$", fontsize=11, va="center")
    ax.plot([-0.4, 9.8], [top, top], color="#455a64", lw=2.2, zorder=1)
    _op(ax, 1.5, top, "×")
    _op(ax, 4.5, top, "+")
    gates = [(1.5, "σ", "망각 $f$"), (3.2, "σ", "입력 $i$"), (4.5, "tanh", "후보 $g$"),
             (6.5, "σ", "출력 $o$")]
    for gx, fn, name in gates:
        box(ax, (gx, gate_y), 0.9, 0.6, fn, fill=GATE_COLOUR, fontsize=10)
        ax.text(gx + 0.1, gate_y - 0.45, name, ha="left", va="top", fontsize=8.5)  # beside its line
        ax.plot([gx, gx], [-0.15, gate_y - 0.3], color="#90a4ae", lw=1, zorder=1)
    ax.plot([-0.4, 6.5], [-0.15, -0.15], color="#90a4ae", lw=1.2, zorder=1)
    ax.text(-1.2, -0.15, "$h_{t-1}$, $x_t$", fontsize=10, va="center")
    arrow(ax, (1.5, gate_y), (1.5, top), shrink=14)
    _op(ax, 3.85, 2.4, "×")
    arrow(ax, (3.2, gate_y), (3.85, 2.4), shrink=12)
    arrow(ax, (4.5, gate_y), (3.85, 2.4), shrink=12)
    arrow(ax, (3.85, 2.4), (4.5, top), shrink=8)
    box(ax, (7.8, 2.9), 0.9, 0.5, "tanh", fill="#e8f5e9", fontsize=9)
    arrow(ax, (7.8, top), (7.8, 2.9), shrink=8)
    _op(ax, 7.8, 1.0, "×")
    arrow(ax, (7.8, 2.9), (7.8, 1.0), shrink=8)
    arrow(ax, (6.5, gate_y), (7.8, 1.0), shrink=12)
    arrow(ax, (7.8, 1.0), (10.0, 1.0), shrink=6)
    ax.text(10.1, 1.0, "$h_t$", fontsize=11, va="center")
    ax.text(4.2, 4.75, "$C_t = f \\odot C_{t-1} + i \\odot g$,    $h_t = o \\odot \\tanh(C_t)$",
            ha="center", fontsize=10)
    ax.text(1.5, top + 0.35, "지우기", ha="center", fontsize=8, color=PALETTE[1])
    ax.text(4.5, top + 0.35, "쓰기", ha="center", fontsize=8, color=PALETTE[1])
    ax.text(7.8, top + 0.35, "읽기", ha="center", fontsize=8, color=PALETTE[1])
    return finish(fig, "LSTM 셀: 게이트가 무엇을 지우고, 쓰고, 읽을지 정한다")


def gru_cell_figure():
    """The GRU cell: one update gate z blends the old state and a candidate; a reset gate r
    decides how much of the old state the candidate sees; no separate cell state."""
    fig, ax = figure(figsize=(9.4, 4.6))
    blank(ax, (-1.6, 11.4), (-1.2, 5.0))
    box(ax, (4.4, 1.9), 9.6, 4.6, fill="#fafafa", edge="#b0bec5", zorder=0)
    top = 3.6
    ax.text(-1.2, top, "$h_{t-1}$", fontsize=11, va="center")
    ax.plot([-0.4, 9.8], [top, top], color="#455a64", lw=2.2, zorder=1)
    ax.text(10.0, top, "$h_t$", fontsize=11, va="center")
    _op(ax, 3.0, top, "×")
    _op(ax, 7.0, top, "+")
    gates = [(1.2, "σ", "리셋 $r$"), (3.0, "σ", "업데이트 $z$"), (5.6, "tanh", "후보 $n$")]
    for gx, fn, name in gates:
        box(ax, (gx, 1.0), 0.9, 0.6, fn, fill=GATE_COLOUR, fontsize=10)
        ax.text(gx + 0.55, 0.45, name, ha="left", va="top", fontsize=8.5)
    # Both gates read h_{t-1} and x_t; the candidate reads x_t and the reset state r * h_{t-1}.
    bus, x_line = -0.15, -0.75
    ax.plot([-0.1, -0.1], [top, bus], color="#90a4ae", lw=1.2, zorder=1)
    ax.plot([-0.1, 3.0], [bus, bus], color="#90a4ae", lw=1.2, zorder=1)
    ax.plot([-0.4, 5.6], [x_line, x_line], color="#90a4ae", lw=1.2, zorder=1)
    ax.plot([0.4, 0.4], [x_line, bus], color="#90a4ae", lw=1.2, zorder=1)
    for gx in (1.2, 3.0):
        ax.plot([gx, gx], [bus, 0.7], color="#90a4ae", lw=1, zorder=1)
    ax.plot([5.6, 5.6], [x_line, 0.7], color="#90a4ae", lw=1, zorder=1)
    ax.text(-1.2, x_line, "$x_t$", fontsize=10, va="center")
    ax.text(-0.0, bus + 0.12, "$h_{t-1}, x_t$", fontsize=8, va="bottom", ha="left", color="#607d8b")
    _op(ax, 1.2, 2.3, "×")
    arrow(ax, (1.2, 1.0), (1.2, 2.3), shrink=10)
    arrow(ax, (1.2, top), (1.2, 2.3), shrink=10)
    arrow(ax, (1.2, 2.3), (5.6, 1.0), shrink=10)
    ax.text(3.9, 1.85, "$r \\odot h_{t-1}$", fontsize=8, ha="left", va="bottom", color="#455a64")
    arrow(ax, (3.0, 1.0), (3.0, top), shrink=12)
    ax.text(2.85, 2.7, "$z$", fontsize=9, ha="right", va="center", color="#455a64")
    _op(ax, 6.3, 2.3, "×")
    arrow(ax, (5.6, 1.0), (6.3, 2.3), shrink=10)
    ax.text(6.65, 2.0, "$1 - z$", fontsize=9, color=PALETTE[1], va="top")
    arrow(ax, (6.3, 2.3), (7.0, top), shrink=8)
    arrow(ax, (3.0, top), (7.0, top), shrink=10)
    ax.text(4.4, 4.55, "$h_t = (1 - z) \\odot n + z \\odot h_{t-1}$,   "
            "$n = \\tanh(x_t W_n + (r \\odot h_{t-1}) U_n)$", ha="center", fontsize=9.5)
    ax.text(8.6, 1.6, "LSTM과 달리\n셀 상태 없이 h 하나,\n망각·입력 게이트를\n업데이트 게이트 z\n하나로",
            ha="center", fontsize=8.5, color="#616161",
            bbox={"facecolor": HIGHLIGHT, "alpha": 0.3, "edgecolor": "none"})
    return finish(fig, "GRU 셀: 업데이트 게이트 하나와 리셋 게이트")
