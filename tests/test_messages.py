"""The words kb writes into a site come from one catalogue per language, chosen by
`theme.language`: English and Korean complete, any other language English."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from compiler import graph_view, report, serve
from compiler.build import build_site
from compiler.config import load_settings
from compiler.diagnostics import Diagnostic, Severity
from compiler.messages import LANGUAGES, base_language, catalogue, messages
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


def test_every_key_the_code_asks_for_is_in_the_catalogue():
    used = set()
    for path in [*(PROJECT / "compiler").glob("*.py"), PROJECT / "compiler/assets/graph.js"]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""words\(\s*["']([a-z_.-]+)["']""", text))
        used |= set(re.findall(r"""word\([a-z.]+, "([a-z_.-]+)"\)""", text))
        used |= set(re.findall(r'"(graph\.(?!(?:md|css|json|js)")[a-z_]+)"', text))
    used = {k for k in used if not k.startswith("graph.depth.")}
    assert used and used <= set(catalogue("en"))


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


@pytest.mark.slow
def test_an_english_build_writes_no_hangul_in_the_graph_the_report_and_their_labels(tmp_path):
    write_vault(tmp_path / "vault", {
        "index.md": "# Start\n\n[[Gradient]] and [[Missing]]\n",
        "Gradient.md": "# Gradient\n\nBack to [[index|Start]].\n"})
    (tmp_path / "mkdocs.yml").write_text("site_name: Garden\ntheme:\n  language: en\n"
                                         "kb:\n  cache_dir: cache\n")
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
