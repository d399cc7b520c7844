"""Bases (Obsidian help: `Bases syntax`, `Functions`, `Views`) and the expression evaluator
they share with Dataview, on facts built from small vaults by the real parse and resolve."""

from __future__ import annotations

import datetime as dt

import pytest

from compiler.bases import evaluate_base, summarize
from compiler.expr import BASES, DATAVIEW, QueryError, Scope, Unsupported, evaluate, parse
from compiler.facts import Facts, build_facts, inline_fields
from compiler.parse import parse_note
from compiler.resolve import resolve_vault

WHEN = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)


def facts_of(files: dict[str, str]) -> Facts:
    notes = {path: parse_note(path, text.encode()) for path, text in files.items()}
    resolved = resolve_vault(notes, {})
    return build_facts(resolved, {}, {path: (WHEN, WHEN) for path in notes})


BOOKS = facts_of({
    "Books/Dune.md": "---\ntags: [book]\nprice: 10\nage: 2\nstatus: done\n"
                     "author: \"[[Herbert]]\"\n---\nSee [[Herbert]].",
    "Books/Emma.md": "---\ntags: [book, classic]\nprice: 4\nage: 4\nstatus: reading\n---\nA novel.",
    "Books/Old/Ulysses.md": "---\ntags: [book/classic]\nprice: 30\nage: 1\n---\n",
    "Herbert.md": "---\ntags: [person]\n---\nAn author.",
})


def value(text: str, dialect=BASES, facts: Facts = BOOKS, row: str | None = None) -> object:
    return evaluate(parse(text, dialect), Scope(facts, dialect, facts.notes.get(row) if row else None))


@pytest.mark.parametrize(("text", "expected"), [
    ("1 + 2 * 3", 7),
    ("(price / age).toFixed(2)", "5.00"),  # the help's `ppu` formula
    ('"a" + 1', "a1"),
    ("[1,2,3,4].filter(value > 2)", [3, 4]),
    ("[1,2,3,4].map(value + 1)", [2, 3, 4, 5]),
    ("[1,2,3].reduce(acc + value, 0)", 6),
    ('if(price > 5, "dear", "cheap")', "dear"),
    ('"Hello".lower().contains("ell")', True),
    ("[1,[2,3]].flat()", [1, 2, 3]),
    ('[1,2,3].join(",")', "1,2,3"),
    ("(2.5).round()", 3),
    ('"a,b".split(",")', ["a", "b"]),
    ('date("2024-12-01") + "1M" + "4h" + "3m"', dt.datetime(2025, 1, 1, 4, 3, tzinfo=dt.UTC)),
    ('(date("2024-01-02") - date("2024-01-01"))', 86_400_000.0),
    ("file.hasTag(\"classic\")", False),
    ("file.inFolder(\"Books\")", True),
    ("file.hasLink(\"Herbert\")", True),
    ("author == link(\"Herbert\")", True),
    ("file.name", "Dune.md"),
    ("file.basename", "Dune"),
    ("note.price * 2", 20),
])
def test_bases_expressions(text, expected):
    assert value(text, row="Books/Dune.md") == expected


def test_dql_spellings_of_the_same_expressions():
    assert value("contains(file.tags, \"#book\") and price = 10", DATAVIEW, row="Books/Dune.md") is True
    assert value("date(2021-11-11) + dur(1 day)", DATAVIEW) == dt.datetime(2021, 11, 12, tzinfo=dt.UTC)
    assert value("default(missing, 3)", DATAVIEW, row="Books/Dune.md") == 3
    assert value("choice(price > 5, \"y\", \"n\")", DATAVIEW, row="Books/Emma.md") == "n"
    assert value("round(2.345, 2)", DATAVIEW) == 2.35
    assert value("length(file.inlinks)", DATAVIEW, row="Herbert.md") == 1


def test_a_function_the_build_cannot_honour_is_unsupported_with_its_place():
    with pytest.raises(Unsupported) as found:
        value('price + icon("plus")', row="Books/Dune.md")
    assert found.value.name == "icon" and found.value.pos == 8
    with pytest.raises(QueryError):
        parse("price >", BASES)


