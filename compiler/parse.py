"""Parse: one note's bytes -> a `Note` (properties, headings with anchors, links with positions).

Pure: no file access. markdown-it-py finds the syntax (code spans, fences, math and HTML
hold no links); this module turns its tokens into the note model every later stage reads.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from urllib.parse import unquote

import yaml
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from . import nesting
from .diagnostics import Diagnostic, Severity
from .normalize import nfc, without_segment_breaks
from .sanitize import external_loads, relative_addresses
from .syntax import (
    COMMENT,
    COMMENT_BLOCK,
    ESCAPED_DOLLAR,
    TAG,
    WIKILINK,
    make_parser,
    split_wikilink,
    tag_name,
    with_footnotes,
)
from .yaml_budget import load_properties

PARSER_VERSION = "14"  # bump when the Note model or its meaning changes: old cache entries die
_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
# ` ^id` ending a paragraph's last line (or `^id` standing alone): Latin letters, digits, dashes.
_BLOCK_ID = re.compile(r"(?:^|[ \t])\^([A-Za-z0-9-]+)[ \t]*$")
# Blocks a `^id` paragraph right after them names (Obsidian: "a separate line after").
_HOLDERS = {"heading_open": "heading", "th_open": "table", "td_open": "table"}
_ID_AFTER = {"bullet_list_close", "ordered_list_close", "blockquote_close", "table_close"}
_IMAGE_SIZE = re.compile(r"^\s*(\d+)(?:\s*x\s*(\d+))?\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?。])(?<![0-9][.])\s+|\n")  # "4. Archive" goes on
CONTEXT_CHARS = 160
TITLE_ANCHOR = "kb-title"  # ids the rendered page gives to what the compiler adds
BACKLINKS_ANCHOR = "kb-backlinks"
READ_BEFORE_ANCHOR = "kb-read-before"
READ_NEXT_ANCHOR = "kb-read-next"
LOCAL_GRAPH_ANCHOR = "kb-local-graph"
RESERVED_ANCHORS = frozenset({TITLE_ANCHOR, BACKLINKS_ANCHOR, READ_BEFORE_ANCHOR, READ_NEXT_ANCHOR,
                              LOCAL_GRAPH_ANCHOR})
# Blocks Python-Markdown only recognises after a blank line (CommonMark needs none).
# `[!type]+ title` on a blockquote's first line: an Obsidian callout.
_CALLOUT = re.compile(r"\[!(?P<kind>[^\]\n]+)\](?P<fold>[+-]?)[ \t]*(?P<title>[^\n]*)")


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str  # plain text as the reader sees it
    source: str  # the Markdown source of the heading's text
    anchor: str  # the id the rendered page gives it
    line: int  # 1-based
    attr_line: int  # 0-based line whose end takes the `{ #anchor }` attribute


@dataclass(frozen=True, slots=True)
class Link:
    target: str  # file part as written, URL-decoded; "" for the note itself (`[[#H]]`)
    fragment: str  # after the first '#': "H", "H1#H2", "^block"; "" if none
    display: str | None  # text after '|' (wikilink) or the link text (Markdown)
    embed: bool
    style: str  # "wiki", "markdown" or "property" (a quoted "[[Note]]" in the front matter)
    external: bool
    raw: str  # the source text of the whole link
    start: int  # offsets of `raw` in Note.source; -1 when it could not be located
    end: int
    line: int  # 1-based
    col: int  # 1-based, in characters
    context: tuple[str, str, str] = ("", "", "")  # sentence before, link text, sentence after
    section: str = ""  # anchor of the heading the link stands under
    width: int | None = None
    height: int | None = None
    title: str | None = None  # a Markdown link's "title"
    # What it stands in: "paragraph", "list" (a list item's paragraph), "heading", "table",
    # "property" (the front matter).
    holder: str = "paragraph"

    @property
    def shown_text(self) -> str:
        """What Obsidian shows for the link: its display text, or its target as written."""
        if self.display is not None and self.display.strip():
            return self.display.strip()
        parts = [p for p in [self.target.strip(), *self.fragment.split("#")] if p.strip()]
        return " > ".join(p.strip() for p in parts) or self.raw


@dataclass(frozen=True, slots=True)
class Tag:
    """`#name` in the text, or an entry of the `tags` property."""

    name: str  # as written, without '#', NFC
    line: int  # 1-based; in the front matter for a property tag
    col: int
    start: int = -1  # offsets of `#name` in Note.source; -1 for a property tag
    end: int = -1

    @property
    def key(self) -> str:
        """Tags are one tag whatever their case (Obsidian): `#ML` and `#ml` group together."""
        return self.name.casefold()


@dataclass(frozen=True, slots=True)
class BlockId:
    """` ^id` at the end of a paragraph or list item, or `^id` on a line of its own after a
    list, quote or table: the block that `[[Note#^id]]` links to and `![[Note#^id]]` embeds."""

    name: str  # as written, without the caret
    line: int  # 1-based, of the marker
    col: int  # 1-based, of the caret
    lines: tuple[int, int]  # 0-based source lines [first, end) of the block it names

    @property
    def anchor(self) -> str:
        return "^" + self.name


@dataclass(frozen=True, slots=True)
class Math:
    latex: str
    display: bool  # $$...$$ rather than $...$
    block: bool  # $$ on lines of its own: a block of its own
    line: int
    col: int
    mathml: str | None  # None when the LaTeX could not be converted


@functools.lru_cache(maxsize=8192)  # parse and render both want it; formulas repeat
def to_mathml(latex: str, display: bool) -> str | None:
    """MathML, which browsers draw natively: no script, no font, no other host."""
    try:
        return latex_to_mathml(latex, display="block" if display else "inline").replace("\n", "")
    except Exception:  # latex2mathml raises many kinds, all meaning "not valid LaTeX"
        return None


def _math(latex: str, display: bool, block: bool, line: int, col: int) -> Math:
    return Math(latex, display, block, line, col, to_mathml(latex, display))


# `#| key: value` lines at the top of an executable block (Quarto's style).
BLOCK_OPTIONS = frozenset({"figure", "caption", "alt", "fold", "timeout", "error", "session",
                           "width"})
FOLDS = ("collapsed", "expanded", "hidden")
_OPTION_LINE = re.compile(r"^#\|\s*(?P<key>[\w-]+)\s*:\s*(?P<value>.*?)\s*$")


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A ```` ```python exec ```` block: Python that the build runs, with its options."""

    index: int  # among the note's executable blocks, from 0
    code: str  # the Python source, option lines left out
    options: tuple[tuple[str, str], ...]  # (key, value) as written, in order
    line: int  # 1-based line of the opening fence

    def option(self, key: str, default: str | None = None) -> str | None:
        return next((v for k, v in reversed(self.options) if k == key), default)

    @property
    def figures(self) -> tuple[str, ...]:
        """Attachment names this block regenerates: `#| figure: a.png, b.png` (or repeated)."""
        return tuple(name.strip() for k, v in self.options if k == "figure"
                     for name in v.split(",") if name.strip())


