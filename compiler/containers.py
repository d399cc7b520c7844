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
from dataclasses import dataclass, replace

from .parse import Callout, Container

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
_QUOTE = re.compile(r">")
_ITEM_MARKER = re.compile(r"[-+*]|[0-9]{1,9}[.)]")


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
    # The prefix of a further line in the same containers: list markers become indentation
    continued: str = ""
    # The prefix of a further line in the containers that start before the line (`continued`
    # without those the line opens): a blank line set before the line takes it
    around: str = ""


class _Columns:
    """A line read from its start by columns, as CommonMark counts them: a tab goes on to the
    next multiple of 4, and a container may take only part of one (the rest stays as spaces)."""

    def __init__(self, line: str):
        self.line, self.at, self.col, self.carry = line, 0, 0, 0  # carry: unread part of a tab

    def indent(self) -> int:
        """Columns of whitespace ahead."""
        width, col = self.carry, self.col
        for char in self.line[self.at:]:
            if char not in " \t":
                break
            step = 1 if char == " " else 4 - col % 4
            width, col = width + step, col + step
        return width

    def skip(self, columns: int) -> None:
        """Read `columns` columns of the whitespace ahead."""
        while columns > 0:
            if not self.carry:
                step = 1 if self.line[self.at] == " " else 4 - self.col % 4
                self.at, self.col, self.carry = self.at + 1, self.col + step, step
            used = min(self.carry, columns)
            self.carry, columns = self.carry - used, columns - used

    def read(self, pattern: re.Pattern[str]) -> str | None:
        """The text `pattern` matches right here (after whole whitespace), read."""
        found = pattern.match(self.line, self.at) if not self.carry else None
        if found:
            self.at, self.col = found.end(), self.col + len(found.group())
        return found.group() if found else None

    def blank(self) -> bool:
        return not self.line[self.at:].strip()

    def rest_start(self) -> str:
        return " " * self.carry


def line_prefixes(lines: list[str], callouts: tuple[Callout, ...],
                  containers: tuple[Container, ...], gaps: tuple[int, ...] = ()
                  ) -> dict[int, LinePrefix]:
    """The staged prefix of every line inside a quote, callout or list item: a callout's `>`
    becomes four spaces, an item's content is indented four spaces a level whatever its
    content column in CommonMark (2 after `- `, 3 after `1. `, 4 after `10. `, or a tab), and
    a lazy continuation line gets the prefix of the paragraph it continues. `gaps`: the lines
    render sets apart with a blank line (`Note.blank_line_before`)."""
    chains: dict[int, list[Container]] = {}
    for container in containers:  # outer ones come first
        for number in range(container.first_line, min(container.end_line, len(lines))):
            chains.setdefault(number, []).append(container)
    boxes = {(c.depth, c.end_line): c for c in callouts}
    widths: dict[int, int] = {}  # id of an item -> its content column, read on its first line
    prefixes, previous, block_depth = {}, -2, None
    for number, chain in sorted(chains.items()):
        prefix = _rewrite(number, lines[number], chain, boxes, widths)
        if not lines[number][prefix.length:].strip():  # a blank line ends Python-Markdown's block
            previous = -2
        else:
            depth = _item_depth(number, chain)
            if previous != number - 1 or number in gaps or "\n" in prefix.text:
                block_depth = depth
            elif depth is not None and (block_depth is None or depth < block_depth):
                # Python-Markdown reads an item in a block only after items at its depth or
                # above: so after a blank line in a list, it starts a block of its own.
                prefix = replace(prefix, text=prefix.around.rstrip() + "\n" + prefix.text)
                block_depth = depth
            previous = number
        prefixes[number] = prefix
    return prefixes


def _item_depth(number: int, chain: list[Container]) -> int | None:
    """How deep in lists the outermost item whose marker is on this line is (None: no marker)."""
    items = [c for c in chain if c.kind == "item"]
    return next((depth for depth, item in enumerate(items, 1) if item.first_line == number), None)


def _rewrite(number: int, line: str, chain: list[Container],
             boxes: dict[tuple[int, int], Callout], widths: dict[int, int]) -> LinePrefix:
    """Reads the line's prefix container by container, as CommonMark does, and writes what
    Python-Markdown wants for each: `>` for a quote, four spaces for a callout's `>` (nothing
    on its header line), the marker on an item's first line, four spaces on its other lines."""
    columns, out, header, depth = _Columns(line), [], False, 0
    further = []  # `out` without list markers and callout headers
    around = None
    lazy = len(chain)  # from which container on the line lacks its prefix
    for at, container in enumerate(chain):
        if columns.blank():
            break
        if container.first_line == number and around is None:
            around = "".join(further)
        if container.kind == "quote":
            indent = columns.indent()
            if indent > 3 or (columns.skip(indent), columns.read(_QUOTE))[1] is None:
                lazy = at
                break
            depth += 1
            box = boxes.get((depth, container.end_line))
            spaced = columns.indent() > 0
            columns.skip(min(1, columns.indent()))
            if box is None:
                out.append("> " if spaced else ">")
            elif box.first_line == number:
                header = True
            else:
                out.append(INDENT)
            further.append(INDENT if box else out[-1])
        elif container.first_line == number:
            indent = columns.indent()
            columns.skip(indent)
            marker = columns.read(_ITEM_MARKER) or ""
            after = columns.indent()
            spaces = 1 if columns.blank() or after > 4 else after
            columns.skip(min(spaces, after))
            widths[id(container)] = indent + len(marker) + spaces
            out.append(marker.replace(")", ".") + " ")  # Python-Markdown knows only `1.`
            further.append(INDENT)
        elif columns.indent() >= widths.get(id(container), 0):
            columns.skip(widths.get(id(container), 0))
            out.append(INDENT)
            further.append(INDENT)
        else:
            lazy = at
            break
    if lazy < len(chain):  # a lazy continuation line: it gets the prefix it goes without
        for container in chain[lazy:]:
            if container.kind == "quote":
                depth += 1
                out.append(INDENT if (depth, container.end_line) in boxes else "> ")
            else:
                out.append(INDENT)
            further.append(out[-1])
        columns.skip(columns.indent())
    text = "".join(out) + columns.rest_start()
    continued = "".join(further) + columns.rest_start()
    if header:  # a callout's header starts a block of its own
        text = text.rstrip() + "\n" + text
    return LinePrefix(columns.at, text, continued, continued if around is None else around)
