"""CommonMark's own nodes (paragraphs, quotes, lists, code, tables, emphasis, Markdown
links) written in the Python-Markdown dialect. Obsidian's forms come before these in the
registry and take the nodes they recognise."""

from __future__ import annotations

import re

from markdown_it.tree import SyntaxTreeNode

from ..normalize import SEGMENT_BREAK
from . import dialect
from .writer import Writer

# A paragraph longer than this (in characters of the staged page) is written in segments of
# about SEGMENT_CHARS, which Python-Markdown reads one by one (see compiler.long_paragraphs):
# its time per segment grows with the square of the segment's length (measured on a 200 KB
# paragraph: 4.6 s in segments of 4,000 characters, 2.3 s of 2,000, 1.3 s of 500).
LONG_PARAGRAPH_CHARS = 4000
SEGMENT_CHARS = 500


def paragraph(node: SyntaxTreeNode, w: Writer) -> str:
    """The paragraph's text; a span that is a block of its own (a note embed's box, a
    figure on a line of its own) splits it, the text around staying paragraphs."""
    if not node.children:
        return ""
    inline = node.children[0]
    lead = "".join(lead(inline, w) for lead in w.leads)
    if not any(w.breaks(child) for child in inline.children):
        return (lead + segmented(inline.children, w)).strip()
    parts, run = [], []
    for child in inline.children:
        if w.breaks(child):
            parts += [lead + segmented(run, w).strip(), w.span(child)]
            run, lead = [], ""
        else:
            run.append(child)
    parts.append(lead + segmented(run, w).strip())
    return dialect.joined(parts)


def segmented(nodes: list[SyntaxTreeNode], w: Writer) -> str:
    """A paragraph's spans; when they are longer than `LONG_PARAGRAPH_CHARS`, with a
    `SEGMENT_BREAK` about every `SEGMENT_CHARS` characters, each before a space that starts
    a span of their top level (or a piece of a long text): no link, emphasis, code or bare
    URL crosses such a place, so Python-Markdown reads each segment as it reads the whole."""
    pieces = [piece for n in nodes for piece in _pieces(n, w)]
    if sum(len(piece) for piece in pieces) <= LONG_PARAGRAPH_CHARS:
        return "".join(pieces)
    out: list[str] = []
    length = 0  # since the last break
    for piece in pieces:
        if (length >= SEGMENT_CHARS and piece.startswith(" ") and piece.strip()
                and out and not out[-1].endswith("\n")):
            out.append(SEGMENT_BREAK)
            length = 0
        out.append(piece)
        length += len(piece)
    return "".join(out)


def _pieces(node: SyntaxTreeNode, w: Writer) -> list[str]:
    """A span as written; a long text in pieces, each after the first starting with a
    space (a text holds no line break: those are spans of their own)."""
    if node.type != "text" or len(node.content) <= SEGMENT_CHARS:
        return [w.span(node)]
    content = w.trimmed(node, node.content)
    pieces, start = [], 0
    while (cut := content.find(" ", start + SEGMENT_CHARS)) > 0:
        pieces.append(dialect.text(content[start:cut]))
        start = cut
    pieces.append(dialect.text(content[start:]))
    return pieces


def blockquote(node: SyntaxTreeNode, w: Writer) -> str:
    with w.inside():
        body = w.blocks(node.children)
    return dialect.quoted(body) if body.strip() else ""


def _tight(node: SyntaxTreeNode) -> bool:
    """markdown-it hides the paragraphs of a tight list's items."""
    return all(p.hidden for item in node.children for p in item.children
               if p.type == "paragraph")


# Blocks Python-Markdown does not read on a list marker's line.
_BELOW_MARKER = re.compile(r"(?:>|```|~~~|\||    )")
ITEM_START = '<span class="kb-item-start"></span>'


