"""The expression language of Bases formulas and filters and of Dataview's DQL: one parser and
one evaluator, with the two dialects' differences named in `Dialect`.

Both languages read the same things (a note's properties and `file.*` facts, links, dates,
durations, lists) with the same operators; Bases writes `a == b`, `a && b`, `x.contains(y)`,
DQL `a = b`, `a and b`, `contains(x, y)`, and each accepts the other's spelling here. A
function a build cannot honour (it needs the app, or is not implemented) raises
`Unsupported` with its position, which the front-ends turn into a diagnostic.

Values are plain Python: None, bool, int, float, str, list, dict, `datetime`, `Duration`,
`Link`, and `FileRef` (a note's file object).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .facts import Facts, NoteFacts
from .filedates import parse_date


class QueryError(Exception):
    """An expression that cannot be read or evaluated; `pos` is an offset in its text."""

    def __init__(self, message: str, pos: int = 0):
        super().__init__(message)
        self.message, self.pos = message, pos


class Unsupported(QueryError):
    """A function (or form) the build does not evaluate."""

    def __init__(self, name: str, pos: int = 0):
        super().__init__(f"{name}() is not supported in a static build", pos)
        self.name = name


@dataclass(frozen=True)
class Dialect:
    name: str  # "bases" or "dataview"
    dashes_in_names: bool  # DQL: `due-date` is one name
    date_difference_is_duration: bool  # DQL: date - date is a duration; Bases: milliseconds
    file_name_has_extension: bool  # Bases: file.name is "Note.md"; DQL: "Note"

    def __reduce__(self) -> tuple:
        return _dialect_named, (self.name,)  # a kept result's dialect is one of the two again


BASES = Dialect("bases", False, False, True)
DATAVIEW = Dialect("dataview", True, True, False)


def _dialect_named(name: str) -> Dialect:
    return DATAVIEW if name == DATAVIEW.name else BASES


# -- values --

@dataclass(frozen=True)
class Link:
    path: str | None  # the note it resolves to; None when it resolves to none
    text: str  # the link as written, without brackets: "Note", "Folder/Note#Heading"
    display: str | None = None

    def __str__(self) -> str:
        if self.display:
            return self.display
        name = self.text.split("#")[0].rsplit("/", 1)[-1] or self.text
        return name.removesuffix(".md")


@dataclass(frozen=True)
class Duration:
    months: int = 0
    delta: dt.timedelta = dt.timedelta()

    def __str__(self) -> str:
        parts = []
        years, months = divmod(self.months, 12)
        seconds = int(self.delta.total_seconds())
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
        for amount, unit in ((years, "year"), (months, "month"), (days, "day"), (hours, "hour"),
                             (minutes, "minute"), (seconds, "second")):
            if amount:
                parts.append(f"{amount} {unit}{'s' if amount != 1 else ''}")
        return ", ".join(parts) or "0 seconds"

    def milliseconds(self) -> float:
        return self.months * 30 * 86400000 + self.delta.total_seconds() * 1000


@dataclass(frozen=True)
class FileRef:
    note: NoteFacts
    dialect: Dialect = BASES


_UNITS = {"y": "years", "yr": "years", "yrs": "years", "year": "years", "years": "years",
          "M": "months", "mo": "months", "month": "months", "months": "months",
          "w": "weeks", "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks",
          "d": "days", "day": "days", "days": "days",
          "h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours",
          "m": "minutes", "min": "minutes", "mins": "minutes", "minute": "minutes",
          "minutes": "minutes", "s": "seconds", "sec": "seconds", "secs": "seconds",
          "second": "seconds", "seconds": "seconds", "ms": "milliseconds"}
_DURATION_PART = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*,?\s*(?:and\s+)?")


def parse_duration(text: str) -> Duration | None:
    """`1M`, `4h`, `1 day`, `2 weeks, 3 days` -> a Duration; None if it is not one."""
    text = text.strip()
    position, months, delta = 0, 0, dt.timedelta()
    if not text:
        return None
    while position < len(text):
        found = _DURATION_PART.match(text, position)
        if not found:
            return None
        amount, unit = float(found.group(1)), found.group(2)
        name = _UNITS.get(unit) or _UNITS.get(unit.lower() if unit not in ("M", "m") else unit)
        if name is None:
            return None
        if name == "years":
            months += int(amount * 12)
        elif name == "months":
            months += int(amount)
        else:
            delta += dt.timedelta(**{name: amount})
        position = found.end()
    return Duration(months, delta)


def add_months(when: dt.datetime, months: int) -> dt.datetime:
    year, month = divmod(when.month - 1 + months, 12)
    year += when.year
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31,
            30, 31, 31, 30, 31, 30, 31][month]
    return when.replace(year=year, month=month + 1, day=min(when.day, days))


def shift(when: dt.datetime, by: Duration, sign: int = 1) -> dt.datetime:
    return add_months(when, sign * by.months) + sign * by.delta


def as_date(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.match(r"\d{4}-\d{2}(?:-\d{2})?", value.strip()):
        text = value.strip()
        return parse_date(text if len(text) > 7 else text + "-01")
    return None


# -- reading an expression --

@dataclass(frozen=True)
class Expr:
    kind: str  # lit, name, get, index, call, method, unary, bin, list, obj
    pos: int
    args: tuple = ()


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<link>!?\[\[[^\[\]\n]*\]\])
  | (?P<number>\d+(?:\.\d+)?(?![A-Za-z_]))
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/%<>=!(),.\[\]{}:])
""", re.VERBOSE)
_NAME = re.compile(r"[^\W\d][\w]*", re.UNICODE)
_NAME_DASHED = re.compile(r"[^\W\d][\w-]*", re.UNICODE)
_DATE_LITERAL = re.compile(
    r"date\(\s*(today|now|tomorrow|yesterday|sow|eow|som|eom|soy|eoy|"
    r"\d{4}-\d{2}(?:-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)?)\s*\)")
