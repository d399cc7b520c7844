"""Bases: a `.base` file or a ```` ```base ```` block evaluated over the facts of every note.

Follows Obsidian's help (`Bases syntax`, `Views`, `Functions`): global and per-view `filters`
(a string, or `and` / `or` / `not` of filters; `not` is "none of these"), `formulas`,
`properties` (display names), `summaries` (custom summary formulas over `values`) and
`views` (`type` table / cards / list, `name`, `filters`, `order`, `sort`, `groupBy`, `limit`,
`summaries`). An embed shows one view: the one its `#View` names, else the first.

Pure: YAML text + facts in, plain data out (`BaseOutcome`); the page is written from it by
`compiler.forms.bases`. Problems carry their place in the YAML text (1-based line, column).
Only notes are rows: attachments have no facts.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from .expr import (
    BASES,
    MISSING,
    Expr,
    FileRef,
    QueryError,
    Scope,
    Unsupported,
    as_date,
    evaluate,
    parse,
    sort_key,
    truthy,
)
from .facts import Facts, NoteFacts
from .functions import first_unsupported

VIEW_TYPES = ("table", "cards", "list")
MAX_ROWS = 5000  # a view shows at most this many rows (a vault of 13k notes: the page stays light)


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based, in the base's YAML text
    col: int
    code: str  # "unsupported-base-function" or "invalid-base"
    message: str


@dataclass(frozen=True)
class Column:
    key: str  # as the base names it: file.name, note.status, status, formula.x
    label: str


@dataclass(frozen=True)
class Row:
    path: str  # the note the row stands for
    cells: tuple[object, ...]  # one value per column


@dataclass(frozen=True)
class Group:
    key: object  # the groupBy value (None: no groupBy, or the rows without the property)
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Summary:
    column: str
    name: str  # Average, Sum... or a custom summary's name
    value: object


@dataclass(frozen=True)
class View:
    name: str
    kind: str  # table, cards or list (another type is drawn as a table, and said so)
    columns: tuple[Column, ...]
    groups: tuple[Group, ...]
    summaries: tuple[Summary, ...] = ()
    total: int = 0  # rows before the limit
    failed: bool = False  # a filter could not be evaluated: no rows are shown, the box says why


@dataclass(frozen=True)
class BaseOutcome:
    views: tuple[View, ...]  # the one view shown (empty when the base could not be read)
    problems: tuple[Problem, ...] = ()
    names: tuple[str, ...] = ()  # every view's name, in order
    source: str = ""  # the base's YAML text


@dataclass
class _Marks:
    """Where each string of the YAML text stands, to place a problem in an expression."""
    places: dict[str, tuple[int, int]] = field(default_factory=dict)

    def of(self, text: str, pos: int = 0) -> tuple[int, int]:
        line, col = self.places.get(text, (1, 1))
        return line, col + pos


def _marks(source: str) -> _Marks:
    marks = _Marks()
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return marks

    def walk(node: yaml.Node | None) -> None:
        if isinstance(node, yaml.ScalarNode):
            quoted = 1 if node.style in ("'", '"') else 0
            marks.places.setdefault(str(node.value), (node.start_mark.line + 1,
                                                       node.start_mark.column + 1 + quoted))
        elif isinstance(node, yaml.SequenceNode):
            for child in node.value:
                walk(child)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(key)
                walk(value)

    walk(root)
    return marks


class _Evaluator:
    """One base over one facts table: expressions parsed once, formulas once per note."""

    def __init__(self, data: dict, facts: Facts, this: NoteFacts | None, marks: _Marks):
        self.facts, self.this, self.marks = facts, this, marks
        self.problems: list[Problem] = []
        self.reported: set[tuple[str, str]] = set()
        self.parsed: dict[str, Expr | None] = {}
        formulas = data.get("formulas") or {}
        self.formulas = {str(k): str(v) for k, v in formulas.items()} if isinstance(formulas, dict) else {}
        self.formula_values: dict[tuple[str, str], object] = {}
        self.computing: set[tuple[str, str]] = set()

    def report(self, text: str, error: QueryError) -> None:
        code = "unsupported-base-function" if isinstance(error, Unsupported) else "invalid-base"
        if (text, error.message) in self.reported:
            return
        self.reported.add((text, error.message))
        line, col = self.marks.of(text, error.pos)
        self.problems.append(Problem(line, col, code, f"{error.message} (in `{text}`)"))

    def expression(self, text: str) -> Expr | None:
        """The expression's tree; None (reported) when it cannot be read or calls a
        function the build does not evaluate."""
        if text not in self.parsed:
            try:
                node = parse(text, BASES)
                if (unsupported := first_unsupported(node)) is not None:
                    raise unsupported
                self.parsed[text] = node
            except QueryError as error:
                self.report(text, error)
                self.parsed[text] = None
        return self.parsed[text]

    def scope(self, row: NoteFacts | None, **names: object) -> Scope:
        return Scope(self.facts, BASES, row, self.this, names, self._lookup)

    def _lookup(self, name: str, scope: Scope) -> object:
        if not name.startswith("formula."):
            return MISSING
        formula = name.removeprefix("formula.")
        if formula not in self.formulas or scope.row is None:
            return None
        key = (scope.row.path, formula)
        if key in self.formula_values:
            return self.formula_values[key]
        if key in self.computing:  # a formula that reads itself: nothing, and said so
            self.report(self.formulas[formula], QueryError(f"formula {formula!r} refers to itself"))
            return None
        self.computing.add(key)
        value = self.value(self.formulas[formula], scope.row)
        self.computing.discard(key)
        self.formula_values[key] = value
        return value

    def value(self, text: str, row: NoteFacts | None, strict: bool = False, **names: object) -> object:
        """An expression's value for a row; None (reported) when it cannot be evaluated.
        `strict`: an unsupported function raises (a filter cannot be guessed)."""
        node = self.expression(text)
        if node is None:
            if strict:
                raise _FilterFailed
            return None
        try:
            return evaluate(node, self.scope(row, **names))
        except Unsupported as error:
            self.report(text, error)
            if strict:
                raise _FilterFailed from None
            return None
        except QueryError as error:
            self.report(text, error)
            return None

    def column_value(self, key: str, row: NoteFacts) -> object:
        if key.startswith("note."):
            return row.value(key.removeprefix("note.")) if row.has(key.removeprefix("note.")) \
                else self.value(key, row)
        if key.startswith(("file.", "formula.")):
            return self.value(key, row)
        if row.has(key):  # a bare property name, which may hold spaces
            return self.value(f"note[{_quoted(key)}]", row)
        return None

    def keep(self, condition: object, row: NoteFacts) -> bool:
        """A filter: a string, or a mapping of `and` / `or` / `not` to a list of filters."""
        if condition is None:
            return True
        if isinstance(condition, str | bool | int | float):
            return truthy(self.value(str(condition).lower() if isinstance(condition, bool)
                                     else str(condition), row, strict=True))
        if isinstance(condition, list):
            return all(self.keep(item, row) for item in condition)
        if isinstance(condition, dict):
            results = []
            for key, items in condition.items():
                parts = items if isinstance(items, list) else [items]
                if key == "and":
                    results.append(all(self.keep(p, row) for p in parts))
                elif key == "or":
                    results.append(any(self.keep(p, row) for p in parts))
                elif key == "not":
                    results.append(not any(self.keep(p, row) for p in parts))
                else:
                    self.problems.append(Problem(*self.marks.of(str(key)), "invalid-base",
                                                 f"a filter group is `and`, `or` or `not`, not {key!r}"))
                    raise _FilterFailed
            return all(results)
        raise _FilterFailed


class _FilterFailed(Exception):
    pass


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label(key: str, properties: dict) -> str:
    config = properties.get(key) or properties.get(key.removeprefix("note."))
    if isinstance(config, dict) and config.get("displayName"):
        return str(config["displayName"])
    for prefix in ("note.", "formula."):
        if key.startswith(prefix):
            return key.removeprefix(prefix)
    return key.replace("file.", "file ", 1) if key.startswith("file.") else key


def summarize(name: str, values: list[object]) -> object:
    """Obsidian's default summaries (`Bases syntax`, Default Summary Formulas)."""
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    dates = [d for d in (as_date(v) for v in values if v is not None) if d is not None]
    filled = [v for v in values if v not in (None, "", [])]
    key = name.casefold()
    if key in ("average", "mean") and numbers:
        return statistics.fmean(numbers)
    if key == "sum":
        return sum(numbers)
    if key == "min" and numbers:
        return min(numbers)
    if key == "max" and numbers:
        return max(numbers)
    if key == "median" and numbers:
        return statistics.median(numbers)
    if key == "stddev" and len(numbers) > 1:
        return statistics.pstdev(numbers)
    if key == "range":
        if numbers:
            return max(numbers) - min(numbers)
        if dates:
            return max(dates) - min(dates)
    if key == "earliest" and dates:
        return min(dates)
    if key == "latest" and dates:
        return max(dates)
    if key == "checked":
        return sum(1 for v in values if v is True)
    if key == "unchecked":
        return sum(1 for v in values if v is False)
    if key == "empty":
        return len(values) - len(filled)
    if key == "filled":
        return len(filled)
    if key == "unique":
        return len({repr(sort_key(v)) for v in filled})
    return None


