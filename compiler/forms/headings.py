"""Headings: ATX or setext in the note, `## text { #anchor }` on the page with the anchor
`parse` gave it (links and the outline use it). A heading of a fragment embedded on another
page takes an id still free there."""

from __future__ import annotations

from markdown_it.tree import SyntaxTreeNode

from ..parse import slugify
from . import dialect
from .writer import Writer


def fresh_anchor(base: str, taken: set[str]) -> str:
    anchor, number = base, 0
    while anchor in taken:
        number += 1
        anchor = f"{base}-{number}"
    taken.add(anchor)
    return anchor


def write_heading(node: SyntaxTreeNode, w: Writer) -> str:
    text = w.inline(node.children[0]).replace("\n", " ").strip() if node.children else ""
    heading = w.tree.headings.get(node.map[0]) if node.map else None
    anchor = heading.anchor if heading else slugify(node.children[0].content)
    if w.nested:
        anchor = fresh_anchor(anchor, w.page.anchors)
    return dialect.heading(int(node.tag[1]), text, anchor)


BLOCK = {"heading": write_heading}