_DUR_LITERAL = re.compile(r"dur\(\s*((?:-?\d+(?:\.\d+)?\s*[A-Za-z]+\s*,?\s*)+)\)")


@dataclass(frozen=True)
class _Tok:
    kind: str  # name, number, string, link, op, date, dur, end
    text: str
    pos: int
    value: object = None


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def tokens(text: str, dialect: Dialect) -> list[_Tok]:
    found, position = [], 0
    name_pattern = _NAME_DASHED if dialect.dashes_in_names else _NAME
    while position < len(text):
        if dialect is DATAVIEW and (literal := _DATE_LITERAL.match(text, position)):
            found.append(_Tok("date", literal.group(0), position, literal.group(1)))
            position = literal.end()
            continue
        if dialect is DATAVIEW and (literal := _DUR_LITERAL.match(text, position)):
            found.append(_Tok("dur", literal.group(0), position, parse_duration(literal.group(1))))
            position = literal.end()
            continue
        if name := name_pattern.match(text, position):
            word = name.group(0).rstrip("-")
            found.append(_Tok("name", word, position))
            position += len(word)
            continue
        match = _TOKEN.match(text, position)
        if not match:
            raise QueryError(f"unexpected character {text[position]!r}", position)
        kind = match.lastgroup or ""
        if kind != "space":
            body = match.group(0)
            value: object = None
            if kind == "string":
                value = _unescape(body[1:-1])
            elif kind == "number":
                value = float(body) if "." in body else int(body)
            found.append(_Tok(kind, body, position, value))
        position = match.end()
    found.append(_Tok("end", "", len(text)))
    return found


_BINARY = {  # operator -> precedence
    "||": 1, "or": 1, "&&": 2, "and": 2,
    "==": 3, "!=": 3, "=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4,
    "+": 5, "-": 5, "*": 6, "/": 6, "%": 6,
}
_CANONICAL = {"or": "||", "and": "&&", "=": "=="}


