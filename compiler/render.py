"""Render: resolved notes + graph -> staged plain Markdown that MkDocs Material builds.

Pure: returns the staged pages as text and the files to copy; `publish` writes them.
Each note's own text is kept as written except where Obsidian syntax is replaced (links,
embeds, math, heading ids, front matter) and where Python-Markdown needs a blank line or
an escape that CommonMark does not.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import networkx as nx
import yaml

from . import graph as graphs
from .diagnostics import Diagnostic, Severity
from .parse import BACKLINKS_ANCHOR, TITLE_ANCHOR, Note, line_offsets
from .resolve import Kind, Resolved, ResolvedLink

ASSET_DIR = "_kb"
CSS_PATH = f"{ASSET_DIR}/kb.css"
HOME = "index.md"
FOLDER_LISTING = 40  # notes named per folder on the generated home page
IMAGE_SUFFIXES = frozenset({".avif", ".bmp", ".gif", ".jpeg", ".jpg", ".png", ".svg", ".webp"})
# Python-Markdown's footnotes extension puts the footnotes here, above the backlinks.
FOOTNOTES_PLACE = "///Footnotes Go Here///"
_FOOTNOTE_DEFINITION = re.compile(r"^[ \t]{0,3}\[\^[^\]\n]+\]:", re.M)
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!|~=^$<>&:\"']")
_ATX_CLOSING = re.compile(r"(?:[ \t]+#+)?[ \t]*$")
_QUOTE_PREFIX = re.compile(r"[ \t]*(?:>[ \t]?)*")
_LOADING_ATTRIBUTE = re.compile(r"\b(src|srcset|poster|data|href)(\s*=)|url\(|@import", re.I)


@dataclass(frozen=True)
class Stage:
    pages: dict[str, str]  # staged path -> Markdown text
    files: dict[str, Path]  # staged path -> file to copy as it is
    diagnostics: tuple[Diagnostic, ...] = ()


def literal(text: str) -> str:
    """Text that Python-Markdown shows exactly as given (no markup, no HTML)."""
    return _MARKDOWN_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", text)


@lru_cache(maxsize=65536)
def _relative(from_folder: str, to_path: str) -> str:
    return quote(posixpath.relpath(to_path, from_folder or "."), safe="/")


def url(from_page: str, to_path: str, anchor: str | None = None) -> str:
    """Relative URL from one staged page to a staged file, as MkDocs expects (`../x.md#id`)."""
    fragment = f"#{anchor}" if anchor else ""
    if to_path == from_page:
        return fragment or quote(posixpath.basename(to_path))
    return _relative(posixpath.dirname(from_page), to_path) + fragment


def page_address(staged: str) -> str:
    """The address MkDocs gives a staged page: `a/b.md` -> `a/b`, `a/index.md` -> `a`
    (README.md counts as an index too)."""
    folder, _, name = staged.removesuffix(".md").rpartition("/")
    return folder if name in ("index", "README") else staged.removesuffix(".md")


def staged_paths(notes: dict[str, Note], home: str | None
                 ) -> tuple[dict[str, str], list[Diagnostic]]:
    """Where each note lands in the staged folder: the home note becomes index.md, and a
    note that MkDocs would publish at an address already taken is renamed and reported."""
    by_lower = {p.casefold(): p for p in notes}
    problems = []
    home_note = by_lower.get(home.casefold()) if home else None
    if home and home_note is None:
        problems.append(Diagnostic(home, 0, 0, Severity.WARNING, "missing-home",
                                   "kb.home names no note of the vault",
                                   "a generated home page is used instead"))
    home_note = home_note or by_lower.get(HOME) or by_lower.get("readme.md")
    placed: dict[str, str] = {}
    taken: dict[str, str] = {}
    # An index.md keeps its address before any other note, a README.md yields to all.
    rank = {"index.md": 0, "README.md": 2}
    order = ([home_note] if home_note else []) + sorted(
        (p for p in notes if p != home_note), key=lambda p: rank.get(p.rpartition("/")[2], 1))
    for path in order:
        staged = HOME if path == home_note else path
        number = 1
        while page_address(staged) in taken:
            number += 1
            staged = f"{path.removesuffix('.md')} ({number}).md"
        if number > 1:
            problems.append(Diagnostic(
                path, 0, 0, Severity.WARNING, "page-collision",
                f"MkDocs would publish this note at the address of {taken[page_address(path)]!r}; "
                f"it is published as {staged!r}", "rename one of the two notes"))
        taken[page_address(staged)] = path
        placed[path] = staged
    return placed, problems


class _Page:
    """Builds one staged page: edits to the note's source, applied back to front."""

    def __init__(self, note: Note):
        self.note = note
        self.edits: list[tuple[int, int, str]] = []
        self.lines = note.source.split("\n")
        self.line_starts = line_offsets(self.lines)

    def replace(self, start: int, end: int, text: str) -> None:
        self.edits.append((start, end, text))

    def text(self) -> str:
        out, last = [], len(self.note.source)
        for start, end, replacement in sorted(self.edits, key=lambda e: (e[0], e[1]), reverse=True):
            if end > last:  # overlapping edit: keep the later one already applied
                continue
            out.append(self.note.source[end:last])
            out.append(replacement)
            last = start
        out.append(self.note.source[self.note.body_start:last])
        return "".join(reversed(out))


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _placeholder(css_class: str, label: str, name: str, title: str) -> str:
    return (f'<span class="{css_class}" role="img" title="{_attr(title)}">'
            f'<span class="kb-missing-label">{label}</span> {literal(name)}</span>')