def test_nested_tags_match_their_parent_tag_case_insensitively():
    assert value('file.hasTag("BOOK")', row="Books/Old/Ulysses.md") is True
    assert value('file.hasTag("classic")', row="Books/Old/Ulysses.md") is False


def test_inline_fields_of_every_form_and_none_inside_code():
    assert list(inline_fields("rating:: 9\nx [a:: 1] and (b:: two)")) == [
        ("rating", "9"), ("a", "1"), ("b", "two")]
    facts = facts_of({"N.md": "mood:: happy\n\n`code:: no`\n\n- [ ] task [due:: 2024-01-02]\n"})
    note = facts.notes["N.md"]
    assert note.fields == {"mood": "happy", "due": "2024-01-02"}
    assert [(t.text, t.status, t.line) for t in note.tasks] == [
        ("task [due:: 2024-01-02]", " ", 5)]


BASE = """
filters:
  or:
    - file.hasTag("book")
    - and:
        - file.hasTag("person")
        - file.hasLink("Nobody")
formulas:
  ppu: "(price / age).toFixed(2)"
properties:
  formula.ppu:
    displayName: Price per unit
views:
  - type: table
    name: Cheap first
    order: [file.name, price, formula.ppu]
    sort:
      - property: price
        direction: ASC
    summaries:
      price: Sum
  - type: table
    name: By status
    filters:
      not:
        - 'status == "done"'
    groupBy:
      property: status
      direction: DESC
    order: [file.name, status]
  - type: cards
    name: Two
    limit: 2
"""


def test_a_table_view_filters_sorts_computes_formulas_and_summaries():
    outcome = evaluate_base(BASE, BOOKS)
    view = outcome.views[0]
    assert outcome.problems == () and outcome.names == ("Cheap first", "By status", "Two")
    assert [c.label for c in view.columns] == ["file name", "price", "Price per unit"]
    rows = view.groups[0].rows
    assert [r.path for r in rows] == ["Books/Emma.md", "Books/Dune.md", "Books/Old/Ulysses.md"]
    assert [r.cells[1:] for r in rows] == [(4, "1.00"), (10, "5.00"), (30, "30.00")]
    assert [(s.column, s.name, s.value) for s in view.summaries] == [("price", "Sum", 44)]


def test_a_named_view_groups_and_applies_its_own_filters_with_the_global_ones():
    view = evaluate_base(BASE, BOOKS, view="By status").views[0]
    assert [(g.key, [r.path for r in g.rows]) for g in view.groups] == [
        ("reading", ["Books/Emma.md"]), (None, ["Books/Old/Ulysses.md"])]
    cards = evaluate_base(BASE, BOOKS, view="Two").views[0]
    assert cards.kind == "cards" and cards.total == 3 and len(cards.groups[0].rows) == 2


def test_an_unsupported_filter_fails_the_view_and_names_its_place():
    source = "filters: 'file.hasTag(\"book\") && random() > 0.5'\nviews:\n  - type: table\n"
    outcome = evaluate_base(source, BOOKS)
    assert outcome.views[0].failed
    assert [(p.line, p.col, p.code) for p in outcome.problems] == [
        (1, 34, "unsupported-base-function")]  # `random` in the quoted expression


def test_an_unsupported_formula_leaves_its_cells_empty_and_is_reported():
    source = "formulas:\n  i: 'icon(\"x\")'\nviews:\n  - type: table\n    order: [file.name, formula.i]\n"
    outcome = evaluate_base(source, BOOKS)
    assert not outcome.views[0].failed and len(outcome.views[0].groups[0].rows) == 4
    assert all(r.cells[1] is None for r in outcome.views[0].groups[0].rows)
    assert [(p.line, p.code) for p in outcome.problems] == [(2, "unsupported-base-function")]


def test_broken_yaml_is_a_problem_at_its_place():
    outcome = evaluate_base("views: [\n", BOOKS)
    assert outcome.views == () and outcome.problems[0].code == "invalid-base"


def test_default_summaries():
    assert summarize("Average", [1, 2, None]) == 1.5
    assert summarize("Filled", [1, None, ""]) == 1
    assert summarize("Unique", ["a", "a", "b"]) == 2
    assert summarize("Checked", [True, False, True]) == 2
    assert summarize("Range", [3, 9]) == 6