DEFAULT_SUMMARIES = frozenset({"average", "mean", "sum", "min", "max", "median", "stddev",
                               "range", "earliest", "latest", "checked", "unchecked", "empty",
                               "filled", "unique"})


def _sort_specs(view: dict) -> Iterator[tuple[str, bool]]:
    """(property, descending) of the view's `sort`, in priority order."""
    for item in view.get("sort") or []:
        if isinstance(item, dict) and item.get("property"):
            yield str(item["property"]), str(item.get("direction", "ASC")).upper() == "DESC"
        elif isinstance(item, str):
            yield item, False


def load(source: str) -> tuple[dict | None, Problem | None]:
    """The base's YAML as a mapping, or the problem that keeps it from being read."""
    try:
        data = yaml.safe_load(source) if source.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, Problem(mark.line + 1 if mark else 1, mark.column + 1 if mark else 1,
                             "invalid-base", f"the base is not valid YAML: "
                             f"{getattr(exc, 'problem', None) or exc}")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, Problem(1, 1, "invalid-base", "a base is a mapping of filters, formulas "
                             "and views")
    return data, None


def view_names(data: dict) -> tuple[str, ...]:
    views = data.get("views") or []
    return tuple(str(v.get("name") or v.get("type") or "") for v in views if isinstance(v, dict))


