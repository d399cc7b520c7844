"""Obsidian's other task markers (`- [?]`, `- [-]`, ...) as a reader sees them in Chromium:
done tasks whose character stays visible, `[-]` struck through, plain tasks unchanged."""

from __future__ import annotations

import functools
import threading
from http.server import ThreadingHTTPServer

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, Browser, _QuietHandler

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")]

TASKS = "- [ ] open\n- [x] done\n- [-] cancelled\n- [?] a question\n- [!] important\n- [/] half\n"

# For each task item: its text, whether its box is checked, its line decoration, and the
# badge's shown character, visibility and background.
STYLES = """[...document.querySelectorAll('article li.task-list-item')].map(li => {
  const badge = li.querySelector('.kb-task');
  const shown = badge && getComputedStyle(badge);
  return {text: li.textContent.trim(), checked: li.querySelector('input').checked,
          line: getComputedStyle(li).textDecorationLine,
          badge: badge ? badge.textContent : null,
          visible: shown ? shown.display !== 'none' && badge.offsetWidth > 0 : false,
          background: shown ? shown.backgroundColor : null};
})"""


def test_other_task_markers_are_done_tasks_that_show_their_character(build_vault):
    _, site = build_vault({"Tasks.md": "# 할 일\n\n" + TASKS})
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with playwright_api.sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            browser = Browser(chromium.new_page(),
                              f"http://127.0.0.1:{server.server_address[1]}/")
            browser.open("Tasks/")
            items = {item["text"].split()[-1]: item for item in browser.page.evaluate(STYLES)}
            chromium.close()
    finally:
        server.shutdown()
    assert set(items) == {"open", "done", "cancelled", "question", "important", "half"}
    assert not items["open"]["checked"]
    assert all(items[name]["checked"] for name in items if name != "open")
    assert items["cancelled"]["line"] == "line-through"
    assert all(items[name]["line"] == "none" for name in items if name != "cancelled")
    assert items["open"]["badge"] is items["done"]["badge"] is None
    assert not items["cancelled"]["visible"]  # the strike says it
    marked = [items[name] for name in ("question", "important", "half")]
    assert [m["badge"] for m in marked] == ["?", "!", "/"]
    assert all(m["visible"] for m in marked)
    assert len({m["background"] for m in marked}) == 3  # told apart at a glance
    assert browser.errors == [] and browser.foreign == []
