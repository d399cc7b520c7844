"""The table of contents ("목차") of the bundled vault's pages as built by MkDocs Material:
each note's headings as the note writes them, in their nesting, then the page's closing
sections. (Small vaults, embeds included, are specified in tests/conformance/outline.yaml.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from compiler.parse import (
    BACKLINKS_ANCHOR,
    LOCAL_GRAPH_ANCHOR,
    READ_BEFORE_ANCHOR,
    READ_NEXT_ANCHOR,
    Note,
)
from compiler.render import page_address, staged_paths

SEED = "4. Archive/AI 공부/Ai Tech 딥러닝 공부/딥러닝 기초 정리.md"
CLOSING_SECTIONS = (READ_BEFORE_ANCHOR, READ_NEXT_ANCHOR, LOCAL_GRAPH_ANCHOR, BACKLINKS_ANCHOR)

pytestmark = pytest.mark.slow


def toc(soup: BeautifulSoup) -> list[tuple[int, str]]:
    """(nesting depth, href) of each entry of the page's table of contents, in order: the
    right sidebar's, which the copy in the navigation (shown on small screens) matches."""

    def entries(items, depth: int) -> list[tuple[int, str]]:
        return [entry for item in items.find_all("li", recursive=False)
                for entry in [(depth, item.a["href"]),
                              *(entries(item.ul, depth + 1) if item.ul else [])]]

    sidebar = soup.select_one("div.md-sidebar--secondary nav.md-nav--secondary")
    shown = entries(sidebar.ul, 0) if sidebar.ul else []
    for nav in soup.select("nav.md-nav--secondary"):
        assert (entries(nav.ul, 0) if nav.ul else []) == shown
    return shown


def expected_toc(note: Note, soup: BeautifulSoup) -> list[tuple[int, str]]:
    """The note's headings nested by their levels (without the one that is the page's title
    when the note opens with it), then the closing sections the page has."""
    article = soup.select_one("article.md-content__inner")
    title_id = article.find("h1")["id"]
    expected, open_levels = [], []
    for heading in note.headings:
        if heading.anchor == title_id:
            continue
        while open_levels and open_levels[-1] >= heading.level:
            open_levels.pop()
        expected.append((len(open_levels), f"#{heading.anchor}"))
        open_levels.append(heading.level)
    return expected + [(0, f"#{anchor}") for anchor in CLOSING_SECTIONS
                       if article.find(id=anchor)]


@pytest.fixture(scope="module")
def built_pages(bundled_site, bundled_compilation) -> dict[str, tuple[Note, BeautifulSoup]]:
    _, site, _, _ = bundled_site
    notes = bundled_compilation.resolved.notes
    pages, _ = staged_paths(notes, None)
    return {path: (note, BeautifulSoup(
        (Path(site) / page_address(pages[path]) / "index.html").read_text(encoding="utf-8"),
        "html.parser")) for path, note in notes.items()}


def test_a_note_with_level_one_sections_lists_every_heading(built_pages):
    note, soup = built_pages[SEED]
    entries = toc(soup)
    top = [href for depth, href in entries if depth == 0]
    level_one = [f"#{h.anchor}" for h in note.headings if h.level == 1]
    assert len(level_one) > 10 and top[:len(level_one)] == level_one
    assert ("#최대-가능도" in [href for depth, href in entries if depth == 1]
            and "#batch-normalization" in [href for depth, href in entries if depth == 1])
    assert entries == expected_toc(note, soup)


def test_every_bundled_page_lists_its_notes_headings_in_their_nesting(built_pages):
    kinds = set()
    for path, (note, soup) in built_pages.items():
        assert toc(soup) == expected_toc(note, soup), path
        levels = {h.level for h in note.headings}
        kinds.add("level one" if 1 in levels else "level two" if 2 in levels else "none")
    assert kinds >= {"level one", "level two"}  # both kinds of notes are in the vault
