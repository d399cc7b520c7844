"""Container prefixes: what each line of a quote, callout or nested list starts with in the
staged Markdown.

Obsidian's callouts are blockquotes whose first line says `[!type]`; Material draws boxes from
Python-Markdown's admonitions (`!!! type "title"`) and pymdownx.details (`???`/`???+`, foldable),
whose body is indented four spaces. So a callout's `>` becomes four spaces on each of its lines,
its first line becomes the admonition's header, and everything between (links, math, lists,
code, executable blocks, nested callouts) stays where it is and is rendered like any other text.
Python-Markdown also wants four spaces per nested list level where Obsidian takes two or a tab,
inside quotes as well: those spaces go into the same prefix. Pure functions of the note's lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .parse import Callout

# Obsidian's callout types and aliases -> the admonition type Material styles.
CALLOUT_TYPES = {
    "note": "note",
    "abstract": "abstract", "summary": "abstract", "tldr": "abstract",
    "info": "info",
    "todo": "todo",
    "tip": "tip", "hint": "tip", "important": "tip",
    "success": "success", "check": "success", "done": "success",
    "question": "question", "help": "question", "faq": "question",
    "warning": "warning", "caution": "warning", "attention": "warning",
    "failure": "failure", "fail": "failure", "missing": "failure",
    "danger": "danger", "error": "danger",
    "bug": "bug",
    "example": "example",
    "quote": "quote", "cite": "quote",
}
UNKNOWN_TYPE = "note"  # Obsidian draws a type it does not know as a note
INDENT = "    "
_LEADING = re.compile(r"[ \t>]*")  # where a line's container prefix can stand
_MARKER = re.compile(r" *>( ?)")


def callout_classes(kind: str) -> tuple[str, ...]:
    """CSS classes of a callout: the type Material styles first, then `kb-callout-<type>` when
    the type as written differs (an alias or a type of the user's own), for style sheets."""
    written = kind.casefold()
    canonical = CALLOUT_TYPES.get(written, UNKNOWN_TYPE)
    if written == canonical:
        return (canonical,)
    slug = re.sub(r"[^\w-]+", "-", written, flags=re.UNICODE).strip("-") or "custom"
    return canonical, f"kb-callout-{slug}"


def default_title(kind: str) -> str:
    """The title Obsidian shows for `[!kind]` alone: `FAQ` -> `Faq`."""
    return kind[:1].upper() + kind[1:].lower()


def callout_header(callout: Callout, has_title: bool) -> str:
    """What replaces `[!kind]± ` on the callout's first line: the admonition's header up to
    the opening quote of its title (or with the default title, when it has none)."""
    keyword = {"": "!!!", "-": "???", "+": "???+"}[callout.fold]
    header = f'{keyword} {" ".join(callout_classes(callout.kind))} "'
    return header if has_title else f'{header}{_quoted(default_title(callout.kind))}"'


def _quoted(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


@dataclass(frozen=True)
class LinePrefix:
    length: int  # characters of the line's start that it replaces
    text: str  # what Python-Markdown gets there instead


def line_prefixes(lines: list[str], callouts: tuple[Callout, ...],
                  list_indents: tuple[tuple[int, int, int, int], ...]) -> dict[int, LinePrefix]:
    """The rewritten prefix of every line that a callout or a list shift touches."""
    boxes: dict[int, list[Callout]] = {}
    for callout in callouts:
        for number in range(callout.first_line, callout.end_line):
            boxes.setdefault(number, []).append(callout)
    shifts: dict[int, dict[int, int]] = {}
    for first, end, spaces, quotes in list_indents:
        for number in range(first, end):
            after = shifts.setdefault(number, {})
            after[quotes] = after.get(quotes, 0) + spaces
    prefixes = {}
    for number in sorted(boxes.keys() | shifts.keys()):
        if number < len(lines):
            prefixes[number] = _rewrite(number, lines[number], boxes.get(number, []),
                                        shifts.get(number, {}))
    return prefixes


def _rewrite(number: int, line: str, boxes: list[Callout], shifts: dict[int, int]) -> LinePrefix:
    """The line's quote markers: a callout's `>` becomes four spaces (nothing on its header
    line), a list shift goes after the markers of its quote, the rest stays as written."""
    run = _LEADING.match(line).group()
    lead = run.expandtabs(4)  # the run starts the line: its tab stops are the line's
    boxed = {c.depth: c for c in boxes}
    wanted = max([*boxed, *shifts], default=0)
    out, at, depth = [" " * shifts.get(0, 0)], 0, 0
    while depth < wanted and (marker := _MARKER.match(lead, at)):
        depth += 1
        out.append(lead[at:lead.index(">", at)])  # the indentation before the marker
        if depth not in boxed:
            out.append(">" + marker.group(1))
        elif boxed[depth].first_line != number:
            out.append(INDENT)
        out.append(" " * shifts.get(depth, 0))
        at = marker.end()
    # A lazy continuation line lacks the markers of the boxes it continues.
    out += [INDENT for d in sorted(boxed) if d > depth]
    text = "".join(out) + lead[at:]
    if any(c.first_line == number for c in boxes):  # a header starts a block of its own
        text = text.rstrip() + "\n" + text
    return LinePrefix(len(run), text)
