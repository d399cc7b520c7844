"""Dataview's query language (DQL), the subset a build can evaluate, over the facts table.

`LIST`, `TABLE` (with `AS` and `WITHOUT ID`) and `TASK`; `FROM` tags, folders, files, links
to a note (`[[note]]`, `[[]]` for this one) and from it (`outgoing([[note]])`), negated with
`-` or `!`, combined with `and` / `or` and parentheses; then `WHERE`, `SORT`, `GROUP BY`,
`FLATTEN` and `LIMIT` in the order written, as Dataview runs them. `CALENDAR`, JavaScript
lambdas and what the subset lacks are `Unsupported`, with their place in the query.

Pure: query text + facts in, plain data (`QueryResult`) out; `compiler.forms.dataview` writes
the page from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .expr import (
    DATAVIEW,
    Expr,
    Link,
    Page,
    QueryError,
    Scope,
    Unsupported,
    evaluate,
    link_to,
    parse,
    parse_prefix,
    sort_key,
    task_object,
    truthy,
)
from .facts import Facts, NoteFacts
from .functions import first_unsupported

MAX_ROWS = 5000


@dataclass(frozen=True)
class Field:
    expr: Expr
    text: str  # as written
    name: str  # the column's header: AS name, else the text
    offset: int = 0  # of the expression in the query text


@dataclass(frozen=True)
class Clause:
    keyword: str  # FROM, WHERE, SORT, GROUP BY, FLATTEN, LIMIT
    body: str
    offset: int  # of the body in the query text


@dataclass(frozen=True)
class Query:
    kind: str  # list, table, task
    without_id: bool
    fields: tuple[Field, ...]
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class ResultRow:
    id: object  # the page's link, or the group's key (None: WITHOUT ID)
    values: tuple[object, ...]


@dataclass(frozen=True)
class TaskItem:
    path: str
    text: str
    status: str
    line: int


@dataclass(frozen=True)
class QueryResult:
    kind: str  # list, table, task
    headers: tuple[str, ...]  # the columns after the id column
    id_header: str | None  # "file" or "group" (a catalogue word), None: WITHOUT ID
    rows: tuple[ResultRow, ...] = ()
    tasks: tuple[TaskItem, ...] = ()
    total: int = 0


_CLAUSE = re.compile(r"(?<![\w.-])(FROM|WHERE|SORT|GROUP\s+BY|FLATTEN|LIMIT)(?![\w-])", re.IGNORECASE)
_SKIP = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|\[\[[^\]]*\]\]|`[^`]*`')


def _without_comments(text: str) -> str:
    """`// comment` lines blanked (their length kept, so offsets still point into the text)."""
    return "\n".join(" " * len(line) if line.lstrip().startswith("//") else line
                     for line in text.split("\n"))


def _clause_starts(text: str) -> list[re.Match[str]]:
    hidden = _SKIP.sub(lambda m: " " * len(m.group(0)), text)
    return list(_CLAUSE.finditer(hidden))


def _fields(text: str, offset: int, table: bool) -> tuple[Field, ...]:
    found: list[Field] = []
    rest, at = text, offset
    while rest.strip():
        lead = len(rest) - len(rest.lstrip())
        rest, at = rest.lstrip(), at + lead
        try:
            node, end = parse_prefix(rest, DATAVIEW)
        except QueryError as error:
            raise QueryError(error.message, at + error.pos) from None
        if (unsupported := first_unsupported(node, DATAVIEW)) is not None:
            raise Unsupported(unsupported.name, at + unsupported.pos)
        written = rest[:end].strip()
        name = written
        tail = rest[end:]
        alias = re.match(r'\s*AS\s+("(?:[^"\\]|\\.)*"|[^\s,]+)', tail, re.IGNORECASE)
        if alias:
            name = alias.group(1).strip('"')
            tail = tail[alias.end():]
        found.append(Field(node, written, name, at))
        stripped = tail.lstrip()
        if not stripped:
            break
        if not table or not stripped.startswith(","):
            raise QueryError(f"unexpected {stripped.split()[0]!r}",
                             at + len(rest) - len(stripped))
        consumed = len(rest) - len(stripped) + 1
        rest, at = stripped[1:], at + consumed
    return tuple(found)


def parse_query(text: str) -> Query:
    """A query's parts; QueryError (with an offset in `text`) when it cannot be read."""
    clean = _without_comments(text)
    head = re.match(r"\s*(LIST|TABLE|TASK|CALENDAR)\b(\s+WITHOUT\s+ID\b)?", clean, re.IGNORECASE)
    if not head:
        word = clean.strip().split()[0] if clean.strip() else ""
        raise QueryError(f"a query starts with LIST, TABLE or TASK, not {word!r}",
                         len(clean) - len(clean.lstrip()))
    kind = head.group(1).lower()
    if kind == "calendar":
        raise Unsupported("CALENDAR", head.start(1))
    starts = _clause_starts(clean[head.end():])
    first = head.end() + (starts[0].start() if starts else len(clean) - head.end())
    fields = _fields(clean[head.end():first], head.end(), kind == "table") \
        if kind != "task" and clean[head.end():first].strip() else ()
    if kind == "task" and clean[head.end():first].strip():
        raise QueryError("TASK takes no fields", head.end())
    if kind == "list" and len(fields) > 1:
        raise QueryError("LIST shows one value", head.end())
    clauses = []
    for index, found in enumerate(starts):
        begin = head.end() + found.end()
        end = head.end() + starts[index + 1].start() if index + 1 < len(starts) else len(clean)
        keyword = re.sub(r"\s+", " ", found.group(1).upper())
        clauses.append(Clause(keyword, clean[begin:end], begin))
    return Query(kind, bool(head.group(2)), fields, tuple(clauses))


