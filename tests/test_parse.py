"""Parse: one note's bytes -> a Note with properties, headings (anchors) and links (positions).

`parse_note` is pure and never raises. Every link records where its source text stands:
`line`/`col` are 1-based and count characters, and `note.source[start:end] == raw`.
"""

from __future__ import annotations

import pytest

from compiler.parse import Link, Note, parse_note


def parse(text: str, path: str = "note.md") -> Note:
    return parse_note(path, text.encode("utf-8"))


def links(text: str) -> list[Link]:
    return list(parse(text).links)


def only_link(text: str) -> Link:
    found = links(text)
    assert len(found) == 1, f"expected one link in {text!r}, got {[link.raw for link in found]}"
    return found[0]


def targets(text: str) -> list[str]:
    return [link.target for link in links(text)]


def codes(note: Note) -> list[str]:
    return [d.code for d in note.diagnostics]


def assert_located(note: Note, link: Link) -> None:
    """The link's offsets, line and column all point at its raw text in the note's source."""
    assert link.start >= 0, f"{link.raw!r} was not located"
    assert note.source[link.start:link.end] == link.raw
    line_start = note.source.rfind("\n", 0, link.start) + 1
    assert link.line == note.source.count("\n", 0, link.start) + 1
    assert link.col == link.start - line_start + 1


def position(text: str, snippet: str, occurrence: int = 1) -> tuple[int, int]:
    """(line, col), 1-based in characters, of the n-th occurrence of `snippet` in `text`."""
    at = -1
    for _ in range(occurrence):
        at = text.index(snippet, at + 1)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


# --- wikilink forms -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "target", "fragment", "display"),
    [
        ("[[Note]]", "Note", "", None),
        ("[[Folder/Note]]", "Folder/Note", "", None),
        ("[[Note.md]]", "Note.md", "", None),
        ("[[Note|text]]", "Note", "", "text"),
        ("[[Note#Heading]]", "Note", "Heading", None),
        ("[[#Heading]]", "", "Heading", None),
        ("[[Note#H1#H2]]", "Note", "H1#H2", None),
        ("[[Note#^block-1]]", "Note", "^block-1", None),
        ("[[Note#Heading|shown]]", "Note", "Heading", "shown"),
        ("[[신경망 기초]]", "신경망 기초", "", None),
    ],
)
def test_wikilink_forms_split_into_target_fragment_and_display(raw, target, fragment, display):
    note = parse(f"before {raw} after")
    [link] = note.links
    assert (link.target, link.fragment, link.display) == (target, fragment, display)
    assert (link.style, link.embed, link.external) == ("wiki", False, False)
    assert link.raw == raw
    assert_located(note, link)


@pytest.mark.parametrize(
    ("raw", "width", "height"),
    [("![[image.png]]", None, None), ("![[image.png|300]]", 300, None),
     ("![[image.png|300x200]]", 300, 200)],
)
def test_image_embeds_carry_their_size(raw, width, height):
    note = parse(f"Figure: {raw}")
    [link] = note.links
    assert link.embed
    assert link.target == "image.png"
    assert (link.width, link.height) == (width, height)
    assert link.display is None
    assert_located(note, link)


def test_an_embed_with_a_caption_and_a_size_keeps_the_caption_as_display():
    link = only_link("![[image.png|A cat|300]]")
    assert (link.display, link.width, link.height) == ("A cat", 300, None)


def test_a_note_embed_is_an_embed_of_a_note_section():
    link = only_link("![[Note#Heading]]")
    assert (link.embed, link.target, link.fragment) == (True, "Note", "Heading")


def test_shown_text_is_display_or_target_and_fragments_joined_by_arrows():
    assert only_link("[[a#b]]").shown_text == "a > b"
    assert only_link("[[a#b#c]]").shown_text == "a > b > c"
    assert only_link("[[#b]]").shown_text == "b"
    assert only_link("[[a|  shown  ]]").shown_text == "shown"
    assert only_link("[[a]]").shown_text == "a"


# --- Markdown links -----------------------------------------------------------------------


def test_a_markdown_link_with_percent_encoding_is_url_decoded():
    note = parse("See [the note](Name%20here.md).")
    [link] = note.links
    assert (link.target, link.fragment, link.style, link.external) == ("Name here.md", "", "markdown", False)
    assert link.raw == "[the note](Name%20here.md)"
    assert_located(note, link)


