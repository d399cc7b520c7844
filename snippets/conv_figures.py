"""Figures of the CNN note: every number drawn is computed by snippets.conv (the sliding windows,
their outputs, the gradients, the output sizes and parameter counts)."""

from __future__ import annotations

import numpy as np

from snippets.conv import (
    conv1d,
    conv1d_backward,
    conv2d,
    conv2d_backward,
    dense_param_count,
    max_pool2d,
    output_size,
    param_count,
)
from snippets.drawing import HIGHLIGHT, INK, arrow, blank, box, cells, node, outline
from snippets.gradient_check import numerical_gradient
from snippets.plotting import PALETTE, figure, finish

KERNEL_COLOURS = (PALETTE[0], PALETTE[1], PALETTE[2])


def dense_figure(rows: int = 4, cols: int = 6, row: int = 1, seed: int = 0):
    """A fully connected layer: row i of W times x gives h_i; one weight per (input, output) pair."""
    rng = np.random.default_rng(seed)
    w, x = rng.integers(-2, 3, (rows, cols)), rng.integers(0, 4, cols)
    h = w @ x
    fig, ax = figure(figsize=(8.0, 4.2))
    blank(ax, (-0.5, cols + 7.5), (-cols - 1.8, 1.6))
    cells(ax, w, (0, 0), highlight=[(row, c) for c in range(cols)], label=f"가중치 W ({rows}×{cols})")
    ax.text(cols + 0.7, -rows / 2, "×", fontsize=16, ha="center", va="center")
    cells(ax, x[:, None], (cols + 1.5, 0), label="입력 x")
    ax.text(cols + 3.3, -rows / 2, "=", fontsize=16, ha="center", va="center")
    cells(ax, h[:, None], (cols + 4.1, 0), highlight=[(row, 0)], label="z = Wx")
    arrow(ax, (cols + 5.2, -row - 0.5), (cols + 6.6, -row - 0.5), text="σ", fontsize=11)
    ax.text(cols + 7.0, -row - 0.5, f"$h_{row + 1}$", fontsize=12, va="center")
    ax.text((cols + 6) / 2, -cols - 0.9,
            f"$h_{row + 1} = \\sigma(W_{row + 1} \\cdot x)$ = σ({h[row]}):  "
            f"W의 {row + 1}번째 행 전체가 출력 하나에 쓰인다\n"
            f"파라미터 수 = {rows} × {cols} = {dense_param_count(cols, rows, bias=False)}개"
            " (출력 행마다 자기 가중치 한 줄이 필요)", ha="center", va="center", fontsize=9)
    return finish(fig, "완전연결층: 출력마다 가중치 행이 따로 있다")


