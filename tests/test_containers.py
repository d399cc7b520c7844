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


def staged(text: str) -> str:
    """The note's lines with their staged prefixes, and the blank lines render adds."""
    note = parse_note("a.md", text.encode())
    lines = note.source.split("\n")
    prefixes = line_prefixes(lines, note.callouts, note.containers, note.blank_line_before)
    out = [prefixes[n].text + line[prefixes[n].length:] if n in prefixes else line
           for n, line in enumerate(lines)]
    for n in note.blank_line_before:  # as render sets them apart
        out[n] = (prefixes[n].around.rstrip() if n in prefixes else "") + "\n" + out[n]
    return "\n".join(out)


def test_an_items_content_column_becomes_four_spaces_whatever_its_marker():
    assert staged("- a\n\n  b\n") == "- a\n\n    b\n"
    assert staged("1. a\n\n   b\n") == "1. a\n\n    b\n"
    assert staged("10. a\n\n    b\n") == "10. a\n\n    b\n"
    assert staged("-   a\n\n    b\n") == "- a\n\n    b\n"  # the content column is 4 here


def test_nested_items_take_four_spaces_a_level_and_keep_what_is_indented_further():
    assert staged("- a\n  1. b\n\n     ```\n       x\n     ```\n") == (
        "- a\n    1. b\n\n        ```\n          x\n        ```\n")


def test_tabs_count_to_the_next_multiple_of_four_and_a_split_tab_leaves_spaces():
    assert staged("-\ta\n\n\tb\n") == "- a\n\n    b\n"
    assert staged("- a\n\t- b\n") == "- a\n    - b\n"  # the tab's last two columns: 0..3 before a marker
    assert staged("- a\n\n\t c\n") == "- a\n\n       c\n"  # three columns beyond the content


def test_text_indented_less_than_the_content_column_is_not_moved_into_the_item():
    assert staged("1. a\n\n  b\n") == "1. a\n\n  b\n"
    assert staged("- a\n\nb\n") == "- a\n\nb\n"
    # CommonMark: 4 columns is text of the item (2 beyond its content column), not code
    assert staged("- a\n\n\n    text\n") == "- a\n\n\n      text\n"


def test_a_lazy_line_gets_the_prefix_of_the_paragraph_it_continues():
    assert staged("- a\n  - b\nlazy\n") == "- a\n    - b\n        lazy\n"
    assert staged("> - a\nlazy\n") == "> - a\n>     lazy\n"


def test_blocks_after_an_items_text_and_items_after_a_loose_block_get_a_blank_line():
    # Python-Markdown reads a quote, fence or table only at a block's start, and an item only
    # in a block that starts with an item at its depth or above.
    assert staged("- a\n  > q\n- b\n") == "- a\n\n    > q\n\n- b\n"
    assert staged("- a\n\n  more\n  - x\n  - y\n- b\n") == (
        "- a\n\n    more\n\n    - x\n    - y\n\n- b\n")
    assert staged("- a\n  - b\n- c\n") == "- a\n    - b\n- c\n"  # tight lists stay tight


def test_lists_in_quotes_and_callouts_keep_the_markers_before_their_prefix():
    assert staged("> - a\n>\n>   b\n> - c\n") == "> - a\n>\n>     b\n>\n> - c\n"
    assert staged("> [!tip] T\n> 1. a\n>\n>    b\n") == "\n[!tip] T\n\n    1. a\n    \n        b\n"


def test_a_parenthesis_marker_becomes_a_dot_python_markdown_knows():
    assert staged("1) a\n\n   b\n") == "1. a\n\n    b\n"