def evaluate_base(source: str, facts: Facts, this: str | None = None,
                  view: str | None = None) -> BaseOutcome:
    """The view a base shows (named `view`, else its first) over every note's facts.
    `this`: the note the base is shown in (Obsidian's `this`)."""
    data, problem = load(source)
    if data is None:
        return BaseOutcome((), (problem,) if problem else (), source=source)
    marks = _marks(source)
    names = view_names(data)
    views = [v for v in data.get("views") or [] if isinstance(v, dict)] or [{"type": "table"}]
    chosen = views[0]
    problems: list[Problem] = []
    if view is not None:
        matching = [v for v in views if str(v.get("name") or "") == view]
        if matching:
            chosen = matching[0]
        else:
            problems.append(Problem(1, 1, "invalid-base", f"the base has no view named {view!r}"))
    evaluator = _Evaluator(data, facts, facts.notes.get(this) if this else None, marks)
    shown = _evaluate_view(chosen, data, facts, evaluator)
    return BaseOutcome((shown,), (*problems, *evaluator.problems), names)


def _evaluate_view(view: dict, data: dict, facts: Facts, evaluator: _Evaluator) -> View:
    properties = data.get("properties") if isinstance(data.get("properties"), dict) else {}
    order = [str(k) for k in view.get("order") or []] or ["file.name"]
    columns = tuple(Column(key, _label(key, properties)) for key in order)
    kind = str(view.get("type") or "table")
    name = str(view.get("name") or kind)
    if kind not in VIEW_TYPES:
        evaluator.problems.append(Problem(*evaluator.marks.of(kind), "unsupported-base-function",
                                          f"the view type {kind!r} needs the app; "
                                          "it is drawn as a table"))
    rows: list[NoteFacts] = []
    try:
        for path in sorted(facts.notes):
            note = facts.notes[path]
            if evaluator.keep(data.get("filters"), note) and evaluator.keep(view.get("filters"), note):
                rows.append(note)
    except _FilterFailed:
        return View(name, kind if kind in VIEW_TYPES else "table", columns, (), failed=True)
    for key, descending in reversed(list(_sort_specs(view))):  # stable: last key first
        rows.sort(key=lambda note, k=key: sort_key(evaluator.column_value(k, note)),
                  reverse=descending)
    total = len(rows)
    limit = view.get("limit")
    if isinstance(limit, int) and limit >= 0:
        rows = rows[:limit]
    rows = rows[:MAX_ROWS]
    table = [Row(note.path, tuple(_cell(evaluator, c.key, note) for c in columns)) for note in rows]
    groups = _grouped(view, rows, table, evaluator)
    summaries = _summaries(view, data, columns, table, evaluator)
    return View(name, kind if kind in VIEW_TYPES else "table", columns, groups, summaries, total)


