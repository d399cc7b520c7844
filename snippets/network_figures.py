"""Figures of the notes on neural-network basics (딥러닝 구성요소, 선형모델, 신경망, 다층 퍼셉트론,
역전파 알고리즘, 연쇄법칙): layers, weights and computation graphs drawn with snippets.drawing,
and the numbers they show computed by snippets.linear, snippets.mlp and snippets.backprop."""

from __future__ import annotations

from functools import partial

import numpy as np

from snippets.drawing import arrow, blank, box, column, dense, network, node
from snippets.plotting import PALETTE, figure, finish

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sup(n: int) -> str:
    """⁽ⁿ⁾: a layer index written as a superscript."""
    return f"⁽{str(n).translate(SUPERSCRIPT)}⁾"


# The look of these notes' diagrams: white shapes ringed in a colour of the palette; black
# arrows drawn over the nodes they touch (zorder 3), their labels just above them.
_ring = partial(node, fill="white", edge=PALETTE[0], lw=1.6, radius=0.22, fontsize=9)
_frame = partial(box, fill="white", edge=PALETTE[0], lw=1.6, pad=0.05, rounding=0.05, fontsize=9)
_link = partial(arrow, colour="black", lw=1.2, head=10, zorder=3)


def key_components_figure():
    """The four things that describe a deep-learning method: data, model, loss, and the
    optimisation algorithm that updates the model to lower the loss."""
    fig, ax = figure(figsize=(7.0, 3.4))
    boxes = {"데이터\n(모델이 배울 것)": (0, 1.4), "모델\n(데이터를 변환)": (3, 1.4),
             "손실함수\n(모델이 얼마나 틀렸나)": (6, 1.4),
             "최적화 알고리즘\n(손실을 줄이도록 파라미터 갱신)": (3, -0.6)}
    for i, (text, xy) in enumerate(boxes.items()):
        _frame(ax, xy, 2.3 if i < 3 else 3.4, 1.0, text, edge=PALETTE[i])
    _link(ax, (1.15, 1.4), (1.85, 1.4), text="입력 x")
    _link(ax, (4.15, 1.4), (4.85, 1.4), text="예측 ŷ")
    _link(ax, (6, 0.85), (4.75, -0.4), text="∇L")
    _link(ax, (3, -0.05), (3, 0.85), text="θ 갱신")
    blank(ax, (-1.4, 7.4), (-1.3, 2.2))
    return finish(fig, "딥러닝을 바라보는 4가지 항목")


def linear_shapes_figure(n: int = 5, d: int = 4, p: int = 3, seed: int = 0):
    """O = XW + b with each matrix drawn as a grid of its entries, shapes (n×d)(d×p) + (p) = (n×p):
    b is one row added to every row."""
    from snippets.linear import linear

    rng = np.random.default_rng(seed)
    X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, p)), rng.normal(size=p)
    O = linear(X, W, b)
    fig, ax = figure(figsize=(7.4, 3.0))
    ax.grid(False)
    x0, scale = 0.0, 0.45
    parts = [("X", X, f"데이터\n(n×d) = ({n}×{d})"), ("·", None, ""), ("W", W, f"가중치\n(d×p) = ({d}×{p})"),
             ("+", None, ""), ("b", np.tile(b, (n, 1)), f"편향, 행마다 같음\n(p) → ({n}×{p})"),
             ("=", None, ""), ("O", O, f"출력\n(n×p) = ({n}×{p})")]
    for name, M, label in parts:
        if M is None:
            ax.text(x0 + 0.3, 0, name, fontsize=16, ha="center", va="center")
            x0 += 0.6
            continue
        rows, cols = M.shape
        top = rows * scale / 2
        ax.imshow(M, cmap="coolwarm", vmin=-2.5, vmax=2.5,
                  extent=(x0, x0 + cols * scale, -top, top), alpha=0.25 if name == "b" else 0.9)
        if name == "b":
            ax.imshow(M[:1], cmap="coolwarm", vmin=-2.5, vmax=2.5,
                      extent=(x0, x0 + cols * scale, top - scale, top))
        for r in range(rows + 1):
            ax.plot([x0, x0 + cols * scale], [top - r * scale] * 2, color="white", lw=1)
        ax.text(x0 + cols * scale / 2, top + 0.25, name, ha="center", fontsize=12, weight="bold")
        ax.text(x0 + cols * scale / 2, -top - 0.2, label, ha="center", va="top", fontsize=8)
        x0 += cols * scale + 0.15
    blank(ax, (-0.2, x0 + 0.2), (-2.4, 1.7))
    return finish(fig, "선형모델 O = XW + b 의 행렬 모양")


