"""The Content-Security-Policy every published page carries: nothing from another host, and
no inline script but the page's own (the theme's, kb's), each allowed by its hash.

Added by MkDocs itself as it writes each page (an `on_post_page` handler that mkdocs_runner
registers): a `<meta http-equiv>` element as the first child of `<head>`, before any script.
A note's HTML is sanitised already (sanitize.py); the policy is the second wall, and it holds
in `raw_html: trusted` mode too, where a note's scripts stay in the page but do not run.
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

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


def script_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


class _PageReader(HTMLParser):
    """Where the policy goes (after `<head>`, or after a `<meta charset>` opening it, which
    must stay in the first 1024 bytes), and the text of every inline script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.head_end: tuple[int, int] | None = None
        self.scripts: list[str] = []
        self._script: list[str] | None = None
        self._first_in_head = False
        self.has_policy = False  # the page carries a policy already

    def _end_of_tag(self) -> tuple[int, int]:
        line, col = self.getpos()
        return line, col + len(self.get_starttag_text() or "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        first_in_head, self._first_in_head = self._first_in_head, False
        if tag == "head" and self.head_end is None:
            self.head_end = self._end_of_tag()
            self._first_in_head = True
        elif tag == "meta" and first_in_head and any(name == "charset" for name, _ in attrs):
            self.head_end = self._end_of_tag()
        elif tag == "meta" and any(name == "http-equiv" and (value or "").lower()
                                   == "content-security-policy" for name, value in attrs):
            self.has_policy = True
        elif tag == "script" and not any(name == "src" for name, _ in attrs):
            self._script = []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None


def policy(scripts: list[str]) -> str:
    """The policy for a page whose inline scripts are `scripts` (kb serve's live reload
    script is always allowed: it is added to pages as they are served)."""
    hashes = sorted({script_hash(s) for s in [*scripts, livereload.SCRIPT]})
    return "; ".join((*_DIRECTIVES, "script-src 'self' " + " ".join(hashes)))


def add_policy(page: str) -> str:
    """The page with its policy as the first element of `<head>` (as it is if it has one)."""
    reader = _PageReader()
    reader.feed(page)
    reader.close()
    if reader.head_end is None or reader.has_policy:
        return page
    line, col = reader.head_end  # the parser counts lines by "\n" only
    at = 0
    for _ in range(line - 1):
        at = page.index("\n", at) + 1
    at += col
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(reader.scripts)}">'
    return page[:at] + meta + page[at:]


def on_post_page(output: str, page: object, config: object) -> str:
    """MkDocs' event for a page's finished HTML."""
    return add_policy(output)


def on_post_template(output_content: str, template_name: str, config: object) -> str:
    """MkDocs' event for the theme's own pages (404.html) and files (sitemap.xml)."""
    return add_policy(output_content) if template_name.endswith(".html") else output_content
