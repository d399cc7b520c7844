"""Mermaid diagrams drawn in a real headless Chromium from the site's own copy of mermaid:
no request leaves localhost (Material would fetch mermaid from unpkg.com otherwise)."""

from __future__ import annotations

import functools
import threading
from http.server import ThreadingHTTPServer

import pytest

from compiler.sitecheck import check_site
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, Browser, _QuietHandler

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")]

# Material draws each diagram into a closed shadow root; opened here so the test can look in.
OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { return attach.call(this, {...init, mode: "open"}); };
"""
DIAGRAM = "```mermaid\ngraph LR\n  A[순전파] --> B[역전파]\n```\n"


def test_a_mermaid_block_renders_an_svg_with_no_request_to_another_host(build_vault):
    _, site = build_vault({"Diagram.md": "# 그림\n\n" + DIAGRAM, "Other.md": "x"})
    assert check_site(site) == []
    page = (site / "Diagram" / "index.html").read_text(encoding="utf-8")
    assert '<pre class="mermaid">' in page and "_kb/vendor/mermaid/mermaid.min.js" in page
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with playwright_api.sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = chromium.new_page()
            page.add_init_script(OPEN_SHADOW_ROOTS)
            browser = Browser(page, f"http://127.0.0.1:{server.server_address[1]}/")
            browser.open("Diagram/")
            diagram = browser.page.locator(".mermaid svg")
            diagram.first.wait_for(timeout=20_000)
            assert "순전파" in diagram.first.text_content()
            chromium.close()
    finally:
        server.shutdown()
    assert browser.foreign == []
    assert browser.errors == []
