"""The query stage: every base and Dataview query of the vault evaluated once, before render.

It finds ```` ```base ````, ```` ```dataview ```` and ```` ```dataviewjs ```` fences, inline
queries `` `= expression` `` (and `` `$= js` ``), and embeds of `.base` files, evaluates them
over the facts table (`compiler.facts`) and returns plain results by place, with one diagnostic
per problem at its file, line and column. The forms `compiler.forms.bases` and
`compiler.forms.dataview` draw the results; a query that cannot be evaluated is drawn as its
text in a box that says why, never as an empty view.

Correct under change: each query runs over `compiler.reads.TrackedFacts`, which records the
facts it reads (the list of notes when it goes through them all, the facts that decide which
notes match, the facts it shows of them, `this` note's, the clock). With a `QueryCache` (kept in
memory by `kb serve`, in the cache folder by `kb build`) a query is evaluated again only when
one of those reads gives another value; else its kept result is used. A page's text is written
from its queries' results alone, so it changes when they do, and only then.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from . import bases, dataview
from .diagnostics import Diagnostic, Severity
from .expr import QueryError, Unsupported
from .facts import Facts
from .parse import parse_tokens
from .query_cache import Evaluation, QueryCache, QueryKey
from .reads import FactValues, Reads, TrackedFacts, detached
from .resolve import Kind, Resolved

BASE_SUFFIX = ".base"
FENCES = ("base", "dataview", "dataviewjs")


@dataclass(frozen=True)
class Failed:
    """A query with no result: shown as its text, with the reason."""
    language: str  # base, dataview, dataviewjs
    text: str
    message: str


@dataclass(frozen=True)
class Inline:
    value: object


Shown = bases.BaseOutcome | dataview.QueryResult | Failed | Inline


@dataclass(frozen=True)
class Queries:
    fences: dict[tuple[str, int], Shown] = field(default_factory=dict)  # (note, 0-based line)
    embeds: dict[tuple[str, str, str | None], Shown] = field(default_factory=dict)  # (note, base, view)
    inline: dict[tuple[str, str], Shown] = field(default_factory=dict)  # (note, code span text)
    sources: dict[tuple[str, int], str] = field(default_factory=dict)  # a fence's query text
    diagnostics: tuple[Diagnostic, ...] = ()
    evaluated: int = 0  # how many were evaluated (the others came from the cache unchanged)


def _place(text: str, offset: int) -> tuple[int, int]:
    """0-based line and 1-based column of an offset in a query's text."""
    before = text[:max(0, min(offset, len(text)))]
    return before.count("\n"), len(before) - (before.rfind("\n") + 1) + 1


class _Collector:
    """The queries of one build: each evaluated over the tracked facts, or taken from `cache`
    when nothing it read changed."""

    def __init__(self, facts: Facts, cache: QueryCache):
        self.facts, self.cache = facts, cache
        self.values = FactValues(facts)
        self.diagnostics: dict[tuple, Diagnostic] = {}

    def add(self, diagnostic: Diagnostic) -> None:
        key = (diagnostic.path, diagnostic.line, diagnostic.col, diagnostic.code)
        self.diagnostics.setdefault(key, diagnostic)

    def outcome(self, key: QueryKey, language: str, text: str, path: str, line: int,
                evaluate: Callable[[_Run], Shown]) -> Shown:
        """One query's result, evaluated (a bug of kb in it is that query's problem, not the
        build's) unless the cache holds it."""
        found = self.cache.get(key, self.values)
        if found is None:
            reads = Reads()
            run = _Run(TrackedFacts(self.facts, reads), [])
            try:
                shown = evaluate(run)
            except Exception as exc:  # the build goes on; the box and the report say why
                run.diagnostics.append(Diagnostic(
                    path, line, 1, Severity.ERROR, "internal-error",
                    f"kb failed on this query: {type(exc).__name__}: {exc}",
                    "this is a bug in kb; the page shows the query's text"))
                shown = Failed(language, text, f"{type(exc).__name__}: {exc}")
            found = Evaluation(detached(shown), tuple(run.diagnostics))
            self.cache.put(key, found, self.values.dependencies(reads))
        for diagnostic in found.diagnostics:
            self.add(diagnostic)
        return found.shown

    def base(self, text: str, path: str, first_line: int, this: str,
             view: str | None = None) -> Shown:
        """`first_line`: the 1-based line of the YAML's first line in `path`."""
        return self.outcome(("base", text, path, str(first_line), this, view or ""), "base",
                            text, path, first_line,
                            lambda run: run.base(text, path, first_line, this, view))

    def dataview(self, text: str, path: str, first_line: int, this: str) -> Shown:
        return self.outcome(("dataview", text, path, str(first_line), this), "dataview", text,
                            path, first_line, lambda run: run.dataview(text, path, first_line, this))

    def inline(self, code: str, path: str, line: int, col: int) -> Shown:
        return self.outcome(("inline", code, path, str(line), str(col)), "dataview", code, path,
                            line, lambda run: run.inline(code, path, line, col))