class _Parser:
    def __init__(self, text: str, dialect: Dialect):
        self.text, self.items, self.at = text, tokens(text, dialect), 0

    def peek(self) -> _Tok:
        return self.items[self.at]

    def take(self) -> _Tok:
        token = self.items[self.at]
        self.at += 1
        return token

    def expect(self, text: str) -> _Tok:
        token = self.take()
        if token.text != text:
            raise QueryError(f"expected {text!r}, found {token.text or 'the end'!r}", token.pos)
        return token

    def operator(self) -> str | None:
        token = self.peek()
        word = token.text.lower() if token.kind == "name" else token.text
        if token.kind in ("op", "name") and word in _BINARY:
            return word
        return None

    def expression(self, floor: int = 1) -> Expr:
        left = self.unary()
        while (op := self.operator()) is not None and _BINARY[op] >= floor:
            token = self.take()
            right = self.expression(_BINARY[op] + 1)
            left = Expr("bin", token.pos, (_CANONICAL.get(op, op), left, right))
        return left

    def unary(self) -> Expr:
        token = self.peek()
        if token.text in ("!", "-") and token.kind == "op":
            self.take()
            return Expr("unary", token.pos, (token.text, self.unary()))
        return self.postfix(self.primary())

    def arguments(self) -> tuple[Expr, ...]:
        self.expect("(")
        found = []
        while self.peek().text != ")":
            found.append(self.expression())
            if self.peek().text != ",":
                break
            self.take()
        self.expect(")")
        return tuple(found)

    def postfix(self, node: Expr) -> Expr:
        while True:
            token = self.peek()
            if token.text == "." and token.kind == "op":
                self.take()
                name = self.take()
                if name.kind != "name":
                    raise QueryError("expected a name after '.'", name.pos)
                if self.peek().text == "(":
                    node = Expr("method", name.pos, (node, name.text, self.arguments()))
                else:
                    node = Expr("get", name.pos, (node, name.text))
            elif token.text == "[" and token.kind == "op":
                self.take()
                index = self.expression()
                self.expect("]")
                node = Expr("index", token.pos, (node, index))
            else:
                return node

    def primary(self) -> Expr:
        token = self.take()
        if token.kind in ("number", "string"):
            return Expr("lit", token.pos, (token.value,))
        if token.kind == "date":
            return Expr("call", token.pos, ("date", (Expr("lit", token.pos, (token.value,)),)))
        if token.kind == "dur":
            return Expr("lit", token.pos, (token.value,))
        if token.kind == "link":
            return Expr("link", token.pos, (token.text.lstrip("!")[2:-2],))
        if token.kind == "name":
            word = token.text
            if word in ("true", "false"):
                return Expr("lit", token.pos, (word == "true",))
            if word in ("null", "undefined"):
                return Expr("lit", token.pos, (None,))
            if self.peek().text == "(":
                return Expr("call", token.pos, (word, self.arguments()))
            return Expr("name", token.pos, (word,))
        if token.text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if token.text == "[":
            items = []
            while self.peek().text != "]":
                items.append(self.expression())
                if self.peek().text != ",":
                    break
                self.take()
            self.expect("]")
            return Expr("list", token.pos, tuple(items))
        if token.text == "{":
            pairs = []
            while self.peek().text != "}":
                key = self.take()
                self.expect(":")
                pairs.append((str(key.value if key.kind == "string" else key.text), self.expression()))
                if self.peek().text != ",":
                    break
                self.take()
            self.expect("}")
            return Expr("obj", token.pos, tuple(pairs))
        raise QueryError(f"unexpected {token.text or 'end of the expression'!r}", token.pos)


def parse(text: str, dialect: Dialect) -> Expr:
    """An expression's tree; QueryError when it cannot be read."""
    parser = _Parser(text, dialect)
    found = parser.expression()
    if parser.peek().kind != "end":
        rest = parser.peek()
        raise QueryError(f"unexpected {rest.text!r}", rest.pos)
    return found


def parse_prefix(text: str, dialect: Dialect) -> tuple[Expr, int]:
    """The longest expression at the start of `text`, and where it ends (for DQL clauses)."""
    parser = _Parser(text, dialect)
    found = parser.expression()
    return found, parser.peek().pos


# -- evaluating --

@dataclass
class Scope:
    """What names mean while an expression is evaluated."""

    facts: Facts
    dialect: Dialect
    row: NoteFacts | None = None  # the note being tested or shown
    this: NoteFacts | None = None  # the note that holds the query
    names: Mapping[str, object] = field(default_factory=dict)  # value, index, acc, rows...
    # name -> its value for this row (Bases formulas, DQL group keys), computed on demand
    lookup: Callable[[str, Scope], object] | None = None

    def with_names(self, **names: object) -> Scope:
        return Scope(self.facts, self.dialect, self.row, self.this, {**self.names, **names},
                     self.lookup)


def truthy(value: object) -> bool:
    if isinstance(value, Duration):
        return bool(value.months or value.delta)
    return bool(value) if not isinstance(value, (FileRef, Link, dt.datetime)) else True


