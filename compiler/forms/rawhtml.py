"""Raw HTML written in a note, as a block or in a line: sanitised as Obsidian does (or, in
`trusted` mode, kept as written except what would load from another host; see
`compiler.sanitize`). Every piece of the note's own HTML goes through `emit`."""

from __future__ import annotations

import textwrap

from markdown_it.tree import SyntaxTreeNode

from ..sanitize import clean_html
from .writer import Writer


def emit(raw_html: str, w: Writer) -> str:
    """The note's raw HTML as the page gets it. An address relative to the page is left
    out: it would point at nothing on the site (parse says so: `html-relative-address`)."""
    return clean_html(raw_html, w.page.raw_html, keep_relative=False)


def html_block(node: SyntaxTreeNode, w: Writer) -> str:
    source = node.content.rstrip("\n")
    cleaned = emit(source, w)
    if "\n\n" not in source:  # a tag the sanitiser took out must not leave a blank line,
        # which would end the block for Python-Markdown half-way
        cleaned = "\n".join(line for line in cleaned.split("\n") if line.strip())
    if not cleaned.startswith("<"):  # now text first (its tag taken out): text, not code
        cleaned = textwrap.dedent(cleaned)
    return cleaned


def html_inline(node: SyntaxTreeNode, w: Writer) -> str:
    return emit(node.content, w)


BLOCK = {"html_block": html_block}
INLINE = {"html_inline": html_inline}
