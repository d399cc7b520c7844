"""`![[Note#^block]]` in a table cell: the block's text shown in the cell, as Obsidian does,
with a link to where it comes from. A cell holds one line: a block that is more than a
paragraph (a list, a quote, a table) stays a link, as does any other embed in a cell."""

from __future__ import annotations

from markdown_it.tree import SyntaxTreeNode

from .. import embeds, messages
from ..markup import url
from ..resolve import Kind
from ..syntax import WIKILINK
from .writer import Writer, ancestors, select


def _embedded_paragraph(node: SyntaxTreeNode, w: Writer):
    """(link, shown span, the paragraph) when the node embeds one paragraph into a cell."""
    if node.type != WIKILINK or w.page.resolved is None:
        return None
    item = w.link_of(node)
    if (item is None or not item.link.embed or item.kind is not Kind.NOTE
            or item.anchor is None or not item.anchor.startswith("^")
            or not any(a.type in ("td", "th") for a in ancestors(node))):
        return None
    shown = embeds.shown_by(w.page.resolved.notes, item)
    if shown is None or embeds.refusal(w.chain, shown) or w.page.embeds_left <= 0:
        return None
    found = list(select(w.page.tree(shown.note).root.children, shown.first_line, shown.end_line))
    if len(found) != 1 or found[0].type != "paragraph":
        return None
    return item, shown, found[0]


def write_cell_embed(node: SyntaxTreeNode, w: Writer) -> str | None:
    embedded = _embedded_paragraph(node, w)
    if embedded is None:
        return None
    item, shown, paragraph = embedded
    w.page.embeds_left -= 1
    note = w.page.resolved.notes[shown.note]
    inner = Writer(w.page, note, w.page.tree(shown.note), (*w.chain, shown), nested=True)
    text = inner.inline(paragraph.children[0]).strip().replace("\n", "<br>")
    target = url(w.page.page, w.page.pages[item.path], item.anchor)
    source = messages.current()("render.embedded_from", label=shown.label.replace('"', "'"))
    return f'{text} [↗]({target} "{source}")'


INLINE = {WIKILINK: write_cell_embed}
