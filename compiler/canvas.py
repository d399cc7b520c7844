"""Canvas: one `.canvas` file (JSON Canvas 1.0) -> plain dataclasses, and the `Note` that
lets every later stage treat the board as a page of the vault.

Pure: no file access. A malformed canvas never stops a build: what can be read is kept,
and every problem is a diagnostic at its place in the file (the JSON decoder's position for
bad JSON, the node's or edge's object for a schema error). Links made by a canvas (file
cards, links in text cards) are the canvas note's links, so `resolve` gives them targets and
`graph` makes them edges and backlinks, as in Obsidian 1.12.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from json.decoder import scanstring

from .diagnostics import Diagnostic, Severity
from .parse import Link, Note, decode, parse_note
from .scan import CANVAS_SUFFIX

NODE_TYPES = ("text", "file", "link", "group")
SIDES = ("top", "right", "bottom", "left")
ENDS = ("none", "arrow")
_PRESET = re.compile(r"^[1-6]$")
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER_FIELDS = ("x", "y", "width", "height")


def is_canvas(path: str) -> bool:
    return path.lower().endswith(CANVAS_SUFFIX)


@dataclass(frozen=True, slots=True)
class Place:
    line: int  # 1-based
    col: int  # 1-based, in characters


@dataclass(frozen=True, slots=True)
class CanvasNode:
    id: str
    kind: str  # text, file, link or group
    x: float
    y: float
    width: float
    height: float
    color: str | None  # "1"-"6" (a preset) or "#rrggbb"; None: the default
    place: Place  # where its object starts in the file
    text: str = ""  # text card: Markdown
    file: str = ""  # file card: vault path
    subpath: str = ""  # file card: "#Heading" or "#^block"
    url: str = ""  # link card
    label: str = ""  # group
    text_place: Place | None = None  # where a text card's text starts


@dataclass(frozen=True, slots=True)
class CanvasEdge:
    id: str
    from_node: str
    to_node: str
    from_side: str | None  # None: the side facing the other card
    to_side: str | None
    from_end: str  # "none" or "arrow"
    to_end: str
    label: str
    color: str | None
    place: Place


@dataclass(frozen=True)
class Canvas:
    path: str
    nodes: tuple[CanvasNode, ...]  # in file order: the first is drawn below the others
    edges: tuple[CanvasEdge, ...]
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether everything the file describes could be drawn."""
        return not self.diagnostics

    def node(self, node_id: str) -> CanvasNode | None:
        return next((n for n in self.nodes if n.id == node_id), None)


def _offsets_to_place(text: str) -> Callable[[int], Place]:
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def place(offset: int) -> Place:
        line = bisect.bisect_right(starts, offset)
        return Place(line, offset - starts[line - 1] + 1)
    return place


def value_offsets(text: str) -> dict[tuple, int]:
    """Where each value of a valid JSON text starts, by its path (`("nodes", 2, "x")`), down
    to the members of the top level's arrays' objects. Call only on text json.loads took."""
    found: dict[tuple, int] = {}
    decoder = json.JSONDecoder()

    def skip(at: int) -> int:
        return _WHITESPACE.match(text, at).end()

    def value(at: int, path: tuple) -> int:
        at = skip(at)
        if at >= len(text):  # an empty file: nothing to point at
            return at
        found[path] = at
        opening = text[at]
        if len(path) >= 3 or opening not in "{[":
            return decoder.raw_decode(text, at)[1]
        closing = "}" if opening == "{" else "]"
        at = skip(at + 1)
        if text[at] == closing:
            return at + 1
        index = 0
        while True:
            at = skip(at)
            if opening == "{":
                key, at = scanstring(text, at + 1)
                at = skip(at) + 1  # past ':'
                at = value(at, (*path, key))
            else:
                at = value(at, (*path, index))
                index += 1
            at = skip(at)
            if text[at] == ",":
                at += 1
                continue
            return at + 1

    value(0, ())
    return found


