"""Checks a built site: every internal href/src points at an existing file (and anchor),
and no page loads anything from another host.

Reads the HTML with regular expressions rather than a full parser: MkDocs writes
well-formed, double-quoted attributes, and this check runs on every build. Pages carry
thousands of navigation links, so every file lookup is a set lookup and every resolved
link is remembered per folder.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote

_REFERENCE = re.compile(r'<([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?\s(href|src)="([^"]*)"[^>]*>')
_REL = re.compile(r'\srel="([^"]*)"')
_ID = re.compile(r'\s(?:id|name)="([^"]*)"')
# Elements whose src/href the browser fetches as it renders the page (anchors it does not).
_LOADING = frozenset({"img", "script", "iframe", "source", "audio", "video", "embed", "track",
                      "object", "input"})
_SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "blob:", "about:")


def _site_files(site: Path) -> set[str]:
    files = set()
    for root, _, names in os.walk(site):
        base = Path(root).relative_to(site).as_posix()
        files.update(n if base == "." else f"{base}/{n}" for n in names)
    return files


def check_site(site: Path) -> list[str]:
    """Problems found, as 'page: message' lines; empty when the site is whole."""
    files = _site_files(site)

    @cache
    def decoded(path: str) -> str:
        return unquote(path) if "%" in path else path

    @cache
    def target_of(folder: str, path: str) -> str | None:
        joined = posixpath.normpath(posixpath.join(folder, decoded(path))).lstrip("/")
        if joined in files:
            return joined
        index = "index.html" if joined == "." else f"{joined}/index.html"
        return index if index in files else None

    problems: list[str] = []
    ids: dict[str, frozenset[str]] = {}
    wanted_anchors: list[tuple[str, str, str, str]] = []  # page, tag, ref, target
    for page in sorted(p for p in files if p.endswith(".html")):
        text = (site / page).read_text(encoding="utf-8", errors="replace")
        ids[page] = frozenset(html.unescape(i) for i in _ID.findall(text))
        folder = posixpath.dirname(page)
        for match in _REFERENCE.finditer(text):
            tag, ref = match.group(1).lower(), match.group(3)
            ref = html.unescape(ref) if "&" in ref else ref
            if ref.startswith(_SKIPPED_SCHEMES):
                continue
            if ":" in ref.partition("/")[0] or ref.startswith("//"):  # another host
                rel = _REL.search(match.group(0))
                rel_value = rel.group(1) if rel else ""
                if tag in _LOADING or (tag == "link" and rel_value not in ("canonical", "alternate")):
                    problems.append(f"{page}: <{tag}> loads {ref} from another host")
                continue
            if page == "404.html":  # served at any depth: its links are written for the root
                continue
            path, _, fragment = ref.partition("#")
            path = path.partition("?")[0]
            target = target_of(folder, path) if path else page
            if target is None:
                problems.append(f"{page}: <{tag}> points at missing {ref}")
            elif fragment and target.endswith(".html"):
                wanted_anchors.append((page, tag, ref, target))
    for page, tag, ref, target in wanted_anchors:
        if unquote(ref.partition("#")[2]) not in ids[target]:
            problems.append(f"{page}: <{tag}> points at missing anchor {ref}")
    return sorted(problems)
