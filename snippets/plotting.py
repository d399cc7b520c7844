"""One look for every figure the concept notes draw: sizes, colours and Korean-ready labels.

The snippet worker imports koreanize_matplotlib before any block runs, so Hangul renders; this
module only keeps the figures consistent with one another at page width.
"""

from __future__ import annotations

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
    """Adds the figure's title and tightens the layout; returns `fig` so a block can end with it."""
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def log_scale(ax, axis: str = "y"):
    """Makes `axis` logarithmic with tick labels like 10^-3 that draw their minus sign.

    matplotlib's own log labels use \\mathdefault, i.e. the text font, and NanumGothic has no
    U+2212 minus: the labels would show an empty box. Mathtext's own font has it.
    """
    import math

    from matplotlib import ticker

    getattr(ax, f"set_{axis}scale")("log")
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"$10^{{{round(math.log10(v))}}}$"
                                                    if v > 0 else ""))
    target.set_minor_formatter(ticker.NullFormatter())
    return ax
