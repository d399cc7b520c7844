"""Raw HTML written in a note, as a block or in a line: passed to the page as written,
except what would make the browser load something from another host. Every piece of the
note's own HTML goes through `emit`."""

from __future__ import annotations

import re

from markdown_it.tree import SyntaxTreeNode

from .writer import Writer

_LOADING_ATTRIBUTE = re.compile(r"\b(src|srcset|poster|data|href)(\s*=)|url\(|@import", re.I)
# Raw HTML that makes the browser fetch from another host as it renders (see parse).
EXTERNAL_LOAD = re.compile(
    r"""(?:\b(?:src|srcset|poster|data|href)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)"""
    r"""(?P<url>(?:https?:)?//[^\s"'>)]+)""", re.I)


def blocked(raw_html: str) -> str:
    """Raw HTML with every attribute that would fetch from another host switched off."""
    return _LOADING_ATTRIBUTE.sub(
        lambda m: f"data-kb-blocked-{m.group(1)}{m.group(2)}" if m.group(1) else "kb-blocked-",
        raw_html)


def emit(raw_html: str) -> str:
    """The note's raw HTML as the page gets it."""
    return blocked(raw_html) if EXTERNAL_LOAD.search(raw_html) else raw_html


def html_block(node: SyntaxTreeNode, w: Writer) -> str:
    return emit(node.content.rstrip("\n"))


def html_inline(node: SyntaxTreeNode, w: Writer) -> str:
    return emit(node.content)


BLOCK = {"html_block": html_block}
INLINE = {"html_inline": html_inline}