# -- FROM --

_SOURCE_TOKEN = re.compile(r"""\s*(?:
    (?P<tag>\#[^\s()#,"]+)
  | (?P<folder>"(?:[^"\\]|\\.)*")
  | (?P<outgoing>outgoing\(\s*\[\[(?P<out>[^\]]*)\]\]\s*\))
  | (?P<link>\[\[(?P<target>[^\]]*)\]\])
  | (?P<op>and\b|or\b|AND\b|OR\b|-|!|\(|\))
)""", re.VERBOSE)


def _source_tokens(body: str, offset: int) -> list[tuple[str, str, int]]:
    found, at = [], 0
    while body[at:].strip():
        match = _SOURCE_TOKEN.match(body, at)
        if not match:
            where = at + len(body[at:]) - len(body[at:].lstrip())
            raise QueryError(f"FROM reads tags, \"folders\", [[links]] and outgoing([[links]]), "
                             f"not {body[where:].split()[0]!r}", offset + where)
        kind = next(k for k in ("tag", "folder", "outgoing", "link", "op") if match.group(k))
        value = {"tag": match.group("tag"), "folder": (match.group("folder") or "")[1:-1],
                 "outgoing": match.group("out"), "link": match.group("target"),
                 "op": (match.group("op") or "").lower()}[kind]
        found.append((kind, value, offset + match.start(kind)))
        at = match.end()
    return found


