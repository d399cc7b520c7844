"""Render, fuzzed: generated notes nest every Obsidian form inside every container (quotes,
callouts, lists at several depths, tables, footnotes), with display math, block ids and
embeds at container edges, CRLF line ends and tabs. For each note:

- the pipeline (parse -> resolve -> graph -> render) never raises;
- every link is resolved, or reported by a diagnostic on its line;
- the text the note shows survives into the staged page as Python-Markdown reads it:
  every word once, a word in a comment nowhere;
- a backlink context is text as the reader sees it, never source markup (what looks
  like markup in it the reader sees too).

Profiles (`KB_FUZZ_PROFILE`): `ci` (default) runs a fixed, derandomized set of examples;
`long` runs many random ones, by hand: `KB_FUZZ_PROFILE=long pytest tests/test_render_fuzz.py`.
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import markdown
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.graph import backlinks, build_graph
from compiler.parse import parse_note, parse_tokens
from compiler.render import render_site
from compiler.resolve import Kind, resolve_vault
from compiler.scan import VaultFile
from compiler.syntax import TAG, WIKILINK

settings.register_profile("ci", max_examples=100, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("KB_FUZZ_PROFILE", "ci"))

# What MkDocs reads the staged pages with (compiler.mkdocs_runner adds the last ones).
EXTENSIONS = ["toc", "admonition", "pymdownx.superfences", "pymdownx.details",
              "pymdownx.tasklist", "pymdownx.magiclink", "attr_list", "md_in_html", "tables",
              "footnotes", "nl2br", "sane_lists", "pymdownx.mark", "pymdownx.tilde"]
TARGET = "# Target head\n\nA target paragraph ^blk\n\n- target item\n"
WORD = re.compile(r"\bw\d{4}\b")
MARKUP = ("**", "[!", "==", "%%", "[[", "]]", "^[", "~~")
_counter = itertools.count()


def word() -> str:
    return f"w{next(_counter) % 10000:04d}"


# Inline forms, each around a fresh word.
INLINE = [
    "{w}", "**{w}**", "*{w}*", "=={w}==", "~~{w}~~", "`{w}`", "[[Target|{w}]]",
    "[[Target#Target head|{w}]]", "[[Target#^blk|{w}]]", "[[Missing {w}]]", "[{w}](Target.md)",
    "#{w}", "%%{w}%%", "^[{w}]", "$x^2$ {w}", "\\$5 {w}", "<b>{w}</b>", "![[pic.png]] {w}",
]
# Blocks on lines of their own, at the edges of the containers they stand in.
EDGES = [
    ["$$", "a + b", "$$", "{w}"],
    ["![[Target]]", "{w}"],
    ["![[Target#^blk]]", "{w}"],
    ["{w} ^id{w}"],
    ["```", "{w}", "```"],
    ["## {w}"],
    ["| {w} | [[Target\\|t]] |", "|---|---|", "| ![[Target#^blk]] | x |"],
]


def fill(template: str) -> str:
    return template.replace("{w}", word())


@st.composite
def sentence(draw) -> str:
    return " ".join(fill(p) for p in draw(st.lists(st.sampled_from(INLINE), min_size=1,
                                                    max_size=5)))


@st.composite
def block(draw, depth: int = 0) -> list[str]:
    """The lines of one block: a paragraph, an edge block, or a container of blocks."""
    kind = draw(st.sampled_from(["paragraph", "edge", "quote", "callout", "list", "ordered"]
                                if depth < 3 else ["paragraph", "edge"]))
    if kind == "paragraph":
        return [draw(sentence()) for _ in range(draw(st.integers(1, 3)))]
    if kind == "edge":
        return [fill(line) for line in draw(st.sampled_from(EDGES))]
    inner: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        if inner and kind in ("quote", "callout"):
            inner.append("")
        inner += draw(block(depth + 1))
    if kind in ("quote", "callout"):
        if kind == "callout":
            kind_name = draw(st.sampled_from(["note", "tip", "faq", "x"]))
            fold = draw(st.sampled_from(["", "-", "+"]))
            inner.insert(0, f"[!{kind_name}]{fold} {draw(sentence())}")
        return [f"> {line}" if line else ">" for line in inner]
    marker = "-" if kind == "list" else "1."
    indent = draw(st.sampled_from(["  " if kind == "list" else "   ", "\t"]))
    rest = [indent + line if line else "" for line in inner[1:]]
    return [f"{marker} {inner[0]}", *rest, f"{marker} {draw(sentence())}"]


@st.composite
def note(draw) -> str:
    """A note's text: blocks, a footnote, maybe CRLF line ends."""
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        lines += [*draw(block()), ""]
    lines += ["Footnoted[^1].", "", f"[^1]: {word()} note"]
    text = "\n".join(lines)
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


def commonmark_words(text: str) -> list[str]:
    """The words the note shows as CommonMark (markdown-it) reads it, once per time shown:
    in text, code and links, not in comments, image alt texts or attributes."""
    words = []
    for token in parse_tokens(text.replace("\r\n", "\n")):
        if token.type in ("fence", "code_block"):
            words += WORD.findall(token.content)
        for child in token.children or ():
            if child.type in ("text", "code_inline", TAG):
                words += WORD.findall(child.content)
            elif child.type == WIKILINK and not child.meta["embed"]:
                words += WORD.findall(child.meta["display"] or child.meta["target"])
    return words


def visible_text(staged: str) -> str:
    body = staged.split("---\n", 2)[2]
    body = body.replace("///Footnotes Go Here///", "")
    html = markdown.markdown(body, extensions=EXTENSIONS)
    return BeautifulSoup(html, "html.parser").get_text(" ")


@given(note())
def test_any_note_renders_every_word_once_and_every_link_is_resolved_or_reported(text):
    files = {"Note.md": text, "Target.md": TARGET}
    notes = {p: parse_note(p, t.encode()) for p, t in files.items()}
    resolved = resolve_vault(notes, {"pic.png": VaultFile("pic.png", Path("/v/pic.png"))})
    graph = build_graph(resolved)
    stage = render_site(resolved, graph, "fuzz")  # never raises

    reported = {(d.path, d.line) for d in resolved.diagnostics}
    for item in resolved.links["Note.md"]:
        assert item.kind in (Kind.NOTE, Kind.ATTACHMENT, Kind.EXTERNAL) or \
            ("Note.md", item.link.line) in reported, item

    page = stage.pages["Note.md"]
    body = page[:page.index('<div class="kb-backlinks"')]
    seen = visible_text(body)
    expected = commonmark_words(text)
    counts = {w: (len(re.findall(rf"\b{w}\b", seen)), expected.count(w))
              for w in set(WORD.findall(text))}
    assert all(got == wanted for got, wanted in counts.values()), (counts, text, body)

    for mention in backlinks(graph, "Target.md"):  # markup in a context is visible text
        context = "".join(mention.context)
        assert not [mark for mark in MARKUP if mark in context and mark not in seen], (mention, text)
