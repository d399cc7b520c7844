"""Executable blocks (```` ```python exec ````): on the page, the code (as `fold` says), what
it printed, its figures with their caption, and an error box when it failed."""

from __future__ import annotations

import html

from markdown_it.tree import SyntaxTreeNode

from .. import messages
from ..blocks import BlockResult
from ..execute import Outcome
from ..markup import literal, url
from ..parse import CodeBlock
from ..site_assets import ASSET_DIR
from . import dialect
from .writer import Writer

FIGURE_DIR = f"{ASSET_DIR}/figures"
FOLD_MARKERS = {"collapsed": "???", "expanded": "???+"}
# An outcome's status -> the key of its error box's title (any other status: render.status.error).
FAILURE_TITLES = {status: f"render.status.{status}"
                  for status in ("timeout", "crashed", "memory", "skipped", "expected-error")}


def figure_path(outcome: Outcome, number: int, suffix: str = "svg") -> str:
    return f"{FIGURE_DIR}/{outcome.key}-{number}.{suffix}"


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def image_size(width: object, height: object = None) -> str:
    """attr_list sizes for an image: `{ width="300" height="200" }`, or nothing."""
    pairs = "".join(f' {k}="{_attr(str(v))}"' for k, v in (("width", width), ("height", height)) if v)
    return f"{{{pairs} }}" if pairs else ""


def figure_html(page: str, url_path: str, alt: str, caption: str | None, width: object,
                height: object = None, source: str = "") -> str:
    """One line (nl2br would put <br> between lines): the image, and its caption below
    (then `source`, Markdown: where the figure is drawn)."""
    image = f"![{literal(alt)}]({url(page, url_path)}){image_size(width, height)}"
    shown = " ".join(part for part in (literal(caption) if caption else "", source) if part)
    below = f"<figcaption>{shown}</figcaption>" if shown else ""
    return f'<figure class="kb-figure" markdown="span">{image}{below}</figure>'


def figure_alt(block: CodeBlock, number: int) -> str:
    """A figure's alt text: the block's `alt`, else its caption, else the name it replaces."""
    names = block.figures
    return (block.option("alt") or block.option("caption")
            or (names[number] if number < len(names) else messages.current()("render.figure")))


def _box(keyword: str, kind: str, title: str, body: str) -> str:
    return f'{keyword} {kind} "{title}"\n\n{dialect.indented(body)}'


def render_block(result: BlockResult | None, block: CodeBlock, page: str, wrap: bool = True) -> str:
    """What a page shows for an executable block: its code (per `fold`), what it printed,
    its figures with the caption, and an error box when it failed."""
    words = messages.current()
    parts = []
    fold = block.option("fold")
    if fold in FOLD_MARKERS:
        parts.append(_box(FOLD_MARKERS[fold], "example", words("render.code"),
                          dialect.fence(block.code, "python")))
    elif fold != "hidden":
        parts.append(dialect.fence(block.code, "python"))
    if result is None:
        parts.append(f'!!! warning "{words("render.not_run")}"\n    {words("render.not_run_in_check")}')
        return "\n\n".join(parts)
    outcome = result.outcome
    cut = "\n" + words("render.truncated") if outcome.truncated else ""
    if outcome.stdout.strip():
        parts.append(dialect.fence(outcome.stdout + cut, "text"))
    if outcome.stderr.strip() and not result.failed:
        parts.append(_box("???", "note", words("render.stderr"), dialect.fence(outcome.stderr + cut, "text")))
    if outcome.status in ("ok", "expected-error"):
        for number, _ in enumerate(outcome.figures):
            parts.append(figure_html(page, figure_path(outcome, number), figure_alt(block, number),
                                     block.option("caption"), block.option("width")))
    if outcome.status == "expected-error" or result.failed:
        kind = "example" if outcome.status == "expected-error" else "failure"
        title = words(FAILURE_TITLES.get(outcome.status, "render.status.error"))
        detail = outcome.traceback or outcome.error or ""
        first_line = (outcome.error or "").split("\n", 1)[0][:200]
        parts.append(_box("!!!", kind, f"{literal(title)}: {literal(first_line)}",
                          dialect.fence(detail, "text")))
    shown = "\n\n".join(parts)
    # Raw HTML does not survive inside a list item or a quote in Python-Markdown: no wrapper there.
    return f'<div class="kb-block" markdown>\n\n{shown}\n\n</div>' if wrap else shown


def write_exec_block(node: SyntaxTreeNode, w: Writer) -> str | None:
    block = w.tree.blocks.get(node.map[0]) if node.map else None
    if block is None:
        return None
    results = w.page.results
    result = results.get((w.note.path, block.index)) if results is not None else None
    return render_block(result, block, w.page.page, wrap=not w.depth and not w.nested)


BLOCK = {"fence": write_exec_block}
