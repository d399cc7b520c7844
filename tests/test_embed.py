"""Embeds and block ids: what parse records, what resolve and the embed check report, what the
graph and the staged page hold. The built HTML of each form is in tests/conformance/."""

from __future__ import annotations

from pathlib import Path

from compiler import embeds
from compiler.embeds import MAX_DEPTH, check_embeds, media_html, shown_by
from compiler.graph import backlinks, build_graph, embedded_in
from compiler.parse import parse_note
from compiler.render import render_site
from compiler.resolve import resolve_vault
from compiler.scan import VaultFile
from compiler.sitecheck import check_site


def resolve(files: dict[str, str], attachments: tuple[str, ...] = ()):
    notes = {p: parse_note(p, t.encode()) for p, t in files.items()}
    return resolve_vault(notes, {p: VaultFile(p, Path(p)) for p in attachments})


def stage_of(files: dict[str, str], attachments: tuple[str, ...] = ()):
    resolved = resolve(files, attachments)
    return render_site(resolved, build_graph(resolved), "테스트")


def test_a_block_id_records_where_it_stands_and_the_lines_of_the_block_it_names():
    source = "para one ^p1\n\n- item ^li\n  - child\n- other\n\n> quote\n\n^q\n"
    [para, item, quote] = parse_note("a.md", source.encode()).block_ids
    assert (para.name, para.line, para.col, para.lines) == ("p1", 1, 10, (0, 1))
    assert (item.line, item.lines) == (3, (2, 4))
    assert (quote.line, quote.col, quote.lines) == (9, 1, (6, 7))


def test_links_know_the_block_they_stand_in():
    note = parse_note("a.md", b"# [[h]]\n\n| [[t]] |\n|---|\n| x |\n\n- [[l]]\n\n[[p]]\n")
    assert {link.target: link.holder for link in note.links} == {
        "h": "heading", "t": "table", "l": "list", "p": "paragraph"}


def test_a_missing_heading_names_the_headings_that_exist():
    resolved = resolve({"a.md": "![[b#Nope]]", "b.md": "# One\n## Two\n"})
    [problem] = resolved.diagnostics
    assert problem.code == "missing-heading" and problem.hint == "headings: #One, #Two"


def test_a_missing_block_in_a_note_without_ids_says_how_to_write_one():
    resolved = resolve({"a.md": "[[b#^x]]", "b.md": "text\n"})
    [problem] = resolved.diagnostics
    assert "no block ids" in problem.hint and "' ^id'" in problem.hint


def test_an_embed_cycle_is_reported_once_per_embed_with_its_chain():
    resolved = resolve({"A.md": "![[B]]\n", "B.md": "x\n\n![[C#Part]]\n", "C.md": "# Part\n![[A]]\n"})
    found = {(d.path, d.line, d.col): d.message for d in check_embeds(resolved)}
    assert set(found) == {("A.md", 1, 1), ("B.md", 3, 1), ("C.md", 2, 1)}
    assert found[("C.md", 2, 1)] == "![[A]] closes an embed cycle: A → B → C#Part → A"


def test_two_sections_of_one_note_and_a_repeated_embed_are_no_cycle():
    resolved = resolve({"A.md": "![[B#S1]] ![[B#S2]] ![[B#S1]]", "B.md": "# S1\n![[B#S2]]\n# S2\ns2"})
    assert check_embeds(resolved) == []


def test_nesting_deeper_than_the_limit_is_cut_and_reported():
    files = {f"N{n}.md": f"![[N{n + 1}]]" for n in range(MAX_DEPTH + 3)}
    problems = check_embeds(resolve(files))
    assert {d.code for d in problems} == {"embed-too-deep"}
    # N0's page stops at N8's embed, N1's at N9's; from N2 on the chain ends in time.
    assert sorted(d.path for d in problems) == [f"N{MAX_DEPTH}.md", f"N{MAX_DEPTH + 1}.md"]


def test_fan_out_is_bounded_per_page(monkeypatch):
    monkeypatch.setattr(embeds, "MAX_PER_PAGE", 3)
    stage = stage_of({"A.md": "![[B]]\n\n![[B]]\n", "B.md": "![[C]]\n\n![[C]]\n", "C.md": "leaf"})
    page = stage.pages["A.md"]
    assert page.count("!!! kb-embed") == 3 and page.count("kb-embed-refused") == 1


def test_the_section_span_ends_at_the_next_heading_of_the_same_or_a_higher_level():
    source = "# A\na\n## B\nb\n### C\nc\n## D\nd\n# E\n"
    resolved = resolve({"x.md": "![[y#B]] ![[y#A]] ![[y#^nope]]", "y.md": source})
    by_fragment = {item.link.fragment: item for item in resolved.links["x.md"]}
    lines = source.split("\n")
    shown = shown_by(resolved.notes, by_fragment["B"])
    assert lines[shown.first_line:shown.end_line] == ["## B", "b", "### C", "c"]
    shown = shown_by(resolved.notes, by_fragment["A"])
    assert lines[shown.first_line:shown.end_line] == ["# A", "a", "## B", "b", "### C", "c", "## D", "d"]
    assert shown_by(resolved.notes, by_fragment["^nope"]) is None


def test_the_graph_marks_embed_edges_and_the_embedding_note_is_a_backlink():
    resolved = resolve({"A.md": "![[B#S]]", "B.md": "# S\n[[C]]", "C.md": ""})
    graph = build_graph(resolved)
    assert graph.edges["A.md", "B.md"]["embed"] and not graph.edges["B.md", "C.md"]["embed"]
    assert embedded_in(graph, "B.md") == ["A.md"] and embedded_in(graph, "C.md") == []
    [mention] = backlinks(graph, "B.md")
    assert mention.source == "A.md" and mention.embed


def test_the_embedded_fragment_is_nested_and_its_exec_block_unwrapped():
    stage = stage_of({"A.md": "> ![[B]]\n", "B.md": "```python exec\nprint(1)\n```\n"})
    page = stage.pages["A.md"]
    assert '> !!! kb-embed "[B](B.md)"' in page
    assert ">     ```python" in page and "kb-block" not in page


def test_media_html_is_one_line_that_keeps_a_pdf_page_and_height():
    shown = media_html("pdf", "../d.pdf", "d.pdf", "d&#46;pdf", "page=2&height=300")
    assert "\n" not in shown and 'src="../d.pdf#page=2"' in shown and "height: 300px" in shown
    assert 'src="../a b.mp3"' in media_html("audio", "../a b.mp3", "a b.mp3", "a b")


def test_the_site_check_sees_media_sources_as_local_loads(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<audio src="../s.mp3"></audio><video src="../v.mp4"></video>'
        '<iframe src="../d.pdf#page=3"></iframe><object data="https://x.org/e.pdf"></object>')
    (tmp_path / "s.mp3").write_bytes(b"")
    (tmp_path / "d.pdf").write_bytes(b"")
    assert check_site(tmp_path) == ["a/index.html: <object> loads https://x.org/e.pdf from another host",
                                    "a/index.html: <video> points at missing ../v.mp4"]
