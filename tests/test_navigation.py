"""Navigation of big folders: a folder of more than BIG_FOLDER pages gets a folder page
listing its notes, and its notes leave the sidebar, so that a page of a folder of 3,000
notes carries no more navigation than a page of a folder of 30."""

from __future__ import annotations

from pathlib import Path

import pathspec
import pytest
from bs4 import BeautifulSoup

from compiler import mkdocs_runner, navigation
from compiler.navigation import NOT_IN_NAV, collapse_big_folders, folder_pages
from compiler.render import Stage


def stage_of(*pages: str) -> Stage:
    return Stage({page: f"---\ntitle: {page}\n---\n" for page in pages}, {})


def test_folder_pages_are_a_folders_own_pages_without_index_pages_or_assets():
    found = folder_pages(["a/x.md", "a/b/y.md", "a/index.md", "a/README.md", "z.md",
                          "_kb/report/index.md", "_kb/x.md", "a/pic.png"])
    assert found == {"a": ["a/x.md"], "a/b": ["a/b/y.md"], "": ["z.md"]}


def test_only_folders_of_more_than_big_pages_get_a_folder_page_and_leave_the_navigation():
    people = [f"People/Person {n}.md" for n in range(4)]
    stage = stage_of(*people, "Small/a.md", "Small/b.md", "index.md")
    titles = {p: p.rpartition("/")[2].removesuffix(".md") for p in people}
    out = collapse_big_folders(stage, titles, big=3)
    assert set(out.pages) - set(stage.pages) == {"People/index.md"}
    listing = out.pages["People/index.md"]
    assert listing.startswith("---\ntitle: People\n---\n")
    assert [line for line in listing.splitlines() if line.startswith("- ")] == [
        f"- [Person {n}](Person%20{n}.md)" for n in range(4)]
    assert out.blobs[NOT_IN_NAV].decode().splitlines() == ["/People/*.md", "!/People/index.md"]


def test_a_folder_page_never_takes_the_address_of_a_note():
    # `People.md` beside `People/` is published at `People/`, as `People/index.md` would be
    stage = stage_of(*(f"People/{n}.md" for n in range(3)), "People.md", "index.md",
                     *(f"{n}.md" for n in range(3)), "notes.md")
    out = collapse_big_folders(stage, {}, big=2)
    added = set(out.pages) - set(stage.pages)
    assert added == {"People/notes.md", "notes-2.md"}  # the root's index.md is the home page
    assert out.blobs[NOT_IN_NAV].decode().splitlines() == [
        "/*.md", "!/notes-2.md", "!/index.md",
        "/People/*.md", "!/People/notes.md"]


def test_names_with_pattern_characters_are_escaped():
    folder = "Clip [web] #1 *"
    stage = stage_of(*(f"{folder}/{n}.md" for n in range(3)))
    out = collapse_big_folders(stage, {}, big=2)
    patterns = out.blobs[NOT_IN_NAV].decode().splitlines()
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    assert spec.match_file(f"{folder}/0.md") and not spec.match_file(f"{folder}/index.md")
    assert not spec.match_file("Clip w #1 x/0.md")


def test_small_vaults_are_left_as_they_are():
    stage = stage_of("a.md", "b/c.md")
    assert collapse_big_folders(stage, {}) is stage


def test_the_mkdocs_runner_leaves_the_collapsed_notes_out_of_the_navigation(tmp_path):
    docs = tmp_path / "docs"
    (docs / "_kb").mkdir(parents=True)
    (docs / NOT_IN_NAV).write_text("/Big/*.md\n!/Big/index.md\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\n", encoding="utf-8")
    loaded = mkdocs_runner.load(config, str(docs), str(tmp_path / "site"), -1, -1)
    assert loaded.not_in_nav.match_file("Big/a.md")
    assert not loaded.not_in_nav.match_file("Big/index.md")
    assert not loaded.not_in_nav.match_file("Big/sub/a.md")
    assert not loaded.not_in_nav.match_file("Small/a.md")
    assert loaded.not_in_nav.match_file("_kb/report/index.md")


def sidebar_links(site: Path, page: str) -> int:
    soup = BeautifulSoup((site / page / "index.html").read_text(encoding="utf-8"), "html.parser")
    return len(soup.select("nav.md-nav--primary a.md-nav__link"))


@pytest.mark.slow
def test_a_page_of_a_big_folder_carries_no_more_navigation_than_one_of_a_small_folder(
        build_vault, monkeypatch):
    monkeypatch.setattr(navigation, "BIG_FOLDER", 6)
    files = {f"Small/Note {n}.md": f"# Note {n}\n" for n in range(6)}
    files |= {f"Big/Person {n}.md": f"# Person {n}\n\nKnows [[Note 1]].\n" for n in range(40)}
    files |= {f"Daily/2024-01-{n:02}.md": f"# Day {n}\n" for n in range(1, 13)}
    result, site = build_vault(files)
    assert not [d for d in result.diagnostics if d.code == "internal-error"]
    small = sidebar_links(site, "Small/Note 1")
    assert sidebar_links(site, "Big/Person 1") <= small
    assert sidebar_links(site, "Daily/2024-01-03") <= small
    listing = BeautifulSoup((site / "Big" / "index.html").read_text(encoding="utf-8"),
                            "html.parser")
    names = [a.get_text() for a in listing.select("article li a")]
    assert names == sorted(f"Person {n}" for n in range(40))
    for n in range(40):
        assert (site / "Big" / f"Person {n}" / "index.html").is_file()
