"""Drawing primitives for the convolution and recurrence diagrams: cells, boxes, nodes, arrows."""

from __future__ import annotations

import numpy as np

from snippets.plotting import PALETTE

LIGHT = "#eceff1"
HIGHLIGHT = "#ffcc80"


def blank(ax, xlim: tuple[float, float], ylim: tuple[float, float]):
    """An axes for a diagram: no grid, ticks or spines, equal units, the given extent."""
    ax.grid(False)
    ax.set_axis_off()
    ax.set(xlim=xlim, ylim=ylim, aspect="equal")
    return ax


def cells(ax, values: np.ndarray, x: float, y: float, size: float = 1.0, colour: str = LIGHT,
          highlight=(), highlight_colour: str = HIGHLIGHT, fmt: str = "{:g}", fontsize: float = 9,
          label: str | None = None):
    """A grid of numbered cells; `values` is 1-D (one row) or 2-D; (x, y) is the top-left corner
    and rows go down. `highlight` lists (row, col) cells (or cols for 1-D) to colour."""
    from matplotlib.patches import Rectangle

    grid = np.atleast_2d(values)
    marked = {(0, h) if np.ndim(h) == 0 else tuple(h) for h in highlight}
    for (r, c), value in np.ndenumerate(grid):
        face = highlight_colour if (r, c) in marked else colour
        ax.add_patch(Rectangle((x + c * size, y - (r + 1) * size), size, size, facecolor=face,
                               edgecolor="#455a64", lw=0.8))
        if fmt:
            ax.text(x + (c + 0.5) * size, y - (r + 0.5) * size, fmt.format(value), ha="center",
                    va="center", fontsize=fontsize)
    if label:
        ax.text(x + grid.shape[1] * size / 2, y + 0.25 * size, label, ha="center", va="bottom",
                fontsize=fontsize + 1)


def outline(ax, x: float, y: float, width: float, height: float, colour: str = PALETTE[1],
            lw: float = 2.2):
    """A coloured frame (e.g. the kernel's current window), (x, y) the top-left corner."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y - height), width, height, fill=False, edgecolor=colour, lw=lw))


def node(ax, x: float, y: float, text: str, colour: str = LIGHT, radius: float = 0.38,
         fontsize: float = 10, edge: str = "#455a64"):
    """A circle with a label at its centre."""
    from matplotlib.patches import Circle

    ax.add_patch(Circle((x, y), radius, facecolor=colour, edgecolor=edge, lw=1.0, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def box(ax, x: float, y: float, width: float, height: float, text: str = "", colour: str = LIGHT,
        fontsize: float = 10, edge: str = "#455a64", text_colour: str = "black", zorder: float = 3):
    """A rounded box centred at (x, y) with a label (zorder 0: a frame behind everything)."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.02,rounding_size=0.08", facecolor=colour,
                                edgecolor=edge, lw=1.0, zorder=zorder))
    if text:
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=zorder + 1,
                color=text_colour)


def arrow(ax, start: tuple[float, float], end: tuple[float, float], colour: str = "#455a64",
          lw: float = 1.3, text: str | None = None, fontsize: float = 8, rad: float = 0.0,
          shrink: float = 12.0, style: str = "-|>"):
    """An arrow from start to end (optionally curved by rad), with a label at its middle."""
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops={"arrowstyle": style, "color": colour, "lw": lw, "shrinkA": shrink,
                            "shrinkB": shrink, "connectionstyle": f"arc3,rad={rad}",
                            "mutation_scale": 12})
    if text:
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        ax.text(mx, my, text, ha="center", va="center", fontsize=fontsize, color=colour,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5}, zorder=5)