def text_of(value: object) -> str:
    """A value as a string (the `toString` of both languages)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, FileRef):
        return value.note.basename
    if isinstance(value, Page):  # a DQL page object (`this`, a group's `rows`): its name
        return value.note.basename if value.note is not None else ""
    if isinstance(value, list | tuple):
        return ", ".join(text_of(item) for item in value)
    return str(value)


def _type_rank(value: object) -> int:
    order = (type(None), bool, int, float, dt.datetime, Duration, str, Link, FileRef, list, dict)
    for rank, kind in enumerate(order):
        if isinstance(value, kind):
            return 2 if kind is float else rank
    return len(order)


def sort_key(value: object) -> tuple:
    """A key that orders any two values: by type, then within it (nulls first)."""
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, int | float):
        return (2, value)
    if isinstance(value, dt.datetime):
        return (4, value.timestamp())
    if isinstance(value, Duration):
        return (5, value.milliseconds())
    if isinstance(value, str):
        return (6, value.casefold(), value)
    if isinstance(value, Link):
        return (7, str(value).casefold())
    if isinstance(value, FileRef):
        return (7, value.note.basename.casefold())
    if isinstance(value, list | tuple):
        return (9, tuple(sort_key(item) for item in value))
    return (_type_rank(value), text_of(value))


def _link_target(value: object, facts: Facts) -> str | None:
    """The note a link, file, path or name stands for."""
    if isinstance(value, Link):
        return value.path
    if isinstance(value, FileRef):
        return value.note.path
    if isinstance(value, str):
        return facts.find(value)
    return None


def equal(left: object, right: object, facts: Facts) -> bool:
    if isinstance(left, Link | FileRef) or isinstance(right, Link | FileRef):
        a, b = _link_target(left, facts), _link_target(right, facts)
        if a is not None or b is not None:
            return a == b
        return text_of(left) == text_of(right)
    if isinstance(left, dt.datetime) or isinstance(right, dt.datetime):
        a, b = as_date(left), as_date(right)
        return a is not None and a == b
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(equal(a, b, facts) for a, b in zip(left, right, strict=True))
    return left == right


def compare(left: object, right: object) -> int:
    if isinstance(left, dt.datetime) or isinstance(right, dt.datetime):
        a, b = as_date(left), as_date(right)
        if a is not None and b is not None:
            return (a > b) - (a < b)
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


def _number(value: object) -> float | int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            return None
    return None


def arithmetic(op: str, left: object, right: object, dialect: Dialect) -> object:
    if op == "+" and isinstance(left, dt.datetime | str) and (
            duration := right if isinstance(right, Duration) else
            parse_duration(right) if isinstance(right, str) and as_date(left) else None):
        when = as_date(left)
        if when is not None and duration is not None:
            return shift(when, duration)
    if op == "-" and as_date(left) is not None and not isinstance(left, int | float):
        when = as_date(left)
        if isinstance(right, Duration) or (isinstance(right, str) and parse_duration(right)):
            return shift(when, right if isinstance(right, Duration) else parse_duration(right), -1)
        other = as_date(right)
        if other is not None and when is not None:
            difference = when - other
            if dialect.date_difference_is_duration:
                return Duration(0, difference)
            return difference.total_seconds() * 1000
    if isinstance(left, Duration) and isinstance(right, Duration) and op in "+-":
        sign = 1 if op == "+" else -1
        return Duration(left.months + sign * right.months, left.delta + sign * right.delta)
    if op == "+" and (isinstance(left, str) or isinstance(right, str)):
        return text_of(left) + text_of(right)
    if op == "+" and isinstance(left, list) and isinstance(right, list):
        return left + right
    a, b = _number(left), _number(right)
    if a is None or b is None:
        if left is None or right is None:
            return None
        raise QueryError(f"cannot apply {op} to {text_of(left)!r} and {text_of(right)!r}")
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op in "/%" and b == 0:
        return None
    if op == "/":
        result = a / b
        return int(result) if result.is_integer() and isinstance(a, int) and isinstance(b, int) else result
    return a % b


def get_field(value: object, key: str, scope: Scope) -> object:
    """`value.key`: a file's fact, an object's entry, a date's part, a list's length or the
    field of each of its elements, a linked note's field."""
    if isinstance(value, FileRef):
        return file_field(value.note, key, scope)
    if isinstance(value, Page):
        if key in value.extra:
            return value.extra[key]
        return page_field(value.note, key, scope) if value.note is not None else None
    if isinstance(value, dict):
        if key in value:
            return typed(value[key], scope.facts, scope.dialect)
        folded = key.casefold()
        return typed(next((v for k, v in value.items() if str(k).casefold() == folded), None),
                     scope.facts, scope.dialect)
    if isinstance(value, dt.datetime):
        parts = {"year": value.year, "month": value.month, "day": value.day,
                 "hour": value.hour, "minute": value.minute, "second": value.second,
                 "millisecond": value.microsecond // 1000, "weekday": value.isoweekday(),
                 "week": value.isocalendar()[1]}
        if key in parts:
            return parts[key]
    if isinstance(value, Duration):
        parts = {"years": value.months / 12, "months": value.months,
                 "days": value.delta.total_seconds() / 86400,
                 "hours": value.delta.total_seconds() / 3600,
                 "minutes": value.delta.total_seconds() / 60,
                 "seconds": value.delta.total_seconds()}
        if key in parts:
            return parts[key]
    if isinstance(value, list | tuple):
        if key == "length":
            return len(value)
        found = [get_field(item, key, scope) for item in value]  # Dataview's swizzling
        return [x for item in found for x in (item if isinstance(item, list) else [item])]
    if isinstance(value, str) and key == "length":
        return len(value)
    if isinstance(value, Link) and value.path and value.path in scope.facts.notes:
        return page_field(scope.facts.notes[value.path], key, scope)
    return None


