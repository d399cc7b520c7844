"""Notes nested deeper than Python-Markdown can take are published as plain text.

Python-Markdown walks nested emphasis (`**`, `==`, `~~`, ...) and nested `<div markdown>`
recursively: around 400-1000 levels (4 KB of `**`) end in a RecursionError inside the MkDocs
step, which then fails for every page. Obsidian shows such a note as text; so does the site,
with a `too-deep` diagnostic. The depth is estimated from markdown-it's tokens (emphasis and
links as it nests them) and from the text (runs of delimiter characters, which Python-Markdown
nests while markdown-it may not, and elements marked `markdown`), generously above anything
a person writes.
"""

from __future__ import annotations

import re

from markdown_it.token import Token

from .diagnostics import Diagnostic, Severity

LIMIT = 100
# A run that opens or closes something (it touches a letter): a rule or a setext underline
# (a line of `=` alone) nests nothing.
_RUN = rf"[*_=~^+]{{{2 * LIMIT + 1},}}"
_DELIMITER_RUN = re.compile(rf"(?<=[^\W_]){_RUN}|(?<![*_=~^+]){_RUN}(?=[^\W_])")
_MARKDOWN_ELEMENT = re.compile(r"<[A-Za-z][^>]*?\smarkdown\b", re.I)
_BACKTICKS = re.compile(r"`+")


def depth(source: str, tokens: list[Token]) -> int:
    """An upper estimate of how deeply the note nests."""
    inline = max((child.level for token in tokens for child in token.children or ()), default=0)
    block = max((token.level for token in tokens), default=0)
    runs = max((len(m.group()) // 2 for m in _DELIMITER_RUN.finditer(source)), default=0)
    marked = len(_MARKDOWN_ELEMENT.findall(source))
    return max(inline, block, runs, marked)


def as_plain_text(path: str, source: str, tokens: list[Token], found: int
                  ) -> tuple[str, Diagnostic]:
    """The note with its body in a fenced text block (its front matter kept, so that its
    properties, `publish: false` included, still apply), and the diagnostic saying so."""
    body_line = next((t.map[1] for t in tokens if t.type == "front_matter" and t.map), 0)
    lines = source.split("\n")
    head, body = "\n".join(lines[:body_line]), "\n".join(lines[body_line:])
    fence = "`" * max(3, 1 + max((len(m.group()) for m in _BACKTICKS.finditer(body)), default=0))
    wrapped = f"{fence}text\n{body}\n{fence}\n"
    problem = Diagnostic(path, body_line + 1, 1, Severity.WARNING, "too-deep",
                         f"the note nests about {found} levels deep (more than {LIMIT}); "
                         "it is published as plain text",
                         "Python-Markdown cannot render nesting this deep")
    return (f"{head}\n{wrapped}" if head else wrapped), problem
