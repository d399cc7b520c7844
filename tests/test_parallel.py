"""Pages, site check and search index built by several processes give what one process gives,
byte for byte (issue 18, item 2). The machine may have one core: the tests say there are four
(`compiler.workers.cores`), so the worker path runs wherever they run, and check it did."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from compiler import mkdocs_live, page_workers, workers
from compiler.config import load_settings
from compiler.mkdocs_runner import load
from compiler.search_index import search_index
from compiler.sitecheck import check_site
from tests.conftest import PROJECT, tree_digest

PAGES = 40  # two workers at compiler.workers.MIN_PAGES_PER_WORKER pages each


def _docs(root: Path) -> Path:
    """A staged folder: pages titled by front matter, by their first heading and by their
    name, in folders; links between them, one to a missing page and one to a missing anchor
    (warnings, one from the conversion and one from the link validation), and a figure."""
    docs = root / "docs"
    for number in range(PAGES):
        folder = docs / f"part {number % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        head = (f"---\ntitle: 노트 {number}\n---\n\n" if number % 3 == 0
                else f"# Heading {number}\n\n" if number % 3 == 1 else "")
        after = f"../part {(number + 1) % 3}/note-{number + 1}.md"
        (folder / f"note-{number}.md").write_text(
            f"{head}Text of {number} with a [link]({after}) and **bold**.\n\n"
            f"## Section {number}\n\n- a list\n- of two\n", encoding="utf-8")
    (docs / "index.md").write_text("# Home\n\n[gone](missing.md) [anchor](part%200/note-0.md#nowhere)\n"
                                   "\n![figure](figure.svg)\n", encoding="utf-8")
    (docs / "figure.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    return docs


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def four_cores(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Pretend to have four cores, and record how many page workers each update started."""
    monkeypatch.setattr(workers, "cores", lambda: 4)
    started: list[int] = []
    real = page_workers.PageWorkers.__init__

    def spy(self, job, count):
        started.append(count)
        real(self, job, count)

    monkeypatch.setattr(page_workers.PageWorkers, "__init__", spy)
    return started


def _site(docs: Path, site: Path, count: int) -> mkdocs_live.LiveSite:
    lines = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("kb:"))
    config = load(PROJECT / "mkdocs.yml", str(docs), str(site), start, len(lines),
                  {"site_name": "Parallel"})
    return mkdocs_live.LiveSite(config, count)


def _updates(docs: Path, site: Path, count: int, stream: bool) -> tuple[list, list[str]]:
    """A full build, then (served) a page added, as kb serve sends it: replies and warnings."""
    caught = _Warnings()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(caught)
    try:
        live = _site(docs, site, count)
        replies = [live.update(set(), set(), full=True, stream=stream)]
        if not stream:
            added = docs / "part 1" / "added.md"
            added.write_text("# Added\n\n[back](../index.md)\n", encoding="utf-8")
            try:
                replies.append(live.update({"part 1/added.md"}, set()))
            finally:
                added.unlink()
        return replies, caught.messages
    finally:
        logger.removeHandler(caught)


@pytest.mark.parametrize("stream", [True, False], ids=["build", "serve"])
def test_pages_built_by_workers_are_the_single_process_pages_byte_for_byte(
        tmp_path, four_cores, stream):
    docs = _docs(tmp_path)
    one, one_warnings = _updates(docs, tmp_path / "one", 1, stream)
    assert four_cores == []
    many, many_warnings = _updates(docs, tmp_path / "many", 0, stream)
    assert four_cores and all(count == 2 for count in four_cores)
    assert many == one
    assert tree_digest(tmp_path / "many") == tree_digest(tmp_path / "one")
    assert many_warnings == one_warnings
    assert any("missing.md" in w for w in one_warnings)
    assert any("nowhere" in w for w in one_warnings)


