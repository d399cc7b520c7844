"""The bundled vault's study canvas in Chromium: the board draws its cards and edges, pans and
zooms with the mouse, the wheel and the buttons, fits a phone's screen, loads nothing from
another host; its links are backlinks of the notes and edges of the concept graph. Reads the
shared bundled site (tests/conftest.py): no site is built here."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pytest

from compiler.canvas import read_canvas
from compiler.graph_view import GRAPH_JSON
from tests import test_browser as shared
from tests.conftest import BUNDLED_VAULT
from tests.test_browser import CHROMIUM, Browser, wait_for

# The browser fixtures of test_browser, shared by name.
chromium, served_site, browser = shared.chromium, shared.served_site, shared.browser

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")]

FOLDER = "4. Archive/AI 공부/Ai Tech 딥러닝 공부/"
CANVAS = FOLDER + "딥러닝 학습 지도.canvas"
PAGE = CANVAS + "/"


@pytest.fixture(scope="module")
def board():
    return read_canvas(CANVAS, (BUNDLED_VAULT / CANVAS).read_text(encoding="utf-8"))


def _transform(view: Browser) -> tuple[float, float, float]:
    """(x, y, scale) of the board's world, as canvas.js last set them."""
    style = view.page.locator(".kb-canvas-world").evaluate("e => e.style.transform")
    x, y, scale = map(float, re.findall(r"-?[\d.]+(?:e-?\d+)?", style))
    return x, y, scale


def _open_board(view: Browser) -> None:
    view.open(PAGE)
    wait_for(view.page, "document.querySelector('.kb-canvas.kb-canvas-ready') !== null")


def test_the_canvas_page_draws_every_card_group_and_edge_from_the_file(browser, board):
    assert board.complete, board.diagnostics
    _open_board(browser)
    page = browser.page
    assert page.locator(".kb-canvas-node").count() == len(board.nodes)
    assert page.locator(".kb-canvas-group-label").count() == sum(
        1 for n in board.nodes if n.kind == "group" and n.label)
    assert page.locator(".kb-canvas-edge path").count() == len(board.edges)
    assert page.locator(".kb-canvas-edge-label").count() == sum(1 for e in board.edges if e.label)
    # every edge is a drawn curve with its arrowheads
    lengths = page.locator(".kb-canvas-edge path").evaluate_all("ps => ps.map(p => p.getTotalLength())")
    assert all(length > 10 for length in lengths)
    arrows = sum((e.from_end == "arrow") + (e.to_end == "arrow") for e in board.edges)
    assert page.locator(".kb-canvas-edge polygon").count() == arrows
    # file cards show their note's text with working links; a subpath shows only that section
    optimiser = page.locator(".kb-canvas-node[data-node-id='optim-2']")
    href = unquote(optimiser.locator(".kb-canvas-file-name a").get_attribute("href"))
    assert href.endswith("옵티마이저/#종류")
    assert "SGD" in optimiser.inner_text() and "스스로 확인" not in optimiser.inner_text()
    intro = page.locator(".kb-canvas-node[data-node-id='intro']")
    assert intro.locator("a", has_text="딥러닝 기초 정리").count() == 1 and intro.locator("math").count() >= 1
    # a link card is a link, never a frame
    assert page.locator(".kb-canvas-link a.kb-canvas-url").count() == 1
    assert page.locator(".kb-canvas iframe").count() == 0
    # fitted: the whole board lies inside its frame
    frame = page.locator(".kb-canvas-viewport").bounding_box()
    world = page.locator(".kb-canvas-world").bounding_box()
    assert world["x"] >= frame["x"] - 1 and world["x"] + world["width"] <= frame["x"] + frame["width"] + 1
    assert world["y"] >= frame["y"] - 1 and world["y"] + world["height"] <= frame["y"] + frame["height"] + 1
    assert browser.errors == [] and browser.foreign == []


