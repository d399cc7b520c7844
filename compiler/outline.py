"""The page's outline (Material's table of contents, "목차"), as Obsidian's outline lists it.

A Python-Markdown extension that MkDocs loads (`mkdocs_runner` adds it); the compiler itself
never runs it. It reworks the headings that the `toc` extension collected, for two reasons:

* Material takes the first heading of level 1 for the page's title and shows only the
  headings nested under it (`partials/toc.html`: `first.level == 1` → `first.children`).
  The compiler opens every page with its title as `#`, so a note whose own sections are `#`
  headings too (as many Obsidian users write them) had an empty outline: its sections were
  the title's siblings. Here every later heading nests under the title, each in the
  nesting its levels give, so that Material shows all of them.
* Headings of an embedded note or section (`![[Note]]`, `![[Note#Section]]`, drawn in a
  `kb-embed` box), and those of a canvas board's cards, stay headings on the page, ids and
  all, but Obsidian's outline does not list them, and neither does this one.
* The sections the compiler closes a page with (what to read first, the local graph, the
  backlinks) are the page's, not part of the note's last section: they follow the note's
  headings at the outline's top level.

Only the outline changes: the page's HTML, its heading ids and permalinks stay as they were.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Iterator

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.toc import nest_toc_tokens, unescape
from markdown.treeprocessors import Treeprocessor

from .markup import EMBED_CLASS
from .parse import BACKLINKS_ANCHOR, LOCAL_GRAPH_ANCHOR, READ_BEFORE_ANCHOR, READ_NEXT_ANCHOR

PAGE_SECTIONS = frozenset({READ_BEFORE_ANCHOR, READ_NEXT_ANCHOR, LOCAL_GRAPH_ANCHOR, BACKLINKS_ANCHOR})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Boxes whose headings are not the page's: an embed, and a canvas board's cards.
_BOXES = frozenset({EMBED_CLASS, "kb-canvas"})


def _embedded_heading_ids(element: etree.Element, embedded: bool = False) -> Iterator[str]:
    """Ids of the headings inside an embed box, at any depth."""
    for child in element:
        inside = embedded or not _BOXES.isdisjoint((child.get("class") or "").split())
        if inside and child.tag in _HEADINGS and "id" in child.attrib:
            yield unescape(child.attrib["id"])
        yield from _embedded_heading_ids(child, inside)


def _flat(tokens: list[dict]) -> Iterator[dict]:
    """The nested tokens in document order, without their children."""
    for token in tokens:
        yield {key: value for key, value in token.items() if key != "children"}
        yield from _flat(token["children"])


def outline(tokens: list[dict], embedded: set[str]) -> list[dict]:
    """The toc extension's nested tokens without the `embedded` headings' ids, and with every
    heading after a first level-1 heading (the page's title) nested under it; the page's
    closing sections come after the note's headings, none nested in another."""
    kept = [token for token in _flat(tokens) if token["id"] not in embedded]
    title = kept.pop(0) if kept and kept[0]["level"] == 1 else None
    ending = next((n for n, token in enumerate(kept) if token["id"] in PAGE_SECTIONS), len(kept))
    nested = nest_toc_tokens(kept[:ending]) + nest_toc_tokens(kept[ending:])
    return [{**title, "children": nested}] if title else nested


class _OutlineTreeprocessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        tokens = getattr(self.md, "toc_tokens", None)
        if tokens:
            self.md.toc_tokens = outline(tokens, set(_embedded_heading_ids(root)))


class OutlineExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # Python-Markdown's name
        md.registerExtension(self)
        # After `toc` (priority 5), which collects the headings into `md.toc_tokens`.
        md.treeprocessors.register(_OutlineTreeprocessor(md), "kb_outline", 4)


def makeExtension(**kwargs) -> OutlineExtension:  # Python-Markdown loads it by this name
    return OutlineExtension(**kwargs)
