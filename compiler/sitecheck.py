"""Checks a built site: every internal reference points at an existing file (and anchor),
and no page loads anything from another host.

Pages are read with the standard library's HTML parser (attributes as the browser reads them:
any quoting, character references decoded; comments and script bodies are not markup), and
URLs as the browser reads them (tabs and newlines inside removed: `ht<TAB>tps:` is `https:`).

What counts as a reference:

* ``href`` and ``src`` on any element, ``srcset`` (a comma-separated list of
  ``URL [descriptor]``), ``poster`` and ``data``: internal ones must point at a file, and
  their ``#anchor`` at an ``id``/``name`` in that file when it is a page.
* Loads from another host (``http:``, ``https:``, protocol-relative ``//host/x`` or any other
  scheme) are problems for ``src``, ``srcset``, ``poster``, ``data``, ``background``,
  ``action``, ``formaction``, ``ping`` and the like on any element, for ``href`` on SVG
  ``<image>``, ``<use>``, ``<feImage>``, ``<script>`` and on ``<base>``, for the URL of a
  ``<meta http-equiv="refresh">``, for SVG ``<set>``/``<animate>`` that change an ``href``,
  for ``url(...)``, ``image-set("...")`` and ``@import`` in ``style`` attributes and
  ``<style>`` elements (CSS escapes decoded), for the document of an ``<iframe srcdoc>``
  (checked as a page of its own), and for ``<link href>`` unless every token of its ``rel``
  only names another document (``_NAVIGATION_RELS``: canonical, alternate, prev, next, ...).
  ``search`` is not among them, since a browser may fetch an OpenSearch description; a
  ``<link>`` with no ``rel`` counts as a load. ``href`` on any other element (``<a>``,
  ``<area>``, ...) to another host is a link, which is allowed.
* ``data:``, ``blob:``, ``mailto:``, ``tel:``, ``javascript:`` and ``about:`` are skipped
  (the pages' Content-Security-Policy stops scripts that are not the site's own).
  CSS ``url(...)`` inside the site is not checked for existence.

Pages carry thousands of navigation links, so every file lookup is a set lookup and every
resolved link is remembered per folder. The pages are read by several processes
(`compiler.workers.fork_map`); the anchors they point at are checked at the end, in one.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .sanitize import browser_url, srcset_urls
from .workers import fork_map

_CSS_URL = re.compile(
    r"""(?i:url)\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)|@(?i:import)\s*(?:"([^"]*)"|'([^']*)')""")
_CSS_IMAGE_SET = re.compile(r"(?i:image-set)\(([^()]*(?:\([^()]*\)[^()]*)*)\)")
_CSS_STRING = re.compile(r""""([^"]*)"|'([^']*)'""")
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(.))", re.S)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_REFRESH_URL = re.compile(r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?['\"]?([^'\"]*)", re.I)
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_SKIPPED_SCHEMES = frozenset({"mailto:", "tel:", "javascript:", "data:", "blob:", "about:"})
# Attributes whose URL the browser fetches whatever the element (custom elements included).
_ALWAYS_LOADED = frozenset({"src", "poster", "data", "background", "lowsrc", "dynsrc",
                            "action", "formaction", "ping", "codebase", "archive", "manifest",
                            "longdesc", "profile", "icon", "itemtype"})
# Of those, the ones that must name a file of the site.
_MUST_EXIST = frozenset({"src", "poster", "data"})
# Elements whose href the browser fetches (SVG), or which change where every URL points.
_LOADING_HREF = frozenset({"image", "use", "feimage", "script", "base"})
_ANIMATED = frozenset({"set", "animate"})
# <link rel> tokens that only name another document: such a link fetches nothing.
_NAVIGATION_RELS = frozenset({
    "alternate", "author", "bookmark", "canonical", "external", "help", "license", "me",
    "next", "nofollow", "noopener", "noreferrer", "opener", "prev", "privacy-policy", "tag",
    "terms-of-service",
})

Reference = tuple[str, str, bool, bool]  # tag, URL, whether the browser loads it, must exist