class _Reader:
    """Reads the decoded JSON against the spec, keeping what is valid and saying the rest."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.place_of = _offsets_to_place(text)
        self.offsets = value_offsets(text)
        self.problems: list[Diagnostic] = []

    def place(self, *path: object) -> Place:
        for length in range(len(path), -1, -1):
            if path[:length] in self.offsets:
                return self.place_of(self.offsets[path[:length]])
        return Place(1, 1)

    def problem(self, where: Place, message: str, hint: str = "") -> None:
        self.problems.append(Diagnostic(self.path, where.line, where.col, Severity.WARNING,
                                        "invalid-canvas", message, hint))

    def string(self, item: dict, key: str, where: tuple, required: bool, what: str) -> str | None:
        value = item.get(key)
        if value is None:
            if required:
                self.problem(self.place(*where), f"{what} has no {key!r}")
            return None
        if not isinstance(value, str):
            self.problem(self.place(*where, key), f"{what}: {key!r} must be a string, "
                                                  f"not {type(value).__name__}")
            return None
        return value

    def color(self, item: dict, where: tuple, what: str) -> str | None:
        value = self.string(item, "color", where, False, what)
        if value is None or _PRESET.match(value) or _HEX.match(value):
            return value
        self.problem(self.place(*where, "color"), f"{what}: color {value!r} is neither a preset "
                     "(\"1\" to \"6\") nor a hex colour (\"#ff0000\"); drawn without colour")
        return None

    def choice(self, item: dict, key: str, where: tuple, what: str, allowed: tuple[str, ...]
               ) -> str | None:
        value = self.string(item, key, where, False, what)
        if value is None or value in allowed:
            return value
        self.problem(self.place(*where, key), f"{what}: {key} {value!r} is not one of "
                     + ", ".join(allowed))
        return None

    def node(self, item: object, index: int, taken: set[str]) -> CanvasNode | None:
        where = ("nodes", index)
        what = f"node {index + 1}"
        if not isinstance(item, dict):
            self.problem(self.place(*where), f"{what} is not an object; not drawn")
            return None
        node_id = self.string(item, "id", where, True, what)
        if node_id is None:
            return None
        what = f"node {node_id!r}"
        if node_id in taken:
            self.problem(self.place(*where, "id"), f"{what}: this id is already used; not drawn",
                         "give every node its own id")
            return None
        kind = self.string(item, "type", where, True, what)
        if kind is None:
            return None
        if kind not in NODE_TYPES:
            self.problem(self.place(*where, "type"), f"{what}: unknown type {kind!r}; not drawn",
                         "types: " + ", ".join(NODE_TYPES))
            return None
        numbers = {}
        for key in _NUMBER_FIELDS:
            value = item.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                shown = "missing" if value is None else f"a {type(value).__name__}"
                self.problem(self.place(*where, key) if value is not None else self.place(*where),
                             f"{what}: {key!r} must be a number ({shown}); not drawn")
                return None
            numbers[key] = float(value)
        if numbers["width"] <= 0 or numbers["height"] <= 0:
            self.problem(self.place(*where), f"{what}: width and height must be positive; not drawn")
            return None
        fields: dict[str, object] = {}
        if kind == "text":
            text = self.string(item, "text", where, True, what)
            if text is None:
                return None
            fields = {"text": text, "text_place": self.place(*where, "text")}
        elif kind == "file":
            file = self.string(item, "file", where, True, what)
            if file is None:
                return None
            subpath = self.string(item, "subpath", where, False, what) or ""
            if subpath and not subpath.startswith("#"):
                self.problem(self.place(*where, "subpath"),
                             f"{what}: subpath {subpath!r} must start with '#'; the whole file is shown")
                subpath = ""
            fields = {"file": file, "subpath": subpath}
        elif kind == "link":
            url = self.string(item, "url", where, True, what)
            if url is None:
                return None
            fields = {"url": url}
        else:
            fields = {"label": self.string(item, "label", where, False, what) or ""}
        taken.add(node_id)
        return CanvasNode(node_id, kind, numbers["x"], numbers["y"], numbers["width"],
                          numbers["height"], self.color(item, where, what), self.place(*where),
                          **fields)

    def edge(self, item: object, index: int, nodes: set[str]) -> CanvasEdge | None:
        where = ("edges", index)
        what = f"edge {index + 1}"
        if not isinstance(item, dict):
            self.problem(self.place(*where), f"{what} is not an object; not drawn")
            return None
        edge_id = self.string(item, "id", where, True, what)
        if edge_id is None:
            return None
        what = f"edge {edge_id!r}"
        ends = []
        for key in ("fromNode", "toNode"):
            target = self.string(item, key, where, True, what)
            if target is None:
                return None
            if target not in nodes:
                self.problem(self.place(*where, key), f"{what}: {key} {target!r} names no node "
                             "of the canvas; not drawn")
                return None
            ends.append(target)
        return CanvasEdge(
            edge_id, ends[0], ends[1],
            self.choice(item, "fromSide", where, what, SIDES),
            self.choice(item, "toSide", where, what, SIDES),
            self.choice(item, "fromEnd", where, what, ENDS) or "none",
            self.choice(item, "toEnd", where, what, ENDS) or "arrow",
            self.string(item, "label", where, False, what) or "",
            self.color(item, where, what), self.place(*where))


def _array(reader: _Reader, data: dict, key: str) -> list:
    value = data.get(key, [])
    if isinstance(value, list):
        return value
    reader.problem(reader.place(key), f"{key!r} must be an array; nothing of it is drawn")
    return []


def read_canvas(path: str, text: str) -> Canvas:
    """The canvas a decoded `.canvas` text describes, with a diagnostic per problem."""
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        problem = Diagnostic(path, exc.lineno, exc.colno, Severity.ERROR, "canvas-json",
                             f"the canvas is not valid JSON: {exc.msg}",
                             "open it in Obsidian, which rewrites it, or fix it by hand")
        return Canvas(path, (), (), (problem,))
    except RecursionError:
        problem = Diagnostic(path, 1, 1, Severity.ERROR, "canvas-json",
                             "the canvas nests too deep to be read")
        return Canvas(path, (), (), (problem,))
    reader = _Reader(path, text)
    if not isinstance(data, dict):
        reader.problem(Place(1, 1), "the canvas must be a JSON object with 'nodes' and 'edges'")
        return Canvas(path, (), (), tuple(reader.problems))
    taken: set[str] = set()
    nodes = [n for i, item in enumerate(_array(reader, data, "nodes"))
             if (n := reader.node(item, i, taken)) is not None]
    edge_ids: set[str] = set()
    edges = []
    for index, item in enumerate(_array(reader, data, "edges")):
        edge = reader.edge(item, index, taken)
        if edge is None:
            continue
        if edge.id in edge_ids:  # drawn all the same: an edge's id names nothing else
            reader.problem(edge.place, f"edge {edge.id!r}: this id is already used")
        edge_ids.add(edge.id)
        edges.append(edge)
    return Canvas(path, tuple(nodes), tuple(edges), tuple(reader.problems))


def title_of(path: str) -> str:
    """Obsidian names a canvas by its file name without the extension."""
    name = path.rsplit("/", 1)[-1]
    return name[:-len(CANVAS_SUFFIX)] if is_canvas(name) else name


def card_notes(canvas: Canvas) -> dict[str, Note]:
    """Each text card's Markdown parsed as a note of the canvas's folder (by node id)."""
    return {node.id: parse_note(canvas.path, node.text.encode("utf-8"))
            for node in canvas.nodes if node.kind == "text"}


def _file_link(node: CanvasNode) -> Link:
    fragment = node.subpath[1:]
    attachment = not node.file.lower().endswith(".md")
    return Link(target=node.file, fragment=fragment, display=None, embed=attachment,
                style="canvas", external=False, raw=f"[[{node.file}{node.subpath}]]",
                start=-1, end=-1, line=node.place.line, col=node.place.col, holder="canvas")


def card_links(canvas: Canvas, cards: dict[str, Note]) -> tuple[tuple[str, tuple[Link, ...]], ...]:
    """The links each card makes, in node order: a text card's links placed at its text in
    the file (markdown offsets inside a JSON string are not the file's), a file card's link
    to its file. The canvas note's links are these, flattened in this order."""
    found = []
    for node in canvas.nodes:
        if node.kind == "text":
            where = node.text_place or node.place
            links = tuple(replace(link, start=-1, end=-1, line=where.line, col=where.col)
                          for link in cards[node.id].links)
        elif node.kind == "file" and node.file.strip():
            links = (_file_link(node),)
        else:
            continue
        found.append((node.id, links))
    return tuple(found)


def canvas_note(path: str, data: bytes) -> Note:
    """The note standing for a canvas: its title, its links, the words of its cards (for
    search), and its diagnostics; `source` keeps the JSON text, which `render` reads again."""
    text, problems = decode(path, data)
    canvas = read_canvas(path, text)
    cards = card_notes(canvas)
    links = tuple(link for _, group in card_links(canvas, cards) for link in group)
    words = [n.label for n in canvas.nodes if n.label] + [c.text for c in cards.values()]
    words += [e.label for e in canvas.edges if e.label]
    card_problems = tuple(replace(d, line=(node.text_place or node.place).line,
                                  col=(node.text_place or node.place).col)
                          for node in canvas.nodes if node.id in cards
                          for d in cards[node.id].diagnostics)
    return Note(path=path, title=title_of(path), source=text, body_start=0, links=links,
                text="\n".join(w for w in words if w.strip()),
                diagnostics=(*problems, *canvas.diagnostics, *card_problems))