def test_a_markdown_link_in_angle_brackets_may_contain_spaces():
    note = parse("See [t](<Name here.md>) now")
    [link] = note.links
    assert link.target == "Name here.md"
    assert link.raw == "[t](<Name here.md>)"
    assert_located(note, link)


def test_a_markdown_link_fragment_is_split_off():
    link = only_link("[t](Other%20note.md#Some%20heading)")
    assert (link.target, link.fragment) == ("Other note.md", "Some heading")


def test_a_markdown_image_is_an_embed_whose_display_is_its_alt_text():
    note = parse("An image ![a cat](pic.png) here")
    [link] = note.links
    assert (link.target, link.embed, link.display, link.style) == ("pic.png", True, "a cat", "markdown")
    assert_located(note, link)


@pytest.mark.parametrize("href", ["https://example.com/a%20b#frag", "http://x.org", "mailto:me@x.org",
                                  "//cdn.example.com/x.png"])
def test_links_with_a_scheme_are_external_and_kept_verbatim(href):
    link = only_link(f"[site]({href})")
    assert link.external
    assert (link.target, link.fragment) == (href, "")


# --- positions ---------------------------------------------------------------------------


def test_line_and_col_count_characters_so_korean_text_before_a_link_counts_once_per_syllable():
    text = "첫째 줄\n신경망은 [[Note]] 이다. 그리고 [[둘째|보기]] 끝\n"
    note = parse(text)
    first, second = note.links
    assert (first.line, first.col) == (2, 6) == position(text, "[[Note]]")
    assert (second.line, second.col) == position(text, "[[둘째|보기]]")
    for link in note.links:
        assert_located(note, link)


def test_positions_after_front_matter_are_file_lines():
    text = "---\ntitle: 제목\ntags: [a]\n---\n# 머리\n\n본문 [[Link]]\n"
    note = parse(text)
    [link] = note.links
    assert (link.line, link.col) == (7, 4)
    assert_located(note, link)


def test_the_same_link_twice_on_a_line_gets_two_positions():
    text = "[[A]] and [[A]]"
    note = parse(text)
    first, second = note.links
    assert (first.col, second.col) == (1, 11)
    for link in note.links:
        assert_located(note, link)


@pytest.mark.parametrize("text", ["`[[A]]` then [[A]]", "$[[A]]$ then [[A]]"],
                         ids=["code span", "inline math"])
def test_a_link_after_code_or_math_holding_the_same_text_is_located_at_the_real_link(text):
    note = parse(text)
    [link] = note.links
    assert (link.line, link.col, link.start) == (1, 14, 13)


def test_a_link_after_an_escaped_opener_holding_the_same_text_is_located_at_the_real_link():
    text = "\\[[A]] then [[A]]"
    note = parse(text)
    [link] = note.links
    assert (link.col, link.start) == (13, 12)


def test_a_markdown_link_after_a_code_span_holding_the_same_text_is_located_at_the_real_link():
    text = "`[x](a.md)` and [x](a.md)"
    [link] = parse(text).links
    assert (link.col, link.start) == (17, 16)


def test_a_link_after_an_embed_of_the_same_target_does_not_overlap_the_embed():
    text = "![[A]] [[A]]"
    note = parse(text)
    embed, link = note.links
    assert (embed.start, embed.end, embed.embed) == (0, 6, True)
    assert (link.start, link.end, link.col) == (7, 12, 8)


def test_two_identical_links_in_one_table_row_get_their_own_cells_positions():
    text = "| a | b |\n|---|---|\n| [[A]] | [[A]] |\n"
    first, second = parse(text).links
    assert (first.line, first.col) == (3, 3)
    assert (second.line, second.col) == (3, 11)


@pytest.mark.parametrize(("row", "raw"), [
    ("| `[[A]]` | [[A]] |", "[[A]]"),
    ("| `[[A]]` [[A]] | b |", "[[A]]"),
    ("| $[[A]]$ [[A]] | b |", "[[A]]"),
    ("| ![[A]] [[A]] | b |", "[[A]]"),
    ("| ![t](x.md) [t](x.md) | b |", "[t](x.md)"),
])
def test_a_table_cell_link_after_code_math_or_an_embed_of_the_same_text_is_located_at_the_real_link(
        row, raw):
    text = f"| a | b |\n|---|---|\n{row}\n"
    note = parse(text)
    link = next(link for link in note.links if not link.embed)
    assert (link.line, link.col) == position(text, raw, occurrence=2)
    assert_located(note, link)