def render_link(item: ResolvedLink, page: str, pages: dict[str, str]) -> str:
    link = item.link
    # A Markdown link's text is Markdown already; a wikilink's is shown as written.
    text = link.display.strip() if link.style == "markdown" and not link.embed and link.display \
        else literal(link.shown_text)
    title = f' "{_attr(link.title)}"' if link.title else ""
    if item.kind is Kind.EXTERNAL:
        if not link.embed:
            return link.raw
        # Loading it would make the site request another host: link to it instead.
        shown = literal(re.sub(r"^[a-z]+://", "", link.target)[:60])
        return (f'<a class="kb-external-image" href="{_attr(link.target)}">'
                f'<span class="kb-missing-label">외부 그림</span> {shown}</a>')
    if item.kind is Kind.NOTE and item.path is not None:
        return f"[{text}]({url(page, pages[item.path], item.anchor)}{title})"
    if item.kind is Kind.ATTACHMENT and item.path is not None:
        target = url(page, item.path)
        if link.embed and posixpath.splitext(item.path)[1].lower() in IMAGE_SUFFIXES:
            size = "".join(f' {k}="{v}"' for k, v in (("width", link.width), ("height", link.height))
                           if v)
            alt = literal(link.display or posixpath.basename(item.path))
            return f"![{alt}]({target}{title})" + (f"{{{size} }}" if size else "")
        return f"[{text}]({target}{title})"
    if item.kind is Kind.MISSING_ATTACHMENT and link.embed:
        name = link.target.strip().rsplit("/", 1)[-1]
        is_image = posixpath.splitext(name)[1].lower() in IMAGE_SUFFIXES
        return _placeholder("kb-missing-attachment", "그림 없음" if is_image else "파일 없음", name,
                            link.target.strip())
    reason = "볼트 밖을 가리키는 링크" if item.kind is Kind.REFUSED else "연결되지 않은 링크"
    return (f'<span class="kb-unresolved" title="{_attr(reason)}: {_attr(link.target.strip())}">'
            f"{text}</span>")


def _blocked(raw_html: str) -> str:
    """Raw HTML with every attribute that would fetch from another host switched off."""
    return _LOADING_ATTRIBUTE.sub(
        lambda m: f"data-kb-blocked-{m.group(1)}{m.group(2)}" if m.group(1) else "kb-blocked-",
        raw_html)


def _context_html(context: tuple[str, str, str]) -> str:
    before, shown, after = context
    return f"{literal(before)}<mark>{literal(shown)}</mark>{literal(after)}"


def backlinks_section(path: str, page: str, graph: nx.DiGraph, notes: dict[str, Note],
                      pages: dict[str, str]) -> str:
    mentions = graphs.backlinks(graph, path)
    lines = ["", "", '<div class="kb-backlinks" markdown data-search-exclude>', "",
             f"## 백링크 {{ #{BACKLINKS_ANCHOR} data-count=\"{len(mentions)}\" }}", ""]
    if not mentions:
        lines.append('<p class="kb-backlinks-empty">이 노트를 가리키는 다른 노트가 없습니다.</p>')
    by_source: dict[str, list[graphs.Mention]] = {}
    for mention in mentions:
        by_source.setdefault(mention.source, []).append(mention)
    for source, group in by_source.items():
        lines.append(f"- [{literal(notes[source].title)}]({url(page, pages[source])})")
        for mention in group:
            if any(mention.context):
                where = url(page, pages[source], mention.section or None)
                lines.append(f'    - <span class="kb-context">{_context_html(mention.context)}</span>'
                             f' [↗]({where} "{_attr(notes[source].title)}")')
    lines += ["", "</div>", ""]
    return "\n".join(lines)


def _front_matter(title: str) -> str:
    return "---\n" + yaml.safe_dump({"title": title}, allow_unicode=True) + "---\n\n"


