"""Primitives for the diagrams the concept notes draw: nodes, boxes, arrows, grids of numbered
cells, and whole fully connected networks, on an axes made blank for a diagram.

`snippets.plotting` gives every figure its look (size, fonts, palette, log axes); this module
draws shapes on one of its axes. Positions are data coordinates: a point is an (x, y) pair,
a grid or a frame is placed by its top-left corner. Sizes in points (line widths, arrow heads,
shrink, font sizes) are named so.
"""

from __future__ import annotations

import numpy as np

from snippets.plotting import PALETTE

INK = "#455a64"  # outlines and arrows of the diagrams
LIGHT = "#eceff1"  # the fill of a plain node, box or cell
HIGHLIGHT = "#ffcc80"  # the cells or the part a diagram points out
EDGE_GREY = "#9e9e9e"  # the connections of a dense layer

Point = tuple[float, float]


def blank(ax, xlim: tuple[float, float], ylim: tuple[float, float]):
    """An axes for a diagram: no grid, ticks or spines, equal units, the given extent."""
    ax.grid(False)
    ax.set_axis_off()
    ax.set(xlim=xlim, ylim=ylim, aspect="equal")
    return ax


def node(ax, xy: Point, text: str = "", *, fill: str = LIGHT, edge: str = INK, lw: float = 1.0,
         radius: float = 0.38, fontsize: float = 10):
    """A circle centred at `xy` with a label at its centre."""
    from matplotlib.patches import Circle

    ax.add_patch(Circle(xy, radius, facecolor=fill, edgecolor=edge, lw=lw, zorder=3))
    if text:
        ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def box(ax, xy: Point, width: float, height: float, text: str = "", *, fill: str = LIGHT,
        edge: str = INK, lw: float = 1.0, pad: float = 0.02, rounding: float = 0.08,
        fontsize: float = 10, text_colour: str = "black", zorder: float = 3):
    """A rounded box centred at `xy` with a label (zorder 0: a frame behind everything)."""
    from matplotlib.patches import FancyBboxPatch

    x, y = xy
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle=f"round,pad={pad},rounding_size={rounding}",
                                facecolor=fill, edgecolor=edge, lw=lw, zorder=zorder))
    if text:
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=zorder + 1,
                color=text_colour)


def arrow(ax, start: Point, end: Point, text: str | None = None, *, colour: str = INK,
          lw: float = 1.3, fontsize: float = 8, rad: float = 0.0, shrink: float = 12.0,
          head: float = 12.0, style: str = "-|>", text_offset: Point = (0.0, 0.0), zorder: float = 2,
          side: int = 1):
    """An arrow from start to end, curved by `rad`, its ends `shrink` points short of the points
    (clear of a node drawn there), a head of `head` points; `text` beside its middle (`side`
    -1: the other side), moved by `text_offset`."""
    start_at, end_at = _clear_of_nodes(ax, start, end)
    # at a node's rim a small gap is enough; elsewhere `shrink` keeps the arrow clear
    shrink_a = 2.0 if start_at != tuple(start) else shrink
    shrink_b = 2.0 if end_at != tuple(end) else shrink
    ax.annotate("", xy=end_at, xytext=start_at, zorder=zorder,
                arrowprops={"arrowstyle": style, "color": colour, "lw": lw, "shrinkA": shrink_a,
                            "shrinkB": shrink_b, "connectionstyle": f"arc3,rad={rad}",
                            "mutation_scale": head})
    if text:
        place_label(ax, start, end, text, rad=rad, fontsize=fontsize, colour=colour,
                    text_offset=text_offset, zorder=zorder + 3, side=side)


def _clear_of_nodes(ax, start: Point, end: Point) -> tuple[Point, Point]:
    """The arrow's ends moved to the rim of a node or box drawn centred at either end, so that
    its head is not hidden under it (shrink, in points, cannot know a node's size)."""
    from matplotlib.patches import Circle, FancyBboxPatch

    def rim(at: Point, towards: Point) -> Point:
        direction = np.subtract(towards, at)
        length = float(np.hypot(*direction))
        if length == 0:
            return tuple(at)
        unit = direction / length
        for patch in ax.patches:
            if isinstance(patch, Circle) and np.allclose(patch.center, at):
                reach = patch.radius
            elif isinstance(patch, FancyBboxPatch) and patch.get_zorder() > 0 and np.allclose(
                    (patch.get_x() + patch.get_width() / 2, patch.get_y() + patch.get_height() / 2), at):
                reach = min(patch.get_width() / 2 / max(abs(unit[0]), 1e-9),
                            patch.get_height() / 2 / max(abs(unit[1]), 1e-9))
            else:
                continue
            if length > reach:
                return tuple(float(v) for v in np.add(at, unit * reach))
        return tuple(at)

    return rim(start, end), rim(end, start)


