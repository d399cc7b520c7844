"""Task items: `- [ ]` and `- [x]` as pymdownx.tasklist draws them, and Obsidian's other
marks (`[?]`, `[-]`, `[>]`, …: done, keeping their character for themes)."""

from __future__ import annotations

import re

from markdown_it.tree import SyntaxTreeNode

from ..markup import task_marker
from .writer import Writer

_TASK = re.compile(r"\[([^\[\]\n])\] +(?=\S)")


def _task_mark(inline: SyntaxTreeNode) -> re.Match[str] | None:
    """The `[c] ` opening a list item's first paragraph."""
    paragraph = inline.parent
    item = paragraph.parent if paragraph is not None else None
    if (item is None or item.type != "list_item" or item.children[0] is not paragraph
            or not inline.children or inline.children[0].type != "text"):
        return None
    return _TASK.match(inline.children[0].content)


def lead(node: SyntaxTreeNode, w: Writer) -> str:
    found = _task_mark(node)
    if found is None:
        return ""
    mark = found.group(1)
    return f"[{mark}] " if mark in " xX" else task_marker(mark) + " "


def trim_text(node: SyntaxTreeNode, content: str, w: Writer) -> str:
    inline = node.parent
    if inline is None or inline.children[0] is not node or inline.type != "inline":
        return content
    found = _task_mark(inline)
    return content[found.end():] if found else content