def test_a_link_in_a_heading_with_closing_hashes_is_located_at_the_real_link():
    text = "# `[[A]]` [[A]] #\n"
    note = parse(text)
    [link] = note.links
    assert (link.line, link.col, link.start) == (1, 11, 10)


def test_a_markdown_link_whose_text_wraps_is_located_across_lines():
    text = "para [t\nx](a.md) end"
    note = parse(text)
    [link] = note.links
    assert link.raw == "[t\nx](a.md)"
    assert_located(note, link)


# --- links in every kind of block --------------------------------------------------------


def test_links_in_list_items_blockquotes_callouts_and_headings_are_found_and_located():
    text = ("- item [[InList]]\n"
            "  1. nested [[Nested]]\n"
            "\n"
            "> quoted [[InQuote]]\n"
            "\n"
            "> [!note] Title [[InCallout]]\n"
            "> body [[CalloutBody]]\n"
            "\n"
            "# Heading [[InHeading]]\n"
            "- [ ] task [[InTask]]\n")
    note = parse(text)
    assert [link.target for link in note.links] == [
        "InList", "Nested", "InQuote", "InCallout", "CalloutBody", "InHeading", "InTask"]
    for link in note.links:
        assert_located(note, link)
        assert (link.line, link.col) == position(text, link.raw)


def test_a_table_cell_link_with_an_escaped_pipe_has_display_text():
    link = only_link("| a | b |\n|---|---|\n| [[Note\\|text]] | x |\n")
    assert (link.target, link.display, link.shown_text) == ("Note", "text", "text")
    assert (link.line, link.col) == (3, 3)


def test_a_table_cell_link_with_an_escaped_pipe_locates_its_source_text():
    note = parse("| a | b |\n|---|---|\n| [[Note\\|text]] | x |\n")
    [link] = note.links
    assert_located(note, link)


def test_a_link_in_a_table_header_is_found():
    text = "| [[Head]] | b |\n|---|---|\n| x | y |\n"
    link = only_link(text)
    assert (link.target, link.line, link.col) == ("Head", 1, 3)


def test_a_link_in_a_footnote_definition_is_found():
    text = "see [^1]\n\n[^1]: note [[Foot]]\n"
    note = parse(text)
    [link] = note.links
    assert (link.target, link.line, link.col) == ("Foot", 3, 12)
    assert_located(note, link)


def test_links_record_the_section_they_stand_under():
    note = parse("[[Top]]\n# 첫 장\n[[One]]\n## 둘\n[[Two]]\n")
    assert [(link.target, link.section) for link in note.links] == [
        ("Top", ""), ("One", "첫-장"), ("Two", "둘")]


# --- what is not a link ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "`[[InCode]]` and `[x](y.md)`",
        "```\n[[InFence]]\n[x](y.md)\n```\n",
        "~~~python\n![[InTilde.png]]\n~~~\n",
        "para\n\n    [[Indented]]\n",
        "inline $[[Math]]$ math",
        "$$\n[[BlockMath]]\n$$\n",
        "inline $$[[DisplayMath]]$$ here",
        "<div>\n[[InHtmlBlock]]\n</div>\n",
        "<!-- [[InComment]] -->",
    ],
)
def test_nothing_inside_code_math_or_html_is_a_link(text):
    assert links(text) == []


def test_an_unclosed_wikilink_is_text():
    assert links("[[unclosed and more text") == []


def test_a_single_closing_bracket_does_not_end_a_wikilink():
    link = only_link("[[Sq]uare]] after")
    assert link.target == "Sq]uare"
    assert link.raw == "[[Sq]uare]]"


def test_a_wikilink_does_not_span_lines():
    assert links("[[a\n b]]") == []


def test_an_empty_wikilink_is_text():
    assert links("[[]] and [[   ]]") == []


def test_an_unclosed_opener_before_a_real_link_leaves_the_real_link():
    assert targets("[[open [[Real]]") == ["Real"]


# --- headings -----------------------------------------------------------------------------


