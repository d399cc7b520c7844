"""Publishing under a sub-path: a site built with `site_url: https://example.github.io/notes/`
and served under /notes/ by a plain static server (as GitHub Pages serves a project site)
works in Chromium: pages, assets, figures, search and the 404 page."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from benchmarks.generate_vault import PNG
from compiler.build import build_site
from compiler.config import load_settings
from tests.conftest import PROJECT, write_vault
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, Browser, playwright_api

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")]

MOUNT = "/notes/"


class _SubPathHandler(SimpleHTTPRequestHandler):
    """Serves the site under MOUNT only, and its 404.html for anything missing."""

    def log_message(self, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        if not path.startswith(MOUNT):
            return str(Path(self.directory) / "\0-outside-the-mount")
        return super().translate_path("/" + path[len(MOUNT):])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("subpath")
    config = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace(
        "# site_url: https://example.github.io/notes/", "site_url: https://example.github.io/notes/"
    ).replace("\nkb:\n", "\nkb:\n  publish_report: true\n"),
        encoding="utf-8")
    write_vault(root / "vault", {
        "index.md": "# 첫 화면\n\n[[개념/역전파]]과 [[Figures]].\n",
        "개념/역전파.md": "# 역전파\n\n연쇄 법칙으로 기울기를 구한다. ![[그림.png]]\n",
        "개념/그림.png": PNG,
        "Figures.md": "# Figures\n\n```python exec\n#| caption: 직선\nimport matplotlib.pyplot as plt\n"
                      "plt.plot([0, 1], [0, 1])\n```\n",
    })
    shutil.copytree(PROJECT / "snippets", root / "snippets")
    result = build_site(load_settings(root), root / "site")
    assert not [d for d in result.diagnostics if d.severity == "error"], result.diagnostics
    handler = functools.partial(_SubPathHandler, directory=str(root / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}{MOUNT}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser(site_url) -> Iterator[tuple[Browser, list[str]]]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = chromium.new_context(locale="ko-KR")
        page = context.new_page()
        failed: list[str] = []
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
        page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
        yield Browser(page, site_url), failed
        chromium.close()


def _images_ok(browser: Browser) -> bool:
    return browser.page.evaluate(
        "[...document.images].every(i => i.complete && i.naturalWidth > 0)")


def test_pages_assets_and_figures_load_under_the_sub_path(browser):
    browser, failed = browser
    for path in ("", "개념/역전파/", "Figures/", "_kb/report/"):
        browser.open(path)
        assert browser.page.locator("article h1").count() >= 1, path
        styled = browser.page.evaluate("getComputedStyle(document.querySelector('.md-header'))"
                                       ".position")
        assert styled in ("sticky", "fixed"), path  # Material's stylesheet applied
        assert _images_ok(browser), path
    browser.open("Figures/")
    assert browser.page.locator("figure.kb-figure img").count() == 1
    browser.open("개념/역전파/")
    assert browser.page.locator("article img").count() == 1
    assert failed == [] and browser.errors == [] and browser.foreign == []


def test_links_navigate_within_the_sub_path(browser):
    browser, failed = browser
    browser.open("")
    browser.page.locator("article a", has_text="역전파").first.click()
    browser.page.wait_for_load_state("networkidle")
    assert browser.page.url.endswith(MOUNT + quote("개념/역전파/"))
    assert failed == []


def test_search_loads_its_index_under_the_sub_path(browser):
    browser, failed = browser
    browser.open("")
    browser.page.keyboard.press("s")
    browser.page.locator("input.md-search__input").fill("역전파")
    browser.page.keyboard.press("End")
    results = browser.page.locator(".md-search-result__item")
    results.first.wait_for(timeout=20_000)
    assert any("역전파" in t for t in results.all_inner_texts())
    assert failed == []


def test_a_missing_page_shows_the_styled_404_page(browser):
    browser, failed = browser
    browser.open("no/such/page/")
    assert browser.page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") \
        in ("sticky", "fixed")
    assert [f for f in failed if "no/such/page" not in f] == []
