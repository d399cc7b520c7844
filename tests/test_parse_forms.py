"""Parse: callouts, %%comments%% and inline footnotes in the note model."""

from __future__ import annotations

from compiler.parse import parse_note


def parse(text: str):
    return parse_note("a.md", text.encode())


def test_a_callout_records_its_type_fold_depth_lines_and_title():
    text = "x\n\n> [!FAQ]- 자주 묻는 질문\n> body\n> > [!note]\n> > inner\n"
    outer, inner = parse(text).callouts
    assert (outer.kind, outer.fold, outer.depth, outer.first_line, outer.end_line) == (
        "FAQ", "-", 1, 2, 6)
    assert text[outer.marker[0]:outer.marker[1]] == "[!FAQ]- "
    assert text[outer.title[0]:outer.title[1]] == "자주 묻는 질문"
    assert (inner.kind, inner.depth, inner.first_line) == ("note", 2, 4)
    assert inner.title[0] == inner.title[1]


def test_a_quote_whose_first_line_is_not_a_type_is_no_callout():
    assert parse("> text\n> [!note] later\n").callouts == ()
    assert parse("> [!note]\n").callouts[0].kind == "note"


def test_comments_hide_their_links_inline_and_as_blocks():
    text = "a %%[[Hidden]] x%% b [[Shown]]\n\n%%\n[[AlsoHidden]]\n\n# not a heading\n%%\n"
    note = parse(text)
    assert [link.target for link in note.links] == ["Shown"]
    assert [text[s:e] for s, e in note.comments] == [
        "%%[[Hidden]] x%%", "%%\n[[AlsoHidden]]\n\n# not a heading\n%%"]
    assert note.headings == () and "Hidden" not in note.text


def test_comment_markers_in_code_and_math_are_text():
    note = parse("`%%code%%` and $a %% b$\n\n```\n%%\n```\n")
    assert note.comments == ()


def test_an_unclosed_comment_block_hides_the_rest_and_is_reported():
    note = parse("shown\n\n%% never closed\n[[Gone]]\n")
    assert note.links == ()
    [problem] = note.diagnostics
    assert (problem.code, problem.line, problem.col) == ("unclosed-comment", 3, 1)


def test_an_unclosed_inline_comment_is_text():
    note = parse("50%% off [[Sale]]\n")
    assert note.comments == () and [link.target for link in note.links] == ["Sale"]


def test_links_in_inline_footnotes_are_found_and_located():
    text = "Text^[see [[Other|그 노트]] and [md](Md.md)] after [[Third]].\n"
    note = parse(text)
    assert [(link.target, text[link.start:link.end]) for link in note.links] == [
        ("Other", "[[Other|그 노트]]"), ("Md.md", "[md](Md.md)"), ("Third", "[[Third]]")]
    [footnote] = note.inline_footnotes
    assert text[footnote.start:footnote.end] == "^[see [[Other|그 노트]] and [md](Md.md)]"


def test_an_escaped_dollar_opens_no_math_and_is_recorded_outside_code():
    text = "Price \\$5 and \\$x\\$ but $y$ and `\\$`\n"
    note = parse(text)
    assert [text[at:at + 2] for at in note.escaped_dollars] == ["\\$"] * 3
    assert [m.latex for m in note.math] == ["y"]
