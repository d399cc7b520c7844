"""Render: staged Markdown for MkDocs, from resolved notes."""

from __future__ import annotations

import html
import re
from pathlib import Path

import markdown

from compiler.graph import build_graph
from compiler.parse import READ_BEFORE_ANCHOR, parse_note
from compiler.render import (
    HOME,
    literal,
    page_address,
    render_site,
    staged_paths,
    url,
)
from compiler.resolve import resolve_vault


def stage_of(files: dict[str, str], home: str | None = None):
    notes = {p: parse_note(p, t.encode()) for p, t in files.items()}
    resolved = resolve_vault(notes, {})
    return render_site(resolved, build_graph(resolved), "테스트", home)


def test_literal_text_survives_python_markdown_unchanged():
    tricky = "a*b* _c_ [d](e) #f `g` ==h== <i> & 1. ~~j~~ | $k$"
    rendered = markdown.markdown(literal(tricky), extensions=["pymdownx.mark", "pymdownx.tilde"])
    assert rendered.startswith("<p>") and rendered.endswith("</p>")
    inner = rendered.removeprefix("<p>").removesuffix("</p>")
    assert "<" not in inner and html.unescape(inner) == tricky


def test_urls_are_relative_and_percent_encoded():
    assert url("a/b.md", "c d/e.md", "제목") == "../c%20d/e.md#제목"
    assert url("a/b.md", "a/b.md", "x") == "#x"
    assert url("index.md", "3. R(정보)/x.md") == "3.%20R%28%EC%A0%95%EB%B3%B4%29/x.md"


def test_the_vault_index_note_is_the_home_page_and_otherwise_one_is_generated():
    assert staged_paths({"Index.md": None, "a.md": None}, None)[0]["Index.md"] == HOME
    assert staged_paths({"a.md": None}, "a.md")[0]["a.md"] == HOME
    stage = stage_of({"a.md": "[[b]]", "b.md": "# B"})
    assert HOME in stage.pages and "가장 많이 연결된 노트" in stage.pages[HOME]


def test_a_configured_home_that_does_not_exist_is_reported():
    placed, [problem] = staged_paths({"a.md": None}, "Home.md")
    assert placed == {"a.md": "a.md"} and problem.code == "missing-home"


def test_notes_mkdocs_would_publish_at_one_address_are_renamed_and_reported():
    placed, problems = staged_paths({"x/README.md": None, "x/index.md": None, "bar.md": None,
                                     "bar/README.md": None}, None)
    addresses = {page_address(p) for p in placed.values()}
    assert len(addresses) == 4
    assert placed["x/index.md"] == "x/index.md" and placed["x/README.md"] == "x/README (2).md"
    assert placed["bar/README.md"] == "bar/README (2).md"
    assert [p.code for p in problems] == ["page-collision", "page-collision"]


def test_markdown_links_keep_their_text_markup_and_title():
    stage = stage_of({"a.md": "[**굵게** 보기](b.md \"제목\") [e](we%23ird.md)", "b.md": "",
                      "we#ird.md": ""})
    text = stage.pages["a.md"]
    assert '[**굵게** 보기](b.md "제목")' in text
    assert "[e](we%23ird.md)" in text


def test_links_headings_and_front_matter_in_the_staged_page():
    stage = stage_of({"가/a.md": "---\ntags: [x]\n---\n# 제목 ##\n\n[[b#B 절|보기]] [[없음]]\n",
                      "b.md": "## B 절\n"})
    text = stage.pages["가/a.md"]
    assert text.startswith("---\ntitle: a\n---\n\n# a { #kb-title }\n\n<div class=\"kb-properties\"")
    assert "</div>\n\n# 제목 { #제목 }\n" in text
    assert "[보기](../b.md#b-절)" in text
    assert '<span class="kb-unresolved" title="연결되지 않은 링크: 없음">없음</span>' in text


def test_python_markdown_gets_the_blank_line_it_needs_before_a_list():
    stage = stage_of({"a.md": "문단\n- 항목\n\n> 인용\n> - 목록\n"})
    assert "문단\n\n- 항목" in stage.pages["a.md"]


def test_rendering_is_deterministic():
    files = {"a.md": "[[b]] [[c]]", "b.md": "[[a]]", "c.md": "# C\n[[a#x]]"}
    assert stage_of(files).pages == stage_of(files).pages


