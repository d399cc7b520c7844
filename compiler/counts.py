"""The site's numbers, counted once, here, each with one definition, so that every page header,
backlinks section, the home page, the build report and `kb graph` show the same figures:

- a **note** is a published Markdown file of the vault;
- a **link** is a pair of distinct published notes where the first links to or embeds the
  second, however many times it does (an edge of the concept graph between two real notes; a
  link to a missing note is counted apart, as unresolved, by the diagnostics);
- a note's **backlinks** are the other notes that link to it (so its backlinks section lists
  that many notes, each with every place it links from);
- an **attachment** is a file of the vault that is not a note and that some published note
  links or embeds (the files the site carries);
- a **figure** is an image an executable block of a published note drew (a block that redraws
  a lost attachment draws a figure; the lost file is no attachment).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from .blocks import BlockResult
from .resolve import Kind, Resolved


@dataclass(frozen=True)
class SiteCounts:
    notes: int
    links: int
    attachments: int
    figures: int


def linking_notes(graph: nx.DiGraph, path: str) -> list[str]:
    """The other notes that link to `path` (its backlinks), sorted."""
    return sorted(s for s in graph.predecessors(path) if s != path)


def links_between_notes(graph: nx.DiGraph) -> int:
    """Pairs of distinct real notes where the first links to the second."""
    ghost = dict(graph.nodes(data="ghost"))
    return sum(1 for a, b in graph.edges if a != b and not ghost[a] and not ghost[b])


def used_attachments(resolved: Resolved, notes: Iterable[str]) -> set[str]:
    """The vault files (not notes) the given notes link or embed."""
    return {item.path for path in notes for item in resolved.links.get(path, ())
            if item.kind is Kind.ATTACHMENT and item.path is not None}


def drawn_figures(results: Iterable[BlockResult], notes: Iterable[str]) -> int:
    """The figures the executable blocks of the given notes drew."""
    shown = set(notes)
    return sum(len(r.outcome.figures) for r in results if r.note in shown)


def count_site(resolved: Resolved, graph: nx.DiGraph, results: Iterable[BlockResult] = ()) -> SiteCounts:
    """The numbers of the published site: `resolved` and `graph` of the published notes."""
    published = [p for p, n in resolved.notes.items() if n.published]
    return SiteCounts(notes=len(published), links=links_between_notes(graph),
                      attachments=len(used_attachments(resolved, published)),
                      figures=drawn_figures(results, published))