def _is_exec_fence(info: str) -> bool:
    words = info.replace("{", " ").replace("}", " ").split()
    return bool(words) and words[0] in ("python", "py", "python3") and "exec" in words[1:]


def _block_options(path: str, lines: list[str], first_line: int
                   ) -> tuple[tuple[tuple[str, str], ...], int, list[Diagnostic]]:
    """The option lines at the top of a block's code: (options, lines they take, problems)."""
    options, problems = [], []
    for number, line in enumerate(lines):
        match = _OPTION_LINE.match(line)
        if not match:
            return tuple(options), number, problems
        key, value = match.group("key").lower(), match.group("value")
        where = (first_line + number, match.start("key") + 1)
        if key not in BLOCK_OPTIONS:
            problems.append(Diagnostic(path, *where, Severity.WARNING, "unknown-option",
                                       f"unknown block option {key!r}",
                                       "known options: " + ", ".join(sorted(BLOCK_OPTIONS))))
            continue
        if key == "fold" and value not in FOLDS:
            problems.append(Diagnostic(path, *where, Severity.WARNING, "invalid-option",
                                       f"fold must be one of {', '.join(FOLDS)}, not {value!r}"))
            continue
        if key in ("timeout", "width") and not _positive_number(value):
            problems.append(Diagnostic(path, *where, Severity.WARNING, "invalid-option",
                                       f"{key} must be a positive number, not {value!r}"))
            continue
        options.append((key, value))
    return tuple(options), len(lines), problems