def test_headings_with_korean_text_get_readable_anchors():
    [heading] = parse("# 신경망 기초이론\n").headings
    assert (heading.level, heading.text, heading.line) == (1, "신경망 기초이론", 1)
    assert heading.anchor == "신경망-기초이론"


def test_duplicate_headings_get_numbered_anchors():
    note = parse("# 개요\n\n## 개요\n\n### 개요\n")
    assert [h.anchor for h in note.headings] == ["개요", "개요-1", "개요-2"]


def test_anchors_drop_punctuation_and_lowercase_latin_letters():
    note = parse("## Hello, World!\n## C++ & Go\n## ReLU (activation)\n")
    assert [h.anchor for h in note.headings] == ["hello-world", "c-go", "relu-activation"]


def test_a_heading_of_only_punctuation_still_gets_an_anchor():
    [heading] = parse("# ???\n").headings
    assert heading.anchor


def test_setext_headings_are_headings_with_levels_one_and_two():
    text = "Title\n=====\n\nSub title\n---------\n\nbody\n"
    note = parse(text)
    assert [(h.level, h.text, h.line) for h in note.headings] == [(1, "Title", 1), (2, "Sub title", 4)]
    assert [h.attr_line for h in note.headings] == [0, 3]


def test_a_heading_with_a_link_reads_as_its_shown_text():
    [heading] = parse("# See [[Other|그 노트]] too\n").headings
    assert heading.text == "See 그 노트 too"
    assert heading.source == "See [[Other|그 노트]] too"


def test_the_title_comes_from_the_file_name_without_md():
    assert parse("body", "folder/My Note.md").title == "My Note"


# --- front matter --------------------------------------------------------------------------


def test_front_matter_gives_properties_title_and_aliases():
    note = parse("---\ntitle: 제목\naliases: [AI, 인공지능]\ntags:\n  - ml\nrating: 3\n---\n# Body\n")
    assert note.title == "제목"
    assert note.aliases == ("AI", "인공지능")
    assert note.properties == {"title": "제목", "aliases": ["AI", "인공지능"], "tags": ["ml"], "rating": 3}
    assert note.source[note.body_start:] == "# Body\n"


def test_quoted_wikilinks_in_properties_count_as_links():
    # DESIGN §5: "links in properties are quoted strings ("[[Note]]") and count as links".
    note = parse('---\nrelated: "[[Note]]"\nup: ["[[A]]", "[[B|b]]"]\n---\nbody\n')
    assert [(link.target, link.display, link.line) for link in note.links] == [
        ("Note", None, 2), ("A", None, 3), ("B", "b", 3)]


def test_a_single_string_alias_is_a_one_element_tuple():
    assert parse("---\naliases: 인공지능\n---\n").aliases == ("인공지능",)


def test_dates_in_properties_become_iso_strings():
    note = parse("---\ncreated: 2024-01-02\nupdated: 2024-01-02 10:30:00\nnested:\n  - 2023-12-31\n---\n")
    assert note.properties == {"created": "2024-01-02", "updated": "2024-01-02T10:30:00",
                               "nested": ["2023-12-31"]}


def test_a_note_without_front_matter_has_no_properties():
    note = parse("# Just a heading\n")
    assert (note.properties, note.aliases, note.body_start, note.diagnostics) == ({}, (), 0, ())


def test_invalid_yaml_is_reported_at_its_file_line_and_the_body_is_still_parsed():
    text = "---\ntitle: ok\nbroken: : here\n---\n# Body\n\ntext [[Link]]\n"
    note = parse(text)
    [problem] = note.diagnostics
    assert problem.code == "invalid-front-matter"
    assert problem.line == 3  # YAML's own line 2, plus one for the opening ---
    assert problem.col >= 1
    assert note.properties == {}
    assert [h.text for h in note.headings] == ["Body"]
    [link] = note.links
    assert (link.target, link.line) == ("Link", 7)
    assert_located(note, link)


def test_invalid_yaml_found_on_a_later_line_is_reported_at_that_file_line():
    text = "---\na: 1\nb: [unclosed\nc: 2\n---\nbody\n"
    [problem] = parse(text).diagnostics
    assert (problem.code, problem.line, problem.col) == ("invalid-front-matter", 4, 2)


