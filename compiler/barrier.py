"""The fault barrier: one note can never stop a build.

Whatever goes wrong while one note is parsed or rendered (a bug of ours included) stays with
that note. The note is still published, as a page that shows an error box naming the problem
above the note's text as written; the build report lists an `internal-error` diagnostic
(an error, so `kb build` exits non-zero); every other note is published as usual.

`parse_guarded` wraps the parse of one note, `Faults.page` the rendering of one note's page.
Only `Exception` is caught: an interrupt (Ctrl-C) or an exit still ends the build.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ParamSpec

from . import messages
from .diagnostics import Diagnostic, Severity
from .markup import front_matter, literal, title_heading
from .parse import Note, parse_note

CODE = "internal-error"
_P = ParamSpec("_P")
_PACKAGE = Path(__file__).resolve().parent
_BACKTICKS = re.compile(r"`+")


def _our_frame(exc: BaseException) -> str:
    """Where in the compiler the exception was raised (`compiler/render.py:240`), for the
    bug report; the innermost frame of our own package."""
    where = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        try:
            inside = Path(frame.filename).resolve().relative_to(_PACKAGE.parent)
        except ValueError:
            continue
        if inside.parts[0] == _PACKAGE.name:
            where = f"{inside.as_posix()}:{frame.lineno}"
    return where


def internal_error(path: str, stage: str, exc: Exception) -> Diagnostic:
    """The diagnostic of a failure inside the compiler while handling one note. The line is
    the exception's own `line` attribute when it carries one (1-based), else 0."""
    line = getattr(exc, "line", 0)
    line = line if isinstance(line, int) and line > 0 else 0
    message = str(exc).strip() or "(no message)"
    where = _our_frame(exc)
    hint = ("a bug in kb, not in the note: the page shows the note's text as written; "
            "please report it with this note" + (f" (raised at {where})" if where else ""))
    return Diagnostic(path, line, 1 if line else 0, Severity.ERROR, CODE,
                      f"{stage} failed on this note: {type(exc).__name__}: {message}", hint)


def failed(note: Note) -> Diagnostic | None:
    """The note's internal error from an earlier stage (its parse), if it had one."""
    return next((d for d in note.diagnostics if d.code == CODE), None)


def parse_guarded(path: str, parse: Callable[[str, bytes], Note], data: bytes) -> Note:
    """`parse(path, data)`, or, when it raises, a note with no links, headings or properties
    that keeps the text as written and carries the internal error (the render stage then
    publishes it as an error page)."""
    try:
        return parse(path, data)
    except Exception as exc:  # the barrier: any failure of ours stays with this note
        problem = internal_error(path, "parsing", exc)
    empty = parse_note(path, b"")
    text = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    return replace(empty, source=text, body_start=0, diagnostics=(problem,))


def _fenced(text: str) -> str:
    ticks = "`" * max(3, max((len(r) for r in _BACKTICKS.findall(text)), default=0) + 1)
    return f"{ticks}text\n{text.rstrip()}\n{ticks}"


def error_page(note: Note, problem: Diagnostic) -> str:
    """The page of a note the compiler could not handle: its title, a box naming the
    problem, and the note's text as written (in a code block, so nothing of it is lost
    and nothing in it is interpreted)."""
    words = messages.current()
    box = (f'!!! danger "{literal(words("barrier.title"))}"\n\n'
           f"    {literal(problem.message)}\n\n"
           f"    {literal(words('barrier.explanation'))}\n")
    body = f"\n{_fenced(note.source)}\n" if note.source.strip() else ""
    return f"{front_matter(note.title)}{title_heading(note.title)}\n\n{box}{body}"


@dataclass
class Faults:
    """The notes whose page could not be rendered, collected over one render stage."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def page(self, note: Note, render: Callable[_P, str], *args: _P.args,
             **kwargs: _P.kwargs) -> str:
        """`render(*args, **kwargs)`, the note's staged page; or its error page when it
        raises or when the note could not be parsed."""
        if (earlier := failed(note)) is not None:  # reported by the parse stage already
            return error_page(note, earlier)
        try:
            return render(*args, **kwargs)
        except Exception as exc:  # the barrier: any failure of ours stays with this note
            problem = internal_error(note.path, "rendering", exc)
        self.diagnostics.append(problem)
        return error_page(note, problem)