def _site_files(site: Path) -> set[str]:
    files = set()
    for root, _, names in os.walk(site):
        base = Path(root).relative_to(site).as_posix()
        files.update(n if base == "." else f"{base}/{n}" for n in names)
    return files


def _css_unescape(match: re.Match) -> str:
    code, char = match.groups()
    if code is None:
        return char
    number = int(code, 16)
    return chr(number) if 0 < number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF else "\ufffd"


def _css_urls(css: str) -> list[str]:
    """Every URL a piece of CSS may load, escapes decoded: url(), @import and image-set()."""
    css = _CSS_ESCAPE.sub(_css_unescape, _CSS_COMMENT.sub("", css))
    urls = [next(filter(None, groups), "") for groups in _CSS_URL.findall(css)]
    for arguments in _CSS_IMAGE_SET.findall(css):
        urls += [a or b for a, b in _CSS_STRING.findall(arguments)]
    return urls


class _PageReader(HTMLParser):
    """The references and anchors of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[Reference] = []
        self.ids: set[str] = set()
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_style = tag == "style"
        refs = self.refs
        rel, first = None, len(refs)
        animated = tag in _ANIMATED and any(
            n == "attributename" and (v or "").strip().lower() in ("href", "xlink:href")
            for n, v in attrs)
        refresh = tag == "meta" and any(
            n == "http-equiv" and (v or "").strip().lower() == "refresh" for n, v in attrs)
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name"):
                self.ids.add(value)
            if name == "href" or name == "xlink:href":
                if tag == "link":
                    refs.append((tag, value, None, True))  # rel may come later
                else:
                    refs.append((tag, value, tag in _LOADING_HREF, tag != "base"))
            elif name == "srcset" or name == "imagesrcset":
                refs += [(tag, url, True, True) for url in srcset_urls(value)]
            elif name == "style":
                refs += [(tag, url, True, False) for url in _css_urls(value)]
            elif name == "rel":
                rel = value
            elif name in _ALWAYS_LOADED:
                refs.append((tag, value, True, name in _MUST_EXIST))
            elif name == "srcdoc":
                inner = _PageReader()
                inner.feed(value)
                inner.close()
                refs += [(t, u, loads, False) for t, u, loads, _ in inner.refs]
            elif animated and name in ("to", "from", "by", "values"):
                refs += [(tag, part, True, False) for part in value.split(";")]
            elif refresh and name == "content":
                refs.append((tag, _REFRESH_URL.match(value).group(1), True, False))
        if tag == "link":
            tokens = rel.lower().split() if rel else ()
            loads = not tokens or not _NAVIGATION_RELS.issuperset(tokens)
            refs[first:] = [(t, v, loads if lo is None else lo, e) for t, v, lo, e in refs[first:]]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.in_style = False

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.refs += [("style", url, True, False) for url in _css_urls(data)]


def _read_page(text: str) -> tuple[list[Reference], frozenset[str]]:
    reader = _PageReader()
    reader.feed(text)
    reader.close()
    return reader.refs, frozenset(reader.ids)


@dataclass(frozen=True)
class PageCheck:
    """What checking one page found that holds while the page and the site's list of files
    stay the same: its ids, its problems but missing anchors, and its links to anchors."""
    ids: frozenset[str]
    problems: tuple[str, ...]
    anchors: tuple[tuple[str, str, str], ...]  # tag, reference, the page it points at


class CheckedPages:
    """The checks of the pages of the last site checked, kept for the next check while a page
    stays the same file (inode, time, size) and the site holds the same files: then a page
    is not read again, and only its links to anchors are checked again (the page they point
    at may have changed). `kb build` keeps it (pickled) between builds, whose unchanged pages
    are hard links to the published site's files."""

    version = 1  # of what a pickled one holds

    def __init__(self) -> None:
        self.files: str = ""  # digest of the site's file list and the allowed hosts
        self.pages: dict[str, tuple[tuple[int, int, int], PageCheck]] = {}


