"""Nesting deeper than Python-Markdown can take: the note is published as text, said so."""

from __future__ import annotations

import pytest

from compiler.nesting import LIMIT
from compiler.parse import parse_note


@pytest.mark.parametrize("body", [
    "**" * 1000 + "글" + "**" * 1000,
    "==" * 500 + "글" + "==" * 500,
    "가" + "~~" * 300 + "나",
    "_" * 1000 + "x" + "_" * 1000,
    "<div markdown>\n" * (LIMIT + 1) + "글\n" + "</div>\n" * (LIMIT + 1),
])
def test_deep_nesting_becomes_text_with_a_diagnostic(body):
    note = parse_note("n.md", f"---\npublish: false\ntags: [a]\n---\n{body}\n".encode())
    assert [d.code for d in note.diagnostics] == ["too-deep"]
    assert note.diagnostics[0].line == 5  # where the body starts
    assert not note.published and note.tag_names == ("a",)  # the properties still apply
    assert note.source.split("\n")[4].startswith("```")


@pytest.mark.parametrize("body", [
    "제목\n" + "=" * 400,  # a setext underline
    "-" * 300 + "\n" + "*" * 300,  # rules
    "이름: " + "_" * 300 + " 적기",  # a blank to fill in
    "**굵게** " * 500,  # much emphasis, none nested
    "> " * 15 + "깊은 인용",
])
def test_ordinary_long_or_repeated_markup_is_not_too_deep(body):
    assert parse_note("n.md", body.encode()).diagnostics == ()