def test_the_board_pans_with_a_drag_and_zooms_at_the_pointer(browser):
    _open_board(browser)
    page = browser.page
    x0, y0, fitted = _transform(browser)
    frame = page.locator(".kb-canvas-viewport").bounding_box()
    # a drag that starts on a card's link pans the board and does not follow the link
    link = page.locator(".kb-canvas-node[data-node-id='model-1'] .kb-canvas-file-name a").bounding_box()
    lx, ly = link["x"] + link["width"] / 2, link["y"] + link["height"] / 2
    address = page.url
    page.mouse.move(lx, ly)
    page.mouse.down()
    page.mouse.move(lx + 60, ly + 30, steps=6)
    page.mouse.up()
    x1, y1, scale = _transform(browser)
    assert (round(x1 - x0), round(y1 - y0), scale) == (60, 30, fitted)
    page.wait_for_timeout(200)
    assert page.url == address
    page.keyboard.press("Escape")  # the link's preview (preview.js), shown while pointing at it
    # the wheel over an empty corner of the board (no link there, so no preview over it)
    cx, cy = frame["x"] + 30, frame["y"] + frame["height"] - 30
    # the wheel zooms in, keeping the board's point under the pointer where it was
    before = ((cx - frame["x"] - x1) / scale, (cy - frame["y"] - y1) / scale)
    page.mouse.move(cx, cy)
    page.mouse.wheel(0, -300)
    wait_for(page, f"parseFloat(document.querySelector('.kb-canvas').dataset.scale) > {fitted + 0.01}")
    x2, y2, zoomed = _transform(browser)
    after = ((cx - frame["x"] - x2) / zoomed, (cy - frame["y"] - y2) / zoomed)
    assert zoomed > fitted and after == pytest.approx(before, abs=2)  # not hundreds off
    page.locator(".kb-canvas-zoom-out").click()
    assert _transform(browser)[2] == pytest.approx(zoomed * 0.8, rel=1e-3)
    page.locator(".kb-canvas-fit").click()
    assert _transform(browser) == pytest.approx((x0, y0, fitted), abs=0.01)
    # a click with no drag follows a card's link
    page.locator(".kb-canvas-node[data-node-id='loss-0'] .kb-canvas-file-name a").click()
    page.wait_for_load_state()
    assert unquote(page.url).endswith("/손실함수/")
    assert browser.errors == []


def test_the_board_fits_a_phone_screen_and_pans_by_touch(chromium, served_site):
    context = chromium.new_context(locale="ko-KR", viewport={"width": 390, "height": 844},
                                   has_touch=True, is_mobile=True, device_scale_factor=2)
    try:
        phone = Browser(context.new_page(), served_site)
        _open_board(phone)
        page = phone.page
        frame = page.locator(".kb-canvas-viewport").bounding_box()
        assert frame["width"] <= 390 and frame["height"] >= 300
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
        x0, y0, _ = _transform(phone)
        # one finger drags the board (pointer events, as a touch screen sends them)
        page.locator(".kb-canvas-viewport").evaluate("""v => {
            const r = v.getBoundingClientRect(), x = r.left + 100, y = r.top + 100;
            const send = (type, dx) => v.dispatchEvent(new PointerEvent(type, {pointerId: 7,
                pointerType: 'touch', isPrimary: true, bubbles: true, button: 0,
                clientX: x + dx, clientY: y + dx}));
            send('pointerdown', 0); send('pointermove', 20); send('pointermove', 40);
            send('pointerup', 40);
        }""")
        x1, y1, fitted = _transform(phone)
        assert (round(x1 - x0), round(y1 - y0)) == (40, 40)
        # two fingers moving apart zoom in by the ratio of their distances
        page.locator(".kb-canvas-viewport").evaluate("""v => {
            const r = v.getBoundingClientRect(), y = r.top + 150;
            const send = (type, id, x) => v.dispatchEvent(new PointerEvent(type, {pointerId: id,
                pointerType: 'touch', bubbles: true, button: 0, clientX: r.left + x, clientY: y}));
            send('pointerdown', 1, 100); send('pointerdown', 2, 150);
            send('pointermove', 2, 200); send('pointerup', 2, 200); send('pointerup', 1, 100);
        }""")
        assert _transform(phone)[2] == pytest.approx(fitted * 2, rel=1e-3)
        assert phone.errors == [] and phone.foreign == []
    finally:
        context.close()


def test_a_note_on_the_board_lists_the_canvas_among_its_backlinks(browser):
    browser.open(FOLDER + "손실함수/")
    mention = browser.page.locator(".kb-backlinks .kb-canvas-mention")
    assert mention.count() == 1 and "딥러닝 학습 지도" in mention.inner_text()
    assert browser.page.locator(".kb-backlinks a", has_text="딥러닝 학습 지도").count() == 1


def test_the_concept_graph_has_the_canvas_and_its_edges(bundled_site, bundled_compilation, board):
    _, site, _, _ = bundled_site
    data = json.loads((site / GRAPH_JSON).read_text(encoding="utf-8"))
    titles = data["nodes"]["title"]
    source = titles.index("딥러닝 학습 지도")
    pairs = list(zip(data["edges"][::2], data["edges"][1::2], strict=True))
    targets = {titles[b if a == source else a] for a, b in pairs if source in (a, b)}  # undirected
    named = {n.file.rsplit("/", 1)[-1].removesuffix(".md") for n in board.nodes if n.kind == "file"}
    assert named <= targets and {"과적합", "딥러닝 기초 정리"} <= targets  # file and text cards
    assert bundled_compilation.graph.has_edge(CANVAS, FOLDER + "손실함수.md")

