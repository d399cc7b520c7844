"""Callouts: a blockquote whose first line says `[!type]± title`. Material draws boxes from
admonitions (`!!! type "title"`) and pymdownx.details (`???` folded, `???+` open), whose
body is indented; everything inside (links, math, lists, code, nested callouts) is written
like any other text."""

from __future__ import annotations

import re

from markdown_it.tree import SyntaxTreeNode

from ..markup import literal
from . import dialect
from .core import segmented
from .writer import Writer

# Obsidian's callout types and aliases -> the admonition type Material styles.
CALLOUT_TYPES = {
    "note": "note",
    "abstract": "abstract", "summary": "abstract", "tldr": "abstract",
    "info": "info",
    "todo": "todo",
    "tip": "tip", "hint": "tip", "important": "tip",
    "success": "success", "check": "success", "done": "success",
    "question": "question", "help": "question", "faq": "question",
    "warning": "warning", "caution": "warning", "attention": "warning",
    "failure": "failure", "fail": "failure", "missing": "failure",
    "danger": "danger", "error": "danger",
    "bug": "bug",
    "example": "example",
    "quote": "quote", "cite": "quote",
}
UNKNOWN_TYPE = "note"  # Obsidian draws a type it does not know as a note
# `[!type]+ title` on a blockquote's first line.
CALLOUT = re.compile(r"\[!(?P<kind>[^\]\n]+)\](?P<fold>[+-]?)[ \t]*")


def callout_classes(kind: str) -> tuple[str, ...]:
    """CSS classes of a callout: the type Material styles first, then `kb-callout-<type>` when
    the type as written differs (an alias or a type of the user's own), for style sheets."""
    written = kind.casefold()
    canonical = CALLOUT_TYPES.get(written, UNKNOWN_TYPE)
    if written == canonical:
        return (canonical,)
    slug = re.sub(r"[^\w-]+", "-", written, flags=re.UNICODE).strip("-") or "custom"
    return canonical, f"kb-callout-{slug}"


def default_title(kind: str) -> str:
    """The title Obsidian shows for `[!kind]` alone: `FAQ` -> `Faq`."""
    return kind[:1].upper() + kind[1:].lower()


def callout_marker(quote: SyntaxTreeNode) -> re.Match[str] | None:
    """The `[!type]±` opening a blockquote's first paragraph, if it is a callout."""
    if not quote.children or quote.children[0].type != "paragraph":
        return None
    inline = quote.children[0].children[0]
    if not inline.children or inline.children[0].type != "text":
        return None
    found = CALLOUT.match(inline.children[0].content)
    return found if found and found.group("kind").strip() else None


def write_callout(node: SyntaxTreeNode, w: Writer) -> str | None:
    found = callout_marker(node)
    if found is None:
        return None
    kind = found.group("kind").strip()
    inline = node.children[0].children[0]
    first, *rest = inline.children
    breaks = [i for i, child in enumerate(rest) if child.type in ("softbreak", "hardbreak")]
    cut = breaks[0] if breaks else len(rest)
    lead = "".join(lead(inline, w) for lead in w.leads)  # a block anchor: in the title
    title = (lead + w.span_text(first, first.content[found.end():])
             + w.spans(rest[:cut])).strip()
    with w.inside():
        body = segmented(rest[cut + 1:], w).strip()  # a long paragraph: in segments
        blocks = w.blocks(node.children[1:])
    body = dialect.joined([body, blocks])
    title = title or literal(default_title(kind))
    return dialect.admonition(callout_classes(kind), title, body, found.group("fold"))


BLOCK = {"blockquote": write_callout}
