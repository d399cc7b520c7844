"""Layout: where each node of the concept graph sits, computed once per build.

igraph's Fruchterman-Reingold (C, with its grid approximation past 1,000 nodes: 0.5 s for
6,500 nodes where networkx's needs SciPy and a minute) lays out each connected component;
the components are then packed in rings around the largest, biggest first, so that orphans
and small islands sit around the main graph instead of flying off (force layouts have no
gravity between components).

Deterministic: nodes and edges are sorted before anything else, and every random draw comes
from a generator seeded with a constant, so the same graph gives the same coordinates on
every build, whatever order the vault was read in. Being a function of the nodes and links
alone, the last layouts are kept and reused while those stay the same (a prose edit).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from functools import lru_cache

import igraph
import networkx as nx

SEED = 0
ITERATIONS = 500
GAP = 2.0  # space between packed components, in units of the typical distance of two nodes

Point = tuple[float, float]


def _component_layout(graph: igraph.Graph) -> list[Point]:
    """One connected component, centred on the origin, scaled so that its radius grows with
    the square root of its size (the same density for every component)."""
    count = graph.vcount()
    if count == 1:
        return [(0.0, 0.0)]
    # igraph's own start (random, from `rng`, spread so that its grid stays sparse).
    coords = graph.layout_fruchterman_reingold(niter=ITERATIONS, grid="auto").coords
    cx = sum(x for x, _ in coords) / count
    cy = sum(y for _, y in coords) / count
    radius = max(math.hypot(x - cx, y - cy) for x, y in coords) or 1.0
    scale = math.sqrt(count) / radius
    return [((x - cx) * scale, (y - cy) * scale) for x, y in coords]


def _pack(radii: Sequence[float]) -> list[Point]:
    """Centres for circles of the given radii (largest first): the first at the origin, the
    others side by side along rings around it, each ring outside the last."""
    if not radii:
        return []
    centres = [(0.0, 0.0)]
    ring_inner = radii[0] + GAP  # inner edge of the ring being filled
    ring_width = 0.0
    angle = 0.0  # arc of the ring used so far, in radians
    for radius in radii[1:]:
        middle = ring_inner + radius
        step = 2.0 * math.asin(min(1.0, (radius + GAP / 2) / middle))
        if angle + step > 2.0 * math.pi - 1e-9 and angle > 0.0:  # ring full: start the next
            ring_inner += ring_width + GAP
            ring_width, angle = 0.0, 0.0
            middle = ring_inner + radius
            step = 2.0 * math.asin(min(1.0, (radius + GAP / 2) / middle))
        centre_angle = angle + step / 2
        centres.append((middle * math.cos(centre_angle), middle * math.sin(centre_angle)))
        angle += step
        ring_width = max(ring_width, 2.0 * radius)
    return centres


def layout_edges(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> dict[str, Point]:
    """Positions for `nodes` (any order) linked by `edges` (directions and repeats ignored).
    The answer is shared with the other calls for the same graph: read only."""
    ordered = tuple(sorted(nodes))
    index = {node: number for number, node in enumerate(ordered)}
    pairs = tuple(sorted({(min(a, b), max(a, b))
                          for a, b in ((index[s], index[t]) for s, t in edges) if a != b}))
    return _layout(ordered, pairs)


@lru_cache(maxsize=2)  # the last two: an edit and its undo
def _layout(ordered: tuple[str, ...], pairs: tuple[tuple[int, int], ...]) -> dict[str, Point]:
    whole = igraph.Graph(n=len(ordered), edges=pairs)
    components = sorted((sorted(c) for c in whole.connected_components()),
                        key=lambda members: (-len(members), members[0]))
    igraph.set_random_number_generator(random.Random(SEED))  # every draw of igraph's
    try:
        shapes = [_component_layout(whole.induced_subgraph(members, "create_from_scratch"))
                  for members in components]
    finally:
        igraph.set_random_number_generator(random)  # igraph's default
    radii = [max((math.hypot(x, y) for x, y in shape), default=0.0) + 0.5 for shape in shapes]
    positions: dict[str, Point] = {}
    for members, shape, (cx, cy) in zip(components, shapes, _pack(radii), strict=True):
        for member, (x, y) in zip(members, shape, strict=True):
            positions[ordered[member]] = (cx + x, cy + y)
    return positions


def layout(graph: nx.Graph) -> dict[str, Point]:
    """Positions for every node of the concept graph (ghosts included)."""
    return layout_edges(list(graph.nodes), graph.edges)
