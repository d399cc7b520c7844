"""The functions of Bases (Obsidian help: `Functions`) and of DQL (Dataview's reference:
`functions.md`) that mean something in a static build, on the values of `compiler.expr`.

A Bases method `x.f(a)` and a DQL call `f(x, a)` are the same function here when both
languages have it (`contains`, `join`, `round`, `lower`, `split`...). What needs the app (icons,
HTML, `relative()` dates that go stale, random numbers, JavaScript lambdas) raises
`Unsupported`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable

from .expr import (
    BASES,
    Duration,
    Expr,
    FileRef,
    Link,
    Page,
    QueryError,
    Scope,
    Unsupported,
    as_date,
    compare,
    equal,
    evaluate,
    link_to,
    parse_duration,
    sort_key,
    task_object,
    text_of,
    truthy,
)
from .facts import Facts
from .filedates import parse_date

# Functions that have no static meaning: reported, never guessed.
APP_ONLY = frozenset({"icon", "html", "image", "random", "relative", "embed", "elink",
                      "currencyformat", "durationformat", "localtime", "hash", "meta",
                      "matches", "escapeHTML", "escapehtml"})


def _date_keyword(word: str, clock: Facts) -> dt.datetime | None:
    """`today`, `now`, `sow`...: the build's clock is read only when the word is one of them
    (a query that reads it depends on the date, see `compiler.reads`)."""
    if word == "now":
        return clock.now()
    if word not in _DATE_WORDS:
        return None
    today = clock.today()
    week_start = today - dt.timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    return {
        "today": today,
        "tomorrow": today + dt.timedelta(days=1), "yesterday": today - dt.timedelta(days=1),
        "sow": week_start, "eow": week_start + dt.timedelta(days=6),
        "som": month_start, "eom": next_month - dt.timedelta(days=1),
        "soy": today.replace(month=1, day=1), "eoy": today.replace(month=12, day=31),
    }[word]


_DATE_WORDS = frozenset({"today", "tomorrow", "yesterday", "sow", "eow", "som", "eom", "soy", "eoy"})


def make_date(value: object, *rest: object, clock: Facts | None = None) -> dt.datetime | None:
    """A date from a date, a date's text or a word (`today`, `eom`...) read on `clock`."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, Link) and value.path is None:
        value = value.text
    if isinstance(value, Link | FileRef):
        return None
    if isinstance(value, str):
        return _date_keyword(value.strip(), clock or Facts({})) or as_date(value) or parse_date(value)
    return None


def make_duration(value: object) -> Duration | None:
    if isinstance(value, Duration):
        return value
    if isinstance(value, int | float):
        return Duration(0, dt.timedelta(milliseconds=value))
    return parse_duration(value) if isinstance(value, str) else None


def _strings(value: object) -> str:
    return text_of(value)


def contains(haystack: object, needle: object, scope: Scope, fold: bool = False,
             exact: bool = False) -> bool:
    if isinstance(haystack, str):
        if fold:
            return text_of(needle).casefold() in haystack.casefold()
        return text_of(needle) in haystack
    if isinstance(haystack, list | tuple):
        if exact:
            return any(equal(item, needle, scope.facts) for item in haystack)
        return any(contains(item, needle, scope, fold) if isinstance(item, str) and not fold
                   and isinstance(needle, str) and scope.dialect is not BASES
                   else (text_of(item).casefold() == text_of(needle).casefold() if fold
                         else equal(item, needle, scope.facts))
                   for item in haystack)
    if isinstance(haystack, dict):
        return text_of(needle) in haystack
    if isinstance(haystack, Link | FileRef):
        return equal(haystack, needle, scope.facts)
    return False


def _number(value: object) -> float | int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        found = re.search(r"-?\d+(?:\.\d+)?", value)
        if found:
            text = found.group(0)
            return float(text) if "." in text else int(text)
    return None


def _round(value: object, digits: object = 0) -> object:
    number = _number(value)
    if number is None:
        return None
    places = int(_number(digits) or 0)
    # half away from zero, as JavaScript's Math.round and Dataview do (not banker's rounding)
    factor = 10 ** places
    result = math.floor(abs(number) * factor + 0.5) / factor * (1 if number >= 0 else -1)
    return int(result) if places == 0 else result