def weight_arrows_figure(d: int = 4, p: int = 3):
    """The weight matrix as arrows: each of the d inputs connects to each of the p outputs, one
    arrow per entry w_ij of W, d × p arrows in all."""
    fig, ax = figure(figsize=(5.0, 3.6))
    left, right = column(d, 0, 0.8), column(p, 3, 0.8)
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            _link(ax, a, b, colour=PALETTE[i], lw=0.9, shrink=10)
            if i == 0 and j == 0:
                ax.text(1.5, (a[1] + b[1]) / 2 + 0.25, "w₁₁", color=PALETTE[0], fontsize=9, ha="center")
    for i, xy in enumerate(left):
        _ring(ax, xy, f"x{'₁₂₃₄₅₆'[i]}", edge=PALETTE[i])
    for j, xy in enumerate(right):
        _ring(ax, xy, f"o{'₁₂₃₄₅₆'[j]}", edge="black")
    ax.text(0, -2.0, f"입력 d = {d}", ha="center", fontsize=9)
    ax.text(3, -2.0, f"출력 p = {p}", ha="center", fontsize=9)
    ax.text(1.5, 1.75, f"화살표 {d} × {p} = {d * p}개 = W 의 원소 수", ha="center", fontsize=9)
    blank(ax, (-0.6, 3.6), (-2.3, 2.0))
    return finish(fig, "가중치 행렬 W: 입력 공간에서 출력 공간으로")


def neuron_layer_figure(d: int = 3, p: int = 2):
    """One layer step by step: inputs x, weighted sums z = Wx + b, activations H = σ(z)."""
    fig, ax = figure(figsize=(6.2, 3.4))
    xs, zs, hs = column(d, 0, 0.9), column(p, 3, 1.2), column(p, 5, 1.2)
    dense(ax, xs, zs)
    for i, xy in enumerate(xs):
        _ring(ax, xy, f"x{'₁₂₃'[i]}", edge=PALETTE[0])
    for j, (z, h) in enumerate(zip(zs, hs, strict=True)):
        _ring(ax, z, f"z{'₁₂'[j]}", edge=PALETTE[2])
        _ring(ax, h, f"h{'₁₂'[j]}", edge=PALETTE[1])
        _link(ax, z, h, text="σ", text_offset=(0, 0.2), fontsize=10)
    ax.text(1.5, 1.55, "z = Wᵀx + b\n(가중합)", ha="center", fontsize=9)
    ax.text(4, 1.55, "H = σ(z)\n(활성함수)", ha="center", fontsize=9)
    for x, text in ((0, "입력 x"), (3, "가중합 z"), (5, "잠재벡터 H")):
        ax.text(x, -1.75, text, ha="center", fontsize=9)
    blank(ax, (-0.6, 5.6), (-2.0, 2.1))
    return finish(fig, "신경망 한 층의 계산")


def two_layer_figure():
    """The 2-layer network: x → (W⁽¹⁾, b⁽¹⁾) → z → σ → H → (W⁽²⁾, b⁽²⁾) → O."""
    fig, ax = figure(figsize=(6.4, 3.6))
    network(ax, [4, 5, 3], ["입력 x", "잠재벡터\nH = σ(XW⁽¹⁾+b⁽¹⁾)", "출력\nO = HW⁽²⁾+b⁽²⁾"],
            x_step=2.6, edge_labels=["W⁽¹⁾", "W⁽²⁾"])
    return finish(fig, "2층 신경망: 가중치 행렬 두 개")


def forward_figure(layers: int = 4, seed: int = 0):
    """Forward propagation through L layers: the data's hidden vectors H⁽ˡ⁾ = σ(H⁽ˡ⁻¹⁾W⁽ˡ⁾ + b⁽ˡ⁾),
    each drawn as a heat map (rows: examples, columns: units), from X to the output O."""
    from snippets.mlp import init_mlp, mlp_forward

    rng = np.random.default_rng(seed)
    sizes = [3, 6, 6, 5, 2][: layers + 1]
    params = init_mlp(sizes, rng)
    X = rng.normal(size=(5, sizes[0]))
    _, cache = mlp_forward(params, X, "relu")
    O = cache.pre_activations[-1]
    mats = [*cache.inputs, O]
    fig, axes = figure(ncols=len(mats), figsize=(1.5 * len(mats) + 0.8, 2.8))
    for i, (ax, M) in enumerate(zip(axes, mats, strict=True)):
        ax.imshow(M, cmap="viridis", aspect="auto")
        ax.grid(False)
        ax.set_xticks([])
        ax.set_yticks([])
        title = "X" if i == 0 else ("O" if i == len(mats) - 1 else f"H{sup(i)}")
        ax.set_title(f"{title}  ({M.shape[0]}×{M.shape[1]})", fontsize=9)
        if i > 0:
            ax.set_xlabel("σ(·W + b)" if i < len(mats) - 1 else "·W + b", fontsize=8)
    axes[0].set_ylabel("예제 n")
    return finish(fig, f"순전파: L = {layers} 개 층을 차례로 계산")


