"""Property tests: random Markdown built from a grammar of Obsidian fragments.

Each generated document knows where it put every live link (outside code and math), so the
parser's positions can be checked against the generator, not against the parser itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.graph import build_graph
from compiler.parse import Note, parse_note
from compiler.render import render_site
from compiler.resolve import Kind, resolve_vault
from compiler.scan import VaultFile
from compiler.syntax import tag_name

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
VAULT_SETTINGS = settings(SETTINGS, max_examples=100)

# --- the grammar ------------------------------------------------------------------------------


@dataclass
class Piece:
    """A run of Markdown source, with the (start, end) offsets of the live links in it."""

    text: str
    links: list[tuple[int, int]] = field(default_factory=list)

    def __add__(self, other: Piece) -> Piece:
        shift = len(self.text)
        return Piece(self.text + other.text, self.links + [(s + shift, e + shift) for s, e in other.links])


def join(pieces: list[Piece], separator: str) -> Piece:
    out = Piece("")
    for index, piece in enumerate(pieces):
        out = out + (Piece(separator) if index else Piece("")) + piece
    return out


def prefixed(prefix: str, piece: Piece) -> Piece:
    return Piece(prefix) + piece


def dead(piece: Piece) -> Piece:
    """The same text where no link is live (inside code or math)."""
    return Piece(piece.text)


WORDS = st.sampled_from(["word", "Deep", "learning", "신경망", "기초이론", "학습은", "값", "data", "x1",
                         "ReLU", "함수.", "끝!", "why?", "a,b", "#태그", "#ml/Deep", "#1984", "a#b"])
# Characters of a link's name: spaces, Korean and punctuation; the grammar adds `]`, `#` and `|`.
NAME_CHARS = "abAB 신경망노트 ._-/()^"


@st.composite
def names(draw) -> str:
    name = draw(st.text(alphabet=NAME_CHARS, min_size=1, max_size=10))
    if draw(st.booleans()) and len(name) >= 2:  # a single `]` inside does not end the link
        at = draw(st.integers(1, len(name) - 1))
        if name[at - 1] != "]" and name[at] != "]":
            name = name[:at] + "]" + name[at:]
    return name


# Repeated names make a document hold the same link text twice, in and out of code.
COMMON_NAMES = ["A", "신경망", "a b", "A#H|x"]


@st.composite
def wikilink_inner(draw, pool: list[str] | None = None) -> str:
    name = draw(st.sampled_from(pool or COMMON_NAMES)) if draw(st.booleans()) else draw(names())
    if draw(st.integers(0, 3)) == 0:
        name += "#" + draw(names())
        if draw(st.booleans()):
            name += "#" + draw(names())
    elif draw(st.integers(0, 5)) == 0:
        name += "#^" + draw(st.sampled_from(["blk", "id-1", "없음"]))
    if draw(st.booleans()):
        name += "|" + draw(names())
        if draw(st.integers(0, 4)) == 0:  # display text may hold a `|` itself
            name += "|" + draw(names())
    if not name.strip() or name.endswith("]") or name.startswith("]"):
        name = "x" + name.strip("]") + "x"
    return name


@st.composite
def inline_pieces(draw, in_table: bool = False, pool: list[str] | None = None, nested: bool = False
                  ) -> Piece:
    """One line of inline Markdown: words, links, embeds, code spans and math (not nested)."""
    kinds = ["word", "word", "wiki", "wiki", "embed", "md"] + ([] if nested else ["code", "math"])
    parts: list[Piece] = [Piece(draw(WORDS))]  # a word first: never a list marker or a fence
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(kinds))
        if kind == "word":
            parts.append(Piece(draw(WORDS)))
        elif kind in ("wiki", "embed"):
            inner = draw(wikilink_inner(pool))
            if in_table:
                inner = inner.replace("|", "\\|")
            raw = ("!" if kind == "embed" else "") + f"[[{inner}]]"
            parts.append(Piece(raw, [(0, len(raw))]))
        elif kind == "md":
            label = draw(st.sampled_from(["t", "링크", "a b"]))
            href = draw(st.sampled_from(["Note.md", "Name%20here.md", "<Name here.md>", "sub/Note.md#H",
                                         "pic.png", "https://example.com/x", "../up.md"]))
            raw = ("!" if draw(st.booleans()) else "") + f"[{label}]({href})"
            parts.append(Piece(raw, [(0, len(raw))]))
        elif kind == "code":
            content = draw(inline_pieces(in_table, pool, nested=True)).text
            if in_table:
                content = content.replace("\\|", "/").replace("|", "/")
            parts.append(Piece(f"`{content.strip() or 'c'}`"))
        else:
            content = draw(inline_pieces(in_table, pool, nested=True)).text
            if in_table:
                content = content.replace("\\|", "/").replace("|", "/")
            parts.append(Piece(f"${content.strip() or 'm'}$"))
    return join(parts, " ")


@st.composite
def blocks(draw, tables: bool, pool: list[str] | None = None, heading_closers: bool = True) -> Piece:
    kinds = ["para", "para", "heading", "list", "quote", "fence", "indented", "math"]
    if tables:
        kinds.append("table")
    out: list[Piece] = []
    previous = ""
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(kinds))
        if kind == "indented" and previous == "list":
            kind = "para"  # after a list, indentation continues the list item
        line = inline_pieces(pool=pool)
        if kind == "para":
            block = join(draw(st.lists(line, min_size=1, max_size=3)), "\n")
        elif kind == "heading":
            closing = draw(st.sampled_from(["", "", " #", " ##"])) if heading_closers else ""
            block = prefixed("#" * draw(st.integers(1, 6)) + " ", draw(line)) + Piece(closing)
        elif kind == "list":
            markers = st.sampled_from(["- ", "* ", "1. ", "  - ", "- [ ] ", "- [x] "])
            items = [prefixed("- " if index == 0 else draw(markers), item)
                     for index, item in enumerate(draw(st.lists(line, min_size=1, max_size=3)))]
            block = join(items, "\n")
        elif kind == "quote":
            first = draw(st.sampled_from(["> ", "> [!note] ", "> [!tip]- ", "> > "]))
            quoted = draw(st.lists(line, min_size=1, max_size=2))
            block = join([prefixed(first if index == 0 else "> ", q) for index, q in enumerate(quoted)], "\n")
        elif kind == "fence":
            body = join(draw(st.lists(line, min_size=1, max_size=2)), "\n")
            block = Piece("```\n") + dead(body) + Piece("\n```")
        elif kind == "indented":
            block = dead(prefixed("    ", draw(line)))
        elif kind == "math":
            block = Piece("$$\n") + dead(draw(line)) + Piece("\n$$")
        else:
            cell = inline_pieces(in_table=True, pool=pool)
            header = Piece("| ") + draw(cell) + Piece(" | ") + draw(cell) + Piece(" |")
            rows = [Piece("| ") + draw(cell) + Piece(" | ") + draw(cell) + Piece(" |")
                    for _ in range(draw(st.integers(1, 2)))]
            block = join([header, Piece("| --- | --- |"), *rows], "\n")
        out.append(block)
        previous = kind
    return join(out, "\n\n")


@st.composite
def documents(draw, tables: bool = True, pool: list[str] | None = None, heading_closers: bool = True
              ) -> Piece:
    body = draw(blocks(tables, pool, heading_closers))
    front = draw(st.sampled_from([
        "",
        "---\ntitle: 제목\naliases: [AI, 인공지능]\n---\n",
        "---\ncreated: 2024-01-02\ntags: [a]\n---\n",
        "---\nbroken: : yaml [[NotALink]]\n---\n",
        "---\npublish: false\naliases: [Deep]\n---\n",
        "---\ntags: [ML, \"#공부/딥러닝\"]\ncssclasses: wide\nup: \"[[A]]\"\n"
        "rel: [\"[[신경망]]\", \"[[Ghost]]\"]\ndone: true\nwhen: 2024-01-02\n---\n",
    ]))
    return Piece(front + body.text + "\n", [(s + len(front), e + len(front)) for s, e in body.links])


# --- parse ---------------------------------------------------------------------------------


def check_located(note: Note) -> None:
    for link in note.links:
        if link.start == -1:
            continue
        assert 0 <= link.start < link.end <= len(note.source)
        assert note.source[link.start:link.end] == link.raw, link
        line_start = note.source.rfind("\n", 0, link.start) + 1
        expected = (note.source.count("\n", 0, link.start) + 1, link.start - line_start + 1)
        assert (link.line, link.col) == expected


@SETTINGS
@given(documents(tables=False))
def test_parse_never_raises_and_every_link_locates_its_raw_text(doc):
    note = parse_note("doc.md", doc.text.encode())
    check_located(note)


@SETTINGS
@given(documents(tables=True))
def test_parse_with_tables_never_raises_and_every_link_locates_its_raw_text(doc):
    note = parse_note("doc.md", doc.text.encode())
    check_located(note)


@SETTINGS
@given(documents(tables=True))
def test_links_are_found_exactly_where_the_document_put_them(doc):
    note = parse_note("doc.md", doc.text.encode())
    body_links = [link for link in note.links if link.style != "property"]  # front matter: no offsets
    assert sorted((link.start, link.end) for link in body_links) == sorted(doc.links), doc.text


@SETTINGS
@given(documents(tables=True))
def test_crlf_line_endings_give_the_same_note_as_lf(doc):
    lf = parse_note("doc.md", doc.text.encode())
    crlf = parse_note("doc.md", doc.text.replace("\n", "\r\n").encode())
    assert crlf == lf


@SETTINGS
@given(documents(tables=True))
def test_every_tag_is_located_at_its_hash_and_name(doc):
    note = parse_note("doc.md", doc.text.encode())
    for tag in note.tags:
        if tag.start >= 0:
            assert note.source[tag.start:tag.end] == "#" + tag.name
            line_start = note.source.rfind("\n", 0, tag.start) + 1
            assert (tag.line, tag.col) == (note.source.count("\n", 0, tag.start) + 1,
                                           tag.start - line_start + 1)
        assert tag_name(tag.name) == tag.name
    assert "1984" not in {tag.name for tag in note.tags}


@SETTINGS
@given(st.binary(max_size=300))
def test_parse_never_raises_on_arbitrary_bytes(data):
    note = parse_note("bytes.md", data)
    assert isinstance(note.source, str)


# --- resolve and render over small random vaults -----------------------------------------------

NOTE_POOL = ["A.md", "b.md", "신경망.md", "Note.md", "sub/Note.md", "x/y/Deep.md", "sub/노트 하나.md"]
ATTACHMENT_POOL = ["pic.png", "img/pic.png", "doc.pdf"]
LINK_POOL = ["A", "B", "신경망", "Note", "sub/Note", "Deep", "노트 하나", "pic.png", "doc.pdf", "AI",
             "Note#H", "신경망#기초", "Deep#^blk", "missing.png", "../../out", "x/y/Deep.md"]
UNRESOLVED_CODES = {Kind.UNRESOLVED: {"unresolved-link"},
                    Kind.MISSING_ATTACHMENT: {"missing-attachment"},
                    Kind.REFUSED: {"link-outside-vault"}}


@st.composite
def vaults(draw) -> tuple[dict[str, Note], dict[str, VaultFile]]:
    paths = draw(st.lists(st.sampled_from(NOTE_POOL), min_size=1, max_size=5, unique=True))
    notes = {}
    for path in paths:
        text = draw(documents(tables=True, pool=LINK_POOL))
        ending = draw(st.sampled_from(["", "\n# 기초\n", "\n# H\n\npara ^blk\n"]))
        notes[path] = parse_note(path, (text.text + ending).encode())
    files = draw(st.lists(st.sampled_from(ATTACHMENT_POOL), max_size=3, unique=True))
    return notes, {f: VaultFile(f, Path("/vault") / f) for f in files}


@VAULT_SETTINGS
@given(vaults())
def test_every_link_resolves_or_has_exactly_one_diagnostic_at_its_position(vault):
    notes, attachments = vault
    resolved = resolve_vault(notes, attachments)
    assert set(resolved.links) == set(notes)
    for path, items in resolved.links.items():
        assert [item.link for item in items] == list(notes[path].links)
        here = [d for d in resolved.diagnostics if d.path == path]
        positions = {(item.link.line, item.link.col) for item in items}
        for problem in here:
            assert (problem.line, problem.col) in positions, problem
        failed = Counter((i.link.line, i.link.col) for i in items if i.kind in UNRESOLVED_CODES)
        reported = Counter((d.line, d.col) for d in here if d.code in set().union(*UNRESOLVED_CODES.values()))
        assert failed == reported
        for item in items:
            if item.link.style == "wiki":
                assert item.kind in (Kind.NOTE, Kind.ATTACHMENT, Kind.UNPUBLISHED,
                                     *UNRESOLVED_CODES), item
            if item.kind in (Kind.NOTE, Kind.ATTACHMENT, Kind.UNPUBLISHED):
                assert item.path in (attachments if item.kind is Kind.ATTACHMENT else notes)
            else:
                assert item.path is None
            codes = {d.code for d in here if (d.line, d.col) == (item.link.line, item.link.col)}
            if item.kind in UNRESOLVED_CODES:
                assert codes & UNRESOLVED_CODES[item.kind], item
            if "alias-link" in codes:  # linked through an alias, and said so
                assert item.kind in (Kind.NOTE, Kind.UNPUBLISHED), item
            if item.kind is Kind.UNPUBLISHED:
                assert not notes[item.path].published
                assert ("unpublished-link" in codes) == notes[path].published


def render_pages(notes: dict[str, Note], attachments: dict[str, VaultFile]) -> dict[str, str]:
    resolved = resolve_vault(notes, attachments)
    return render_site(resolved, build_graph(resolved), "사이트").pages


@VAULT_SETTINGS
@given(vaults())
def test_rendering_is_deterministic(vault):
    notes, attachments = vault
    first = render_pages(notes, attachments)
    reparsed = {path: parse_note(path, note.source.encode()) for path, note in notes.items()}
    second = render_pages(reparsed, attachments)
    assert first == second
    assert "index.md" in first


@VAULT_SETTINGS
@given(vaults())
def test_rendering_does_not_depend_on_the_order_notes_were_read_in(vault):
    notes, attachments = vault
    backwards = dict(reversed(list(notes.items())))
    assert render_pages(notes, attachments) == render_pages(backwards, attachments)


DETERMINISM_SCRIPT = textwrap.dedent("""
    import json
    from pathlib import Path
    from compiler.graph import build_graph
    from compiler.parse import parse_note
    from compiler.render import render_site
    from compiler.resolve import resolve_vault
    from compiler.scan import VaultFile
    texts = {
        "A.md": "# 개요\\n[[Note]] [[b#x]] [[Ghost]] [[Ghost two]] ![[pic.png|30]]",
        "b.md": "# x\\n[[A]] [[A#개요]] [[신경망]]",
        "sub/Note.md": "[[A]] [[Note]] [[b]] [[Ghost]]",
        "x/Note.md": "[[A]] [[missing.png]]",
        "신경망.md": "[[A]] [[b]] [[Note]] [[Ghost two]] [[Ghost three]]",
    }
    notes = {p: parse_note(p, t.encode()) for p, t in texts.items()}
    files = {"img/pic.png": VaultFile("img/pic.png", Path("/v/img/pic.png"))}
    resolved = resolve_vault(notes, files)
    print(json.dumps(render_site(resolved, build_graph(resolved), "S").pages, sort_keys=True))
