"""The built bundled site in a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
SEED = "4. Archive/AI 공부/Ai Tech 딥러닝 공부/딥러닝 기초 정리/"
# A link written as the vault path [[…/활성함수]] shows the note's name (kb.link_titles).
NAME_ONLY = re.compile(r"^활성함수$")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served_site(bundled_site) -> Iterator[str]:
    _, site, _, _ = bundled_site
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class Browser:
    """A Chromium page that records console errors and blocks (and records) foreign requests."""

    def __init__(self, page, origin: str):
        self.page, self.origin = page, origin
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.route("**/*", self._route)

    def _route(self, route) -> None:
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def open(self, path: str, wait_until: str = "networkidle") -> None:
        self.page.goto(self.origin + quote(path, safe="/#"), wait_until=wait_until)


def wait_for(page, expression: str, arg: object = None, timeout: float = 30_000) -> None:
    """Like page.wait_for_function, without its in-page eval, which the pages'
    Content-Security-Policy forbids: polls with page.evaluate (a page being replaced by
    another answers with an error: polled again)."""
    deadline = time.monotonic() + timeout / 1000
    last_error = None
    while True:
        try:
            if page.evaluate(expression, arg):
                return
        except playwright_api.Error as error:
            last_error = error
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout / 1000:.0f} s: {expression} "
                               f"({last_error})")
        page.wait_for_timeout(50)


@pytest.fixture(scope="module")
def chromium():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser(chromium, served_site) -> Iterator[Browser]:
    context = chromium.new_context(locale="ko-KR")
    yield Browser(context.new_page(), served_site)
    context.close()


def site_pages(site: Path) -> list[str]:
    """Every page of a built site, as a path to open."""
    return sorted(p.relative_to(site).as_posix().removesuffix("index.html")
                  for p in site.rglob("*.html")
                  if not p.relative_to(site).as_posix().startswith(("assets/", "_kb/")))


IMAGES_LOADED = """async () => Promise.all([...document.images].map(async image => {
    image.loading = "eager";
    try { await image.decode(); } catch (error) { return image.currentSrc || image.src; }
    return image.naturalWidth > 0 ? null : image.currentSrc || image.src;
}))"""
# Pages loading at once in one browser: each load's wait for the network to go quiet (500 ms
# with no request, Playwright's "networkidle") overlaps the others' loads.
TABS = 4


@dataclass(frozen=True)
class Visit:
    """What one page showed once loaded and quiet."""
    headings: int  # article h1 and h2
    failed_images: list[str]  # one entry per image: '' when it loaded, else its address
    drawn_formulas: int  # article <math> elements with a size on screen


@dataclass(frozen=True)
class Walk:
    visits: dict[str, Visit]
    errors: list[str]  # console errors and uncaught exceptions, on any page
    foreign: list[str]  # requests to another host (blocked), from any page


def _look(browser: Browser) -> Visit:
    page = browser.page
    headings = page.locator("article h1, article h2").count()
    failed = page.evaluate(IMAGES_LOADED)
    drawn = page.locator("article math").evaluate_all(
        "ms => ms.filter(m => m.getBoundingClientRect().width > 0).length")
    return Visit(headings, [src or "" for src in failed], drawn)


@pytest.fixture(scope="module")
def every_page(chromium, served_site, bundled_site) -> Walk:
    """Every page of the bundled site (each note's and every other page built) opened once,
    TABS at a time in one browser, every request to another host blocked and recorded."""
    result, site, _, _ = bundled_site
    notes = [p.removesuffix(".md") + "/" for p in result.compilation.resolved.notes]
    paths = sorted({"", *notes, *site_pages(site)})
    context = chromium.new_context(locale="ko-KR")
    tabs = [Browser(context.new_page(), served_site) for _ in range(TABS)]
    visits: dict[str, Visit] = {}
    loading: dict[int, str] = {}  # tab -> the path it is loading, in the order they started

    def finish(tab: int) -> None:
        tabs[tab].page.wait_for_load_state("networkidle")
        visits[loading.pop(tab)] = _look(tabs[tab])

    for number, path in enumerate(paths):
        tab = number % TABS
        if tab in loading:
            finish(tab)
        tabs[tab].open(path, wait_until="commit")
        loading[tab] = path
    for tab in list(loading):
        finish(tab)
    context.close()
    return Walk(visits, [e for t in tabs for e in t.errors], [f for t in tabs for f in t.foreign])


def test_every_page_loads_with_no_console_error_and_no_request_to_another_host(
        every_page, bundled_site):
    result, _, _, _ = bundled_site
    paths = ["", *(p.removesuffix(".md") + "/" for p in result.compilation.resolved.notes)]
    assert [p for p in paths if every_page.visits[p].headings == 0] == []
    assert every_page.errors == []
    assert every_page.foreign == []


def test_every_page_works_offline_with_its_images_and_its_math(every_page, bundled_site):
    """Every page with every request to another host blocked (and recorded): none is tried,
    no console error, every image loads, every formula is drawn as MathML."""
    result, site, _, _ = bundled_site
    notes = result.compilation.resolved.notes
    formulas = {p.removesuffix(".md") + "/": sum(m.mathml is not None for m in n.math)
                for p, n in notes.items()}
    pages = site_pages(site)
    assert len(pages) >= len(notes) + 1
    visits = {path: every_page.visits[path] for path in pages}
    broken = [(path, src) for path, v in visits.items() for src in v.failed_images if src]
    undrawn = [(path, v.drawn_formulas, formulas[path]) for path, v in visits.items()
               if v.drawn_formulas < formulas.get(path, 0)]
    assert every_page.foreign == []
    assert every_page.errors == []
    assert broken == []
    assert undrawn == []
    assert sum(formulas.values()) > 50  # the bundled vault is full of formulas
    assert sum(len(v.failed_images) for v in visits.values()) >= 2  # the softmax figure, twice


def test_a_wikilink_navigates_and_the_target_shows_its_backlinks(browser):
    browser.open(SEED)
    browser.page.locator("article a", has_text=NAME_ONLY).first.click()
    browser.page.wait_for_load_state("networkidle")
    assert "활성함수" in browser.page.title()
    backlinks = browser.page.locator(".kb-backlinks")
    assert backlinks.is_visible()
    assert backlinks.locator("a", has_text="딥러닝 기초 정리").count() >= 1


def test_a_korean_heading_link_scrolls_to_its_heading(browser):
    browser.open(SEED + "#확률론-맛보기")
    heading = browser.page.locator("[id='확률론-맛보기']")
    assert heading.is_visible() and heading.evaluate("e => e.getBoundingClientRect().top < 400")


def test_missing_images_show_placeholders_and_no_image_is_broken(browser):
    browser.open(SEED)
    placeholders = browser.page.locator(".kb-missing-attachment").count()
    assert placeholders + browser.page.locator("article img").count() == 77  # every seed embed
    broken = browser.page.evaluate(
        "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length")
    assert broken == 0


def search(browser: Browser, query: str, wait_until: str = "networkidle"
           ) -> list[tuple[str, list[str]]]:
    """Type a query into Material's search box: [(note title, [section titles])], best first.
    (`wait_until="load"` for `kb serve`'s pages, whose reload long-poll never lets the
    network go idle.)"""
    browser.open("", wait_until)
    browser.page.keyboard.press("s")  # Material's shortcut focuses the search box
    browser.page.locator("input.md-search__input").fill(query)
    browser.page.keyboard.press("End")  # Material searches on keyup, which fill() does not send
    items = browser.page.locator(".md-search-result__item")
    items.first.wait_for(timeout=10_000)
    return [(item.locator("article h1").first.inner_text(),
             item.locator("article h2").evaluate_all("hs => hs.map(h => h.textContent)"))
            for item in items.all()]


@pytest.mark.parametrize(("query", "expected_title"), [
    ("역전파", "역전파 알고리즘"),
    ("몬테카를로", "몬테카를로 샘플링"),
    ("교차 엔트로피", "교차 엔트로피"),
    ("Adam", "Hyper Parameter"),
])
def test_search_finds_notes_by_korean_and_english_words(browser, query, expected_title):
    assert expected_title in [title for title, _ in search(browser, query)]


_GLYPHS = """(texts) => {
  // Each text drawn alone, in the font the page's article uses, as a string of its pixels.
  const font = getComputedStyle(document.querySelector("article")).fontFamily;
  return texts.map(text => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 64;
    const context = canvas.getContext("2d");
    context.font = "40px " + font;
    context.fillText(text, 4, 48);
    return Array.from(context.getImageData(0, 0, 64, 64).data).join(",");
  });
}"""


def test_hangul_draws_as_letters_not_as_empty_boxes(browser):
    """Without a Hangul font (fonts-nanum, installed by `scripts/install test`) Chromium draws
    every syllable as the same box that a character no font has (U+0378) draws as."""
    browser.open(SEED)
    assert browser.page.evaluate("document.fonts.ready.then(() => true)")
    ga, na, missing = browser.page.evaluate(_GLYPHS, ["가", "나", "\u0378"])
    assert ga != missing and na != missing, "Hangul is drawn as empty boxes: install fonts-nanum"
    assert ga != na