def test_each_page_opens_with_the_note_name_unless_the_note_already_does():
    stage = stage_of({"신경망.md": "# 신경망\n본문", "b.md": "\n# 다른 제목\n", "c.md": "본문"})
    assert stage.pages["신경망.md"].count("# ") == 2  # its own heading + the backlinks heading
    assert "# b { #kb-title }\n\n# 다른 제목 { #다른-제목 }" in stage.pages["b.md"]
    assert "# c { #kb-title }\n\n본문" in stage.pages["c.md"]


def test_math_becomes_mathml_that_needs_no_script_and_bad_latex_stays_visible():
    source = "식 $x^2$ 과\n\n$$\n\\frac{a}{b}\n$$\n\n나쁜 $\\left( x$ 끝\n"
    stage = stage_of({"a.md": source})
    text = stage.pages["a.md"]
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in text
    assert '<div class="kb-math"><math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in text
    assert '<code class="kb-math-error"' in text and "\\left( x</code>" in text
    assert "$" not in text.split("---", 2)[2]
    [problem] = parse_note("a.md", source.encode()).diagnostics
    assert (problem.code, problem.line, problem.col) == ("invalid-math", 7, 4)


def test_a_dollar_amount_is_not_math():
    stage = stage_of({"a.md": "가격은 $ 5 and $10 입니다\n"})
    assert "<math" not in stage.pages["a.md"]


def test_a_tag_at_the_start_of_a_line_is_a_tag_link_and_does_not_become_a_heading():
    stage = stage_of({"a.md": "#딥러닝 #ml\n#1984 is no tag\n본문\n\n# 진짜 제목\n"})
    rendered = markdown.markdown(stage.pages["a.md"].split("---", 2)[2], extensions=["attr_list"])
    assert '<a class="kb-tag" href="tags.md#딥러닝">&#35;딥러닝</a>' in rendered
    assert '<a class="kb-tag" href="tags.md#ml">&#35;ml</a>' in rendered
    assert "\n#1984 is no tag" in rendered
    assert rendered.count("<h1") == 2  # the inline title and the real heading


def test_the_tags_page_lists_every_tag_nested_with_counts_and_its_notes():
    stage = stage_of({"a.md": "---\ntags: [공부/딥러닝]\n---\n#ML", "b/c.md": "#공부 #ml/deep #Ml",
                      "d.md": "no tags"})
    page = stage.pages["tags.md"]
    assert page.startswith("---\ntitle: 태그\n---\n")
    sections = [line for line in page.split("\n") if line.startswith("#")]
    assert sections == ["# 태그 { #kb-title }", "## &#35;ML { #ml }", "### &#35;ml/deep { #ml/deep }",
                        "## &#35;공부 { #공부 }", "### &#35;공부/딥러닝 { #공부/딥러닝 }"]
    ml = page[page.index("{ #ml }"):page.index("{ #ml/deep }")]
    assert "노트 2개" in ml and "[a](a.md)" in ml and "[c](b/c.md)" in ml
    study = page[page.index("{ #공부 }"):page.index("{ #공부/딥러닝 }")]
    assert "노트 1개 (아래 태그 포함 2개)" in study
    assert "[&#35;공부](../tags.md#공부){ .kb-tag }" in stage.pages["b/c.md"]


def test_no_tags_no_tags_page_and_a_note_named_tags_keeps_its_address():
    assert "tags.md" not in stage_of({"a.md": "text"}).pages
    stage = stage_of({"tags.md": "#x"})
    assert stage.pages["tags.md"].startswith("---\ntitle: tags\n") and "tags-2.md" in stage.pages
    assert "[&#35;x](tags-2.md#x){ .kb-tag }" in stage.pages["tags.md"]


def test_lists_nested_by_two_spaces_or_a_tab_nest_in_python_markdown_too():
    source = "- a\n  - b\n    - c\n  more\n- d\n\n1. one\n   - x\n\n- t\n\t- u\n"
    stage = stage_of({"a.md": source})
    rendered = markdown.markdown(stage.pages["a.md"].split("---", 2)[2],
                                 extensions=["attr_list", "sane_lists"])
    assert rendered.count("<ul>") == 6 and rendered.count("<ol>") == 1
    assert "<li>b" in rendered and rendered.index("<li>c") > rendered.index("<li>b")
    assert rendered.count("</ul>\n</li>") == 4  # b, c, x and u each nest inside their item


