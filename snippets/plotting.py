"""One look for every figure the concept notes draw: sizes, colours and Korean-ready labels.

The snippet worker imports koreanize_matplotlib before any block runs, so Hangul renders; this
module only keeps the figures consistent with one another at page width.
"""

from __future__ import annotations

import re
from typing import Any

PALETTE = ("#3f51b5", "#e91e63", "#009688", "#ff9800", "#9c27b0", "#607d8b")
PANEL_WIDTH = 3.4  # inches per panel: readable at the content column's width
PANEL_HEIGHT = 3.0
# NanumGothic first (mathtext labels mixing Hangul use the first family), DejaVu Sans as the
# fallback for the signs NanumGothic lacks (ŷ, ᵀ, ⁽ˡ⁾); log-scale ticks need `log_scale`.
# koreanize_matplotlib registers NanumGothic.
FONT_FAMILY = ["NanumGothic", "DejaVu Sans"]


def figure(ncols: int = 1, nrows: int = 1, **kwargs: Any):
    """A new figure of `nrows` x `ncols` panels in the shared style; returns (fig, axes)."""
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = FONT_FAMILY
    size = (PANEL_WIDTH * ncols, PANEL_HEIGHT * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=kwargs.pop("figsize", size), squeeze=False,
                             **kwargs)
    for ax in axes.flat:
        ax.grid(True, alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_prop_cycle(color=PALETTE)
    return fig, (axes[0, 0] if axes.size == 1 else axes.squeeze())


def finish(fig, title: str | None = None):
    """Adds the figure's title, writes every sub- and superscript in mathtext and tightens the
    layout; returns `fig` so a block can end with it."""
    if title:
        fig.suptitle(title)
    for text in _all_texts(fig):
        text.set_text(legible(text.get_text(), text.get_fontsize()))
    fig.tight_layout()
    return fig


# Unicode's small digits and letters (x₁, W⁽¹⁾, ∫₋₁¹) are specks in NanumGothic; mathtext draws
# sub- and superscripts at a legible size. One notation for every figure: mathtext.
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ", "0123456789+-=()aeoxhklmnpstij")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿᵀˡ", "0123456789+-=()inTl")
_SCRIPT_RUN = re.compile("([₀-₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ]+)|([⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿᵀˡ]+)")
_HATTED = re.compile("([A-Za-z\u03b1-\u03c9])\u0302")
ARROW_MIN_POINTS = 12  # below this NanumGothic's "→" reads as "›" (and "↑" as "|")
_ARROWS = {"→": r"\rightarrow", "←": r"\leftarrow", "↑": r"\uparrow", "↓": r"\downarrow"}


def legible(text: str, fontsize: float = ARROW_MIN_POINTS) -> str:
    """`text` with Unicode sub- and superscripts and ∂ written in mathtext, and the arrows
    → ← ↑ ↓ as mathtext's when the text is smaller than 12 pt."""
    def script(match: re.Match, in_math: bool) -> str:
        sub, sup = match.groups()
        marked = f"_{{{sub.translate(_SUBSCRIPTS)}}}" if sub else f"^{{{sup.translate(_SUPERSCRIPTS)}}}"
        return marked if in_math else f"${marked}$"

    text = _HATTED.sub(r"$\\hat{\1}$", text)  # p̂ (a combining hat): mathtext's \hat{p}
    parts = re.split(r"(?<!\\)\$", text)
    for number, part in enumerate(parts):
        in_math = number % 2 == 1
        part = _SCRIPT_RUN.sub(lambda m, in_math=in_math: script(m, in_math), part)
        # NanumGothic's ∂ is a speck too
        part = part.replace("∂", r"\partial " if in_math else r"$\partial$")
        if fontsize < ARROW_MIN_POINTS:
            for sign, name in _ARROWS.items():
                part = part.replace(sign, name if in_math else f"${name}$")
        parts[number] = part
    return re.sub(r"\}\$\$([_^])\{", r"}\1{", "$".join(parts))  # x$_{1}$$^{2}$ -> x$_{1}^{2}$


def _all_texts(fig) -> list:
    texts = list(fig.texts)
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label,
                  *ax.texts]
        if (legend := ax.get_legend()) is not None:
            texts += legend.get_texts()
    return texts


def log_scale(ax, axis: str = "y", subs: tuple[float, ...] = (1.0,)):
    """Makes `axis` logarithmic with tick labels like 10^-3 that draw their minus sign; `subs`
    (1, 2, 5) also ticks 2 and 5 times each power, for an axis spanning about one decade, which
    would otherwise show one tick.

    matplotlib's own log labels use \\mathdefault, i.e. the text font, and NanumGothic has no
    U+2212 minus: the labels would show an empty box. Mathtext's own font has it.
    """
    import math

    from matplotlib import ticker

    def label(value: float, _position) -> str:
        if value <= 0:
            return ""
        power = math.log10(value)
        if abs(power - round(power)) < 1e-9:
            return f"$10^{{{round(power)}}}$"
        return f"${value:g}$"

    getattr(ax, f"set_{axis}scale")("log")
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(ticker.LogLocator(base=10, subs=subs))
    target.set_major_formatter(ticker.FuncFormatter(label))
    target.set_minor_formatter(ticker.NullFormatter())
    return ax
