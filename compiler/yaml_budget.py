"""A note's properties loaded as YAML within budgets, so that no front matter stops a build.

PyYAML's safe loader builds nested collections recursively (about 400 levels end in a
RecursionError) and shares a node each time an alias names it: 372 bytes of "billion laughs"
stand for a billion values, which every later walk over the properties then visits. Beyond
`MAX_DEPTH` levels of nesting, `MAX_VALUES` values with every alias expanded, or a collection
that holds itself, loading fails with a YAMLError like any other invalid YAML: the note is
published without its properties and an `invalid-front-matter` diagnostic says why.
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_DEPTH = 64  # Obsidian's properties are flat; a few levels are more than enough
MAX_VALUES = 100_000  # values (with aliases expanded) in one note's properties


class BudgetExceeded(yaml.MarkedYAMLError):
    pass


class BudgetLoader(yaml.SafeLoader):
    """yaml.SafeLoader with a nesting limit while composing and an expanded-size limit
    before constructing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise BudgetExceeded(problem=f"the properties nest deeper than {MAX_DEPTH} levels",
                                     problem_mark=self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_document(self, node: Node) -> object:
        _check_expanded_size(node)
        return super().construct_document(node)


def _check_expanded_size(root: Node) -> None:
    """Counts the values a node stands for with every alias expanded, each shared node once
    (memoised) so that the count itself stays linear in the text."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    # Iterative post-order walk: a deep document must not exhaust Python's stack here either.
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            sizes[key] = 1
            continue
        if children_done:
            in_progress.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[key] > MAX_VALUES:
                raise BudgetExceeded(
                    problem=f"the properties stand for more than {MAX_VALUES:,} values once "
                            "their aliases are expanded", problem_mark=node.start_mark)
            continue
        if key in in_progress:
            raise BudgetExceeded(problem="a property holds itself (a recursive alias)",
                                 problem_mark=node.start_mark)
        in_progress.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in in_progress:
                raise BudgetExceeded(problem="a property holds itself (a recursive alias)",
                                     problem_mark=child.start_mark)
            if id(child) not in sizes:
                stack.append((child, False))


def load_properties(text: str) -> object:
    """The front matter's YAML, as yaml.safe_load reads it, within the budgets above.
    Raises yaml.YAMLError."""
    return yaml.load(text, Loader=BudgetLoader)
