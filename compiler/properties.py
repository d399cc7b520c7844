"""A note's properties (YAML front matter) as the page shows them, like Obsidian's reading view:
a compact box under the title, one `key: value` row per property; links clickable, tags as
tag links, dates readable, booleans as checkboxes, lists as items. Properties that shape the
page rather than describe the note (`title`, `publish`, `cssclasses`) are not listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import messages
from .markup import literal
from .parse import Note
from .resolve import ResolvedLink
from .tagindex import tag_link

HIDDEN = frozenset({"title", "publish", "cssclasses", "cssclass"})
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?$")
_URL = re.compile(r"^https?://\S+$")
_CSS_CLASS = re.compile(r"^-?[A-Za-z_][\w-]*$")


def css_classes(note: Note) -> tuple[str, ...]:
    """The `cssclasses` property (or the older `cssclass`): a list or a string of names."""
    value = note.properties.get("cssclasses", note.properties.get("cssclass"))
    items = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    names = [name for item in items if isinstance(item, str) for name in item.replace(",", " ").split()]
    return tuple(dict.fromkeys(n for n in names if _CSS_CLASS.match(n)))


def readable_date(text: str) -> str | None:
    """`2024-01-02` -> `January 2, 2024` (`2024년 1월 2일`), in the site's language, with the
    time when there is one; None if no date."""
    match = _DATE.match(text)
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    year, month, day, hour, minute = match.groups()
    shown = messages.current().date(int(year), int(month), int(day))
    return f"{shown} {hour}:{minute}" if hour else shown


class _Values:
    """Renders property values: a property that is a link shows as its resolved link."""

    def __init__(self, note: Note, links: tuple[ResolvedLink, ...], page: str,
                 show_link: Callable[[ResolvedLink], str], tags_page: str | None):
        self.note, self.page, self.show_link, self.tags_page = note, page, show_link, tags_page
        self.links = {item.link.raw: item for item in reversed(links)
                      if item.link.style == "property"}

    def value(self, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            checked = " checked" if value else ""
            return f'<input type="checkbox" disabled{checked} aria-label="{str(value).lower()}">'
        if isinstance(value, int | float):
            return literal(str(value))
        if isinstance(value, list):
            return " ".join(f'<span class="kb-property-item">{self.value(v)}</span>'
                            for v in value if v is not None)
        if isinstance(value, dict):
            return "; ".join(f"{literal(str(k))}: {self.value(v)}" for k, v in value.items())
        text = str(value)
        if (link := self.links.get(text.strip())) is not None:
            return self.show_link(link)
        if (date := readable_date(text)) is not None:
            return f'<time datetime="{text}">{date}</time>'
        if _URL.match(text) and ">" not in text:
            return f"<{text}>"
        return literal(text).replace("\n", " ")

    def tags(self) -> str:
        shown = [tag_link(t.name, self.page, self.tags_page) if self.tags_page
                 else literal("#" + t.name) for t in self.note.tags if t.start < 0]
        return " ".join(f'<span class="kb-property-item">{t}</span>' for t in shown)


def properties_box(note: Note, links: tuple[ResolvedLink, ...], page: str,
                   show_link: Callable[[ResolvedLink], str], tags_page: str | None = None) -> str:
    """The box of properties under the title of `page`; "" when there is nothing to show.
    A property that is a link is shown by `show_link` (the page's way of drawing links)."""
    values = _Values(note, links, page, show_link, tags_page)
    rows = []
    for key, value in note.properties.items():
        if key in HIDDEN:
            continue
        shown = values.tags() if key in ("tags", "tag") else values.value(value)
        rows.append(f'<div class="kb-property" markdown="span"><span class="kb-property-key">'
                    f'{literal(key)}</span><span class="kb-property-value">{shown}</span></div>')
    if not rows:
        return ""
    return '<div class="kb-properties" markdown data-search-exclude="">\n' + "\n".join(rows) + "\n</div>\n\n"