""")


def test_rendering_is_the_same_under_any_hash_seed():
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", DETERMINISM_SCRIPT], capture_output=True, text=True,
                              env=env, cwd=Path(__file__).resolve().parent.parent, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1


# --- random link text: Korean (NFC and NFD), brackets, pipes, '#', '^' -----------------------

LINK_CHARS = "ab 신경망노트하나\u1102\u1169\u1110\u1173[|#^]/."
TARGET_NOTES = {"신경망.md": "# 기초\n", "sub/노트 하나.md": "para ^blk\n",
                "Private.md": "---\npublish: false\n---\n# H\n",
                "AI.md": "---\naliases: [인공지능, Deep]\n---\n#태그\n"}


def _is_wikilink_inner(inner: str) -> bool:
    return bool(inner.strip()) and "]]" not in inner and "[[" not in inner \
        and not inner.endswith(("]", "[")) and not inner.startswith("]")


LINK_TEXT = st.one_of(
    st.text(alphabet=LINK_CHARS, min_size=1, max_size=12).filter(_is_wikilink_inner),
    st.sampled_from([unicodedata.normalize("NFD", "노트 하나"), unicodedata.normalize("NFD", "신경망#기초"),
                     "인공지능", "deep|x", "Private#H", "AI#^nope", "sub/노트 하나#^blk", "#기초", "^"]))
RESOLVED_KINDS = {Kind.NOTE, Kind.ATTACHMENT, Kind.UNPUBLISHED, Kind.GENERATED, Kind.EXTERNAL}
REPORTED_CODES = {"unresolved-link", "missing-attachment", "link-outside-vault"}


@SETTINGS
@given(st.lists(LINK_TEXT, min_size=1, max_size=5), st.booleans())
def test_random_link_text_never_raises_and_every_wikilink_is_resolved_or_reported(inners, nfd):
    text = "앞 " + " 그리고 ".join(f"[[{inner}]]" for inner in inners) + " #끝\n"
    if nfd:
        text = unicodedata.normalize("NFD", text)
    notes = {path: parse_note(path, body.encode()) for path, body in TARGET_NOTES.items()}
    notes["src.md"] = parse_note("src.md", text.encode())
    assert len(notes["src.md"].links) == len(inners)
    resolved = resolve_vault(notes, {})
    for item in resolved.links["src.md"]:
        codes = {d.code for d in resolved.diagnostics
                 if d.path == "src.md" and (d.line, d.col) == (item.link.line, item.link.col)}
        assert item.kind in RESOLVED_KINDS or codes & REPORTED_CODES, (item, codes)
    pages = render_site(resolved, build_graph(resolved), "사이트").pages
    again = resolve_vault(dict(reversed(list(notes.items()))), {})
    assert render_site(again, build_graph(again), "사이트").pages == pages  # byte-identical
    assert "Private.md" not in pages and "tags.md" in pages