def a_list(node: SyntaxTreeNode, w: Writer, items: list[SyntaxTreeNode] | None = None) -> str:
    ordered = node.type == "ordered_list"
    start = int(node.attrs.get("start", 1)) if ordered else 1
    with w.inside():
        bodies = [item_body(item, w, _tight(node)) for item in
                  (items if items is not None else node.children)]
    # Python-Markdown wraps every item's text in <p> once one item holds a blank line, and
    # reads a quote, fence or table opening an item only in such a loose list, after
    # something on the marker's line.
    below = [bool(body.strip()) and bool(_BELOW_MARKER.match(body)) for body in bodies]
    tight = _tight(node) and not any("\n\n" in body for body in bodies) and not any(below)
    written = []
    for number, body in enumerate(bodies):
        marker = f"{start + number}." if ordered else "-"
        if not body.strip():
            written.append(marker)
        elif below[number]:
            written.append(f"{marker} {ITEM_START}\n\n" + dialect.indented(body))
        else:
            written.append(dialect.indented(body, first=f"{marker} "))
    return dialect.joined(written, tight)


def item_body(item: SyntaxTreeNode, w: Writer, tight: bool) -> str:
    """An item's blocks: in a tight list its first paragraph and a list right under it go
    without a blank line (Python-Markdown nests the list); any other block gets one."""
    parts: list[str] = []
    for child in item.children:
        written = w.block(child)
        if not written.strip():
            continue
        if parts:
            # Python-Markdown nests a list under the item's first paragraph only.
            nests = (child.type in ("bullet_list", "ordered_list") and "\n\n" not in written
                     and len(parts) == 1 and item.children[0].type == "paragraph"
                     and "\n\n" not in parts[0])
            gap = "\n" if tight and nests else "\n\n"
            parts.append(gap)
        parts.append(written)
    return "".join(parts)


def list_item(node: SyntaxTreeNode, w: Writer) -> str:
    """An item drawn on its own (an embedded block that is a list item): a list of one."""
    return a_list(node.parent, w, [node])


def fence(node: SyntaxTreeNode, w: Writer) -> str:
    return dialect.fence(node.content, node.info)


def code_block(node: SyntaxTreeNode, w: Writer) -> str:
    return dialect.indented(node.content.rstrip("\n"))


def hr(node: SyntaxTreeNode, w: Writer) -> str:
    return "---"


def table(node: SyntaxTreeNode, w: Writer) -> str:
    rows: list[list[str]] = []
    aligns: list[str] = []
    for section in node.children:
        for row in section.children:
            cells = []
            for cell in row.children:
                text = w.inline(cell.children[0]) if cell.children else ""
                cells.append(text.replace("\n", " ").strip() or " ")
                if section.type == "thead":
                    style = cell.attrs.get("style", "")
                    aligns.append({"text-align:left": ":---", "text-align:right": "---:",
                                   "text-align:center": ":---:"}.get(str(style), "---"))
            rows.append(cells)
    if not rows:
        return ""
    width = len(aligns) or len(rows[0])
    lines = ["| " + " | ".join((r + [" "] * width)[:width]) + " |" for r in rows]
    lines.insert(1, "| " + " | ".join(aligns or ["---"] * width) + " |")
    return "\n".join(lines)


def nothing(node: SyntaxTreeNode, w: Writer) -> str:
    return ""


# -- inline --

def text(node: SyntaxTreeNode, w: Writer) -> str:
    return w.span_text(node, node.content)


def softbreak(node: SyntaxTreeNode, w: Writer) -> str:
    return "\n"  # nl2br: a line break, as in Obsidian


def emphasis(mark: str):
    def write(node: SyntaxTreeNode, w: Writer) -> str:
        inner = w.spans(node.children)
        return f"{mark}{inner}{mark}" if inner.strip() else inner
    return write


def code_inline(node: SyntaxTreeNode, w: Writer) -> str:
    return dialect.code_span(node.content)


BLOCK = {
    "paragraph": paragraph,
    "blockquote": blockquote,
    "bullet_list": a_list,
    "ordered_list": a_list,
    "list_item": list_item,
    "fence": fence,
    "code_block": code_block,
    "hr": hr,
    "table": table,
    "front_matter": nothing,
    "footnote_block": nothing,  # the page writes footnotes at its end
}
INLINE = {
    "text": text,
    "softbreak": softbreak,
    "hardbreak": softbreak,
    "em": emphasis("*"),
    "strong": emphasis("**"),
    "s": emphasis("~~"),
    "code_inline": code_inline,
}
