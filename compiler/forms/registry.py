"""The forms, in the order their writers are tried. A form is a module that may define:

- `plugin(md)`: the markdown-it rules that recognise it (by the public Ruler API);
- `BLOCK` / `INLINE`: node type -> writer `(node, writer) -> str | None` (None: not mine);
- `lead(inline_node, writer) -> str`: what goes before a block's text (a task marker);
- `trim_text(text_node, content, writer) -> str`: what it takes out of a text node;
- `breaks_paragraph(inline_child, writer) -> bool`: the span is a block of its own.

Adding a form: its module, one line here, its cases in tests/conformance/.
"""

from __future__ import annotations

from functools import lru_cache

from . import (
    bases,
    blockids,
    callouts,
    canvases,
    cellembeds,
    comments,
    core,
    dataview,
    execblocks,
    footnotes,
    frontmatter,
    headings,
    highlights,
    math,
    rawhtml,
    tags,
    tasks,
    transclusion,
    wikilinks,
)

FORMS = (
    frontmatter,
    comments,
    cellembeds,  # a block embedded in a table cell, before the link it otherwise is
    canvases,  # `![[board.canvas]]`: the board, before a note embed's box or a link
    bases,  # ```base blocks, and `![[x.base]]` before the link it otherwise is
    dataview,  # ```dataview blocks and `= inline` queries, before the code they otherwise are
    transclusion,  # a note embed's box, before the link it otherwise is
    wikilinks,
    tags,
    highlights,
    math,
    footnotes,
    tasks,  # its marker before a block anchor: pymdownx.tasklist wants it first
    blockids,
    callouts,
    headings,
    rawhtml,
    execblocks,
    core,  # CommonMark's own nodes, last: what no form took
)


@lru_cache(maxsize=1)
def writers() -> tuple[dict, dict, tuple, tuple, tuple]:
    blocks: dict[str, list] = {}
    inline: dict[str, list] = {}
    for form in FORMS:
        for table, found in ((blocks, getattr(form, "BLOCK", {})),
                             (inline, getattr(form, "INLINE", {}))):
            for node_type, write in found.items():
                table.setdefault(node_type, []).append(write)
    leads = tuple(form.lead for form in FORMS if hasattr(form, "lead"))
    trims = tuple(form.trim_text for form in FORMS if hasattr(form, "trim_text"))
    breakers = tuple(form.breaks_paragraph for form in FORMS if hasattr(form, "breaks_paragraph"))
    return ({k: tuple(v) for k, v in blocks.items()}, {k: tuple(v) for k, v in inline.items()},
            leads, trims, breakers)
