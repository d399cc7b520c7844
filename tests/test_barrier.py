"""The fault barrier: whatever fails while one note is parsed or rendered (a bug of ours
included), that note is published as a page with an error box and its text as written, the
build lists an `internal-error` (an error), and every other note is published as usual."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from compiler import cache, render
from compiler.barrier import CODE, Faults, error_page, internal_error, parse_guarded
from compiler.config import load_settings
from compiler.diagnostics import Severity
from compiler.parse import parse_note
from compiler.serve import Preview
from tests.conftest import PROJECT, write_vault


class Boom(RuntimeError):
    line = 3  # an exception that knows the line of the note it failed on


def explode(*_args, **_kwargs):
    raise Boom("two edits overlap at 3:1")


def test_a_render_that_raises_gives_the_error_page_and_an_internal_error():
    note = parse_note("a/Bad note.md", b"# Bad note\n\nSome *text* and $x$\n")
    faults = Faults()
    page = faults.page(note, explode)
    [problem] = faults.diagnostics
    assert (problem.path, problem.line, problem.severity, problem.code) == (
        "a/Bad note.md", 3, Severity.ERROR, CODE)
    assert "Boom" in problem.message and "two edits overlap at 3:1" in problem.message
    assert "compiler" not in problem.message and "tests/test_barrier.py" not in problem.hint
    assert page.startswith("---\ntitle: Bad note\n---\n")
    assert '!!! danger "' in page and "Boom" in page
    assert "```text\n# Bad note\n\nSome *text* and $x$\n```" in page  # the note as written


def test_a_render_that_works_is_left_alone():
    note = parse_note("Good.md", b"# Good\n")
    faults = Faults()
    assert faults.page(note, lambda n: f"page of {n.path}", note) == "page of Good.md"
    assert faults.diagnostics == []


def test_a_parse_that_raises_keeps_the_text_and_the_render_shows_the_error_page():
    note = parse_guarded("Crash.md", explode, b"line one\r\n```\nwith ``` fences\n")
    [problem] = note.diagnostics
    assert problem.code == CODE and problem.severity is Severity.ERROR
    assert "parsing failed" in problem.message
    assert note.links == () and note.headings == () and note.title == "Crash"
    faults = Faults()
    page = faults.page(note, explode)
    assert faults.diagnostics == []  # the parse stage reported it already
    assert "````text\nline one\n```\nwith ``` fences\n````" in page  # a fence nothing closes


def test_an_exception_without_a_line_is_reported_for_the_whole_file():
    problem = internal_error("x.md", "rendering", KeyError("missing"))
    assert (problem.line, problem.col) == (0, 0)
    assert problem.format().startswith("x.md: error[internal-error]: rendering failed")


def test_the_error_page_shows_a_message_with_markup_literally():
    note = parse_note("n.md", b"text\n")
    page = error_page(note, internal_error("n.md", "rendering", ValueError("<b>*x*</b>")))
    assert "<b>" not in page and "*x*" not in page


# The notes that stopped whole builds (issue 12): whether or not the renderer handles them
# by now, the build must finish and publish every other note.
CRASHERS = {
    "Callout math.md": "# Callout math\n\n> [!note]\n> $a +\n> b$\n",
    "Block id item.md": "# Block id item\n\n- ^abc123\n",
    "Quoted display math.md": "# Quoted display math\n\n> [!note]\n> $$\n>a + b\n> $$\n",
    "Drawing.excalidraw.md": "---\nexcalidraw-plugin: parsed\n---\n\n# Text Elements\n"
                             "Hello ^Ij6Wmw08\n\nWorld ^kX2pQ9aa\n",
}
OTHERS = {
    "Alpha.md": "# Alpha\n\nPoints at [[Beta]] and [[Callout math]].\n",
    "folder/Beta.md": "# Beta\n\nBack to [[Alpha]].\n",
}


def published(site: Path, note: str) -> BeautifulSoup:
    page = site / note.removesuffix(".md") / "index.html"
    assert page.is_file(), f"{note} was not published"
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def error_box(soup: BeautifulSoup):
    return soup.select_one("article .admonition.danger")


@pytest.mark.slow
def test_a_note_whose_render_raises_is_published_with_an_error_box_and_the_others_as_usual(
        build_vault, monkeypatch):
    real = render.render_note

    def render_note(note, *args, **kwargs):
        if note.path == "Bad.md":
            raise Boom("two edits overlap")
        return real(note, *args, **kwargs)

    monkeypatch.setattr(render, "render_note", render_note)
    result, site = build_vault({**OTHERS, "Bad.md": "# Bad\n\nLinks to [[Alpha]]. ^blk\n"})
    internal = [d for d in result.diagnostics if d.code == CODE]
    assert [(d.path, d.line, d.severity) for d in internal] == [("Bad.md", 3, Severity.ERROR)]
    assert "Boom: two edits overlap" in internal[0].message
    bad = published(site, "Bad.md")
    box = error_box(bad)
    assert box is not None and "Boom: two edits overlap" in box.get_text()
    assert "Links to [[Alpha]]. ^blk" in bad.select_one("article pre").get_text()
    for note in OTHERS:
        assert error_box(published(site, note)) is None
    assert "Beta" in published(site, "Alpha.md").select_one("article").get_text()


@pytest.mark.slow
def test_a_note_whose_parse_raises_is_published_with_an_error_box_and_the_others_as_usual(
        build_vault, monkeypatch):
    real = cache.parse_note

    def parse_note_or_fail(path, data):
        if path == "Bad.md":
            raise RecursionError("maximum recursion depth exceeded")
        return real(path, data)

    monkeypatch.setattr(cache, "parse_note", parse_note_or_fail)
    result, site = build_vault({**OTHERS, "Bad.md": "# Bad\n\nLinks to [[Alpha]].\n"})
    internal = [d for d in result.diagnostics if d.code == CODE]
    assert [(d.path, d.severity) for d in internal] == [("Bad.md", Severity.ERROR)]
    assert "RecursionError" in error_box(published(site, "Bad.md")).get_text()
    for note in OTHERS:
        assert error_box(published(site, note)) is None


@pytest.mark.slow
def test_the_notes_that_stopped_builds_no_longer_stop_one(build_vault):
    result, site = build_vault({**OTHERS, **CRASHERS})
    for note in (*OTHERS, *CRASHERS):
        published(site, note)
    for note in OTHERS:
        assert error_box(published(site, note)) is None
    # a crash that is still there is an internal error of its own note, never of another
    assert {d.path for d in result.diagnostics if d.code == CODE} <= set(CRASHERS)


@pytest.mark.slow
def test_kb_serve_rebuilds_go_through_the_same_barrier(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    vault = write_vault(root / "vault", OTHERS)
    preview = Preview(load_settings(root), "vault/")
    try:
        assert preview.rebuild().error is None
        real = render.render_note

        def render_note(note, *args, **kwargs):
            if note.path == "Alpha.md" and "edited" in note.source:
                raise Boom("overlap")
            return real(note, *args, **kwargs)

        monkeypatch.setattr(render, "render_note", render_note)
        write_vault(vault, {"Alpha.md": "# Alpha\n\nedited, still points at [[Beta]].\n"})
        assert preview.rebuild().error is None
        alpha = published(preview.site_dir, "Alpha.md")
        assert "Boom: overlap" in error_box(alpha).get_text()
        assert error_box(published(preview.site_dir, "folder/Beta.md")) is None
    finally:
        preview.close()