def _numbers(values: object) -> list[float]:
    items = values if isinstance(values, list | tuple) else [values]
    return [n for n in (_number(v) for v in items if v is not None and not isinstance(v, str))
            if n is not None]


def _flat(values: object, depth: int = 1) -> list:
    out: list = []
    for item in values if isinstance(values, list | tuple) else [values]:
        if isinstance(item, list | tuple) and depth > 0:
            out.extend(_flat(item, depth - 1))
        else:
            out.append(item)
    return out


def _empty(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple | dict) and not value)


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    for kind, name in ((bool, "boolean"), (int, "number"), (float, "number"), (str, "string"),
                       (dt.datetime, "date"), (Duration, "duration"), (Link, "link"),
                       (FileRef, "file"), (list, "array"), (tuple, "array"), (dict, "object")):
        if isinstance(value, kind):
            return name
    return "object"


_MOMENT = [("YYYY", "%Y"), ("YY", "%y"), ("MMMM", "%B"), ("MMM", "%b"), ("MM", "%m"),
           ("M", "{month}"), ("DD", "%d"), ("D", "{day}"), ("dddd", "%A"), ("ddd", "%a"),
           ("HH", "%H"), ("H", "{hour}"), ("hh", "%I"), ("mm", "%M"), ("ss", "%S"), ("A", "%p")]
_LUXON = [("yyyy", "%Y"), ("yy", "%y"), ("MMMM", "%B"), ("MMM", "%b"), ("MM", "%m"),
          ("M", "{month}"), ("dd", "%d"), ("d", "{day}"), ("EEEE", "%A"), ("EEE", "%a"),
          ("HH", "%H"), ("H", "{hour}"), ("hh", "%I"), ("mm", "%M"), ("ss", "%S"), ("a", "%p")]


def format_date(when: object, pattern: object, tokens: list[tuple[str, str]]) -> str | None:
    when = as_date(when)
    if when is None:
        return None
    text, out, position = text_of(pattern), [], 0
    while position < len(text):
        for token, code in tokens:
            if text.startswith(token, position):
                out.append(when.strftime(code) if code.startswith("%") else
                           str({"{month}": when.month, "{day}": when.day,
                                "{hour}": when.hour}[code]))
                position += len(token)
                break
        else:
            out.append(text[position])
            position += 1
    return "".join(out)


def _sorted(values: object, scope: Scope) -> list:
    return sorted(values if isinstance(values, list | tuple) else [values], key=sort_key)


def _unique(values: object, scope: Scope) -> list:
    seen: list = []
    for item in values if isinstance(values, list | tuple) else [values]:
        if not any(equal(item, other, scope.facts) for other in seen):
            seen.append(item)
    return seen


def _file_of(value: object, scope: Scope) -> FileRef | None:
    path = value.path if isinstance(value, Link) else value.note.path if isinstance(value, FileRef) \
        else scope.facts.find(text_of(value))
    note = scope.facts.notes.get(path) if path else None
    return FileRef(note, scope.dialect) if note else None


def _has_tag(file: FileRef, *tags: object) -> bool:
    """A tag or any of its nested tags, case-insensitively (`#a` matches `a/b`)."""
    own = [tag.casefold() for tag in file.note.tags]
    for wanted in tags:
        name = text_of(wanted).removeprefix("#").casefold()
        if any(tag == name or tag.startswith(name + "/") for tag in own):
            return True
    return False


def _in_folder(file: FileRef, folder: object) -> bool:
    name = text_of(folder).strip("/")
    return not name or file.note.folder == name or file.note.folder.startswith(name + "/")


def _has_link(file: FileRef, other: object, scope: Scope) -> bool:
    target = other.path if isinstance(other, Link) else other.note.path \
        if isinstance(other, FileRef) else scope.facts.find(text_of(other))
    wanted = {target} if target else {text_of(other)}
    return any(link in wanted for link in file.note.links + file.note.embeds)