def test_front_matter_that_is_not_a_mapping_is_invalid():
    note = parse("---\n- a\n- b\n---\nbody [[X]]\n")
    assert codes(note) == ["invalid-front-matter"]
    assert note.properties == {}
    assert targets("---\n- a\n---\nbody [[X]]\n") == ["X"]


# --- bytes: encodings and line endings -----------------------------------------------------


def test_invalid_utf8_is_reported_at_the_bad_bytes_line_and_column_and_the_note_still_parses():
    data = "첫 줄\n가나".encode() + b"\xff" + b" [[Link]]\n"
    note = parse_note("bad.md", data)
    [problem] = note.diagnostics
    assert (problem.code, problem.path, problem.line, problem.col) == ("invalid-utf8", "bad.md", 2, 3)
    [link] = note.links
    assert link.target == "Link"
    assert "\ufffd" in note.source
    assert_located(note, link)


def test_crlf_line_endings_are_normalised_and_positions_count_lines_correctly():
    data = b"---\r\ntitle: T\r\n---\r\n# Head\r\n\r\ntext [[Link]] more\r\n"
    note = parse_note("crlf.md", data)
    assert "\r" not in note.source
    assert note.title == "T"
    assert [(h.text, h.line) for h in note.headings] == [("Head", 4)]
    [link] = note.links
    assert (link.line, link.col) == (6, 6)
    assert_located(note, link)


def test_a_byte_order_mark_is_dropped_and_front_matter_still_recognised():
    data = "\ufeff---\ntitle: 제목\n---\n[[Link]]\n".encode()
    note = parse_note("bom.md", data)
    assert not note.source.startswith("\ufeff")
    assert note.title == "제목"
    [link] = note.links
    assert (link.line, link.col) == (4, 1)
    assert_located(note, link)


def test_an_empty_file_is_an_empty_note():
    note = parse_note("empty.md", b"")
    assert (note.title, note.links, note.headings, note.diagnostics) == ("empty", (), (), ())


# --- link context -------------------------------------------------------------------------


def test_link_context_is_the_sentence_around_the_link():
    link = only_link("First sentence here. The [[Link]] is in the second. Third one! After")
    assert link.context == ("The ", "Link", " is in the second.")


def test_link_context_shows_display_text_for_the_link_itself():
    link = only_link("신경망은 [[Neural network|인공 신경망]]을 말한다. 다음 문장.")
    assert link.context == ("신경망은 ", "인공 신경망", "을 말한다.")


def test_link_context_stops_at_a_line_break():
    first, _ = links("line one [[A]] end\nline two [[B]]")
    assert first.context == ("line one ", "A", " end")


def test_link_context_of_a_heading_link_shows_the_arrowed_target():
    link = only_link("See [[a#b]] now.")
    assert link.context == ("See ", "a > b", " now.")


def test_a_very_long_sentence_is_trimmed_around_the_link():
    link = only_link("word " * 100 + "[[Mid]]" + " word" * 100)
    before, shown, after = link.context
    assert shown == "Mid"
    assert before.startswith("…") and after.endswith("…")
    assert len(before) + len(after) < 200


# --- plain text ---------------------------------------------------------------------------


def test_plain_text_shows_links_as_their_shown_text():
    note = parse("# 제목\n\n신경망은 [[Neural|인공 신경망]]이고 [[a#b]]다.\n")
    assert "인공 신경망" in note.text
    assert "a > b" in note.text
    assert "[[" not in note.text


def test_parsing_is_pure_the_same_bytes_give_equal_notes():
    data = b"---\ntitle: x\n---\n# H\n[[A]] ![[b.png|30]]\n"
    assert parse_note("x.md", data) == parse_note("x.md", data)


def test_only_fences_marked_exec_are_executable_and_their_options_are_read():
    note = parse("```python\nprint(1)\n```\n\n```python exec\n#| figure: a.png, b.png\n"
                 "#| caption: 그림\n#| timeout: 5\nprint(2)\n```\n")
    [block] = note.blocks
    assert block.code == "print(2)\n" and block.line == 5
    assert block.figures == ("a.png", "b.png") and block.option("caption") == "그림"
    assert block.option("timeout") == "5" and note.diagnostics == ()


