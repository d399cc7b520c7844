"""The conformance suite: each Obsidian syntax form, as the reader of the built page sees it.

Every `tests/conformance/*.yaml` file (one per syntax form) is a list of cases:

    - name: callout-foldable-closed          # unique across all files: [a-z0-9-]+
      files:                                 # the case's vault: path -> text (`!!binary` for bytes)
        Note.md: |
          > [!tip]- 제목
          > body
      page: Note.md                          # whose page is checked (default: the first .md file;
                                             # or a generated page: tags.md)
      html: ['<details class="tip"']         # fragments that must appear in the page's article
      absent: ['[!tip]']                     # fragments that must not appear there
      diagnostics: []                        # 'path:line:col: code', the exact set (omit: unchecked)
      toc: ['제목', '  안쪽']                  # the page's table of contents as Material shows it:
                                             # each entry's text, two more spaces per nesting
                                             # level, the exact list (omit: unchecked)

Each case is compiled on its own by the real pipeline (scan -> ... -> render, blocks run), its
staged pages go into a folder of its own in a docs dir shared with the next cases (SITE_CASES
of them), and the real MkDocs builds each such dir once with the repository's mkdocs.yml. Every
case must also build whole: no MkDocs warning and no site-check problem on its pages, and every
link of its article stays inside its own folder.

Comparison: the article (`article.md-content__inner`) is serialised by BeautifulSoup (entities
decoded except `&`, `<`, `>`; attributes in double quotes), then every whitespace run becomes
one space and a space between two tags (`> <`) is dropped. Fragments are normalised the same way.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from compiler.build import Prepared, prepare_stage
from compiler.diagnostics import Diagnostic
from compiler.publish import run_mkdocs, write_stage
from compiler.render import HOME, Stage, page_address
from compiler.site_assets import SITE_ASSETS
from compiler.sitecheck import check_site
from compiler.tagindex import TAGS_PAGE
from tests.conftest import project_settings, write_vault

CASES_DIR = Path(__file__).parent / "conformance"
_CASE_KEYS = {"name", "files", "page", "html", "absent", "diagnostics", "toc"}
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
GENERATED_PAGES = {TAGS_PAGE}  # pages the compiler adds, which a case may check too
# Cases per built site. Every page carries the site's whole navigation, so one site of all the
# cases costs MkDocs, the site check and each test's parse time in the square of their number.
SITE_CASES = 40

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, str | bytes]
    page: str
    html: tuple[str, ...]
    absent: tuple[str, ...]
    diagnostics: frozenset[str] | None  # None: not checked
    toc: tuple[str, ...] | None  # None: not checked


def load_cases(folder: Path = CASES_DIR) -> list[Case]:
    cases: dict[str, Case] = {}
    for file in sorted(folder.glob("*.yaml")):
        for entry in yaml.safe_load(file.read_text(encoding="utf-8")) or []:
            where = f"{file.name}: case {entry.get('name')!r}"
            assert set(entry) <= _CASE_KEYS, f"{where}: unknown keys {set(entry) - _CASE_KEYS}"
            assert _NAME.fullmatch(entry["name"]), f"{where}: names are [a-z0-9-]+"
            assert entry["name"] not in cases, f"{where}: the name is taken"
            files = entry["files"]
            page = entry.get("page") or next(p for p in files if p.endswith(".md"))
            assert page in files or page in GENERATED_PAGES, (
                f"{where}: page {page!r} is neither one of its files nor a generated page")
            expected = entry.get("diagnostics")
            cases[entry["name"]] = Case(
                entry["name"], files, page, tuple(entry.get("html", ())),
                tuple(entry.get("absent", ())),
                None if expected is None else frozenset(expected),
                None if entry.get("toc") is None else tuple(entry["toc"]))
    return list(cases.values())


CASES = load_cases()


def diagnostic_key(diagnostic: Diagnostic) -> str:
    return f"{diagnostic.path}:{diagnostic.line}:{diagnostic.col}: {diagnostic.code}"


def normalise(html: str) -> str:
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


@dataclass(frozen=True)
class BuiltCase:
    rendering: Prepared
    site: Path
    page: Path  # the checked page's built HTML
    problems: tuple[str, ...]  # MkDocs warnings and site-check problems on the case's pages


def _merge(stages: dict[str, Stage]) -> Stage:
    """One docs dir: each case's stage under its own folder, the site assets once at the root."""
    shared = {asset.staged_path for asset in SITE_ASSETS}
    index = "\n".join(f"- [{name}]({name}/index.md)" for name in stages)
    pages = {HOME: f"# Conformance cases\n\n{index}\n"}
    files = {asset.staged_path: asset.source for asset in SITE_ASSETS}
    blobs = {}
    for name, stage in stages.items():
        pages.update({f"{name}/{rel}": text for rel, text in stage.pages.items()})
        files.update({f"{name}/{rel}": src for rel, src in stage.files.items() if rel not in shared})
        blobs.update({f"{name}/{rel}": data for rel, data in stage.blobs.items()})
    return Stage(pages, files, (), blobs)


