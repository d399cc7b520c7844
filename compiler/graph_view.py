"""The concept graph in the site: the data its browser view draws, and the places it is drawn.

- `_kb/graph.json` holds the whole graph once, for the global graph page and for a local
  graph's second level: every published note and every ghost (unresolved target) with its
  title, address, size (from PageRank), importance band, community, folder, tags and
  position, the links as pairs of node numbers, and each community's centre (the number of
  its note of highest PageRank, which names it in the legend). Columns rather than one object per node
  keep it compact.
- Each note page carries its own first level (itself, its neighbours, the links between
  them) in its local graph's `data-kb-local` attribute: a few hundred bytes on most pages,
  so that a page of a 6,000-note vault does not download the whole graph to draw ten nodes.
- The global graph's positions come from `compiler.layout` (deterministic); the browser only
  draws. A local graph holds only facts of the note's neighbourhood, so that a link edit
  elsewhere leaves the page as it was (and out of an incremental rebuild or a deploy): the
  neighbours in ring order (`ring_order`: linked neighbours side by side), each one's
  importance band (the node's size), its community numbered from the note's own (the
  colours), and the folders among them. No global coordinates, no exact PageRank, no
  community number of the whole vault: those move on nearly every link edit.

Node addresses are MkDocs' page addresses (`a/b`, or `a/` for an index page); the script
turns them into URLs the way the site was built (directory URLs or `.html`).
Titles are data everywhere: escaped in HTML attributes, drawn as text by the script.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass

import networkx as nx

from . import messages
from .analysis import GraphSummary, importance_band
from .layout import layout
from .markup import title_heading
from .parse import LOCAL_GRAPH_ANCHOR
from .site_assets import ASSET_DIR

GRAPH_JSON = f"{ASSET_DIR}/graph.json"
GRAPH_PAGE = "graph.md"
# The words graph.js writes (controls, messages), given to it by the page in the site's language.
GLOBAL_LABELS = ["graph.find_note", "graph.colour", "graph.by_community", "graph.by_folder",
                 "graph.folder", "graph.tag", "graph.all", "graph.hide_ghosts", "graph.hide_orphans",
                 "graph.scripts_missing", "graph.cannot_draw", "graph.legend", "graph.others"]
LOCAL_LABELS = ["graph.scripts_missing", "graph.cannot_draw"]
FORMAT_VERSION = 1
COORDINATE_SCALE = 10.0  # layout units -> stored numbers: one decimal is plenty on screen
GHOST_SIZE = 2.0


@dataclass(frozen=True)
class SiteGraph:
    ids: list[str]  # graph node ids (note paths, `ghost:...`), sorted: a node's number is its index
    number: dict[str, int]  # node id -> its number
    data: dict  # what graph.json holds
    neighbours: dict[str, list[int]]  # node id -> numbers of the nodes linked to or from it
    linked: list[frozenset[int]]  # node number -> the same numbers, as a set

    def to_json(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def address(staged: str) -> str:
    """MkDocs' address of a staged page, `/`-terminated for an index page (`a/` for
    `a/index.md` and `a/README.md`, the empty string for the home page)."""
    folder, _, name = staged.removesuffix(".md").rpartition("/")
    if name in ("index", "README"):
        return f"{folder}/" if folder else ""
    return staged.removesuffix(".md")


def _size(pagerank: float, top: float) -> float:
    return round(3.0 + 12.0 * math.sqrt(pagerank / top), 1) if top > 0 else 3.0


def site_graph(graph: nx.DiGraph, summary: GraphSummary, pages: dict[str, str]) -> SiteGraph:
    """Everything the browser view needs, from the concept graph and its analysis.
    `pages` maps each note's path to its staged page."""
    ids = sorted(graph.nodes)
    number = {node: index for index, node in enumerate(ids)}
    positions = layout(graph)
    measures = summary.measures
    top = max((m.pagerank for m in measures.values()), default=0.0)
    folders = sorted({m.folder for m in measures.values()})
    folder_number = {folder: index for index, folder in enumerate(folders)}
    tags = sorted({tag for m in measures.values() for tag in m.tags})
    tag_number = {tag: index for index, tag in enumerate(tags)}
    columns: dict[str, list] = {key: [] for key in (
        "title", "url", "x", "y", "size", "band", "community", "folder", "tags", "ghost",
        "orphan")}
    for node in ids:
        m = measures.get(node)
        x, y = positions[node]
        columns["title"].append(m.title if m else graph.nodes[node]["title"])
        columns["url"].append(address(pages[node]) if m else None)
        columns["x"].append(round(x * COORDINATE_SCALE, 1))
        columns["y"].append(round(y * COORDINATE_SCALE, 1))
        columns["size"].append(_size(m.pagerank, top) if m else GHOST_SIZE)
        columns["band"].append(importance_band(m.rank, len(measures)) if m else -1)
        columns["community"].append(m.community if m else -1)
        columns["folder"].append(folder_number[m.folder] if m else -1)
        columns["tags"].append([tag_number[t] for t in m.tags] if m else [])
        columns["ghost"].append(0 if m else 1)
        columns["orphan"].append(1 if m and m.orphan else 0)
    pairs = sorted({(min(a, b), max(a, b)) for a, b in ((number[s], number[t]) for s, t in graph.edges)
                    if a != b})
    neighbours: dict[str, list[int]] = {node: [] for node in ids}
    for a, b in pairs:
        neighbours[ids[a]].append(b)
        neighbours[ids[b]].append(a)
    # Each community is named in the legend after its centre (its note of highest PageRank).
    centres = [number[measures[members[0]].community_centre] for members in summary.communities]
    data = {"version": FORMAT_VERSION, "folders": folders, "tags": tags,
            "communities": len(summary.communities), "centres": centres, "nodes": columns,
            "edges": [n for pair in pairs for n in pair]}
    linked = [frozenset(neighbours[node]) for node in ids]
    return SiteGraph(ids, number, data, neighbours, linked)


