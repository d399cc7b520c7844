"""Canvas boards: a `.canvas` file's page, and `![[board.canvas]]` embedding it in a note.

The board is drawn at build time as HTML the page carries: each card an absolutely placed
box at its canvas position (groups first, below the cards, with their labels), the edges one
inline SVG of Bézier paths with their arrowheads, their labels boxes at the curves' middles.
Text cards are written by the same writers as notes (wikilinks, math, callouts), file cards
show the note they name (its section for `#Heading` / `#^block`, as an embed does) or the
image or media file, link cards their address as a link: nothing is loaded from another host.
`assets/canvas.js` adds panning and zooming; without it the board is still drawn, scrollable.
"""

from __future__ import annotations

import html
import itertools
import math
import re
from dataclasses import dataclass

from markdown_it.tree import SyntaxTreeNode

from .. import embeds, messages
from ..canvas import Canvas, CanvasEdge, CanvasNode, card_links, card_notes, is_canvas, read_canvas
from ..markup import literal, url
from ..resolve import Kind, ResolvedLink
from . import dialect
from .wikilinks import placeholder, render_link
from .writer import Page, Writer, make_tree

PADDING = 40  # around the cards, in canvas pixels
ARROW = 12  # arrowhead length
_SAFE_URL = re.compile(r"^(?:https?|mailto):", re.IGNORECASE)
_NORMALS = {"top": (0, -1), "right": (1, 0), "bottom": (0, 1), "left": (-1, 0)}


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class Box:
    left: float
    top: float
    width: float
    height: float


def bounds(canvas: Canvas) -> Box:
    """The rectangle holding every card, with a margin."""
    if not canvas.nodes:
        return Box(0, 0, 400, 200)
    left = min(n.x for n in canvas.nodes) - PADDING
    top = min(n.y for n in canvas.nodes) - PADDING
    right = max(n.x + n.width for n in canvas.nodes) + PADDING
    bottom = max(n.y + n.height for n in canvas.nodes) + PADDING
    return Box(left, top, right - left, bottom - top)


def facing_side(node: CanvasNode, other: CanvasNode) -> str:
    """The side of `node` that faces `other`, for an edge that names no side."""
    dx = (other.x + other.width / 2) - (node.x + node.width / 2)
    dy = (other.y + other.height / 2) - (node.y + node.height / 2)
    if abs(dx) * node.height >= abs(dy) * node.width:
        return "right" if dx >= 0 else "left"
    return "bottom" if dy >= 0 else "top"


def side_point(node: CanvasNode, side: str) -> tuple[float, float]:
    return {"top": (node.x + node.width / 2, node.y),
            "bottom": (node.x + node.width / 2, node.y + node.height),
            "left": (node.x, node.y + node.height / 2),
            "right": (node.x + node.width, node.y + node.height / 2)}[side]


@dataclass(frozen=True, slots=True)
class EdgePath:
    """An edge as drawn: its curve (canvas coordinates), its arrowheads and where its label sits."""

    edge: CanvasEdge
    d: str  # the SVG path
    arrows: tuple[str, ...]  # SVG polygon points, one per arrow end
    middle: tuple[float, float]


def _arrow(tip: tuple[float, float], side: str) -> str:
    """A triangle pointing into the card at `tip`, entering through `side`."""
    nx, ny = _NORMALS[side]
    base = (tip[0] + nx * ARROW, tip[1] + ny * ARROW)
    half = ARROW / 2
    corners = (tip, (base[0] - ny * half, base[1] + nx * half), (base[0] + ny * half, base[1] - nx * half))
    return " ".join(f"{_number(x)},{_number(y)}" for x, y in corners)


def edge_path(edge: CanvasEdge, start: CanvasNode, end: CanvasNode) -> EdgePath:
    """Obsidian's curve: leaves and enters each card straight out of its side."""
    from_side = edge.from_side or facing_side(start, end)
    to_side = edge.to_side or facing_side(end, start)
    p0, p3 = side_point(start, from_side), side_point(end, to_side)
    reach = min(200.0, max(40.0, math.dist(p0, p3) / 2))
    n0, n3 = _NORMALS[from_side], _NORMALS[to_side]
    p1 = (p0[0] + n0[0] * reach, p0[1] + n0[1] * reach)
    p2 = (p3[0] + n3[0] * reach, p3[1] + n3[1] * reach)
    d = "M {} {} C {} {}, {} {}, {} {}".format(*(_number(v) for v in (*p0, *p1, *p2, *p3)))
    middle = tuple(0.125 * a + 0.375 * b + 0.375 * c + 0.125 * e
                   for a, b, c, e in zip(p0, p1, p2, p3, strict=True))
    arrows = tuple(_arrow(tip, side) for tip, side, end_kind in
                   ((p0, from_side, edge.from_end), (p3, to_side, edge.to_end)) if end_kind == "arrow")
    return EdgePath(edge, d, arrows, middle)