def analysed_stage(files: dict[str, str]):
    from compiler.analysis import analyse

    notes = {p: parse_note(p, t.encode()) for p, t in files.items()}
    resolved = resolve_vault(notes, {})
    graph = build_graph(resolved)
    return render_site(resolved, graph, "테스트", summary=analyse(graph, notes))


def measures_of(page: str) -> list[str]:
    box = re.search(r'<p class="kb-measures" data-search-exclude>(.*?)</p>', page).group(1)
    return [html.unescape(re.sub(r"<[^>]+>", "", fact)) for fact in box.split(" · ")]


def needs(*targets: str) -> str:
    listed = ", ".join(f'"[[{t}]]"' for t in targets)
    return f"---\nprerequisites: [{listed}]\n---\n"


def test_each_page_shows_its_measures_under_the_title_and_what_to_read_before_and_next():
    stage = analysed_stage({"a.md": needs("b") + "# a\n\n[[b]]", "b.md": needs("c") + "[[c]]",
                            "c.md": needs() + "끝"})
    page = stage.pages["a.md"]
    title, measures, read_before = (page.index("# a"), page.index('class="kb-measures"'),
                                    page.index("## 먼저 읽을 노트"))
    assert title < measures < read_before < page.index("## 다음에 읽을 노트") < page.index("백링크")
    assert page.index("[c](c.md)") < page.index("[b](b.md)", read_before)
    assert "## 먼저 읽을 노트" not in stage.pages["c.md"]
    assert "1. [b](b.md)" not in stage.pages["c.md"]  # what comes next is a plain list
    assert "- [b](b.md)" in stage.pages["c.md"].split("## 다음에 읽을 노트")[1]


def test_the_measures_box_shows_links_community_importance_band_and_reading_order():
    # c is linked by both others: the centre of their community and the most important.
    stage = analysed_stage({"a.md": needs("b") + "[[b]] [[c]]", "b.md": needs("c") + "[[c]]",
                            "c.md": needs() + "끝", "z.md": "혼자"})
    assert measures_of(stage.pages["a.md"]) == [
        "들어오는 링크 0", "나가는 링크 2", "묶음 ‘c’", "중요도 하위 50%", "먼저 읽을 노트 2개"]
    assert measures_of(stage.pages["c.md"]) == [
        "들어오는 링크 2", "나가는 링크 0", "묶음 ‘c’", "중요도 상위 25%", "읽기 시작점",
        "다음에 읽을 노트 1개"]
    # A community of one is no community worth naming; a note that declares no
    # prerequisites is given no place in the reading order.
    assert measures_of(stage.pages["z.md"]) == [
        "들어오는 링크 0", "나가는 링크 0", "중요도 하위 50%", "고립된 노트"]
    assert f'<a href="#{READ_BEFORE_ANCHOR}">먼저 읽을 노트 2개</a>' in stage.pages["a.md"]


def test_a_centre_title_that_is_markup_is_shown_as_text_in_the_box():
    name = "<img src=x onerror=alert(1)> *별*"
    stage = analysed_stage({"a.md": f"[[{name}]]", f"{name}.md": "끝"})
    box = re.search(r'<p class="kb-measures".*?</p>', stage.pages["a.md"]).group()
    assert "<img" not in box and "*" not in box
    assert f"묶음 ‘{name}’" in measures_of(stage.pages["a.md"])


def test_a_link_edit_elsewhere_leaves_the_other_pages_as_they_were():
    # Two islands: a link added inside the first changes no fact of the second's notes.
    first = {f"p{i}.md": f"[[p{(i + 1) % 6}]] [[p{(i + 2) % 6}]]" for i in range(6)}
    second = {"q0.md": "[[q1]] [[q2]]", "q1.md": "[[q2]]", "q2.md": "[[q0]]", "q3.md": "[[q0]]"}
    before = analysed_stage({**first, **second})
    after = analysed_stage({**first, **second, "p0.md": "[[p1]] [[p2]] [[p4]]"})
    changed = {p for p in after.pages if before.pages[p] != after.pages[p]}
    assert {"p0.md", "p4.md"} <= changed  # the linking note and the linked note's backlinks
    assert not changed & {f"q{i}.md" for i in range(4)}


