"""The concept graph of a built site in real headless Chromium (Debian's, WebGL by SwiftShader).

One small vault is built once for the module: a hub with neighbours, a ghost, an orphan, a
Korean title to search for, and a note whose name is HTML. `window.kbGraph` (read-only) says
what is drawn, highlighted and where, so the checks are exact rather than pixel guesses.
"""

from __future__ import annotations

import functools
import io
import math
import threading
import unicodedata
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest
from PIL import Image

from compiler.build import build_site
from tests.conftest import project_settings, write_vault
from tests.test_browser import CHROMIUM, Browser, _QuietHandler, chromium  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")]

HOSTILE = '<img src=x onerror=alert(1)> "따옴표"'
VAULT = {
    "허브.md": "# 허브\n\n[[가]] [[나]] [[없는 노트]] [[역전파 알고리즘]]\n",
    "가.md": "[[나]]\n",
    "나.md": "끝\n",
    "폴더/다.md": "[[허브]]\n",
    "폴더/역전파 알고리즘.md": "---\ntags: [딥러닝]\n---\n[[라]]\n",
    "라.md": "[[폴더/다]]\n",
    "Alone.md": "혼자인 노트\n",
    f"{HOSTILE}.md": "[[허브]]\n",
}
NOTES = {"허브", "가", "나", "다", "역전파 알고리즘", "라", "Alone", HOSTILE}
GHOSTS = {"없는 노트"}
HUB_NEIGHBOURS = {"가", "나", "없는 노트", "역전파 알고리즘", "다", HOSTILE}


@pytest.fixture(scope="module")
def graph_site(tmp_path_factory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("graph-site")
    vault = write_vault(tmp / "vault", VAULT)
    site = tmp / "site"
    build_site(project_settings(tmp, vault), site)
    handler = functools.partial(_QuietHandler, directory=str(site))
    from http.server import ThreadingHTTPServer
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture
def browser(chromium, graph_site) -> Iterator[Browser]:  # noqa: F811
    context = chromium.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    view = Browser(page, graph_site)
    yield view
    assert view.errors == []
    assert view.foreign == []
    assert dialogs == []  # no title ran as code
    context.close()


def open_graph(browser: Browser, path: str) -> None:
    browser.open(path)
    browser.page.wait_for_function("window.kbGraph && window.kbGraph.ready", timeout=15_000)


def kb(browser: Browser, expression: str):
    return browser.page.evaluate(f"kbGraph.{expression}")


def hover(browser: Browser, title: str) -> None:
    browser.page.locator(".kb-graph-view").scroll_into_view_if_needed()
    point = browser.page.evaluate("t => kbGraph.position(t)", title)
    browser.page.mouse.move(point["x"], point["y"])
    browser.page.wait_for_function("t => kbGraph.focus() === t", arg=title, timeout=5_000)


def test_the_graph_page_draws_every_note_and_ghost_and_the_filters_hide_them(browser):
    open_graph(browser, "graph/")
    assert kb(browser, "kind") == "global"
    assert kb(browser, "nodeCount()") == len(NOTES) + len(GHOSTS)
    assert set(kb(browser, "titles()")) == NOTES | GHOSTS
    assert kb(browser, "ghosts()") == sorted(GHOSTS)
    assert kb(browser, "edgeCount()") == 9
    browser.page.locator("input[name=hideGhosts]").check()
    assert set(kb(browser, "titles()")) == NOTES
    browser.page.locator("input[name=hideOrphans]").check()
    assert set(kb(browser, "titles()")) == NOTES - {"Alone"}
    browser.page.locator(".kb-graph-control select").nth(1).select_option("폴더")
    assert set(kb(browser, "titles()")) == {"다", "역전파 알고리즘"}
    browser.page.locator(".kb-graph-control select").nth(1).select_option("")
    browser.page.locator(".kb-graph-control select").nth(2).select_option(label="#딥러닝")
    assert kb(browser, "titles()") == ["역전파 알고리즘"]


def test_hovering_a_node_highlights_it_and_its_neighbours(browser):
    open_graph(browser, "graph/")
    hover(browser, "허브")
    assert set(kb(browser, "highlighted()")) == {"허브"} | HUB_NEIGHBOURS
    hover(browser, "라")
    assert set(kb(browser, "highlighted()")) == {"라", "역전파 알고리즘", "다"}


def test_clicking_a_node_opens_its_note(browser):
    open_graph(browser, "graph/")
    hover(browser, "역전파 알고리즘")
    point = browser.page.evaluate("kbGraph.position('역전파 알고리즘')")
    with browser.page.expect_navigation():
        browser.page.mouse.click(point["x"], point["y"])
    assert unquote(urlsplit(browser.page.url).path) == "/폴더/역전파 알고리즘/"
    assert "역전파 알고리즘" in browser.page.title()


def test_searching_a_korean_title_centres_its_node(browser):
    open_graph(browser, "graph/")
    before = kb(browser, "camera()")
    search = browser.page.locator(".kb-graph-search input")
    search.fill(unicodedata.normalize("NFD", "역전파"))  # as macOS may type it
    results = browser.page.locator(".kb-graph-results button")
    assert results.all_inner_texts() == ["역전파 알고리즘"]
    search.press("Enter")
    browser.page.wait_for_function("kbGraph.focus() === '역전파 알고리즘'")
    browser.page.wait_for_timeout(500)  # the camera's animation (300 ms)
    point, centre = kb(browser, "position('역전파 알고리즘')"), kb(browser, "centre()")
    assert abs(point["x"] - centre["x"]) < 2 and abs(point["y"] - centre["y"]) < 2
    assert kb(browser, "camera()") != before
    assert set(kb(browser, "highlighted()")) == {"역전파 알고리즘", "허브", "라"}


def test_the_local_graph_shows_exactly_the_neighbours_and_a_second_level_on_demand(browser):
    open_graph(browser, "허브/")
    assert kb(browser, "kind") == "local"
    assert kb(browser, "current()") == "허브"
    assert set(kb(browser, "titles()")) == {"허브"} | HUB_NEIGHBOURS
    # Drawn from the page's own data (no coordinates in it): the neighbours on one ring.
    centre = kb(browser, "position('허브')")
    distances = [math.dist((centre["x"], centre["y"]), (p["x"], p["y"]))
                 for p in (browser.page.evaluate("t => kbGraph.position(t)", title)
                           for title in HUB_NEIGHBOURS)]
    assert max(distances) - min(distances) < 2 and min(distances) > 20
    browser.page.locator(".kb-graph-depth button", has_text="2단계").click()
    browser.page.wait_for_function("kbGraph.nodeCount() > 7")
    assert set(kb(browser, "titles()")) == {"허브", "라"} | HUB_NEIGHBOURS
    browser.page.locator(".kb-graph-depth button", has_text="1단계").click()
    browser.page.wait_for_function("kbGraph.nodeCount() === 7")
    hover(browser, "다")
    point = browser.page.evaluate("kbGraph.position('다')")
    with browser.page.expect_navigation():
        browser.page.mouse.click(point["x"], point["y"])
    assert unquote(urlsplit(browser.page.url).path) == "/폴더/다/"


def test_a_title_that_is_html_is_shown_as_text(browser, tmp_path):
    open_graph(browser, "graph/")
    search = browser.page.locator(".kb-graph-search input")
    search.fill("따옴표")
    assert browser.page.locator(".kb-graph-results button").all_inner_texts() == [HOSTILE]
    assert browser.page.locator(".kb-graph-page img").count() == 0
    open_graph(browser, "허브/")
    assert HOSTILE in kb(browser, "titles()")
    assert browser.page.locator("article img").count() == 0


def test_an_orphan_has_a_local_graph_of_itself(browser):
    open_graph(browser, "Alone/")
    assert kb(browser, "titles()") == ["Alone"]


NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def screenshot(browser: Browser) -> np.ndarray:
    png = browser.page.locator(".kb-graph-view").screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.int16)


