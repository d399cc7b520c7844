"""The graph page of the bundled site, read as a reader would: on a desktop and a phone, in the
light and the dark theme (headless Chromium, the shared bundled site).

Labels are measured, not trusted: `kbGraph.labels()` gives the box of every label drawn in the
last frame, and the labels' own canvas is read back to check that nothing was drawn outside
those boxes; then no two boxes may overlap, and none may leave the canvas.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from compiler.analysis import analyse
from tests.test_browser import (  # noqa: F401  (fixtures)
    CHROMIUM,
    Browser,
    chromium,
    served_site,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MOST_CENTRAL = "딥러닝 기초 정리"

# Pixels of the labels' canvas drawn outside every label box (CSS pixels of the container).
INK_OUTSIDE = """() => {
    const sigma = kbGraph.sigma, canvas = sigma.getCanvases().labels;
    const scale = canvas.width / sigma.getDimensions().width;
    const box = sigma.getContainer().getBoundingClientRect();
    const boxes = kbGraph.labels().map(b => [(b.left - box.left) * scale, (b.top - box.top) * scale,
                                             (b.right - box.left) * scale, (b.bottom - box.top) * scale]);
    const ink = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let outside = 0, inside = 0;
    for (let y = 0; y < canvas.height; y++) {
        for (let x = 0; x < canvas.width; x++) {
            if (ink[4 * (y * canvas.width + x) + 3] === 0) continue;
            if (boxes.some(([l, t, r, b]) => x >= l - 1 && x <= r + 1 && y >= t - 1 && y <= b + 1)) inside++;
            else outside++;
        }
    }
    return {outside, inside};
}"""


@pytest.fixture
def page_at(chromium, served_site) -> Iterator:  # noqa: F811
    contexts = []

    def open_at(viewport: dict, scheme: str = "light") -> Browser:
        context = chromium.new_context(locale="ko-KR", viewport=viewport, color_scheme=scheme)
        contexts.append(context)
        browser = Browser(context.new_page(), served_site)
        browser.open("graph/")
        wait_for(browser.page, "window.kbGraph && window.kbGraph.ready", timeout=15_000)
        browser.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        return browser

    yield open_at
    for context in contexts:
        context.close()


def overlaps(a: dict, b: dict) -> bool:
    return (a["left"] < b["right"] and b["left"] < a["right"]
            and a["top"] < b["bottom"] and b["top"] < a["bottom"])


def on_screen(page, frame: dict) -> int:
    """How many nodes have their centre inside the canvas."""
    points = page.evaluate("kbGraph.titles().map(title => kbGraph.position(title))")
    return sum(1 for p in points if frame["left"] <= p["x"] <= frame["right"]
               and frame["top"] <= p["y"] <= frame["bottom"])


def contrast(one: str, other: str) -> float:
    """WCAG's contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_at_the_default_zoom_no_label_overlaps_another_and_the_canvas_fits_the_window(page_at, viewport):
    browser = page_at(viewport)
    page = browser.page
    frame = page.evaluate("document.querySelector('.kb-graph-view').getBoundingClientRect().toJSON()")
    assert frame["height"] <= viewport["height"] and frame["right"] <= viewport["width"]
    labels = page.evaluate("kbGraph.labels()")
    assert len(labels) >= 15 and MOST_CENTRAL in {label["title"] for label in labels}
    assert [(a["title"], b["title"]) for a, b in itertools.combinations(labels, 2) if overlaps(a, b)] == []
    for label in labels:  # none cut at an edge of the canvas
        assert frame["left"] <= label["left"] and label["right"] <= frame["right"] + 0.5
        assert frame["top"] <= label["top"] and label["bottom"] <= frame["bottom"] + 0.5
    ink = page.evaluate(INK_OUTSIDE)
    assert ink["inside"] > 1000 and ink["outside"] == 0  # the boxes are where the text is
    # Zoomed in, the nodes move apart and grow: a larger share of those on screen is labelled.
    shown_before = on_screen(page, frame)
    assert len(labels) < shown_before  # the default zoom has no room for every title
    page.evaluate("""() => new Promise(done => {
        const camera = kbGraph.sigma.getCamera();
        camera.setState({ratio: camera.getState().ratio / 3});
        requestAnimationFrame(() => requestAnimationFrame(done));
    })""")
    zoomed = page.evaluate("kbGraph.labels()")
    assert len(zoomed) / on_screen(page, frame) > len(labels) / shown_before
    assert not any(overlaps(a, b) for a, b in itertools.combinations(zoomed, 2))
    assert browser.errors == []