@pytest.fixture(scope="session")
def conformance_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                     ) -> dict[str, BuiltCase]:
    tmp = tmp_path_factory.mktemp("conformance")
    selected = {item.callspec.params["case"].name for item in request.session.items
                if getattr(item, "originalname", "") == "test_conformance"}  # `-k` picks a few
    renderings, stages, staged_page = {}, {}, {}
    for case in (c for c in CASES if c.name in selected):
        vault = write_vault(tmp / "vaults" / case.name, case.files)
        settings = project_settings(tmp, vault)  # one block cache for all the cases
        rendering = prepare_stage(settings, use_cache=False)
        renderings[case.name], stages[case.name] = rendering, rendering.stage
        pages = rendering.stage.placed
        staged_page[case.name] = pages.get(unicodedata.normalize("NFC", case.page), case.page)
    built = {}
    names = list(renderings)
    for start in range(0, len(names), SITE_CASES):
        group = {name: stages[name] for name in names[start:start + SITE_CASES]}
        docs, site = tmp / f"docs-{start}", tmp / f"site-{start}"
        write_stage(_merge(group), docs)
        published = run_mkdocs(project_settings(tmp, tmp / "vaults"), docs, site)
        problems = [f"{d.path}: {d.message}" for d in published] + check_site(site)
        for name in group:
            address = page_address(f"{name}/{staged_page[name]}")
            built[name] = BuiltCase(renderings[name], site, site / address / "index.html",
                                    tuple(p for p in problems if p.startswith(f"{name}/")))
    return built


def _article(page: Path) -> BeautifulSoup:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one(
        "article.md-content__inner")


def _toc(page: Path) -> list[str]:
    """The entries of the page's table of contents (the right sidebar's)."""
    nav = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one(
        "div.md-sidebar--secondary nav.md-nav--secondary")

    def entries(items, depth: int) -> list[str]:
        return [line for item in items.find_all("li", recursive=False)
                for line in ["  " * depth + normalise(item.a.get_text(" ")),
                             *(entries(item.ul, depth + 1) if item.ul else [])]]

    return entries(nav.ul, 0) if nav and nav.ul else []


def _leaves_its_folder(page: Path, site: Path, case: str, ref: str) -> bool:
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or not parts.path:
        return False
    folder = posixpath.dirname(page.relative_to(site).as_posix())
    target = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
    return not target.startswith(f"{case}/")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_conformance(case: Case, conformance_site: dict[str, BuiltCase]) -> None:
    built = conformance_site[case.name]
    article = _article(built.page)
    shown = normalise(str(article))
    missing = [f for f in case.html if normalise(f) not in shown]
    present = [f for f in case.absent if normalise(f) in shown]
    assert not missing and not present, (
        f"missing {missing}, present {present} in the article:\n{shown}")
    assert built.problems == ()
    outside = [ref for tag in article.find_all(href=True) + article.find_all(src=True)
               for ref in (tag.get("href") or tag.get("src"),)
               if _leaves_its_folder(built.page, built.site, case.name, ref)]
    assert outside == []
    if case.diagnostics is not None:
        # Which limits bound the blocks is a fact of the machine, said once per build.
        found = {diagnostic_key(d) for d in built.rendering.diagnostics if d.code != "block-limits"}
        assert found == case.diagnostics, "\n".join(
            d.format() for d in built.rendering.diagnostics)
    if case.toc is not None:
        assert _toc(built.page) == list(case.toc)
