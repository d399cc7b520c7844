"""The concept graph as the site draws it: a deterministic layout, graph.json, the local graph
data of each page, and titles kept as data.

The layout depends on the graph only: the same notes and links give the same coordinates,
whatever order the vault was read in; orphans and islands sit around the main graph.
"""

from __future__ import annotations

import html
import json
import math
import re

import networkx as nx
import pytest

from compiler.analysis import analyse
from compiler.graph import build_graph
from compiler.graph_view import (
    GRAPH_JSON,
    SiteGraph,
    address,
    graph_page_path,
    local_data,
    local_graph_section,
    site_graph,
)
from compiler.layout import layout, layout_edges
from compiler.parse import parse_note
from compiler.render import render_site, staged_paths
from compiler.resolve import resolve_vault


def links(*targets: str) -> str:
    return " ".join(f"[[{t}]]" for t in targets) + "\n"


VAULT = {"허브.md": "---\ntags: [수학]\n---\n" + links("가", "나", "없는 노트"),
         "가.md": links("나"), "나.md": "", "폴더/다.md": links("허브"), "폴더/index.md": "",
         "Alone.md": "혼자\n"}


def compiled(vault: dict[str, str]):
    notes = {path: parse_note(path, text.encode("utf-8")) for path, text in vault.items()}
    resolved = resolve_vault(notes, {})
    graph = build_graph(resolved)
    return resolved, graph, analyse(graph, notes)


def view(vault: dict[str, str] = VAULT):
    resolved, graph, summary = compiled(vault)
    pages, _ = staged_paths(resolved.notes, None)
    return site_graph(graph, summary, pages), graph


def test_the_same_graph_gets_the_same_coordinates_in_any_insertion_order():
    graph = nx.gnp_random_graph(300, 0.01, seed=3)
    names = {n: f"노트 {n}" for n in graph}
    edges = [(names[a], names[b]) for a, b in graph.edges]
    first = layout_edges(list(names.values()), edges)
    again = layout_edges(list(names.values()), edges)
    reordered = layout_edges(list(reversed(names.values())), [(b, a) for a, b in reversed(edges)])
    assert first == again == reordered
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in first.values())


def test_a_larger_graph_uses_the_grid_and_stays_deterministic():
    graph = nx.barabasi_albert_graph(1500, 2, seed=1)
    nodes = [str(n) for n in graph]
    edges = [(str(a), str(b)) for a, b in graph.edges]
    assert layout_edges(nodes, edges) == layout_edges(sorted(nodes, reverse=True), edges[::-1])


def test_orphans_and_islands_sit_around_the_main_graph_not_far_away():
    graph = nx.path_graph(50)
    graph.add_nodes_from(range(50, 70))  # 20 orphans
    graph.add_edge(70, 71)  # an island of two
    positions = layout(nx.relabel_nodes(graph, str))
    main = [positions[str(n)] for n in range(50)]
    radius = max(math.hypot(x, y) for x, y in main)
    others = [math.hypot(*positions[str(n)]) for n in range(50, 72)]
    assert min(others) > radius  # outside the main component
    assert max(others) < 3 * radius  # but near it, not flung off
    centres = sorted(positions[str(n)] for n in range(50, 70))
    assert len(set(centres)) == 20  # no two orphans on one spot


def test_graph_json_holds_every_note_and_ghost_with_its_columns():
    site, graph = view()
    data = json.loads(site.to_json())
    nodes = data["nodes"]
    assert len(nodes["title"]) == graph.number_of_nodes() == 7
    row = {title: i for i, title in enumerate(nodes["title"])}
    hub = row["허브"]
    assert nodes["url"][hub] == "허브" and nodes["ghost"][hub] == 0
    assert data["tags"] == ["수학"] and nodes["tags"][hub] == [0]
    assert nodes["url"][row["다"]] == "폴더/다"
    assert data["folders"][nodes["folder"][row["다"]]] == "폴더"
    assert nodes["url"][row["index"]] == "폴더/"  # an index page's address ends with /
    ghost = row["없는 노트"]
    assert (nodes["ghost"][ghost], nodes["url"][ghost], nodes["community"][ghost]) == (1, None, -1)
    assert nodes["orphan"][row["Alone"]] == 1 and nodes["orphan"][hub] == 0
    # Sized by PageRank: 나, linked from 허브 and from 가 which 허브 links, ranks highest.
    assert nodes["size"][row["나"]] == max(nodes["size"]) > nodes["size"][row["Alone"]]
    pairs = {frozenset((nodes["title"][a], nodes["title"][b]))
             for a, b in zip(data["edges"][::2], data["edges"][1::2], strict=True)}
    assert pairs == {frozenset(p) for p in [("허브", "가"), ("허브", "나"), ("허브", "없는 노트"),
                                            ("가", "나"), ("다", "허브")]}


