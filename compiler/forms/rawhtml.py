"""Raw HTML written in a note, as a block or in a line: sanitised as Obsidian does (or, in
`trusted` mode, kept as written except what would load from another host; see
`compiler.sanitize`). Every piece of the note's own HTML goes through `emit`."""

from __future__ import annotations

from markdown_it.tree import SyntaxTreeNode

from ..sanitize import clean_html
from .writer import Writer


def emit(raw_html: str, w: Writer) -> str:
    """The note's raw HTML as the page gets it."""
    return clean_html(raw_html, w.page.raw_html)


def html_block(node: SyntaxTreeNode, w: Writer) -> str:
    return emit(node.content.rstrip("\n"), w)


def html_inline(node: SyntaxTreeNode, w: Writer) -> str:
    return emit(node.content, w)


BLOCK = {"html_block": html_block}
INLINE = {"html_inline": html_inline}