# name -> (arguments evaluated -> value). Receivers of methods come first.
Plain = Callable[..., object]


def _plain_functions(scope: Scope) -> dict[str, Plain]:
    facts = scope.facts
    return {
        "date": lambda value, *rest: make_date(value, *rest, clock=facts),
        "duration": make_duration,
        "dur": make_duration,
        "now": facts.now,
        "today": facts.today,
        "number": lambda v: (v.timestamp() * 1000 if isinstance(v, dt.datetime)
                             else v.milliseconds() if isinstance(v, Duration) else _number(v)),
        "string": text_of,
        "tostring": text_of,
        "list": lambda *v: list(v[0]) if len(v) == 1 and isinstance(v[0], list | tuple)
        else list(v),
        "array": lambda *v: list(v),
        "object": lambda *v: {text_of(v[i]): v[i + 1] for i in range(0, len(v) - 1, 2)},
        "link": lambda target, display=None: (
            Link(_file_of(target, scope).note.path, text_of(target),
                 text_of(display) if display is not None else None)
            if _file_of(target, scope) else Link(None, text_of(target),
                                                 text_of(display) if display else None)),
        "file": lambda target: _file_of(target, scope),
        "max": lambda *v: max(_numbers(_flat(v)), default=None) if not all(
            isinstance(x, dt.datetime) for x in _flat(v)) else max(_flat(v)),
        "min": lambda *v: min(_numbers(_flat(v)), default=None) if not all(
            isinstance(x, dt.datetime) for x in _flat(v)) else min(_flat(v)),
        "contains": lambda h, n: contains(h, n, scope),
        "icontains": lambda h, n: contains(h, n, scope, fold=True),
        "econtains": lambda h, n: contains(h, n, scope, exact=True),
        "containsword": lambda h, n: bool(re.search(
            rf"(?<!\w){re.escape(text_of(n))}(?!\w)", text_of(h), re.IGNORECASE)),
        "containsall": lambda h, *n: all(contains(h, x, scope) for x in n),
        "containsany": lambda h, *n: any(contains(h, x, scope) for x in n),
        "length": lambda v: len(v) if isinstance(v, list | tuple | str | dict) else 0,
        "round": _round,
        "trunc": lambda v: math.trunc(_number(v)) if _number(v) is not None else None,
        "floor": lambda v: math.floor(_number(v)) if _number(v) is not None else None,
        "ceil": lambda v: math.ceil(_number(v)) if _number(v) is not None else None,
        "abs": lambda v: abs(_number(v)) if _number(v) is not None else None,
        "tofixed": lambda v, p=0: (f"{_number(v):.{int(_number(p) or 0)}f}"
                                   if _number(v) is not None else None),
        "lower": lambda v: text_of(v).lower(),
        "upper": lambda v: text_of(v).upper(),
        "title": lambda v: text_of(v).title(),
        "trim": lambda v: text_of(v).strip(),
        "repeat": lambda v, n: text_of(v) * int(_number(n) or 0),
        "replace": lambda v, a, b: text_of(v).replace(text_of(a), text_of(b)),
        "regexreplace": lambda v, a, b: re.sub(text_of(a), re.sub(r"\$(\d)", r"\\\1", text_of(b)),
                                               text_of(v)),
        "regextest": lambda p, v: bool(re.search(text_of(p), text_of(v))),
        "regexmatch": lambda p, v: bool(re.fullmatch(text_of(p), text_of(v))),
        "split": lambda v, sep, n=None: (re.split(text_of(sep), text_of(v))
                                         if scope.dialect is not BASES
                                         else text_of(v).split(text_of(sep)))[
            : int(n) if n is not None else None],
        "join": lambda v, sep=", ": text_of(sep).join(
            text_of(x) for x in (v if isinstance(v, list | tuple) else [v])),
        "startswith": lambda v, p: text_of(v).startswith(text_of(p)),
        "endswith": lambda v, p: text_of(v).endswith(text_of(p)),
        "padleft": lambda v, n, c=" ": text_of(v).rjust(int(n), text_of(c)[:1] or " "),
        "padright": lambda v, n, c=" ": text_of(v).ljust(int(n), text_of(c)[:1] or " "),
        "substring": lambda v, a, b=None: text_of(v)[int(a): int(b) if b is not None else None],
        "truncate": lambda v, n, suffix="...": (text_of(v) if len(text_of(v)) <= int(n)
                                                else text_of(v)[: max(0, int(n) - len(text_of(suffix)))]
                                                + text_of(suffix)),
        "slice": lambda v, a=0, b=None: v[int(a): int(b) if b is not None else None]
        if isinstance(v, list | tuple | str) else None,
        "sum": lambda v: sum(_numbers(v)),
        "product": lambda v: math.prod(_numbers(v)),
        "average": lambda v: (sum(_numbers(v)) / len(_numbers(v))) if _numbers(v) else None,
        "mean": lambda v: (sum(_numbers(v)) / len(_numbers(v))) if _numbers(v) else None,
        "reverse": lambda v: list(reversed(v)) if isinstance(v, list | tuple)
        else text_of(v)[::-1],
        "sort": lambda v: _sorted(v, scope),
        "flat": lambda v, depth=1: _flat(v, int(depth)),
        "unique": lambda v: _unique(v, scope),
        "nonnull": lambda v: [x for x in v if x is not None] if isinstance(v, list | tuple) else v,
        "firstvalue": lambda v: next((x for x in v if x is not None), None),
        "all": lambda *v: all(truthy(x) for x in (_flat(v) if len(v) == 1 else v)),
        "any": lambda *v: any(truthy(x) for x in (_flat(v) if len(v) == 1 else v)),
        "none": lambda *v: not any(truthy(x) for x in (_flat(v) if len(v) == 1 else v)),
        "typeof": _type_name,
        "istype": lambda v, t: _type_name(v) == text_of(t).lower() or (
            text_of(t).lower() == "list" and _type_name(v) == "array"),
        "istruthy": truthy,
        "isempty": _empty,
        "default": lambda v, d: d if v is None else v,
        "ldefault": lambda v, d: d if v is None else v,
        "ifempty": lambda v, d: d if _empty(v) else v,
        "choice": lambda c, a, b: a if truthy(c) else b,
        "striptime": lambda v: (as_date(v).replace(hour=0, minute=0, second=0, microsecond=0)
                                if as_date(v) else None),
        "dateformat": lambda v, p: format_date(v, p, _LUXON),
        "format": lambda v, p: format_date(v, p, _MOMENT),
        "time": lambda v: as_date(v).strftime("%H:%M:%S") if as_date(v) else None,
        "keys": lambda v: list(v) if isinstance(v, dict) else [],
        "values": lambda v: list(v.values()) if isinstance(v, dict) else [],
        "extract": lambda v, *keys: {text_of(k): (v or {}).get(text_of(k)) for k in keys}
        if isinstance(v, dict) else None,
        "hastag": lambda f, *t: _has_tag(f, *t) if isinstance(f, FileRef) else False,
        "infolder": lambda f, d: _in_folder(f, d) if isinstance(f, FileRef) else False,
        "haslink": lambda f, o: _has_link(f, o, scope) if isinstance(f, FileRef) else False,
        "hasproperty": lambda f, n: f.note.has(text_of(n)) if isinstance(f, FileRef) else False,
        "aslink": lambda f, d=None: (link_to(f.note.path, facts, text_of(d) if d else None)
                                     if isinstance(f, FileRef) else f),
        "asfile": lambda v: _file_of(v, scope),
        "linksto": lambda v, f: (_has_link(_file_of(v, scope), f, scope)
                                 if _file_of(v, scope) else False),
        "tasks": lambda f: [task_object(f.note, t) for t in f.note.tasks]
        if isinstance(f, FileRef) else [],
    }


