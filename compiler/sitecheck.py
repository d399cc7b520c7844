"""Checks a built site: every internal reference points at an existing file (and anchor),
and no page loads anything from another host.

What counts as a reference:

* ``href`` and ``src`` on any element, ``srcset`` (a comma-separated list of
  ``URL [descriptor]``), ``poster`` and ``data``: internal ones must point at a file, and
  their ``#anchor`` at an ``id``/``name`` in that file when it is a page.
* Loads from another host (``http:``, ``https:``, protocol-relative ``//host/x`` or any other
  scheme) are problems for ``src``, ``srcset``, ``poster`` and ``data`` on any element, for
  ``href`` on SVG ``<image>``, ``<use>``, ``<feImage>`` and ``<script>``, for ``url(...)`` and
  ``@import`` in ``style`` attributes and ``<style>`` elements, and for ``<link href>``
  unless every token of its ``rel`` only names another document (``_NAVIGATION_RELS``:
  canonical, alternate, prev, next, ...). ``search`` is not among them, since a browser may
  fetch an OpenSearch description; a ``<link>`` with no ``rel`` counts as a load.
  ``href`` on any other element (``<a>``, ``<area>``, ...) to another host is a link, which
  is allowed.
* ``data:``, ``blob:``, ``mailto:``, ``tel:``, ``javascript:`` and ``about:`` are skipped.
  CSS ``url(...)`` inside the site is not checked for existence; ``image-set()`` strings
  without ``url()`` are not read.

Reads the HTML with regular expressions rather than a full parser, since this check runs
on every build and large sites have millions of references. Attribute values may be double-
or single-quoted or unquoted; comments and ``<script>`` bodies are skipped. Every pattern
that scans a whole page starts with a literal, which the regex engine finds quickly. Pages
carry thousands of navigation links, so every file lookup is a set lookup and every
resolved link is remembered per folder.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

# One attribute as the browser reads it: separators (whitespace or stray '/'), a name, and
# optionally a double-quoted, single-quoted or unquoted value. Possessive quantifiers keep a
# tag that does not match from backtracking, and a '<' outside quotes ends the tag (browsers
# would read it into the name or value): text like '<a <a <a' then costs linear time.
_SEP = r"[\s/]*+"
_NAME = r"[^\s/>=<]++"
_VALUE = r"""(?:"[^"]*+"|'[^']*+'|[^\s><]++)"""
_ATTR = rf"{_SEP}{_NAME}(?:\s*+=\s*+{_VALUE})?+"
_ATTRS = rf"(?:{_ATTR})*+"
_URL_NAMES = r"(?i:href|src|srcset|poster|data|style|xlink:href)"
# Markup worth a look, in one pass: comments (skipped), <script> (its src only, never its
# body), <style> (its body is CSS), and any other start tag with a URL-bearing attribute.
_MARKUP = re.compile(
    r"<(?:!--.*?-->"
    rf"|((?i:script))(?=[\s/>])({_ATTRS}){_SEP}>.*?</(?i:script)\s*>"
    rf"|(?i:style)(?=[\s/>]){_ATTRS}{_SEP}>(.*?)</(?i:style)\s*>"
    rf"|([a-zA-Z][^\s/>]*+)((?:{_ATTR})*?{_SEP}{_URL_NAMES}\s*+=\s*+{_VALUE}{_ATTRS}){_SEP}>)",
    re.S,
)
# Within a tag's attributes: each URL-bearing attribute (or rel) with its value, skipping
# the others whole so that a quoted value is never read as attributes.
_WANTED = r"(?i:href|src|srcset|poster|data|style|xlink:href|rel)"
_URL_ATTRIBUTE = re.compile(
    rf"""(?:{_SEP}(?!{_WANTED}\s*+=){_NAME}(?:\s*+=\s*+{_VALUE})?+)*+"""
    rf"""(?:{_SEP}({_WANTED})\s*+=\s*+(?:"([^"]*)"|'([^']*)'|([^\s><]+)))?""")
_CSS_URL = re.compile(
    r"""(?i:url)\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)|@(?i:import)\s*(?:"([^"]*)"|'([^']*)')""")
