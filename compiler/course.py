"""The path through a vault: its course map, where to start, and what to read before and after
each note. Pure functions that return Markdown for the render stage to place.

Everything shown here is declared by the vault, never guessed from its links:

- the reading order is each note's `prerequisites:` property (`compiler.prerequisites`);
- the course map is a note with the property `course: true`. Its sections (the headings of
  its highest level) are the course's steps, in order, and the notes each section links to
  are that step's notes. The note is an ordinary page as well, so Obsidian shows the same map.
- where a beginner starts: the course's notes that declare an empty `prerequisites: []`, in
  course order.

The words a reader sees come from the site's message catalogue (`course.*`, `compiler.messages`).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import messages
from .analysis import NoteMeasures
from .markup import literal, url
from .parse import READ_BEFORE_ANCHOR, READ_NEXT_ANCHOR, Note
from .resolve import Kind, Resolved

COURSE_PROPERTY = "course"


@dataclass(frozen=True)
class Step:
    title: str
    notes: tuple[str, ...]  # vault paths, in the order the course note links them


@dataclass(frozen=True)
class Course:
    path: str  # the note that declares it
    steps: tuple[Step, ...]

    @property
    def notes(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for step in self.steps:
            seen.update(dict.fromkeys(step.notes))
        return tuple(seen)


def course_note(notes: dict[str, Note]) -> str | None:
    """The note declaring `course: true` (the first by path if several do)."""
    return min((p for p, n in notes.items() if n.properties.get(COURSE_PROPERTY) is True),
               default=None)


def read_course(resolved: Resolved) -> Course | None:
    """The steps of the vault's course note: one per heading of its highest level, holding the
    notes linked in that heading's section (each once, in order)."""
    path = course_note(resolved.notes)
    if path is None:
        return None
    note = resolved.notes[path]
    top = min((h.level for h in note.headings), default=0)
    headings = [h for h in note.headings if h.level == top]
    steps = []
    for number, heading in enumerate(headings):
        end = headings[number + 1].line if number + 1 < len(headings) else float("inf")
        linked: dict[str, None] = {}
        for item in resolved.links.get(path, ()):
            if (item.kind is Kind.NOTE and item.path is not None and item.path != path
                    and not item.link.embed and heading.line < item.link.line < end):
                linked.setdefault(item.path)
        steps.append(Step(heading.text, tuple(linked)))
    return Course(path, tuple(steps))


def _link(path: str, page: str, notes: dict[str, Note], pages: dict[str, str]) -> str:
    return f"[{literal(notes[path].title)}]({url(page, pages[path])})"


def course_map(course: Course | None, starts: tuple[str, ...], page: str,
               notes: dict[str, Note], pages: dict[str, str]) -> list[str]:
    """The course map for the top of the home page `page`: each step with its notes, then the
    course's notes that build on no other. Nothing when the vault declares no course."""
    if course is None or not any(step.notes for step in course.steps):
        return []
    words = messages.current()
    lines = [f"## {words('course.title')} {{ #course }}", "", words("course.intro"), ""]
    for step in course.steps:
        shown = " → ".join(_link(p, page, notes, pages) for p in step.notes if p in pages)
        if shown:
            lines.append(f"1. **{literal(step.title)}**: {shown}")
    if course.path in pages:
        lines += ["", f"[{words('course.note')}]({url(page, pages[course.path])})"]
    first = [p for p in course.notes if p in starts and p in pages]
    if first:
        lines += ["", f"### {words('course.start')} {{ #start-here }}", "", words("course.start_intro"), ""]
        lines += [f"- {_link(p, page, notes, pages)}" for p in first]
    return [*lines, ""]


def read_before_section(measures: NoteMeasures, page: str, notes: dict[str, Note],
                        pages: dict[str, str]) -> str:
    """What to read before this note, each after what it needs."""
    shown = [p for p in measures.read_before if p in pages]
    if not shown:
        return ""
    items = "\n".join(f"1. {_link(p, page, notes, pages)}" for p in shown)
    words = messages.current()
    return ("\n\n" + f'<div class="kb-read-before" markdown data-search-exclude="">\n\n'
            f"## {words('render.read_before')} {{ #{READ_BEFORE_ANCHOR} }}\n\n{items}\n\n</div>\n")


def read_next_section(measures: NoteMeasures, page: str, notes: dict[str, Note],
                      pages: dict[str, str], home: str) -> str:
    """The notes that build on this one, for a note in the declared reading order; a note at
    the end of it points back to the home page `home`, where the course map is."""
    if not measures.in_reading_order:
        return ""
    shown = [p for p in measures.read_next if p in pages]
    words = messages.current()
    if shown:
        body = "\n".join(f"- {_link(p, page, notes, pages)}" for p in shown)
    else:
        body = (f"{words('course.read_next_none')} "
                f"[{words('course.back_home')}]({url(page, home)})")
    return ("\n\n" + f'<div class="kb-read-next" markdown data-search-exclude="">\n\n'
            f"## {words('course.read_next')} {{ #{READ_NEXT_ANCHOR} }}\n\n{body}\n\n</div>\n")


def drawn_by(source: str, page: str, pages: dict[str, str]) -> str:
    """Under a regenerated figure shown on another page: a link to the note whose block draws
    it, where its explanation (and any correction of the page showing it) is."""
    if source not in pages or pages[source] == page:
        return ""
    name = source.rpartition("/")[2].removesuffix(".md")
    words = messages.current()
    return f"([{words('course.drawn_by')}: {literal(name)}]({url(page, pages[source])}))"
