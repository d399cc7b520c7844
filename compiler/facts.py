"""Facts: what Bases and Dataview queries read about each note, gathered once per build.

One plain table built from the resolved vault: a note's properties (front matter), its inline
fields (`key:: value` on a line, `[key:: value]` and `(key:: value)` inside one), its tasks, and
the `file.*` facts a build can know (name, path, folder, extension, size, dates, tags, links,
embeds, backlinks) and the build's clock. Queries are pure functions of this table, so a
query's result changes only when the facts it read change (`compiler.reads` records them).

Inline fields and tasks are read from markdown-it's tokens, so code spans and fences hold none.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from markdown_it.token import Token

from .parse import Note, parse_tokens
from .resolve import Kind, Resolved


@dataclass(frozen=True)
class Task:
    text: str  # the item's text, its marker and inline fields as written
    status: str  # the character between the brackets
    line: int  # 1-based
    section: str = ""  # anchor of the heading above it
    fields: tuple[tuple[str, object], ...] = ()

    @property
    def completed(self) -> bool:
        return self.status in "xX"


@dataclass(frozen=True)
class NoteFacts:
    path: str  # vault path, NFC
    basename: str  # name without its extension
    ext: str  # "md"
    folder: str  # "" at the vault's root
    size: int
    ctime: dt.datetime
    mtime: dt.datetime
    properties: Mapping[str, object]
    fields: Mapping[str, object]  # inline fields, by name as written
    tags: tuple[str, ...]  # without '#', as written, in order, each once
    links: tuple[str, ...]  # targets: a vault path when resolved, else the link's text
    embeds: tuple[str, ...]
    inlinks: tuple[str, ...] = ()  # paths of the notes linking here
    tasks: tuple[Task, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.basename}.{self.ext}" if self.ext else self.basename

    def value(self, key: str) -> object:
        """A property, or else an inline field, by name; names match case-insensitively."""
        for source in (self.properties, self.fields):
            if key in source:
                return source[key]
        folded = key.casefold()
        for source in (self.properties, self.fields):
            for name, found in source.items():
                if name.casefold() == folded or _canonical(name) == folded:
                    return found
        return None

    def has(self, key: str) -> bool:
        folded = key.casefold()
        return any(name.casefold() == folded for source in (self.properties, self.fields)
                   for name in source)


@dataclass(frozen=True)
class Facts:
    notes: Mapping[str, NoteFacts]  # by vault path
    by_name: Mapping[str, str] = field(default_factory=dict)  # casefolded basename -> path

    def find(self, name: str) -> str | None:
        """The note a link's text names (a path, or a name as Obsidian resolves it)."""
        text = name.strip().removeprefix("[[").removesuffix("]]").split("|")[0].split("#")[0]
        text = text.strip()
        if text in self.notes:
            return text
        if f"{text}.md" in self.notes:
            return f"{text}.md"
        return self.by_name.get(text.casefold().removesuffix(".md"))

    def today(self) -> dt.datetime:
        """The build's date (UTC midnight): what `today`, `date(today)`, `sow`... read."""
        return self.now().replace(hour=0, minute=0, second=0, microsecond=0)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


def _canonical(name: str) -> str:
    """Dataview's second name for a field: lower case, spaces as dashes, markup dropped."""
    return re.sub(r"[^\w\s-]", "", name).strip().casefold().replace(" ", "-")


# -- inline fields --

_KEY = r"[^\[\]()\n:*_`]*?[^\s\[\]()\n:*_`]"
_LINE_FIELD = re.compile(rf"^\s*[*_]*(?P<key>{_KEY})[*_]*::[ \t]*(?P<value>.*)$")
_VALUE = r"[^\[\]()]*(?:\[\[[^\]]*\]\][^\[\]()]*)*"  # text, and links in it
_BRACKETED = re.compile(rf"(?P<open>[\[(])(?P<key>{_KEY})::[ \t]*(?P<value>{_VALUE})[\])]")


def field_value(text: str) -> object:
    """A field's value as Dataview types it: number, boolean, date, link or text; a
    comma-separated run of links is a list."""
    value = text.strip()
    if not value:
        return None
    if re.fullmatch(r"-?\d+(?:\.\d+)?", value):
        return float(value) if "." in value else int(value)
    if value.casefold() in ("true", "false"):
        return value.casefold() == "true"
    links = re.findall(r"\[\[[^\]]+\]\]", value)
    if len(links) > 1 and re.fullmatch(r"(?:\s*\[\[[^\]]+\]\]\s*,?)+", value):
        return links
    if value.startswith('"') and value.endswith('"') and len(value) > 1:
        return value[1:-1]
    return value


