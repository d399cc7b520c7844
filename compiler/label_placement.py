"""Label placement for a drawing of the concept graph: no label over another.

The static export (`kb graph --format png/svg`) places its labels here; the graph page's
script (`assets/graph.js`, `drawLabels`) does the same on every frame, in the browser. Labels
are taken in order of importance (the caller's order: most central first); each goes to the
right of its node, else its left, above or below, wherever it overlaps no label placed before
nor a node already labelled, and stays inside the drawing. A label with no such place is left
out: a legible subset rather than a pile.

Coordinates are a drawing's own (pixels, y pointing either way): only their order matters.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

SIDES = ("right", "left", "above", "below")
CELL = 64.0  # the side of the grid cells the placed labels are indexed by


@dataclass(frozen=True)
class Box:
    left: float
    low: float  # the smaller y
    right: float
    high: float  # the larger y

    def overlaps(self, other: Box) -> bool:
        """Whether the two share some area (touching edges do not count)."""
        return (self.left < other.right and other.left < self.right
                and self.low < other.high and other.low < self.high)

    def inside(self, other: Box) -> bool:
        return (other.left <= self.left and self.right <= other.right
                and other.low <= self.low and self.high <= other.high)


@dataclass(frozen=True)
class Label:
    key: str
    x: float  # the node's centre
    y: float
    radius: float  # the node's radius: the label keeps clear of its own node
    width: float  # the text's size, padding included
    height: float


@dataclass(frozen=True)
class Placement:
    key: str
    side: str
    box: Box


def candidate_boxes(label: Label, gap: float = 3.0) -> list[tuple[str, Box]]:
    """Where the label may go, in the order tried: beside the node (right, left), then
    centred above or below it."""
    x, y, w, h = label.x, label.y, label.width, label.height
    away = label.radius + gap
    return [("right", Box(x + away, y - h / 2, x + away + w, y + h / 2)),
            ("left", Box(x - away - w, y - h / 2, x - away, y + h / 2)),
            ("above", Box(x - w / 2, y + away, x + w / 2, y + away + h)),
            ("below", Box(x - w / 2, y - away - h, x + w / 2, y - away))]


class _Grid:
    """The boxes placed so far, by the grid cells they cover: a new box is compared with its
    neighbours only, so that placing thousands of labels stays linear."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[Box]] = {}

    def _cells(self, box: Box) -> Iterator[tuple[int, int]]:
        for cx in range(math.floor(box.left / CELL), math.floor(box.right / CELL) + 1):
            for cy in range(math.floor(box.low / CELL), math.floor(box.high / CELL) + 1):
                yield cx, cy

    def free(self, box: Box) -> bool:
        return not any(box.overlaps(other) for cell in self._cells(box)
                       for other in self.cells.get(cell, ()))

    def add(self, box: Box) -> None:
        for cell in self._cells(box):
            self.cells.setdefault(cell, []).append(box)


def place_labels(labels: Iterable[Label], bounds: Box | None = None,
                 gap: float = 3.0) -> list[Placement]:
    """The labels that fit, in the order given (most important first), each at the first of
    its candidate places that lies within `bounds` and overlaps no label placed before nor
    the node of one."""
    grid = _Grid()
    placed: list[Placement] = []
    for label in labels:
        for side, box in candidate_boxes(label, gap):
            if (bounds is None or box.inside(bounds)) and grid.free(box):
                grid.add(box)
                # A labelled node stays in sight: no later label covers it.
                grid.add(Box(label.x - label.radius, label.y - label.radius,
                             label.x + label.radius, label.y + label.radius))
                placed.append(Placement(label.key, side, box))
                break
    return placed
