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

* before the inline step, puts each segment of a paragraph into an element of its own, of
  the paragraph's tag (`<p>`, or `<li>` in a tight list), standing where the paragraph
  stood: the inline step then meets the segments in the order it would have met the
  paragraph's text, so footnotes keep their numbers;
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

# The attribute that marks a segment made here: it continues the element before it.
_SEGMENT = "data-kb-segment"


def _has_break(element: etree.Element) -> bool:
    text = element.text
    return bool(text) and not isinstance(text, AtomicString) and SEGMENT_BREAK in text


def _segments(element: etree.Element) -> list[etree.Element]:
    """The element cut at its text's breaks into elements of its tag, one after another: its
    attributes on the first, its elements (none in a paragraph, a nested list in an item)
    and its tail on the last."""
    first, *rest = element.text.split(SEGMENT_BREAK)
    head = etree.Element(element.tag, element.attrib)
    head.text = first
    made = [head]
    for text in rest:
        segment = etree.Element(element.tag, {_SEGMENT: ""})
        segment.text = text
        made.append(segment)
    made[-1].extend(list(element))
    made[-1].tail = element.tail
    return made


class _Split(Treeprocessor):
    """Each element whose text holds breaks becomes its segments, side by side in its
    parent: the inline step reads its children's texts in order, so it meets the segments
    in the order it would have met the element's text, and footnotes keep their numbers."""

    def run(self, root: etree.Element) -> None:
        for parent in [p for p in root.iter() if any(_has_break(c) for c in p)]:
            children: list[etree.Element] = []
            for child in parent:
                children += _segments(child) if _has_break(child) else [child]
            parent[:] = children


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


def _end_of(element: etree.Element) -> _Text:
    """Where text that continues the element goes: after its last child, or its own text."""
    return _Text(element[-1], "tail") if len(element) else _Text(element, "text")


def _join(parent: etree.Element) -> None:
    """The parent's segments joined back into the element they were cut from: a segment's
    text goes after what the element holds so far, then its elements; its tail is the
    element's."""
    children: list[etree.Element] = []
    end: _Text | None = None
    for child in parent:
        if _SEGMENT not in child.attrib or not children:
            child.attrib.pop(_SEGMENT, None)
            if end is not None:
                end.close()
            children.append(child)
            end = None
            continue
        head = children[-1]
        end = end or _end_of(head)
        end.add(child.text)
        if len(child):
            end.close()
            head.extend(list(child))
            end = _end_of(head)
        head.tail = child.tail
    if end is not None:
        end.close()
    parent[:] = children


class _Join(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for parent in [p for p in root.iter() if any(_SEGMENT in c.attrib for c in p)]:
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
