"""`kb serve`: a live preview that follows the vault. Each test starts the real server and
watcher on a free port over a project in a temporary folder, edits files and polls the pages
over HTTP until they change (bounded waits, no timing asserts)."""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from bs4 import BeautifulSoup

from compiler.build import build_site, prepare_stage
from compiler.config import load_settings
from compiler.livereload import ENDPOINT, Changes, inject, make_server
from compiler.render import Stage
from compiler.search_index import INDEX_PATH
from compiler.serve import Preview, Rebuild, Watcher, stage_changes, with_problem_boxes
from tests.conftest import PROJECT, project_settings, tree_digest, write_vault

WAIT = 90.0  # seconds: an upper bound for a machine shared by many builds, never an expectation

pytestmark = pytest.mark.slow


def wait_until(condition: Callable[[], object], what: str, timeout: float = WAIT) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.1)


@dataclass
class Served:
    root: Path  # the project folder (mkdocs.yml, vault/)
    vault: Path
    url: str
    preview: Preview
    rebuilds: list[Rebuild]

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + quote(path, safe="/?=&"), timeout=30) as reply:
                return reply.status, reply.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def page(self, note: str) -> BeautifulSoup | None:
        status, text = self.get(note + "/")
        return BeautifulSoup(text, "html.parser") if status == 200 else None

    def write(self, rel: str, text: str) -> None:
        write_vault(self.vault, {rel: text})

    def backlinks(self, note: str) -> list[str] | None:
        soup = self.page(note)
        if soup is None:
            return None
        return [a.get_text() for a in soup.select(".kb-backlinks > ul > li > a")]

    def wait_for_page(self, note: str, check: Callable[[BeautifulSoup], bool], what: str
                      ) -> BeautifulSoup:
        return wait_until(lambda: (s := self.page(note)) is not None and check(s) and s, what)


