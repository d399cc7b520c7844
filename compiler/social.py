"""Reading the site elsewhere, when `site_url` is set: what a link preview in another app shows
(Open Graph and Twitter meta: title, description, image, absolute URLs) and an Atom feed of the
newest notes.

At compile time (`add_to_stage`) each note page's front matter gets its `description` (the
note's own property, else its first paragraph as plain text; Material also writes it as the
page's `<meta name="description">`) and `kb_image` (the `image` or `cover` property, else the
note's first figure), and the feed is staged as `feed.xml`. When MkDocs writes each page,
`compiler.social_meta` (registered by mkdocs_runner) adds the meta elements to its `<head>`.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree as ET

from .blocks import BlockResult
from .forms.execblocks import figure_path
from .forms.wikilinks import IMAGE_SUFFIXES
from .markup import page_address, with_front_matter
from .parse import Note, parse_tokens
from .render import Stage
from .resolve import Kind, Resolved
from .social_meta import FEED, absolute
from .syntax import WIKILINK, split_wikilink

FEED_ENTRIES = 20  # the newest notes the feed lists
DESCRIPTION_CHARS = 200
ATOM = "http://www.w3.org/2005/Atom"
DATE_PROPERTIES = ("updated", "date", "created")  # the first one set dates a note
IMAGE_PROPERTIES = ("image", "cover")


# --- compile time ----------------------------------------------------------------------------

def first_paragraph(note: Note) -> str:
    """The note's first paragraph as plain text (links as their text, math as its source)."""
    tokens = parse_tokens(note.source[note.body_start:])
    for index, token in enumerate(tokens):
        if token.type != "inline" or index == 0 or tokens[index - 1].type != "paragraph_open":
            continue
        pieces = []
        for child in token.children or []:
            if child.type in ("text", "code_inline", "math_inline", "math_inline_double"):
                pieces.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                pieces.append(" ")
            elif child.type == WIKILINK and not child.meta.get("embed"):
                target, display = split_wikilink(child.content)
                pieces.append(display or target.split("#")[0].rsplit("/", 1)[-1])
        text = " ".join("".join(pieces).split())
        if text and not text.startswith("[!"):  # a callout's title line is no summary
            return text
    return ""


def shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """At most `limit` characters, cut at a space where there is one, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut).rstrip(" ,.;:") + "…"


def description(note: Note) -> str:
    own = note.properties.get("description")
    return shorten(" ".join(str(own).split()) if isinstance(own, str) and own.strip()
                   else first_paragraph(note))


def _property_image(note: Note, resolved: Resolved) -> str | None:
    """`image: cover.png`, `image: "[[cover.png]]"` or a URL: a site path or an absolute URL."""
    for key in IMAGE_PROPERTIES:
        value = note.properties.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        value = value.strip().removeprefix("!")
        if value.startswith("[[") and value.endswith("]]"):
            value = split_wikilink(value[2:-2])[0]
        if urlsplit(value).scheme in ("http", "https"):
            return value
        name = value.lstrip("/").casefold()
        for path in resolved.attachments:
            if path.casefold() == name or path.rsplit("/", 1)[-1].casefold() == name:
                return path
    return None


def first_image(note: Note, resolved: Resolved, results: Mapping[tuple[str, int], BlockResult]
                ) -> str | None:
    """The note's image: its property, else its first embedded image (a vault file or a figure
    a block redraws), else the first figure its own blocks draw. A site path, or a URL."""
    if found := _property_image(note, resolved):
        return found
    for item in resolved.links.get(note.path, ()):
        if not item.link.embed:
            continue
        if item.kind is Kind.ATTACHMENT and item.path and \
                posixpath.splitext(item.path)[1].lower() in IMAGE_SUFFIXES:
            return item.path
        if item.kind is Kind.GENERATED and item.figure is not None:
            drawn = results.get((item.figure.note, item.figure.block))
            if drawn and not drawn.failed and item.figure.number < len(drawn.outcome.figures):
                return figure_path(drawn.outcome, item.figure.number, "png")
    for index in range(len(note.blocks)):
        drawn = results.get((note.path, index))
        if drawn and drawn.outcome.figures:
            return figure_path(drawn.outcome, 0, "png")
    return None


def _as_datetime(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def note_dates(note: Note, file_dates: tuple[dt.datetime, dt.datetime]
               ) -> tuple[dt.datetime, dt.datetime]:
    """(published, updated): from the properties `created`/`date` and `updated`/`date`, else
    the file's dates as queries see them (`compiler.filedates`: the properties the
    configuration names, git history, the file system)."""
    created, modified = file_dates
    found = {key: _as_datetime(note.properties.get(key)) for key in DATE_PROPERTIES}
    published = found["created"] or found["date"] or found["updated"] or created
    updated = found["updated"] or found["date"] or found["created"] or modified
    return published, max(published, updated)


@dataclass(frozen=True)
class Entry:
    title: str
    url: str  # absolute
    published: dt.datetime
    updated: dt.datetime
    summary: str


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def atom_feed(site_name: str, site_url: str, language: str, entries: Iterable[Entry],
              limit: int = FEED_ENTRIES) -> bytes:
    """An Atom 1.0 feed of the newest entries (RFC 4287)."""
    newest = sorted(entries, key=lambda e: (e.updated, e.url), reverse=True)[:limit]
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})

    def child(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        element.text = text
        return element

    child(feed, "title", site_name)
    child(feed, "id", site_url)
    child(feed, "link", href=site_url)
    child(feed, "link", rel="self", type="application/atom+xml", href=urljoin(site_url, FEED))
    child(feed, "updated", _stamp(max((e.updated for e in newest),
                                      default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))))
    child(child(feed, "author"), "name", site_name)
    for item in newest:
        entry = child(feed, "entry")
        child(entry, "title", item.title)
        child(entry, "id", item.url)
        child(entry, "link", href=item.url)
        child(entry, "published", _stamp(item.published))
        child(entry, "updated", _stamp(item.updated))
        if item.summary:
            child(entry, "summary", item.summary)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def page_url(site_url: str, staged: str) -> str:
    address = page_address(staged)
    return absolute(site_url, address + "/" if address else "")


def add_to_stage(stage: Stage, resolved: Resolved, results: Mapping[tuple[str, int], BlockResult],
                 file_dates: Mapping[str, tuple[dt.datetime, dt.datetime]], site_name: str,
                 site_url: str, language: str) -> Stage:
    """Descriptions and images in the note pages' front matter, and the feed. `file_dates`:
    each note's (created, modified) from `compiler.filedates`, for notes whose properties give
    no date."""
    pages = dict(stage.pages)
    entries = []
    for path, staged in stage.placed.items():
        note = resolved.notes.get(path)
        if note is None or staged not in pages:
            continue
        summary = description(note)
        extra = {"description": summary} if summary else {}
        if image := first_image(note, resolved, results):
            extra["kb_image"] = absolute(site_url, image)
        if extra:
            pages[staged] = with_front_matter(pages[staged], extra)
        epoch = dt.datetime.fromtimestamp(0, dt.UTC)
        published, updated = note_dates(note, file_dates.get(path, (epoch, epoch)))
        entries.append(Entry(note.title, page_url(site_url, staged), published, updated, summary))
    blobs = {**stage.blobs, FEED: atom_feed(site_name, site_url, language, entries)}
    return replace(stage, pages=pages, blobs=blobs)