def test_graph_json_names_each_community_after_its_note_of_highest_pagerank():
    site, _ = view()
    data = json.loads(site.to_json())
    nodes = data["nodes"]
    assert len(data["centres"]) == data["communities"]
    for number, centre in enumerate(data["centres"]):
        members = [i for i, c in enumerate(nodes["community"]) if c == number]
        assert centre in members
        assert nodes["size"][centre] == max(nodes["size"][i] for i in members)
    row = {title: i for i, title in enumerate(nodes["title"])}
    assert data["centres"][nodes["community"][row["가"]]] == row["나"]


def test_graph_json_is_the_same_bytes_on_every_build_of_the_same_vault():
    shuffled = dict(reversed(list(VAULT.items())))
    assert view()[0].to_json() == view()[0].to_json() == view(shuffled)[0].to_json()


def test_the_local_data_of_a_note_is_the_note_its_neighbours_and_their_links():
    site, _ = view()
    data = local_data(site, "허브.md")
    titles = data["nodes"]["title"]
    assert titles[0] == "허브"
    assert sorted(titles[1:]) == sorted(["가", "나", "없는 노트", "다"])
    pairs = {frozenset((titles[a], titles[b]))
             for a, b in zip(data["edges"][::2], data["edges"][1::2], strict=True)}
    assert frozenset(("가", "나")) in pairs  # a link between two neighbours is drawn too
    assert len(pairs) == 5
    assert local_data(site, "Alone.md")["nodes"]["title"] == ["Alone"]


def test_local_data_holds_no_coordinates_and_numbers_communities_from_the_notes_own():
    site, _ = view()
    data = local_data(site, "허브.md")
    assert set(data["nodes"]) == {"title", "url", "ghost", "band", "community", "folder"}
    assert data["nodes"]["community"][0] == 0  # the note's own community comes first
    ghost = data["nodes"]["title"].index("없는 노트")
    assert data["nodes"]["community"][ghost] == -1 and data["nodes"]["band"][ghost] == -1
    assert data["folders"] == ["", "폴더"]  # only the members' folders
    assert data["nodes"]["folder"][data["nodes"]["title"].index("다")] == 1


def test_the_ring_puts_linked_neighbours_side_by_side_starting_with_the_best_linked():
    # Around c: a-b-d is a chain among the neighbours, e and f stand alone.
    vault = {"c.md": links("a", "b", "d", "e", "f"), "a.md": links("b"), "b.md": links("d"),
             "d.md": "", "e.md": "", "f.md": ""}
    site, _ = view(vault)
    ring = local_data(site, "c.md")["nodes"]["title"][1:]
    assert ring == ["b", "a", "d", "e", "f"]


def test_a_link_edit_elsewhere_leaves_a_local_graph_as_it_was():
    # A link from Alone to a missing note moves the whole graph's layout (a new node), not
    # any fact of 허브's neighbourhood: its local graph stays the same, byte for byte.
    before_site, _ = view()
    after_site, _ = view({**VAULT, "Alone.md": links("또 없는 노트")})
    hub = before_site.number["허브.md"]
    assert before_site.data["nodes"]["x"][hub] != after_site.data["nodes"]["x"][hub]
    assert local_data(after_site, "허브.md") == local_data(before_site, "허브.md")
    assert local_data(after_site, "Alone.md") != local_data(before_site, "Alone.md")


@pytest.mark.parametrize(("staged", "expected"), [
    ("index.md", ""), ("a/index.md", "a/"), ("a/README.md", "a/"), ("a/b.md", "a/b"),
    ("역전파 알고리즘.md", "역전파 알고리즘")])
def test_node_addresses_are_mkdocs_page_addresses(staged, expected):
    assert address(staged) == expected