@dataclass(frozen=True)
class Page:
    """A DQL row: a page's fields by name and `file`, under the row's own names (a task's
    fields, a FLATTEN variable)."""
    note: NoteFacts | None
    extra: Mapping[str, object] = field(default_factory=dict)


def link_to(path: str, facts: Facts, display: str | None = None) -> Link:
    note = facts.notes.get(path)
    return Link(path, note.basename if note else path, display)


def _tag_list(note: NoteFacts, dialect: Dialect) -> list[str]:
    if dialect is BASES:
        return list(note.tags)
    expanded: dict[str, None] = {}
    for tag in note.tags:  # Dataview's file.tags holds each tag's parents too
        parts = tag.split("/")
        for depth in range(1, len(parts) + 1):
            expanded["#" + "/".join(parts[:depth])] = None
    return list(expanded)


def file_field(note: NoteFacts, key: str, scope: Scope) -> object:
    facts, dialect = scope.facts, scope.dialect
    links = lambda paths: [link_to(p, facts) if p in facts.notes else Link(None, p) for p in paths]  # noqa: E731
    fields: dict[str, Callable[[], object]] = {
        "name": lambda: note.name if dialect.file_name_has_extension else note.basename,
        "basename": lambda: note.basename,
        "path": lambda: note.path,
        "folder": lambda: note.folder,
        "ext": lambda: note.ext,
        "extension": lambda: note.ext,
        "size": lambda: note.size,
        "ctime": lambda: note.ctime,
        "cday": lambda: note.ctime.replace(hour=0, minute=0, second=0, microsecond=0),
        "mtime": lambda: note.mtime,
        "mday": lambda: note.mtime.replace(hour=0, minute=0, second=0, microsecond=0),
        "tags": lambda: _tag_list(note, dialect),
        "etags": lambda: ["#" + tag for tag in note.tags],
        "links": lambda: links(note.links),
        "outlinks": lambda: links(note.links),
        "embeds": lambda: links(note.embeds),
        "inlinks": lambda: links(note.inlinks),
        "backlinks": lambda: links(note.inlinks),
        "properties": lambda: dict(note.properties),
        "frontmatter": lambda: dict(note.properties),
        "aliases": lambda: list(note.aliases),
        "tasks": lambda: [task_object(note, task) for task in note.tasks],
        "link": lambda: link_to(note.path, facts),
        "file": lambda: FileRef(note, dialect),
        "day": lambda: _day_of(note.basename),
    }
    if key in fields:
        return fields[key]()
    return page_field(note, key, scope)  # `this.status`: the embedding note's property


def _day_of(name: str) -> dt.datetime | None:
    found = re.search(r"\d{4}-\d{2}-\d{2}|\d{8}", name)
    if not found:
        return None
    text = found.group(0)
    return parse_date(text if "-" in text else f"{text[:4]}-{text[4:6]}-{text[6:]}")


def task_object(note: NoteFacts, task: object) -> dict:
    return {"text": task.text, "status": task.status, "completed": task.completed,
            "checked": task.status != " ", "fullyCompleted": task.completed,
            "line": task.line, "section": task.section, "path": note.path,
            **dict(task.fields)}


def page_field(note: NoteFacts, key: str, scope: Scope) -> object:
    if key == "file":
        return FileRef(note, scope.dialect)
    value = note.value(key)
    return typed(value, scope.facts, scope.dialect)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")


