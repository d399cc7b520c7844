"""The vault's tags: one index over every note's tags, and the generated tags page.

Tags group case-insensitively, as in Obsidian (`#ML` and `#ml` are one tag), and show as
first written (notes in path order, then in the note's order). `#a/b` nests `b` under `a`:
the tree holds `a` even when no note is tagged `#a` alone, and a tag's count is the number of
notes tagged with it or with a tag below it, as Obsidian's tag pane counts.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from . import messages
from .markup import front_matter, literal, title_heading, url
from .parse import RESERVED_ANCHORS, Note

TAGS_PAGE = "tags.md"


@dataclass
class TagNode:
    key: str  # case-folded full name: "공부/딥러닝"
    name: str  # as first written: "공부/딥러닝"
    notes: list[str] = field(default_factory=list)  # tagged with exactly this tag, sorted
    children: list[TagNode] = field(default_factory=list)  # sorted by key
    total: int = 0  # notes tagged with it or below it

    @property
    def depth(self) -> int:
        return self.key.count("/")


def tag_anchor(key: str) -> str:
    """The id of a tag's section on the tags page: its case-folded name (`공부/딥러닝`)."""
    return f"{key}-tag" if key in RESERVED_ANCHORS else key


def tag_link(name: str, page: str, tags_page: str) -> str:
    """A tag, linking to its section of the tags page."""
    return f"[{literal('#' + name)}]({url(page, tags_page, tag_anchor(name.casefold()))}){{ .kb-tag }}"


def tag_tree(notes: dict[str, Note]) -> list[TagNode]:
    """The top-level tags, each with the tags nested below it."""
    nodes: dict[str, TagNode] = {}
    below: dict[str, set[str]] = {}
    for path in sorted(notes):
        for name in notes[path].tag_names:
            parts = name.split("/")
            for depth in range(1, len(parts) + 1):
                written = "/".join(parts[:depth])
                key = written.casefold()
                node = nodes.setdefault(key, TagNode(key, written))
                below.setdefault(key, set()).add(path)
                if depth == len(parts) and path not in node.notes:
                    node.notes.append(path)
    for key, node in nodes.items():
        node.total = len(below[key])
        parent = key.rpartition("/")[0]
        if parent:
            nodes[parent].children.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: n.key)
    return sorted((n for n in nodes.values() if "/" not in n.key), key=lambda n: n.key)


def walk(roots: list[TagNode]) -> list[TagNode]:
    """Every node, depth first, parents before their children."""
    found = []
    for root in roots:
        found.append(root)
        found += walk(root.children)
    return found


def tags_page_path(taken_addresses: set[str]) -> str:
    """`tags.md`, unless a note already has that address."""
    path, number = TAGS_PAGE, 1
    while posixpath.splitext(path)[0] in taken_addresses:
        number += 1
        path = f"tags-{number}.md"
    return path


def tags_page(roots: list[TagNode], page: str, pages: dict[str, str], notes: dict[str, Note]
              ) -> str:
    """Every tag as a section (nested tags one heading level deeper), its count, its notes."""
    nodes = walk(roots)
    tagged = len({p for node in nodes for p in node.notes})
    words = messages.current()
    lines = [front_matter(words("tags.title")), title_heading(words("tags.title")), "",
             words("tags.summary", tags=words("tags.count_tags", n=len(nodes)),
                   notes=words("count.notes", n=tagged)), ""]
    for node in nodes:
        level = min(2 + node.depth, 6)
        lines += [f"{'#' * level} {literal('#' + node.name)} {{ #{tag_anchor(node.key)} }}", ""]
        nested = words("tags.nested", n=node.total) if node.total != len(node.notes) else ""
        lines += [f'<p class="kb-tag-count">{words("count.notes", n=len(node.notes))}{nested}</p>', ""]
        lines += [f"- [{literal(notes[p].title)}]({url(page, pages[p])})" for p in node.notes]
        lines.append("")
    return "\n".join(lines)