def test_a_written_build_keeps_no_page_html_and_converts_a_kept_page_again_only_to_template_it(
        tmp_path, four_cores):
    docs = _docs(tmp_path)
    live = _site(docs, tmp_path / "site", 0)
    live.update(set(), set(), full=True, stream=True)
    assert all(vars(page).get("content") is None for page in live.pages.values())
    before = tree_digest(tmp_path / "site")
    assert live.update(set(), set(), full=False, stream=True)["rendered"] == 0  # nothing changed
    assert tree_digest(tmp_path / "site") == before
    # A page added changes every page's navigation: each kept page is converted again to be
    # templated, and the site is the one a fresh build gives.
    (docs / "part 1" / "added.md").write_text("# Added\n\n[back](../index.md)\n", encoding="utf-8")
    reply = live.update({"part 1/added.md"}, set(), full=False, stream=True)
    assert (reply["rendered"], reply["templated"], reply["structural"]) == (1, PAGES + 2, True)
    _site(docs, tmp_path / "fresh", 1).update(set(), set(), full=True, stream=True)
    assert tree_digest(tmp_path / "site") == tree_digest(tmp_path / "fresh")


def test_a_page_failing_in_a_worker_fails_the_update_as_in_one_process(tmp_path, four_cores,
                                                                     monkeypatch):
    docs = _docs(tmp_path)
    real = mkdocs_live._populate_page

    def failing(page, config, files):
        if page.file.src_uri == "part 2/note-5.md":
            raise ValueError("this page cannot be read")
        real(page, config, files)

    monkeypatch.setattr(mkdocs_live, "_populate_page", failing)
    for count in (1, 0):
        with pytest.raises(ValueError, match="this page cannot be read"):
            _site(docs, tmp_path / f"site-{count}", count).update(set(), set(), full=True)
    assert four_cores == [2]


def test_site_check_and_search_index_by_workers_are_those_of_one_process(bundled_site,
                                                                         monkeypatch):
    _, site, _, _ = bundled_site
    monkeypatch.setattr(workers, "cores", lambda: 4)
    forked: list[int] = []
    real = workers.count
    monkeypatch.setattr(workers, "count", lambda *a, **k: forked.append(n := real(*a, **k)) or n)
    assert check_site(site, workers=0) == check_site(site, workers=1)
    assert search_index(site, workers=0) == search_index(site, workers=1)
    assert max(forked) > 1


def test_workers_setting_is_read_and_checked(tmp_path):
    (tmp_path / "vault").mkdir()
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: X\nkb:\n  workers: 3\n", encoding="utf-8")
    assert load_settings(tmp_path).workers == 3
    assert load_settings(tmp_path).mkdocs_defaults()["workers"] == 3
    config.write_text("site_name: X\nkb:\n  workers: -1\n", encoding="utf-8")
    with pytest.raises(Exception, match="workers"):
        load_settings(tmp_path)


_IN_CHILD = """
import os, signal, sys
from compiler import workers

def resident_mib():
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20

before = resident_mib()
def task():
    held = [bytes(1 << 20) for _ in range(300)]  # 300 MiB, in the child only
    return os.getpid(), len(held)
child, held = workers.in_child(task)
print(child != os.getpid(), held, resident_mib() - before < 50)

def fails():
    raise ValueError("bad note")
try:
    workers.in_child(fails)
except ValueError as exc:
    print("raised", exc)

def killed():
    os.kill(os.getpid(), signal.SIGKILL)
try:
    workers.in_child(killed)
except workers.ChildLost as exc:
    print("lost", exc)
"""


def test_a_task_in_a_child_answers_raises_and_its_memory_never_reaches_the_parent():
    # As `kb build` compiles (`build.stage_for_publishing`): in a child process, whose memory
    # is gone with it; its answer or its exception comes back; a killed child is said so.
    done = subprocess.run([sys.executable, "-c", _IN_CHILD], capture_output=True, text=True,
                          cwd=PROJECT, timeout=120, check=True)
    lines = done.stdout.splitlines()
    assert lines[0] == "True 300 True"
    assert lines[1] == "raised bad note"
    assert lines[2].startswith("lost the process that compiled the vault ended with no answer")


def test_a_process_running_other_threads_runs_the_task_itself():
    # A forked child has only the forking thread: a lock or an event loop another thread
    # holds (a Dask client's) would hang it, so the task runs here instead.
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert workers.in_child(os.getpid) == os.getpid()
    finally:
        stop.set()
        other.join()
