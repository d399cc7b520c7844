"""Block ids: ` ^id` ending a paragraph or list item, or `^id` on a line of its own after a
list, quote or table. The marker is not shown; the block it names gets an anchor at its
first text, which `[[Note#^id]]` links to (a fragment embedded elsewhere gives none)."""

from __future__ import annotations

import html
import re

from markdown_it.tree import SyntaxTreeNode

from .writer import Writer

_MARKER = re.compile(r"(?:^|[ \t])\^[A-Za-z0-9-]+[ \t]*$")


def anchor(block_anchor: str) -> str:
    return f'<span class="kb-block-anchor" id="{html.escape(block_anchor, quote=True)}"></span>'


def lead(node: SyntaxTreeNode, w: Writer) -> str:
    """The anchor of the block whose first text this inline node is."""
    if w.nested or node.map is None:
        return ""
    block_id = w.tree.anchor_lines.get(node.map[0])
    if block_id is None or block_id.name.casefold() in w.anchored:
        return ""
    w.anchored.add(block_id.name.casefold())
    return anchor(block_id.anchor)


def trim_text(node: SyntaxTreeNode, content: str, w: Writer) -> str:
    """The last text of a paragraph whose last line ends with a block id, without it."""
    inline = node.parent
    if (inline is None or inline.type != "inline" or inline.map is None
            or inline.children[-1] is not node or inline.map[1] - 1 not in w.tree.id_lines):
        return content
    found = _MARKER.search(content)
    return content[:found.start()] if found else content
