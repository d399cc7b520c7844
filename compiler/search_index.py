"""Search that works in Korean, with Material's own search box and results.

Material's search (lunr in a web worker) splits text into words at a separator and matches
every query word as a prefix: `역전파` finds `역전파를`, but `적분` misses `몬테카를로적분`, since
Korean writes compounds, and nouns with their particles, as one word. Obsidian's own search
matches anywhere inside a word. So each entry of the index also carries, in fields that the
results never show, the suffixes of its Hangul words that start inside a word
(`몬테카를로적분` -> `적분`, ...): lunr's prefix match on a suffix is a match anywhere in the
word. Suffixes already covered by a longer one or by a word of the text are left out, and
each is cut to `MAX_PART` characters, so the index grows by a fraction of its Korean text.

A morphological analyser was tried (kiwipiepy, 88 MB of model, 0.9 s to load, 300 MB of
memory): it splits `몬테카를로적분` into 몬테카를로 + 적 + 분 and keeps `확률분포` whole, so
that neither `적분` nor `분포` would be found. Suffixes find both, as Obsidian does.

The index is made from the built pages themselves (every `<article>` of the site, cut into
sections at its headings, as Material cuts them), not from what Material's plugin gathered
during the build: a partial rebuild of a few pages still gets a complete index by calling
`write_search_index` on the whole site. Note titles weigh as much as Material's titles, and
a note's aliases (front matter `aliases:`) as much as its title. The JSON is written as UTF-8
(Material escapes every Hangul syllable as `\\uXXXX`, twice the bytes).

A note whose name (title or alias) is what the reader typed comes first: `가능도` lists the note
가능도 before 최대가능도 추정, whose alias `최대 가능도` has the word as well. Material appends
`*` to every query word, so lunr cannot tell an exact match from a prefix match, and with its
length normalisation off (`b = 0`) a word weighs as much in a long title as in a short one.
So each note's names are also written whole, as words run together, into a `name` field that
weighs ten times a title, each as several terms (`가능도§0`, `가능도§1`, ...) whose number
falls with the name's length: a query matching the start of a name ranks the note by that
name's shortness, and the shortest name that begins with the query is the query itself.
The terms end in `§` so that no word of a text shares them (and their rarity, lunr's idf).

`kb build` and `kb serve` write the index with the same function; serve passes a
`PageEntries` cache so that a rebuild reads only the pages MkDocs wrote again. The pages are
read by several processes (`kb.workers`, `compiler.workers.fork_map`), merged in page order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

from .math_text import math_text
from .workers import fork_map

INDEX_PATH = "search/search_index.json"
# Where a word ends, for lunr in the browser (a JavaScript RegExp) and for the suffixes here
# (the same pattern in Python). Besides spaces and dashes, as Material's default: punctuation,
# so that `신경망(neural` is two words, and HTML's escaped `<`, `>` and `&`; a dot only when no
# digit follows (0.5 stays one word).
SEPARATOR = r"&(?:lt|gt|amp);|[\s\-,:;!?()\[\]{}\"'/|=·…~]+|\.(?!\d)"
_SEPARATOR = re.compile(SEPARATOR)
MAX_PART = 10  # longest suffix kept: a query word longer than this inside a word is rare
TITLE_BOOST = 1000.0  # Material's boost for titles
# Extra fields, searched but never shown: aliases of a note (on its first entry), and the
# inner parts of the words of a title and of a text.
NAME_BOOST = TITLE_BOOST * 10  # a note's whole name: above any word of a title
NAME_LENGTHS = 16  # a name of n letters is written as NAME_LENGTHS - n terms (at least one)
NAME_MARK = "§"  # ends the name terms: no word of a text is one of them
FIELDS = {"name": {"boost": NAME_BOOST}, "aliases": {"boost": TITLE_BOOST},
          "title_parts": {"boost": TITLE_BOOST / 2}, "text_parts": {"boost": 1.0}}
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_TAG = re.compile(r"<[^>]*>")
_EMPTY_ELEMENT = re.compile(r"<(\w+)>\s*</\1>")
# As Material's parser: these tags stay in a section's text (results show them), the others
# are dropped with their text kept; these are skipped whole.
_KEPT = frozenset({"p", "code", "pre", "li", "ol", "ul", "sub", "sup"})
_SKIPPED = frozenset({"script", "style", "object", "svg", "button", "form"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def words(text: str) -> list[str]:
    """The words lunr indexes in a field: text outside tags, split at SEPARATOR, lowercased."""
    return [w for w in _SEPARATOR.split(_TAG.sub(" ", text).lower()) if w]


def inner_parts(text: str) -> list[str]:
    """Suffixes of the words that start at a Hangul letter inside a word, cut to MAX_PART,
    without those that a word of the text or a longer suffix already begins with."""
    whole = set(words(text))
    parts = {word[i:i + MAX_PART] for word in whole for i in range(1, len(word))
             if _HANGUL.match(word, i)}
    ordered = sorted(parts | whole)
    kept = []
    for number, part in enumerate(ordered):
        if part in whole:
            continue
        if number + 1 < len(ordered) and ordered[number + 1].startswith(part):
            continue  # a prefix match on the next one finds it as well
        kept.append(part)
    return kept


_GLOSS = re.compile(r"\s*\([^()]*\)\s*$")  # a title's trailing gloss: 신경망(neural network)


def name_terms(title: str, aliases: Sequence[str] = ()) -> list[str]:
    """The `name` field's terms of a note: each of its names (the title, the title without a
    trailing bracketed gloss, each alias) with its words run together, repeated with a
    counter as many times as the name is shorter than NAME_LENGTHS (at least once)."""
    names = [title, _GLOSS.sub("", title), *aliases]
    terms: list[str] = []
    for joined in dict.fromkeys("".join(words(name)) for name in names):
        if joined:
            terms += (f"{joined}{NAME_MARK}{number:x}"
                      for number in range(max(1, NAME_LENGTHS - len(joined))))
    return terms


@dataclass
class Section:
    """One search entry: a page's text up to its first heading below the title, or a
    heading's section."""
    anchor: str | None
    title: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


