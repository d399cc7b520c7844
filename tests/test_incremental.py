"""`kb build` writes only what changed since the published site (compiler.live_state): the
other files of the new site are hard links to the published one's, so a page kept is the same
file (inode and time) after the swap. One project is built through a sequence of edits, each
build checked for exactly the files it wrote, and then against a full build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bs4 import BeautifulSoup

from compiler.publish import BUILD_ID, SITE_MARKER
from compiler.search_index import INDEX_PATH
from tests.conftest import PROJECT, tree_digest, write_vault
from tests.test_build_e2e import run_kb

# Written by every build: kb's marker, the build's id, the search index.
ALWAYS = {SITE_MARKER, BUILD_ID, INDEX_PATH}
NOTES = {
    "A.md": "# A\n\nAlpha links [[B]] and [[C]].\n\n![[pic.png]]\n",
    "B.md": "# B\n\nBee text.\n",
    "C.md": "# C\n\nSee [[A]].\n",
    "D.md": "# D\n\nA note nobody links, linking nobody.\n",
    "pic.png": bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                             "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"),
}


def files_of(site: Path) -> dict[str, tuple[int, int]]:
    """Every file of a site with its inode and modification time."""
    found = {}
    for path in site.rglob("*"):
        if path.is_file():
            state = path.stat()
            found[path.relative_to(site).as_posix()] = (state.st_ino, state.st_mtime_ns)
    return found


def written(before: dict, after: dict) -> set[str]:
    """The files of `after` that are new or another file than in `before`."""
    return {p for p, state in after.items() if before.get(p) != state} - ALWAYS


def build(root: Path, *args: str) -> str:
    done = run_kb("build", "--quiet", *args, cwd=root)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def staged(root: Path) -> dict[str, str]:
    """The staged Markdown of the last build, by page file (a/index.html) ."""
    stage = next(p for p in (root / ".kb-cache" / "stage").iterdir() if ".pid." not in p.name)
    pages = {}
    for path in stage.rglob("*.md"):
        rel = path.relative_to(stage).with_suffix("").as_posix()
        page = "index.html" if rel == "index" else (
            rel.removesuffix("index") + "index.html" if rel.endswith("/index") else f"{rel}/index.html")
        pages[page] = path.read_text(encoding="utf-8")
    return pages


def without_build_id(site: Path) -> dict[str, str]:
    digest = tree_digest(site)
    digest.pop(BUILD_ID)
    return digest


def test_a_build_writes_only_the_pages_that_changed_and_ends_as_a_full_build_would(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    write_vault(root / "vault", NOTES)
    site = root / "site"
    build(root)
    first = files_of(site)

    # Nothing changed: no file but the index and the markers is written again.
    said = build(root)
    assert written(first, files_of(site)) == set()
    assert "(0 written, 0 converted" in said

    # A prose edit: that page alone, and an image that changed (copied anew, never written
    # through the link to the published site's file).
    before, published = files_of(site), site / "pic.png"
    kept_image = published.read_bytes()
    os.link(published, tmp_path / "old-pic.png")  # the published file, as a reader has it
    (root / "vault" / "B.md").write_text("# B\n\nBee text, edited.\n", encoding="utf-8")
    (root / "vault" / "pic.png").write_bytes(NOTES["pic.png"] + b"\0")
    build(root)
    assert written(before, files_of(site)) == {"B/index.html", "pic.png"}
    assert "edited" in (site / "B" / "index.html").read_text(encoding="utf-8")
    assert (tmp_path / "old-pic.png").read_bytes() == kept_image

    # A link edit: the pages whose staged Markdown changed (the note, the target's
    # backlinks, the local graphs that show the new edge), and not the unrelated note.
    before, stage_before = files_of(site), staged(root)
    (root / "vault" / "C.md").write_text("# C\n\nSee [[A]] and [[B]].\n", encoding="utf-8")
    build(root)
    stage_after = staged(root)
    changed = {p for p, text in stage_after.items() if stage_before.get(p) != text}
    pages = {p for p in written(before, files_of(site)) if p.endswith(".html")}
    assert pages == changed
    assert {"B/index.html", "C/index.html"} <= pages and "D/index.html" not in pages

    # A removed note: its page is gone and links to it are shown broken.
    os.unlink(root / "vault" / "B.md")
    build(root)
    assert not (site / "B").exists()
    a_page = BeautifulSoup((site / "A" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert a_page.find("a", string="B") is None and "B" in a_page.get_text()
    incremental = without_build_id(site)

    # A state that does not load means a full build: every page written again, and the
    # same site as the incremental builds made.
    states = list((root / ".kb-cache" / "publish").iterdir())
    assert states
    for state in states:
        state.write_bytes(b"\x80\x04not a pickle")
    before = files_of(site)
    assert "converted" not in build(root)
    assert {p for p in before if p.endswith(".html")} <= written(before, files_of(site))
    assert without_build_id(site) == incremental


def test_kb_build_full_asks_for_every_page():
    from compiler.cli import make_parser

    assert make_parser().parse_args(["build", "--full"]).full
    assert not make_parser().parse_args(["build"]).full
