"""The words kb writes into a site come from one catalogue per language, chosen by
`theme.language`: English and Korean complete, any other language English."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from compiler import barrier, graph_view, livereload, navigation, report, serve
from compiler.build import build_site, prepare_stage
from compiler.config import load_settings
from compiler.diagnostics import Diagnostic, Severity
from compiler.livereload import Changes, inject
from compiler.messages import LANGUAGES, base_language, catalogue, messages, use_language
from compiler.parse import parse_note
from compiler.render import Stage
from tests.conftest import PROJECT, write_vault

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")


def fields(message) -> set[str]:
    forms = message.values() if isinstance(message, dict) else [message]
    return {name.split(".")[0].split("[")[0]
            for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}


def test_the_catalogues_have_the_same_keys():
    keys = {language: set(catalogue(language)) for language in LANGUAGES}
    assert keys["en"] == keys["ko"]


def test_every_message_formats_with_the_values_either_language_uses():
    for key in catalogue("en"):
        wanted = fields(catalogue("en")[key]) | fields(catalogue("ko")[key])
        values = {name: 0.5 if name == "share" else 3 for name in wanted - {"n", "month_name"}}
        for language in LANGUAGES:
            text = messages(language)(key, n=2, month_name="March", **values)
            assert text and "{" not in text.replace("{ #", "")


def test_the_english_catalogue_has_no_hangul_and_the_korean_one_is_korean():
    for key, message in catalogue("en").items():
        assert not HANGUL.search(str(message)), key
    korean = [k for k, m in catalogue("ko").items() if HANGUL.search(str(m))]
    assert len(korean) > 0.8 * len(catalogue("ko"))


CODE = [*(PROJECT / "compiler").glob("*.py"), *(PROJECT / "compiler/forms").glob("*.py")]
# Keys named in the code: asked for (`words("...")`, `current()("...")`) or kept in a constant.
KEY = r"(?:render|course|measures|tags|navigation|barrier|count|serve|report|properties)\.[a-z_.-]+"


def test_every_key_the_code_asks_for_is_in_the_catalogue():
    used = set()
    for path in [*CODE, PROJECT / "compiler/assets/graph.js"]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""(?:words|current\(\))\(\s*["']([a-z_.-]+)["']""", text))
        used |= set(re.findall(r"""word\([a-z.]+, "([a-z_.-]+)"\)""", text))
        used |= set(re.findall(r'"(graph\.(?!(?:md|css|json|js)")[a-z_]+)"', text))
        used |= set(re.findall(rf"""["']({KEY})["']""", text))
    used = {k for k in used if not k.startswith("graph.depth.") and not re.search(r"\.(md|prune)$", k)}
    assert {"render.missing_audio", "course.title", "barrier.title"} <= used
    assert used <= set(catalogue("en")), used - set(catalogue("en"))


@pytest.mark.parametrize(("language", "expected"), [
    ("ko", "ko"), ("ko-KR", "ko"), ("en", "en"), ("de", "en"), (None, "en"), ("pt_BR", "en")])
def test_other_languages_fall_back_to_english(language, expected):
    assert base_language(language) == expected


def test_numbers_and_plurals_read_naturally():
    en, ko = messages("en"), messages("ko")
    assert [en("count.notes", n=n) for n in (0, 1, 2, 1234)] == [
        "0 notes", "1 note", "2 notes", "1,234 notes"]
    assert [ko("count.notes", n=n) for n in (1, 1234)] == ["노트 1개", "노트 1,234개"]
    assert en("graph.depth", n=1) == "1 step" and ko("graph.depth", n=2) == "2단계"
    assert en.date(2024, 1, 2) == "January 2, 2024" and ko.date(2024, 1, 2) == "2024년 1월 2일"


def test_the_preview_boxes_speak_the_sites_language():
    found = [Diagnostic("a.md", 1, 1, Severity.ERROR, "x", "bad"),
             Diagnostic("a.md", 2, 1, Severity.WARNING, "y", "odd")]
    english = serve.problem_box(found, "vault/", messages("en"))
    assert "1 error (shown in the preview only)" in english and not HANGUL.search(english)
    assert "오류 1개" in serve.problem_box(found, "vault/", messages("ko"))


def test_the_previews_rebuild_banner_speaks_the_sites_language():
    page = b"<html><body></body></html>"
    english = inject(page, Changes().state, messages("en")).decode()
    assert 'data-failed="kb serve: the last rebuild failed; this is the last good site."' in english
    assert "마지막 빌드가 실패해서" in inject(page, Changes().state, messages("ko")).decode()
    assert "last rebuild failed" not in livereload.SCRIPT  # the script stays one (CSP hashes it)