def _inline_title(note: Note) -> str:
    """The note's name above its text, as Obsidian's inline title shows it, unless the note
    already opens with that very heading."""
    body = note.source[note.body_start:]
    first_line = note.source.count("\n", 0, note.body_start) + len(body) - len(body.lstrip("\n"))
    first = note.headings[0] if note.headings else None
    if first and first.level == 1 and first.text == note.title and first.line == first_line + 1:
        return ""
    return f"# {literal(note.title)} {{ #{TITLE_ANCHOR} }}\n\n"


def render_note(note: Note, links: tuple[ResolvedLink, ...], pages: dict[str, str]) -> str:
    """The note's text with Obsidian's syntax replaced by what Python-Markdown renders."""
    page = pages[note.path]
    doc = _Page(note)
    for item in links:
        if item.link.start >= 0 and (item.kind is not Kind.EXTERNAL or item.link.embed):
            doc.replace(item.link.start, item.link.end, render_link(item, page, pages))
    for math in note.math:
        if math.mathml is None:
            shown = f'<code class="kb-math-error">{html.escape(math.latex)}</code>'
        elif math.block:
            shown = f'<div class="kb-math">{math.mathml}</div>'
        else:
            shown = math.mathml
        doc.replace(math.start, math.end, shown)
    for start, end in note.blocked_html:
        doc.replace(start, end, _blocked(note.source[start:end]))
    for offset in note.hash_line_starts:
        doc.replace(offset, offset + 1, "&#35;")
    for heading in note.headings:
        line_start = doc.line_starts[heading.attr_line]
        line = doc.lines[heading.attr_line]
        closing = _ATX_CLOSING.search(line)
        doc.replace(line_start + closing.start(), line_start + len(line),
                    f" {{ #{heading.anchor} }}")
    for first, end, spaces in note.list_indents:
        for line_number in range(first, min(end, len(doc.lines))):
            if doc.lines[line_number].strip():
                doc.replace(doc.line_starts[line_number], doc.line_starts[line_number], " " * spaces)
    for line_number in note.blank_line_before:
        prefix = _QUOTE_PREFIX.match(doc.lines[line_number]).group().rstrip()
        at = doc.line_starts[line_number]
        doc.replace(at, at, prefix + "\n")
    body = doc.text().rstrip("\n")
    if _FOOTNOTE_DEFINITION.search(note.source, note.body_start):
        body += f"\n\n{FOOTNOTES_PLACE}"
    return _front_matter(note.title) + _inline_title(note) + body + "\n"


def home_page(site_name: str, resolved: Resolved, graph: nx.DiGraph, pages: dict[str, str]) -> str:
    """A generated home page: what the vault holds, its folders, its most linked notes."""
    notes = resolved.notes
    folders: dict[str, list[str]] = {}
    for path in sorted(notes):
        folders.setdefault(path.rpartition("/")[0], []).append(path)
    lines = [_front_matter("홈"), f"# {literal(site_name)} {{ #{TITLE_ANCHOR} }}", "",
             f"노트 {len(notes)}개, 첨부 파일 {len(resolved.attachments)}개, "
             f"노트 사이의 링크 {graph.number_of_edges()}개로 이루어진 지식 베이스입니다.", ""]
    ranked = graphs.most_linked(graph, 10)
    if ranked:
        lines += ["## 가장 많이 연결된 노트 { #most-linked }", ""]
        lines += [f"1. [{literal(notes[p].title)}]({url(HOME, pages[p])}) — 백링크 {n}개"
                  for p, n in ranked]
        lines.append("")
    lines += ["## 폴더 { #folders }", ""]
    for folder, members in folders.items():
        listed = members[:FOLDER_LISTING]
        shown = ", ".join(f"[{literal(notes[p].title)}]({url(HOME, pages[p])})" for p in listed)
        more = f" 외 {len(members) - FOLDER_LISTING}개" if len(members) > FOLDER_LISTING else ""
        lines.append(f"- **{literal(folder or '(최상위)')}** ({len(members)}개): {shown}{more}")
    return "\n".join(lines) + "\n"


def render_site(resolved: Resolved, graph: nx.DiGraph, site_name: str, home: str | None = None
                ) -> Stage:
    pages, problems = staged_paths(resolved.notes, home)
    staged = {pages[path]: render_note(note, resolved.links[path], pages)
              + backlinks_section(path, pages[path], graph, resolved.notes, pages)
              for path, note in resolved.notes.items()}
    if HOME not in staged:
        staged[HOME] = home_page(site_name, resolved, graph, pages)
    files = {item.path: resolved.attachments[item.path].source
             for links in resolved.links.values() for item in links
             if item.kind is Kind.ATTACHMENT and item.path is not None}
    files[CSS_PATH] = Path(str(resources.files("compiler") / "assets" / "kb.css"))
    return Stage(staged, files, tuple(problems))
