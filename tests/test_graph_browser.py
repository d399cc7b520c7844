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
from tests.test_browser import CHROMIUM, Browser, _QuietHandler, chromium, wait_for  # noqa: F401

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
    wait_for(browser.page, "window.kbGraph && window.kbGraph.ready", timeout=15_000)


def kb(browser: Browser, expression: str):
    return browser.page.evaluate(f"kbGraph.{expression}")


def hover(browser: Browser, title: str) -> None:
    browser.page.locator(".kb-graph-view").scroll_into_view_if_needed()
    point = browser.page.evaluate("t => kbGraph.position(t)", title)
    browser.page.mouse.move(point["x"], point["y"])
    wait_for(browser.page, "t => kbGraph.focus() === t", arg=title, timeout=5_000)


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
    wait_for(browser.page, "kbGraph.focus() === '역전파 알고리즘'")
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
    wait_for(browser.page, "kbGraph.nodeCount() > 7")
    assert set(kb(browser, "titles()")) == {"허브", "라"} | HUB_NEIGHBOURS
    browser.page.locator(".kb-graph-depth button", has_text="1단계").click()
    wait_for(browser.page, "kbGraph.nodeCount() === 7")
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


MOVE = """([dx, dy, zoom]) => new Promise((done) => {
    const sigma = kbGraph.sigma, box = sigma.getDimensions(), camera = sigma.getCamera();
    const centre = sigma.viewportToFramedGraph({x: box.width / 2 - dx, y: box.height / 2 - dy});
    camera.setState({x: centre.x, y: centre.y, ratio: camera.getState().ratio * zoom});
    requestAnimationFrame(() => requestAnimationFrame(done));
})"""


def near(mask: np.ndarray, reach: int) -> np.ndarray:
    """The pixels within `reach` pixels of a true one."""
    grown = mask.copy()
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            grown |= np.roll(np.roll(mask, dy, axis=0), dx, axis=1)
    return grown


@pytest.fixture
def large(chromium, graph_site, request) -> Iterator[Browser]:  # noqa: F811
    """The graph page as a large graph shows it (a picture of the edges while the camera
    moves), with the camera counting as moving for 4 s: long enough to look."""
    context = chromium.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900},
                                   device_scale_factor=getattr(request, "param", 1))
    page = context.new_page()
    page.add_init_script("window.KB_GRAPH_PICTURE_EDGES = 0; window.KB_GRAPH_SETTLE_MS = 4000")
    view = Browser(page, graph_site)
    open_graph(view, "graph/")
    view.page.wait_for_timeout(300)  # the first still frame, which the picture is taken from
    yield view
    assert view.errors == []
    context.close()


@pytest.mark.parametrize(("large", "zoom"), [(1, 1.0), (2, 0.7)], indirect=["large"],
                         ids=["pan", "pan-and-zoom-at-pixel-ratio-2"])
def test_while_the_camera_moves_a_large_graph_shows_its_edges_as_a_picture_that_moves_with_it(
        large, zoom):
    still = screenshot(large)
    dx, dy = 40, 30
    large.page.evaluate(MOVE, [dx, dy, zoom])
    assert kb(large, "moving()")
    picture = large.page.locator(".kb-graph-edge-picture")
    assert picture.evaluate("e => getComputedStyle(e).visibility") == "visible"
    moved = screenshot(large)
    picture.evaluate("e => { e.style.visibility = 'hidden'; }")
    bare = screenshot(large)  # what WebGL drew while moving: the nodes, no edges
    picture.evaluate("e => { e.style.visibility = ''; }")
    wait_for(large.page, "!kbGraph.moving()", timeout=10_000)
    large.page.evaluate(NEXT_FRAMES)
    assert picture.evaluate("e => getComputedStyle(e).visibility") == "hidden"
    drawn = screenshot(large)
    scale = large.page.evaluate("devicePixelRatio")
    # Away from the strip the picture could not cover (the frame before the move, the frame
    # without the picture and a misplaced picture all differ from the drawn frame there).
    inner = (slice(int(dy * scale) + 4, -4), slice(int(dx * scale) + 4, -4))
    differ = lambda a, b: int((np.abs(a[inner] - b[inner]) > 4).sum())  # noqa: E731
    assert differ(still, drawn) > 1000
    assert differ(bare, drawn) > 300
    if zoom == 1.0:  # a pan by whole pixels: the picture is exactly the drawn edges
        assert differ(moved, drawn) < min(differ(still, drawn), differ(bare, drawn)) / 20
    # Scaled, the picture's lines are softer: each drawn edge pixel has picture within reach.
    edges_drawn = np.abs(drawn - bare)[inner] > 4
    edges_shown = np.abs(moved - bare)[inner] > 2
    assert (edges_drawn & near(edges_shown, round(2 * scale))).sum() > 0.9 * edges_drawn.sum()


def test_a_node_clicked_while_the_camera_still_counts_as_moving_opens_its_note(large):
    large.page.evaluate(MOVE, [25, 10, 0.9])
    assert kb(large, "moving()")
    point = large.page.evaluate("kbGraph.position('역전파 알고리즘')")
    with large.page.expect_navigation():
        large.page.mouse.move(point["x"], point["y"])
        large.page.mouse.down()
        large.page.mouse.move(point["x"] + 2, point["y"] + 1)  # a hand is never quite still
        large.page.mouse.up()
    assert unquote(urlsplit(large.page.url).path) == "/폴더/역전파 알고리즘/"


def test_a_graph_killed_while_its_camera_moves_leaves_no_error_behind(large):
    large.page.evaluate(MOVE, [25, 10, 1.0])
    large.page.evaluate("kbGraph.sigma.kill()")
    large.page.wait_for_timeout(4500)  # past the moment the camera would have settled
    # the fixture checks that no error was reported


def test_a_node_under_the_pointer_while_the_camera_moves_is_highlighted_once_it_stops(large):
    large.page.evaluate(MOVE, [25, 10, 0.9])
    point = large.page.evaluate("kbGraph.position('라')")
    large.page.mouse.move(point["x"], point["y"])
    large.page.wait_for_timeout(300)
    assert kb(large, "moving()") and kb(large, "focus()") is None
    wait_for(large.page, "kbGraph.focus() === '라'", timeout=10_000)
    assert not kb(large, "moving()")
    assert set(kb(large, "highlighted()")) == {"라", "역전파 알고리즘", "다"}