def place_label(ax, start: Point, end: Point, text: str, *, rad: float = 0.0, fontsize: float = 8,
                colour: str = INK, text_offset: Point = (0.0, 0.0), gap: float = 0.1,
                zorder: float = 5, side: int = 1):
    """A label beside the arrow from start to end, never on it: at the middle of the (curved)
    shaft, `gap` data units to its side (the outside of a curve, else above or right; `side`
    -1 for the other), aligned so that the text grows away from the line."""
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    length = max(float(np.hypot(dx, dy)), 1e-9)
    # arc3 bends the shaft to the right of its direction for rad > 0 (as drawn on screen, y up):
    # its control point is the middle moved by rad * (-dy, dx), so the curve's middle is half-way
    mx, my = (x0 + x1) / 2 - rad * dy / 2, (y0 + y1) / 2 + rad * dx / 2
    if rad:
        nx, ny = -np.sign(rad) * dy / length, np.sign(rad) * dx / length
    else:
        nx, ny = -dy / length, dx / length
        if ny < -1e-9 or (abs(ny) <= 1e-9 and nx < 0):
            nx, ny = -nx, -ny
    nx, ny = nx * side, ny * side
    ha = "center" if abs(nx) < 0.35 else ("left" if nx > 0 else "right")
    va = "center" if abs(ny) < 0.35 else ("bottom" if ny > 0 else "top")
    ax.text(mx + nx * gap + text_offset[0], my + ny * gap + text_offset[1], text, ha=ha, va=va,
            fontsize=fontsize, color=colour, zorder=zorder)


def cells(ax, values: np.ndarray, corner: Point, size: float = 1.0, *, fill: str = LIGHT,
          highlight=(), highlight_fill: str = HIGHLIGHT, fmt: str = "{:g}", fontsize: float = 9,
          label: str | None = None):
    """A grid of numbered cells, `corner` its top-left corner, rows going down; `values` is 1-D
    (one row) or 2-D. `highlight` lists the (row, col) cells (or cols, for 1-D) to fill with
    `highlight_fill`; `label` goes above the grid."""
    from matplotlib.patches import Rectangle

    x, y = corner
    grid = np.atleast_2d(values)
    marked = {(0, h) if np.ndim(h) == 0 else tuple(h) for h in highlight}
    for (r, c), value in np.ndenumerate(grid):
        face = highlight_fill if (r, c) in marked else fill
        ax.add_patch(Rectangle((x + c * size, y - (r + 1) * size), size, size, facecolor=face,
                               edgecolor=INK, lw=0.8))
        if fmt:
            ax.text(x + (c + 0.5) * size, y - (r + 0.5) * size, fmt.format(value), ha="center",
                    va="center", fontsize=fontsize)
    if label:
        ax.text(x + grid.shape[1] * size / 2, y + 0.25 * size, label, ha="center", va="bottom",
                fontsize=fontsize + 1)


def outline(ax, corner: Point, width: float, height: float, *, edge: str = PALETTE[1],
            lw: float = 2.2):
    """A coloured frame (e.g. a kernel's current window), `corner` its top-left corner."""
    from matplotlib.patches import Rectangle

    x, y = corner
    ax.add_patch(Rectangle((x, y - height), width, height, fill=False, edgecolor=edge, lw=lw))


def column(n: int, x: float, spread: float = 0.7) -> list[Point]:
    """`n` points stacked `spread` apart at `x`, centred on y = 0, top first: one layer's units."""
    return [(x, (n - 1) / 2 * spread - i * spread) for i in range(n)]


def dense(ax, left: list[Point], right: list[Point], colour: str = EDGE_GREY, lw: float = 0.7):
    """A line from every point of `left` to every point of `right`: a fully connected layer."""
    for a in left:
        for b in right:
            ax.plot([a[0], b[0]], [a[1], b[1]], color=colour, lw=lw, zorder=1)


def network(ax, sizes: list[int], names: list[str], x_step: float = 2.0,
            colours: list[str] | None = None, edge_labels: list[str] | None = None,
            spread: float = 0.7) -> list[list[Point]]:
    """A fully connected network: one column of white nodes per layer, ringed in the layer's
    colour and named below, the weights of each layer named above; returns the columns."""
    colours = colours or [PALETTE[i % len(PALETTE)] for i in range(len(sizes))]
    columns = [column(n, i * x_step, spread) for i, n in enumerate(sizes)]
    for i in range(len(columns) - 1):
        dense(ax, columns[i], columns[i + 1])
        if edge_labels:
            ax.text((i + 0.5) * x_step, (max(sizes) - 1) / 2 * spread + 0.45, edge_labels[i],
                    ha="center", fontsize=10, color=PALETTE[1])
    bottom = -(max(sizes) - 1) / 2 * spread - 0.6
    for i, (layer, name) in enumerate(zip(columns, names, strict=True)):
        for xy in layer:
            node(ax, xy, fill="white", edge=colours[i], lw=1.6, radius=0.18)
        ax.text(i * x_step, bottom, name, ha="center", va="top", fontsize=9)
    blank(ax, (-0.6, (len(sizes) - 1) * x_step + 0.6), (bottom - 0.6, -bottom + 0.3))
    return columns