def wide_vs_deep_figure():
    """A shallow network needs many neurons; a deeper one reaches a similar function with fewer."""
    fig, (left, right) = figure(ncols=2, figsize=(7.4, 3.6))
    network(left, [2, 12, 1], ["입력", "은닉층 12개", "출력"], x_step=1.8, spread=0.42)
    left.set_title("얕고 넓은 신경망 (뉴런 12개)", fontsize=10)
    network(right, [2, 3, 3, 3, 1], ["입력", "", "은닉층 3×3", "", "출력"], x_step=1.3, spread=0.6,
            colours=[PALETTE[0], PALETTE[2], PALETTE[2], PALETTE[2], PALETTE[1]])
    right.set_title("깊고 좁은 신경망 (뉴런 9개)", fontsize=10)
    return finish(fig, "층이 얕으면 필요한 뉴런 수가 늘어남")


def backprop_graph_figure():
    """The computation of a 2-layer network as a graph: forward values (black, left to right) and
    the chain-rule gradients flowing back (red, right to left) to each parameter."""
    fig, ax = figure(figsize=(7.6, 3.4))
    nodes = {"x": (0, 0), "z⁽¹⁾": (1.8, 0), "H": (3.6, 0), "O": (5.4, 0), "L": (7.2, 0),
             "W⁽¹⁾": (1.8, 1.4), "W⁽²⁾": (5.4, 1.4)}
    for name, xy in nodes.items():
        _ring(ax, xy, name, edge=PALETTE[2] if name.startswith("W") else PALETTE[0], radius=0.32)
    forward = [("x", "z⁽¹⁾", "xW⁽¹⁾+b"), ("z⁽¹⁾", "H", "σ"), ("H", "O", "HW⁽²⁾+b"), ("O", "L", "손실")]
    for a, b, text in forward:
        _link(ax, nodes[a], nodes[b], text=text)
    _link(ax, nodes["W⁽¹⁾"], nodes["z⁽¹⁾"])
    _link(ax, nodes["W⁽²⁾"], nodes["O"])
    back = [("L", "O", "∂L/∂O"), ("O", "H", "∂L/∂H"), ("H", "z⁽¹⁾", "∂L/∂z⁽¹⁾")]
    for a, b, text in back:
        xa, ya = nodes[a]
        xb, yb = nodes[b]
        _link(ax, (xa, ya - 0.45), (xb, yb - 0.45), colour=PALETTE[1], text=text, rad=0.3)
    ax.text(3.6, -1.45, "∂L/∂z⁽¹⁾ = ∂L/∂H ⊙ σ'(z⁽¹⁾)", color=PALETTE[1], fontsize=8, ha="center")
    _link(ax, (5.7, 0.1), (5.85, 1.2), colour=PALETTE[1], shrink=2)  # from beside the node
    ax.text(6.6, 0.9, "∂L/∂W⁽²⁾ = Hᵀ ∂L/∂O", color=PALETTE[1], fontsize=8, ha="center")
    _link(ax, (2.1, 0.1), (2.25, 1.2), colour=PALETTE[1], shrink=2)
    ax.text(3.1, 1.35, "∂L/∂W⁽¹⁾ = xᵀ ∂L/∂z⁽¹⁾", color=PALETTE[1], fontsize=8, ha="center")
    ax.text(0, 1.6, "검정: 순전파", fontsize=8, va="center")
    ax.text(0, 1.3, "빨강: 역전파", fontsize=8, va="center", color=PALETTE[1])
    blank(ax, (-0.5, 7.7), (-1.7, 2.0))
    return finish(fig, "역전파의 계산 방식: 연쇄법칙으로 위에서부터")