# Patterns over the whole page start with a literal: the engine then skips ahead quickly.
_ID = re.compile(r"""id(?<=[\s"'/]id)\s*+=\s*+(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")
_NAME_ATTR = re.compile(r"""name(?<=[\s"'/]name)\s*+=\s*+(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_SKIPPED_SCHEMES = frozenset({"mailto:", "tel:", "javascript:", "data:", "blob:", "about:"})
# Attributes whose URL the browser fetches whatever the element (custom elements included).
_ALWAYS_LOADED = frozenset({"src", "srcset", "poster", "data"})
# Elements whose href the browser fetches (SVG); <link> depends on its rel.
_LOADING_HREF = frozenset({"image", "use", "feimage", "script"})
# <link rel> tokens that only name another document: such a link fetches nothing.
_NAVIGATION_RELS = frozenset({
    "alternate", "author", "bookmark", "canonical", "external", "help", "license", "me",
    "next", "nofollow", "noopener", "noreferrer", "opener", "prev", "privacy-policy", "tag",
    "terms-of-service",
})


def _site_files(site: Path) -> set[str]:
    files = set()
    for root, _, names in os.walk(site):
        base = Path(root).relative_to(site).as_posix()
        files.update(n if base == "." else f"{base}/{n}" for n in names)
    return files


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset, read as the HTML standard does: a candidate's URL runs to the
    next whitespace (a URL may hold commas), and its descriptors to the next comma."""
    urls = []
    position, end = 0, len(value)
    while position < end:
        while position < end and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < end and not value[position].isspace():
            position += 1
        url = value[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            comma = value.find(",", position)
            position = end if comma < 0 else comma + 1
        if url:
            urls.append(url)
    return urls


def _css_urls(css: str) -> list[str]:
    return [next(filter(None, groups), "") for groups in _CSS_URL.findall(css)]


def _ids(text: str) -> frozenset[str]:
    values = [a or b or c for pattern in (_ID, _NAME_ATTR) for a, b, c in pattern.findall(text)]
    return frozenset(html.unescape(v) if "&" in v else v for v in values)


def _references(text: str) -> list[tuple[str, str, bool, bool]]:
    """(tag, URL, whether the browser loads it, whether it must exist) for every URL on a
    page, in order."""
    refs = []
    for script, script_attrs, css, tag, attrs in _MARKUP.findall(text):
        if tag:
            tag = tag.lower()
        elif script:
            tag, attrs = "script", script_attrs
        else:  # a comment or a <style> element
            refs += [("style", url, True, False) for url in _css_urls(css)]
            continue
        rel, first = None, len(refs)
        for name, double, single, bare in _URL_ATTRIBUTE.findall(attrs):
            if not name:
                continue
            name = name.lower()
            value = double or single or bare
            if "&" in value:
                value = html.unescape(value)
            if name == "href" or name == "xlink:href":
                if tag == "link":
                    refs.append((tag, value, None, True))  # rel may come later
                else:
                    refs.append((tag, value, tag in _LOADING_HREF, True))
            elif name == "srcset":
                refs += [(tag, url, True, True) for url in _srcset_urls(value)]
            elif name == "style":
                refs += [(tag, url, True, False) for url in _css_urls(value)]
            elif name == "rel":
                rel = value
            else:  # src, poster, data
                refs.append((tag, value, True, True))
        if tag == "link":
            tokens = rel.lower().split() if rel else ()
            loads = not tokens or not _NAVIGATION_RELS.issuperset(tokens)
            refs[first:] = [(t, v, loads if lo is None else lo, e) for t, v, lo, e in refs[first:]]
    return refs


def check_site(site: Path, allowed_hosts: frozenset[str] = frozenset()) -> list[str]:
    """Problems found, as 'page: message' lines; empty when the site is whole. A load from one
    of `allowed_hosts` (`kb.allow_hosts`: web fonts, analytics on purpose) is no problem."""
    files = _site_files(site)

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

    problems: list[str] = []
    ids: dict[str, frozenset[str]] = {}
    wanted_anchors: list[tuple[str, str, str, str]] = []  # page, tag, ref, target
    for page in sorted(p for p in files if p.endswith(".html")):
        text = (site / page).read_text(encoding="utf-8", errors="replace")
        ids[page] = _ids(text)
        folder = posixpath.dirname(page)
        # The folder n levels up, so that '../../x' from pages of one folder is resolved once.
        ancestors = [folder]
        while ancestors[-1]:
            ancestors.append(posixpath.dirname(ancestors[-1]))
        check_files = page != "404.html"  # served at any depth: its links are for the root
        for tag, ref, loads, exists in _references(text):
            ref = ref.strip()
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
                wanted_anchors.append((page, tag, ref, target))

    for page, tag, ref, target in wanted_anchors:
        if unquote(ref.partition("#")[2]) not in ids[target]:
            problems.append(f"{page}: <{tag}> points at missing anchor {ref}")
    return sorted(problems)
