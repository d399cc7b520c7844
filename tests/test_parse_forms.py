"""Parse: callouts, %%comments%% and inline footnotes in the note model."""

from __future__ import annotations

from compiler.parse import parse_note


def parse(text: str):
    return parse_note("a.md", text.encode())


def test_a_callouts_marker_is_no_text_the_reader_sees():
    note = parse("> [!tip]- 제목 [[Other]]\n> body\n\n> text\n> [!note] later\n")
    assert note.links[0].context == ("제목 ", "Other", "")
    assert "[!tip]" not in note.text and "[!note] later" in note.text


def test_comments_hide_their_links_inline_and_as_blocks():
    text = "a %%[[Hidden]] x%% b [[Shown]]\n\n%%\n[[AlsoHidden]]\n\n# not a heading\n%%\n"
    note = parse(text)
    assert [link.target for link in note.links] == ["Shown"]
    assert note.headings == () and "Hidden" not in note.text


def test_comment_markers_in_code_and_math_are_text():
    note = parse("`%%code%%` and $a %% b$\n\n```\n%%\n```\n")
    assert "%%code%%" in note.text and [m.latex for m in note.math] == ["a %% b"]


def test_an_unclosed_comment_block_hides_the_rest_and_is_reported():
    note = parse("shown\n\n%% never closed\n[[Gone]]\n")
    assert note.links == ()
    [problem] = note.diagnostics
    assert (problem.code, problem.line, problem.col) == ("unclosed-comment", 3, 1)


def test_an_unclosed_inline_comment_is_text():
    note = parse("50%% off [[Sale]]\n")
    assert "50%% off" in note.text and [link.target for link in note.links] == ["Sale"]


def test_links_in_inline_footnotes_are_found_and_located():
    text = "Text^[see [[Other|그 노트]] and [md](Md.md)] after [[Third]].\n"
    note = parse(text)
    assert [(link.target, text[link.start:link.end]) for link in note.links] == [
        ("Other", "[[Other|그 노트]]"), ("Md.md", "[md](Md.md)"), ("Third", "[[Third]]")]


def test_an_escaped_dollar_opens_no_math():
    text = "Price \\$5 and \\$x\\$ but $y$ and `\\$`\n"
    note = parse(text)
    assert [m.latex for m in note.math] == ["y"]
