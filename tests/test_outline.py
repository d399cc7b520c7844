"""The outline (Material's table of contents): every heading a note writes, in its nesting,
none of an embedded note's, from the staged Markdown as MkDocs converts it.

Material shows the children of the first entry when that entry has level 1 (it takes it for
the page's title), so `shown` reads the outline as Material shows it."""

from __future__ import annotations

import markdown
from mkdocs.utils.meta import get_data

from compiler.mkdocs_runner import REQUIRED_EXTENSIONS
from compiler.outline import outline
from tests.test_render import stage_of

# mkdocs.yml's extensions and what the runner adds: the staged Markdown is written for them.
EXTENSIONS = ["toc", "admonition", "pymdownx.superfences", "pymdownx.details",
              "pymdownx.tasklist", *REQUIRED_EXTENSIONS]


def converted(page: str) -> tuple[str, list[dict]]:
    """A staged page as MkDocs converts it: its HTML and its outline's tokens."""
    md = markdown.Markdown(extensions=EXTENSIONS)
    body, _ = get_data(page)
    return md.convert(body), md.toc_tokens


def entries(tokens: list[dict], depth: int = 0) -> list[str]:
    """Each entry's id, indented by two spaces per level of nesting."""
    return [line for token in tokens
            for line in ["  " * depth + token["id"], *entries(token["children"], depth + 1)]]


def shown(tokens: list[dict]) -> list[str]:
    """The entries Material's `partials/toc.html` lists."""
    if tokens and tokens[0]["level"] == 1:
        tokens = tokens[0]["children"]
    return entries(tokens)


def page_outline(files: dict[str, str], page: str) -> tuple[str, list[dict]]:
    return converted(stage_of(files).pages[page])


def test_a_note_with_level_one_sections_lists_them_all_under_its_title():
    html, tokens = page_outline(
        {"a.md": "# 하나\n텍스트\n## 하나의 둘\n#### 깊이\n# 둘\n## 둘의 하나\n# 셋\n"}, "a.md")
    assert entries(tokens)[0] == "kb-title"
    assert shown(tokens) == ["하나", "  하나의-둘", "    깊이", "둘", "  둘의-하나", "셋",
                             "kb-backlinks"]
    assert '<h1 id="kb-title">a' in html and '<h1 id="하나">' in html


def test_a_note_with_level_two_sections_keeps_its_outline():
    _, tokens = page_outline({"a.md": "본문\n## 첫째\n### 안쪽\n## 둘째\n"}, "a.md")
    assert shown(tokens) == ["첫째", "  안쪽", "둘째", "kb-backlinks"]


def test_a_note_opening_with_its_own_title_lists_its_other_level_one_sections():
    _, tokens = page_outline({"a.md": "# a\n소개\n# 방법\n## 세부\n# 결과\n"}, "a.md")
    assert entries(tokens)[0] == "a"  # the note's own heading is the title: no second one
    assert shown(tokens) == ["방법", "  세부", "결과", "kb-backlinks"]


def test_headings_of_an_embedded_note_are_on_the_page_but_not_in_the_outline():
    html, tokens = page_outline({
        "a.md": "# 하나\n## 둘\n![[b]]\n# 셋\n- 목록 안 ![[b#B 둘]]\n",
        "b.md": "# B 제목\nbody\n## B 둘\n### B 셋\n# 다른\n",
    }, "a.md")
    assert shown(tokens) == ["하나", "  둘", "셋", "kb-backlinks"]
    # The embedded headings keep their ids (fresh ones on this page), so links land on them.
    for heading in ('<h1 id="b-제목">', '<h2 id="b-둘">', '<h3 id="b-셋">', '<h1 id="다른">',
                    '<h2 id="b-둘-1">', '<h3 id="b-셋-1">'):
        assert heading in html


def test_headings_of_embeds_inside_embeds_are_left_out_too():
    _, tokens = page_outline({"a.md": "## 위\n![[b]]\n## 아래\n", "b.md": "## B\n![[c]]\n",
                              "c.md": "## C\n"}, "a.md")
    assert shown(tokens) == ["위", "아래", "kb-backlinks"]


def test_the_closing_sections_follow_the_notes_headings_at_the_top_level():
    _, tokens = page_outline({"a.md": "# 마지막 절\n## 그 안\n", "b.md": "[[a]]"}, "a.md")
    assert shown(tokens) == ["마지막-절", "  그-안", "kb-backlinks"]


def test_generated_pages_keep_their_outline():
    stage = stage_of({"a.md": "#공부/딥러닝 [[b]]", "b.md": "#공부"})
    tags = next(text for path, text in stage.pages.items() if path.startswith("tags"))
    _, tokens = converted(tags)
    assert shown(tokens) == ["공부", "  공부/딥러닝"]


def test_without_a_level_one_title_the_nesting_is_the_headings_own():
    def token(level: int, anchor: str) -> dict:
        return {"level": level, "id": anchor, "name": anchor, "children": []}
    nested = [{**token(2, "a"), "children": [token(3, "b")]}, token(2, "c")]
    assert entries(outline(nested, {"b"})) == ["a", "c"]
    assert entries(outline(nested, set())) == ["a", "  b", "c"]
