"""Graph: notes are nodes, links are edges that remember every place they were written.

Backlinks come from the graph: each names the linking note, its line, section and the
sentence around the link. Unresolved targets are ghost nodes, as in Obsidian's graph view.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import networkx as nx

from compiler.graph import Mention, backlinks, build_graph, ghost_id, ghosts, most_linked
from compiler.parse import parse_note
from compiler.resolve import resolve_vault
from compiler.scan import VaultFile


def graph_of(notes: dict[str, str], attachments: tuple[str, ...] = ()) -> nx.DiGraph:
    parsed = {path: parse_note(path, text.encode("utf-8")) for path, text in notes.items()}
    files = {path: VaultFile(path, Path("/vault") / path) for path in attachments}
    return build_graph(resolve_vault(parsed, files))


def sources(mentions: list[Mention]) -> list[str]:
    return [m.source for m in mentions]


def test_every_note_is_a_node_with_its_title_and_folder():
    graph = graph_of({"a/b/Deep.md": "---\ntitle: 깊은 학습\n---\n", "Top.md": ""})
    assert graph.nodes["a/b/Deep.md"] == {"title": "깊은 학습", "ghost": False, "folder": "a/b"}
    assert graph.nodes["Top.md"] == {"title": "Top", "ghost": False, "folder": ""}


def test_a_link_between_notes_is_an_edge_from_the_linking_note():
    graph = graph_of({"A.md": "[[B]]", "B.md": ""})
    assert list(graph.edges) == [("A.md", "B.md")]


def test_backlinks_list_each_mention_with_its_line_section_and_sentence():
    graph = graph_of({
        "Target.md": "# Target\n",
        "Src.md": ("# 소개\n\n첫 문장이다. 여기서 [[Target]]을 본다. 다음 문장.\n\n"
                   "## 더\n\n또 [[Target#Target|그것]]\n"),
    })
    first, second = backlinks(graph, "Target.md")
    assert first == Mention("Src.md", 3, "소개", ("여기서 ", "Target", "을 본다."), False)
    assert second == Mention("Src.md", 7, "더", ("또 ", "그것", ""), False)


def test_backlinks_are_ordered_by_linking_note_then_line():
    graph = graph_of({"T.md": "", "b.md": "\n\n[[T]]\n[[T]]", "a.md": "\n[[T]]", "c.md": "[[T]]"})
    assert [(m.source, m.line) for m in backlinks(graph, "T.md")] == [
        ("a.md", 2), ("b.md", 3), ("b.md", 4), ("c.md", 1)]


def test_an_embed_is_a_backlink_marked_as_embed():
    graph = graph_of({"T.md": "# H\n", "S.md": "![[T#H]]"})
    [mention] = backlinks(graph, "T.md")
    assert mention.embed


def test_a_note_without_links_to_it_has_no_backlinks():
    graph = graph_of({"Alone.md": "[[Other]]", "Other.md": ""})
    assert backlinks(graph, "Alone.md") == []


def test_self_links_are_not_backlinks():
    graph = graph_of({"Self.md": "# Part\n[[Self]] and [[#Part]]", "Other.md": "[[Self]]"})
    assert sources(backlinks(graph, "Self.md")) == ["Other.md"]


def test_unresolved_targets_become_ghost_nodes_shared_by_every_note_wanting_them():
    graph = graph_of({"a.md": "[[Missing Idea]]", "b.md": "[[missing idea]] [[Other gap]]"})
    node = ghost_id("Missing Idea")
    assert node == ghost_id("missing idea")
    assert graph.nodes[node]["ghost"] is True
    assert graph.nodes[node]["title"] == "Missing Idea"
    assert sorted(graph.predecessors(node)) == ["a.md", "b.md"]
    assert ghosts(graph) == [("Missing Idea", ["a.md", "b.md"]), ("Other gap", ["b.md"])]


def test_ghost_nodes_of_nfd_and_nfc_spellings_are_one_node():
    graph = graph_of({"a.md": "[[없는 노트]]", "b.md": f"[[{unicodedata.normalize('NFD', '없는 노트')}]]"})
    assert [title for title, _ in ghosts(graph)] == ["없는 노트"]


def test_attachments_refused_and_external_links_are_not_graph_nodes():
    graph = graph_of({"a.md": "![[pic.png]] ![[gone.png]] [[../../x]] [w](https://example.com)"},
                     ("pic.png",))
    assert list(graph.nodes) == ["a.md"]
    assert list(graph.edges) == []


def test_repeated_links_between_two_notes_are_one_edge_with_every_mention():
    graph = graph_of({"a.md": "[[b]]\n[[B]]\n[[b#x]]", "b.md": "# x\n"})
    assert graph.number_of_edges() == 1
    assert [m.line for m in graph.edges["a.md", "b.md"]["mentions"]] == [1, 2, 3]


def test_most_linked_counts_linking_notes_and_breaks_ties_by_path():
    graph = graph_of({
        "hub.md": "[[hub]]",  # a self-link does not count
        "x.md": "[[hub]] [[hub]] [[b]]",
        "y.md": "[[hub]] [[a]]",
        "z.md": "[[hub]] [[a]] [[b]]",
        "a.md": "",
        "b.md": "[[Ghost]]",
    })
    assert most_linked(graph, 10) == [("hub.md", 3), ("a.md", 2), ("b.md", 2)]
    assert most_linked(graph, 2) == [("hub.md", 3), ("a.md", 2)]


def test_most_linked_leaves_out_ghosts_and_unlinked_notes():
    graph = graph_of({"a.md": "[[Ghost]] [[Ghost]]", "b.md": "[[Ghost]]", "c.md": ""})
    assert most_linked(graph, 10) == []


def test_building_the_graph_twice_gives_the_same_nodes_and_edges():
    notes = {"a.md": "[[b]] [[Ghost]]", "b.md": "[[a]]", "c/d.md": "[[b]]"}
    first, second = graph_of(notes), graph_of(notes)
    assert list(first.nodes(data=True)) == list(second.nodes(data=True))
    assert list(first.edges(data=True)) == list(second.edges(data=True))
