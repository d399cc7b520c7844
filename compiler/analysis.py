"""Analysis: the measures of the concept graph, and its exports.

Every number here comes from the one graph that `compiler.graph.build_graph` makes:

- links in / out count distinct notes (a note linking to itself counts for neither); a ghost
  target counts as a link out, so a note whose only links are unresolved is not an orphan.
- PageRank runs on the notes only: ghost nodes and self-links are left out, so the PageRank of
  the notes sums to 1 and a missing note cannot soak up rank that belongs to written ones.
- Communities are Louvain's on the undirected note graph (no ghosts, unweighted: one link or
  ten between two notes tie them equally), with a fixed seed. The graph handed to Louvain and to
  PageRank is rebuilt with sorted nodes and edges, so the answer does not depend on the order the
  vault was read in. Communities are numbered from 0 by size, largest first, ties by their
  smallest member path.
- The reading order ("read before") of a note is what the vault declares: its `prerequisites:`
  property and theirs, each after what it needs (`compiler.prerequisites`). A note that
  declares none claims nothing; links never make an order.
- Each note's rank (1 = highest PageRank, ties by path) places it in an importance band, and
  each community is known by its centre, its member of highest PageRank: what the site shows,
  because a number that renumbers or an exact rank shifts on nearly every link edit.

What depends on the links alone (PageRank, communities: the costly part) is
computed by `link_structure` from the notes and the links between them, and reused while they
stay the same: a prose edit, which changes only words, reuses it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from .counts import linking_notes
from .label_placement import Box, Label, place_labels
from .layout import layout
from .parse import Note
from .prerequisites import reading_order

if TYPE_CHECKING:  # matplotlib is imported when a drawing is asked for, not with kb
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

FORMATS = ("json", "graphml", "gexf", "png", "svg")
BANDS = (0.01, 0.05, 0.1, 0.25, 0.5)  # importance bands: the top 1%, 5%, ... of the notes


@dataclass(frozen=True)
class NoteMeasures:
    path: str
    title: str
    folder: str
    tags: tuple[str, ...]
    words: int
    links_in: int  # distinct notes that link here
    links_out: int  # distinct notes (and ghost targets) linked from here
    pagerank: float
    community: int  # numbered from 0 by size, largest first
    community_centre: str  # the member of its community with the highest PageRank
    rank: int  # 1 for the highest PageRank among the notes, ties by path
    orphan: bool  # no links in or out
    dead_end: bool  # no links out, but some in
    read_before: tuple[str, ...] = ()  # declared prerequisites and theirs, each after what it needs
    prerequisites: tuple[str, ...] = ()  # what the note itself declares (and is used)
    read_next: tuple[str, ...] = ()  # the notes that declare this one as a prerequisite
    declares_prerequisites: bool = False  # it has the property (an empty list: a place to start)

    @property
    def in_reading_order(self) -> bool:
        """Whether the note takes part in the declared order: it declares, or is declared."""
        return self.declares_prerequisites or bool(self.read_next)


@dataclass(frozen=True)
class GraphSummary:
    measures: dict[str, NoteMeasures]
    communities: list[list[str]]  # members (sorted paths), largest first
    ghosts: list[tuple[str, list[str]]]  # unresolved target, the notes that want it

    def community_size(self, path: str) -> int:
        return len(self.communities[self.measures[path].community])


@dataclass(frozen=True)
class LinkStructure:
    """What the measures take from the links between notes alone. Shared by the calls that
    reuse it: read only."""
    pagerank: dict[str, float]
    communities: list[list[str]]  # members (sorted paths), largest first
    community_of: dict[str, int]
    rank: dict[str, int]  # 1 for the highest PageRank, ties by path


def note_tags(note: Note | None) -> tuple[str, ...]:
    """The note's tags (the `tags` property and `#tags` in its text), each once."""
    return note.tag_names if note is not None else ()


