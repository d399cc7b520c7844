"""What a reader does on the built bundled site, in Debian's headless Chromium: searching in
Korean and English, previewing a link before following it. (Reading every page offline is
checked by test_browser, in its one walk over every page.)"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

from tests import test_browser as shared  # noqa: E402  (after the skip when Playwright is absent)
from tests.test_browser import SEED, Browser, search  # noqa: E402

# The browser fixtures of test_browser, shared by name.
chromium, served_site, browser = shared.chromium, shared.served_site, shared.browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTES = "4. Archive/AI 공부/Ai Tech 딥러닝 공부/"
# A link written as the vault path [[…/활성함수]] shows the note's name (kb.link_titles).
NAME_ONLY = re.compile(r"^활성함수$")


@pytest.mark.parametrize(("query", "first", "also"), [
    # A title match comes before notes that only mention the word; with a particle attached
    # (신경망을) the body still matches.
    # Three titles have the word; any of them comes before the notes that only mention it.
    (("신경망", ("신경망(neural network)", "합성곱 신경망(CNN)", "순환 신경망(RNN)"),
      ["딥러닝 기초 정리"])),
    ("역전파", "역전파 알고리즘", ["딥러닝 기초 정리"]),
    # 최대가능도 추정 has it inside its title's compound: a title match too.
    ("가능도", ("가능도", "최대가능도 추정"), ["정규분포", "로그함수"]),
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
    firsts = (first,) if isinstance(first, str) else first
    assert titles[0] in firsts, titles
    for title in also:
        assert title in titles, (title, titles)
        assert all(titles.index(f) < titles.index(title) for f in firsts if f in titles), titles
    assert browser.errors == [] and browser.foreign == []


@pytest.mark.parametrize(("query", "first_results"), [
    # The note named 가능도 before 최대가능도 추정, whose title has it inside a compound and
    # whose alias 최대 가능도 has it beside another word.
    ("가능도", [{"가능도"}, {"최대가능도 추정"}]),
    # 신경망(neural network) is 신경망 with a gloss; the other two only have it beside a word.
    ("신경망", [{"신경망(neural network)"}, {"합성곱 신경망(CNN)", "순환 신경망(RNN)"},
               {"합성곱 신경망(CNN)", "순환 신경망(RNN)"}]),
    ("확률", [{"확률"}, {"확률분포"}]),  # a name that is the word before a longer one
    ("분포", [{"확률분포"}]),  # its alias is 분포: before 정규분포, 표집분포 and 결합분포
    ("Parameter", [{"Parameter"}, {"Hyper Parameter"}]),
    ("적분", [{"적분"}]),
])
def test_a_note_named_by_the_query_comes_before_names_that_only_contain_it(
        browser, query, first_results):
    titles = [title for title, _ in search(browser, query)]
    assert len(titles) >= len(first_results), titles
    for title, expected in zip(titles, first_results, strict=False):
        assert title in expected, titles


def test_the_page_opened_from_a_result_marks_the_word_inside_its_compound(browser):
    """The results do not mark a word found inside a compound (Material marks only what its
    tokenizer found in the text it shows); the page opened from the result does."""
    search(browser, "적분")
    # the result of the note itself (other notes mention 정규분포 too)
    browser.page.locator('.md-search-result__item:has(h1:text-is("정규분포"))').first.locator(
        "a").first.click()
    browser.page.wait_for_load_state("load")
    assert "h=" in browser.page.url
    marks = browser.page.locator("article mark[data-md-highlight]")
    marks.first.wait_for(timeout=10_000)
    inside = browser.page.evaluate("""() => [...document.querySelectorAll(
        'article mark[data-md-highlight]')].map(m => m.parentElement.textContent)
        .filter(t => t.includes('정적분'))""")
    assert inside, marks.all_inner_texts()


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


def preview_of(browser: Browser, link) -> str:
    preview = browser.page.locator(".kb-preview")
    preview.wait_for(state="visible", timeout=10_000)
    assert link.get_attribute("aria-describedby") == "kb-preview"
    return preview.inner_text()


def test_hovering_a_link_previews_the_notes_title_and_first_section(browser):
    browser.open(SEED)
    link = browser.page.locator("article a", has_text=NAME_ONLY).first
    link.hover()
    shown = preview_of(browser, link)
    assert shown.startswith("활성함수")
    assert "선형 결합 결과 z에 씌워서 비선형성을 만들어주는 함수" in shown
    assert "비선형성이 필요한 이유" not in shown  # the next section is not the first one
    assert "백링크" not in shown and "들어오는 링크" not in shown
    browser.page.mouse.move(0, 0)
    browser.page.locator(".kb-preview").wait_for(state="detached", timeout=5_000)
    assert browser.errors == [] and browser.foreign == []


def test_a_link_to_a_heading_previews_that_headings_section(browser):
    browser.open(NOTES + "정규분포/")
    link = browser.page.locator("article a", has_text="연속형 분포").first
    assert link.get_attribute("href").endswith("#연속형-확률분포")
    link.hover()
    shown = preview_of(browser, link)
    assert shown.startswith("연속형 확률분포")
    assert "확률밀도함수" in shown
    assert "이산형 확률분포" not in shown and "조건부 확률분포" not in shown


def test_keyboard_focus_shows_the_preview_and_escape_hides_it(browser):
    browser.open(NOTES + "정규분포/")
    link = browser.page.locator("article a", has_text="Parameter").first
    link.focus()
    assert "Parameter" in preview_of(browser, link).split("\n", 1)[0]
    browser.page.keyboard.press("Escape")
    browser.page.locator(".kb-preview").wait_for(state="detached", timeout=5_000)
    assert link.get_attribute("aria-describedby") is None


def test_a_tap_on_a_touch_screen_follows_the_link_with_no_preview_in_the_way(
        chromium, served_site):
    context = chromium.new_context(locale="ko-KR", has_touch=True, is_mobile=True,
                                   viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(served_site + quote(NOTES + "정규분포/"), wait_until="networkidle")
        page.locator("article a", has_text="Parameter").first.tap()
        page.wait_for_url("**/Parameter/", timeout=10_000)
        assert page.locator(".kb-preview").count() == 0
    finally:
        context.close()