def check_site(site: Path, allowed_hosts: frozenset[str] = frozenset(),
               known: CheckedPages | None = None, workers: int = 1) -> list[str]:
    """Problems found, as 'page: message' lines; empty when the site is whole. A load from one
    of `allowed_hosts` (`kb.allow_hosts`: web fonts, analytics on purpose) is no problem.
    `known`: the checks of an earlier site, used where they still hold, and updated. The pages
    not known are read by up to `workers` processes (`compiler.workers.count`; 0: one per
    core)."""
    files = _site_files(site)
    listing = hashlib.blake2b(repr((sorted(files), sorted(allowed_hosts))).encode(
        "utf-8", "surrogatepass"), digest_size=16).hexdigest()
    kept = known.pages if known is not None and known.files == listing else {}

    def foreign(ref: str) -> bool:
        if not allowed_hosts:
            return True
        try:
            return urlsplit(ref.replace("\\", "/")).hostname not in allowed_hosts
        except ValueError:  # not a URL a browser would fetch from an allowed host
            return True

    @cache
    def target_of(folder: str, path: str) -> str | None:
        if "%" in path:
            path = unquote(path)
        joined = path if path[:1] == "/" or not folder else f"{folder}/{path}"
        joined = posixpath.normpath(joined).lstrip("/")
        if joined in files:
            return joined
        index = "index.html" if joined == "." else f"{joined}/index.html"
        return index if index in files else None

    def check_page(page: str) -> PageCheck:
        references, ids = _read_page((site / page).read_text(encoding="utf-8", errors="replace"))
        problems: list[str] = []
        anchors: list[tuple[str, str, str]] = []
        folder = posixpath.dirname(page)
        # The folder n levels up, so that '../../x' from pages of one folder is resolved once.
        ancestors = [folder]
        while ancestors[-1]:
            ancestors.append(posixpath.dirname(ancestors[-1]))
        check_files = page != "404.html"  # served at any depth: its links are for the root
        for tag, ref, loads, exists in references:
            ref = browser_url(ref)
            if not ref:
                continue
            first = ref[0]
            if first == "/" or first == "\\":
                if ref[1:2] in ("/", "\\"):  # protocol-relative: another host
                    if loads and foreign(ref):
                        problems.append(f"{page}: <{tag}> loads {ref} from another host")
                    continue
            elif ":" in ref and (scheme := _SCHEME.match(ref)):
                if loads and scheme.group().lower() not in _SKIPPED_SCHEMES and foreign(ref):
                    problems.append(f"{page}: <{tag}> loads {ref} from another host")
                continue
            if not (exists and check_files):
                continue
            path, _, fragment = ref.partition("#")
            if "?" in path:
                path = path.partition("?")[0]
            if not path:
                target = page
            else:
                up = 0
                while path.startswith("../", 3 * up):
                    up += 1
                if up < len(ancestors):
                    target = target_of(ancestors[up], path[3 * up:])
                else:
                    target = target_of(folder, path)
            if target is None:
                problems.append(f"{page}: <{tag}> points at missing {ref}")
            elif fragment and target.endswith(".html"):
                anchors.append((tag, ref, target))
        return PageCheck(ids, tuple(problems), tuple(anchors))

    def check_pages(pages: Sequence[str]) -> list[PageCheck]:
        return [check_page(page) for page in pages]

    checks: dict[str, tuple[tuple[int, int, int], PageCheck]] = {}
    unread: list[str] = []
    for page in sorted(p for p in files if p.endswith(".html")):
        state = (site / page).stat()
        key = (state.st_ino, state.st_mtime_ns, state.st_size)
        found = kept.get(page)
        if found is None or found[0] != key:
            unread.append(page)
            found = (key, None)
        checks[page] = found
    # The pages not known are read in workers; the anchors they point at are checked here.
    read = [found for chunk in fork_map(check_pages, unread, workers) for found in chunk]
    for page, check in zip(unread, read, strict=True):
        checks[page] = (checks[page][0], check)

    problems = [problem for _, check in checks.values() for problem in check.problems]
    for page, (_, check) in checks.items():
        for tag, ref, target in check.anchors:
            if unquote(ref.partition("#")[2]) not in checks[target][1].ids:
                problems.append(f"{page}: <{tag}> points at missing anchor {ref}")
    if known is not None:
        known.files, known.pages = listing, checks
    return sorted(problems)
