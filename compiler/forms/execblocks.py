"""Executable blocks (```` ```python exec ````): on the page, the code (as `fold` says), what
it printed, its figures with their caption, and an error box when it failed."""

from __future__ import annotations

import html

from markdown_it.tree import SyntaxTreeNode

from ..blocks import BlockResult
from ..execute import Outcome
from ..markup import literal, url
from ..parse import CodeBlock
from ..site_assets import ASSET_DIR
from . import dialect
from .writer import Writer

FIGURE_DIR = f"{ASSET_DIR}/figures"
FOLD_MARKERS = {"collapsed": "???", "expanded": "???+"}
CODE_TITLE = "코드"
NOT_RUN_TITLE = "실행되지 않음"
NOT_RUN_TEXT = "이 블록은 `kb check`에서 실행되지 않습니다."
STDERR_TITLE = "표준 오류 출력"
TRUNCATED = "\n… (출력이 잘렸습니다)"
FIGURE_ALT = "그림"
FAILURE_TITLES = {"timeout": "시간 초과", "crashed": "작업 프로세스 중단", "memory": "메모리 초과",
                  "skipped": "실행되지 않음", "expected-error": "예상된 오류"}
FAILURE_TITLE = "실행 오류"


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
            or (names[number] if number < len(names) else FIGURE_ALT))


def _box(keyword: str, kind: str, title: str, body: str) -> str:
    return f'{keyword} {kind} "{title}"\n\n{dialect.indented(body)}'


def render_block(result: BlockResult | None, block: CodeBlock, page: str, wrap: bool = True) -> str:
    """What a page shows for an executable block: its code (per `fold`), what it printed,
    its figures with the caption, and an error box when it failed."""
    parts = []
    fold = block.option("fold")
    if fold in FOLD_MARKERS:
        parts.append(_box(FOLD_MARKERS[fold], "example", CODE_TITLE,
                          dialect.fence(block.code, "python")))
    elif fold != "hidden":
        parts.append(dialect.fence(block.code, "python"))
    if result is None:
        parts.append(f'!!! warning "{NOT_RUN_TITLE}"\n    {NOT_RUN_TEXT}')
        return "\n\n".join(parts)
    outcome = result.outcome
    cut = TRUNCATED if outcome.truncated else ""
    if outcome.stdout.strip():
        parts.append(dialect.fence(outcome.stdout + cut, "text"))
    if outcome.stderr.strip() and not result.failed:
        parts.append(_box("???", "note", STDERR_TITLE, dialect.fence(outcome.stderr + cut, "text")))
    if outcome.status in ("ok", "expected-error"):
        for number, _ in enumerate(outcome.figures):
            parts.append(figure_html(page, figure_path(outcome, number), figure_alt(block, number),
                                     block.option("caption"), block.option("width")))
    if outcome.status == "expected-error" or result.failed:
        kind = "example" if outcome.status == "expected-error" else "failure"
        title = FAILURE_TITLES.get(outcome.status, FAILURE_TITLE)
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
