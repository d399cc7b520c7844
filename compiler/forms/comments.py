"""`%%comments%%`: inline, or a block across lines. Obsidian shows them only while editing:
they leave nothing on the page. An unclosed block comment hides the rest of the note."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

from ..syntax import COMMENT, COMMENT_BLOCK
from .core import nothing


def _comment_rule(state: StateInline, silent: bool) -> bool:
    """`%%hidden%%` inside a paragraph. Unclosed within it, `%%` is text."""
    src, start = state.src, state.pos
    if not src.startswith("%%", start):
        return False
    close = src.find("%%", start + 2)
    if close < 0:
        return False
    if not silent:
        token = state.push(COMMENT, "", 0)
        token.content = src[start + 2:close]
        token.meta = {"span": (start, close + 2)}
    state.pos = close + 2
    return True


def _comment_block_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A comment that starts a line and ends where its closing `%%` ends a line, across blank
    lines and anything else. As in Obsidian, an unclosed one hides the rest of the note
    (`meta["closed"]` is False then)."""
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if state.sCount[start_line] - state.blkIndent >= 4 or not state.src.startswith("%%", begin):
        return False
    line, search_from, closed = start_line, begin + 2, False
    while line < end_line:
        line_end = state.eMarks[line]
        close = state.src.find("%%", search_from, line_end)
        if close >= 0:
            if state.src[close + 2:line_end].strip():  # text after it: an inline comment
                return False
            closed = True
            break
        line += 1
        if line < end_line:
            search_from = state.bMarks[line] + state.tShift[line]
            if state.sCount[line] < state.blkIndent:  # the container ended: so does the search
                return False
    if silent:
        return True
    token = state.push(COMMENT_BLOCK, "", 0)
    stop = close + 2 if closed else state.eMarks[min(line, end_line) - 1]
    token.content = state.src[begin:stop]
    token.map = [start_line, min(line + 1, end_line)]
    token.meta = {"closed": closed, "offsets": (begin, stop)}
    state.line = min(line + 1, end_line)
    return True


def plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("backticks", COMMENT, _comment_rule)
    md.block.ruler.before("paragraph", COMMENT_BLOCK, _comment_block_rule,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})


BLOCK = {COMMENT_BLOCK: nothing}
INLINE = {COMMENT: nothing}