def serve_project(tmp: Path, files: dict[str, str]) -> Iterator[Served]:
    root = tmp / "project"
    root.mkdir()
    shutil.copy2(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    vault = write_vault(root / "vault", files)
    preview = Preview(load_settings(root), "vault/")
    first = preview.rebuild()
    assert first.error is None, first.error
    server = make_server(preview.site_dir, preview.changes, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rebuilds: list[Rebuild] = []
    watcher = Watcher(preview, rebuilds.append)
    watcher.start()
    try:
        yield Served(root, vault, f"http://127.0.0.1:{server.server_address[1]}/", preview, rebuilds)
    finally:
        server.shutdown()
        server.server_close()
        watcher.stop()
        preview.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    yield from serve_project(tmp_path, {
        "Alpha.md": "# Alpha\n\nThe first note.\n",
        "Beta.md": "# Beta\n\nBeta points at [[Alpha]].\n\n```dataview\nLIST FROM \"folder\"\n```\n",
        "folder/Gamma.md": "# Gamma\n\nA note in a folder, about gradients.\n",
    })


def test_an_edit_shows_on_its_page_and_only_the_pages_it_affects_are_rebuilt(served):
    assert "The first note." in served.page("Alpha").get_text()
    assert [a.get_text() for a in served.page("Beta").select(".kb-dataview a")] == ["Gamma"]
    evaluated = served.preview.query_cache.evaluated
    served.write("folder/Gamma.md", "# Gamma\n\nA note in a folder, about 역전파 now.\n")
    served.wait_for_page("folder/Gamma", lambda s: "역전파 now" in s.get_text(), "the edit")
    wait_until(lambda: any(r.changed_notes for r in served.rebuilds), "the rebuild's report")
    # Beta's query lists Gamma but read nothing the edit changed: it did not run, its page stays.
    assert all(r.error is None for r in served.rebuilds)
    assert {n for r in served.rebuilds for n in r.changed_notes} == {"folder/Gamma.md"}
    assert served.preview.query_cache.evaluated == evaluated


def test_backlinks_follow_notes_added_renamed_and_deleted(served):
    assert served.backlinks("Alpha") == ["Beta"]
    served.write("Delta.md", "# Delta\n\nDelta also points at [[Alpha]].\n")
    wait_until(lambda: served.backlinks("Alpha") == ["Beta", "Delta"], "a new note's backlink")
    assert served.page("Delta") is not None

    (served.vault / "Delta.md").rename(served.vault / "folder" / "Epsilon.md")
    wait_until(lambda: served.backlinks("Alpha") == ["Beta", "Epsilon"], "the renamed note's backlink")
    wait_until(lambda: served.page("Delta") is None, "the old page to go")
    # MkDocs writes pages one by one: Alpha's may be served before Epsilon's is written.
    epsilon = wait_until(lambda: served.page("folder/Epsilon"), "the renamed note's page")
    assert "Epsilon" in epsilon.title.get_text()

    (served.vault / "folder" / "Epsilon.md").unlink()
    wait_until(lambda: served.backlinks("Alpha") == ["Beta"], "the deleted note's backlink to go")
    assert served.page("folder/Epsilon") is None


def test_a_link_to_a_note_that_appears_later_starts_working(served):
    served.write("Beta.md", "# Beta\n\nBeta points at [[Alpha]] and [[Zeta]].\n")
    beta = served.wait_for_page("Beta", lambda s: s.select_one(".kb-unresolved") is not None,
                                "the unresolved link")
    assert beta.select_one(".kb-unresolved").get_text() == "Zeta"
    served.write("Zeta.md", "# Zeta\n")
    beta = served.wait_for_page("Beta", lambda s: s.select_one(".kb-unresolved") is None,
                                "the link to resolve")
    assert any(a.get_text() == "Zeta" for a in beta.select("article a"))


def test_a_note_with_broken_yaml_shows_the_error_on_its_page_until_it_is_fixed(served):
    served.write("Alpha.md", "---\ntags: [unclosed\n---\n# Alpha\n\nThe first note.\n")
    alpha = served.wait_for_page("Alpha", lambda s: s.select_one(".kb-serve-problems.failure"),
                                 "the error box")
    box = alpha.select_one(".kb-serve-problems.failure").get_text()
    assert "vault/Alpha.md:" in box and "invalid-front-matter" in box
    line_col = box.split("vault/Alpha.md:", 1)[1].split(":")[:2]
    assert all(part.isdigit() and int(part) > 0 for part in line_col)
    assert served.page("Beta") is not None  # the server goes on
    served.write("Alpha.md", "---\ntags: [fixed]\n---\n# Alpha\n\nThe first note.\n")
    served.wait_for_page("Alpha", lambda s: s.select_one(".kb-serve-problems") is None,
                         "the error box to go")


def test_the_search_index_stays_complete_after_incremental_rebuilds(served):
    served.write("Beta.md", "# Beta\n\nBeta points at [[Alpha]]. 몬테카를로 샘플링.\n")
    served.wait_for_page("Beta", lambda s: "몬테카를로" in s.get_text(), "the edit")
    served.write("Omega.md", "# Omega\n\nA new note about Lagrangians.\n")
    served.wait_for_page("Omega", lambda s: True, "the new note")

    def index_pages() -> set[str]:
        _, text = served.get("search/search_index.json")
        return {d["location"].split("#")[0] for d in json.loads(text)["docs"]}
    # The index is rewritten once MkDocs has written the pages, before open pages reload.
    wait_until(lambda: "Omega/" in index_pages(), "the new note in the search index")
    _, text = served.get("search/search_index.json")
    docs = json.loads(text)["docs"]
    pages = {d["location"].split("#")[0] for d in docs}
    assert pages == {"", "Alpha/", "Beta/", "folder/Gamma/", "Omega/", "graph/"}  # + the graph page
    assert any("몬테카를로" in d["text"] for d in docs if d["location"].startswith("Beta/"))
    assert any("Lagrangians" in d["text"] for d in docs)
    assert any("gradients" in d["text"] for d in docs)  # a page not rebuilt keeps its entries


def html_pages(site: Path) -> dict[str, str]:
    """Every page of a site as its HTML text, but the build report (whose timings the
    preview leaves out, so that a rebuild does not change it each time)."""
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
            for p in site.rglob("*.html") if not p.relative_to(site).as_posix().startswith("_kb/report/")}


def test_serve_publishes_the_pages_and_search_index_that_build_publishes(tmp_path):
    """One publishing path: after its first build and after partial rebuilds, the preview
    holds the very pages (HTML text) and search index `kb build` publishes for the vault,
    with Korean words inside compounds, aliases and names, and no page or entry of a note
    that was renamed or deleted."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    vault = write_vault(root / "vault", {
        "적분.md": "---\naliases: [Integral]\n---\n# 적분\n\n넓이를 구한다.\n",
        "몬테카를로.md": "# 몬테카를로\n\n몬테카를로적분은 [[적분]]을 표본으로 어림한다.\n",
        "삭제될 노트.md": "# 삭제될 노트\n\n사라질 고유어휘.\n",
        "옛 이름.md": "# 옛 이름\n\n이름이 바뀔 노트, 가능도를 말한다.\n",
    })
    preview = Preview(load_settings(root), "vault/")

    def served_index() -> dict:
        result = preview.rebuild()
        assert result.error is None, result.error
        return json.loads((preview.site_dir / INDEX_PATH).read_text(encoding="utf-8"))

    site = tmp_path / "built"

    def built_index() -> dict:
        build_site(load_settings(root), site)
        return json.loads((site / INDEX_PATH).read_text(encoding="utf-8"))

    try:
        first = served_index()
        assert first == built_index()
        served_pages = html_pages(preview.site_dir)
        assert "적분/index.html" in served_pages and served_pages == html_pages(site)
        assert any("카를로적분은" in d.get("text_parts", "").split() for d in first["docs"])
        write_vault(vault, {"적분.md": "---\naliases: [Integral, 정적분]\n---\n# 적분\n\n넓이.\n"})
        served_index()
        (vault / "삭제될 노트.md").unlink()
        (vault / "옛 이름.md").rename(vault / "새 이름.md")
        served = served_index()
    finally:
        preview.close()
    assert served == built_index()
    served_pages = html_pages(preview.site_dir)
    assert "새 이름/index.html" in served_pages and served_pages == html_pages(site)
    assert "고유어휘" not in json.dumps(served, ensure_ascii=False)
    pages = {unquote(d["location"]).split("#")[0] for d in served["docs"]}
    assert "새 이름/" in pages and "옛 이름/" not in pages and "삭제될 노트/" not in pages
    integral = next(d for d in served["docs"] if d["title"] == "적분")
    assert integral["aliases"].split()[:2] == ["Integral", "정적분"]


def test_pages_left_by_an_earlier_preview_are_neither_served_nor_searched(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    write_vault(root / "vault", {"A.md": "# A\n\n글.\n"})
    preview = Preview(load_settings(root), "vault/")
    gone = preview.site_dir / "Gone" / "index.html"  # a note deleted while no preview ran
    gone.parent.mkdir(parents=True)
    gone.write_text('<html><article><h1 id="g">Gone</h1><p>옛 글</p></article></html>',
                    encoding="utf-8")
    try:
        assert preview.rebuild().error is None
    finally:
        preview.close()
    assert not gone.exists()
    assert "옛 글" not in (preview.site_dir / INDEX_PATH).read_text(encoding="utf-8")


def test_a_failed_rebuild_keeps_the_last_good_site_and_says_why(served):
    config = served.root / "mkdocs.yml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good.replace("name: material", "name: no-such-theme"), encoding="utf-8")
    _, state = wait_until(lambda: (s := json.loads(served.get(ENDPOINT + "?generation=-1")[1]))
                          ["error"] and (True, s), "the failed rebuild")
    assert "no-such-theme" in state["error"] or "theme" in state["error"].lower()
    assert "The first note." in served.page("Alpha").get_text()
    config.write_text(good, encoding="utf-8")
    wait_until(lambda: json.loads(served.get(ENDPOINT + "?generation=-1")[1])["error"] is None,
               "the error to clear")
    served.write("Alpha.md", "# Alpha\n\nEdited after the repair.\n")
    served.wait_for_page("Alpha", lambda s: "Edited after the repair." in s.get_text(), "the edit")


def test_pages_carry_the_reload_script_and_the_endpoint_answers_when_a_rebuild_ends(served):
    _, text = served.get("Alpha/")
    assert 'id="kb-livereload"' in text and ENDPOINT in text
    state = json.loads(served.get(ENDPOINT + "?generation=-1")[1])
    answer: list[dict] = []
    waiting = threading.Thread(target=lambda: answer.append(json.loads(served.get(
        f"{ENDPOINT}?generation={state['generation']}")[1])))
    waiting.start()
    served.write("Alpha.md", "# Alpha\n\nChanged.\n")
    waiting.join(WAIT)
    assert answer and answer[0]["version"] > state["version"]


def test_the_vault_is_never_written(tmp_path):
    files = {"A.md": "# A\n\n[[B]]\n", "B.md": "---\nbad: [\n---\n# B\n"}
    gen = serve_project(tmp_path, files)
    served = next(gen)
    before = tree_digest(served.vault)
    served.write("C.md", "# C\n\n[[A]]\n")
    served.wait_for_page("C", lambda s: True, "the new note")
    assert tree_digest(served.vault) == {**before, "C.md": tree_digest(served.vault)["C.md"]}
    gen.close()


def test_incremental_pages_are_the_pages_a_full_build_makes(served, tmp_path):
    served.write("Beta.md", "# Beta\n\nBeta points at [[Alpha#Alpha]] and [[Theta]].\n")
    served.write("Theta.md", "# Theta\n\n[[Beta]]\n")
    served.wait_for_page("Beta", lambda s: served.page("Theta") is not None and any(
        a.get_text() == "Theta" for a in s.select("article a")), "the edits")
    incremental = {p.relative_to(served.preview.site_dir).as_posix(): p.read_text(encoding="utf-8")
                   for p in served.preview.site_dir.rglob("*.html")}
    served.preview.close()  # the next rebuild starts MkDocs again: a full build
    shutil.rmtree(served.preview.site_dir)
    assert served.preview.rebuild().error is None
    full = {p.relative_to(served.preview.site_dir).as_posix(): p.read_text(encoding="utf-8")
            for p in served.preview.site_dir.rglob("*.html")}
    assert incremental.keys() == full.keys()
    for path, text in full.items():
        assert incremental[path] == text, path


def test_stage_changes_compares_pages_blobs_and_copied_files(tmp_path):
    picture = tmp_path / "p.png"
    picture.write_bytes(b"1")
    old = Stage({"a.md": "A", "b.md": "B"}, {"p.png": picture}, (), {"f.svg": b"1"})
    new = Stage({"a.md": "A", "c.md": "C"}, {"p.png": picture}, (), {"f.svg": b"2"})
    stats = {"p.png": (picture, 1, 1)}
    assert stage_changes(old, new, stats, stats) == ({"c.md", "f.svg"}, {"b.md"})
    assert stage_changes(old, old, stats, {"p.png": (picture, 1, 2)}) == ({"p.png"}, set())
    assert stage_changes(None, new, {}, {})[0] == {"a.md", "c.md", "p.png", "f.svg"}


def test_problem_boxes_go_under_the_front_matter_of_the_notes_page():
    from compiler.diagnostics import Diagnostic, Severity

    stage = Stage({"x.md": "---\ntitle: X\n---\n\n# X\n", "index.md": "home"}, {},
                  placed={"a/x.md": "x.md"})
    found = (Diagnostic("a/x.md", 3, 7, Severity.ERROR, "invalid-front-matter", "bad <yaml>"),
             Diagnostic("a/x.md", 5, 1, Severity.WARNING, "unresolved-link", "[[Y]]"))
    text = with_problem_boxes(stage, found, "vault/").pages["x.md"]
    assert text.startswith("---\ntitle: X\n---\n\n<div class=\"admonition failure kb-serve-problems\"")
    assert "vault/a/x.md:3:7: error[invalid-front-matter]: bad &lt;yaml&gt;" in text
    assert "<details class=\"warning kb-serve-problems\"" in text and text.endswith("# X\n")


def test_problem_boxes_follow_the_stages_own_page_map(tmp_path):
    # An unpublished a/index.md would take the address of a.md in a map made of every note:
    # the stage's map, made of the published ones, puts the box on a.md's page.
    vault = write_vault(tmp_path / "vault", {"a.md": "[[nowhere]]",
                                             "a/index.md": "---\npublish: false\n---\nx"})
    prepared = prepare_stage(project_settings(tmp_path, vault), use_cache=False)
    assert prepared.stage.placed == {"a.md": "a.md"}
    text = with_problem_boxes(prepared.stage, prepared.diagnostics, "vault/").pages["a.md"]
    assert "unresolved-link" in text


def test_inject_puts_the_script_before_the_body_ends():
    page = inject(b"<html><body><p>x</p></body></html>", Changes().state)
    assert page.index(b"kb-livereload") < page.index(b"</body>")