def _lambda_method(name: str, receiver: object, args: tuple[Expr, ...], scope: Scope,
                   pos: int) -> object:
    """`list.filter(value > 2)`, `map(...)`, `reduce(..., acc)`: their argument is evaluated
    once per element, with `value` and `index` named."""
    items = list(receiver) if isinstance(receiver, list | tuple) else [] if receiver is None \
        else [receiver]
    if not args:
        raise QueryError(f"{name}() needs an expression", pos)
    if name == "filter":
        return [item for index, item in enumerate(items)
                if truthy(evaluate(args[0], scope.with_names(value=item, index=index)))]
    if name == "map":
        return [evaluate(args[0], scope.with_names(value=item, index=index))
                for index, item in enumerate(items)]
    acc = evaluate(args[1], scope) if len(args) > 1 else None
    for index, item in enumerate(items):
        acc = evaluate(args[0], scope.with_names(value=item, index=index, acc=acc))
    return acc


_LAZY = {"filter", "map", "reduce"}


def call_function(name: str, args: tuple[Expr, ...], scope: Scope, pos: int) -> object:
    key = name.lower()
    if key == "if":  # only the branch taken is evaluated
        if not args:
            raise QueryError("if() needs a condition", pos)
        if truthy(evaluate(args[0], scope)):
            return evaluate(args[1], scope) if len(args) > 1 else None
        return evaluate(args[2], scope) if len(args) > 2 else None
    if key in _LAZY and scope.dialect is not BASES:
        raise Unsupported(name, pos)  # DQL's `(x) => ...` lambdas are not read
    if key in APP_ONLY:
        raise Unsupported(name, pos)
    table = _plain_functions(scope)
    if key not in table:
        raise Unsupported(name, pos)
    values = [evaluate(arg, scope) for arg in args]
    return _apply(table[key], name, values, pos)


