"""Analysis: the measures of the concept graph, and its exports.

Every number here comes from the one graph that `compiler.graph.build_graph` makes:

- links in / out count distinct notes (a note linking to itself counts for neither); a ghost
  target counts as a link out, so a note whose only links are unresolved is not an orphan.
- PageRank runs on the notes only: ghost nodes and self-links are left out, so the PageRank of
  the notes sums to 1 and a missing note cannot soak up rank that belongs to written ones.
- Communities are grouped around centres on the undirected note graph (no ghosts,
  unweighted: one link or ten between two notes tie them equally), each connected component
  on its own (`communities`): its notes of highest PageRank are its centres (about half the
  square root of its size, cut where PageRank drops most: `centre_count`), each note joins
  the centre whose walk (a personalised PageRank restarting at the centre) visits it most,
  then twice takes the community most of its neighbours are in. Unlike Louvain's, which
  regroups most notes of a vault after one link edit anywhere, the answer is a pure function
  of the links that a link edit changes near it only: a walk from a centre far away barely
  feels it, and a component without the edit not at all. No seed, no history: the same
  notes and links give the same communities, whatever order the vault was read in.
  Communities are numbered from 0 by size, largest first, ties by their smallest member path.
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
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import igraph as ig
import networkx as nx
import numpy as np

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
# Communities: the walk that finds a centre's notes goes on from note to note with this
# probability (PageRank's), and each note then takes its neighbours' community this many times.
DAMPING = 0.85
SMOOTHING_ROUNDS = 2
SEPARATE = 0.4
WALK_BATCH = 32  # walks computed at once: memory is notes × this
WALK_STEPS, WALK_TOLERANCE = 300, 1e-12
CANDIDATES = 4  # times the centres wanted: how far down the PageRank order centres are looked for
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
    centres: list[str]  # each community's centre, its member of highest PageRank
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


def wanted_centres(notes: int) -> int:
    """About how many centres a component of `notes` notes has: half the square root, rounded
    up (4 of 50 notes, 16 of 1,000, 41 of 6,600: about as many communities as Louvain finds
    there)."""
    return math.ceil(math.sqrt(notes) / 2)


def centre_count(ranked: list[float], wanted: int) -> int:
    """How many of the candidates ranked by PageRank (`ranked`, highest first) are centres:
    from 0.7 to 1.4 times `wanted`, cut where PageRank drops the most from one candidate to
    the next. A cut between two notes of nearly the same PageRank would move whenever a link
    far away nudged either, and regroup both their communities; at the widest drop it stays
    put. (From 1 to 2 times, the cut came to cross the giant communities of obsidian-hub:
    modularity 0.17 instead of 0.35.)"""
    low = math.ceil(0.7 * wanted)
    high = min(math.ceil(1.4 * wanted), len(ranked) - 1)
    if high <= low:
        return min(low, len(ranked))
    return max(range(low, high + 1), key=lambda k: (ranked[k - 1] / ranked[k], -k))


def _component_communities(members: list[str], links: list[tuple[str, str]]
                           ) -> list[tuple[str, list[str]]]:
    """The communities of one connected component (`members` sorted, `links` among them,
    sorted): (centre, members) pairs. Computed from the component alone, so that nothing
    outside it changes its answer, to the last bit."""
    local = {path: number for number, path in enumerate(members)}
    arcs = [(local[a], local[b]) for a, b in links]
    directed = ig.Graph(n=len(members), edges=arcs, directed=True)
    # Notes of the same PageRank (drawn in the same place of a symmetric graph), to the
    # precision a solver can promise, are ordered by path, not by its last bits.
    rank = [round(r * len(members), 9) for r in directed.pagerank(damping=DAMPING)]
    order = sorted(range(len(members)), key=lambda v: (-rank[v], members[v]))
    position = {v: place for place, v in enumerate(order)}
    pairs = sorted({(min(a, b), max(a, b)) for a, b in arcs})
    neighbours: list[list[int]] = [[] for _ in members]
    for a, b in pairs:
        neighbours[a].append(b)
        neighbours[b].append(a)
    walker = _Walker(neighbours)
    wanted = wanted_centres(len(members))
    # Candidates in order of PageRank. One sits among the notes of a centre above it, and is
    # no centre of its own, when that centre's walk visits it at least SEPARATE times as much
    # as its own walk does (two notes of one dense group), or its own walk spends more time
    # at that centre than at itself (a note hanging off a hub). Walks are taken a batch at a
    # time and kept only at the candidates, which is all the choice needs, then taken again
    # from the centres chosen.
    candidates = order[:CANDIDATES * wanted]
    chosen: list[int] = []
    seen: list[np.ndarray] = []  # the chosen ones' walks at the candidates
    chosen_places: list[int] = []  # where the chosen ones are among the candidates
    for first in range(0, len(candidates), WALK_BATCH):
        batch = candidates[first:first + WALK_BATCH]
        at_candidates = walker.walks(batch)[candidates]
        for column, candidate in enumerate(batch):
            own = at_candidates[:, column]
            place = first + column
            if all(theirs[place] < SEPARATE * own[place] and own[at] < own[place]
                   for theirs, at in zip(seen, chosen_places, strict=True)):
                chosen_places.append(place)
                chosen.append(candidate)
                seen.append(own)
        if len(chosen) > 1.4 * wanted + 1:
            break
    centres = chosen[:centre_count([rank[c] for c in chosen], wanted)]
    label, reach = [centres[0]] * len(members), np.full(len(members), -1.0)
    for first in range(0, len(centres), WALK_BATCH):  # an exact tie stays with the higher centre
        batch = centres[first:first + WALK_BATCH]
        walks = walker.walks(batch)
        best = walks.argmax(axis=1)  # the first of equals: the higher centre
        better = walks[np.arange(len(members)), best] > reach
        for v in np.flatnonzero(better).tolist():
            reach[v], label[v] = walks[v, best[v]], batch[best[v]]
    for centre in centres:  # a centre is in its own community, whatever the walks say
        label[centre] = centre
    fixed = set(centres)
    for _ in range(SMOOTHING_ROUNDS):
        label = [label[v] if v in fixed else _most_common_around(v, neighbours[v], label, position)
                 for v in range(len(members))]
    grouped: dict[int, list[str]] = {centre: [] for centre in centres}
    for v, centre in enumerate(label):
        grouped[centre].append(members[v])  # members are sorted: so is each community
    return [(members[centre], found) for centre, found in grouped.items() if found]


class _Walker:
    """Personalised PageRank on the undirected links of a component: from a note, the walk
    goes on to a neighbour with probability DAMPING and starts again from the note
    otherwise; how much time it spends at each note. Several walks at once, by power
    iteration in NumPy (igraph's PRPACK, one walk per call, took several times longer)."""

    def __init__(self, neighbours: list[list[int]]) -> None:
        self.count = len(neighbours)
        self.source = np.array([n for around in neighbours for n in around], dtype=np.int64)
        sizes = np.array([len(around) for around in neighbours], dtype=np.int64)
        self.has = sizes > 0
        self.starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))[self.has]
        self.share = 1.0 / np.maximum(sizes, 1)

    def walks(self, starts: list[int]) -> np.ndarray:
        """One column per start: the share of its walk's time at each note."""
        restart = np.zeros((self.count, len(starts)))
        restart[starts, np.arange(len(starts))] = 1.0 - DAMPING
        here = restart / (1.0 - DAMPING)
        for _ in range(WALK_STEPS):
            flow = here * self.share[:, None]
            step = np.zeros_like(here)
            step[self.has] = np.add.reduceat(flow[self.source], self.starts, axis=0)
            here, before = DAMPING * step + restart, here
            if np.abs(here - before).max() < WALK_TOLERANCE:
                break
        return here


