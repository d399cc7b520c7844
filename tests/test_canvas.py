"""Canvas boards (JSON Canvas 1.0): reading a `.canvas` file, its diagnostics at their place
in the file, its links as links of the vault (graph edges, backlinks), and the page and the
embed drawn from it. Pure functions only; the browser tests are in test_canvas_browser.py."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from compiler.canvas import canvas_note, read_canvas, value_offsets
from compiler.forms.canvases import edge_path, facing_side
from compiler.graph import backlinks, build_graph
from compiler.parse import parse_note
from compiler.render import render_site
from compiler.resolve import Kind, resolve_vault
from compiler.scan import VaultFile, scan_vault

# The spec's own sample, read from a git directory of the JSON Canvas repository when
# KB_JSONCANVAS_GIT names one (not committed here: it is another project's file).
SAMPLE = Path(os.environ.get("KB_JSONCANVAS_GIT", "/nonexistent"))


def card(node_id: str, kind: str = "text", x: int = 0, y: int = 0, **fields) -> dict:
    if kind == "text":
        fields.setdefault("text", f"card {node_id}")
    return {"id": node_id, "type": kind, "x": x, "y": y, "width": 250, "height": 120, **fields}


def board(nodes: list[dict], edges: list[dict] | None = None) -> str:
    return json.dumps({"nodes": nodes, "edges": edges or []}, ensure_ascii=False, indent="\t")


def at(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first `needle` in text."""
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --- reading -------------------------------------------------------------------------------

def test_every_node_type_and_edge_field_is_read_into_plain_data():
    text = board([card("t", text="# Hi", color="1"),
                  card("f", "file", 300, 0, file="a/Note.md", subpath="#Part", color="#12abEF"),
                  card("l", "link", 600, 0, url="https://example.org"),
                  card("g", "group", -20, -20, label="Stage")],
                 [{"id": "e", "fromNode": "t", "fromSide": "right", "toNode": "f", "toSide": "left",
                   "fromEnd": "arrow", "toEnd": "none", "label": "then", "color": "4"}])
    canvas = read_canvas("b.canvas", text)
    assert canvas.complete
    t, f, link, group = canvas.nodes
    assert (t.kind, t.text, t.color) == ("text", "# Hi", "1")
    assert (f.file, f.subpath, f.color, f.x) == ("a/Note.md", "#Part", "#12abEF", 300)
    assert (link.url, group.label, group.width) == ("https://example.org", "Stage", 250)
    [edge] = canvas.edges
    assert (edge.from_side, edge.to_side, edge.from_end, edge.to_end, edge.label, edge.color) == \
        ("right", "left", "arrow", "none", "then", "4")


def test_edge_ends_default_as_the_spec_says_and_empty_files_are_empty_boards():
    text = board([card("a"), card("b", x=400)], [{"id": "e", "fromNode": "a", "toNode": "b"}])
    [edge] = read_canvas("b.canvas", text).edges
    assert (edge.from_side, edge.to_side, edge.from_end, edge.to_end) == (None, None, "none", "arrow")
    assert read_canvas("e.canvas", "").complete and read_canvas("e.canvas", "{}").nodes == ()


@pytest.mark.skipif(not (SAMPLE / "HEAD").exists(), reason="KB_JSONCANVAS_GIT names no git directory")
def test_the_specs_sample_canvas_reads_without_a_problem():
    import subprocess
    text = subprocess.run(["git", "--git-dir", str(SAMPLE), "show", "HEAD:sample.canvas"],
                          capture_output=True, text=True, check=True).stdout
    canvas = read_canvas("sample.canvas", text)
    assert canvas.complete, canvas.diagnostics
    assert {n.kind for n in canvas.nodes} >= {"text", "group"} and canvas.edges


def test_value_offsets_point_at_each_value_of_the_nodes_and_edges():
    text = '{\n  "nodes": [\n    {"id": "a", "x": 5}\n  ]\n}'
    offsets = value_offsets(text)
    assert text[offsets[("nodes", 0)]] == "{"
    assert text[offsets[("nodes", 0, "x")]:].startswith("5")


# --- diagnostics, with their place in the file ----------------------------------------------

def test_bad_json_is_an_error_at_the_decoders_position():
    canvas = read_canvas("b.canvas", '{"nodes": [\n  {"id": "a",}\n]}')
    [problem] = canvas.diagnostics
    assert (problem.code, problem.severity, problem.line, problem.col) == ("canvas-json", "error", 2, 14)
    assert not canvas.complete and canvas.nodes == ()


