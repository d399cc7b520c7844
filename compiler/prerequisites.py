"""Prerequisites: the reading order a vault declares, and nothing it does not.

A note says what to read before it with a `prerequisites:` property, a list of links:

    prerequisites: ["[[미분]]", "[[합성함수]]"]

An empty list (`prerequisites: []`) says the note builds on no other: a place to start. A
note without the property claims nothing, so it takes part in no reading order; links in
the text never make one (a note links to what it explains as often as to what it needs).

The declared prerequisites form a directed graph that must be acyclic. A cycle is reported,
naming its notes in order, and the prerequisites inside it are not used: among notes that
each need the other nothing is claimed, while the rest of the order stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import networkx as nx

from .diagnostics import Diagnostic, Severity
from .parse import Link, Note

PROPERTY = "prerequisites"


@dataclass(frozen=True)
class Declared:
    """A note's own `prerequisites:` as written: where each link stands and what it names."""
    path: str
    links: tuple[Link, ...]  # each entry that is a "[[link]]", in order
    not_links: tuple[str, ...]  # entries that are not a link


@dataclass(frozen=True)
class ReadingOrder:
    prerequisites: dict[str, tuple[str, ...]]  # declared and used (not in a cycle), in order
    before: dict[str, tuple[str, ...]]  # everything to read first, each after what it needs
    after: dict[str, tuple[str, ...]]  # the notes that declare this one, by path
    starts: tuple[str, ...]  # notes declaring an empty list, by path
    cycles: tuple[tuple[str, ...], ...]  # each cycle once, from its smallest path


def declared(note: Note) -> Declared | None:
    """The note's `prerequisites:` entries, or None when it has no such property."""
    if PROPERTY not in note.properties:
        return None
    value = note.properties[PROPERTY]
    entries = [] if value is None else value if isinstance(value, list) else [value]
    property_links = {link.raw: link for link in note.links if link.style == "property"}
    links, not_links = [], []
    for entry in entries:
        link = property_links.get(entry.strip()) if isinstance(entry, str) else None
        if link is not None and not link.embed:
            links.append(link)
        else:
            not_links.append(str(entry))
    return Declared(note.path, tuple(links), tuple(not_links))


def declared_graph(notes: dict[str, Note]) -> tuple[dict[str, tuple[str, ...]], list[Diagnostic]]:
    """Each declaring note's prerequisites that name a note of the vault (in order, each once),
    and the entries that are not links. A link to a missing note is reported where every
    link is resolved, not here."""
    from .resolve import Kind, VaultIndex  # resolve imports this stage's neighbours

    found = {path: d for path, note in notes.items() if (d := declared(note)) is not None}
    if not found:
        return {}, []
    index = VaultIndex(notes, ())
    graph: dict[str, tuple[str, ...]] = {}
    problems: list[Diagnostic] = []
    for path, declaration in found.items():
        targets: list[str] = []
        for link in declaration.links:
            kind, match = index.find(link.target, path)
            if kind is Kind.NOTE and match is not None and match.path not in targets:
                targets.append(match.path)
        graph[path] = tuple(targets)
        for entry in declaration.not_links:
            problems.append(Diagnostic(
                path, _property_line(notes[path]), 1, Severity.WARNING, "prerequisite-not-a-link",
                f"{entry!r} in the prerequisites property is not a link to a note",
                'write each prerequisite as a quoted link: "[[Note]]"'))
    return graph, problems


def _property_line(note: Note) -> int:
    for number, line in enumerate(note.source[:note.body_start].splitlines(), 1):
        if line.startswith(f"{PROPERTY}:"):
            return number
    return 1


def _cycles(graph: nx.DiGraph) -> list[tuple[str, ...]]:
    """One cycle through each group of notes that need each other (or a note that needs
    itself), starting at its smallest path, the groups by their smallest path."""
    found = []
    for group in nx.strongly_connected_components(graph):
        first = min(group)
        if len(group) == 1 and not graph.has_edge(first, first):
            continue
        inside = graph.subgraph(group)
        edges = nx.find_cycle(inside, first)
        found.append(tuple(source for source, _ in edges))
    return sorted(found)


def _rotated(cycle: tuple[str, ...]) -> tuple[str, ...]:
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def _read_first(path: str, used: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Everything to read before `path`: each prerequisite in the order it is declared, after
    its own (depth first), each note once. Chains stay together, as a reader follows them."""
    order: dict[str, None] = {}
    stack: list[tuple[str, int]] = [(path, 0)]
    while stack:
        note, next_child = stack.pop()
        needs = used.get(note, ())
        while next_child < len(needs) and needs[next_child] in order:
            next_child += 1
        if next_child < len(needs):
            stack += [(note, next_child + 1), (needs[next_child], 0)]
        elif note != path:
            order.setdefault(note)
    return tuple(order)


@lru_cache(maxsize=2)
def _order(edges: tuple[tuple[str, tuple[str, ...]], ...]) -> ReadingOrder:
    graph = nx.DiGraph()
    for path, targets in edges:
        graph.add_node(path)
        graph.add_edges_from((target, path) for target in targets)  # prerequisite -> dependent
    cycles = tuple(_rotated(tuple(reversed(c))) for c in _cycles(graph))
    group_of = {}
    for number, group in enumerate(nx.strongly_connected_components(graph)):
        for member in group:
            group_of[member] = number
    used = {path: tuple(t for t in targets if group_of[t] != group_of[path])
            for path, targets in edges}
    acyclic = nx.DiGraph()
    acyclic.add_nodes_from(graph.nodes)
    acyclic.add_edges_from((t, p) for p, targets in used.items() for t in targets)
    before = {path: _read_first(path, used) for path in used}
    after = {path: tuple(sorted(acyclic.successors(path))) for path in acyclic.nodes}
    starts = tuple(sorted(path for path, targets in edges if not targets))
    return ReadingOrder(used, before, after, starts, cycles)


def reading_order(notes: dict[str, Note]) -> ReadingOrder:
    """The vault's declared reading order. Depends on the notes' `prerequisites` only."""
    graph, _ = declared_graph(notes)
    return _order(tuple(sorted(graph.items())))


def check(notes: dict[str, Note]) -> list[Diagnostic]:
    """Entries that are not links, and each cycle, reported on the first note of the cycle."""
    graph, problems = declared_graph(notes)
    for cycle in _order(tuple(sorted(graph.items()))).cycles:
        shown = " → ".join(notes[p].title for p in (*cycle, cycle[0]))
        problems.append(Diagnostic(
            cycle[0], _property_line(notes[cycle[0]]), 1, Severity.WARNING, "prerequisite-cycle",
            f"the prerequisites form a cycle: {shown}",
            "remove one of these prerequisites; none of them is used while the cycle stands"))
    return problems