@pytest.mark.slow
def test_an_english_build_writes_no_hangul_in_the_graph_the_report_and_their_labels(tmp_path):
    write_vault(tmp_path / "vault", {
        "index.md": "# Start\n\n[[Gradient]] and [[Missing]]\n",
        "Gradient.md": "# Gradient\n\nBack to [[index|Start]].\n"})
    (tmp_path / "mkdocs.yml").write_text("site_name: Garden\ntheme:\n  language: en\n"
                                         "kb:\n  cache_dir: cache\n  publish_report: true\n")
    settings = load_settings(tmp_path)
    assert settings.language == "en"
    site = tmp_path / "site"
    build_site(settings, site)

    def part(page: str, selector: str) -> tuple[str, str]:
        soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
        found = soup.select_one(selector)
        return found.get_text(" "), str(found)

    graph_text, graph_html = part("graph/index.html", "article")
    assert "Concept graph" in graph_text and "Find a note" in graph_html
    local_text, local_html = part("Gradient/index.html", ".kb-local-graph")
    assert "Connections" in local_text and "2 steps" in local_html
    report_text, report_html = part("_kb/report/index.html", "article")
    assert "Build report" in report_text
    for text in (graph_html, local_html, report_html):
        assert not HANGUL.search(text), HANGUL.findall(text)


def test_a_korean_build_writes_the_korean_words():
    words = messages("ko")
    page = graph_view.graph_page("../", words)
    assert "개념 그래프" in page and "Concept graph" not in page and "Find a note" not in page
    built = report.report_page(report.BuildReport(
        notes=2, attachments=0, links=1, unresolved=0, ambiguous=0, missing_attachments=(),
        regenerated=(), blocks_executed=0, blocks_cached=0, blocks_failed=0, block_seconds=0.0,
        stages=(), diagnostics=()), words=words)
    assert "빌드 보고서" in built and "Build report" not in built and "Diagnostics" not in built


def test_modules_switched_to_the_catalogue_hold_no_hangul_outside_comments():
    for name in ("graph_view.py", "report.py", "serve.py", "config.py", "init.py",
                 "mkdocs_runner.py", "sitecheck.py", "site_assets.py", "assets/graph.js"):
        code = [line for line in (Path(PROJECT) / "compiler" / name).read_text(encoding="utf-8").splitlines()
                if not line.lstrip().startswith(("#", "//"))]
        assert not any(HANGUL.search(line) for line in code), name


def test_no_module_writes_hangul_of_its_own():
    """Every Korean word a page shows comes from the catalogue: the code's strings (docstrings
    and comments aside) hold none, but for the Hangul ranges config.py guesses a language by."""
    for path in CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
        korean = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                  and isinstance(n.value, str) and id(n) not in docstrings and HANGUL.search(n.value)]
        allowed = {"가", "힣", "ㄱ", "ㆎ"} if path.name == "config.py" else set()
        if path.name == "markup.py":  # a file name to look for (홈.md), not a word of a page
            allowed = {"홈"}
        if path.name == "analysis.py":  # LINE_PROBE: text measured, never shown
            allowed = {"힣가Äjlpg"}
        assert set(korean) <= allowed, (path.name, korean)


# One vault in each language, with every kind of generated words: the home page and its
# course map, backlinks (an embed among them), an embedded note, a missing section and image,
# an unresolved and an unpublished link, a block embedded in a table cell, a block that prints
# (folded), one that fails and the figure it did not draw, tags, a date and the reading order.
def vault_notes(w: dict[str, str]) -> dict[str, str]:
    return {
        f"{w['course']}.md": f"---\ncourse: true\n---\n# {w['course']}\n\n## {w['basics']}\n\n"
                             f"[[{w['chain']}]] → [[{w['gradient']}]]\n",
        f"{w['chain']}.md": f"---\nprerequisites: []\ntags: [{w['calculus']}]\n---\n# {w['chain']}\n\n"
                            f"{w['sentence']} ^rule\n\n![[plot.png]]\n",
        f"{w['private']}.md": f"---\npublish: false\n---\n{w['sentence']}\n",
        f"{w['gradient']}.md": (
            f"---\nprerequisites: [\"[[{w['chain']}]]\"]\n"
            f"tags: [{w['calculus']}/{w['vector']}, {w['study']}]\ncreated: 2024-01-02\nreviewed: true\n"
            f"---\n# {w['gradient']}\n\n"
            f"{w['sentence']} [[{w['chain']}]], [[{w['nowhere']}]], [[{w['private']}]].\n\n"
            f"![[{w['chain']}]]\n\n![[{w['chain']}#{w['nowhere']}]]\n\n![[{w['private']}]]\n\n"
            f"![[{w['missing']}.png]]\n\n"
            f"| {w['basics']} | {w['sentence']} |\n| --- | --- |\n| 1 | ![[{w['chain']}#^rule]] |\n\n"
            "```python exec\n#| fold: collapsed\nprint(1 + 1)\n```\n\n"
            "```python exec\n#| figure: plot.png\nraise ValueError(2)\n```\n"),
    }


