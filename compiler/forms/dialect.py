"""The Python-Markdown / Material dialect the staged pages are written in, in one place.

CommonMark (markdown-it) reads the notes; Python-Markdown with Material's extensions reads
the staged pages. Where the two differ, this module says how to write a thing so that
Python-Markdown shows what CommonMark meant: text shown literally, four spaces for every
nested block, admonitions (`!!! type "title"`, `???` foldable) for boxes, `{ #id }` for ids.
"""

from __future__ import annotations

import re

from ..normalize import without_segment_breaks

INDENT = "    "  # Python-Markdown nests every block by four spaces
# A bare URL stays as written: pymdownx.magiclink makes it a link, as Obsidian does.
_BARE_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]*_~]")
FOLD_KEYWORDS = {"": "!!!", "-": "???", "+": "???+"}  # admonition, pymdownx.details
# What Python-Markdown, with the site's extensions, reads as markup in text: each is written
# with a backslash, which Python-Markdown takes away (its ESCAPED_CHARS, `=` of
# pymdownx.mark, `~` of pymdownx.tilde, `|` of tables). `&` and `<` become entities.
_MARKUP = re.compile(r"[\\`*_{}\[\]()>#+\-.!=~|]")


def _plain(value: str) -> str:
    escaped = _MARKUP.sub(r"\\\g<0>", value).replace("&", "&amp;").replace("<", "&lt;")
    return without_segment_breaks(escaped)  # the page's own mark, never a note's (a file name's)


def text(value: str) -> str:
    """Text Python-Markdown shows exactly as given, bare URLs left for magiclink."""
    out, last = [], 0
    for found in _BARE_URL.finditer(value):
        out += [_plain(value[last:found.start()]), found.group()]
        last = found.end()
    out.append(_plain(value[last:]))
    return "".join(out)


def indented(block: str, prefix: str = INDENT, first: str | None = None) -> str:
    """The block's lines under `prefix` (blank lines stay blank); the first line under
    `first` when given (a list marker)."""
    lines = block.split("\n")
    out = [(prefix if first is None else first) + lines[0] if lines[0] or first else ""]
    out += [prefix + line if line.strip() else "" for line in lines[1:]]
    return "\n".join(out)


def quoted(block: str) -> str:
    """The block inside a blockquote."""
    return "\n".join("> " + line if line.strip() else ">" for line in block.split("\n"))


def joined(blocks: list[str], tight: bool = False) -> str:
    """Blocks one after another: a blank line between them (Python-Markdown starts most
    blocks only after one), none in a tight list."""
    return ("\n" if tight else "\n\n").join(b for b in blocks if b.strip())


_LANGUAGE = re.compile(r"[\w#.+-]+")  # what pymdownx.superfences reads as a fence's language


def fence(code: str, info: str = "") -> str:
    """A fenced block that no backtick run inside `code` can close. Its info string keeps
    the language alone, as Obsidian reads it: superfences takes a fence whose info it cannot
    read (`bash path=null`) for text, and the next fence then swallows the page's headings."""
    words = info.split()
    info = words[0] if words and _LANGUAGE.fullmatch(words[0]) else ""
    ticks = "`" * max(3, max((len(r) for r in re.findall(r"`+", code)), default=0) + 1)
    body = code.rstrip("\n")
    return f"{ticks}{info}\n{body}\n{ticks}" if body else f"{ticks}{info}\n{ticks}"


def code_span(code: str) -> str:
    ticks = "`" * (max((len(r) for r in re.findall(r"`+", code)), default=0) + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def admonition(classes: tuple[str, ...], title: str, body: str, fold: str = "") -> str:
    """A box: `!!! type "title"` (or `???` folded, `???+` open) with the body indented.
    The title is inline Markdown; the admonition's own quotes end at the line's last `"`."""
    header = f'{FOLD_KEYWORDS[fold]} {" ".join(classes)} "{title}"'
    return f"{header}\n\n{indented(body)}" if body.strip() else header


def heading(level: int, inline: str, anchor: str) -> str:
    if not inline.strip():  # `#` alone: attr_list would show `{ #id }` as the heading's text
        return f'<h{level} id="{anchor}"></h{level}>'
    return f"{'#' * level} {inline} {{ #{anchor} }}"


def link(text_markdown: str, target: str, title: str | None = None) -> str:
    shown_title = f' "{title}"' if title else ""
    return f"[{text_markdown}]({target}{shown_title})"


def url_target(href: str) -> str:
    """A link destination as Python-Markdown reads it: in angle brackets when it holds
    spaces or parentheses."""
    if any(c in href for c in " ()<>"):
        return "<" + href.replace("<", "%3C").replace(">", "%3E") + ">"
    return href