class _Sources:
    """`FROM`'s little language: or < and < negation < atom."""

    def __init__(self, tokens: list[tuple[str, str, int]], facts: Facts, this: NoteFacts | None):
        self.tokens, self.at, self.facts, self.this = tokens, 0, facts, this

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def either(self) -> set[str]:
        found = self.both()
        while (token := self.peek()) and token == ("op", "or", token[2]):
            self.at += 1
            found |= self.both()
        return found

    def both(self) -> set[str]:
        found = self.negated()
        while (token := self.peek()) and token[0] == "op" and token[1] == "and":
            self.at += 1
            found &= self.negated()
        return found

    def negated(self) -> set[str]:
        token = self.peek()
        if token and token[0] == "op" and token[1] in ("-", "!"):
            self.at += 1
            return set(self.facts.notes) - self.negated()
        return self.atom()

    def atom(self) -> set[str]:
        token = self.peek()
        if token is None:
            raise QueryError("FROM needs a source", self.tokens[-1][2] if self.tokens else 0)
        self.at += 1
        kind, value, pos = token
        notes = self.facts.notes
        if kind == "op" and value == "(":
            found = self.either()
            closing = self.peek()
            if not closing or closing[1] != ")":
                raise QueryError("a '(' is not closed", pos)
            self.at += 1
            return found
        if kind == "tag":
            name = value[1:].casefold()
            return {p for p, n in notes.items()
                    if any(t.casefold() == name or t.casefold().startswith(name + "/") for t in n.tags)}
        if kind == "folder":
            folder = value.strip("/")
            inside = {p for p in notes if p.startswith(folder + "/") or not folder}
            if inside:
                return inside
            file = self.facts.find(folder)
            return {file} if file else set()
        if kind in ("link", "outgoing"):
            target = self.this.path if (not value.strip() or value.strip() == "#") and self.this \
                else self.facts.find(value)
            if target is None:
                return set()
            if kind == "link":
                return set(notes[target].inlinks) if target in notes else set()
            return {p for p in notes[target].links if p in notes} if target in notes else set()
        raise QueryError(f"unexpected {value!r} in FROM", pos)


def select_sources(body: str, offset: int, facts: Facts, this: NoteFacts | None) -> set[str]:
    tokens = _source_tokens(body, offset)
    reader = _Sources(tokens, facts, this)
    found = reader.either()
    if reader.peek() is not None:
        raise QueryError(f"unexpected {reader.peek()[1]!r} in FROM", reader.peek()[2])
    return found


# -- running --

def _scope(facts: Facts, this: NoteFacts | None, row: Page) -> Scope:
    return Scope(facts, DATAVIEW, row.note, this, dict(row.extra))


def _value(expr: Expr, facts: Facts, this: NoteFacts | None, row: Page, offset: int) -> object:
    try:
        return evaluate(expr, _scope(facts, this, row))
    except Unsupported as error:
        raise Unsupported(error.name, offset + error.pos) from None
    except QueryError as error:
        raise QueryError(error.message, offset + error.pos) from None


def _expression(text: str, offset: int) -> Expr:
    if not text.strip():
        raise QueryError("an expression is missing here", offset)
    lead = len(text) - len(text.lstrip())
    try:
        node = parse(text.strip(), DATAVIEW)
    except QueryError as error:
        if "=>" in text:  # a JavaScript-style lambda: the subset does not read them
            raise Unsupported("lambda (x) =>", offset + text.index("=>")) from None
        raise QueryError(error.message, offset + lead + error.pos) from None
    if (unsupported := first_unsupported(node, DATAVIEW)) is not None:
        raise Unsupported(unsupported.name, offset + lead + unsupported.pos)
    return node


def run_query(text: str, facts: Facts, this: str | None = None) -> QueryResult:
    """The query's result; QueryError / Unsupported (offsets in `text`) when it has none."""
    query = parse_query(text)
    here = facts.notes.get(this) if this else None
    clauses = list(query.clauses)
    sources = set(facts.notes)
    if clauses and clauses[0].keyword == "FROM":
        sources = select_sources(clauses[0].body, clauses[0].offset, facts, here)
        clauses = clauses[1:]
    rows: list[Page] = []
    for path in sorted(sources):
        note = facts.notes[path]
        if query.kind == "task":
            rows += [Page(note, task_object(note, task)) for task in note.tasks]
        else:
            rows.append(Page(note))
    grouped = False
    for clause in clauses:
        rows, grouped = _apply(clause, rows, grouped, facts, here)
    total = len(rows)
    rows = rows[:MAX_ROWS]
    if query.kind == "task":
        return _task_result(rows, total)
    return _page_result(query, rows, grouped, facts, here, total)