ENGLISH = {"course": "Course", "basics": "Basics", "chain": "Chain rule", "gradient": "Gradient",
           "calculus": "calculus", "vector": "vector", "study": "study", "private": "Diary",
           "nowhere": "Nowhere", "missing": "diagram", "sentence": "The derivative of a composition."}
KOREAN = {"course": "과정", "basics": "기초", "chain": "연쇄법칙", "gradient": "기울기",
          "calculus": "미적분", "vector": "벡터", "study": "공부", "private": "일기",
          "nowhere": "없는곳", "missing": "도식", "sentence": "합성함수의 도함수."}


def staged_pages(tmp_path: Path, language: str, words: dict[str, str]) -> dict[str, str]:
    write_vault(tmp_path / "vault", vault_notes(words))
    (tmp_path / "mkdocs.yml").write_text(f"site_name: Garden\ntheme:\n  language: {language}\n"
                                         "kb:\n  cache_dir: cache\n  publish_report: true\n")
    settings = load_settings(tmp_path)
    assert settings.language == language
    return prepare_stage(settings, use_cache=False).stage.pages


def without_code(page: str) -> str:
    """The page's words, without its code and output blocks (a traceback is the program's)."""
    return re.sub(r"^(`{3,}|~{3,}).*?^\1", "", page, flags=re.M | re.S)


@pytest.mark.slow
def test_an_english_build_writes_no_hangul_anywhere(tmp_path):
    pages = staged_pages(tmp_path, "en", ENGLISH)
    gradient, chain, home = pages["Gradient.md"], pages["Chain rule.md"], pages["index.md"]
    for words in ("Missing image", "Unresolved link", "Missing section", "Unpublished note",
                  "From Chain rule", '"Code"', "Error: ValueError", "January 2, 2024",
                  "1 link in", "1 note to read first", "## Read first", "## Backlinks"):
        assert words in gradient, words
    assert "embed</span>" in chain and "Figure not drawn" in chain and "## Read next" in chain
    assert "## Learning path" in home and "## Most linked notes" in home
    assert "3 notes, 0 attachments and" in home and "This note is not published" in gradient
    assert "Tags" in pages["tags.md"] and "1 note (2 with the tags below)" in pages["tags.md"]
    for page, text in pages.items():
        assert not HANGUL.search(text), (page, HANGUL.findall(text))


ENGLISH_UI = [m for m in catalogue("en").values() if isinstance(m, str) and "{" not in m]


@pytest.mark.slow
def test_a_korean_build_writes_none_of_the_english_words(tmp_path):
    pages = staged_pages(tmp_path, "ko", KOREAN)
    gradient = pages["기울기.md"]
    assert "그림 없음" in gradient and "2024년 1월 2일" in gradient and "## 백링크" in gradient
    for page, text in pages.items():
        shown = without_code(text)
        found = [m for m in ENGLISH_UI if re.search(rf"(?<![\w-]){re.escape(m)}(?![\w-])", shown)]
        assert not found, (page, found)


def test_the_generated_pages_outside_the_render_stage_speak_the_language():
    note = parse_note("Broken.md", b"# Broken\n\ntext\n")
    problem = Diagnostic("Broken.md", 1, 1, Severity.ERROR, "internal-error", "it broke")
    stage = Stage({"big/a.md": "a", "big/b.md": "b"}, {})
    with use_language("en"):
        page = barrier.error_page(note, problem)
        listing = navigation.collapse_big_folders(stage, {}, big=1).pages["big/index.md"]
    assert "Internal error" in page and "This folder holds 2 notes" in listing
    for text in (page, listing):
        assert not HANGUL.search(text)
    with use_language("ko"):
        assert "내부 오류" in barrier.error_page(note, problem)