def note_links(graph: nx.DiGraph) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The notes (sorted) and the links between them (sorted), without ghosts or self-links."""
    ghost = dict(graph.nodes(data="ghost"))
    notes = tuple(sorted(n for n, is_ghost in ghost.items() if not is_ghost))
    links = tuple(sorted((a, b) for a, b in graph.edges if a != b and not ghost[a] and not ghost[b]))
    return notes, links


def importance_band(rank: int, total: int) -> int:
    """The band of the note ranked `rank` of `total`: 0 for the top 1%, ..., len(BANDS) for
    the lower half. A band holds the notes whose rank is within that share of all notes, so
    the best of 25 notes is in the top 5%, not the top 1%."""
    return next((number for number, share in enumerate(BANDS) if rank <= share * total),
                len(BANDS))


def pagerank(notes: nx.DiGraph, alpha: float = 0.85, tol: float = 1.0e-10,
             max_iter: int = 200) -> dict[str, float]:
    """PageRank by power iteration, as `nx.pagerank` computes it (a note with no links out
    spreads its rank evenly), in plain Python: networkx's own needs SciPy."""
    nodes = list(notes.nodes)
    if not nodes:
        return {}
    count = len(nodes)
    out = {n: [t for t in notes.successors(n)] for n in nodes}
    rank = dict.fromkeys(nodes, 1.0 / count)
    for _ in range(max_iter):
        dangling = alpha * sum(rank[n] for n in nodes if not out[n]) / count
        base = (1.0 - alpha) / count + dangling
        new = dict.fromkeys(nodes, base)
        for node in nodes:
            targets = out[node]
            if targets:
                share = alpha * rank[node] / len(targets)
                for target in targets:
                    new[target] += share
        change = sum(abs(new[n] - rank[n]) for n in nodes)
        rank = new
        if change < count * tol:
            break
    total = sum(rank.values())
    return {n: r / total for n, r in rank.items()}