def _linked_among(site: SiteGraph, node: int, members: set[int] | frozenset[int]) -> set[int]:
    """The members linked to `node` (itself left out), looked up from the smaller side: a
    hub linked to thousands of notes costs each of its neighbours' pages the size of their
    neighbourhood, not its own degree, so that all local graphs together stay linear in
    the links of a vault with hubs."""
    theirs = site.linked[node]
    found = {m for m in members if m in theirs} if len(members) < len(theirs) \
        else {m for m in theirs if m in members}
    found.discard(node)
    return found


def ring_order(site: SiteGraph, path: str) -> list[int]:
    """The numbers of a note's neighbours in the order its local graph puts them around it:
    a walk (depth first) through the links among them, so that linked neighbours sit side by
    side, each walk starting at the best-linked neighbour not yet placed, ties by id. Only
    the neighbourhood decides it."""
    centre = site.number[path]
    around = set(site.linked[centre]) - {centre}
    among = {n: _linked_among(site, n, around) for n in around}

    def preferred(n: int) -> tuple[int, str]:
        return -len(among[n]), site.ids[n]

    order: list[int] = []
    placed: set[int] = set()
    for start in sorted(around, key=preferred):
        stack = [start]
        while stack:
            node = stack.pop()
            if node in placed:
                continue
            placed.add(node)
            order.append(node)
            stack.extend(sorted((m for m in among[node] if m not in placed), key=preferred,
                                reverse=True))  # the preferred one on top
    return order


def local_data(site: SiteGraph, path: str) -> dict:
    """The first level of a note's local graph: the note (first), its neighbours in ring
    order, and every link among them. Columns as in graph.json, but `community` numbered
    from the note's own (0) in the order of the members, `folder` an index into the
    members' own folders, and `band` instead of coordinates and size."""
    members = [site.number[path], *ring_order(site, path)]
    local = {node: index for index, node in enumerate(members)}
    nodes = site.data["nodes"]
    columns = {key: [nodes[key][n] for n in members] for key in ("title", "url", "ghost", "band")}
    communities: dict[int, int] = {}
    columns["community"] = [communities.setdefault(c, len(communities)) if c >= 0 else -1
                            for c in (nodes["community"][n] for n in members)]
    everywhere = site.data["folders"]
    folders = sorted({everywhere[nodes["folder"][n]] for n in members if nodes["folder"][n] >= 0})
    folder_number = {folder: index for index, folder in enumerate(folders)}
    columns["folder"] = [folder_number[everywhere[nodes["folder"][n]]]
                         if nodes["folder"][n] >= 0 else -1 for n in members]
    member_set = frozenset(members)
    pairs = sorted({(min(local[a], local[b]), max(local[a], local[b]))
                    for a in members for b in _linked_among(site, a, member_set)})
    return {"nodes": columns, "edges": [n for pair in pairs for n in pair], "folders": folders}


def _json_attribute(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return html.escape(text, quote=True)


def _labels(words: messages.Messages, keys: list[str], depths: bool = False) -> str:
    labels = words.table(keys)
    if depths:
        labels |= {f"graph.depth.{n}": words("graph.depth", n=n) for n in (1, 2)}
    return _json_attribute(labels)


def local_graph_section(site: SiteGraph, path: str, graph_link: str,
                        words: messages.Messages | None = None) -> str:
    """The local graph under a note: its neighbours drawn around it, a switch to show the
    second level, and a link to the whole graph (a Markdown link, so that MkDocs writes the
    URL as the site is built; the script reads it)."""
    words = words or messages.current()
    data = _json_attribute(local_data(site, path))
    return ("\n\n" + '<div class="kb-local-graph" markdown data-search-exclude>\n\n'
            f"## {words('graph.local_heading')} {{ #{LOCAL_GRAPH_ANCHOR} }}\n\n"
            f'<div class="kb-graph-view" data-kb-graph="local" data-kb-local="{data}" '
            f'data-kb-labels="{_labels(words, LOCAL_LABELS, depths=True)}"></div>\n\n'
            f"[{words('graph.open_whole')}]({graph_link}){{ .kb-graph-link }}\n\n</div>\n")


def graph_page(home_link: str, words: messages.Messages | None = None) -> str:
    """The global graph page: the script fills it from graph.json."""
    words = words or messages.current()
    title = json.dumps(words("graph.title"), ensure_ascii=False)  # a YAML string
    return ("---\n" + f"title: {title}\n" + "hide:\n  - toc\n---\n\n"
            + title_heading(words("graph.heading")) + "\n\n"
            '<div class="kb-graph-page" data-search-exclude markdown>\n\n'
            '<div class="kb-graph-view kb-graph-global" data-kb-graph="global" '
            f'data-kb-labels="{_labels(words, GLOBAL_LABELS)}"></div>\n\n'
            f"<noscript>{html.escape(words('graph.noscript'))}</noscript>\n\n"
            f"[{words('graph.back_home')}]({home_link}){{ .kb-graph-link }}\n\n</div>\n")


def graph_page_path(pages: dict[str, str]) -> str:
    """`graph.md`, unless a note is published at that address already."""
    taken = {address(p).rstrip("/").casefold() for p in pages.values()}
    candidate, number = GRAPH_PAGE, 1
    while candidate.removesuffix(".md").casefold() in taken:
        number += 1
        candidate = f"graph-{number}.md"
    return candidate
