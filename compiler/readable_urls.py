"""Addresses Python cannot read are shown as text, so one odd link never stops MkDocs.

A Python-Markdown extension that MkDocs loads (`mkdocs_runner` adds it). Python-Markdown
takes as a link what CommonMark and Obsidian leave as text, such as
`[Download](http://2. Copy it [https://github.com/x])`; MkDocs then splits every address
with `urllib.parse.urlsplit`, which raises on that one (`Invalid IPv6 URL`), and the
whole build stops. This runs just before MkDocs' address rewriting: an `href` or `src`
that `urlsplit` refuses is removed (a link becomes its text, an image its alt text)
and reported as a warning naming the address.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as etree
from urllib.parse import urlsplit

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

# After the inline patterns (20) and the table of contents (5), before MkDocs' own address
# rewriting ("relpath", 0) and title extraction (1).
PRIORITY = 3
log = logging.getLogger("mkdocs.kb")


def _readable(address: str) -> bool:
    try:
        urlsplit(address)
    except ValueError:
        return False
    return True


class _ReadableUrls(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for name in ("href", "src"):
                address = element.get(name)
                if address is None or _readable(address):
                    continue
                log.warning("an address that cannot be read is shown as text: %r", address)
                if element.tag == "img":  # the image's description in its place
                    element.text = element.get("alt", "")
                element.tag = "span"  # MkDocs rewrites every <a> and <img>: none without one
                element.attrib.clear()


class ReadableUrlsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_ReadableUrls(md), "kb_readable_urls", PRIORITY)


def makeExtension(**kwargs: object) -> ReadableUrlsExtension:
    return ReadableUrlsExtension(**kwargs)
