"""Raw HTML attacks in notes, opened in a real Chromium: the vectors that once made the site
request another host or run a script (issue 19). Sanitised by default; in `trusted` mode the
HTML stays as written, yet nothing loads from another host (the page's policy forbids it)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from playwright.sync_api import Error as PlaywrightError

from compiler.build import build_site
from compiler.sitecheck import check_site
from tests.conftest import project_settings, write_vault
from tests.test_browser import CHROMIUM, TABS, Browser, chromium  # noqa: F401
from tests.test_mermaid_browser import _serve

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")]

EVIL = "https://evil.example"
# Each note holds one vector; the page must show its marker text and nothing else happens.
VECTORS = {
    "meta-refresh": f'<meta http-equiv="refresh" content="0; url={EVIL}/refresh">',
    "table-background": f'<table background="{EVIL}/table.png"><tr><td>셀</td></tr></table>',
    "tab-in-scheme": '<img src="ht\ttps://evil.example/tab.png" alt="탭">',
    "newline-in-scheme": '<img src="https:\n//evil.example/newline.png">',
    "iframe-srcdoc": f"<iframe srcdoc=\"<img src='{EVIL}/srcdoc.png'><script>alert(1)</script>\">"
                     "</iframe>",
    "data-document": "<iframe src=\"data:text/html,<img src='https://evil.example/data.png'>"
                     "<script>alert(1)</script>\"></iframe>",
    "css-escape": '<div style="background:url(\\68ttps://evil.example/escape.png)">상자</div>',
    "image-set": "<div style=\"background-image:image-set('https://evil.example/set.png' 1x)\">"
                 "상자</div>",
    "svg-set-href": f'<svg><a><set attributeName="href" to="{EVIL}/svgset"/>'
                    f'<image href="#x"><animate attributeName="href" values="{EVIL}/anim.png"/>'
                    "</image></a></svg>",
    "script": "<script>alert(1)</script>",
    "handler": "<img src=x onerror=alert(1)>",
    "svg-onload": "<svg onload=alert(1)></svg>",
    "javascript-link": '<a id="go" href="javascript:alert(1)">눌러</a>',
    "markdown-javascript-link": "[눌러](javascript:alert(1))",
    "style-import": f"<style>@import '{EVIL}/x.css';</style>",
    "link-stylesheet": f'<link rel="stylesheet" href="{EVIL}/y.css">',
    "object": f'<object data="{EVIL}/z.swf"></object>',
    "video-poster": f'<video poster="{EVIL}/poster.png" src="//evil.example/v.mp4"></video>',
    "srcset": f'<img srcset="{EVIL}/a.png 1x, {EVIL}/b.png 2x">',
    "base": f'<base href="{EVIL}/">',
    "form": f'<form action="{EVIL}/post"><button id="go">보내기</button></form>',
    "svg-attachment": "![[evil.svg]]",
}
EVIL_SVG = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'onload="alert(1)"><script>alert(2)</script><image xlink:href="{EVIL}/svg.png" '
            f'width="9" height="9"/><rect width="9" height="9" style="fill:url({EVIL}/f.svg#p)">'
            f'<set attributeName="fill" to="red"/></rect></svg>')


def _vault(mode: str) -> dict[str, str]:
    notes = {f"{name}.md": f"# {name}\n\n표지 {name}\n\n{vector}\n\n끝 {name}\n"
             for name, vector in VECTORS.items()}
    notes["evil.svg"] = EVIL_SVG
    notes["index.md"] = "# 첫 화면\n\n" + "\n".join(f"- [[{name}]]" for name in VECTORS) + "\n"
    return notes


@pytest.fixture(params=["sanitize", "trusted"])
def attacked_site(request, tmp_path) -> Iterator[tuple[str, str]]:
    mode = request.param
    vault = write_vault(tmp_path / "vault", _vault(mode))
    settings = dataclasses.replace(project_settings(tmp_path, vault), raw_html=mode)
    site = tmp_path / "site"
    build_site(settings, site)
    assert [p for p in check_site(site) if "another host" in p] == []
    server = _serve(site)
    yield mode, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _reopen(tab: Browser, path: str) -> None:
    """Open the page again once the navigation its click started (a form sent, a link
    followed: on a loaded machine later than the wait above) has ended."""
    try:
        tab.open(path)
    except PlaywrightError as error:
        if "interrupted by another navigation" not in str(error):
            raise
        tab.page.wait_for_load_state("networkidle")
        tab.open(path)


def test_no_vector_loads_from_another_host_or_runs_a_script(chromium, attacked_site):  # noqa: F811
    """The vectors' pages are opened TABS at a time in one browser: their waits overlap."""
    mode, origin = attacked_site
    context = chromium.new_context()
    dialogs: list[str] = []
    tabs = [Browser(context.new_page(), origin) for _ in range(TABS)]
    for tab in tabs:
        tab.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    names = list(VECTORS)
    for batch in (names[n:n + TABS] for n in range(0, len(names), TABS)):
        opened = list(zip(tabs, batch, strict=False))
        for tab, name in opened:
            tab.open(f"{name}/", wait_until="commit")
        for tab, _ in opened:
            tab.page.wait_for_load_state("networkidle")
        tabs[0].page.wait_for_timeout(300)  # a refresh or an animation has its moment
        clicked = [(tab, name) for tab, name in opened if tab.page.locator("#go").count()]
        for tab, _ in clicked:
            tab.page.locator("#go").first.click(no_wait_after=True)
        if clicked:
            tabs[0].page.wait_for_timeout(200)
        for tab, name in clicked:
            _reopen(tab, f"{name}/")
        for tab, name in opened:
            assert tab.page.get_by_text(f"끝 {name}").count() == 1, name  # the page is still there
    tabs[0].open("evil.svg")  # the attachment opened on its own, as a document
    tabs[0].page.wait_for_timeout(300)
    context.close()
    assert [url for tab in tabs for url in tab.foreign] == []
    if mode == "sanitize":
        assert dialogs == []
