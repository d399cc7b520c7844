"""Checks a built site: every internal href/src points at an existing file (and anchor),
and no page loads anything from another host.

Reads the HTML with regular expressions rather than a full parser: MkDocs writes
well-formed, double-quoted attributes, and this check runs on every build.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b([^>]*)>")
_ATTR = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*"([^"]*)"')
_ID = re.compile(r'\s(?:id|name)="([^"]*)"')
# Elements whose src/href the browser fetches as it renders the page (anchors it does not).
_LOADING = {"img", "script", "iframe", "source", "audio", "video", "embed", "track", "object",
            "input"}
_SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "blob:", "about:")


def _references(text: str) -> list[tuple[str, str, dict[str, str]]]:
    found = []
    for tag, attr_text in _TAG.findall(text):
        attrs = dict(_ATTR.findall(attr_text))
        for name in ("href", "src"):
            if name in attrs:
                found.append((tag.lower(), html.unescape(attrs[name]), attrs))
    return found


def _target_file(site: Path, page: Path, path: str) -> Path:
    base = posixpath.dirname(page.relative_to(site).as_posix())
    joined = posixpath.normpath(posixpath.join(base, unquote(path))) if path else \
        page.relative_to(site).as_posix()
    target = site / joined
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def check_site(site: Path) -> list[str]:
    """Problems found, as 'page: message' lines; empty when the site is whole."""
    pages = sorted(site.rglob("*.html"))
    ids: dict[Path, set[str]] = {}
    references: dict[Path, list[tuple[str, str, dict[str, str]]]] = {}
    for page in pages:  # one read per page; only ids and references are kept
        text = page.read_text(encoding="utf-8", errors="replace")
        ids[page] = {html.unescape(i) for i in _ID.findall(text)}
        references[page] = _references(text)
    problems = []
    for page in pages:
        shown = page.relative_to(site).as_posix()
        for tag, ref, attrs in references[page]:
            if ref.startswith(_SKIPPED_SCHEMES):
                continue
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith("//"):
                rel = attrs.get("rel", "")
                if tag in _LOADING or (tag == "link" and rel not in ("canonical", "alternate")):
                    problems.append(f"{shown}: <{tag}> loads {ref} from another host")
                continue
            if shown == "404.html":  # served at any depth: its links are written for the root
                continue
            target = _target_file(site, page, parts.path)
            if not target.is_file():
                problems.append(f"{shown}: <{tag}> points at missing {ref}")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target in ids and fragment not in ids[target]:
                problems.append(f"{shown}: <{tag}> points at missing anchor {ref}")
    return problems
