"""Long paragraphs in linear time: Python-Markdown reads a paragraph's text in time that grows
with the square of its length, so the compiler hands it a long one in segments.

Python-Markdown's inline step replaces every link, emphasis or escape it finds by a
placeholder, rebuilding the paragraph's whole text each time, and its link patterns scan the
whole text again after each link (`LinkInlineProcessor._findBracketEnds`, once per changed
text): a page holding a 10 KB paragraph took 1.3 s, one of 20 KB 4.7 s, and a 1 MB one would
take hours. Between paragraphs there is no such cost.

So the writer (`forms.core.paragraph`) breaks a long paragraph's Markdown with
`SEGMENT_BREAK` where one top-level span ends and the next begins with a space: no link,
emphasis, code span or bare URL crosses such a place, and Python-Markdown's patterns read
the same on either side of it. This extension (MkDocs loads it: `mkdocs_runner` adds it):

* before the inline step, puts each segment of a paragraph into an element of its own: a
  `<p>` of its own, standing where the paragraph stood (the inline step then meets the
  segments in the order it would have met the paragraph, so footnotes keep their numbers);
  the text of any other element (a tight list's item) goes into `<span>`s inside it;
* after the inline step, joins the segments back: the paragraph's text, elements and their
  tails are what one paragraph would have given, and every later step (attributes, table
  of contents, MkDocs' links) sees the page it would have seen;
* drops any `SEGMENT_BREAK` left in the HTML (one where Python-Markdown saw no text).

A note cannot hold the character: `parse.decode` replaces it (it is a Unicode
noncharacter, for a program's internal use), and so does the text writer.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from .normalize import SEGMENT_BREAK

# The attribute that marks an element made here; its value says how it rejoins.
_SEGMENT = "data-kb-segment"
_CONTINUES = "continues"  # a <p> that continues the paragraph before it
_INSIDE = "inside"  # a <span> whose text continues its parent's text


def _has_break(element: etree.Element) -> bool:
    return bool(element.text) and not isinstance(element.text, AtomicString) \
        and SEGMENT_BREAK in element.text


def _segments(element: etree.Element) -> list[etree.Element]:
    """A paragraph's segments as paragraphs: its attributes on the first, its elements
    (none, once blocks are parsed, unless an extension added one) after the last."""
    first, *rest = (element.text or "").split(SEGMENT_BREAK)
    head = etree.Element(element.tag, element.attrib)
    head.text = first
    made = [head]
    for text in rest:
        segment = etree.Element(element.tag, {_SEGMENT: _CONTINUES})
        segment.text = text
        made.append(segment)
    made[-1].extend(list(element))
    made[-1].tail = element.tail
    return made


def _split_inside(element: etree.Element) -> None:
    """The element's text up to the first break stays its text; each later segment becomes
    a span before its other children."""
    first, *rest = (element.text or "").split(SEGMENT_BREAK)
    element.text = first
    spans = []
    for text in rest:
        span = etree.Element("span", {_SEGMENT: _INSIDE})
        span.text = text
        spans.append(span)
    element[0:0] = spans


class _Split(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for parent in [p for p in root.iter() if _has_break(p) or any(_has_break(c) for c in p)]:
            if any(child.tag == "p" and _has_break(child) for child in parent):
                children: list[etree.Element] = []
                for child in parent:
                    split = child.tag == "p" and _has_break(child)
                    children += _segments(child) if split else [child]
                parent[:] = children
            if parent.tag != "p" and _has_break(parent):
                _split_inside(parent)


class _Text:
    """Text gathered for an element's text or tail, joined once (a long paragraph has many
    segments: adding to one string again and again would copy it each time)."""

    def __init__(self, element: etree.Element, attribute: str):
        self.element, self.attribute = element, attribute
        existing = getattr(element, attribute)
        self.parts: list[str] = [existing] if existing else []

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text)

    def close(self) -> None:
        setattr(self.element, self.attribute, "".join(self.parts) or None)


def _join(parent: etree.Element) -> None:
    """The parent's segments joined back into the paragraph (or the parent's own text) they
    were cut from: a segment's text goes after what comes before it (the paragraph's text,
    or the tail of its last element), its elements after them."""
    children: list[etree.Element] = []
    paragraph: etree.Element | None = None  # the paragraph a `continues` segment joins
    end = _Text(parent, "text")  # where the next segment's text goes
    for child in parent:
        kind = child.get(_SEGMENT)
        if kind not in (_CONTINUES, _INSIDE) or (kind == _CONTINUES and paragraph is None):
            end.close()
            children.append(child)
            paragraph = child if child.tag == "p" else None
            if paragraph is not None and len(paragraph):
                end = _Text(paragraph[-1], "tail")
            else:
                end = _Text(child, "text" if paragraph is not None else "tail")
            continue
        end.add(child.text)
        moved = list(child)
        if moved:
            end.close()
            if kind == _CONTINUES:
                paragraph.extend(moved)
            else:
                children.extend(moved)
            end = _Text(moved[-1], "tail")
        if kind == _CONTINUES:
            paragraph.tail = child.tail
        else:
            end.add(child.tail)
    end.close()
    parent[:] = children


class _Join(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        parents = [p for p in root.iter() if any(c.get(_SEGMENT) for c in p)]
        for parent in parents:
            _join(parent)


class _DropBreaks(Postprocessor):
    def run(self, text: str) -> str:
        return text.replace(SEGMENT_BREAK, "")


class LongParagraphsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # Python-Markdown's name
        md.registerExtension(self)
        # Around the inline step ("inline", 20): after pymdownx.tasklist (25) reads an item's
        # first text, before the footnotes are reordered (19) and attr_list (8) reads the
        # `{ ... }` after an element.
        md.treeprocessors.register(_Split(md), "kb_long_paragraphs_split", 20.5)
        md.treeprocessors.register(_Join(md), "kb_long_paragraphs_join", 19.5)
        md.postprocessors.register(_DropBreaks(md), "kb_long_paragraphs_drop", 0)


def makeExtension(**kwargs) -> LongParagraphsExtension:  # Python-Markdown loads it by this name
    return LongParagraphsExtension(**kwargs)