def test_the_dark_theme_draws_readable_labels_and_edges_and_follows_the_toggle(page_at):
    browser = page_at(DESKTOP, scheme="dark")
    page = browser.page
    dark = page.evaluate("kbGraph.colours()")
    assert contrast(dark["background"], "#000000") < 2  # a dark background
    assert contrast(dark["label"], dark["background"]) >= 4.5
    assert contrast(dark["edge"], dark["background"]) >= 2
    # The palette toggle in the header switches to the light theme: the graph follows.
    page.locator("label[for='__palette_0']:visible").click()
    wait_for(page, "dark => kbGraph.colours().background !== dark", arg=dark["background"])
    light = page.evaluate("kbGraph.colours()")
    assert contrast(light["background"], "#000000") > 15
    assert contrast(light["label"], light["background"]) >= 4.5
    assert contrast(light["edge"], light["background"]) >= 2
    ink = page.evaluate(INK_OUTSIDE)
    assert ink["outside"] == 0
    assert browser.errors == []


def test_the_legend_names_each_community_after_its_centre_and_highlights_it(page_at,
                                                                         bundled_compilation):
    summary = analyse(bundled_compilation.graph, bundled_compilation.resolved.notes)
    titles = {path: m.title for path, m in summary.measures.items()}
    expected = [titles[summary.measures[members[0]].community_centre]
                for members in summary.communities if len(members) > 1][:12]
    page = page_at(DESKTOP).page
    buttons = page.locator(".kb-graph-legend button")
    assert buttons.all_inner_texts()[:len(expected)] == expected
    # Each name is found on the graph: the centres are labelled before the rest.
    assert set(expected) <= {label["title"] for label in page.evaluate("kbGraph.labels()")}
    buttons.nth(1).click()
    assert buttons.nth(1).get_attribute("aria-pressed") == "true"
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    shown = {label["title"] for label in page.evaluate("kbGraph.labels()")}
    second = {titles[path] for path in summary.communities[1]}
    assert shown and shown <= second and expected[1] in shown  # only that community is labelled
    buttons.nth(1).click()
    assert buttons.nth(1).get_attribute("aria-pressed") == "false"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_note_found_by_search_is_centred_with_all_its_neighbours_on_screen(page_at, viewport):
    page = page_at(viewport).page
    search = page.locator(".kb-graph-search input")
    search.fill("역전파")
    search.press("Enter")
    wait_for(page, "kbGraph.focus() === '역전파 알고리즘'")
    page.wait_for_timeout(600)  # the camera's animation (300 ms)
    frame = page.evaluate("document.querySelector('.kb-graph-view').getBoundingClientRect().toJSON()")
    centre, found = page.evaluate("kbGraph.centre()"), page.evaluate("kbGraph.position('역전파 알고리즘')")
    assert abs(found["x"] - centre["x"]) < 2 and abs(found["y"] - centre["y"]) < 2
    neighbours = set(page.evaluate("kbGraph.highlighted()")) - {"역전파 알고리즘"}
    assert len(neighbours) >= 3
    reach = 0.0
    for title in neighbours:
        point = page.evaluate("t => kbGraph.position(t)", title)
        assert frame["left"] < point["x"] < frame["right"] and frame["top"] < point["y"] < frame["bottom"]
        reach = max(reach, abs(point["x"] - centre["x"]) / frame["width"],
                    abs(point["y"] - centre["y"]) / frame["height"])
    assert reach > 0.2  # zoomed to the neighbourhood, not out to the whole graph