def _apply(clause: Clause, rows: list[Page], grouped: bool, facts: Facts,
           this: NoteFacts | None) -> tuple[list[Page], bool]:
    keyword, body, offset = clause.keyword, clause.body, clause.offset
    if keyword == "FROM":
        raise QueryError("FROM comes right after the query type", offset)
    if keyword == "WHERE":
        condition = _expression(body, offset)
        return [r for r in rows if truthy(_value(condition, facts, this, r, offset))], grouped
    if keyword == "LIMIT":
        try:
            count = int(body.strip())
        except ValueError:
            raise QueryError("LIMIT takes a number", offset) from None
        return rows[:max(count, 0)], grouped
    if keyword == "SORT":
        keys = []
        for part in _split_top(body):
            text, part_offset = part
            direction = re.search(r"\s+(ASC|ASCENDING|DESC|DESCENDING)\s*$", text, re.IGNORECASE)
            descending = bool(direction and direction.group(1).upper().startswith("DESC"))
            expression = text[:direction.start()] if direction else text
            keys.append((_expression(expression, offset + part_offset), descending,
                         offset + part_offset))
        for expr, descending, at in reversed(keys):
            rows = sorted(rows, key=lambda r, e=expr, a=at: sort_key(_value(e, facts, this, r, a)),
                          reverse=descending)
        return rows, grouped
    named = re.match(r"(?s)(.*?)\s+AS\s+(\"[^\"]*\"|[\w-]+)\s*$", body, re.IGNORECASE)
    expression_text = named.group(1) if named else body
    expr = _expression(expression_text, offset)
    name = named.group(2).strip('"') if named else expression_text.strip()
    if keyword == "FLATTEN":
        flattened = []
        for row in rows:
            value = _value(expr, facts, this, row, offset)
            for item in value if isinstance(value, list) and value else [value]:
                flattened.append(Page(row.note, {**row.extra, name: item}))
        return flattened, grouped
    if keyword == "GROUP BY":
        groups: dict[str, tuple[object, list[Page]]] = {}
        for row in rows:
            value = _value(expr, facts, this, row, offset)
            groups.setdefault(repr(sort_key(value)), (value, []))[1].append(row)
        ordered = sorted(groups.values(), key=lambda g: sort_key(g[0]))
        return [Page(None, {name: key, "key": key, "rows": members})
                for key, members in ordered], True
    raise QueryError(f"{keyword} is not supported", offset)


def _split_top(body: str) -> list[tuple[str, int]]:
    """Comma-separated parts outside brackets and strings, with their offsets."""
    parts, depth, start, quote = [], 0, 0, ""
    for index, char in enumerate(body):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append((body[start:index], start))
            start = index + 1
    parts.append((body[start:], start))
    return [(text, at) for text, at in parts if text.strip()]


def _task_result(rows: list[Page], total: int) -> QueryResult:
    items = []
    for row in rows:
        extra = row.extra if "rows" not in row.extra else {}
        members = row.extra.get("rows") if "rows" in row.extra else [row]
        for member in members if isinstance(members, list) else []:
            data = member.extra if isinstance(member, Page) else extra
            if isinstance(data, dict) and "text" in data:
                items.append(TaskItem(str(data.get("path")), str(data["text"]),
                                      str(data.get("status", " ")), int(data.get("line", 0))))
    return QueryResult("task", (), None, tasks=tuple(items), total=total)


def _page_result(query: Query, rows: list[Page], grouped: bool, facts: Facts,
                 this: NoteFacts | None, total: int) -> QueryResult:
    results = []
    for row in rows:
        values = tuple(_value(f.expr, facts, this, row, f.offset) for f in query.fields)
        if grouped:
            identity: object = row.extra.get("key")
        else:
            identity = link_to(row.note.path, facts) if row.note is not None else None
        results.append(ResultRow(None if query.without_id else identity, values))
    id_header = None if query.without_id else ("group" if grouped else "file")
    return QueryResult(query.kind, tuple(f.name for f in query.fields), id_header,
                       tuple(results), total=total)


def inline_value(text: str, facts: Facts, this: str) -> object:
    """An inline query `= expression`, evaluated on the note that holds it."""
    expr = _expression(text, 0)
    note = facts.notes.get(this)
    return _value(expr, facts, note, Page(note), 0)


__all__ = ["Link", "QueryResult", "ResultRow", "TaskItem", "inline_value", "parse_query",
           "run_query"]