def test_the_graph_page_avoids_an_address_a_note_has():
    assert graph_page_path({"a.md": "a.md"}) == "graph.md"
    assert graph_page_path({"graph.md": "graph.md"}) == "graph-2.md"
    assert graph_page_path({"Graph/index.md": "Graph/index.md", "g.md": "graph-2.md"}) == "graph-3.md"


HOSTILE = '<img src=x onerror=alert(1)> "따옴표" & \'홑\''


def test_titles_are_escaped_in_the_page_and_kept_exact_in_the_data():
    vault = {f"{HOSTILE}.md": links("허브"),
             "허브.md": "---\ntitle: </script><script>alert(2)</script>\n---\n"}
    site, _ = view(vault)
    section = local_graph_section(site, f"{HOSTILE}.md", "graph.md")
    attribute = re.search(r'data-kb-local="([^"]*)"', section).group(1)
    assert "<" not in attribute and ">" not in attribute
    data = json.loads(html.unescape(attribute))
    assert set(data["nodes"]["title"]) == {HOSTILE, "</script><script>alert(2)</script>"}


def test_render_stages_the_graph_page_the_json_and_a_local_graph_on_every_note():
    resolved, graph, summary = compiled(VAULT)
    stage = render_site(resolved, graph, "사이트", summary=summary)
    assert GRAPH_JSON in stage.blobs
    assert 'data-kb-graph="global"' in stage.pages["graph.md"]
    assert "[개념 그래프](graph.md)" in stage.pages["index.md"]
    for path in resolved.notes:
        page = stage.pages[path if path != "폴더/index.md" else "폴더/index.md"]
        assert page.count('data-kb-graph="local"') == 1, path
    assert "(../graph.md){ .kb-graph-link }" in stage.pages["폴더/다.md"]
    assert {"_kb/graph.js", "_kb/graph.css", "_kb/vendor/sigma/sigma.min.js",
            "_kb/vendor/graphology/graphology.umd.min.js"} <= set(stage.files)


class CountingList(list):
    """A node's neighbours that count how many entries are read through them."""

    reads = 0

    def __iter__(self):
        for item in super().__iter__():
            CountingList.reads += 1
            yield item


class CountingSet(frozenset):
    reads = 0

    def __iter__(self):
        for item in super().__iter__():
            CountingSet.reads += 1
            yield item


def hub_vault_graph(size: int) -> SiteGraph:
    """`size` notes in a chain, each also linked to one of three hubs (people, plugins,
    daily notes): the shape of real vaults, where a few notes are linked from thousands."""
    ids = [f"n{i:06}" for i in range(size)] + ["hub-a", "hub-b", "hub-c"]
    number = {node: i for i, node in enumerate(ids)}
    pairs = {(i, i + 1) for i in range(size - 1)} | {(i, size + i % 3) for i in range(size)}
    neighbours: dict[str, list[int]] = {node: CountingList() for node in ids}
    for a, b in sorted(pairs):
        neighbours[ids[a]].append(b)
        neighbours[ids[b]].append(a)
    columns = {"title": ids, "url": ids, "ghost": [0] * len(ids), "band": [1] * len(ids),
               "community": [0] * len(ids), "folder": [0] * len(ids)}
    data = {"folders": [""], "nodes": columns}
    linked = [CountingSet(neighbours[node]) for node in ids]
    return SiteGraph(ids, number, data, neighbours, linked)


def neighbour_reads(size: int) -> int:
    site = hub_vault_graph(size)
    CountingList.reads = CountingSet.reads = 0
    for node in site.ids:
        local_data(site, node)
    return CountingList.reads + CountingSet.reads


def test_all_local_graphs_together_cost_linear_work_in_a_vault_with_hubs():
    # Every page's local graph reads its neighbourhood; none may read a hub's whole
    # neighbourhood for being linked to the hub (quadratic: 100x the reads at 10x notes).
    small, large = neighbour_reads(300), neighbour_reads(3000)
    assert small > 300  # every neighbourhood is read
    assert large <= 12 * small


def test_a_hubs_local_graph_holds_every_neighbour_and_the_links_among_them():
    site = hub_vault_graph(30)
    data = local_data(site, "hub-a")
    members = data["nodes"]["title"]
    assert members[0] == "hub-a" and sorted(members[1:]) == [f"n{i:06}" for i in range(0, 30, 3)]
    assert len(data["edges"]) == 2 * 10  # the hub's own links; no two of its members are linked
