"""Open Graph and Twitter meta in every page's `<head>`, and the link to the feed, when
`site_url` is set: an MkDocs `on_post_page` handler that mkdocs_runner registers (kept light:
MkDocs' process imports it). What a note's preview shows is decided at compile time
(`compiler.social`) and read here from the page's front matter (`description`, `kb_image`).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

FEED = "feed.xml"


def absolute(site_url: str, site_path: str) -> str:
    """The URL of a file of the site (a path under its root), or a URL as it is."""
    if urlsplit(site_path).scheme:
        return site_path
    base = site_url if site_url.endswith("/") else site_url + "/"
    return urljoin(base, quote(site_path))


class _HeadEnd(HTMLParser):
    """Where `</head>` stands."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.at: tuple[int, int] | None = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "head" and self.at is None:
            self.at = self.getpos()


def meta_elements(properties: Iterable[tuple[str, str, str]]) -> str:
    """(attribute, name, content) triples as `<meta>` elements."""
    return "".join(f'<meta {attribute}="{html.escape(name)}" content="{html.escape(content)}">'
                   for attribute, name, content in properties if content)


def feed_href(page_url: str) -> str:
    """The feed's address from a page (`a/b/` -> `../../feed.xml`). Relative, never `site_url`:
    Material fetches `sitemap.xml` beside every `<link rel=alternate>` (its language switch),
    and an absolute one would make a copy of the site call the published host."""
    depth = len([part for part in page_url.split("/")[:-1] if part]) if page_url else 0
    return "../" * depth + FEED


def page_meta(title: str, url: str, site_name: str, site_url: str, description: str,
              image: str | None, home: bool, feed: str = FEED) -> str:
    """Open Graph and Twitter meta, and the feed's link (`feed`: its address from the page)."""
    properties = [("property", "og:type", "website" if home else "article"),
                  ("property", "og:site_name", site_name), ("property", "og:title", title),
                  ("property", "og:url", url), ("property", "og:description", description),
                  ("property", "og:image", image or ""),
                  ("name", "twitter:card", "summary_large_image" if image else "summary"),
                  ("name", "twitter:title", title), ("name", "twitter:description", description),
                  ("name", "twitter:image", image or "")]
    link = (f'<link rel="alternate" type="application/atom+xml" title="{html.escape(site_name)}" '
            f'href="{html.escape(feed)}">')
    return meta_elements(properties) + link


def on_post_page(output: str, page: object, config: object) -> str:
    site_url = getattr(config, "get", lambda key: None)("site_url")
    if not site_url:
        return output
    meta = getattr(page, "meta", {}) or {}
    site_name = str(config.get("site_name") or "")
    title = str(getattr(page, "title", "") or site_name)
    description = str(meta.get("description") or config.get("site_description") or "")
    url = absolute(site_url, getattr(page, "url", "") or "")
    head = _HeadEnd()
    head.feed(output)
    if head.at is None:
        return output
    line, col = head.at
    lines = output.split("\n")
    offset = sum(len(text) + 1 for text in lines[:line - 1]) + col
    added = page_meta(html.unescape(title), url, site_name, site_url, description,
                      meta.get("kb_image"), getattr(page, "is_homepage", False),
                      feed_href(getattr(page, "url", "") or ""))
    return output[:offset] + added + output[offset:]