def inline_fields(text: str) -> Iterator[tuple[str, str]]:
    """The `(key, raw value)` pairs of one paragraph's text: bracketed fields anywhere, and
    a line of its own that reads `key:: value`."""
    for line in text.split("\n"):
        bracketed = list(_BRACKETED.finditer(line))
        for found in bracketed:
            yield found.group("key").strip(), found.group("value")
        if not bracketed and (whole := _LINE_FIELD.match(line)):
            yield whole.group("key").strip(), whole.group("value")


_TASK = re.compile(r"^\[([^\[\]\n])\] +(?=\S)")


# A note with neither can have no inline field and no task: its text is not parsed again
# (parsing costs 30 ms a note; most notes of a large vault have neither).
_MAY_HOLD = re.compile(r"::|^[ \t>]*(?:[-*+]|\d+[.)])[ \t]+\[[^\[\]\n]\]", re.MULTILINE)


def _fields_and_tasks(note: Note) -> tuple[dict[str, object], tuple[Task, ...]]:
    fields: dict[str, object] = {}
    tasks: list[Task] = []
    if not _MAY_HOLD.search(note.source, note.body_start):
        return fields, ()
    tokens = parse_tokens(note.source)
    section = ""
    headings = {h.line - 1: h.anchor for h in note.headings}
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            section = headings.get(token.map[0], section)
        if token.type != "inline" or not token.map:
            continue
        text = token.content
        pairs = [(k, field_value(v)) for k, v in inline_fields(text) if _outside_code(k, token)]
        in_item = index >= 2 and tokens[index - 1].type == "paragraph_open" \
            and tokens[index - 2].type == "list_item_open"
        marker = _TASK.match(text) if in_item else None
        if marker:
            tasks.append(Task(text[marker.end():].split("\n")[0].strip(), marker.group(1),
                              token.map[0] + 1, section, tuple(pairs)))
        for key, value in pairs:
            if key in fields:  # a field written twice is a list of its values, as in Dataview
                old = fields[key]
                fields[key] = [*old, value] if isinstance(old, list) else [old, value]
            else:
                fields[key] = value
    return fields, tuple(tasks)


def _outside_code(key: str, token: Token) -> bool:
    """The field's key is not inside a code span."""
    return not any(child.type == "code_inline" and f"{key}::" in child.content
                   for child in token.children or ())


# -- the table --

def _unique(items: Iterator[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def build_facts(resolved: Resolved, sizes: Mapping[str, int],
                dates: Mapping[str, tuple[dt.datetime, dt.datetime]]) -> Facts:
    """The facts of every note. `sizes` and `dates` (ctime, mtime) come from the edges
    (`compiler.filedates`); a note missing from them has size 0 and the epoch."""
    inlinks: dict[str, list[str]] = {}
    for source, items in resolved.links.items():
        for item in items:
            if item.kind is Kind.NOTE and item.path and item.path != source:
                inlinks.setdefault(item.path, []).append(source)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    table = {}
    for path, note in resolved.notes.items():
        folder, _, name = path.rpartition("/")
        basename, dot, ext = name.rpartition(".")
        try:
            fields, tasks = _fields_and_tasks(note)
        except RecursionError:  # a pathologically nested note: its text has no fields then
            fields, tasks = {}, ()
        items = resolved.links.get(path, ())
        links = _unique(item.path or item.link.target for item in items
                        if not item.link.embed and not item.link.external and item.link.target)
        embeds = _unique(item.path or item.link.target for item in items
                         if item.link.embed and not item.link.external and item.link.target)
        ctime, mtime = dates.get(path, (epoch, epoch))
        table[path] = NoteFacts(
            path=path, basename=basename if dot else name, ext=ext if dot else "", folder=folder,
            size=sizes.get(path, len(note.source.encode())), ctime=ctime, mtime=mtime,
            properties=dict(note.properties), fields=fields,
            tags=_unique(tag.name for tag in note.tags), links=links, embeds=embeds,
            inlinks=_unique(iter(sorted(inlinks.get(path, ())))), tasks=tasks,
            aliases=note.aliases)
    by_name: dict[str, str] = {}
    for path in sorted(table, key=lambda p: (p.count("/"), len(p), p)):
        by_name.setdefault(table[path].basename.casefold(), path)
    return Facts(table, by_name)
