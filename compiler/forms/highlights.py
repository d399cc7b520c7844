"""`==highlight==`: marked text (pymdownx.mark draws it), with any inline form inside."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.tree import SyntaxTreeNode

from ..syntax import MARK
from .writer import Writer


def _mark_rule(state: StateInline, silent: bool) -> bool:
    """`==text==` within one paragraph: text right inside both marks, not `a == b`."""
    src, start = state.src, state.pos
    if not src.startswith("==", start) or src.startswith("===", start):
        return False
    inner_start = start + 2
    close = src.find("==", inner_start)
    while close > 0 and src.startswith("===", close):
        close = src.find("==", close + 3)
    if (close < 0 or close == inner_start or src[inner_start].isspace()
            or src[close - 1].isspace()):
        return False
    if not silent:
        old_max = state.posMax
        state.push(f"{MARK}_open", "mark", 1).markup = "=="
        state.pos, state.posMax = inner_start, close
        state.md.inline.tokenize(state)
        state.push(f"{MARK}_close", "mark", -1).markup = "=="
        state.posMax = old_max
    state.pos = close + 2
    return True


def plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("emphasis", MARK, _mark_rule)


def write_mark(node: SyntaxTreeNode, w: Writer) -> str:
    inner = w.spans(node.children)
    return f"=={inner}==" if inner.strip() else inner


INLINE = {MARK: write_mark}