def test_unknown_and_invalid_block_options_are_reported_where_they_stand():
    note = parse("```python exec\n#| colour: red\n#| fold: sideways\n#| timeout: soon\nx = 1\n```\n")
    found = [(d.code, d.line, d.col) for d in note.diagnostics]
    assert found == [("unknown-option", 2, 4), ("invalid-option", 3, 4), ("invalid-option", 4, 4)]
    assert note.blocks[0].options == ()


# --- tags ----------------------------------------------------------------------------------


def tag_names(text: str) -> list[str]:
    return [tag.name for tag in parse(text).tags]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("text #공부/딥러닝 end", ["공부/딥러닝"]),
        ("#start of a paragraph", ["start"]),
        ("**#bold** and *#em*, ~~#gone~~", ["bold", "em", "gone"]),
        ("#1984 is a year, #1984a and #y2k are tags", ["1984a", "y2k"]),
        ("a#b is inside a word; ##two is no tag", []),
        ("`#code` $#math$ [#label](x.md) [[#Heading]] ![[n#h]]", []),
        ("http://example.com/#frag and &#35;entity", []),
        ("#tag, #tag. #tag! (end)", ["tag", "tag", "tag"]),
        ("#a/ ends before its slash; #/b is no tag", ["a"]),
        ("#under_score #dash-ed #Mixed_Case-1", ["under_score", "dash-ed", "Mixed_Case-1"]),
    ],
)
def test_inline_tags_follow_obsidians_rules(text, names):
    assert tag_names(text) == names


def test_a_heading_is_not_a_tag_but_a_tag_in_a_heading_is():
    note = parse("# Heading #inside\n\n#tag\n")
    assert [t.name for t in note.tags] == ["inside", "tag"]
    assert note.headings[0].text == "Heading #inside"


def test_tags_in_fences_and_indented_code_are_not_tags():
    assert tag_names("```\n#fenced\n```\n\n    #indented\n\n$$\n#math\n$$\n") == []


def test_an_nfd_tag_is_named_in_nfc_and_located_in_the_source():
    import unicodedata

    text = unicodedata.normalize("NFD", "앞 #딥러닝 뒤")
    note = parse(text)
    [tag] = note.tags
    assert tag.name == "딥러닝"
    assert note.source[tag.start:tag.end] == "#" + unicodedata.normalize("NFD", "딥러닝")


def test_inline_tags_record_their_position():
    note = parse("---\ntitle: x\n---\n첫 줄\n| a | #셀 |\n|---|---|\n\n끝 #끝 #끝\n")
    assert [(t.name, t.line, t.col) for t in note.tags] == [("셀", 5, 7), ("끝", 8, 3), ("끝", 8, 6)]
    for tag in note.tags:
        assert note.source[tag.start:tag.end] == "#" + tag.name


@pytest.mark.parametrize(
    ("front", "names"),
    [
        ("tags: [ML, \"#확률\"]", ["ML", "확률"]),
        ("tags:\n  - a/b\n  - '#c'", ["a/b", "c"]),
        ("tags: x, y z", ["x", "y", "z"]),
        ("tags: \"#one #two\"", ["one", "two"]),
        ("tag: legacy", ["legacy"]),
        ("tags:", []),
    ],
)
def test_the_tags_property_is_a_list_or_a_string_with_or_without_hashes(front, names):
    note = parse(f"---\n{front}\n---\nbody\n")
    assert [t.name for t in note.tags] == names and note.diagnostics == ()
    assert all(t.start == -1 for t in note.tags)


def test_property_tags_that_are_no_tags_are_reported_where_they_stand():
    note = parse("---\ntags:\n  - good\n  - two words\n  - 1984\n---\n")
    assert [t.name for t in note.tags] == ["good"]
    assert [(d.code, d.line, d.col) for d in note.diagnostics] == [
        ("invalid-tag", 4, 5), ("invalid-tag", 5, 5)]


def test_tag_names_are_unique_case_insensitively_and_spelled_as_first_written():
    note = parse("---\ntags: [ML]\n---\n#ml #Deep #deep #ML/x\n")
    assert note.tag_names == ("ML", "Deep", "ML/x")


def test_the_plain_text_keeps_the_tags():
    assert "#공부 본문" in parse("#공부 본문\n").text


def test_publish_false_marks_a_note_unpublished():
    assert parse("---\npublish: false\n---\n").published is False
    assert parse("---\npublish: true\n---\n").published is True
    assert parse("body").published is True