def signal_figure(length: int = 200, seed: int = 0):
    """Convolution as filtering: one noisy signal and the same signal after a smoothing kernel and
    after a difference (edge) kernel."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, length)
    signal = np.sin(2 * np.pi * 2 * t) + (t > 0.55) * 1.5 + rng.normal(0, 0.25, length)
    smooth = np.exp(-0.5 * (np.arange(-7, 8) / 3.0) ** 2)
    smooth /= smooth.sum()
    edge = np.array([-1.0, 0.0, 1.0]) / 2
    fig, axes = figure(nrows=3, figsize=(7.5, 6.2), sharex=True)
    outputs = [(signal, "입력 신호 x", "#607d8b", None),
               (conv1d(signal[None, None], smooth[None, None], padding=7)[0, 0],
                "평균(가우시안) 커널: 잡음은 감소", PALETTE[0], smooth),
               (conv1d(signal[None, None], edge[None, None], padding=1)[0, 0],
                "차분 커널 [-1, 0, 1]/2: 급변하는 곳을 증폭", PALETTE[1], edge)]
    for ax, (values, title, colour, kernel) in zip(axes, outputs, strict=True):
        ax.plot(t, values, color=colour, lw=1.4)
        ax.set_title(title, fontsize=10, loc="left")
        ax.set_ylabel("값")
        if kernel is not None:
            inset = ax.inset_axes((0.86, 0.55, 0.12, 0.4))
            inset.bar(range(len(kernel)), kernel, color=colour)
            inset.set(xticks=[], yticks=[], title="커널")
            inset.title.set_fontsize(7)
    axes[-1].set_xlabel("위치 (시간)")
    return finish(fig, "Convolution: 커널로 신호를 국소적으로 증폭·감소(필터링)")


def sliding_1d_figure(x=(1, 2, 0, 3, 1, 2, 1), w=(1, 0, -1), positions=(0, 1, 4)):
    """The kernel moving one cell at a time along the input vector; each position gives one output."""
    x, w = np.array(x, dtype=float), np.array(w, dtype=float)
    out = conv1d(x[None, None], w[None, None])[0, 0]
    k, n = len(w), len(x)
    fig, ax = figure(figsize=(8.6, 1.75 * len(positions) + 0.9))
    height = 3.2
    blank(ax, (-1.6, n + out.size + 3.3), (-height * len(positions) + 0.3, 1.4))
    for r, p in enumerate(positions):
        top = -r * height
        cells(ax, x, (0, top), highlight=range(p, p + k), label="입력 x" if r == 0 else None)
        outline(ax, (p, top), k, 1)
        cells(ax, w, (p, top - 1.25), fill="#fce4ec", fontsize=8)
        ax.text(p - 0.15, top - 1.75, "w", ha="right", va="center", fontsize=9, color=PALETTE[1])
        arrow(ax, (n + 0.2, top - 0.5), (n + 1.8, top - 0.5))
        shown = np.where(np.arange(out.size) <= p, out, np.nan)
        cells(ax, shown, (n + 2, top), highlight=[p], fmt="", label="출력" if r == 0 else None)
        for i in range(p + 1):
            ax.text(n + 2.5 + i, top - 0.5, f"{out[i]:g}", ha="center", va="center", fontsize=9)
        terms = " + ".join(f"{x[p + j]:g}·({w[j]:g})" if w[j] < 0 else f"{x[p + j]:g}·{w[j]:g}"
                           for j in range(k))
        ax.text(n + 2, top - 1.6, f"$o_{p + 1}$ = {terms} = {out[p]:g}", fontsize=8.5, va="center")
    return finish(fig, "1차원 Convolution: 커널이 한 칸씩 움직이며 내적")


def sliding_2d_figure(seed: int = 3, positions=((0, 0), (1, 2))):
    """A 3x3 kernel over a 5x5 input: the highlighted window gives the highlighted output."""
    rng = np.random.default_rng(seed)
    x, w = rng.integers(0, 4, (5, 5)).astype(float), np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], float)
    out = conv2d(x[None, None], w[None, None])[0, 0]
    fig, axes = figure(nrows=len(positions), figsize=(7.6, 3.0 * len(positions)))
    for ax, (p, q) in zip(np.atleast_1d(axes), positions, strict=True):
        blank(ax, (-0.3, 14.5), (-5.4, 1.1))
        window = [(p + i, q + j) for i in range(3) for j in range(3)]
        cells(ax, x, (0, 0), highlight=window, label="입력 (5×5)")
        outline(ax, (q, -p), 3, 3)
        ax.text(5.6, -2.5, "$\\star$", fontsize=18, ha="center", va="center")
        cells(ax, w, (6.3, -1), fill="#fce4ec", label="커널 (3×3)")
        ax.text(9.9, -2.5, "=", fontsize=16, ha="center", va="center")
        cells(ax, out, (10.6, -1), highlight=[(p, q)], label="출력 (3×3)")
        ax.text(10.6, -4.6, f"위치 ({p + 1}, {q + 1}): 창 안의 9개 곱의 합 = {out[p, q]:g}", fontsize=8.5)
    return finish(fig, "2차원 Convolution: 커널이 입력 위를 미끄러지며 출력 한 칸씩 계산")


def multichannel_figure(seed: int = 1, channels: int = 3):
    """A multi-channel (3-D tensor) input: each channel has its own kernel slice, and the
    per-channel results are summed into one output channel."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, (channels, 5, 5)).astype(float)
    w = rng.integers(-1, 2, (channels, 3, 3)).astype(float)
    partial = [conv2d(x[None, c:c + 1], w[None, c:c + 1])[0, 0] for c in range(channels)]
    total = conv2d(x[None], w[None])[0, 0]
    assert np.allclose(total, sum(partial))
    fig, ax = figure(figsize=(9.2, 6.4))
    row_height = 6.2
    blank(ax, (-2.2, 21.5), (-row_height * channels + 0.4, 1.4))
    names = ("채널 1 (R)", "채널 2 (G)", "채널 3 (B)")
    tints = ("#ffcdd2", "#c8e6c9", "#bbdefb")
    for c in range(channels):
        top = -c * row_height
        cells(ax, x[c], (0, top), fill=tints[c % 3], fontsize=8, label="입력" if c == 0 else None)
        ax.text(-0.4, top - 2.5, names[c % 3], ha="right", va="center", fontsize=9, rotation=90)
        ax.text(5.7, top - 2.5, "$\\star$", fontsize=16, ha="center", va="center")
        cells(ax, w[c], (6.4, top - 1), fill="#fce4ec", fontsize=8, label="커널 조각" if c == 0 else None)
        ax.text(10.0, top - 2.5, "=", fontsize=14, ha="center", va="center")
        cells(ax, partial[c], (10.7, top - 1), fontsize=8, label="채널별 결과" if c == 0 else None)
        arrow(ax, (14.0, top - 2.5), (16.2, -row_height * (channels - 1) / 2 - 2.5), colour="#90a4ae")
    mid = -row_height * (channels - 1) / 2
    ax.text(18.3, mid + 1.3, "합 Σ", fontsize=11, ha="center", va="center")
    cells(ax, total, (16.8, mid - 1), fill=HIGHLIGHT, fontsize=8, label="출력 1채널")
    ax.text(18.3, mid - 4.7, f"입력 {channels}×5×5, 커널 {channels}×3×3\n$\\rightarrow$ 출력 1×3×3\n"
            "커널을 O개 쓰면\n출력 채널도 O개", ha="center", va="top", fontsize=8.5)
    return finish(fig, "채널이 여러 개인 2차원 입력(3차원 텐서)의 Convolution")


