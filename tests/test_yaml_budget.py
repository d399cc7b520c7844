"""Front matter within budgets: no YAML stops a build, and the note names what was wrong."""

from __future__ import annotations

import pytest
import yaml

from compiler.parse import parse_note
from compiler.yaml_budget import MAX_DEPTH, MAX_VALUES, load_properties

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True))


def problems(front_matter: str) -> list[tuple[str, int, str]]:
    note = parse_note("n.md", f"---\n{front_matter}\n---\n본문\n".encode())
    assert "본문" in note.text  # the note itself is published
    return [(d.code, d.line, d.message) for d in note.diagnostics]


def test_ordinary_properties_and_aliases_load_as_with_safe_load():
    text = "tags: [a, b]\nbase: &base {x: 1, y: [1, 2]}\nother: *base\n날짜: 2024-01-02\n"
    assert load_properties(text) == yaml.safe_load(text)


def test_a_billion_laughs_is_refused_at_once():
    (code, line, message), = problems(LAUGHS)
    assert code == "invalid-front-matter" and f"{MAX_VALUES:,} values" in message
    assert line >= 2


@pytest.mark.parametrize("nested", [
    "a: " + "[" * 1000 + "]" * 1000,
    "a: " + "{b: " * 1000 + "1" + "}" * 1000,
    "".join(" " * i + f"k{i}:\n" for i in range(500)) + " " * 500 + "leaf",
])
def test_deep_nesting_is_refused_not_a_recursion_error(nested):
    (code, _, message), = problems(nested)
    assert code == "invalid-front-matter" and f"deeper than {MAX_DEPTH} levels" in message


def test_nesting_within_the_budget_loads():
    depth = MAX_DEPTH - 2
    assert problems("a: " + "[" * depth + "]" * depth) == []


def test_a_property_that_holds_itself_is_refused():
    (code, _, message), = problems("a: &a [1, *a]")
    assert code == "invalid-front-matter" and "holds itself" in message
