"""Mermaid diagrams drawn in a real headless Chromium from the site's own copy of mermaid:
no request leaves localhost (Material would fetch mermaid from unpkg.com otherwise), and the
3 MB library is fetched only by pages that draw a diagram, also when they are reached by
Material's instant navigation."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from compiler.build import build_site
from compiler.config import load_settings
from compiler.sitecheck import check_site
from tests.conftest import PROJECT, write_vault
from tests.test_browser import CHROMIUM, Browser, _QuietHandler, chromium  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")]

# Material draws each diagram into a closed shadow root; opened here so the test can look in.
OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { return attach.call(this, {...init, mode: "open"}); };
"""
DIAGRAM = "```mermaid\ngraph LR\n  A[순전파] --> B[역전파]\n```\n"
SECOND_DIAGRAM = "```mermaid\nsequenceDiagram\n  입력->>출력: 기울기\n```\n"
MERMAID = "_kb/vendor/mermaid/mermaid.min.js"
VAULT = {
    "index.md": "# 첫 화면\n\n[[Other]]\n",
    "Diagram.md": "# 그림\n\n" + DIAGRAM + "\n[[Other]]\n",
    "Second.md": "# 두 번째 그림\n\n" + SECOND_DIAGRAM,
    "Other.md": "# 글\n\n그림 없는 쪽: [[Diagram]], [[Second]]\n",
}


def _serve(directory: Path) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Recorder(Browser):
    """A Browser that also records the path of every request the page makes."""

    def __init__(self, page, origin: str):
        super().__init__(page, origin)
        self.requests: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))

    def mermaid_loads(self) -> int:
        return sum(url.endswith(MERMAID) for url in self.requests)

    def drawn(self, text: str) -> str:
        """Waits for the page's diagram holding `text` to be drawn; returns its shadow HTML."""
        diagram = self.page.locator("div.mermaid svg", has_text=text)
        diagram.first.wait_for(timeout=20_000)
        return self.page.evaluate("[...document.querySelectorAll('div.mermaid')]"
                                  ".map(d => d.shadowRoot.innerHTML).join('')")


def _recorder(chromium, origin: str) -> Recorder:  # noqa: F811
    page = chromium.new_context(locale="ko-KR").new_page()
    page.add_init_script(OPEN_SHADOW_ROOTS)
    return Recorder(page, origin)


def test_a_mermaid_block_renders_an_svg_with_no_request_to_another_host(build_vault_once, chromium):  # noqa: F811
    _, site = build_vault_once(VAULT)
    assert check_site(site) == []
    page = (site / "Diagram" / "index.html").read_text(encoding="utf-8")
    assert '<pre class="mermaid">' in page and "_kb/mermaid-loader.js" in page
    assert MERMAID not in page  # fetched by the loader when a diagram is drawn
    server = _serve(site)
    try:
        browser = _recorder(chromium, f"http://127.0.0.1:{server.server_address[1]}/")
        browser.open("Diagram/")
        shadow = browser.drawn("순전파")
        # Material's own drawing: its theme, given to Mermaid's initialize, styles the diagram.
        assert "--md-mermaid" in shadow
        assert browser.mermaid_loads() == 1
        browser.page.context.close()
    finally:
        server.shutdown()
    assert browser.foreign == []
    assert browser.errors == []


def test_a_page_without_a_diagram_does_not_load_mermaid(build_vault_once, chromium):  # noqa: F811
    _, site = build_vault_once(VAULT)
    server = _serve(site)
    try:
        browser = _recorder(chromium, f"http://127.0.0.1:{server.server_address[1]}/")
        for path in ("", "Other/"):
            browser.open(path)
        assert any(url.endswith("_kb/mermaid-loader.js") for url in browser.requests)
        assert browser.mermaid_loads() == 0
        assert browser.page.evaluate("typeof window.mermaid.render") == "function"
        browser.page.context.close()
    finally:
        server.shutdown()
    assert browser.foreign == [] and browser.errors == []


@pytest.fixture(scope="module")
def instant_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The vault built with `navigation.instant` (which needs `site_url`: the server's own)."""
    root = tmp_path_factory.mktemp("instant")
    server = _serve(root / "site")
    origin = f"http://127.0.0.1:{server.server_address[1]}/"
    config = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "    - navigation.prune" in config
    config = config.replace("    - navigation.prune", "    - navigation.instant\n    - navigation.prune")
    (root / "mkdocs.yml").write_text(f"site_url: {origin}\n" + config, encoding="utf-8")
    write_vault(root / "vault", VAULT)
    build_site(load_settings(root), root / "site")
    yield origin
    server.shutdown()


def test_instant_navigation_to_a_diagram_page_draws_it(instant_site, chromium):  # noqa: F811
    browser = _recorder(chromium, instant_site)
    browser.open("Other/")
    assert browser.mermaid_loads() == 0
    browser.page.evaluate("window.kbSamePage = true")  # gone if the click reloaded the page
    browser.page.locator("article a", has_text="Diagram").first.click()
    browser.page.wait_for_url("**/Diagram/")
    assert "--md-mermaid" in browser.drawn("순전파")
    assert browser.page.evaluate("window.kbSamePage") is True  # drawn without a reload
    # Back to a page without a diagram and on to another diagram: Mermaid is loaded once.
    browser.page.locator("article a", has_text="Other").first.click()
    browser.page.wait_for_url("**/Other/")
    browser.page.locator("article a", has_text="Second").first.click()
    browser.page.wait_for_url("**/Second/")
    browser.drawn("기울기")
    assert browser.page.evaluate("window.kbSamePage") is True
    assert browser.mermaid_loads() == 1
    browser.page.context.close()
    assert browser.foreign == [] and browser.errors == []