def test_while_the_camera_moves_a_large_graph_shows_its_edges_as_a_picture_that_moves_with_it(
        browser):
    # Any graph counts as large here, and the camera stays "moving" long enough to look.
    browser.page.add_init_script("window.KB_GRAPH_PICTURE_EDGES = 0; window.KB_GRAPH_SETTLE_MS = 4000")
    open_graph(browser, "graph/")
    still = screenshot(browser)
    dx, dy = 40, 30
    browser.page.evaluate("""([dx, dy]) => new Promise((done) => {
        const sigma = kbGraph.sigma, box = sigma.getDimensions();
        const centre = sigma.viewportToFramedGraph({x: box.width / 2 - dx, y: box.height / 2 - dy});
        sigma.getCamera().setState({x: centre.x, y: centre.y});
        requestAnimationFrame(() => requestAnimationFrame(done));
    })""", [dx, dy])
    assert kb(browser, "moving()")
    assert browser.page.locator(".kb-graph-edge-picture").evaluate(
        "e => getComputedStyle(e).visibility") == "visible"
    moved = screenshot(browser)
    picture = browser.page.locator(".kb-graph-edge-picture")
    picture.evaluate("e => { e.style.visibility = 'hidden'; }")
    bare = screenshot(browser)  # what WebGL drew while moving: the nodes, no edges
    picture.evaluate("e => { e.style.visibility = ''; }")
    browser.page.wait_for_function("!kbGraph.moving()", timeout=10_000)
    browser.page.evaluate(NEXT_FRAMES)
    assert picture.evaluate("e => getComputedStyle(e).visibility") == "hidden"
    drawn = screenshot(browser)
    # Away from the strip the picture could not cover, the moving frame is the drawn one; the
    # frame before the move and the frame without the picture are not, so the comparison can
    # tell them apart.
    inner = (slice(dy + 2, -2), slice(dx + 2, -2))
    differ = lambda a, b: int((np.abs(a[inner] - b[inner]) > 4).sum())  # noqa: E731
    assert differ(still, drawn) > 1000
    assert differ(bare, drawn) > 300
    assert differ(moved, drawn) < min(differ(still, drawn), differ(bare, drawn)) / 20
