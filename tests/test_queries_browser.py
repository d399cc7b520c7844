"""The bundled vault's base and Dataview tables as a reader sees them in Chromium: the
concept dashboard's base table lists every concept note with its stage, difficulty and
snippet module, and its links lead to the notes."""

from __future__ import annotations

import pytest

from tests.test_browser import CHROMIUM, browser, chromium, served_site  # noqa: F401 (fixtures)

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")]

DASHBOARD = "4. Archive/AI 공부/개념 대시보드/"

ROWS = """[...document.querySelectorAll('.kb-base-table')][0].querySelectorAll('tbody tr')"""


def test_the_dashboard_base_table_has_one_row_per_concept_note(browser, bundled_compilation):  # noqa: F811
    concepts = {n.title: n.properties for n in bundled_compilation.resolved.notes.values()
                if "topic" in n.properties}
    browser.open(DASHBOARD)
    rows = browser.page.evaluate(f"[...{ROWS}].map(r => [...r.cells].map(c => c.textContent.trim()))")
    assert len(rows) == len(concepts) == 44
    assert {row[0] for row in rows} == set(concepts)
    for name, stage, stars, module in rows:
        properties = concepts[name]
        assert stage == properties["topic"] and stars == "★" * properties["difficulty"]
        assert module == properties.get("snippet", "")
    stages = [row[1] for row in rows]
    assert stages == sorted(stages, key=["데이터", "모델", "손실", "최적화", "일반화", "구조"].index)
    header = browser.page.locator(".kb-base-table").first.locator("th").all_text_contents()
    assert header == ["개념", "단계", "난이도", "구현 모듈"]
    browser.page.locator(".kb-base-table").first.locator("a", has_text="어텐션").click()
    browser.page.wait_for_load_state("networkidle")
    assert "어텐션" in browser.page.title()
    assert browser.errors == [] and browser.foreign == []


def test_the_dashboard_dataview_tables_list_open_questions_and_stages(browser):  # noqa: F811
    browser.open(DASHBOARD)
    tables = browser.page.locator(".kb-dataview-table")
    questions = tables.nth(0).locator("tbody tr")
    assert questions.count() == 5  # the sixth question is checked
    assert questions.nth(0).locator("td").nth(1).locator("a").inner_text() == "배치 정규화"
    stages = tables.nth(1).locator("tbody tr td:first-child").all_text_contents()
    assert sorted(stages) == sorted(["데이터", "모델", "손실", "최적화", "일반화", "구조"])
    cards = browser.page.locator(".kb-base-cards .kb-card")
    assert cards.count() == 9  # difficulty 3