def derivative_figure():
    """d/dx (f * g) = f * (dg/dx): differentiating a convolution is convolving with the derivative."""
    t = np.linspace(-4, 4, 801)
    dt = t[1] - t[0]
    f = (np.abs(t + 1) < 1).astype(float) + 0.6 * np.exp(-((t - 1.8) ** 2) / 0.1)
    g = np.exp(-(t ** 2) / 0.5)
    dg = np.gradient(g, dt)
    conv = np.convolve(f, g, mode="same") * dt
    fig, (ax_in, ax_out) = figure(ncols=2, figsize=(9.0, 3.5))
    ax_in.plot(t, f, label="신호 f")
    ax_in.plot(t, g, label="커널 g")
    ax_in.plot(t, dg, "--", label="커널의 미분 g′")
    ax_in.set(xlabel="x", ylabel="값", title="신호와 커널")
    ax_in.legend(fontsize=8)
    ax_out.plot(t, conv, color="#9e9e9e", label="f * g")
    ax_out.plot(t, np.gradient(conv, dt), color=PALETTE[0], lw=3, alpha=0.5, label="(f * g)′ (직접 미분)")
    ax_out.plot(t, np.convolve(f, dg, mode="same") * dt, "--", color=PALETTE[1], label="f * g′")
    ax_out.set(xlabel="x", title="두 곡선이 겹친다")
    ax_out.legend(fontsize=8)
    return finish(fig, r"Convolution의 미분도 Convolution: $\frac{d}{dx}(f*g) = f*\frac{dg}{dx}$")


