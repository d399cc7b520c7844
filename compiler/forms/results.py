"""Query results drawn as static HTML: the tables, lists and cards of bases and Dataview
queries, and the box of a query that has no result. Shared by `forms.bases` and
`forms.dataview` (it recognises nothing itself).

Written from the results' plain data: HTML elements carry md_in_html's `markdown` attribute,
and each cell is inline Markdown (`markdown="span"`), so links to notes are ordinary Markdown
links that MkDocs resolves like every other link of the page.
"""

from __future__ import annotations

import datetime as dt
import html

from .. import messages
from ..expr import Duration, FileRef, Link, Page, text_of
from ..markup import literal, url
from . import dialect
from .writer import Writer


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def note_link(w: Writer, path: str | None, shown: str) -> str:
    """A link to a published note's page, else the text."""
    page = w.page.pages.get(path) if path else None
    if page is None:
        return f'<span class="kb-query-unresolved">{literal(shown)}</span>'
    return dialect.link(literal(shown), dialect.url_target(url(w.page.page, page)))


def value_markdown(w: Writer, value: object, empty: str = "") -> str:
    """A value as inline Markdown on one line."""
    if value is None or value == "" or value == []:
        return literal(empty)
    if isinstance(value, bool):
        checked = " checked" if value else ""
        return f'<input type="checkbox" disabled{checked} aria-label="{text_of(value)}">'
    if isinstance(value, FileRef):
        return note_link(w, value.note.path, value.note.basename)
    if isinstance(value, Page) and value.note is not None:  # `this`, a group's rows
        return note_link(w, value.note.path, value.note.basename)
    if isinstance(value, Link):
        return note_link(w, value.path, str(value))
    if isinstance(value, list | tuple):
        return ", ".join(value_markdown(w, item) for item in value)
    if isinstance(value, dict):
        return literal(", ".join(f"{k}: {text_of(v)}" for k, v in value.items()))
    if isinstance(value, float) and not value.is_integer():
        return literal(f"{value:.4f}".rstrip("0").rstrip("."))
    if isinstance(value, dt.datetime | Duration):
        return literal(text_of(value))
    return literal(text_of(value)).replace("\n", " ")


def _cell(tag: str, content: str, classes: str = "") -> str:
    extra = f' class="{classes}"' if classes else ""
    return f'<{tag}{extra} markdown="span">{content}</{tag}>'


def table(headers: list[str], rows: list[list[str]], footer: list[str] | None = None,
          caption: str | None = None) -> str:
    """A table of Markdown cells; `headers` and `caption` are inline Markdown too."""
    lines = [_cell("p", caption, "kb-query-group")] if caption else []
    lines.append('<table class="kb-query-table" markdown="1">')
    lines.append('<thead markdown="1"><tr markdown="1">'
                 + "".join(_cell("th", h) for h in headers) + "</tr></thead>")
    lines.append('<tbody markdown="1">')
    lines += ['<tr markdown="1">' + "".join(_cell("td", c) for c in row) + "</tr>" for row in rows]
    lines.append("</tbody>")
    if footer:
        lines.append('<tfoot markdown="1"><tr markdown="1">'
                     + "".join(_cell("td", c) for c in footer) + "</tr></tfoot>")
    lines.append("</table>")
    return "\n".join(lines)


def bullet_list(items: list[str], classes: str = "kb-query-list") -> str:
    return (f'<ul class="{classes}" markdown="1">\n'
            + "\n".join(_cell("li", item) for item in items) + "\n</ul>")


def empty_note() -> str:
    return f'<p class="kb-query-empty">{literal(messages.current()("query.no_results"))}</p>'


def box(classes: str, inner: str, label: str) -> str:
    """The block around a result: a raw HTML block of its own. It holds the result and nothing
    else, so the page's text changes exactly when its queries' results do (compiler.queries)."""
    return (f'<div class="kb-query {classes}" '
            f'aria-label="{_attr(label)}" markdown="1">\n{inner}\n</div>')


def failure(language: str, text: str, message: str) -> str:
    """A query without a result: its text in a box that says why."""
    words = messages.current()
    if language == "dataviewjs":
        title, reason = words("query.javascript_title"), words("query.javascript")
    else:
        title, reason = words("query.failed_title"), message
    body = dialect.joined([literal(reason), dialect.fence(text, language)])
    return dialect.admonition(("failure", "kb-query-failed"), literal(title), body)


def problems_note(messages_shown: list[str]) -> str:
    words = messages.current()
    body = "\n".join(f"- {literal(m)}" for m in messages_shown)
    return dialect.admonition(("warning", "kb-query-problems"), literal(words("query.problems_title")),
                              body, "-")
