"""Footnotes: `[^label]` with its `[^label]: text`, and Obsidian's inline `^[text]`, which
Python-Markdown does not know: it becomes `[^kb-inline-N]`, numbered on the page, whose
definition closes the page. A fragment embedded from another note numbers its footnotes
the same way (its labels belong to that note)."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.footnote import footnote_plugin

from . import dialect
from .writer import Writer

# Python-Markdown's footnotes extension puts the footnotes here, above the backlinks.
FOOTNOTES_PLACE = "///Footnotes Go Here///"


def plugin(md: MarkdownIt) -> None:
    md.use(footnote_plugin)


def _body(footnote: SyntaxTreeNode, w: Writer) -> str:
    return w.blocks([c for c in footnote.children if c.type != "footnote_anchor"])


def _definition(label: str, body: str) -> str:
    return dialect.indented(body, first=f"[^{label}]: ") if body.strip() else f"[^{label}]:"


def footnote_ref(node: SyntaxTreeNode, w: Writer) -> str:
    meta = node.meta
    label = meta.get("label")
    if label is not None and not w.nested:
        return f"[^{label}]"
    footnote = w.tree.footnotes.get(meta["id"])
    if footnote is None:
        return ""
    number = len(w.page.footnotes) + 1
    w.page.footnotes.append("")  # taken before its body, which may hold footnotes of its own
    w.page.footnotes[number - 1] = _definition(f"kb-inline-{number}", _body(footnote, w))
    return f"[^kb-inline-{number}]"


def definitions(w: Writer) -> str:
    """The note's own labelled definitions (inline ones are on the page's list)."""
    return dialect.joined([_definition(f.meta["label"], _body(f, w))
                           for f in w.tree.footnotes.values() if f.meta.get("label") is not None])


INLINE = {"footnote_ref": footnote_ref, "footnote_anchor": lambda node, w: ""}