def _color(color: str | None) -> tuple[str, str]:
    """(class, style) giving a card or edge its colour: a preset by class, a hex by variable."""
    if color is None:
        return "", ""
    if color.startswith("#"):
        return " kb-canvas-colored", f"--kb-canvas-color: {color};"
    return f" kb-canvas-colored kb-canvas-color-{color}", ""


def _placed(node: CanvasNode, box: Box) -> str:
    return (f"left: {_number(node.x - box.left)}px; top: {_number(node.y - box.top)}px; "
            f"width: {_number(node.width)}px; height: {_number(node.height)}px;")


class _Board:
    """One canvas drawn onto one page."""

    def __init__(self, path: str, page: Page, chain: tuple, nested: bool):
        self.path, self.page, self.chain, self.nested = path, page, chain, nested
        resolved = page.resolved
        self.canvas = read_canvas(path, resolved.notes[path].source)
        self.cards = card_notes(self.canvas)
        self.links: dict[str, tuple[ResolvedLink, ...]] = {}
        flat = iter(resolved.links[path])
        for node_id, group in card_links(self.canvas, self.cards):
            self.links[node_id] = tuple(itertools.islice(flat, len(group)))
        self.words = messages.current()

    def text_card(self, node: CanvasNode) -> str:
        note = self.cards[node.id]
        tree = make_tree(note, self.links.get(node.id, ()))
        writer = Writer(self.page, note, tree, (*self.chain, embeds.whole(note)), nested=True)
        return dialect.joined([writer.block(n) for n in tree.root.children])

    def file_card(self, node: CanvasNode) -> tuple[str, str]:
        """(heading, body) of a file card: a link to the file, and what it shows."""
        group = self.links.get(node.id, ())
        item = group[0] if group else None
        page = self.page
        name = node.file.rsplit("/", 1)[-1]
        if item is None or (item.path is None and item.kind is not Kind.GENERATED):
            missing = placeholder("kb-missing-attachment", self.words("canvas.missing_file"),
                                  node.file, node.file)
            return "", missing
        if item.kind is not Kind.NOTE:
            return "", render_link(item, page.page, page.pages, page.results)
        target = page.resolved.notes[item.path]
        heading = f"[{literal(target.title)}]({url(page.page, page.pages[item.path], item.anchor)})"
        if is_canvas(item.path) or (shown := embeds.shown_by(page.resolved.notes, item)) is None:
            return heading, ""
        if embeds.refusal(self.chain, shown) or page.embeds_left <= 0:
            return heading, ""
        page.embeds_left -= 1
        inner = Writer(page, target, page.tree(item.path), (*self.chain, shown), nested=True)
        return heading, inner.fragment(shown.first_line, shown.end_line) or literal(name)

    def card(self, node: CanvasNode, box: Box) -> str:
        color_class, color_style = _color(node.color)
        style = _placed(node, box) + (" " + color_style if color_style else "")
        opening = (f'<div class="kb-canvas-node kb-canvas-{node.kind}{color_class}" '
                   f'data-node-id="{_attr(node.id)}" style="{style}"')
        if node.kind == "group":
            label = f'<div class="kb-canvas-group-label">{literal(node.label)}</div>' if node.label else ""
            return f"{opening}>{label}</div>"
        if node.kind == "link":
            address = node.url.strip()
            shown = literal(address)
            body = (f'<a class="kb-canvas-url" href="{_attr(address)}" rel="noopener noreferrer">'
                    f"{shown}</a>" if _SAFE_URL.match(address) else f"<span>{shown}</span>")
            return f'{opening}><div class="kb-canvas-content">{body}</div></div>'
        if node.kind == "file":
            heading, body = self.file_card(node)
        else:
            heading, body = "", self.text_card(node)
        parts = [f"{opening} markdown>", ""]
        if heading:
            parts += ['<div class="kb-canvas-file-name" markdown>', "", heading, "", "</div>", ""]
        parts += ['<div class="kb-canvas-content" markdown>', "", body, "", "</div>", "", "</div>"]
        return "\n".join(parts)

    def edges(self, box: Box) -> tuple[str, list[str]]:
        """The SVG of every edge, and the labels' boxes."""
        shapes, labels = [], []
        by_id = {n.id: n for n in self.canvas.nodes}
        for edge in self.canvas.edges:
            drawn = edge_path(edge, by_id[edge.from_node], by_id[edge.to_node])
            color_class, color_style = _color(edge.color)
            style = f' style="{color_style}"' if color_style else ""
            arrows = "".join(f'<polygon points="{p}"/>' for p in drawn.arrows)
            shapes.append(f'<g class="kb-canvas-edge{color_class}" data-edge-id="{_attr(edge.id)}"'
                          f'{style}><path d="{drawn.d}"/>{arrows}</g>')
            if edge.label:
                x, y = drawn.middle
                labels.append(f'<div class="kb-canvas-edge-label{color_class}" style="left: '
                              f'{_number(x - box.left)}px; top: {_number(y - box.top)}px;'
                              f'{" " + color_style if color_style else ""}">{literal(edge.label)}</div>')
        view = f"{_number(box.left)} {_number(box.top)} {_number(box.width)} {_number(box.height)}"
        size = f'width="{_number(box.width)}" height="{_number(box.height)}"'
        svg = (f'<div class="kb-canvas-edge-layer"><svg class="kb-canvas-edges" {size} '
               f'viewBox="{view}" aria-hidden="true">{"".join(shapes)}</svg></div>')
        return svg, labels

    def html(self, title_link: str = "") -> str:
        box = bounds(self.canvas)
        groups = [self.card(n, box) for n in self.canvas.nodes if n.kind == "group"]
        cards = [self.card(n, box) for n in self.canvas.nodes if n.kind != "group"]
        svg, labels = self.edges(box)
        words = self.words
        kind = "kb-canvas-embed" if self.nested else "kb-canvas-page"
        buttons = "".join(
            f'<button type="button" class="kb-canvas-{action}" title="{_attr(words(key))}" '
            f'aria-label="{_attr(words(key))}">{symbol}</button>'
            for action, key, symbol in (("zoom-in", "canvas.zoom_in", "+"),
                                        ("zoom-out", "canvas.zoom_out", "−"),
                                        ("fit", "canvas.fit", "⤢")))
        head = [f'<div class="kb-canvas {kind}" data-kb-canvas="" data-width="{_number(box.width)}" '
                f'data-height="{_number(box.height)}" markdown>', ""]
        if title_link:  # Markdown, so that MkDocs makes its address the page's
            head += ['<div class="kb-canvas-title" markdown>', "", title_link, "", "</div>", ""]
        head += [f'<div class="kb-canvas-controls">{buttons}</div>', "",
                '<div class="kb-canvas-viewport" markdown>', "",
                f'<div class="kb-canvas-world" style="width: {_number(box.width)}px; '
                f'height: {_number(box.height)}px;" markdown>', ""]
        body = [*groups, svg, *cards, *labels]
        return "\n".join(head) + "\n\n" + "\n\n".join(body) + "\n\n</div>\n\n</div>\n\n</div>"