def _positive_number(value: str) -> bool:
    try:
        return float(value) > 0
    except ValueError:
        return False


@dataclass(frozen=True)
class Note:
    path: str
    title: str
    source: str  # the text, decoded, newlines normalised to \n
    body_start: int  # offset just past the front matter
    properties: dict = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    headings: tuple[Heading, ...] = ()
    block_ids: tuple[BlockId, ...] = ()  # in source order; a name used twice names its first
    links: tuple[Link, ...] = ()
    math: tuple[Math, ...] = ()
    tags: tuple[Tag, ...] = ()  # the `tags` property's first, then the text's, in order
    blocks: tuple[CodeBlock, ...] = ()  # executable code blocks, in order
    text: str = ""  # plain text, for search and summaries
    diagnostics: tuple[Diagnostic, ...] = ()
    # markdown-it's tokens of `source`, kept (and cached) so that render walks the very tree
    # parse read instead of parsing the note a second time. Never mutated after parsing.
    tokens: tuple[Token, ...] = field(default=(), compare=False, repr=False)

    @property
    def tag_names(self) -> tuple[str, ...]:
        """Each tag once (case-insensitively), spelled as first written."""
        first: dict[str, str] = {}
        for tag in self.tags:
            first.setdefault(tag.key, tag.name)
        return tuple(first.values())

    @property
    def published(self) -> bool:
        """`publish: false` leaves the note out of the site and the graph."""
        return self.properties.get("publish") is not False


def slugify(text: str) -> str:
    """Readable anchors that keep Hangul: '신경망 기초이론' -> '신경망-기초이론'."""
    slug = re.sub(r"[^\w\s/-]", "", nfc(text).strip().lower()).replace("/", " ")
    return re.sub(r"[\s-]+", "-", slug).strip("-_") or "section"


def heading_key(text: str) -> str:
    """How a heading is matched by `[[Note#Heading]]`: case, spacing and link syntax ignored."""
    text = re.sub(r"[\[\]#|^:*_=`~]", " ", nfc(text)).casefold()
    return " ".join(text.split())


def title_of(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".md").removesuffix(".MD")


def decode(path: str, data: bytes) -> tuple[str, list[Diagnostic]]:
    """UTF-8 text; bytes that are not UTF-8 are replaced and reported where they stand."""
    try:
        text = data.decode("utf-8")
        diagnostics = []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start:exc.start].decode("utf-8", "replace")) + 1
        diagnostics = [Diagnostic(path, line, col, Severity.ERROR, "invalid-utf8",
                                  f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                                  "save the note as UTF-8; it is published with the bad "
                                  "bytes replaced by �")]
        text = data.decode("utf-8", "replace")
    text = without_segment_breaks(text.removeprefix("\ufeff"))
    return text.replace("\r\n", "\n").replace("\r", "\n"), diagnostics