def _communities(notes: nx.DiGraph, seed: int) -> list[list[str]]:
    undirected = nx.Graph()
    undirected.add_nodes_from(notes.nodes)  # already sorted
    undirected.add_edges_from(sorted({tuple(sorted(e)) for e in notes.edges}))
    if undirected.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(undirected, seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


@lru_cache(maxsize=2)  # the last two: an edit and its undo
def link_structure(nodes: tuple[str, ...], edges: tuple[tuple[str, str], ...],
                   seed: int = 0) -> LinkStructure:
    """PageRank, communities and ranks of the notes `nodes` (sorted) linked by
    `edges` (sorted pairs of notes, no self-links, no ghosts). Kept for the same arguments."""
    linked = nx.DiGraph()
    linked.add_nodes_from(nodes)
    linked.add_edges_from(edges)
    rank = pagerank(linked)
    communities = _communities(linked, seed)
    community_of = {path: number for number, members in enumerate(communities) for path in members}
    ordered = sorted(nodes, key=lambda n: (-rank[n], n))
    return LinkStructure(rank, communities, community_of,
                         {path: number for number, path in enumerate(ordered, 1)})


def analyse(graph: nx.DiGraph, notes: dict[str, Note], seed: int = 0) -> GraphSummary:
    nodes, links = note_links(graph)
    structure = link_structure(nodes, links, seed)
    order = reading_order({path: note for path, note in notes.items() if path in graph})
    rank = structure.pagerank
    centres = [min(members, key=lambda n: (-rank[n], n)) for members in structure.communities]
    measures: dict[str, NoteMeasures] = {}
    for path in nodes:
        data = graph.nodes[path]
        links_in = len(linking_notes(graph, path))  # its backlinks: one definition (counts)
        links_out = sum(1 for t in graph.successors(path) if t != path)
        note = notes.get(path)
        community = structure.community_of[path]
        measures[path] = NoteMeasures(
            path=path, title=data["title"], folder=data.get("folder", ""), tags=note_tags(note),
            words=len(note.text.split()) if note is not None else 0,
            links_in=links_in, links_out=links_out, pagerank=rank[path],
            community=community, community_centre=centres[community],
            rank=structure.rank[path], orphan=links_in == 0 and links_out == 0,
            dead_end=links_out == 0 and links_in > 0,
            read_before=tuple(p for p in order.before.get(path, ()) if p in graph),
            prerequisites=tuple(p for p in order.prerequisites.get(path, ()) if p in graph),
            read_next=tuple(p for p in order.after.get(path, ()) if p in graph),
            declares_prerequisites=path in order.prerequisites)
    wanted = sorted((data["title"], sorted(s for s in graph.predecessors(node)))
                    for node, data in graph.nodes(data=True) if data["ghost"])
    return GraphSummary(measures, structure.communities, wanted)


# --- exports -------------------------------------------------------------------------------


def _edge_counts(data: dict) -> dict[str, int]:
    mentions = data.get("mentions", [])
    embeds = sum(1 for m in mentions if m.embed)
    return {"count": len(mentions), "links": len(mentions) - embeds, "embeds": embeds}


def _plain_graph(graph: nx.DiGraph, summary: GraphSummary) -> nx.DiGraph:
    """A copy whose attributes are str/int/float/bool only, as GraphML and GEXF want."""
    plain = nx.DiGraph()
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        m = summary.measures.get(node)
        attrs = {"title": str(data.get("title", "")), "ghost": bool(data.get("ghost")),
                 "folder": str(data.get("folder", "")),
                 "tags": ", ".join(m.tags) if m else "", "words": m.words if m else 0,
                 "links_in": m.links_in if m else graph.in_degree(node),
                 "links_out": m.links_out if m else 0,
                 "pagerank": float(m.pagerank) if m else 0.0,
                 "community": m.community if m else -1,
                 "orphan": m.orphan if m else False, "dead_end": m.dead_end if m else False,
                 "read_before": " | ".join(m.read_before) if m else ""}
        plain.add_node(node, label=attrs["title"], **attrs)
    for source, target in sorted(graph.edges):
        plain.add_edge(source, target, **_edge_counts(graph.edges[source, target]))
    return plain


def to_json(graph: nx.DiGraph, summary: GraphSummary) -> dict:
    nodes = []
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        m = summary.measures.get(node)
        if m is not None:
            nodes.append({"id": node, "ghost": False, "title": m.title, "folder": m.folder,
                          "tags": list(m.tags), "words": m.words, "links_in": m.links_in,
                          "links_out": m.links_out, "pagerank": m.pagerank,
                          "community": m.community, "orphan": m.orphan, "dead_end": m.dead_end,
                          "read_before": list(m.read_before)})
        else:
            nodes.append({"id": node, "ghost": True, "title": data.get("title", ""),
                          "wanted_by": sorted(graph.predecessors(node))})
    edges = [{"source": s, "target": t, **_edge_counts(graph.edges[s, t])}
             for s, t in sorted(graph.edges)]
    return {"nodes": nodes, "edges": edges, "communities": summary.communities,
            "ghosts": [{"target": t, "wanted_by": w} for t, w in summary.ghosts]}


# NanumGothic (koreanize-matplotlib's, installed with kb) draws Hangul titles; DejaVu Sans
# the signs it lacks. The same pair as the figures of the snippets.
LABEL_FONT = ["NanumGothic", "DejaVu Sans"]
LABEL_POINTS = 9
LABEL_PAD = 0.2  # the label's background box around its text, in units of its font size
# The most central notes whose labels are tried: measuring a title costs milliseconds, and a
# drawing has room for a few hundred labels (about 650 of 6,600 notes fit on obsidian-hub).
LABELS_TRIED = 2000


def drawing(graph: nx.DiGraph, summary: GraphSummary) -> Figure:
    """The concept graph drawn with matplotlib at the site's layout: nodes sized by PageRank
    and coloured by community, ghosts as dashed rings, and as many labels as fit without
    overlapping, most central first (`compiler.label_placement`)."""
    import warnings

    with warnings.catch_warnings():  # it uses distutils' LooseVersion
        warnings.simplefilter("ignore", DeprecationWarning)
        import koreanize_matplotlib  # noqa: F401  (registers NanumGothic)
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    undirected = nx.Graph()
    undirected.add_nodes_from(sorted(graph.nodes))
    undirected.add_edges_from(sorted({tuple(sorted(e)) for e in graph.edges if e[0] != e[1]}))
    count = max(undirected.number_of_nodes(), 1)
    pos = layout(graph)  # the site's own layout: the drawing matches the graph page

    palette = matplotlib.colormaps["tab10"].colors
    measures = summary.measures
    top = max((m.pagerank for m in measures.values()), default=1.0) or 1.0
    side = min(24.0, 8.0 + count ** 0.5 / 2)

    def area(node: str) -> float:  # a marker's area, in points²
        return 40 + 1600 * measures[node].pagerank / top

    fig = Figure(figsize=(side, side), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.96))
    ax.set_axis_off()
    segments = [(pos[a], pos[b]) for a, b in sorted(undirected.edges)]
    if segments:
        ax.add_collection(LineCollection(segments, colors="#9aa0a6", linewidths=0.6,
                                         alpha=0.6, zorder=1))
    real = sorted(measures)
    ghosts = sorted(n for n in graph.nodes if n not in measures)
    if real:
        ax.scatter([pos[n][0] for n in real], [pos[n][1] for n in real],
                   s=[area(n) for n in real],
                   c=[palette[measures[n].community % len(palette)]
                      if measures[n].community < len(palette) else "#bdbdbd" for n in real],
                   edgecolors="white", linewidths=0.8, zorder=2)
    if ghosts:
        ax.scatter([pos[n][0] for n in ghosts], [pos[n][1] for n in ghosts], s=30,
                   facecolors="none", edgecolors="#9e9e9e", linestyles="dashed", zorder=2)
    if pos:
        xs, ys = [x for x, _ in pos.values()], [y for _, y in pos.values()]
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
        ax.set_xlim(min(xs) - 0.08 * span, max(xs) + 0.08 * span)
        ax.set_ylim(min(ys) - 0.08 * span, max(ys) + 0.08 * span)
    central = sorted(real, key=lambda n: (-measures[n].pagerank, n))[:LABELS_TRIED]
    _place_labels(fig, ax, [(n, measures[n].title, area(n)) for n in central],
                  pos, FontProperties(family=LABEL_FONT, size=LABEL_POINTS))
    return fig



