"""markdown-it-py rules for Obsidian's syntax, and the parser configured with them.

The rules only recognise syntax and record where it stands in the inline source
(`token.meta["span"]`); what a link means is decided by `parse` and `resolve`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

WIKILINK = "wikilink"
COMMENT = "obsidian_comment"  # `%%...%%`: Obsidian shows it only while editing
COMMENT_BLOCK = "obsidian_comment_block"
ESCAPED_DOLLAR = "escaped_dollar"  # `\$`: a dollar sign that opens no math
_SPANNED = ("link_open", "image", "math_inline", "math_inline_double", "html_inline",
            "footnote_ref", ESCAPED_DOLLAR)
TAG = "tag"
# A tag's characters (Obsidian): letters of any script (combining marks too, for NFD text),
# digits, `_`, `-` and `/` for nesting.
_TAG_BODY = re.compile(r"[\w\u0300-\u036f\u1dc0-\u1dff/-]+")
# What may stand right before a tag's `#`: nothing, a space, or an emphasis mark (`**#tag**`).
# `a#b`, `x.com/#frag` and `&#35;` are not tags.
_BEFORE_TAG = frozenset(" \t\n*_~=")


def split_wikilink(inner: str) -> tuple[str, str | None]:
    """`Note#H|text` -> ("Note#H", "text"); in tables the pipe is written `\\|`."""
    for separator in ("\\|", "|"):
        if separator in inner:
            target, display = inner.split(separator, 1)
            return target, display
    return inner, None


def tag_name(text: str) -> str | None:
    """`text` as a tag name, or None when Obsidian would not take it as one: it must be made
    of tag characters, hold something besides digits and slashes (`#1984` is not a tag), and
    neither start nor end with `/`."""
    if not _TAG_BODY.fullmatch(text) or text.startswith("/") or text.endswith("/"):
        return None
    return text if any(c not in "0123456789/" for c in text) else None


def _tag_rule(state: StateInline, silent: bool) -> bool:
    """`#tag` and `#nested/tag` in running text, not inside a word or a link's text."""
    src, start = state.src, state.pos
    if src[start] != "#" or state.linkLevel or (start and src[start - 1] not in _BEFORE_TAG):
        return False
    body = _TAG_BODY.match(src, start + 1)
    if not body:
        return False
    name = body.group().rstrip("/")
    if tag_name(name) is None:
        return False
    if not silent:
        token = state.push(TAG, "", 0)
        token.content = name
        token.meta = {"span": (start, start + 1 + len(name))}
    state.pos = start + 1 + len(name)
    return True


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    """`[[target|display]]` and `![[embed]]`. A single `]` does not close; `[[unclosed` is text."""
    src, start = state.src, state.pos
    embed = src.startswith("![[", start)
    opener = start + (3 if embed else 2)
    if not (embed or src.startswith("[[", start)):
        return False
    close = src.find("]]", opener)
    if close < 0:
        return False
    inner = src[opener:close]
    # A newline, or a nested opener, means this `[[` starts no link (the later one may).
    if not inner.strip() or "\n" in inner or "[[" in inner:
        return False
    if not silent:
        token = state.push(WIKILINK, "", 0)
        target, display = split_wikilink(inner)
        token.content = inner
        token.meta = {"target": target, "display": display, "embed": embed,
                      "span": (start, close + 2)}
    state.pos = close + 2
    return True


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


def _escaped_dollar_rule(state: StateInline, silent: bool) -> bool:
    """`\\$` is a dollar sign (CommonMark escapes it; Python-Markdown would show the `\\`)."""
    if not state.src.startswith("\\$", state.pos):
        return False
    if not silent:
        token = state.push(ESCAPED_DOLLAR, "", 0)
        token.content = "$"
        token.meta = {"span": (state.pos, state.pos + 2)}
    state.pos += 2
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


def _with_span(rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """Wrap markdown-it's own link/image rule so its token records its source span."""

    def recorded(state: StateInline, silent: bool) -> bool:
        start, first_token = state.pos, len(state.tokens)
        matched = rule(state, silent)
        if matched and not silent:
            # Pending text is flushed into a token of its own first: skip it.
            opened = next(t for t in state.tokens[first_token:] if t.type in _SPANNED)
            opened.meta["span"] = (start, state.pos)
            if opened.type == "footnote_ref":  # `^[...]`: its own tokens, spans made ours
                _adopt_inline_footnote(state, opened, start + 2)
            if opened.type == "link_open":  # the label's source, `[label](...)`
                opened.meta["label"] = (start + 1, state.md.helpers.parseLinkLabel(state, start))
        return matched

    return recorded


def _adopt_inline_footnote(state: StateInline, token, content_start: int) -> None:
    """The footnote plugin parses `^[...]` into a token list of its own, kept in env: hand it
    to the `footnote_ref` token, with spans that count in the paragraph's source."""
    children = state.env["footnotes"]["list"][token.meta["id"]]["tokens"]
    for child in children:
        for key in ("span", "label"):
            if child.meta and key in child.meta:
                child.meta[key] = tuple(at + content_start for at in child.meta[key])
    token.meta["inline"] = True
    token.meta["children"] = children


def obsidian_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", WIKILINK, _wikilink_rule)
    md.inline.ruler.before("link", TAG, _tag_rule)
    md.inline.ruler.before("backticks", COMMENT, _comment_rule)
    md.inline.ruler.before("escape", ESCAPED_DOLLAR, _escaped_dollar_rule)
    md.block.ruler.before("paragraph", COMMENT_BLOCK, _comment_block_rule,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    # Spans are recorded on the rules the plugins registered: call after dollarmath_plugin.
    for name in ("link", "image", "math_inline", "html_inline", "footnote_inline"):
        rule = md.inline.ruler.__rules__[md.inline.ruler.__find__(name)]
        rule.fn = _with_span(rule.fn)
    md.inline.ruler.__compiled__ = {}  # recompile the chains with the wrapped rules


def make_parser() -> MarkdownIt:
    md = (
        MarkdownIt("commonmark", {"html": True})
        .enable(["table", "strikethrough"])
        .use(front_matter_plugin)
        .use(footnote_plugin)
        .use(dollarmath_plugin, allow_space=False, double_inline=True)  # `$ 5 and $` is text
        .use(obsidian_plugin)
    )
    return md