class _ArticleParser(HTMLParser):
    """Cuts a page's article into sections at its headings, as Material's search plugin does:
    headings with an id start a section, `data-search-exclude` elements and header links are
    left out, paragraphs, lists and code keep their tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = []
        self.open: list[str] = []
        self.skip_depth: int | None = None  # depth of the element being skipped
        self.heading_depth: int | None = None
        self.headerlink_depth: int | None = None
        self.math: ElementTree.TreeBuilder | None = None  # the formula being read
        self.math_depth = 0

    def _section(self) -> Section:
        if not self.sections:
            self.sections.append(Section(None))
        return self.sections[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.math is not None:  # inside a formula: gathered as a tree, written as text
            self.math.start(tag, dict((k, v or "") for k, v in attrs))
            self.math_depth += 1
            return
        if tag == "math" and self.skip_depth is None and self.headerlink_depth is None:
            self.math, self.math_depth = ElementTree.TreeBuilder(), 1
            self.math.start(tag, {})
            return
        if tag in _VOID:
            return
        self.open.append(tag)
        depth = len(self.open)
        if self.skip_depth is not None:
            return
        attributes = dict(attrs)
        if tag in _SKIPPED or "data-search-exclude" in attributes:
            self.skip_depth = depth
            return
        if tag in _HEADINGS and attributes.get("id"):
            if not self.sections and tag == "h1":  # the page's title: its first entry
                self.sections.append(Section(None))
            else:
                self._section()  # text before the first heading is the page's entry
                self.sections.append(Section(attributes["id"]))
            self.heading_depth = depth
            return
        if tag == "a" and "headerlink" in (attributes.get("class") or "").split():
            self.headerlink_depth = depth
            return
        if tag in _KEPT and self.heading_depth is None:
            self._section().text.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if self.math is not None:
            self.math.end(tag)
            self.math_depth -= 1
            if self.math_depth == 0:
                formula, self.math = self.math.close(), None
                self.handle_data(f" {math_text(formula)} ")
            return
        if tag in _VOID or tag not in self.open:
            return
        while self.open:  # close what was left open inside, as a browser would
            closed = self.open.pop()
            depth = len(self.open) + 1
            if self.skip_depth == depth:
                self.skip_depth = None
            elif self.skip_depth is None:
                if self.heading_depth == depth:
                    self.heading_depth = None
                elif self.headerlink_depth == depth:
                    self.headerlink_depth = None
                elif closed in _KEPT and self.heading_depth is None:
                    self._section().text.append(f"</{closed}>")
            if closed == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.math is not None:
            self.math.data(data)
            return
        if self.skip_depth is not None or self.headerlink_depth is not None:
            return
        if not self.sections and data.isspace():
            return
        if "pre" not in self.open:
            data = " " if data.isspace() else data.replace("\n", " ")
        shown = escape(data, quote=False)
        if self.heading_depth is not None:
            self._section().title.append(shown)
        else:
            self._section().text.append(shown)


def _clean(pieces: list[str]) -> str:
    text = re.sub(r"[ \t]{2,}", " ", "".join(pieces)) if "<pre>" not in pieces else "".join(pieces)
    while True:
        shorter = _EMPTY_ELEMENT.sub("", text)
        if shorter == text:
            return text.strip()
        text = shorter


def article_html(page_html: str) -> str | None:
    """The page's `<article>` (Material's content area), or None for a page without one."""
    start = page_html.find("<article")
    end = page_html.rfind("</article>")
    if start < 0 or end < start:
        return None
    return page_html[page_html.find(">", start) + 1:end]


def page_entries(page_html: str, location: str, aliases: Sequence[str] = ()) -> list[dict]:
    """The search entries of one built page, at `location` (its URL relative to the site)."""
    article = article_html(page_html)
    if article is None:
        return []
    parser = _ArticleParser()
    parser.feed(article)
    parser.close()
    entries = []
    for section in parser.sections:
        title = _clean(section.title)
        text = _clean(section.text)
        if not entries and not title:
            found = re.search(r"<title>(.*?)</title>", page_html, re.S)
            title = found.group(1).split(" - ")[0].strip() if found else ""
        entry = {"location": location + (f"#{section.anchor}" if section.anchor else ""),
                 "title": title, "text": text}
        if not entries:
            shown = [escape(a, quote=False) for a in aliases]
            if terms := name_terms(title, shown):
                entry["name"] = " ".join(terms)
            if shown:
                entry["aliases"] = " ".join([*shown, *inner_parts(" ".join(shown))])
        if parts := inner_parts(title):
            entry["title_parts"] = " ".join(parts)
        if parts := inner_parts(text):
            entry["text_parts"] = " ".join(parts)
        entries.append(entry)
    return entries


def site_pages(site_dir: Path) -> Iterator[tuple[Path, str, str]]:
    """(file, location, address) of every page of a built site, in a stable order. The
    address is the one `render.page_address` gives the page: `a/b` for `a/b/index.html`."""
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        if rel == "404.html" or rel.startswith(("_kb/", "assets/", "search/")):
            continue
        if rel == "index.html":
            address = ""
        elif rel.endswith("/index.html"):
            address = rel.removesuffix("/index.html")
        else:
            address = rel.removesuffix(".html")
        location = quote(rel.removesuffix("index.html"), safe="/")
        yield path, location, address


class PageEntries:
    """The search entries of the pages already read, by page file, kept while the file stays
    the same one (MkDocs writes a page aside and renames it: a new inode and time) and the
    page's aliases stay the same. Pages that went away leave at the next call. Pages are
    known by their place in the site, so that `kb build` keeps them (pickled) for its next
    site, whose unchanged pages are hard links to the same files."""

    version = 1  # of what a pickled one holds

    def __init__(self) -> None:
        self._known: dict[str, tuple[tuple, list[dict]]] = {}

    def entries(self, site_dir: Path, aliases: Mapping[str, Sequence[str]], workers: int = 1
                ) -> list[dict]:
        """The entries of every page of the site, reading only the pages that changed, by up
        to `workers` processes (`compiler.workers.count`; 0: one per core)."""
        known: dict[str, tuple[tuple, list[dict]]] = {}
        unread: list[tuple[Path, str, tuple]] = []
        for path, location, address in site_pages(site_dir):
            names = tuple(aliases.get(address, ()))
            state = path.stat()
            key = (state.st_ino, state.st_mtime_ns, state.st_size, names)
            cached = self._known.get(location)
            if cached is None or cached[0] != key:
                unread.append((path, location, names))
                cached = (key, [])
            known[location] = cached
        read = [found for chunk in fork_map(_read_entries, unread, workers) for found in chunk]
        for (_, location, _), found in zip(unread, read, strict=True):
            known[location] = (known[location][0], found)
        self._known = known
        return [dict(entry) for _, found in known.values() for entry in found]


def _read_entries(pages: Sequence[tuple[Path, str, tuple]]) -> list[list[dict]]:
    return [page_entries(path.read_text(encoding="utf-8", errors="replace"), location, names)
            for path, location, names in pages]


def search_index(site_dir: Path, aliases: Mapping[str, Sequence[str]] | None = None,
                 config: Mapping | None = None, pages: PageEntries | None = None,
                 workers: int = 1) -> dict:
    """The index of every page of a built site. `aliases` by page address; `config` is the
    one Material's plugin wrote (language, pipeline, the user's fields), kept but for the
    separator and the extra fields; `pages` keeps the entries of pages read before."""
    docs = (pages or PageEntries()).entries(site_dir, aliases or {}, workers)
    merged = dict(config or {"lang": ["en"], "pipeline": []})
    merged["separator"] = SEPARATOR
    fields = {"title": {"boost": TITLE_BOOST}, "text": {"boost": 1.0},
              "tags": {"boost": 1e6}}
    fields.update((config or {}).get("fields", {}))
    fields.update(FIELDS)
    merged["fields"] = fields
    return {"config": merged, "docs": docs}


def write_search_index(site_dir: Path, aliases: Mapping[str, Sequence[str]] | None = None,
                       pages: PageEntries | None = None, workers: int = 1) -> Path | None:
    """Replace the index Material wrote with one of the whole site (see the module's text).
    Nothing is written when the site has no search (the plugin is off). `kb serve` passes
    the same `pages` on every rebuild."""
    target = site_dir / INDEX_PATH
    if not target.is_file():
        return None
    previous = json.loads(target.read_text(encoding="utf-8"))
    index = search_index(site_dir, aliases, previous.get("config"), pages, workers)
    # Tags and boosts that Material took from a page's front matter stay with the page.
    carried = {d["location"]: d for d in previous.get("docs", ()) if "tags" in d or "boost" in d}
    for doc in index["docs"]:
        if old := carried.get(doc["location"]):
            doc.update({k: old[k] for k in ("tags", "boost") if k in old})
    # Written aside and renamed: a server never sends half an index.
    aside = target.with_name(f".{target.name}.kb-new")
    aside.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")),
                     encoding="utf-8")
    aside.replace(target)
    return target
