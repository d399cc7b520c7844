"""The staged page, written by walking markdown-it's syntax tree: one writer per node type.

`registry` says which writers a node type has, in order: the first that returns text wins
(a callout's writer declines a plain quote, which the core writer then writes). Nothing is
located in the source or spliced into it: every piece of the page is written from a node.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from ..parse import BlockId, CodeBlock, Heading, Note, parse_tokens
from ..resolve import Resolved, ResolvedLink
from ..syntax import WIKILINK, with_footnotes
from . import dialect

if TYPE_CHECKING:
    from ..queries import Queries

_LINK_TYPES = frozenset({WIKILINK, "link_open", "image"})


def is_link_token(token: Token) -> bool:
    """A token that `parse` makes a Link of (and `resolve` a ResolvedLink), in this order."""
    return token.type in _LINK_TYPES and bool(token.meta and token.meta.get("span"))


def link_tokens(tokens: list[Token]) -> Iterator[Token]:
    """The link tokens of a note in the order `parse` meets them: block by block, an inline
    footnote's links right after its reference."""
    for token in tokens:
        if token.type == "inline" and token.map is not None:
            yield from (c for c in with_footnotes(token.children or []) if is_link_token(c))


@dataclass(frozen=True)
class Tree:
    """A note's syntax tree and what its writers look up in it."""

    root: SyntaxTreeNode
    links: dict[int, ResolvedLink]  # id of a link token -> its resolved link
    footnotes: dict[int, SyntaxTreeNode]  # footnote id -> its `footnote` node
    headings: dict[int, Heading]  # 0-based line -> heading
    blocks: dict[int, CodeBlock]  # 0-based line of the opening fence -> executable block
    id_lines: frozenset[int]  # 0-based lines that end with a block id marker
    anchor_lines: dict[int, BlockId]  # 0-based first line of a named block -> its first id


def make_tree(note: Note, links: tuple[ResolvedLink, ...]) -> Tree:
    # The tokens parse kept (a note made some other way has none: parsed here).
    tokens = list(note.tokens) if note.tokens or not note.source else parse_tokens(note.source)
    body = [item for item in links if item.link.style != "property"]
    by_token = {id(token): item for token, item in zip(link_tokens(tokens), body, strict=False)}
    root = SyntaxTreeNode(tokens)
    footnotes = {}
    for node in root.children:
        if node.type == "footnote_block":
            footnotes = {child.meta["id"]: child for child in node.children}
    anchors: dict[int, BlockId] = {}
    for block_id in note.block_ids:
        anchors.setdefault(block_id.lines[0], block_id)
    return Tree(root, by_token, footnotes, {h.line - 1: h for h in note.headings},
                {b.line - 1: b for b in note.blocks},
                frozenset(b.line - 1 for b in note.block_ids), anchors)


@dataclass
class Page:
    """The page a note, and the fragments of other notes it embeds, are drawn onto."""

    page: str  # staged path: every URL is relative to it
    pages: dict[str, str]
    results: dict | None  # executed blocks: (note, index) -> BlockResult
    resolved: Resolved | None  # every note and its links, for embeds (None: embeds are links)
    anchors: set[str]  # ids on the page: a heading of an embedded fragment takes a free one
    embeds_left: int  # embeds this page may still draw
    tags_page: str | None = None  # where tags link to (None: tags stay text)
    trees: dict[str, Tree] = field(default_factory=dict)  # shared by the pages of a site
    raw_html: str = "sanitize"  # what the note's own HTML may do (kb.raw_html; see sanitize)
    queries: Queries | None = None  # evaluated bases and Dataview queries (compiler.queries)
    # Definitions of footnotes written as `[^kb-inline-N]` (inline ones, and those of
    # embedded fragments): one numbering for the page; they close it.
    footnotes: list[str] = field(default_factory=list)

    def tree(self, path: str) -> Tree:
        if path not in self.trees:
            assert self.resolved is not None
            self.trees[path] = make_tree(self.resolved.notes[path], self.resolved.links[path])
        return self.trees[path]