def _most_common_around(v: int, around: list[int], label: list[int],
                        position: dict[int, int]) -> int:
    """The community most of a note's neighbours are in, the note itself counting half (it
    stays where it is on a tie with one other), other ties to the higher centre."""
    votes = {label[v]: 0.5}
    for n in around:
        votes[label[n]] = votes.get(label[n], 0.0) + 1.0
    return min(votes, key=lambda c: (-votes[c], position[c]))


def communities(nodes: tuple[str, ...], edges: tuple[tuple[str, str], ...]
                ) -> list[tuple[str, list[str]]]:
    """The communities of the notes `nodes` (sorted) linked by `edges` (sorted, no
    self-links, no ghosts): (centre, members) pairs, largest first, ties by their first
    member. Each connected component on its own: a note without links is a community of
    one; a component's centres are its notes of highest PageRank (`centre_count`), but for
    those a higher centre already holds; each note
    joins the centre whose walk (a personalised PageRank on the undirected links: restarting
    at the centre, it lingers among densely linked notes around it) visits it most, then,
    twice, the community most of its neighbours are in."""
    tied = nx.Graph()
    tied.add_nodes_from(nodes)
    tied.add_edges_from(edges)
    parts = sorted(sorted(part) for part in nx.connected_components(tied))
    head = {path: members[0] for members in parts for path in members}
    links: dict[str, list[tuple[str, str]]] = {members[0]: [] for members in parts}
    for a, b in edges:  # sorted: so are each component's
        links[head[a]].append((a, b))
    found: list[tuple[str, list[str]]] = []
    for members in parts:
        if len(members) == 1:
            found.append((members[0], members))
        else:
            found.extend(_component_communities(members, links[members[0]]))
    return sorted(found, key=lambda c: (-len(c[1]), c[1][0]))


@lru_cache(maxsize=2)  # the last two: an edit and its undo
def link_structure(nodes: tuple[str, ...], edges: tuple[tuple[str, str], ...]) -> LinkStructure:
    """PageRank, communities and ranks of the notes `nodes` (sorted) linked by
    `edges` (sorted pairs of notes, no self-links, no ghosts). Kept for the same arguments."""
    linked = nx.DiGraph()
    linked.add_nodes_from(nodes)
    linked.add_edges_from(edges)
    rank = pagerank(linked)
    ordered = sorted(nodes, key=lambda n: (-rank[n], n))
    grouped = communities(nodes, edges)
    community_of = {path: number for number, (_, members) in enumerate(grouped)
                    for path in members}
    return LinkStructure(rank, [members for _, members in grouped],
                         [centre for centre, _ in grouped], community_of,
                         {path: number for number, path in enumerate(ordered, 1)})


def analyse(graph: nx.DiGraph, notes: dict[str, Note]) -> GraphSummary:
    nodes, links = note_links(graph)
    structure = link_structure(nodes, links)
    order = reading_order({path: note for path, note in notes.items() if path in graph})
    rank = structure.pagerank
    centres = structure.centres
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