# Hangul and Latin letters with ascenders and descenders: the height of a line of any title
# (a measure, never shown).
LINE_PROBE = "힣가Äjlpg"


def _place_labels(fig: Figure, ax: Axes, nodes: list[tuple[str, str, float]],
                  pos: dict[str, tuple[float, float]], font: FontProperties) -> None:
    """Label `nodes` (id, title, marker area; most central first) where the labels fit, in
    display pixels. A title's width is the renderer's (cached per font); its height is that
    of a line as matplotlib lays one out, measured once on a line of Hangul and Latin letters
    with ascenders and descenders, which every single-line title fits in."""
    renderer = fig.canvas.get_renderer()
    to_display, to_data = ax.transData, ax.transData.inverted()
    pixels_per_point = fig.dpi / 72
    pad = LABEL_PAD * LABEL_POINTS * pixels_per_point
    line = ax.text(0, 0, LINE_PROBE, fontproperties=font, parse_math=False)
    height = line.get_window_extent(renderer).height
    line.remove()
    titles: dict[str, str] = {}
    wanted: list[Label] = []
    for node, title, area in nodes:
        title = " ".join(title.split())  # one line
        width, _, _ = renderer.get_text_width_height_descent(title, font, ismath=False)
        x, y = to_display.transform(pos[node])
        titles[node] = title
        wanted.append(Label(node, float(x), float(y), area ** 0.5 / 2 * pixels_per_point,
                            width + 2 * pad, height + 2 * pad))
    frame = ax.bbox
    for placed in place_labels(wanted, Box(frame.x0, frame.y0, frame.x1, frame.y1)):
        box = placed.box
        x, y = to_data.transform(((box.left + box.right) / 2, (box.low + box.high) / 2))
        ax.text(x, y, titles[placed.key], fontproperties=font, ha="center", va="center",
                zorder=3, gid=f"label-{placed.key}", parse_math=False,
                bbox={"boxstyle": f"square,pad={LABEL_PAD}", "fc": "white", "ec": "none",
                      "alpha": 0.75})


def _draw(graph: nx.DiGraph, summary: GraphSummary, fmt: str, out: Path) -> None:
    import warnings

    import matplotlib

    # A title's emoji is drawn as an empty box: one warning per glyph and per title would
    # bury the summary printed above.
    with warnings.catch_warnings(), \
            matplotlib.rc_context({"svg.hashsalt": "kb-graph", "svg.fonttype": "path"}):
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig = drawing(graph, summary)
        metadata = {"Date": None} if fmt == "svg" else None
        fig.savefig(out, format=fmt, metadata=metadata)


def export(graph: nx.DiGraph, summary: GraphSummary, fmt: str, out: Path) -> None:
    out = Path(out)
    if fmt not in FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "json":
        out.write_text(json.dumps(to_json(graph, summary), ensure_ascii=False, indent=1) + "\n",
                       encoding="utf-8")
    elif fmt == "graphml":
        nx.write_graphml(_plain_graph(graph, summary), out, encoding="utf-8")
    elif fmt == "gexf":
        nx.write_gexf(_plain_graph(graph, summary), out, encoding="utf-8")
    else:
        _draw(graph, summary, fmt, out)
