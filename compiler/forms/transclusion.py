"""Note embeds: `![[Note]]`, `![[Note#Heading]]`, `![[Note#^id]]` standing in a paragraph
or list item. The embedded fragment is written by the same writers onto this page, in a box
titled with a link to its source (`compiler.embeds` decides which fragment, and refuses
cycles and runaway nesting). In a heading or table cell an embed stays a link."""

from __future__ import annotations

from markdown_it.tree import SyntaxTreeNode

from .. import embeds, messages
from ..markup import EMBED_CLASS, literal, url
from . import dialect
from .wikilinks import placeholder
from .writer import Writer


def _is_box(node: SyntaxTreeNode, w: Writer) -> bool:
    item = w.link_of(node) if node.type == "wikilink" else None
    return (item is not None and w.page.resolved is not None and embeds.is_note_embed(item))


def embed_box(node: SyntaxTreeNode, w: Writer) -> str:
    item = w.link_of(node)
    link, page = item.link, w.page
    target = url(page.page, page.pages[item.path], item.anchor)
    shown = embeds.shown_by(page.resolved.notes, item)
    if shown is None:  # resolve has reported the missing heading or block
        return placeholder("kb-missing-attachment", messages.current()("render.missing_section"),
                           link.shown_text, link.raw)
    if embeds.refusal(w.chain, shown) or page.embeds_left <= 0:
        refused = messages.current()("render.not_embedded")
        return f'[{literal(link.shown_text)}]({target} "{refused}"){{ .kb-embed-refused }}'
    page.embeds_left -= 1
    note = page.resolved.notes[shown.note]
    inner = Writer(page, note, page.tree(shown.note), (*w.chain, shown), nested=True)
    body = inner.fragment(shown.first_line, shown.end_line)
    label = link.display.strip() if link.display and link.display.strip() else \
        shown.label.replace("#", " › ", 1)
    return dialect.admonition((EMBED_CLASS,), f"[{literal(label)}]({target})", body)


def breaks_paragraph(node: SyntaxTreeNode, w: Writer) -> bool:
    return _is_box(node, w)


def write_embed(node: SyntaxTreeNode, w: Writer) -> str | None:
    return embed_box(node, w) if _is_box(node, w) else None


INLINE = {"wikilink": write_embed}
