"""`#tag` and `#nested/tag` in running text: a link to the tag's section of the tags page
(text when the site has none). Lifted out of the text, a `#` can never start a heading."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.tree import SyntaxTreeNode

from ..markup import literal
from ..normalize import nfc
from ..syntax import TAG, TAG_BODY, tag_name
from ..tagindex import tag_link
from .writer import Writer

# What may stand right before a tag's `#`: nothing, a space, or an emphasis mark (`**#tag**`).
# `a#b`, `x.com/#frag` and `&#35;` are not tags.
_BEFORE_TAG = frozenset(" \t\n*_~=")


def _tag_rule(state: StateInline, silent: bool) -> bool:
    """`#tag` and `#nested/tag` in running text, not inside a word or a link's text."""
    src, start = state.src, state.pos
    if src[start] != "#" or state.linkLevel or (start and src[start - 1] not in _BEFORE_TAG):
        return False
    body = TAG_BODY.match(src, start + 1)
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


def plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", TAG, _tag_rule)


def write_tag(node: SyntaxTreeNode, w: Writer) -> str:
    name = nfc(node.content)
    if w.page.tags_page:
        return tag_link(name, w.page.page, w.page.tags_page)
    return literal("#" + name)


INLINE = {TAG: write_tag}
