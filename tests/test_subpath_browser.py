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
from tests.test_browser import CHROMIUM, Browser, chromium  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")]

MOUNT = "/notes/"
SITE_URL = "https://example.github.io/notes/"


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
def subpath_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built with `site_url` (its folder)."""
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
        "비밀.md": "---\npublish: false\n---\n# 비밀\n\n[[개념/역전파]]\n",
        "Figures.md": "# Figures\n\n```python exec\n#| caption: 직선\nimport matplotlib.pyplot as plt\n"
                      "plt.plot([0, 1], [0, 1])\n```\n",
    })
    shutil.copytree(PROJECT / "snippets", root / "snippets")
    result = build_site(load_settings(root), root / "site")
    assert not [d for d in result.diagnostics if d.severity == "error"], result.diagnostics
    return root / "site"


@pytest.fixture(scope="module")
def site_url(subpath_site: Path) -> Iterator[str]:
    handler = functools.partial(_SubPathHandler, directory=str(subpath_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}{MOUNT}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser(chromium, site_url) -> Iterator[tuple[Browser, list[str]]]:  # noqa: F811
    context = chromium.new_context(locale="ko-KR")
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    yield Browser(page, site_url), failed
    context.close()


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


# --- read elsewhere (compiler/social.py): the feed, the sitemap, link previews -------------

def _html_pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("index.html") if not p.relative_to(site).parts[0].startswith("_kb")]


def test_the_feed_parses_and_lists_the_notes_with_absolute_links(subpath_site):
    import feedparser

    parsed = feedparser.parse((subpath_site / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10" and parsed.feed.title == "딥러닝 공부 노트"
    links = {e.link for e in parsed.entries}
    assert f"{SITE_URL}{quote('개념/역전파/')}" in links and f"{SITE_URL}Figures/" in links
    assert not any("비밀" in e.title or quote("비밀") in e.link for e in parsed.entries)
    backprop = next(e for e in parsed.entries if e.title == "역전파")
    assert backprop.summary == "연쇄 법칙으로 기울기를 구한다."
    assert all(e.updated_parsed for e in parsed.entries)


def test_the_sitemap_lists_every_page_and_nothing_private(subpath_site):
    from xml.etree import ElementTree

    root = ElementTree.fromstring((subpath_site / "sitemap.xml").read_bytes())
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {loc.text for loc in root.findall("s:url/s:loc", namespace)}
    pages = {SITE_URL + quote(p.parent.relative_to(subpath_site).as_posix() + "/").removeprefix("./")
             for p in _html_pages(subpath_site)}
    assert listed == pages | {SITE_URL + "_kb/report/"}  # the report: published on purpose here
    assert not any(quote("비밀") in url for url in listed)


def test_every_page_has_open_graph_and_twitter_meta_with_absolute_urls(subpath_site):
    from bs4 import BeautifulSoup

    for path in _html_pages(subpath_site):
        head = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").head
        meta = {m.get("property") or m.get("name"): m["content"] for m in head.find_all("meta")
                if (m.get("property") or m.get("name") or "").startswith(("og:", "twitter:"))}
        assert {"og:title", "og:url", "og:type", "twitter:card", "twitter:title"} <= set(meta), path
        assert meta["og:url"].startswith(SITE_URL), path
        feed = head.find("link", rel="alternate")["href"]  # relative: see social_meta.feed_href
        depth = len(path.relative_to(subpath_site).parts) - 1
        assert feed == "../" * depth + "feed.xml", path
    article = BeautifulSoup((subpath_site / "개념/역전파/index.html").read_text(encoding="utf-8"),
                            "html.parser").head
    tags = {m.get("property") or m.get("name"): m["content"] for m in article.find_all("meta")
            if m.has_attr("content")}
    assert tags["og:description"] == tags["description"] == "연쇄 법칙으로 기울기를 구한다."
    assert tags["og:image"] == SITE_URL + quote("개념/그림.png") and tags["og:type"] == "article"
    assert tags["twitter:card"] == "summary_large_image"
    figures = BeautifulSoup((subpath_site / "Figures/index.html").read_text(encoding="utf-8"),
                            "html.parser").head
    image = figures.find("meta", property="og:image")["content"]
    assert image.startswith(SITE_URL + "_kb/figures/") and image.endswith(".png")
    assert (subpath_site / image.removeprefix(SITE_URL)).is_file()


def test_the_404_page_links_from_the_root_so_it_works_at_any_depth(subpath_site):
    from bs4 import BeautifulSoup

    page = BeautifulSoup((subpath_site / "404.html").read_text(encoding="utf-8"), "html.parser")
    addresses = [e.get("href") or e.get("src") for e in page.select("[href], [src]")]
    inside = [a for a in addresses if not a.startswith(("https://", "#", "data:"))]
    assert inside and all(a.startswith(MOUNT) for a in inside), inside
