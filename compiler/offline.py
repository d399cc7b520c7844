"""Markdown that Python-Markdown reads differently from the compiler's parser must not make
a page load from another host either.

`![shot](https://example.com/raw/HEAD/Screen Shot.png)` is text to CommonMark (a space in a
URL), so the compiler leaves it alone; Python-Markdown takes it for an image of another host,
and the site check would then refuse the whole site. This Python-Markdown extension (loaded by
MkDocs: `mkdocs_runner` adds it) switches off that one attribute instead, as the compiler does
for raw HTML (`data-kb-blocked-src`), and MkDocs reports it as a warning.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .sanitize import LOADING_ATTRIBUTES, is_local_url, srcset_urls

log = logging.getLogger("mkdocs.kb.offline")


def _loads_elsewhere(name: str, value: str) -> bool:
    urls = srcset_urls(value) if name == "srcset" else [value]
    return not all(is_local_url(url) for url in urls)


class _OfflineTreeprocessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for name in [n for n in element.attrib if n in LOADING_ATTRIBUTES]:
                value = element.attrib[name]
                if _loads_elsewhere(name, value):
                    del element.attrib[name]
                    element.set(f"data-kb-blocked-{name}", value)
                    log.warning("a <%s> would load %r from another host; it is blocked",
                                element.tag, value)


class OfflineExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        # After MkDocs' own "relpath" (priority 0), which expects every <img> to have a src.
        md.treeprocessors.register(_OfflineTreeprocessor(md), "kb_offline", -1)


def makeExtension(**kwargs) -> OfflineExtension:  # Python-Markdown loads it by this name
    return OfflineExtension(**kwargs)