def backward_2d_figure(seed: int = 0):
    """The backward pass of a 2-D convolution, computed two ways: as convolutions (dx: delta with
    the flipped kernel, full; dw: input with delta) and by numerical differentiation."""
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=(1, 1, 6, 6)), rng.normal(size=(1, 1, 3, 3))
    delta = rng.normal(size=(1, 1, 4, 4))
    dx, dw, _ = conv2d_backward(delta, x, w)
    loss = lambda: float(np.sum(conv2d(x, w) * delta))  # noqa: E731
    rows = [("입력 기울기", [(delta, "δ = ∂L/∂o (4×4)"), (w[:, :, ::-1, ::-1], "180° 뒤집은 커널"),
                          (dx, "∂L/∂x = full(δ $\\star$ 뒤집은 w)"),
                          (numerical_gradient(loss, x), "수치 미분")]),
            ("커널 기울기", [(x, "입력 x (6×6)"), (delta, "δ (4×4)"), (dw, "∂L/∂w = x $\\star$ δ"),
                          (numerical_gradient(loss, w), "수치 미분")])]
    fig, axes = figure(ncols=4, nrows=2, figsize=(10.0, 5.6))
    for r, (name, panels) in enumerate(rows):
        for c, (value, title) in enumerate(panels):
            ax = axes[r, c]
            ax.grid(False)
            ax.imshow(value[0, 0], cmap="RdBu_r", vmin=-np.abs(value).max(), vmax=np.abs(value).max())
            ax.set(xticks=[], yticks=[])
            ax.set_title(title, fontsize=9)
        axes[r, 0].set_ylabel(name)
    return finish(fig, "역전파도 Convolution: 두 방법의 결과가 같다")


def _conv_graph(ax, x, w, delta, edges_focus=None, focus_colour=PALETTE[3], show_delta=False):
    """Inputs x1..xn at the bottom, outputs o1..om on top, an edge x_{i+j} -> o_i per weight w_j
    (coloured by j); edges in edges_focus (pairs (i, j)) drawn thick."""
    n, k = len(x), len(w)
    m = n - k + 1
    blank(ax, (-0.8, n + 0.2), (-0.9, 3.4))
    for i in range(m):
        for j in range(k):
            focused = edges_focus is not None and (i, j) in edges_focus
            colour = KERNEL_COLOURS[j] if edges_focus is None or focused else "#cfd8dc"
            ax.plot([i + j + 0.5, i + 1.5], [0.4, 2.3], color=colour, lw=3.2 if focused else 1.4, zorder=1)
    for idx in range(n):
        node(ax, (idx + 0.5, 0), f"$x_{idx + 1}$\n{x[idx]:g}", fontsize=8)
    out = np.convolve(x, w[::-1], mode="valid")
    for i in range(m):
        label = f"$o_{i + 1}$\n{out[i]:g}"
        node(ax, (i + 1.5, 2.7), label, fontsize=8, fill="#fff3e0")
        if show_delta:
            ax.text(i + 1.5, 3.3, f"δ{i + 1}={delta[i]:g}", ha="center", fontsize=8, color=PALETTE[1])
    return out


