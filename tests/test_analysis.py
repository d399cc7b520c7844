"""Analysis: measures of the concept graph on small vaults with known answers, and exports.

Degrees count distinct notes; orphans have no links at all, dead ends no links out; PageRank
sums to 1 over the notes; communities are grouped around the notes of highest PageRank, the
same on every build, and a link edit changes them only near it; "read before" lists what a
note depends on, each after what it links to.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler import analysis, layout
from compiler.analysis import (
    FORMATS,
    GraphSummary,
    analyse,
    centre_count,
    communities,
    export,
    importance_band,
    link_structure,
    pagerank,
)
from compiler.graph import build_graph
from compiler.parse import parse_note
from compiler.resolve import resolve_vault


def analysed(vault: dict[str, str]) -> tuple[nx.DiGraph, GraphSummary]:
    notes = {path: parse_note(path, text.encode("utf-8")) for path, text in vault.items()}
    graph = build_graph(resolve_vault(notes, {}))
    return graph, analyse(graph, notes)


def links(*targets: str) -> str:
    return " ".join(f"[[{t}]]" for t in targets) + "\n"


STAR = {"Hub.md": "", "a.md": links("Hub", "Hub"), "b.md": links("Hub"),
        "c.md": links("Hub", "a"), "Alone.md": "혼자인 노트\n"}


def test_degrees_count_distinct_linking_and_linked_notes():
    _, summary = analysed(STAR)
    m = summary.measures
    assert (m["Hub.md"].links_in, m["Hub.md"].links_out) == (3, 0)
    assert (m["a.md"].links_in, m["a.md"].links_out) == (1, 1)  # two links to Hub are one
    assert (m["c.md"].links_in, m["c.md"].links_out) == (0, 2)


def test_a_link_to_itself_counts_neither_in_nor_out():
    _, summary = analysed({"Self.md": links("Self")})
    assert summary.measures["Self.md"].links_in == 0
    assert summary.measures["Self.md"].orphan


def test_orphans_have_no_links_and_dead_ends_no_links_out():
    _, summary = analysed(STAR)
    m = summary.measures
    assert [p for p in m if m[p].orphan] == ["Alone.md"]
    assert [p for p in m if m[p].dead_end] == ["Hub.md"]
    assert not m["Alone.md"].dead_end


def test_a_link_to_a_missing_note_is_a_link_out():
    _, summary = analysed({"Wish.md": links("없는 노트")})
    measure = summary.measures["Wish.md"]
    assert measure.links_out == 1
    assert not measure.orphan and not measure.dead_end


def test_pagerank_sums_to_one_and_the_most_linked_note_ranks_first():
    _, summary = analysed({**STAR, "Wish.md": links("Hub", "Nowhere")})
    ranks = {p: m.pagerank for p, m in summary.measures.items()}
    assert sum(ranks.values()) == pytest.approx(1.0)
    assert max(ranks, key=ranks.get) == "Hub.md"
    assert "ghost:nowhere" not in summary.measures


def test_pagerank_agrees_with_networkx():
    graph = nx.gnp_random_graph(40, 0.08, seed=7, directed=True)
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python
    expected = _pagerank_python(graph, tol=1e-12, max_iter=1000)
    ours = pagerank(graph)
    assert all(ours[n] == pytest.approx(expected[n], abs=1e-8) for n in graph)


def test_the_word_count_folder_title_and_tags_of_a_note():
    _, summary = analysed({"주제/노트.md": "---\ntitle: 제목\ntags: [수학, \"#확률\"]\n---\n"
                                           "하나 둘 셋\n넷\n",
                           "Other.md": "---\ntags: a, b\n---\n"})
    measure = summary.measures["주제/노트.md"]
    assert (measure.title, measure.folder, measure.words) == ("제목", "주제", 4)
    assert measure.tags == ("수학", "확률")
    assert summary.measures["Other.md"].tags == ("a", "b")


def two_cliques(order: list[str]) -> dict[str, str]:
    left, right = ["L1", "L2", "L3", "L4"], ["R1", "R2", "R3", "R4"]
    vault = {}
    for group in (left, right):
        for name in group:
            vault[f"{name}.md"] = links(*(other for other in group if other != name))
    vault["L1.md"] += links("R1")
    return {f"{name}.md": vault[f"{name}.md"] for name in order}


def test_communities_of_two_cliques_joined_by_one_edge_are_the_two_cliques():
    _, summary = analysed(two_cliques(["L1", "L2", "L3", "L4", "R1", "R2", "R3", "R4"]))
    assert summary.communities == [["L1.md", "L2.md", "L3.md", "L4.md"],
                                   ["R1.md", "R2.md", "R3.md", "R4.md"]]
    assert {m.community for p, m in summary.measures.items() if p.startswith("L")} == {0}
    assert {m.community for p, m in summary.measures.items() if p.startswith("R")} == {1}


def test_communities_are_the_same_across_calls_and_insertion_orders():
    first = analysed(two_cliques(["L1", "L2", "L3", "L4", "R1", "R2", "R3", "R4"]))[1]
    again = analysed(two_cliques(["L1", "L2", "L3", "L4", "R1", "R2", "R3", "R4"]))[1]
    shuffled = analysed(two_cliques(["R3", "L2", "R1", "L4", "R4", "L1", "R2", "L3"]))[1]
    assert first.communities == again.communities == shuffled.communities
    assert first.measures == again.measures
    assert {p: m.community for p, m in first.measures.items()} == {
        p: m.community for p, m in shuffled.measures.items()}
    assert {p: m.pagerank for p, m in first.measures.items()} == pytest.approx(
        {p: m.pagerank for p, m in shuffled.measures.items()})


def test_communities_are_numbered_largest_first():
    vault = {**two_cliques(["L1", "L2", "L3", "L4", "R1", "R2", "R3", "R4"]),
             "L5.md": links("L1", "L2", "L3", "L4"), "Alone.md": ""}
    _, summary = analysed(vault)
    assert [len(c) for c in summary.communities] == [5, 4, 1]
    assert summary.measures["L5.md"].community == 0
    assert summary.measures["Alone.md"].community == 2


def ring_of_cliques(cliques: int, size: int) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    """`cliques` groups of `size` notes, every note of a group linked to every other, and the
    first note of each group linking the last note of the next, in a ring: structure a
    reader would call communities, a pure function of which is easy to state."""
    names = [[f"c{c}n{n}" for n in range(size)] for c in range(cliques)]
    edges = [(a, b) for group in names for a in group for b in group if a != b]
    edges += [(names[c][0], names[(c + 1) % cliques][-1]) for c in range(cliques)]
    return tuple(sorted(n for group in names for n in group)), sorted(edges)


def test_communities_of_a_ring_of_cliques_are_the_cliques_each_around_a_note_of_its_own():
    nodes, edges = ring_of_cliques(8, 16)
    found = communities(nodes, tuple(edges))
    assert sorted(members for _, members in found) == sorted(
        sorted(f"c{c}n{n}" for n in range(16)) for c in range(8))
    assert all(centre in members for centre, members in found)


def test_a_link_edit_changes_the_communities_near_it_only():
    nodes, edges = ring_of_cliques(8, 16)
    before = dict(communities(nodes, tuple(edges)))
    # Clique 0 gains a second link to clique 1: cliques 3 to 6, two or more cliques away,
    # keep their members and their centres.
    after = dict(communities(nodes, tuple(sorted([*edges, ("c0n3", "c1n2")]))))
    far = {centre: members for centre, members in before.items()
           if 3 <= int(centre[1:centre.index("n")]) <= 6}
    assert len(far) == 4 and all(after.get(centre) == members for centre, members in far.items())


def test_the_centres_are_cut_where_pagerank_drops_most():
    # 5 wanted: from 4 to 7 centres, cut at the widest drop.
    assert centre_count([9, 8, 7, 6, 5, 2, 1.9, *[1] * 9], 5) == 5
    assert centre_count([9, 8, 7, 6, 5.9, 5.8, 5.7, 2, *[1] * 8], 5) == 7
    assert centre_count([9, 8, 7, 6, 1.5, 1.4, 1.3, 1.2, *[1] * 8], 5) == 4
    assert centre_count([1] * 16, 5) == 4  # no drop anywhere: the fewest
    assert centre_count([2, 1], 1) == 1 and centre_count([1], 1) == 1


def test_a_centre_that_a_higher_centres_walk_visits_more_than_its_own_is_not_a_centre():
    # A star of 12 (4 centres wanted by its size): the leaves rank below the hub, and
    # every walk from a leaf visits the hub more than the leaf: one community.
    nodes = ("hub", *(f"leaf{n:02}" for n in range(11)))
    edges = tuple(sorted((leaf, "hub") for leaf in nodes[1:]))
    assert communities(nodes, edges) == [("hub", sorted(nodes))]


# Notes of two groups: a link drawn inside the second group never changes the communities of
# the first, whatever the links of either (property-based).
GROUP = [f"a{n}" for n in range(8)]
OTHER = [f"b{n}" for n in range(8)]


def pairs_among(names: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    return st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names)).filter(
        lambda pair: pair[0] != pair[1]), max_size=20, unique=True)


@settings(max_examples=60, deadline=None)
@given(mine=pairs_among(GROUP), theirs=pairs_among(OTHER),
       added=st.tuples(st.sampled_from(OTHER), st.sampled_from(OTHER)).filter(
           lambda pair: pair[0] != pair[1]))
def test_a_link_added_far_from_a_note_leaves_its_community_as_it_was(mine, theirs, added):
    nodes = tuple(sorted(GROUP + OTHER))

    def community_of(edges: list[tuple[str, str]]) -> dict[str, tuple[str, list[str]]]:
        found = communities(nodes, tuple(sorted(set(edges))))
        return {note: (centre, members) for centre, members in found for note in members}

    before = community_of(mine + theirs)
    after = community_of([*mine, *theirs, added])
    assert {n: before[n] for n in GROUP} == {n: after[n] for n in GROUP}
    assert all(centre in members for centre, members in before.values())


def needs(*targets: str) -> str:
    """A note declaring `targets` as its prerequisites (an empty list: a place to start)."""
    listed = ", ".join(f'"[[{t}]]"' for t in targets)
    return f"---\nprerequisites: [{listed}]\n---\n"


def test_read_before_is_what_the_notes_declare_each_after_what_it_needs():
    _, summary = analysed({"A.md": needs("B"), "B.md": needs("C"), "C.md": needs()})
    assert summary.measures["A.md"].read_before == ("C.md", "B.md")
    assert summary.measures["A.md"].prerequisites == ("B.md",)
    assert summary.measures["B.md"].read_before == ("C.md",)
    assert summary.measures["C.md"].read_before == ()
    assert summary.measures["C.md"].read_next == ("B.md",)
    assert all(m.in_reading_order for m in summary.measures.values())


def test_links_in_the_text_claim_no_reading_order():
    _, summary = analysed({"A.md": links("B"), "B.md": links("C"), "C.md": ""})
    assert all(m.read_before == () and not m.in_reading_order for m in summary.measures.values())


def test_a_prerequisite_shared_by_two_paths_is_read_once_before_both():
    _, summary = analysed({"Top.md": needs("Left", "Right"), "Left.md": needs("Base"),
                           "Right.md": needs("Base"), "Base.md": needs()})
    order = summary.measures["Top.md"].read_before
    assert order[0] == "Base.md" and sorted(order[1:]) == ["Left.md", "Right.md"]
    assert summary.measures["Base.md"].read_next == ("Left.md", "Right.md")


def test_prerequisites_in_a_cycle_are_not_used_and_the_rest_stands():
    _, summary = analysed({"A.md": needs("B", "D"), "B.md": needs("A"), "D.md": needs()})
    assert summary.measures["A.md"].read_before == ("D.md",)
    assert summary.measures["B.md"].read_before == ()


def test_ranks_and_importance_bands():
    _, summary = analysed({**STAR, "Wish.md": links("Hub", "Nowhere")})
    ranks = sorted(summary.measures.values(), key=lambda m: m.rank)
    assert [m.rank for m in ranks] == list(range(1, 7)) and ranks[0].path == "Hub.md"
    assert [m.pagerank for m in ranks] == sorted((m.pagerank for m in ranks), reverse=True)
    # A band holds the notes whose rank is within its share: the best of 25 is in the top 5%.
    assert [importance_band(r, 25) for r in (1, 2, 3, 6, 7, 12, 13)] == [1, 2, 3, 3, 4, 4, 5]
    assert importance_band(1, 100) == 0 and importance_band(2, 100) == 1
    assert importance_band(1, 2) == 4 and importance_band(2, 2) == 5


def test_a_community_is_known_by_its_member_of_highest_pagerank():
    vault = {**two_cliques(["L1", "L2", "L3", "L4", "R1", "R2", "R3", "R4"]),
             "L5.md": links("L2"), "L6.md": links("L2")}
    _, summary = analysed(vault)
    assert {m.community_centre for p, m in summary.measures.items() if p.startswith("L")} == {"L2.md"}
    right = [m for p, m in summary.measures.items() if p.startswith("R")]
    centre = min(right, key=lambda m: (-m.pagerank, m.path)).path
    assert {m.community_centre for m in right} == {centre}


def test_the_link_structure_is_reused_while_the_links_stay_the_same(monkeypatch):
    calls = []
    monkeypatch.setattr(analysis, "pagerank", lambda graph: calls.append(1) or dict.fromkeys(
        graph.nodes, 1.0 / graph.number_of_nodes()))
    link_structure.cache_clear()
    vault = {"a.md": links("b"), "b.md": "둘\n"}
    analysed(vault)
    prose = analysed({**vault, "b.md": "둘 셋 넷\n"})[1]  # words change, links do not
    assert len(calls) == 1 and prose.measures["b.md"].words == 3
    analysed({**vault, "b.md": links("a")})  # a new link: computed again
    assert len(calls) == 2
    link_structure.cache_clear()


def test_the_layout_is_reused_while_the_graph_stays_the_same(monkeypatch):
    calls = []
    real = layout._component_layout
    monkeypatch.setattr(layout, "_component_layout", lambda g: calls.append(1) or real(g))
    layout._layout.cache_clear()
    first = layout.layout_edges(["a", "b", "c"], [("a", "b")])
    assert layout.layout_edges(["c", "b", "a"], [("b", "a")]) == first and len(calls) == 2
    layout.layout_edges(["a", "b", "c"], [("a", "b"), ("b", "c")])
    assert len(calls) == 3  # one component now
    layout._layout.cache_clear()


def test_ghosts_are_listed_with_the_notes_that_want_them():
    _, summary = analysed({"a.md": links("없는 개념"), "b.md": links("없는 개념", "Other"),
                           "c.md": ""})
    assert summary.ghosts == [("Other", ["b.md"]), ("없는 개념", ["a.md", "b.md"])]


EXPORT_VAULT = {"가.md": "---\ntags: [x, y]\n---\n" + links("나", "없음"), "나.md": "![[다]]\n",
                "다.md": links("가"), "라.md": ""}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    graph, summary = analysed(EXPORT_VAULT)
    folder = tmp_path_factory.mktemp("exports")
    files = {}
    for fmt in FORMATS:
        files[fmt] = folder / f"graph.{fmt}"
        export(graph, summary, fmt, files[fmt])
    return files


def test_json_export_holds_nodes_with_measures_ghosts_and_edges(exported):
    text = exported["json"].read_text(encoding="utf-8")
    assert "가" in text  # not \\uac00: ensure_ascii is off
    data = json.loads(text)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["가.md"]["tags"] == ["x", "y"] and nodes["가.md"]["links_out"] == 2
    assert nodes["ghost:없음"] == {"id": "ghost:없음", "ghost": True, "title": "없음",
                                   "wanted_by": ["가.md"]}
    edges = {(e["source"], e["target"]): e for e in data["edges"]}
    assert edges["나.md", "다.md"] == {"source": "나.md", "target": "다.md", "count": 1,
                                       "links": 0, "embeds": 1}
    assert data["ghosts"] == [{"target": "없음", "wanted_by": ["가.md"]}]


@pytest.mark.parametrize("fmt,reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graphml_and_gexf_exports_read_back_into_networkx(exported, fmt, reader):
    graph = reader(exported[fmt])
    assert set(graph.nodes) == {"가.md", "나.md", "다.md", "라.md", "ghost:없음"}
    assert graph.number_of_edges() == 4
    node = graph.nodes["가.md"]
    assert node["title"] == "가" and node["tags"] == "x, y" and node["links_out"] == 2
    assert node["orphan"] in (False, "false")
    assert graph.nodes["라.md"]["orphan"] in (True, "true")


def test_png_export_is_a_png(exported):
    assert exported["png"].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_svg_export_is_an_svg_without_a_date(exported):
    text = exported["svg"].read_text(encoding="utf-8")
    assert "<svg" in text and "<dc:date>" not in text
    ET.fromstring(text.encode("utf-8"))


def test_the_same_graph_draws_the_same_svg(tmp_path):
    graph, summary = analysed(EXPORT_VAULT)
    export(graph, summary, "svg", tmp_path / "a.svg")
    export(graph, summary, "svg", tmp_path / "b.svg")
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


def test_an_unknown_format_is_refused(tmp_path):
    graph, summary = analysed(EXPORT_VAULT)
    with pytest.raises(ValueError):
        export(graph, summary, "dot", tmp_path / "graph.dot")


def test_an_empty_vault_has_no_measures(tmp_path):
    graph, summary = analysed({})
    assert summary == GraphSummary({}, [], [])
    for fmt in FORMATS:
        export(graph, summary, fmt, tmp_path / f"graph.{fmt}")
        assert (tmp_path / f"graph.{fmt}").stat().st_size > 0


def test_kb_graph_prints_the_summary_and_exports(tmp_path, capsys, monkeypatch):
    from compiler.cli import main
    from tests.conftest import PROJECT, write_vault

    vault = write_vault(tmp_path / "vault", {**STAR, "Wish.md": links("Hub", "없는 개념")})
    monkeypatch.chdir(tmp_path)
    assert main(["graph", "--vault", str(vault), "--config", str(PROJECT / "mkdocs.yml"),
                 "--format", "json"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("6 notes, 1 ghost targets")
    central = printed.split("most central")[1].splitlines()[1]
    assert central.endswith("Hub  (Hub.md)") and "4 in" in central
    assert "orphans (1):\n  Alone.md" in printed
    assert "없는 개념  <- Wish.md" in printed
    data = json.loads((tmp_path / "graph.json").read_text(encoding="utf-8"))
    assert len(data["nodes"]) == 7