@dataclass
class _Run:
    """One query's evaluation over the facts it reads through, and its diagnostics."""
    facts: TrackedFacts
    diagnostics: list[Diagnostic]

    def add(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def base(self, text: str, path: str, first_line: int, this: str,
             view: str | None = None) -> Shown:
        outcome = bases.evaluate_base(text, self.facts, this, view)
        for problem in outcome.problems:
            line, col = first_line + problem.line - 1, problem.col
            if problem.code == "unsupported-base-function":
                self.add(Diagnostic(path, line, col, Severity.WARNING, "unsupported-base-function",
                                    problem.message, "the view shows what a build can evaluate"))
            else:
                self.add(Diagnostic(path, line, col, Severity.ERROR, "invalid-base",
                                    problem.message, "see Obsidian's help: Bases syntax"))
        if not outcome.views:
            return Failed("base", text, "; ".join(p.message for p in outcome.problems))
        return outcome

    def dataview(self, text: str, path: str, first_line: int, this: str) -> Shown:
        try:
            return dataview.run_query(text, self.facts, this)
        except QueryError as error:
            line, col = _place(text, error.pos)
            if isinstance(error, Unsupported):
                self.add(Diagnostic(path, first_line + line, col, Severity.WARNING,
                                    "unsupported-query", f"Dataview: {error.message}",
                                    "the page shows the query's text"))
            else:
                self.add(Diagnostic(path, first_line + line, col, Severity.ERROR,
                                    "invalid-query", f"Dataview: {error.message}",
                                    "see Dataview's reference: queries/structure"))
            return Failed("dataview", text, error.message)

    def inline(self, code: str, path: str, line: int, col: int) -> Shown:
        if code.startswith("$="):
            self.add(Diagnostic(path, line, col, Severity.WARNING, "unsupported-query",
                                "Dataview: an inline JavaScript query runs only in the app",
                                "the page shows its text"))
            return Failed("dataviewjs", code, "JavaScript")
        try:
            return Inline(dataview.inline_value(code[1:], self.facts, path))
        except Unsupported as error:
            self.add(Diagnostic(path, line, col + 1 + error.pos, Severity.WARNING,
                                "unsupported-query", f"Dataview: {error.message}",
                                "the page shows the query's text"))
            return Failed("dataview", code, error.message)
        except QueryError as error:
            # Code that merely starts with `=` (`=x`, `= =`) in a vault that may not use
            # Dataview at all: it stays code, and is not reported.
            return Failed("code", code, error.message)


_QUERY_MARK = re.compile(r"^[ \t>]*(?:```|~~~)[ \t]*(?:base|dataview|dataviewjs)\b|`\$?="
                         r"|\.base\b", re.MULTILINE | re.IGNORECASE)


def _may_query(source: str) -> bool:
    """A cheap look for a query fence, an inline query or a `.base` embed."""
    return _QUERY_MARK.search(source) is not None


def has_queries(resolved: Resolved) -> bool:
    """Whether any note may hold a query (then the facts are worth gathering)."""
    return any(_may_query(note.source) for note in resolved.notes.values())


def evaluate_queries(resolved: Resolved, facts: Facts, cache: QueryCache | None = None) -> Queries:
    """Every query of the notes in `resolved` (the published ones), over `facts`; those whose
    reads are unchanged since `cache` kept them are not evaluated again."""
    cache = cache if cache is not None else QueryCache()
    evaluated_before = cache.evaluated
    collect = _Collector(facts, cache)
    fences: dict[tuple[str, int], Shown] = {}
    sources: dict[tuple[str, int], str] = {}
    inline: dict[tuple[str, str], Shown] = {}
    embeds: dict[tuple[str, str, str | None], Shown] = {}
    base_texts: dict[str, str] = {}
    for path, note in resolved.notes.items():
        if not _may_query(note.source):
            continue
        for token in parse_tokens(note.source):
            if token.type == "fence" and token.map:
                language = token.info.strip().split(" ")[0].lower() if token.info.strip() else ""
                if language not in FENCES:
                    continue
                first = token.map[0] + 2  # the query's first line, 1-based
                sources[(path, token.map[0])] = token.content
                if language == "base":
                    fences[(path, token.map[0])] = collect.base(token.content, path, first, path)
                elif language == "dataview":
                    fences[(path, token.map[0])] = collect.dataview(token.content, path, first, path)
                else:
                    collect.add(Diagnostic(path, token.map[0] + 1, 1, Severity.WARNING,
                                           "unsupported-query",
                                           "dataviewjs runs JavaScript in the app; a build "
                                           "cannot run it", "the page shows the script's text"))
                    fences[(path, token.map[0])] = Failed("dataviewjs", token.content, "JavaScript")
            elif token.type == "inline" and token.map and "`" in token.content:
                for child in token.children or ():
                    code = child.content.strip()
                    if child.type == "code_inline" and is_inline_query(code) \
                            and (path, code) not in inline:
                        line, col = _inline_place(note.source, token.map[0], child.content)
                        inline[(path, code)] = collect.inline(code, path, line, col)
        for item in resolved.links.get(path, ()):
            target = item.path or ""
            if item.link.embed and item.kind is Kind.ATTACHMENT and target.lower().endswith(BASE_SUFFIX):
                view = item.link.fragment or None
                if (path, target, view) in embeds:
                    continue
                if target not in base_texts:
                    base_texts[target] = _read(resolved, target)
                embeds[(path, target, view)] = collect.base(base_texts[target], target, 1, path, view)
    return Queries(fences, embeds, inline, sources, tuple(collect.diagnostics.values()),
                   cache.evaluated - evaluated_before)


def is_inline_query(code: str) -> bool:
    """`= expression` or `$= script`, not `==highlight==` written as code."""
    body = code[1:] if code.startswith("=") else code[2:] if code.startswith("$=") else ""
    return bool(body.strip()) and not body.startswith("=")


def _inline_place(source: str, first_line: int, code: str) -> tuple[int, int]:
    """1-based line and column of an inline code span in its paragraph."""
    lines = source.split("\n")
    for number in range(first_line, len(lines)):
        col = lines[number].find(code)
        if col >= 0:
            return number + 1, col + 1
    return first_line + 1, 1


def _read(resolved: Resolved, path: str) -> str:
    file = resolved.attachments.get(path)
    if file is None:
        return ""
    try:
        return file.source.read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""