def test_properties_show_in_a_box_under_the_title_with_links_tags_dates_and_checkboxes():
    front = ('---\ntitle: 제목\naliases: [AI, 인공지능]\ntags: [ML]\ncreated: 2024-01-02\n'
             'updated: 2024-01-02 10:30:00\ndone: false\nrating: 4\nup: "[[b]]"\n'
             'rel: ["[[b|B]]", "[[없음]]"]\nsite: https://example.com/x\nempty:\n'
             'cssclasses: wide\npublish: true\n---\n본문\n')
    page = stage_of({"a.md": front, "b.md": ""}).pages["a.md"]
    box = page[page.index('<div class="kb-properties"'):page.index("본문")]
    assert page.index("# 제목 { #kb-title }") < page.index(box)
    row = r'kb-property-key">([^<]*)</span><span class="kb-property-value">(.*?)</span></div>'
    rows = dict(re.findall(row, box))
    assert list(rows) == ["aliases", "tags", "created", "updated", "done", "rating", "up", "rel", "site",
                          "empty"]  # title, cssclasses and publish shape the page: not listed
    assert rows["aliases"].count("kb-property-item") == 2 and "인공지능" in rows["aliases"]
    assert "[&#35;ML](tags.md#ml){ .kb-tag }" in rows["tags"]
    assert rows["created"] == '<time datetime="2024-01-02">2024년 1월 2일</time>'
    assert "2024년 1월 2일 10:30" in rows["updated"]
    assert rows["done"].startswith('<input type="checkbox" disabled aria-label')
    assert rows["rating"] == "4" and rows["up"] == "[b](b.md)"
    assert "[B](b.md)" in rows["rel"] and 'class="kb-unresolved"' in rows["rel"]
    assert rows["site"] == "<https://example.com/x>" and rows["empty"] == ""


def test_no_properties_or_empty_front_matter_shows_no_box():
    stage = stage_of({"a.md": "---\n---\n본문", "b.md": "본문", "c.md": "---\ntitle: 제목\n---\n"})
    assert not any("kb-properties" in page for page in stage.pages.values())


def test_cssclasses_wrap_the_note_so_the_users_snippets_apply():
    source = "---\ncssclasses: [wide, 'cards']\n---\n# a\n\n본문[^1]\n\n[^1]: 각주\n"
    page = stage_of({"a.md": source}).pages["a.md"]
    body = page.split("---\n", 2)[2]
    assert body.startswith('\n<div class="kb-note wide cards" markdown>\n\n# a { #a }\n')
    rendered = markdown.markdown(body[:body.index('<div class="kb-backlinks"')],
                                 extensions=["attr_list", "md_in_html", "footnotes"])
    assert rendered.startswith('<div class="kb-note wide cards">\n<h1 id="a">a</h1>')
    assert rendered.rstrip().endswith("</div>\n</div>")  # the footnotes inside the note's box
    legacy = stage_of({"a.md": "---\ncssclass: old bad\"class\n---\n"}).pages["a.md"]
    assert '<div class="kb-note old" markdown>' in legacy


def test_an_unpublished_note_is_left_out_of_the_site_the_graph_and_the_backlinks():
    from compiler.scan import VaultFile

    files = {"src.md": "[[Private]] ![[Private]] [[Other]]",
             "Private.md": "---\npublish: false\ntags: [secret]\n---\n비밀 [[Other]] ![[only.png]]",
             "Other.md": "text"}
    notes = {p: parse_note(p, t.encode()) for p, t in files.items()}
    resolved = resolve_vault(notes, {"only.png": VaultFile("only.png", Path("/v/only.png"))})
    graph = build_graph(resolved)
    stage = render_site(resolved, graph, "테스트")
    assert "Private.md" not in graph and "Private.md" not in stage.pages
    assert '<span class="kb-unpublished" title="공개하지 않은 노트">Private</span>' in stage.pages["src.md"]
    assert "공개하지 않은 노트</span> Private" in stage.pages["src.md"]  # the embed's placeholder
    assert "비밀" not in stage.pages["Other.md"] and "[src](src.md)" in stage.pages["Other.md"]
    assert "only.png" not in stage.files and "tags.md" not in stage.pages
    assert "노트 2개" in stage.pages[HOME]