def _apply(function: Plain, name: str, values: list, pos: int) -> object:
    try:
        return function(*values)
    except TypeError as exc:
        raise QueryError(f"{name}(): wrong arguments ({exc})", pos) from None
    except (ValueError, AttributeError, re.error, OverflowError, IndexError) as exc:
        raise QueryError(f"{name}(): {exc}", pos) from None


def call_method(receiver: object, name: str, args: tuple[Expr, ...], scope: Scope,
                pos: int) -> object:
    key = name.lower()
    if key in _LAZY:
        return _lambda_method(key, receiver, args, scope, pos)
    if key in APP_ONLY:
        raise Unsupported(name, pos)
    if key == "date" and isinstance(receiver, dt.datetime):  # the date part of a date-time
        return receiver.replace(hour=0, minute=0, second=0, microsecond=0)
    if key in ("tostring",):
        return text_of(receiver)
    if key == "round" and not args:
        return _round(receiver)
    if isinstance(receiver, Page):
        receiver = FileRef(receiver.note, scope.dialect)
    table = _plain_functions(scope)
    if key not in table:
        raise Unsupported(name, pos)
    values = [receiver, *(evaluate(arg, scope) for arg in args)]
    return _apply(table[key], name, values, pos)


def _known() -> frozenset[str]:
    return frozenset(_plain_functions(Scope(Facts({}), BASES))) | {"if"}


KNOWN = _known()


def first_unsupported(node: Expr, dialect: object = BASES) -> Unsupported | None:
    """The first call in an expression that a build cannot evaluate, found before evaluating
    it: a filter `a && random()` must not pass for the notes where `a` is false."""
    if node.kind in ("call", "method"):
        name = node.args[0] if node.kind == "call" else node.args[1]
        key = name.lower()
        lazy_ok = key in _LAZY and (node.kind == "method" or dialect is BASES)
        if key in APP_ONLY or (key not in KNOWN and not lazy_ok):
            return Unsupported(name, node.pos)
    for child in node.args:
        children = child if isinstance(child, tuple) else (child,)
        for item in children:
            if isinstance(item, tuple) and len(item) == 2:  # an object's (key, value)
                item = item[1]
            if isinstance(item, Expr) and (found := first_unsupported(item, dialect)):
                return found
    return None


def order(values: list, scope: Scope) -> list:
    """Values in the order both languages sort them (nulls first)."""
    import functools
    return sorted(values, key=functools.cmp_to_key(compare))


__all__ = ["APP_ONLY", "call_function", "call_method", "contains", "format_date", "make_date",
           "make_duration", "order"]
