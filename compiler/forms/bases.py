"""Bases: a ```` ```base ```` block, and `![[x.base]]` / `![[x.base#View]]` standing in a
paragraph, drawn as the view's table, cards or list (evaluated by `compiler.bases` in the query
stage, `compiler.queries`). A base with no result is its YAML in a box that says why; one
whose parts failed shows what could be evaluated and a folded box listing the rest."""

from __future__ import annotations

from collections.abc import Callable

from markdown_it.tree import SyntaxTreeNode

from .. import messages
from ..bases import BaseOutcome, Group, Row, View
from ..expr import FileRef, text_of
from ..markup import literal
from ..queries import BASE_SUFFIX, Failed, Shown
from ..resolve import Kind
from . import results
from .writer import Writer


def _column_cells(w: Writer, view: View, row: object) -> list[str]:
    return [results.value_markdown(w, value) for value in row.cells]


def _table(w: Writer, view: View) -> str:
    headers = [literal(c.label) for c in view.columns]
    parts = []
    footer = None
    if view.summaries:
        by_column = {s.column: s for s in view.summaries}
        footer = [(f'<span class="kb-summary-name">{literal(by_column[c.key].name)}</span> '
                   + results.value_markdown(w, by_column[c.key].value))
                  if c.key in by_column else "" for c in view.columns]
    for group in view.groups:
        caption = _group_caption(w, view, group)
        rows = [_column_cells(w, view, row) for row in group.rows]
        parts.append(results.table(headers, rows, footer if group is view.groups[-1] else None,
                                   caption))
    return "\n".join(parts)


def _group_caption(w: Writer, view: View, group: object) -> str | None:
    if len(view.groups) == 1 and group.key is None:
        return None
    shown = results.value_markdown(w, group.key, messages.current()("query.no_value"))
    return f"{shown} ({len(group.rows)})"


def _grouped(w: Writer, view: View, draw: Callable[[Group], str]) -> str:
    """Each group of a view: its caption (when grouped), then what `draw` makes of its rows."""
    parts = []
    for group in view.groups:
        caption = _group_caption(w, view, group)
        if caption:
            parts.append(f'<p class="kb-query-group" markdown="span">{caption}</p>')
        parts.append(draw(group))
    return "\n".join(parts)


def _cards(w: Writer, view: View) -> str:
    def card(row: Row) -> str:
        lines = []
        for column, value in zip(view.columns, row.cells, strict=True):
            if isinstance(value, FileRef):
                lines.append(f'<p class="kb-card-title" markdown="span">'
                             f'{results.value_markdown(w, value)}</p>')
            elif value not in (None, "", []):
                lines.append(f'<p class="kb-card-field" markdown="span"><span class="kb-card-key">'
                             f'{literal(column.label)}</span> {results.value_markdown(w, value)}</p>')
        return '<div class="kb-card" markdown="1">\n' + "\n".join(lines) + "\n</div>"

    return _grouped(w, view, lambda group: '<div class="kb-cards" markdown="1">\n'
                    + "\n".join(card(row) for row in group.rows) + "\n</div>")


def _list(w: Writer, view: View) -> str:
    def item(row: Row) -> str:
        return " · ".join(results.value_markdown(w, v) for v in row.cells if v not in (None, "", []))

    return _grouped(w, view, lambda group: results.bullet_list([item(r) for r in group.rows]))


def draw(w: Writer, shown: Shown | None, source: str) -> str:
    if shown is None:
        return results.failure("base", source, messages.current()("query.not_evaluated"))
    if isinstance(shown, Failed):
        return results.failure("base", shown.text, shown.message)
    assert isinstance(shown, BaseOutcome)
    view = shown.views[0]
    words = messages.current()
    if view.failed:
        reasons = [p.message for p in shown.problems] or [words("query.not_evaluated")]
        return results.failure("base", shown.source or source, "; ".join(reasons))
    if not any(group.rows for group in view.groups):
        inner = results.empty_note()
    else:
        inner = {"cards": _cards, "list": _list}.get(view.kind, _table)(w, view)
    title = f'<p class="kb-query-title" markdown="span">{literal(view.name)} ' \
            f'<span class="kb-query-count">{literal(words("query.results", n=view.total))}</span></p>'
    body = results.box(f"kb-base kb-base-{view.kind}", f"{title}\n{inner}", view.name)
    if shown.problems:
        body += "\n\n" + results.problems_note([p.message for p in shown.problems])
    return body


def write_base_fence(node: SyntaxTreeNode, w: Writer) -> str | None:
    language = node.info.strip().split(" ")[0].lower() if node.info.strip() else ""
    if language != "base" or not node.map:
        return None
    queries = w.page.queries
    shown = queries.fences.get((w.note.path, node.map[0])) if queries else None
    return draw(w, shown, node.content)


def _base_embed(node: SyntaxTreeNode, w: Writer) -> tuple[str, str | None] | None:
    item = w.link_of(node) if node.type == "wikilink" else None
    if item is None or not item.link.embed or item.kind is not Kind.ATTACHMENT \
            or not (item.path or "").lower().endswith(BASE_SUFFIX):
        return None
    return item.path, item.link.fragment or None


def breaks_paragraph(node: SyntaxTreeNode, w: Writer) -> bool:
    return _base_embed(node, w) is not None and not w.depth


def write_base_embed(node: SyntaxTreeNode, w: Writer) -> str | None:
    found = _base_embed(node, w)
    if found is None or w.depth:
        return None  # inside a list or quote, raw HTML does not survive: the link stays
    path, view = found
    queries = w.page.queries
    shown = queries.embeds.get((w.note.path, path, view)) if queries else None
    return draw(w, shown, text_of(path))


BLOCK = {"fence": write_base_fence}
INLINE = {"wikilink": write_base_embed}