def test_a_field_of_the_wrong_type_is_reported_where_its_value_is_and_the_node_is_left_out():
    text = board([card("a"), {"id": "b", "type": "text", "text": "x", "x": "10", "y": 0,
                               "width": 1, "height": 1}])
    canvas = read_canvas("b.canvas", text)
    [problem] = canvas.diagnostics
    assert problem.code == "invalid-canvas" and "'x' must be a number" in problem.message
    assert (problem.line, problem.col) == at(text, '"10"')
    assert [n.id for n in canvas.nodes] == ["a"] and not canvas.complete


def test_a_missing_field_is_reported_at_the_nodes_object():
    text = board([card("a"), {"id": "b", "type": "file", "x": 0, "y": 0, "width": 1, "height": 1}])
    [problem] = read_canvas("b.canvas", text).diagnostics
    assert "has no 'file'" in problem.message
    line, _ = at(text, '"id": "b"')
    assert problem.line == line - 1  # the object's `{` opens the line above its first member


def test_an_edge_to_an_unknown_node_is_reported_at_its_toNode():
    text = board([card("a")], [{"id": "e", "fromNode": "a", "toNode": "ghost"}])
    canvas = read_canvas("b.canvas", text)
    [problem] = canvas.diagnostics
    assert "'ghost' names no node" in problem.message
    assert (problem.line, problem.col) == at(text, '"ghost"')
    assert canvas.edges == ()


@pytest.mark.parametrize("bad, words", [
    ({"color": "7"}, "neither a preset"),
    ({"type": "shape"}, "unknown type"),
    ({"width": 0}, "must be positive"),
    ({"subpath": "Heading"}, "must start with '#'"),
    ({"id": "a"}, "already used"),
    ({"x": float("nan")}, "must be a number"),
])
def test_schema_problems_are_said(bad, words):
    second = {**card("b", "file", file="n.md"), **bad}
    [problem] = read_canvas("b.canvas", board([card("a"), second])).diagnostics
    assert words in problem.message


def test_a_top_level_that_is_not_an_object_is_reported():
    [problem] = read_canvas("b.canvas", "[1, 2]").diagnostics
    assert problem.code == "invalid-canvas" and (problem.line, problem.col) == (1, 1)


# --- the canvas as a page of the vault ------------------------------------------------------

def test_scan_lists_canvases_apart_from_notes_and_attachments(tmp_path):
    (tmp_path / "b.canvas").write_text("{}", encoding="utf-8")
    (tmp_path / "n.md").write_text("x", encoding="utf-8")
    scan = scan_vault(tmp_path)
    assert [f.path for f in scan.canvases] == ["b.canvas"]
    assert [f.path for f in scan.notes] == ["n.md"] and scan.attachments == ()
    assert VaultFile("a/B.CANVAS", tmp_path).is_canvas


def _vault(canvas_text: str, **notes: str):
    parsed = {p: parse_note(p, t.encode()) for p, t in notes.items()}
    parsed["maps/board.canvas"] = canvas_note("maps/board.canvas", canvas_text.encode())
    return resolve_vault(parsed, {})


BOARD = board([card("t", text="See [[Loss]] and $x^2$."),
               card("f", "file", 300, 0, file="notes/Optimiser.md", subpath="#Kinds"),
               card("l", "link", 600, 0, url="https://example.org/page"),
               card("g", "group", -40, -40, label="Course")],
              [{"id": "e", "fromNode": "t", "toNode": "f", "label": "then"}])
NOTES = {"notes/Loss.md": "# Loss\n\nmeasures error\n",
         "notes/Optimiser.md": "# Optimiser\n\nintro\n\n## Kinds\n\nSGD and Adam\n\n## Other\n\nnot shown\n",
         "reader.md": "Open [[board.canvas]] and embed it:\n\n![[board.canvas]]\n"}


def test_canvas_links_resolve_become_graph_edges_and_backlinks():
    resolved = _vault(BOARD, **NOTES)
    links = resolved.links["maps/board.canvas"]
    assert [(i.kind, i.path, i.anchor) for i in links] == [
        (Kind.NOTE, "notes/Loss.md", None), (Kind.NOTE, "notes/Optimiser.md", "kinds")]
    graph = build_graph(resolved)
    assert graph.has_edge("maps/board.canvas", "notes/Loss.md")
    assert graph.has_edge("maps/board.canvas", "notes/Optimiser.md")
    assert [m.source for m in backlinks(graph, "notes/Loss.md")] == ["maps/board.canvas"]
    # `[[board.canvas]]` names the canvas, with its extension as Obsidian wants
    assert {(i.kind, i.path) for i in resolved.links["reader.md"]} == {(Kind.NOTE, "maps/board.canvas")}
    assert resolved.notes["maps/board.canvas"].title == "board"