def _numbers(values: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


def _kernel_legend(ax, w):
    from matplotlib.lines import Line2D

    ax.legend(handles=[Line2D([], [], color=c, lw=2, label=f"$w_{j + 1}$ = {w[j]:g}")
                       for j, c in enumerate(KERNEL_COLOURS[:len(w)])],
              loc="upper right", fontsize=8, frameon=False)


GRAPH_X, GRAPH_W, GRAPH_DELTA = np.array([1.0, 2, 0, 3, 1]), np.array([2.0, -1, 1]), np.array([1.0, -2, 0.5])


def conv_forward_graph_figure():
    """1-D convolution as a network: each output connects to 3 neighbouring inputs with the
    same 3 shared weights."""
    fig, ax = figure(figsize=(7.4, 3.6))
    _conv_graph(ax, GRAPH_X, GRAPH_W, GRAPH_DELTA)
    _kernel_legend(ax, GRAPH_W)
    ax.text(-0.7, 1.35, "$o_i = \\sum_j w_j\\, x_{i+j-1}$\n가중치 3개를\n모든 출력이 공유",
            fontsize=9, va="center")
    return finish(fig, "Convolution 순전파: 지역 연결과 가중치 공유")


def conv_input_gradient_figure(target: int = 2):
    """The gradient reaching one input: every output that used it sends back delta times the
    weight it used, in reversed kernel order."""
    x, w, delta = GRAPH_X, GRAPH_W, GRAPH_DELTA
    m = len(x) - len(w) + 1
    focus = {(i, target - i) for i in range(m) if 0 <= target - i < len(w)}
    dx, _, _ = conv1d_backward(delta[None, None], x[None, None], w[None, None])
    fig, ax = figure(figsize=(7.4, 3.9))
    _conv_graph(ax, x, w, delta, focus, show_delta=True)
    _kernel_legend(ax, w)
    terms = " + ".join(f"δ{i + 1}·$w_{j + 1}$" for i, j in sorted(focus))
    ax.text(-0.7, -0.75, f"$\\partial L/\\partial x_{target + 1}$ = {terms} = {dx[0, 0, target]:g}"
            f"   (전체 ∂L/∂x = {_numbers(dx[0, 0])})", fontsize=8.5)
    return finish(fig, f"입력 $x_{target + 1}$의 기울기: δ와 뒤집힌 커널의 Convolution")


def conv_kernel_gradient_figure(j: int = 0):
    """The gradient of one shared weight: the sum over every edge that uses it."""
    x, w, delta = GRAPH_X, GRAPH_W, GRAPH_DELTA
    m = len(x) - len(w) + 1
    _, dw, _ = conv1d_backward(delta[None, None], x[None, None], w[None, None])
    fig, ax = figure(figsize=(7.4, 3.9))
    _conv_graph(ax, x, w, delta, {(i, j) for i in range(m)}, show_delta=True)
    _kernel_legend(ax, w)
    terms = " + ".join(f"δ{i + 1}·$x_{i + j + 1}$" for i in range(m))
    ax.text(-0.7, -0.75, f"$\\partial L/\\partial w_{j + 1}$ = {terms} = {dw[0, 0, j]:g}", fontsize=9)
    return finish(fig, f"커널 $w_{j + 1}$의 기울기: 그 가중치를 쓴 모든 연결의 합")


def conv_all_kernel_gradients_figure():
    """All kernel gradients at once: dL/dw_j = sum_i delta_i x_{i+j-1}, i.e. the input convolved
    with delta (delta slides over x like a kernel)."""
    x, w, delta = GRAPH_X, GRAPH_W, GRAPH_DELTA
    m = len(x) - len(w) + 1
    _, dw, _ = conv1d_backward(delta[None, None], x[None, None], w[None, None])
    as_conv = conv1d(x[None, None], delta[None, None])[0, 0]
    fig, axes = figure(ncols=len(w), figsize=(10.0, 3.5))
    for j, ax in enumerate(axes):
        _conv_graph(ax, x, w, delta, {(i, j) for i in range(m)}, show_delta=j == 0)
        ax.set_title(f"$\\partial L/\\partial w_{j + 1}$ = {dw[0, 0, j]:g}", fontsize=10,
                     color=KERNEL_COLOURS[j])
    fig.text(0.5, 0.03, f"x $\\star$ δ = {_numbers(as_conv)}  =  ∂L/∂w = "
             f"{_numbers(dw[0, 0])}: δ를 커널 삼아 x 위를 미끄러진다",
             ha="center", fontsize=9)
    finish(fig, "커널 기울기 전체 = 입력과 δ의 Convolution")
    fig.subplots_adjust(bottom=0.18)
    return fig


LENET = (("conv", 6, 5), ("pool", 2), ("conv", 16, 5), ("pool", 2), ("dense", 120), ("dense", 84),
         ("dense", 10))


def architecture_shapes(input_shape=(3, 32, 32), layers=LENET):
    """Runs the layers on a zero tensor and returns [(layer name, shape, parameters)] (shapes as
    (C, H, W) or (features,)); the shapes come from the real computation, not the formulas."""
    x = np.zeros((1, *input_shape))
    rows = [("입력", input_shape, 0)]
    for layer in layers:
        if layer[0] == "conv":
            _, out_channels, k = layer
            x = conv2d(x, np.zeros((out_channels, x.shape[1], k, k)))
            rows.append((f"합성곱 {k}×{k}", x.shape[1:], param_count(rows[-1][1][0], out_channels, k)))
        elif layer[0] == "pool":
            x = max_pool2d(x, layer[1])
            rows.append((f"풀링 {layer[1]}×{layer[1]}", x.shape[1:], 0))
        else:
            x = x.reshape(1, -1)
            rows.append(("완전연결", (layer[1],), dense_param_count(x.shape[1], layer[1])))
            x = np.zeros((1, layer[1]))
    return rows


def architecture_figure():
    """A basic CNN (LeNet-5): convolutions and pooling shrink the maps and add channels, then
    fully connected layers classify; every shape and parameter count is computed."""
    rows = architecture_shapes()
    fig, ax = figure(figsize=(10.0, 3.9))
    blank(ax, (-0.6, len(rows) * 1.6), (-2.4, 2.1))
    colours = {"입력": "#cfd8dc", "합성곱": "#c5cae9", "풀링": "#b2dfdb", "완전연결": "#ffe0b2"}
    for idx, (name, shape, params) in enumerate(rows):
        cx = idx * 1.6 + 0.5
        if len(shape) == 3:
            height, depth = shape[1] / 32 * 2.6, 0.15 + shape[0] / 16 * 0.6
        else:
            height, depth = min(shape[0] / 120, 1.0) * 2.6, 0.25
        kind = name.split()[0]
        for layer_shift in (0.12, 0.06, 0.0):
            box(ax, (cx + layer_shift, layer_shift), depth, height, fill=colours[kind])
        shape_text = "×".join(str(s) for s in (shape[1:] + shape[:1] if len(shape) == 3 else shape))
        ax.text(cx, -1.55, f"{name}\n{shape_text}", ha="center", va="top", fontsize=8)
        if params:
            ax.text(cx, 1.55, f"{params:,}개", ha="center", va="bottom", fontsize=7.5, color="#616161")
        if idx:
            arrow(ax, (cx - 1.35, 0), (cx - 0.3, 0), shrink=2)
    ax.text(len(rows) * 0.8, 2.05, "층 위의 숫자 = 학습 파라미터 수", ha="center", fontsize=8,
            color="#616161")
    to = " $\\rightarrow$ "
    return finish(fig, f"기본적인 CNN 구조 (LeNet-5): 합성곱{to}풀링{to}…{to}완전연결")


def stride_figure(n: int = 9, k: int = 3, strides=(1, 2)):
    """Where the kernel lands with stride 1 and stride 2, and the output sizes that follow."""
    fig, axes = figure(nrows=len(strides), figsize=(8.0, 2.3 * len(strides)))
    for ax, s in zip(np.atleast_1d(axes), strides, strict=True):
        blank(ax, (-0.5, n + 5.5), (-1.3, 2.4))
        cells(ax, np.arange(1, n + 1), (0, 0), fmt="{:g}")
        starts = range(0, n - k + 1, s)
        for idx, p in enumerate(starts):
            level = 0.25 + (idx % 3) * 0.55
            colour = PALETTE[idx % len(PALETTE)]
            ax.plot([p + 0.1, p + 0.1, p + k - 0.1, p + k - 0.1], [level - 0.2, level, level, level - 0.2],
                    color=colour, lw=2)
        size = output_size(n, k, stride=s)
        assert size == len(starts)
        ax.text(n + 0.5, 0.3, f"stride = {s}\n출력 크기 = $\\lfloor ({n} - {k}) / {s} \\rfloor$ + 1 = {size}",
                fontsize=9, va="center")
    return finish(fig, "Stride: 커널을 몇 칸씩 옮겨 가며 계산할 것인가")


def padding_figure(n: int = 5, k: int = 3, seed: int = 2):
    """Without padding the border cells are visited less and the output shrinks; zero padding of
    1 keeps the 5x5 size and lets the kernel centre on the corner."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 4, (n, n)).astype(float)
    fig, axes = figure(ncols=2, figsize=(9.0, 4.6))
    for ax, p in zip(axes, (0, 1), strict=True):
        padded = np.pad(x, p)
        blank(ax, (-0.5, n + 2 * p + 4.6), (-(n + 2 * p) - 2.2, 1.2))
        border = [(i, j) for i in range(n + 2 * p) for j in range(n + 2 * p)
                  if min(i, j) < p or max(i, j) >= n + p]
        cells(ax, padded, (0, 0), highlight=border, highlight_fill="#e0e0e0", fontsize=8,
              label=f"입력 {n}×{n}" + (f" + 패딩 {p}" if p else ""))
        outline(ax, (0, 0), k, k)
        out = conv2d(x[None, None], np.ones((1, 1, k, k)), padding=p)[0, 0]
        cells(ax, np.full(out.shape, np.nan), (n + 2 * p + 0.8, -1), size=0.7, fmt="",
              highlight=[(0, 0)], label=f"출력 {out.shape[0]}×{out.shape[1]}", fontsize=8)
        ax.text((n + 2 * p) / 2, -(n + 2 * p) - 0.9,
                f"출력 크기 = ({n} + 2·{p} - {k}) + 1 = {output_size(n, k, padding=p)}",
                ha="center", fontsize=9)
        ax.set_title("패딩 없음: 가장자리가 덜 계산되고 출력이 줄어든다" if p == 0 else
                     "제로 패딩 1: 가장자리까지 계산, 크기 유지", fontsize=9.5)
    return finish(fig, "Padding: 입력 둘레를 0으로 확장")


def _cuboid(ax, x, y, width, height, depth, colour, label):
    from matplotlib.patches import Polygon

    dx, dy = depth * 0.5, depth * 0.35
    front = [(x, y), (x + width, y), (x + width, y + height), (x, y + height)]
    top = [(x, y + height), (x + width, y + height), (x + width + dx, y + height + dy),
           (x + dx, y + height + dy)]
    side = [(x + width, y), (x + width + dx, y + dy), (x + width + dx, y + height + dy),
            (x + width, y + height)]
    for face, shade in ((front, 1.0), (top, 0.85), (side, 0.7)):
        ax.add_patch(Polygon(face, closed=True, facecolor=colour, alpha=shade, edgecolor=INK, lw=0.8))
    ax.text(x + width / 2, y - 0.25, label, ha="center", va="top", fontsize=9)


def param_count_figure(height: int = 40, width: int = 50, c_in: int = 128, c_out: int = 64, k: int = 3):
    """Reading the parameter count off the network's shape: a k x k convolution from C_in to
    C_out channels holds k * k * C_in * C_out weights, whatever the image size."""
    w = np.zeros((c_out, c_in, k, k))
    out_shape = conv2d(np.zeros((1, c_in, 8, 10)), w[:, :, :, :], padding=k // 2).shape
    assert out_shape[1] == c_out and param_count(c_in, c_out, k, bias=False) == w.size
    fig, ax = figure(figsize=(9.0, 4.0))
    blank(ax, (-0.3, 12.2), (-2.6, 4.6))
    _cuboid(ax, 0, 0, 1.6, 2.8, 3.2, "#c5cae9", f"입력\n{height}×{width}×{c_in}")
    _cuboid(ax, 4.4, 0.9, 0.5, 0.5, 3.2, "#f8bbd0", f"커널 {k}×{k}×{c_in}\n× {c_out}개")
    _cuboid(ax, 8.0, 0, 1.6, 2.8, 1.6, "#b2dfdb", f"출력\n{height}×{width}×{c_out}")
    arrow(ax, (3.0, 1.4), (4.3, 1.4), shrink=2)
    arrow(ax, (6.6, 1.4), (7.9, 1.4), shrink=2)
    dense = dense_param_count(height * width * c_in, height * width * c_out, bias=False)
    count = param_count(c_in, c_out, k, bias=False)
    ax.text(6.0, 4.3, f"파라미터 수 = {k} × {k} × {c_in} × {c_out} = {count:,}"
            f"  (+ 편향 {c_out}개)", ha="center", fontsize=10.5, weight="bold")
    ax.text(6.0, -2.3, f"같은 크기를 완전연결로 잇는다면 {dense:,}개: "
            "이미지 크기와 무관한 것이 합성곱의 장점",
            ha="center", fontsize=8.5, color="#616161")
    return finish(fig, "네트워크 모양만 보고 파라미터 개수 세기")
