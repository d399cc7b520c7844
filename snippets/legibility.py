"""Whether a drawn figure can be read: the problems matplotlib's own extents show.

A figure is measured after drawing, with the renderer that drew it (`get_window_extent`), so
what is checked is what the reader sees at the figure's size and resolution:

- two pieces of text (titles, labels, tick labels, annotations, legends) overlapping;
- a text inside an axes crossed by a drawn line or arrow (a curve, a connector, an arrow's
  shaft or head): the line runs through the words;
- a sub- or superscript written with Unicode's small digits and letters (x₁, W⁽¹⁾, ∫₋₁¹),
  which the Hangul font draws as specks: mathtext (`$x_1$`) draws them at a legible size;
- an arrow sign (→ ← ↑ ↓) below 12 points, which the Hangul font draws as "›" or "|" at small
  sizes;
- an arrowhead hidden under a node or box drawn over it.
"""

from __future__ import annotations

import re

SMALL_SCRIPTS = re.compile("[\u00b2\u00b3\u00b9\u02b0-\u02ff\u1d2c-\u1d6a\u2070-\u209f]")
ARROW_MIN_POINTS = 12
SLACK = 1.0  # pixels two boxes may share before they count as overlapping


def _visible_text(text) -> bool:
    return text.get_visible() and bool(text.get_text().strip())


def _texts(fig) -> list:
    """Every visible text of the figure, with the axes it belongs to (None: the figure's)."""
    found = [(t, None) for t in fig.texts]
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        found += [(t, ax) for t in (ax.title, ax._left_title, ax._right_title)]
        if ax.axison:
            found += [(ax.xaxis.label, None), (ax.yaxis.label, None)]
            for axis in (ax.xaxis, ax.yaxis):
                low, high = sorted(axis.get_view_interval())
                span = (high - low) * 1e-9
                found += [(tick.label1, None) for tick in axis.get_major_ticks()
                          if tick.get_visible() and tick.label1.get_visible()
                          and low - span <= tick.get_loc() <= high + span]  # drawn ones only
        found += [(t, ax) for t in ax.texts]
    return [(t, ax) for t, ax in found if _visible_text(t)]


def _shrunk(box):
    from matplotlib.transforms import Bbox

    return Bbox.from_extents(box.x0 + SLACK, box.y0 + SLACK, box.x1 - SLACK, box.y1 - SLACK)


def _line_paths(ax, renderer) -> list:
    """The display-space paths of the axes' lines and arrows (not grids, ticks or spines)."""
    from matplotlib.patches import FancyArrowPatch

    paths = []
    for line in ax.lines:
        if line.get_visible() and line.get_linestyle() not in ("None", "", " "):
            paths.append((line, line.get_transform().transform_path(line.get_path())))
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    arrows += [t.arrow_patch for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    for arrow in arrows:
        if arrow.get_visible():
            drawn, _ = arrow._get_path_in_displaycoord()  # what draw() strokes: shaft and head
            paths += [(arrow, path) for path in (drawn if isinstance(drawn, list) else [drawn])]
    return paths


def _crosses(path, box) -> bool:
    """Whether the stroked path (curves made straight, a closed head closed on its own start,
    not on the origin) runs through the box."""
    from matplotlib.path import Path

    return any(len(points) > 1 and Path(points).intersects_bbox(box, filled=False)
               for points in path.to_polygons(closed_only=False))


def _covers(ax, renderer) -> list:
    """Filled shapes (nodes, boxes) with their extents: a line drawn under one is hidden there."""
    from matplotlib.patches import FancyArrowPatch

    return [(patch, patch.get_window_extent(renderer)) for patch in ax.patches
            if patch.get_visible() and patch.get_fill() and not isinstance(patch, FancyArrowPatch)
            and patch.get_facecolor()[3] > 0.5]


def problems(fig) -> list[str]:
    """What makes the drawn figure hard to read, one sentence each; empty when nothing does."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    found = []
    texts = _texts(fig)
    from matplotlib.text import Text

    # Text's own extent: an annotation's would include its arrow
    boxes = [(t, ax, Text.get_window_extent(t, renderer)) for t, ax in texts]
    for text, _ in texts:
        shown = text.get_text()
        if SMALL_SCRIPTS.search(shown):
            found.append(f"Unicode sub/superscript in {shown!r}: write it in mathtext")
        for sign in "→←↑↓":
            if sign in shown and text.get_fontsize() < ARROW_MIN_POINTS:
                found.append(f"'{sign}' at {text.get_fontsize():g} pt in {shown!r}: 12 pt or mathtext")
    legends = [legend for ax in fig.axes if (legend := ax.get_legend()) is not None]
    legend_boxes = [legend.get_window_extent(renderer) for legend in legends]
    for n, (one, _, box) in enumerate(boxes):
        for other, _, other_box in boxes[n + 1:]:
            if _shrunk(box).overlaps(_shrunk(other_box)):
                found.append(f"text {one.get_text()!r} overlaps {other.get_text()!r}")
        for legend_box in legend_boxes:
            inside_legend = any(one in legend.get_texts() or one is legend.get_title()
                                for legend in legends)
            if not inside_legend and _shrunk(box).overlaps(_shrunk(legend_box)):
                found.append(f"text {one.get_text()!r} is under a legend")
    for ax in fig.axes:
        paths = _line_paths(ax, renderer)
        covers = _covers(ax, renderer)
        for text, owner, box in boxes:
            if owner is not ax or text in (ax.title, ax._left_title, ax._right_title):
                continue
            inner = _shrunk(box)
            under = [patch for patch, extent in covers if extent.containsx(inner.x0)
                     and extent.containsx(inner.x1) and extent.containsy(inner.y0)
                     and extent.containsy(inner.y1)]
            for artist, path in paths:
                if artist is getattr(text, "arrow_patch", None):
                    continue  # an annotation's own arrow starts at its text
                if any(patch.get_zorder() > artist.get_zorder() for patch in under):
                    continue  # the text sits on a shape drawn over the line
                if _crosses(path, inner):
                    found.append(f"a {type(artist).__name__} crosses the text {text.get_text()!r}")
                    break
        for arrow, head in _heads(ax, renderer):
            extent = head.get_extents()
            centre = ((extent.x0 + extent.x1) / 2, (extent.y0 + extent.y1) / 2)
            if any(patch.get_zorder() > arrow.get_zorder() and patch.contains_point(centre)
                   for patch, _ in covers):
                found.append("an arrowhead is hidden under a shape drawn over it")
    return list(dict.fromkeys(found))


def _heads(ax, renderer) -> list:
    """Each arrow's head (the last of the paths an arrow strokes, when it has one)."""
    from matplotlib.patches import FancyArrowPatch

    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    arrows += [t.arrow_patch for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    heads = []
    for arrow in arrows:
        drawn, _ = arrow._get_path_in_displaycoord()
        if arrow.get_visible() and isinstance(drawn, list) and len(drawn) > 1:
            heads.append((arrow, drawn[-1]))
    return heads