def test_a_text_cards_link_is_reported_at_the_cards_text():
    text = board([card("t", text="[[Nowhere]]")])
    resolved = _vault(text)
    [problem] = [d for d in resolved.diagnostics if d.code == "unresolved-link"]
    assert (problem.path, problem.line, problem.col) == ("maps/board.canvas", *at(text, '"[[Nowhere]]"'))


def test_the_canvas_page_draws_cards_edges_and_the_file_cards_section():
    resolved = _vault(BOARD, **NOTES)
    stage = render_site(resolved, build_graph(resolved), "site")
    page = stage.pages[stage.placed["maps/board.canvas"]]
    assert stage.placed["maps/board.canvas"] == "maps/board.canvas.md"
    assert page.count('class="kb-canvas-node') == 4 and "data-kb-canvas" in page
    assert "hide:\n- navigation\n- toc" in page
    assert "[Loss](../notes/Loss.md)" in page  # a text card's wikilink, written as a note's is
    assert "<math" in page  # its math too
    assert "SGD and Adam" in page and "not shown" not in page  # the file card's #Kinds section
    assert '<a class="kb-canvas-url" href="https://example.org/page"' in page
    assert "<iframe" not in page and page.count("<path ") == 1 and ">then</div>" in page
    assert 'kb-canvas-group-label">Course<' in page
    loss = stage.pages[stage.placed["notes/Loss.md"]]
    backlinks_part = loss.split('class="kb-backlinks"')[1]
    assert "kb-canvas-mention" in backlinks_part and "(../maps/board.canvas.md" in backlinks_part


def test_an_embedded_canvas_is_drawn_in_the_note_and_a_link_goes_to_its_page():
    resolved = _vault(BOARD, **NOTES)
    stage = render_site(resolved, build_graph(resolved), "site")
    reader = stage.pages[stage.placed["reader.md"]]
    assert "Open [board&#46;canvas](maps/board.canvas.md)" in reader
    assert "kb-canvas-embed" in reader and "[board](maps/board.canvas.md)" in reader
    assert reader.count('class="kb-canvas-node') == 4


def test_a_malformed_canvas_page_says_it_could_not_be_drawn_whole():
    text = board([card("a")], [{"id": "e", "fromNode": "a", "toNode": "ghost"}])
    resolved = _vault(text)
    stage = render_site(resolved, build_graph(resolved), "site")
    page = stage.pages["maps/board.canvas.md"]
    assert "kb-canvas-incomplete" in page and "ghost" in page
    assert any(d.code == "invalid-canvas" for d in resolved.notes["maps/board.canvas"].diagnostics)


# --- geometry -------------------------------------------------------------------------------

def test_edges_without_sides_leave_and_enter_by_the_facing_sides():
    canvas = read_canvas("b.canvas", board([card("a"), card("b", x=600, y=20)],
                                           [{"id": "e", "fromNode": "a", "toNode": "b"}]))
    a, b = canvas.nodes
    assert (facing_side(a, b), facing_side(b, a)) == ("right", "left")
    drawn = edge_path(canvas.edges[0], a, b)
    assert drawn.d.startswith("M 250 60 C") and drawn.d.endswith("600 80")
    [arrow] = drawn.arrows  # toEnd defaults to an arrow, fromEnd to none
    assert arrow.startswith("600,80 ")


def test_an_embedded_canvas_in_a_list_item_or_a_table_stays_a_link():
    reader_text = "- ![[board.canvas]]\n\n| a |\n|---|\n| ![[board.canvas]] |\n"
    resolved = _vault(BOARD, **{**NOTES, "reader.md": reader_text})
    stage = render_site(resolved, build_graph(resolved), "site")
    reader = stage.pages[stage.placed["reader.md"]]
    assert "kb-canvas-embed" not in reader and reader.count("](maps/board.canvas.md)") == 2


def test_an_image_file_card_shows_the_image_which_the_site_then_carries(tmp_path):
    (tmp_path / "fig.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    text = board([card("i", "file", file="pics/fig.png"), card("m", "file", 0, 300, file="gone.md")])
    notes = {"maps/board.canvas": canvas_note("maps/board.canvas", text.encode())}
    resolved = resolve_vault(notes, {"pics/fig.png": VaultFile("pics/fig.png", tmp_path / "fig.png")})
    assert [i.kind for i in resolved.links["maps/board.canvas"]] == [Kind.ATTACHMENT, Kind.UNRESOLVED]
    stage = render_site(resolved, build_graph(resolved), "site")
    page = stage.pages["maps/board.canvas.md"]
    assert "![fig&#46;png](../pics/fig.png)" in page and "pics/fig.png" in stage.files
    assert 'kb-missing-attachment' in page and "gone.md" in page  # a missing file is said
