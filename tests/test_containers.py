"""Container prefixes: callouts become admonitions, nested lists get Python-Markdown's indents."""

from __future__ import annotations

from compiler.containers import callout_classes, callout_header, default_title, line_prefixes
from compiler.parse import parse_note


def staged_prefixes(text: str) -> dict[int, str]:
    note = parse_note("a.md", text.encode())
    lines = note.source.split("\n")
    return {n: p.text + lines[n][p.length:]
            for n, p in line_prefixes(lines, note.callouts, note.containers).items()
            if p.text != lines[n][:p.length]}  # the lines whose prefix changes


def test_aliases_keep_their_name_as_a_class_and_unknown_types_look_like_notes():
    assert callout_classes("TIP") == ("tip",)
    assert callout_classes("faq") == ("question", "kb-callout-faq")
    assert callout_classes("my box") == ("note", "kb-callout-my-box")
    assert callout_classes("grid") == ("note", "kb-callout-grid")  # never a bare Material class


def test_the_default_title_is_the_type_capitalised():
    assert [default_title(k) for k in ("tip", "FAQ", "my-type", "메모")] == [
        "Tip", "Faq", "My-type", "메모"]


def test_the_header_folds_with_details_and_quotes_the_default_title():
    [closed] = parse_note("a.md", b"> [!tip]-\n> x\n").callouts
    assert callout_header(closed, has_title=False) == '??? tip "Tip"'
    [opened] = parse_note("a.md", b"> [!info]+ T\n> x\n").callouts
    assert callout_header(opened, has_title=True) == '???+ info "'


def test_a_callout_marker_becomes_four_spaces_and_its_header_line_gets_a_blank_line():
    assert staged_prefixes("p\n> [!tip] T\n> body\n>\n> more\n") == {
        1: "\n[!tip] T", 2: "    body", 3: "    ", 4: "    more"}


def test_nested_callouts_and_plain_quotes_keep_their_own_markers():
    assert staged_prefixes("> [!note] A\n> > [!tip] B\n> > b\n> > > plain\n") == {
        0: "\n[!note] A", 1: "\n    [!tip] B", 2: "        b", 3: "        > plain"}


def test_a_lazy_line_gets_the_indent_of_the_callout_it_continues():
    assert staged_prefixes("> [!note] A\n> a\nlazy\n")[2] == "    lazy"


def test_nested_lists_in_quotes_are_indented_after_the_markers_tabs_expanded():
    assert staged_prefixes("> - a\n>   - b\n> - c\n>\t- d\n") == {1: ">     - b", 3: ">     - d"}


def test_nested_lists_outside_quotes_are_indented_from_the_line_start():
    assert staged_prefixes("- a\n  - b\n    - c\n") == {1: "    - b", 2: "        - c"}