class Writer:
    """Writes one note, or a fragment of it, onto a page."""

    def __init__(self, page: Page, note: Note, tree: Tree, chain: tuple = (),
                 nested: bool = False):
        from .registry import writers

        self.page, self.note, self.tree = page, note, tree
        self.chain = chain  # embeds.Shown spans, outermost first, this one last
        self.nested = nested  # a fragment embedded in another note's page
        self.depth = 0  # quotes, list items and boxes around the node being written
        self.anchored: set[str] = set()
        self.block_writers, self.inline_writers, self.leads, self.trims, self.breakers = writers()

    # -- blocks --
    def block(self, node: SyntaxTreeNode) -> str:
        for write in self.block_writers.get(node.type, ()):
            written = write(node, self)
            if written is not None:
                return written
        return self.blocks(node.children)  # a container no writer knows: its content

    def blocks(self, nodes: list[SyntaxTreeNode], tight: bool = False) -> str:
        return dialect.joined([self.block(n) for n in nodes], tight)

    def inside(self) -> _Inside:
        """`with writer.inside():` around the content of a quote, item or box."""
        return _Inside(self)

    # -- inline --
    def inline(self, node: SyntaxTreeNode) -> str:
        """An `inline` node: what leads it (a task marker, a block anchor), then its text."""
        lead = "".join(lead(node, self) for lead in self.leads)
        return lead + self.spans(node.children)

    def breaks(self, node: SyntaxTreeNode) -> bool:
        """The span is a block of its own and splits its paragraph."""
        return any(breaks(node, self) for breaks in self.breakers)

    def spans(self, nodes: list[SyntaxTreeNode]) -> str:
        return "".join(self.span(n) for n in nodes)

    def span(self, node: SyntaxTreeNode) -> str:
        for write in self.inline_writers.get(node.type, ()):
            written = write(node, self)
            if written is not None:
                return written
        return self.spans(node.children) if node.children else dialect.text(node.content)

    def span_text(self, node: SyntaxTreeNode, content: str) -> str:
        """A text node's content (or part of it) as the page shows it: what forms trim
        from it (a task's marker, a block id) left out, the rest literal."""
        return dialect.text(self.trimmed(node, content))

    def trimmed(self, node: SyntaxTreeNode, content: str) -> str:
        """A text node's content without what forms trim from it."""
        for trim in self.trims:
            content = trim(node, content, self)
        return content

    def link_of(self, node: SyntaxTreeNode) -> ResolvedLink | None:
        token = node.token or (node.nester_tokens.opening if node.nester_tokens else None)
        return self.tree.links.get(id(token)) if token is not None else None

    def fragment(self, first_line: int, end_line: int) -> str:
        """The blocks standing in the lines [first_line, end_line), as an embed shows them."""
        text = self.blocks(list(select(self.tree.root.children, first_line, end_line)))
        return textwrap.dedent(text).strip("\n")


class _Inside:
    def __init__(self, writer: Writer):
        self.writer = writer

    def __enter__(self) -> Writer:
        self.writer.depth += 1
        return self.writer

    def __exit__(self, *_: object) -> None:
        self.writer.depth -= 1


_LEAVES = frozenset({"paragraph", "heading", "table", "fence", "code_block", "html_block",
                     "math_block", "math_block_label", "hr"})


def select(nodes: list[SyntaxTreeNode], first: int, end: int) -> Iterator[SyntaxTreeNode]:
    """The outermost nodes inside the lines [first, end); a container that only partly is
    gives its children that are."""
    for node in nodes:
        if node.map is None or node.type == "front_matter":
            continue
        start, stop = node.map
        if stop <= first or start >= end:
            continue
        if (first <= start and stop <= end) or node.type in _LEAVES or not node.children:
            yield node
        else:
            yield from select(node.children, first, end)


def ancestors(node: SyntaxTreeNode) -> Iterator[SyntaxTreeNode]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent
