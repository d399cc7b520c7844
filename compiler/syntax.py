"""markdown-it-py rules for Obsidian's syntax, and the parser configured with them.

The rules only recognise syntax and record where it stands in the inline source
(`token.meta["span"]`); what a link means is decided by `parse` and `resolve`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

WIKILINK = "wikilink"
TAG = "tag"
# A tag's characters (Obsidian): letters of any script (combining marks too, for NFD text),
# digits, `_`, `-` and `/` for nesting.
_TAG_BODY = re.compile(r"[\w\u0300-\u036f\u1dc0-\u1dff/-]+")
# What may stand right before a tag's `#`: nothing, a space, or an emphasis mark (`**#tag**`).
# `a#b`, `x.com/#frag` and `&#35;` are not tags.
_BEFORE_TAG = frozenset(" \t\n*_~=")
_SPANNED = ("link_open", "image", "math_inline", "math_inline_double", "html_inline")


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


def _with_span(rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """Wrap markdown-it's own link/image rule so its token records its source span."""

    def recorded(state: StateInline, silent: bool) -> bool:
        start, first_token = state.pos, len(state.tokens)
        matched = rule(state, silent)
        if matched and not silent:
            # Pending text is flushed into a token of its own first: skip it.
            opened = next(t for t in state.tokens[first_token:] if t.type in _SPANNED)
            opened.meta["span"] = (start, state.pos)
            if opened.type == "link_open":  # the label's source, `[label](...)`
                opened.meta["label"] = (start + 1, state.md.helpers.parseLinkLabel(state, start))
        return matched

    return recorded


def obsidian_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", WIKILINK, _wikilink_rule)
    md.inline.ruler.before("link", TAG, _tag_rule)
    # Spans are recorded on the rules the plugins registered: call after dollarmath_plugin.
    for name in ("link", "image", "math_inline", "html_inline"):
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
