"""Text that reads well, in Chromium on the shared bundled site: inline formulas at the size of
the text, formulas in backlink contexts drawn (not LaTeX source)."""

from __future__ import annotations

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

from tests import test_browser as shared  # noqa: E402  (after the skip when Playwright is absent)

chromium, served_site, browser = shared.chromium, shared.served_site, shared.browser
pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTES = "4. Archive/AI 공부/Ai Tech 딥러닝 공부/"
# The smallest glyph of each inline formula, against the paragraph's font size.
SMALLEST = """() => [...document.querySelectorAll('article .kb-math-inline math')].map(m => {
  const text = parseFloat(getComputedStyle(m.closest('p, li, td') || m.parentElement).fontSize);
  const sizes = [...m.querySelectorAll('mi, mn, mo')].map(e => parseFloat(getComputedStyle(e).fontSize));
  return [Math.min(...sizes) / text, m.querySelector('mfrac') !== null];
})"""


def test_inline_fractions_draw_near_the_size_of_the_text(browser):
    browser.open(NOTES + "미분/")
    ratios = browser.page.evaluate(SMALLEST)
    fractions = [ratio for ratio, has_fraction in ratios if has_fraction]
    assert fractions, ratios
    assert min(fractions) >= 0.7, fractions  # not two script levels down (about 0.5)


def test_a_backlink_context_draws_its_formula(browser):
    browser.open(NOTES + "활성함수/")
    contexts = browser.page.locator(".kb-backlinks .kb-context")
    texts = contexts.all_inner_texts()
    assert texts and not any("\\hat" in t or "\\frac" in t for t in texts), texts
    assert browser.page.locator(".kb-backlinks .kb-context math").count() >= 1
