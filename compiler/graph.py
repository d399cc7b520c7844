"""Graph: the concept graph (networkx). Backlinks, degrees and rankings come from here only.

Notes are nodes; unresolved targets are ghost nodes, as in Obsidian's graph view. An edge
from A to B keeps every place in A that links to B (line, section, context), and is marked
`embed` when A embeds B (`![[B]]`, a section or a block of it) at least once. A note with
`publish: false` is left out, with its links: neither it nor its text shows anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .counts import linking_notes
from .normalize import nfc
from .resolve import Kind, Resolved

GHOST_PREFIX = "ghost:"


@dataclass(frozen=True, slots=True)
class Mention:
    """One place where a note links to another: what a backlink shows."""

    source: str
    line: int
    section: str  # anchor of the heading above the link in the source note
    context: tuple[str, str, str]
    embed: bool


def ghost_id(target: str) -> str:
    """One ghost per missing note, however the links spell it (`[[Foo]]`, `[x](Foo.md)`)."""
    name = nfc(target).strip().casefold()
    return GHOST_PREFIX + name.removesuffix(".md")


def build_graph(resolved: Resolved) -> nx.DiGraph:
    graph = nx.DiGraph()
    for path, note in resolved.notes.items():
        if note.published:
            graph.add_node(path, title=note.title, ghost=False, folder=path.rpartition("/")[0])
    for source, links in resolved.links.items():
        if source not in graph:
            continue
        for item in links:
            if item.kind is Kind.NOTE and item.path is not None:
                target = item.path
            elif item.kind is Kind.UNRESOLVED:
                target = ghost_id(item.link.target)
                if target not in graph:
                    graph.add_node(target, title=item.link.target.strip(), ghost=True, folder="")
            else:
                continue
            mention = Mention(source, item.link.line, item.link.section, item.link.context,
                              item.link.embed)
            if graph.has_edge(source, target):
                edge = graph.edges[source, target]
                edge["mentions"].append(mention)
                edge["embed"] = edge["embed"] or mention.embed
            else:
                graph.add_edge(source, target, mentions=[mention], embed=mention.embed)
    return graph


def embedded_in(graph: nx.DiGraph, path: str) -> list[str]:
    """The other notes that embed `path` (or a section or block of it)."""
    return sorted(s for s in graph.predecessors(path) if s != path and graph.edges[s, path]["embed"])


def backlinks(graph: nx.DiGraph, path: str) -> list[Mention]:
    """Every place in another note that links to `path`, ordered by note then line."""
    mentions = [m for source in graph.predecessors(path) if source != path
                for m in graph.edges[source, path]["mentions"]]
    return sorted(mentions, key=lambda m: (m.source, m.line))


def most_linked(graph: nx.DiGraph, limit: int) -> list[tuple[str, int]]:
    """Real notes with the most linking notes, ties by path."""
    counts = [(node, len(linking_notes(graph, node)))
              for node, ghost in graph.nodes(data="ghost") if not ghost]
    return sorted((c for c in counts if c[1]), key=lambda c: (-c[1], c[0]))[:limit]


def ghosts(graph: nx.DiGraph) -> list[tuple[str, list[str]]]:
    """Unresolved targets with the notes that want them."""
    return sorted((data["title"], sorted(graph.predecessors(node)))
                  for node, data in graph.nodes(data=True) if data["ghost"])