def _plain_properties(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _plain_properties(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_properties(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _read_properties(path: str, token: Token) -> tuple[dict, list[Diagnostic]]:
    try:
        data = load_properties(token.content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark else 1  # +1 for the opening ---, +1 for 1-based
        col = (mark.column + 1) if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        return {}, [Diagnostic(path, line, col, Severity.ERROR, "invalid-front-matter",
                               f"the properties are not valid YAML: {problem}",
                               "the note is published without its properties")]
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [Diagnostic(path, 2, 1, Severity.ERROR, "invalid-front-matter",
                               "the properties must be a mapping of names to values",
                               "the note is published without its properties")]
    return _plain_properties(data), []


_PROPERTY_LINK = re.compile(r"^\s*(!?)\[\[([^\[\]\n]+)\]\]\s*$")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _property_links(properties: dict, locator: _Locator, end_line: int) -> list[Link]:
    """`related: "[[Note]]"`: a quoted wikilink in a property counts as a link. It stands in
    the front matter, which is never staged, so it has a line but no offsets to rewrite."""
    links, cursor = [], (1, 0)
    for value in _strings(properties):
        if not (match := _PROPERTY_LINK.match(value)):
            continue
        raw = value.strip()
        where = locator.search(raw, 1, end_line, cursor)
        line, col = (where[2], where[3]) if where else (0, 0)
        if where:
            cursor = (where[2], where[3] + 1)
        target_part, display = split_wikilink(match.group(2))
        target, _, fragment = target_part.partition("#")
        links.append(Link(target=target, fragment=fragment, display=display,
                          embed=bool(match.group(1)), style="property", external=False, raw=raw,
                          start=-1, end=-1, line=line + 1, col=col + 1, holder="property"))
    return links


def _property_tags(path: str, properties: dict, locator: _Locator, end_line: int
                   ) -> tuple[list[Tag], list[Diagnostic]]:
    """The `tags` property (or the older `tag`): a list, or one string of tags separated by
    commas or spaces; each with or without its `#`. What is not a tag is reported."""
    key = next((k for k in ("tags", "tag") if k in properties), None)
    if key is None or properties[key] is None:
        return [], []
    value = properties[key]
    key_line, after_key = next(((n, m.end()) for n in range(1, end_line)
                                if (m := re.match(rf"{key}\s*:", locator.lines[n]))), (1, 0))
    if isinstance(value, str):
        written = [piece for piece in re.split(r"[,\s]+", value) if piece]
    elif isinstance(value, list):
        written = [str(item).strip() for item in value if item is not None and str(item).strip()]
    else:
        written = [str(value)]
    tags, problems, cursor = [], [], (key_line, after_key)
    for text in written:
        where = locator.search(text, key_line, end_line, cursor)
        line, col = (where[2], where[3]) if where else (key_line, 0)
        if where:
            cursor = (where[2], where[3] + len(text))
        name = tag_name(nfc(text.removeprefix("#")))
        if name is None:
            problems.append(Diagnostic(
                path, line + 1, col + 1, Severity.WARNING, "invalid-tag",
                f"{text!r} in the {key} property is not a tag Obsidian accepts",
                "a tag is letters, digits, _, - and / (for nesting), with no spaces and not "
                "only digits"))
            continue
        tags.append(Tag(name, line + 1, col + 1))
    return tags, problems


def _string_list(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value if v is not None)
    return ()


def line_offsets(lines: list[str]) -> list[int]:
    """Offset of each line's first character in the text the lines were split from."""
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    return offsets


class _Locator:
    """Finds inline source snippets in the note's lines, left to right within a block."""

    def __init__(self, source: str):
        self._source = source
        self.lines = source.split("\n")
        self.offsets = line_offsets(self.lines)
        # The inline token being mapped: where its lines start, and each line's column in the
        # source, found once (an item per call would make a long paragraph quadratic).
        self._content: str | None = None
        self._breaks: list[int] = []
        self._columns: dict[tuple[int, int], int | None] = {}

    def _line_column(self, content: str, index: int, first_line: int) -> int | None:
        """The source column where line `index` of `content` begins, None when it is not there."""
        key = (first_line, index)
        if key not in self._columns:
            line_begin = self._breaks[index - 1] + 1 if index else 0
            line_end = self._breaks[index] if index < len(self._breaks) else len(content)
            content_line = content[line_begin:line_end].rstrip()
            line = first_line + index
            column = None
            if line < len(self.lines):
                source_line = self.lines[line].rstrip()
                if source_line.endswith(content_line):
                    column = len(source_line) - len(content_line)
                else:
                    at = source_line.find(content_line)  # a heading's closing #s follow its text
                    if content_line and at >= 0 and source_line.find(content_line, at + 1) < 0:
                        column = at
            self._columns[key] = column
        return self._columns[key]

    def map_offset(self, content: str, offset: int, first_line: int) -> tuple[int, int] | None:
        """(line, col) in the source of `content[offset]`, where `content` is an inline token's
        text: one line per source line from `first_line`, each stripped of its container
        prefix (indentation, list marker, `>`). None when that line is not such a suffix."""
        if content is not self._content:
            self._content = content
            self._breaks = []
            at = content.find("\n")
            while at >= 0:
                self._breaks.append(at)
                at = content.find("\n", at + 1)
            self._columns = {}
        index = bisect.bisect_left(self._breaks, offset)
        column = self._line_column(content, index, first_line)
        if column is None:
            return None
        line_begin = self._breaks[index - 1] + 1 if index else 0
        return first_line + index, column + offset - line_begin

    def map_cell(self, line: int, cell: int, span: tuple[int, int]) -> tuple[int, int] | None:
        """Source offsets of content[span] in the `cell`-th cell of the table row at `line`,
        whose text markdown-it has trimmed and unescaped (`\\|` -> `|`)."""
        row = self.lines[line] if line < len(self.lines) else ""
        bounds = _cell_bounds(row)
        if cell >= len(bounds):
            return None
        start, _ = bounds[cell]
        start += len(row[start:]) - len(row[start:].lstrip())

        def walk(count: int) -> int:
            at = start
            for _ in range(count):
                at += 2 if row.startswith("\\|", at) else 1
            return at

        return self.offsets[line] + walk(span[0]), self.offsets[line] + walk(span[1])

    def find(self, raw: str, content: str, span: tuple[int, int], first_line: int,
             last_line: int, cursor: tuple[int, int], cell: int | None = None
             ) -> tuple[int, int, int, int] | None:
        """(start, end, line, col) of `raw` = content[span] in the source, 0-based."""
        if cell is not None:
            mapped = self.map_cell(first_line, cell, span)
            if mapped and self._source[mapped[0]:mapped[1]].replace("\\|", "|") == raw:
                return mapped[0], mapped[1], first_line, mapped[0] - self.offsets[first_line]
            return self.search(raw, first_line, last_line, cursor)
        begin = self.map_offset(content, span[0], first_line)
        finish = self.map_offset(content, span[1] - 1, first_line)
        if begin and finish:
            start = self.offsets[begin[0]] + begin[1]
            end = self.offsets[finish[0]] + finish[1] + 1
            if self.source_text(start, end).replace("\\|", "|") == raw.replace("\\|", "|") \
                    or "\n" in raw:
                return start, end, begin[0], begin[1]
        return self.search(raw, first_line, last_line, cursor)

    def source_text(self, start: int, end: int) -> str:
        return self._source[start:end]

    def search(self, raw: str, first_line: int, last_line: int, cursor: tuple[int, int]
               ) -> tuple[int, int, int, int] | None:
        """Fallback: the first occurrence of `raw` from `cursor` = (line, col), 0-based
        (table cells, whose text markdown-it unescapes)."""
        pieces = raw.split("\n")
        candidates = [pieces[0], pieces[0].replace("|", "\\|")]  # tables keep `\|` in source
        line, col = cursor
        while line < min(last_line, len(self.lines)):
            for head in candidates:
                at = self.lines[line].find(head, col)
                if at < 0:
                    continue
                start = self.offsets[line] + at
                if len(pieces) == 1:
                    end = start + len(head)
                else:  # the link wraps: its last piece starts a later line, after indentation
                    end_line = line + len(pieces) - 1
                    if end_line >= len(self.lines):
                        continue
                    tail_at = self.lines[end_line].find(pieces[-1])
                    if tail_at < 0:
                        continue
                    end = self.offsets[end_line] + tail_at + len(pieces[-1])
                return start, end, line, at
            line, col = line + 1, 0
        return None


def _cell_bounds(row: str) -> list[tuple[int, int]]:
    """(start, end) of each cell of a table row, split at pipes that are not escaped."""
    at = len(row) - len(row.lstrip())
    if row.startswith("|", at):
        at += 1
    bounds, start = [], at
    while at < len(row):
        if row[at] == "\\":
            at += 2
            continue
        if row[at] == "|":
            bounds.append((start, at))
            start = at + 1
        at += 1
    if row[start:].strip():
        bounds.append((start, len(row)))
    return bounds


def _plain_pieces(children: list[Token]) -> Iterator[tuple[str, Token | None]]:
    """Reading-view text of an inline token, with the link token each piece belongs to."""
    current_link: Token | None = None
    for child in children:
        if child.type == "link_open":
            current_link = child
        elif child.type == "link_close":
            current_link = None
        elif child.type in ("text", "code_inline", "math_inline", "math_inline_double",
                            ESCAPED_DOLLAR):
            yield child.content, current_link
        elif child.type in ("softbreak", "hardbreak"):
            yield "\n", None
        elif child.type == WIKILINK and not child.meta["embed"]:
            yield "", child  # its text is filled in once the Link exists
        elif child.type == TAG:
            yield "#" + child.content, None


def _contexts(plain: str, ranges: dict[int, tuple[int, int]]) -> dict[int, tuple[str, str, str]]:
    """For each link's range in `plain`, the sentence around it, trimmed to about
    CONTEXT_CHARS characters. Sentence bounds are found once per block."""
    bounds = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(plain)]
    starts, ends = [b[0] for b in bounds], [b[1] for b in bounds]
    found = {}
    for key, (start, end) in ranges.items():
        at = bisect.bisect_right(ends, start)
        left = ends[at - 1] if at else 0
        at = bisect.bisect_left(starts, end)
        right = starts[at] if at < len(starts) else len(plain)
        before, after = plain[left:start], plain[end:right]
        budget = max(CONTEXT_CHARS - (end - start), 20)
        if len(before) > budget // 2:
            before = "…" + before[-(budget // 2):].lstrip()
        if len(after) > budget // 2:
            after = after[: budget // 2].rstrip() + "…"
        found[key] = (before.lstrip(), plain[start:end], after.rstrip())
    return found


def _split_href(href: str) -> tuple[str, str]:
    """`Name%20here.md#Some%20heading` -> ('Name here.md', 'Some heading'): split first, so
    that an encoded `%23` stays part of the name."""
    path, _, fragment = href.partition("#")
    return unquote(path), unquote(fragment)


def _make_link(token: Token, content: str, where: tuple[int, int, int, int] | None,
               section: str, source: str, holder: str = "paragraph") -> Link:
    span = token.meta["span"]
    raw = content[span[0]:span[1]]
    start, end, line, col = where if where else (-1, -1, 0, 0)
    if where:
        raw = source[start:end]  # in a table, markdown-it has unescaped its `\\|`
    title = None
    if token.type == WIKILINK:
        target, _, fragment = token.meta["target"].partition("#")
        display = token.meta["display"]
        style, external = "wiki", False
    else:
        href = token.attrs.get("src" if token.type == "image" else "href", "")
        external = bool(_EXTERNAL.match(href))
        target, fragment = (href, "") if external else _split_href(href)
        label = token.meta.get("label")
        display = content[label[0]:label[1]] if label else token.content
        title = token.attrs.get("title")
        style = "markdown"
    embed = token.type == "image" or bool(token.meta.get("embed"))
    width = height = None
    if embed and display is not None and (size := _IMAGE_SIZE.match(display.rsplit("|", 1)[-1])):
        width = int(size.group(1))
        height = int(size.group(2)) if size.group(2) else None
        display = display.rsplit("|", 1)[0] if "|" in display else None
    return Link(target=target, fragment=fragment, display=display, embed=embed, style=style,
                external=external, raw=raw, start=start, end=end, line=line + 1, col=col + 1,
                section=section, width=width, height=height, title=title, holder=holder)


def _unique_anchor(text: str, taken: set[str]) -> str:
    base = slugify(text)
    anchor, n = base, 0
    while anchor in taken or anchor in RESERVED_ANCHORS:
        n += 1
        anchor = f"{base}-{n}"
    taken.add(anchor)
    return anchor


class _NoteBuilder:
    """Walks markdown-it's tokens once, collecting what the Note holds."""

    def __init__(self, path: str, source: str, diagnostics: list[Diagnostic]):
        self.path, self.source = path, source
        self.locator = _Locator(source)
        self.diagnostics = diagnostics
        self.properties: dict = {}
        self.body_start = 0
        self.headings: list[Heading] = []
        self.block_ids: list[BlockId] = []
        self.links: list[Link] = []
        self.math: list[Math] = []
        self.tags: list[Tag] = []
        self.text_parts: list[str] = []
        self.anchors: set[str] = set()
        self.section = ""
        self.open_items = 0
        self.cursor, self.cell = (-1, 0), -1
        self.blocks: list[CodeBlock] = []
        self.tokens: list[Token] = []

    def walk(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        for index, token in enumerate(tokens):
            if token.type == "front_matter":
                self.front_matter(token)
                continue
            self.open_items += {"list_item_open": 1, "list_item_close": -1}.get(token.type, 0)
            if token.type == "math_block" and token.map:
                self.math.append(_math(token.content.strip(), True, True, token.map[0] + 1, 1))
            elif token.type == "fence" and token.map and _is_exec_fence(token.info):
                self.code_block(token)
            elif token.type == COMMENT_BLOCK:
                self.comment_block(token)
            elif token.type == "html_block" and token.map:
                self.check_html(token.content, token.map[0], 0)
            elif token.type == "inline" and token.map is not None:
                opens_quote = index >= 2 and tokens[index - 2].type == "blockquote_open"
                self.inline(token, tokens[index - 1], opens_quote)
                if tokens[index - 1].type == "paragraph_open":
                    self.block_id(tokens, index)

    def block_id(self, tokens: list[Token], index: int) -> None:
        """A paragraph ending in ` ^id` names itself, or its list item when it opens one; a
        paragraph that is only `^id` names the list, quote or table right before it."""
        token = tokens[index]
        if not (found := _BLOCK_ID.search(token.content.rsplit("\n", 1)[-1])):
            return
        line = token.map[1] - 1
        marker = _BLOCK_ID.search(self.locator.lines[line].rstrip())
        if marker is None:
            return
        name = found.group(1)
        col = marker.start(1)  # 1-based column of the caret
        named = tokens[index - 1]
        before = tokens[index - 2] if index >= 2 else None
        alone = "\n" not in token.content and found.start() == 0
        if alone and before is not None and before.type in _ID_AFTER:
            opener = before.type.replace("_close", "_open")
            at = index - 2
            while at > 0 and not (tokens[at].type == opener and tokens[at].level == before.level):
                at -= 1
            named = tokens[at]
        elif before is not None and before.type == "list_item_open":
            named = before
        first = next((b for b in self.block_ids if b.name.casefold() == name.casefold()), None)
        if first is not None:
            self.diagnostics.append(Diagnostic(
                self.path, line + 1, col, Severity.WARNING, "duplicate-block-id",
                f"block id ^{name} is already used on line {first.line}",
                "links to it land on the first block; give this one another id"))
        self.block_ids.append(BlockId(name, line + 1, col, (named.map[0], named.map[1])))

    def comment_block(self, token: Token) -> None:
        if not token.meta["closed"]:
            line = token.map[0]
            col = token.meta["offsets"][0] - self.locator.offsets[line]
            self.diagnostics.append(Diagnostic(
                self.path, line + 1, col + 1, Severity.WARNING, "unclosed-comment",
                "this %% comment is never closed: it hides the rest of the note, as in Obsidian",
                "close it with %%"))

    def code_block(self, token: Token) -> None:
        lines = token.content.split("\n")
        options, taken, problems = _block_options(self.path, lines, token.map[0] + 2)
        self.diagnostics += problems
        self.blocks.append(CodeBlock(len(self.blocks), "\n".join(lines[taken:]).rstrip("\n") + "\n",
                                     options, token.map[0] + 1))

    def front_matter(self, token: Token) -> None:
        self.properties, problems = _read_properties(self.path, token)
        self.diagnostics += problems
        self.links += _property_links(self.properties, self.locator, token.map[1])
        tags, problems = _property_tags(self.path, self.properties, self.locator, token.map[1])
        self.tags += tags
        self.diagnostics += problems
        self.body_start = self.locator.offsets[min(token.map[1], len(self.locator.lines))]

    def check_html(self, html: str, line: int, col: int) -> None:
        """Raw HTML is sanitised by render (see forms.rawhtml); what would load from another
        host is said so."""
        for address in relative_addresses(html):
            self.diagnostics.append(Diagnostic(
                self.path, line + 1, col + 1, Severity.WARNING, "html-relative-address",
                f"raw HTML refers to {address!r}, an address relative to the page, which "
                "points at nothing on the site (a note's page is not where its file is); it "
                "is left out", "link or embed vault files with [[...]] or ![[...]]"))
        if loads := external_loads(html):
            self.diagnostics.append(Diagnostic(
                self.path, line + 1, col + 1, Severity.WARNING, "external-resource",
                f"raw HTML loads {loads[0]!r} from another host; it is blocked",
                "the site makes no request to other hosts: save the file in the vault "
                "and embed it"))

    def inline(self, token: Token, parent: Token, opens_quote: bool = False) -> None:
        """`opens_quote`: the first paragraph of a blockquote, whose `[!type]` makes it a
        callout: the marker is no text the reader sees."""
        if token.map[0] != self.cursor[0]:  # table cells of one row share a line: keep going
            self.cursor, self.cell = (token.map[0], 0), -1
        in_cell = parent.type in ("th_open", "td_open")
        self.cell += in_cell
        made: dict[int, Link] = {}
        for child in with_footnotes(token.children or []):
            span = child.meta.get("span") if child.meta else None
            if not span:
                continue
            raw = token.content[span[0]:span[1]]
            where = self.locator.find(raw, token.content, span, token.map[0], token.map[1],
                                      self.cursor, self.cell if in_cell else None)
            if where and child.type != "footnote_ref":  # what it holds comes after its start
                self.cursor = (where[2], where[3] + 1)
            # Comments, `\$` and footnote references only move the cursor on.
            if child.type in (COMMENT, ESCAPED_DOLLAR, "footnote_ref"):
                continue
            if child.type.startswith("math_inline"):
                if where:
                    self.math.append(_math(child.content.strip(),
                                           child.type == "math_inline_double", False,
                                           where[2] + 1, where[3] + 1))
            elif child.type == "html_inline":
                if where:
                    self.check_html(self.source[where[0]:where[1]], where[2], where[3])
            elif child.type == TAG:
                start, end, line, col = where or (-1, -1, token.map[0], 0)
                self.tags.append(Tag(nfc(child.content), line + 1, col + 1, start, end))
            else:
                made[id(child)] = _make_link(child, token.content, where, self.section,
                                             self.source,
                                             _HOLDERS.get(parent.type,
                                                          "list" if self.open_items else "paragraph"))

        plain_parts: list[str] = []
        ranges: dict[int, tuple[int, int]] = {}
        length = 0
        for piece, owner in _plain_pieces(list(with_footnotes(token.children or []))):
            if opens_quote and not plain_parts and owner is None \
                    and (marker := _CALLOUT.match(piece)):
                piece = piece[marker.start("title"):]
            if owner is not None and owner.type == WIKILINK:
                piece = made[id(owner)].shown_text
            if owner is not None:
                began = ranges.get(id(owner), (length, length))[0]
                ranges[id(owner)] = (began, length + len(piece))
            plain_parts.append(piece)
            length += len(piece)
        plain = "".join(plain_parts)
        self.text_parts.append(plain)

        if parent.type == "heading_open":
            anchor = _unique_anchor(plain, self.anchors)
            setext = parent.markup in ("=", "-")  # text lines, then the underline
            last_text_line = parent.map[1] - 2 if setext else parent.map[0]
            self.headings.append(Heading(int(parent.tag[1]), plain.strip(),
                                         token.content.strip(), anchor, parent.map[0] + 1,
                                         last_text_line))
            self.section = anchor
            made = {key: replace(link, section=anchor) for key, link in made.items()}
        contexts = _contexts(plain, {k: r for k, r in ranges.items() if k in made})
        self.links += [replace(link, context=contexts[key]) if key in contexts else link
                       for key, link in made.items()]

    def note(self) -> Note:
        self.diagnostics += [
            Diagnostic(self.path, m.line, m.col, Severity.WARNING, "invalid-math",
                       f"cannot draw the formula {m.latex!r}", "it is shown as source")
            for m in self.math if m.mathml is None]
        title = self.properties.get("title")
        aliases = _string_list(self.properties.get("aliases", self.properties.get("alias")))
        return Note(
            path=self.path,
            title=(title if isinstance(title, str) and title.strip() else title_of(self.path)).strip(),
            source=self.source,
            body_start=self.body_start,
            properties=self.properties,
            aliases=aliases,
            headings=tuple(self.headings),
            block_ids=tuple(self.block_ids),
            links=tuple(self.links),
            math=tuple(self.math),
            tags=tuple(self.tags),
            text="\n".join(self.text_parts),
            blocks=tuple(self.blocks),
            diagnostics=tuple(self.diagnostics),
            tokens=tuple(self.tokens),
        )


@functools.lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return make_parser()


def parse_tokens(source: str) -> list[Token]:
    """markdown-it's tokens of a note's decoded text (render walks them as a tree)."""
    return _parser().parse(source)


def parse_note(path: str, data: bytes) -> Note:
    """Parse one note. Never raises: problems become diagnostics on the returned Note."""
    source, diagnostics = decode(path, data)
    tokens = parse_tokens(source)
    if (depth := nesting.depth(source, tokens)) > nesting.LIMIT:
        source, problem = nesting.as_plain_text(path, source, tokens, depth)
        diagnostics.append(problem)
        tokens = parse_tokens(source)
    builder = _NoteBuilder(path, source, diagnostics)
    builder.walk(tokens)
    return builder.note()