def _cell(evaluator: _Evaluator, key: str, note: NoteFacts) -> object:
    if key == "file.name":  # drawn as the note's link
        return FileRef(note, BASES)
    return evaluator.column_value(key, note)


def _grouped(view: dict, notes: list[NoteFacts], table: list[Row],
             evaluator: _Evaluator) -> tuple[Group, ...]:
    spec = view.get("groupBy")
    if isinstance(spec, str):
        spec = {"property": spec}
    if not isinstance(spec, dict) or not spec.get("property"):
        return (Group(None, tuple(table)),)
    key = str(spec["property"])
    descending = str(spec.get("direction", "ASC")).upper() == "DESC"
    groups: dict[str, tuple[object, list[Row]]] = {}
    for note, row in zip(notes, table, strict=True):
        value = evaluator.column_value(key, note)
        groups.setdefault(repr(sort_key(value)), (value, []))[1].append(row)
    ordered = sorted(groups.values(), key=lambda g: sort_key(g[0]), reverse=descending)
    return tuple(Group(value, tuple(rows)) for value, rows in ordered)


def _summaries(view: dict, data: dict, columns: tuple[Column, ...], table: list[Row],
               evaluator: _Evaluator) -> tuple[Summary, ...]:
    wanted = view.get("summaries")
    if not isinstance(wanted, dict):
        return ()
    custom = data.get("summaries") if isinstance(data.get("summaries"), dict) else {}
    found = []
    for position, column in enumerate(columns):
        name = wanted.get(column.key) or wanted.get(column.key.removeprefix("note."))
        if not name:
            continue
        values = [row.cells[position] for row in table]
        values = [v.note.basename if isinstance(v, FileRef) else v for v in values]
        if str(name) in custom:
            value = evaluator.value(str(custom[name]), None, values=values)
        elif str(name).casefold() in DEFAULT_SUMMARIES:
            value = summarize(str(name), values)
        else:
            evaluator.problems.append(Problem(*evaluator.marks.of(str(name)),
                                              "unsupported-base-function",
                                              f"no summary is named {name!r}"))
            continue
        found.append(Summary(column.key, str(name), value))
    return tuple(found)
