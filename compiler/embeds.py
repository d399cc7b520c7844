"""Embeds: what `![[Note]]`, `![[Note#Heading]]` and `![[Note#^id]]` show, where a chain of
embeds must stop, and how audio, video and PDF attachments are shown.

Pure. `render` draws an embedded fragment with the same function that draws a whole page;
this module decides which part of which note that is (a `Shown` span) and refuses cycles
and runaway nesting. `check_embeds` walks the same chains without rendering, so that
`kb check` reports what the build would meet.
"""

from __future__ import annotations

import html
import posixpath
from dataclasses import dataclass

from .diagnostics import Diagnostic, Severity
from .parse import Note
from .resolve import Kind, Resolved, ResolvedLink, find_block

MAX_DEPTH = 8  # embeds inside embeds, as a guard; a real cycle is stopped long before
MAX_PER_PAGE = 500  # embeds drawn on one page, counting nested ones: bounds fan-out
AUDIO_SUFFIXES = frozenset({".flac", ".m4a", ".mp3", ".ogg", ".wav", ".3gp"})
# `.webm` may hold audio or video: a <video> element plays both.
VIDEO_SUFFIXES = frozenset({".mkv", ".mov", ".mp4", ".ogv", ".webm"})
PDF_HEIGHT = 600  # pixels, unless `#height=N`


@dataclass(frozen=True, slots=True)
class Shown:
    """The lines of a note that an embed shows (the whole body, a section, a block)."""

    note: str
    first_line: int  # 0-based
    end_line: int  # 0-based, exclusive
    label: str  # how the chain names it: `Note`, `Note#Heading`, `Note#^id`


def _lines(note: Note) -> int:
    return note.source.count("\n") + 1


def whole(note: Note) -> Shown:
    return Shown(note.path, note.source.count("\n", 0, note.body_start), _lines(note), note.title)


def is_note_embed(item: ResolvedLink) -> bool:
    """An embed drawn as a box: a note embed standing in a paragraph, list item or quote
    (in a heading or a table cell it stays a link)."""
    return (item.link.embed and item.kind is Kind.NOTE and item.path is not None
            and item.link.start >= 0 and item.link.holder in ("paragraph", "list"))


def section(note: Note, anchor: str) -> tuple[int, int] | None:
    """The lines of a heading and what follows it up to the next heading of the same or a
    higher level."""
    for number, heading in enumerate(note.headings):
        if heading.anchor != anchor:
            continue
        end = next((h for h in note.headings[number + 1:] if h.level <= heading.level), None)
        return heading.line - 1, end.line - 1 if end else _lines(note)
    return None


def shown_by(notes: dict[str, Note], item: ResolvedLink) -> Shown | None:
    """What a note embed shows; None when its heading or block does not exist."""
    note = notes[item.path]
    fragment = item.link.fragment.strip()
    if not fragment:
        return whole(note)
    if item.anchor is None:
        return None
    if item.anchor.startswith("^"):
        block = find_block(note, item.anchor[1:])
        return Shown(note.path, *block.lines, f"{note.title}#{item.anchor}")
    span = section(note, item.anchor)
    heading = next(h for h in note.headings if h.anchor == item.anchor)
    return Shown(note.path, *span, f"{note.title}#{heading.text}")


def refusal(chain: tuple[Shown, ...], shown: Shown) -> str | None:
    """Why `shown` may not be drawn inside `chain` (outermost first): a cycle or too deep."""
    if any((s.note, s.first_line, s.end_line) == (shown.note, shown.first_line, shown.end_line)
           for s in chain):
        return "embed-cycle"
    if len(chain) > MAX_DEPTH:
        return "embed-too-deep"
    return None


def refusal_diagnostic(item: ResolvedLink, chain: tuple[Shown, ...], shown: Shown,
                       code: str) -> Diagnostic:
    names = " → ".join(s.label for s in (*chain, shown))
    link = item.link
    if code == "embed-cycle":
        return Diagnostic(item.source, link.line, link.col, Severity.WARNING, code,
                          f"{link.raw} closes an embed cycle: {names}",
                          "it is shown as a link; an embed cannot contain itself")
    return Diagnostic(item.source, link.line, link.col, Severity.WARNING, code,
                      f"{link.raw}: embeds nested more than {MAX_DEPTH} deep: {names}",
                      "it is shown as a link")


def inside(item: ResolvedLink, shown: Shown) -> bool:
    return shown.first_line <= item.link.line - 1 < shown.end_line


def check_embeds(resolved: Resolved) -> list[Diagnostic]:
    """Every embed that closes a cycle or nests too deep, as each page would meet it."""
    found: dict[tuple[str, int, int, str], Diagnostic] = {}

    def visit(chain: tuple[Shown, ...], budget: list[int]) -> None:
        current = chain[-1]
        for item in resolved.links[current.note]:
            if not (is_note_embed(item) and inside(item, current)) or budget[0] <= 0:
                continue
            shown = shown_by(resolved.notes, item)
            if shown is None:
                continue
            budget[0] -= 1
            if code := refusal(chain, shown):
                problem = refusal_diagnostic(item, chain, shown, code)
                found.setdefault((item.source, item.link.line, item.link.col, code), problem)
                continue
            visit((*chain, shown), budget)

    for note in resolved.notes.values():
        visit((whole(note),), [MAX_PER_PAGE])
    return list(found.values())


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def media_kind(path: str) -> str | None:
    """'audio', 'video' or 'pdf' for attachments a page plays or shows in place."""
    suffix = posixpath.splitext(path)[1].lower()
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    return "pdf" if suffix == ".pdf" else None


def media_html(kind: str, src: str, name: str, shown_name: str, fragment: str = "") -> str:
    """One line of inline HTML (it may stand in a paragraph, list item, quote or table):
    a player, or a PDF viewer with a link to open the file. `src` is relative to the
    page's published address, since MkDocs rewrites only Markdown links and images;
    `shown_name` is the file's name as literal Markdown text."""
    fallback = f'<a href="{_attr(src)}">{shown_name}</a>'
    if kind in ("audio", "video"):
        return (f'<span class="kb-media kb-{kind}"><{kind} controls preload="metadata" '
                f'src="{_attr(src)}" title="{_attr(name)}">{fallback}</{kind}></span>')
    options = dict(p.partition("=")[::2] for p in fragment.split("&") if p.strip())
    height = options.pop("height", "")
    height = int(height) if height.isdigit() and int(height) > 0 else PDF_HEIGHT
    page = f"#page={options['page']}" if options.get("page", "").isdigit() else ""
    return (f'<span class="kb-media kb-pdf"><iframe src="{_attr(src + page)}" '
            f'title="{_attr(name)}" style="height: {height}px" loading="lazy"></iframe>'
            f'<a class="kb-pdf-open" href="{_attr(src + page)}">{shown_name}</a></span>')
