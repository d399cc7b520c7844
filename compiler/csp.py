"""The Content-Security-Policy every published page carries: nothing from another host, and
no inline script but the page's own (the theme's, kb's), each allowed by its hash.

Added by MkDocs itself as it writes each page (an `on_post_page` handler that mkdocs_runner
registers): a `<meta http-equiv>` element as the first child of `<head>`, before any script.
A note's HTML is sanitised already (sanitize.py); the policy is the second wall, and it holds
in `raw_html: trusted` mode too, where a note's `<script>` elements are allowed by their hashes
as the theme's are, but its event handlers and `javascript:` links do not run.

The page is read as a browser reads it, by an HTML5 parser (Lexbor, through selectolax: the
whole page in well under a millisecond), with scripting on:

* the scripts hashed are the `<script>` elements without `src` that the browser makes, SVG's
  included, and those in a `<template>` (a page's script may put its content in the page);
  a script's text ends where the browser ends it (`<!--<script>` inside a script keeps the
  next `</script>` in its text). A `<script>` inside `<noscript>`, `<textarea>`, `<title>`,
  `<iframe>`, ... or a comment is text, never run: it gets no hash;
* a page carries a policy already only when a `<meta http-equiv="Content-Security-Policy">`
  is a child of its `<head>`: the browser ignores one anywhere else (a note's, in `trusted`
  mode), so such a page still gets kb's policy.

Where the policy goes is read from the page's start by a second HTML5 parser that tells where
each node began in the text (justhtml, pure Python, on the first kilobytes only): right after
the `<head>` start tag, or after a `<meta charset>` that is the head's first element (the
charset must stay in the first 1024 bytes). The page is not written again: the element is
inserted at that offset. A page without a `<head>` tag is left as it is.
"""

from __future__ import annotations

import base64
import hashlib

from justhtml import JustHTML
from selectolax.lexbor import LexborHTMLParser

from . import livereload

# Images may be data: URLs (Material's icons, Mermaid); styles may be inline (the theme,
# Mermaid and the graph set them); everything else only from the site itself.
_DIRECTIVES = (
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)
_PREFIX = 512  # characters of the page read first to find where the policy goes (then 4x more)


def script_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def _is_policy(element) -> bool:
    return (element.attributes.get("http-equiv") or "").lower() == "content-security-policy"


def inline_scripts(page: str) -> list[str] | None:
    """The text of every inline script of the page, as the browser reads the page; None when
    its `<head>` carries a policy already."""
    tree = LexborHTMLParser(page, scripting=True)
    head = tree.head
    if head is not None and any(_is_policy(meta) for meta in head.iter() if meta.tag == "meta"):
        return None
    scripts = [tree.root, *tree.template_fragments()] if tree.root is not None else []
    return [script.text(deep=True) for part in scripts for script in part.css("script")
            if "src" not in script.attributes]


def _head(page: str):
    """The `<head>` of the parser's reading of `page` (with where each node began)."""
    document = JustHTML(page, sanitize=False, track_node_locations=True)
    html = next(n for n in document.root.children if n.name == "html")
    return next(n for n in html.children if n.name == "head")


def _first_element(head) -> int | None:
    return next((n for n, node in enumerate(head.children) if node.name[:1] != "#"), None)


def _opening_charset(head) -> int | None:
    """The index of the head's first element when it is a `<meta charset>`."""
    first = _first_element(head)
    if first is not None and head.children[first].name == "meta" and "charset" in head.children[first].attrs:
        return first
    return None


def _closed(head) -> bool:
    """Whether the text read goes on past the head: an element after it (a later `<head>` tag
    would be ignored). A text or comment may be one the prefix cut short."""
    html = head.parent
    stack = html.children[html.children.index(head) + 1:]
    while stack:
        node = stack.pop()
        if node.name[:1] != "#" and node.origin_offset is not None:
            return True
        stack += getattr(node, "children", None) or ()
    return False


def _start_tag_end(page: str, begin: int, complete) -> int:
    """The end of the start tag that begins at `begin`: the shortest prefix of the page whose
    head `complete` accepts (the parser drops a tag cut short)."""
    low, high = begin + 1, len(page)
    while low < high:
        middle = (low + high) // 2
        if complete(_head(page[:middle])):
            high = middle
        else:
            low = middle + 1
    return low


def policy_place(page: str) -> int | None:
    """The offset where the policy goes (see the module's text), or None without `<head>`."""
    size = _PREFIX
    while True:
        whole = size >= len(page)
        head = _head(page[:size])
        known = whole or _closed(head)  # all of the head is read
        if head.origin_offset is None:  # no <head> tag read
            if known:
                return None
        elif _first_element(head) is not None or known:
            charset = _opening_charset(head)
            after = 0 if charset is None else charset + 1
            if after < len(head.children):  # the node the policy goes before
                return head.children[after].origin_offset
            if known and charset is None:  # an empty head
                return _start_tag_end(page, head.origin_offset,
                                      lambda h: h.origin_offset is not None)
            if known:  # the head holds only its <meta charset>
                return _start_tag_end(page, head.children[charset].origin_offset,
                                      lambda h: _opening_charset(h) is not None)
        size *= 4


def policy(scripts: list[str]) -> str:
    """The policy for a page whose inline scripts are `scripts` (kb serve's live reload
    script is always allowed: it is added to pages as they are served)."""
    hashes = sorted({script_hash(s) for s in [*scripts, livereload.SCRIPT]})
    return "; ".join((*_DIRECTIVES, "script-src 'self' " + " ".join(hashes)))


def add_policy(page: str) -> str:
    """The page with its policy as the first element of `<head>` (as it is if it has one)."""
    scripts = inline_scripts(page)
    if scripts is None:
        return page
    at = policy_place(page)
    if at is None:
        return page
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(scripts)}">'
    return page[:at] + meta + page[at:]


def on_post_page(output: str, page: object, config: object) -> str:
    """MkDocs' event for a page's finished HTML."""
    return add_policy(output)


def on_post_template(output_content: str, template_name: str, config: object) -> str:
    """MkDocs' event for the theme's own pages (404.html) and files (sitemap.xml)."""
    return add_policy(output_content) if template_name.endswith(".html") else output_content