def typed(value: object, facts: Facts, dialect: Dialect = BASES) -> object:
    """A property's or field's value as the languages see it: `"[[Note]]"` is a link,
    an ISO date string a date (DQL; Bases dates are typed by the app's property types)."""
    if isinstance(value, str):
        found = re.fullmatch(r"\s*!?\[\[([^\[\]\n]+)\]\]\s*", value)
        if found:
            target, _, display = found.group(1).partition("|")
            return Link(facts.find(target), target, display or None)
        if dialect is DATAVIEW and _ISO_DATE.fullmatch(value.strip()):
            return parse_date(value) or value
    if isinstance(value, list):
        return [typed(item, facts, dialect) for item in value]
    return value


def evaluate(node: Expr, scope: Scope) -> object:
    kind, args = node.kind, node.args
    if kind == "lit":
        return args[0]
    if kind == "list":
        return [evaluate(item, scope) for item in args]
    if kind == "obj":
        return {key: evaluate(value, scope) for key, value in args}
    if kind == "link":
        target, _, display = args[0].partition("|")
        return Link(scope.facts.find(target), target, display or None)
    if kind == "name":
        return _name(args[0], node, scope)
    if kind == "get":
        base, key = args
        if base.kind == "name" and base.args[0] == "formula" and scope.lookup:
            return scope.lookup(f"{base.args[0]}.{key}", scope)
        return get_field(evaluate(base, scope), key, scope)
    if kind == "index":
        base, index = evaluate(args[0], scope), evaluate(args[1], scope)
        if isinstance(index, int | float) and isinstance(base, list | tuple | str):
            position = int(index)
            return base[position] if -len(base) <= position < len(base) else None
        return get_field(base, text_of(index), scope)
    if kind == "unary":
        op, inner = args
        value = evaluate(inner, scope)
        if op == "!":
            return not truthy(value)
        number = _number(value)
        if isinstance(value, Duration):
            return Duration(-value.months, -value.delta)
        return -number if number is not None else None
    if kind == "bin":
        op, left_node, right_node = args
        left = evaluate(left_node, scope)
        if op == "&&":
            return truthy(evaluate(right_node, scope)) if truthy(left) else False
        if op == "||":
            return True if truthy(left) else truthy(evaluate(right_node, scope))
        right = evaluate(right_node, scope)
        if op == "==":
            return equal(left, right, scope.facts)
        if op == "!=":
            return not equal(left, right, scope.facts)
        if op in ("<", ">", "<=", ">="):
            if left is None or right is None:
                return False if scope.dialect is BASES else _null_compare(op, left, right)
            order = compare(left, right)
            return {"<": order < 0, ">": order > 0, "<=": order <= 0, ">=": order >= 0}[op]
        try:
            return arithmetic(op, left, right, scope.dialect)
        except QueryError as exc:
            raise QueryError(exc.message, node.pos) from None
    if kind == "call":
        name, call_args = args
        from .functions import call_function
        return call_function(name, call_args, scope, node.pos)
    if kind == "method":
        receiver, name, call_args = args
        from .functions import call_method
        return call_method(evaluate(receiver, scope), name, call_args, scope, node.pos)
    raise QueryError(f"cannot evaluate {kind}", node.pos)


def _null_compare(op: str, left: object, right: object) -> bool:
    """DQL orders null before everything."""
    order = (left is not None) - (right is not None)
    return {"<": order < 0, ">": order > 0, "<=": order <= 0, ">=": order >= 0}[op]


def _name(word: str, node: Expr, scope: Scope) -> object:
    if word in scope.names:
        return scope.names[word]
    if scope.lookup is not None:
        found = scope.lookup(word, scope)
        if found is not _MISSING:
            return found
    row = scope.row
    if word == "file":
        return FileRef(row, scope.dialect) if row is not None else None
    if word == "this":
        if scope.this is None:
            return None
        return FileRef(scope.this, scope.dialect) if scope.dialect is BASES else Page(scope.this)
    if word == "note" and row is not None:
        return {k: typed(v, scope.facts, scope.dialect) for k, v in row.properties.items()}
    if row is None:
        return None
    return page_field(row, word, scope)


class _Missing:
    pass


_MISSING = _Missing()
MISSING = _MISSING  # what a `lookup` returns for a name it does not define


def number_text(value: float) -> str:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return str(value)
    return text_of(value)
