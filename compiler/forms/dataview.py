"""Dataview: ```` ```dataview ```` blocks drawn as the query's list, table or tasks, inline
queries `` `= this.field` `` as their value (evaluated by `compiler.dataview` in the query
stage, `compiler.queries`). ```` ```dataviewjs ```` and `` `$= …` `` run JavaScript in the
app: they are shown as their code in a box that says so; so is a query the subset cannot read."""

from __future__ import annotations

from markdown_it.tree import SyntaxTreeNode

from .. import messages
from ..dataview import QueryResult
from ..markup import literal, task_marker
from ..queries import Failed, Inline, is_inline_query
from . import results
from .writer import Writer


def _id_header(result: QueryResult) -> list[str]:
    if result.id_header is None:
        return []
    words = messages.current()
    key = "query.file" if result.id_header == "file" else "query.group"
    return [literal(words(key, n=len(result.rows)))]


def _table(w: Writer, result: QueryResult) -> str:
    headers = _id_header(result) + [literal(h) for h in result.headers]
    if result.id_header is None and headers:
        headers[0] += f" ({len(result.rows)})"
    rows = [([results.value_markdown(w, row.id)] if result.id_header else [])
            + [results.value_markdown(w, v, "-") for v in row.values] for row in result.rows]
    return results.table(headers, rows)


def _list(w: Writer, result: QueryResult) -> str:
    items = []
    for row in result.rows:
        value = row.values[0] if row.values else None
        parts = [results.value_markdown(w, row.id)] if row.id is not None else []
        if row.values:
            parts.append(results.value_markdown(w, value, "-"))
        items.append(": ".join(p for p in parts if p))
    return results.bullet_list(items)


def _tasks(w: Writer, result: QueryResult) -> str:
    by_note: dict[str, list] = {}
    for task in result.tasks:
        by_note.setdefault(task.path, []).append(task)
    parts = []
    for path, tasks in by_note.items():
        note = w.page.resolved.notes.get(path) if w.page.resolved else None
        parts.append(f'<p class="kb-query-group" markdown="span">'
                     f'{results.note_link(w, path, note.title if note else path)} ({len(tasks)})</p>')
        items = []
        for task in tasks:
            mark = task.status
            box = ('<input type="checkbox" disabled checked>' if mark in "xX" else
                   '<input type="checkbox" disabled>' if mark == " " else task_marker(mark)[4:])
            items.append(f"{box} {literal(task.text)}")
        parts.append(results.bullet_list(items, "kb-query-list kb-query-tasks"))
    return "\n".join(parts)


def write_dataview_fence(node: SyntaxTreeNode, w: Writer) -> str | None:
    language = node.info.strip().split(" ")[0].lower() if node.info.strip() else ""
    if language not in ("dataview", "dataviewjs") or not node.map:
        return None
    queries = w.page.queries
    shown = queries.fences.get((w.note.path, node.map[0])) if queries else None
    if shown is None:
        return results.failure(language, node.content, messages.current()("query.not_evaluated"))
    if isinstance(shown, Failed):
        return results.failure(shown.language, shown.text, shown.message)
    assert isinstance(shown, QueryResult)
    if not shown.rows and not shown.tasks:
        inner = results.empty_note()
    else:
        inner = {"table": _table, "task": _tasks}.get(shown.kind, _list)(w, shown)
    return results.box(f"kb-dataview kb-dataview-{shown.kind}", inner, shown.kind.upper())


def write_inline_query(node: SyntaxTreeNode, w: Writer) -> str | None:
    code = node.content.strip()
    queries = w.page.queries
    if queries is None or not is_inline_query(code):
        return None
    shown = queries.inline.get((w.note.path, code))
    if isinstance(shown, Failed) and shown.language == "code":
        return None  # not a query after all: the code span it is
    if isinstance(shown, Inline):
        value = results.value_markdown(w, shown.value, "-")
        return f'<span class="kb-inline-query">{value}</span>'
    if isinstance(shown, Failed):
        title = messages.current()("query.inline_failed")
        return (f'<code class="kb-query-failed-inline" title="{literal(title)}: '
                f'{literal(shown.message)}">{literal(code)}</code>')
    return None


BLOCK = {"fence": write_dataview_fence}
INLINE = {"code_inline": write_inline_query}
