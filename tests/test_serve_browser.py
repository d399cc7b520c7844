"""`kb serve` in a real headless Chromium: an open page reloads by itself after an edit, and
shows a failed rebuild without losing the page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from compiler import messages
from tests.test_browser import CHROMIUM, Browser, chromium, search, wait_for  # noqa: F401
from tests.test_serve import WAIT, serve_project

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")]


@pytest.fixture
def served(tmp_path: Path):
    yield from serve_project(tmp_path, {
        "노트.md": "# 노트\n\n처음 문장.\n",
        "Other.md": "# Other\n\nLinks to [[노트]].\n",
    })


def test_an_open_page_reloads_itself_after_an_edit_and_shows_a_failed_rebuild(served, chromium):  # noqa: F811
    context = chromium.new_context(locale="ko-KR")
    try:
        browser = Browser(context.new_page(), served.url)
        # not Browser.open: the page's long-poll keeps the network from ever going idle
        browser.page.goto(served.url + quote("노트/"), wait_until="load")
        assert "처음 문장." in browser.page.locator("article").inner_text()
        browser.page.evaluate("window.kbNotReloaded = true")

        served.write("노트.md", "# 노트\n\n고친 문장.\n")
        wait_for(browser.page,
            "document.querySelector('article')?.innerText.includes('고친 문장.')",
            timeout=WAIT * 1000)
        assert browser.page.evaluate("window.kbNotReloaded") is None  # a new document

        config = served.root / "mkdocs.yml"
        good = config.read_text(encoding="utf-8")
        config.write_text(good.replace("name: material", "name: no-such-theme"), encoding="utf-8")
        alert = browser.page.locator("#kb-serve-error")
        alert.wait_for(timeout=WAIT * 1000)
        # in the site's language (the served vault is Korean)
        assert messages.messages("ko")("serve.rebuild_failed") in alert.inner_text()
        assert "고친 문장." in browser.page.locator("article").inner_text()
        config.write_text(good, encoding="utf-8")
        alert.wait_for(state="detached", timeout=WAIT * 1000)
        assert browser.foreign == []
        assert browser.errors == []
    finally:
        context.close()


def test_the_previews_search_finds_korean_words_inside_compounds_after_an_edit(tmp_path, chromium):  # noqa: F811
    """The preview's search is the published site's: 적분 finds 몬테카를로적분 in a note
    written after the preview started, and the note named 적분 comes first."""
    for served in serve_project(tmp_path, {"적분.md": "# 적분\n\n넓이를 구한다.\n",
                                           "확률분포.md": "# 확률분포\n\n분포.\n"}):
        served.write("몬테카를로.md", "# 몬테카를로\n\n몬테카를로적분으로 어림한다.\n")
        served.wait_for_page("몬테카를로", lambda s: True, "the new note")
        context = chromium.new_context(locale="ko-KR")
        try:
            browser = Browser(context.new_page(), served.url)
            titles = [title for title, _ in search(browser, "적분", wait_until="load")]
            assert titles[:2] == ["적분", "몬테카를로"], titles
            assert browser.foreign == [] and browser.errors == []
        finally:
            context.close()