def incomplete_notice(canvas: Canvas) -> str:
    """A box saying the board could not be drawn whole, and where the file is wrong."""
    words = messages.current()
    first = canvas.diagnostics[0]
    body = words("canvas.incomplete_body", n=len(canvas.diagnostics), line=first.line,
                 col=first.col, message=literal(first.message))
    return dialect.admonition(("warning", "kb-canvas-incomplete"), words("canvas.incomplete"), body)


def canvas_body(path: str, page: Page) -> str:
    """What a canvas's own page shows under its title."""
    board = _Board(path, page, (), nested=False)
    notice = incomplete_notice(board.canvas) if not board.canvas.complete else ""
    return dialect.joined([notice, board.html()])


def _canvas_embed(node: SyntaxTreeNode, w: Writer) -> ResolvedLink | None:
    item = w.link_of(node) if node.type == "wikilink" else None
    if (item is None or not item.link.embed or item.kind is not Kind.NOTE or item.path is None
            or not is_canvas(item.path) or w.page.resolved is None):
        return None
    return item


def breaks_paragraph(node: SyntaxTreeNode, w: Writer) -> bool:
    item = _canvas_embed(node, w)
    return item is not None and w.depth == 0 and item.link.holder == "paragraph"


def write_embed(node: SyntaxTreeNode, w: Writer) -> str | None:
    """`![[board.canvas]]`: the board in a pannable frame under a link to its page; inside
    another board, or where the page has drawn enough embeds, just the link."""
    item = _canvas_embed(node, w)
    if item is None:
        return None
    page = w.page
    target = url(page.page, page.pages[item.path])
    shown = item.link.display.strip() if item.link.display and item.link.display.strip() \
        else page.resolved.notes[item.path].title
    link = f"[{literal(shown)}]({target})"
    inside_canvas = any(is_canvas(s.note) for s in w.chain) or is_canvas(w.note.path)
    # The board is a block of HTML: in a quote, a list item, a table cell or a heading (where
    # Markdown would break it) it stays a link, as a note embed does.
    at_top = w.depth == 0 and item.link.holder == "paragraph"
    if inside_canvas or not at_top or page.embeds_left <= 0:
        return link
    page.embeds_left -= 1
    return _Board(item.path, page, w.chain, nested=True).html(link)


INLINE = {"wikilink": write_embed}