def backward_flow_figure(depth: int = 5, seed: int = 0):
    """The backward pass layer by layer: δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ is computed from the layer above and
    passed down; the bars show each layer's gradient size ‖∂L/∂W⁽ˡ⁾‖ for one real MLP."""
    from snippets.mlp import init_mlp, loss_and_grads

    rng = np.random.default_rng(seed)
    sizes = [4] + [8] * (depth - 1) + [3]
    X = rng.normal(size=(32, 4))
    y = rng.integers(0, 3, 32)
    _, grads = loss_and_grads(init_mlp(sizes, rng), X, y, "softmax-ce", "sigmoid")
    norms = [float(np.linalg.norm(dW)) for dW, _ in grads]
    fig, (left, right) = figure(ncols=2, figsize=(7.4, 3.8))
    for l in range(depth):
        y0 = l * 1.0
        _frame(left, (0, y0), 1.6, 0.55, f"층 {l + 1}: z{sup(l + 1)}",
               edge=PALETTE[1] if l == depth - 1 else PALETTE[0])
        if l < depth - 1:
            _link(left, (0.95, y0 + 1.0), (0.95, y0), colour=PALETTE[1], rad=-0.3)
            left.text(1.2, y0 + 0.5, f"δ{sup(l + 1)}", color=PALETTE[1], fontsize=9, va="center")
            _link(left, (-0.95, y0), (-0.95, y0 + 1.0), colour="gray", rad=-0.3)
    left.text(-1.6, depth - 0.6, "순전파 ↑", color="gray", fontsize=8)
    left.text(1.2, depth - 0.6, "역전파 ↓", color=PALETTE[1], fontsize=8)
    blank(left, (-2.0, 2.2), (-0.6, depth))
    right.barh(np.arange(1, depth + 1), norms, color=PALETTE[1])
    right.set(xlabel="‖∂L/∂W⁽ˡ⁾‖", yticks=np.arange(1, depth + 1),
              title="층별 그래디언트 크기 (sigmoid)")
    right.set_ylabel("층", rotation=0, labelpad=10)  # one Hangul syllable reads upright
    return finish(fig, "출력층에서 입력층 방향으로 기울기 전달")


def chain_rule_figure(x: float = 1.0, y: float = 2.0):
    """The graph of z = (x + y)² with w = x + y: forward values, local derivatives, and the
    chain-rule products ∂z/∂x = ∂z/∂w · ∂w/∂x = 2(x + y)."""
    from snippets.backprop import square_of_sum

    z, dzdx, dzdy = square_of_sum(x, y)
    w = x + y
    fig, ax = figure(figsize=(6.6, 3.4))
    nodes = {"x": (0, 1), "y": (0, -1), "w": (2.6, 0), "z": (5.2, 0)}
    texts = {"x": f"x\n{x:g}", "y": f"y\n{y:g}", "w": f"w = x+y\n{w:g}", "z": f"z = w²\n{z:g}"}
    for name, xy in nodes.items():
        _ring(ax, xy, texts[name], edge=PALETTE[0], radius=0.5, fontsize=8)
    _link(ax, nodes["x"], nodes["w"], text="∂w/∂x = 1", shrink=26)
    _link(ax, nodes["y"], nodes["w"], text="∂w/∂y = 1", shrink=26, side=-1)
    _link(ax, nodes["w"], nodes["z"], text=f"∂z/∂w = 2w = {2 * w:g}", shrink=26)
    ax.text(2.6, -1.55, f"연쇄법칙: ∂z/∂x = ∂z/∂w · ∂w/∂x = 2(x+y) · 1 = {dzdx:g}", ha="center",
            fontsize=9, color=PALETTE[1])
    ax.text(2.6, -1.95, f"∂z/∂y = {dzdy:g}", ha="center", fontsize=9, color=PALETTE[1])
    blank(ax, (-0.7, 5.9), (-2.2, 1.7))
    return finish(fig, "z = (x + y)² 의 계산 그래프와 연쇄법칙")


def image_tasks_figure(seed: int = 0):
    """Kinds of information extracted from one image: its class, where the objects are (boxes),
    and which pixels belong to which object (segmentation), shown on a synthetic image."""
    size = 64
    yy, xx = np.mgrid[:size, :size]
    circle = (xx - 20) ** 2 + (yy - 22) ** 2 < 11 ** 2
    square = (np.abs(xx - 44) < 10) & (np.abs(yy - 42) < 10)
    rng = np.random.default_rng(seed)
    image = 0.2 + 0.05 * rng.normal(size=(size, size))
    image[circle], image[square] = 0.8, 0.55
    fig, axes = figure(ncols=4, figsize=(9.0, 2.8))
    from matplotlib.patches import Rectangle

    for ax in axes:
        ax.imshow(image, cmap="gray", vmin=0, vmax=1)
        ax.axis("off")
    axes[0].set_title("입력 이미지", fontsize=9)
    axes[1].set_title("분류: 무엇이 있나", fontsize=9)
    axes[1].text(32, 60, "원 0.62 / 사각형 0.38", color="yellow", ha="center", fontsize=8)
    axes[2].set_title("검출: 어디에 있나 (상자)", fontsize=9)
    for (x0, y0, w, h), color in (((8, 10, 24, 24), PALETTE[3]), ((33, 31, 21, 21), PALETTE[2])):
        axes[2].add_patch(Rectangle((x0, y0), w, h, fill=False, edgecolor=color, lw=2))
    axes[3].set_title("분할: 픽셀마다 무엇인가", fontsize=9)
    mask = np.zeros((size, size, 4))
    mask[circle] = (1, 0.6, 0, 0.6)
    mask[square] = (0, 0.6, 0.5, 0.6)
    axes[3].imshow(mask)
    return finish(fig, "이미지에서 뽑아낼 수 있는 정보")
