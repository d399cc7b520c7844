"""What a reader does on the built bundled site, in Debian's headless Chromium: searching in
Korean and English, previewing a link before following it, reading offline."""

from __future__ import annotations

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

from tests import test_browser as shared  # noqa: E402  (after the skip when Playwright is absent)
from tests.test_browser import Browser  # noqa: E402

# The browser fixtures of test_browser, shared by name.
chromium, served_site, browser = shared.chromium, shared.served_site, shared.browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTES = "4. Archive/AI 공부/Ai Tech 딥러닝 공부/"


def search(browser: Browser, query: str) -> list[tuple[str, list[str]]]:
    """Type a query into Material's search box: [(note title, [section titles])], best first."""
    browser.open("")
    browser.page.keyboard.press("s")  # Material's shortcut focuses the search box
    browser.page.locator("input.md-search__input").fill(query)
    browser.page.keyboard.press("End")  # Material searches on keyup, which fill() does not send
    items = browser.page.locator(".md-search-result__item")
    items.first.wait_for(timeout=10_000)
    return [(item.locator("article h1").first.inner_text(),
             item.locator("article h2").evaluate_all("hs => hs.map(h => h.textContent)"))
            for item in items.all()]


@pytest.mark.parametrize(("query", "first", "also"), [
    # A title match comes before notes that only mention the word; with a particle attached
    # (신경망을) the body still matches.
    ("신경망", "신경망(neural network)", ["딥러닝 기초 정리", "텐서"]),
    ("역전파", "역전파 알고리즘", ["딥러닝 기초 정리", "연쇄법칙"]),
    ("가능도", "가능도", ["정규분포", "로그함수"]),
    # 정규분포 says 적분 only inside 정적분하면: found inside the compound.
    ("적분", "적분", ["정규분포", "몬테카를로 샘플링"]),
    ("몬테카를로적분", "몬테카를로 샘플링", []),
    # Aliases from the front matter, in English and Korean, rank like titles.
    ("Gaussian", "정규분포", []),
    ("우도", "가능도", []),
    ("Monte Carlo", "몬테카를로 샘플링", []),
])
def test_search_ranks_titles_and_aliases_first_and_finds_words_inside_korean_compounds(
        browser, query, first, also):
    titles = [title for title, _ in search(browser, query)]
    assert titles[0] == first, titles
    for title in also:
        assert title in titles, (title, titles)
    assert browser.errors == [] and browser.foreign == []


def test_search_finds_english_inside_korean_text_and_lands_on_its_section(browser):
    results = dict(search(browser, "LSTM"))
    assert "RNN(Recurrent Neural Network)순환신경망" in results["딥러닝 기초 정리"]
    marked = browser.page.locator(".md-search-result mark").all_inner_texts()
    assert any(m.lower().startswith("lstm") for m in marked)


def test_search_finds_a_heading_by_a_word_inside_its_compound(browser):
    results = dict(search(browser, "순환신경망"))
    assert "RNN(Recurrent Neural Network)순환신경망" in results["딥러닝 기초 정리"]
    sections = dict(search(browser, "콘볼루션"))["딥러닝 기초 정리"]
    assert "CNN(Convolution Neural Network)콘볼루션신경망" in sections


def test_a_word_found_only_inside_a_compound_is_one_the_old_index_missed(bundled_site):
    """The bundled vault really tests the compound case: 정규분포 has no word starting 적분."""
    result, _, _, _ = bundled_site
    text = result.compilation.resolved.notes[NOTES + "정규분포.md"].source
    assert "정적분" in text and " 적분" not in text and "\n적분" not in text
