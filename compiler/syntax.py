"""The markdown-it parser the notes are read with, and the names its Obsidian tokens carry.

CommonMark with tables, strikethrough, front matter, footnotes and dollar math, plus the
rules of Obsidian's forms (each in its module of `compiler.forms`, listed by its registry).
Rules only recognise syntax and record where it stands in the inline source
(`token.meta["span"]`); what a link means is decided by `parse` and `resolve`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline import html_inline as _html_inline
from markdown_it.rules_inline import image as _image
from markdown_it.rules_inline import link as _link
from markdown_it.token import Token
from mdit_py_plugins.dollarmath.index import math_inline_dollar
from mdit_py_plugins.footnote.index import footnote_inline as _footnote_inline

WIKILINK = "wikilink"
COMMENT = "obsidian_comment"  # `%%...%%`: Obsidian shows it only while editing
COMMENT_BLOCK = "obsidian_comment_block"
ESCAPED_DOLLAR = "escaped_dollar"  # `\$`: a dollar sign that opens no math
TAG = "tag"
MARK = "mark"  # `==highlight==`
_SPANNED = ("link_open", "image", "math_inline", "math_inline_double", "html_inline",
            "footnote_ref", ESCAPED_DOLLAR)
# A tag's characters (Obsidian): letters of any script (combining marks too, for NFD text),
# digits, `_`, `-` and `/` for nesting.
TAG_BODY = re.compile(r"[\w\u0300-\u036f\u1dc0-\u1dff/-]+")
# Dollar math as Obsidian reads it: `$ 5 and $` is text, `$$x$$` may stand in a line.
MATH_OPTIONS = {"allow_space": False, "allow_digits": True, "double_inline": True}


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
    if not TAG_BODY.fullmatch(text) or text.startswith("/") or text.endswith("/"):
        return None
    return text if any(c not in "0123456789/" for c in text) else None


def with_footnotes(children: list[Token]) -> Iterator[Token]:
    """An inline token's children, each inline footnote followed by its own children."""
    for child in children:
        yield child
        if child.type == "footnote_ref" and child.meta.get("inline"):
            yield from with_footnotes(child.meta["children"])


def _with_span(rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """Wrap a link, image, math, HTML or footnote rule so its token records its source span."""

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


def _adopt_inline_footnote(state: StateInline, token: Token, content_start: int) -> None:
    """The footnote plugin parses `^[...]` into a token list of its own, kept in env: hand it
    to the `footnote_ref` token, with spans that count in the paragraph's source."""
    children = state.env["footnotes"]["list"][token.meta["id"]]["tokens"]
    for child in children:
        for key in ("span", "label"):
            if child.meta and key in child.meta:
                child.meta[key] = tuple(at + content_start for at in child.meta[key])
    token.meta["inline"] = True
    token.meta["children"] = children


def make_parser() -> MarkdownIt:
    from .forms.registry import FORMS  # the forms' writers need parse, which needs this

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    for form in FORMS:
        if hasattr(form, "plugin"):
            form.plugin(md)
    # Spans are recorded on the rules the plugins registered, replaced by name.
    spanned = {"link": _link, "image": _image, "html_inline": _html_inline,
               "footnote_inline": _footnote_inline,
               "math_inline": math_inline_dollar(MATH_OPTIONS["allow_space"],
                                                 MATH_OPTIONS["allow_digits"],
                                                 MATH_OPTIONS["double_inline"])}
    for name, rule in spanned.items():
        md.inline.ruler.at(name, _with_span(rule))
    return md
