"""The publish engines (`kb.engine`): one small vault built by MkDocs (the default),
ProperDocs and Zensical passes the same site check, with the same pages, the outline
extension's table of contents, kb's assets and the security policy in every page; what an
engine cannot do is a warning when the site asks for it."""

from __future__ import annotations

import dataclasses
import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from compiler import engines
from compiler.build import build_site
from compiler.config import load_settings
from compiler.diagnostics import ConfigError
from compiler.engines.zensical_live import _Loader, zensical_config
from compiler.sitecheck import check_site
from tests.conftest import project_settings, write_vault

VAULT = {
    "Index.md": "# 홈\n\n[[역전파]]와 [[Softmax]]를 보세요.\n",
    "역전파.md": "# 역전파\n\n## 연쇄 법칙\n\n미분을 곱한다.\n\n### 국소 기울기\n\n> [!tip] 요령\n"
                 "> 뒤에서부터.\n\n```mermaid\ngraph LR\n  a --> b\n```\n",
    "개념/Softmax.md": "---\naliases: [소프트맥스]\n---\n# Softmax\n\n확률로 바꾼다. [[역전파#연쇄 법칙]]\n\n"
                       "몬테카를로적분으로 기대값을 어림한다.\n",
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """The vault built once by each engine: {engine: (result, site)}."""
    built = {}
    for name in engines.ENGINES:
        tmp = tmp_path_factory.mktemp(f"engine-{name}")
        vault = write_vault(tmp / "vault", VAULT)
        settings = dataclasses.replace(project_settings(tmp, vault), engine=name)
        built[name] = (build_site(settings, tmp / "site"), tmp / "site")
    return built


def pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("index.html")}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["properdocs", "zensical"])
def test_each_engine_builds_the_same_site(sites: dict, name: str) -> None:
    result, site = sites[name]
    assert not [d for d in result.diagnostics if d.severity.name == "ERROR"]
    assert not [d for d in result.diagnostics if d.code == "broken-reference"]
    assert check_site(site) == []
    assert pages(site) == pages(sites["mkdocs"][1])
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        policies = soup.select('meta[http-equiv="Content-Security-Policy"]')
        assert len(policies) == 1, page
        assert policies[0] in soup.head.find_all(True, recursive=False)[:2], page  # before scripts
    soup = BeautifulSoup((site / "역전파" / "index.html").read_text(encoding="utf-8"), "html.parser")
    # compiler.outline: the note's headings, nested, with readable Korean ids
    toc = [a["href"] for a in soup.select("div.md-sidebar--secondary nav.md-nav--secondary a")]
    assert toc[:2] == ["#연쇄-법칙", "#국소-기울기"]
    assert soup.select_one("pre.mermaid") is not None
    assert soup.select_one("details, div.admonition.tip") is not None
    assert soup.select_one('link[href$="_kb/kb.css"]') is not None


@pytest.mark.slow
def test_engines_search_indexes(sites: dict) -> None:
    """ProperDocs' Material reads kb's Korean index; Zensical writes its own, and says so."""
    assert "소프트맥스" in (sites["properdocs"][1] / "search" / "search_index.json").read_text(
        encoding="utf-8")
    result, site = sites["zensical"]
    assert (site / "search.json").is_file()
    assert [d.code for d in result.diagnostics if d.code == "engine-limit"] == ["engine-limit"]
    assert not [d for d in sites["properdocs"][0].diagnostics if d.code == "engine-limit"]


def test_limits_are_warnings_only_when_asked_for(tmp_path: Path) -> None:
    zensical, config = engines.engine_named("zensical"), tmp_path / "mkdocs.yml"
    assert engines.limit_diagnostics(zensical, config, "en", None) == []
    found = engines.limit_diagnostics(zensical, config, "ko", "https://example.org/")
    assert [d.code for d in found] == ["engine-limit", "engine-limit"]
    assert "Korean" in found[0].message and "link previews" in found[1].message
    assert engines.limit_diagnostics(engines.engine_named("mkdocs"), config, "ko", "https://x/") == []


def test_a_missing_engine_says_how_to_install_it() -> None:
    absent = engines.Engine("x", "X", "compiler.x", "no_such_package_for_kb", "pip install x")
    assert engines.missing(absent) == "the publish engine X is not installed: pip install x"
    assert engines.missing(engines.engine_named("mkdocs")) is None


def test_engine_setting(tmp_path: Path) -> None:
    (tmp_path / "vault").mkdir()
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nkb:\n  engine: zensical\n", encoding="utf-8")
    assert load_settings(tmp_path).engine == "zensical"
    config.write_text("site_name: x\n", encoding="utf-8")
    assert load_settings(tmp_path).engine == "mkdocs"
    config.write_text("site_name: x\nkb:\n  engine: hugo\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path)
    assert (error.value.diagnostic.line, error.value.diagnostic.code) == (3, "config-type")
    assert "mkdocs, properdocs, zensical" in error.value.diagnostic.message


def test_zensical_config_keeps_the_users_settings_and_adds_what_pages_need() -> None:
    user = yaml.load(
        "site_name: 노트\ntheme: {name: material, variant: modern}\n"
        "markdown_extensions:\n  - toc:\n      slugify: !!python/object/apply:pymdownx.slugs.slugify"
        " {kwds: {case: lower}}\n  - pymdownx.superfences\n  - abbr\n"
        "extra_css: [mine.css]\nnot_in_nav: |\n  drafts/\n", Loader=_Loader)
    config = zensical_config(user, {"language": "ko"}, "stage", "out", ["/People/*.md"],
                             ["_kb/kb.css"], ["_kb/preview.js"])
    extensions = {next(iter(e)): next(iter(e.values())) for e in config["markdown_extensions"]}
    assert extensions["toc"]["slugify"] == {"object": "pymdownx.slugs.slugify",
                                            "kwds": {"case": "lower"}}
    assert extensions["toc"]["permalink"] is True
    assert {"abbr", "compiler.outline", "compiler.offline", "footnotes"} <= extensions.keys()
    assert extensions["pymdownx.superfences"]["custom_fences"][0]["name"] == "mermaid"
    assert config["theme"]["variant"] == "modern"  # the user's choice stays
    assert config["theme"]["language"] == "ko" and "navigation.prune" in config["theme"]["features"]
    assert (config["docs_dir"], config["site_dir"]) == ("stage", "out")
    assert config["extra_css"] == ["mine.css", "_kb/kb.css"]
    assert config["not_in_nav"].splitlines() == ["/_kb/", "/People/*.md", "drafts/"]


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed")
def test_zensical_site_in_the_browser(sites: dict) -> None:
    """Every page loads under kb's policy with no error and no request to another host, and
    Zensical's own search finds Korean words from their start (not inside, not by alias)."""
    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, Browser, _QuietHandler

    playwright = pytest.importorskip("playwright.sync_api")
    site = sites["zensical"][1]
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with playwright.sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            browser = Browser(chromium.new_page(), f"http://127.0.0.1:{server.server_address[1]}/")
            for page in sorted(pages(site)):
                browser.open(page.removesuffix("index.html"))
                assert browser.page.locator("article h1").count() > 0, page
            browser.page.keyboard.press("/")
            box = browser.page.get_by_role("combobox")
            found = {}
            for query in ("연쇄", "몬테카를로", "적분", "소프트맥스"):
                box.fill(query)
                browser.page.wait_for_timeout(1000)
                found[query] = browser.page.locator(f"[id='{box.get_attribute('aria-controls')}']"
                                                    ).inner_text()
            chromium.close()
    finally:
        server.shutdown()
    assert browser.errors == [] and browser.foreign == []
    assert "연쇄 법칙" in found["연쇄"] and "Softmax" in found["몬테카를로"]
    assert "Softmax" not in found["적분"] and "Softmax" not in found["소프트맥스"]  # engine-limit


def test_build_engine_option_overrides_the_setting(tmp_path: Path, monkeypatch) -> None:
    from compiler import cli

    (tmp_path / "vault").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nkb:\n  engine: properdocs\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    parser = cli.make_parser()
    assert cli._settings(cli.parse(parser, ["build"])).engine == "properdocs"
    assert cli._settings(cli.parse(parser, ["build", "--engine", "zensical"])).engine == "zensical"
    with pytest.raises(SystemExit):
        cli.parse(parser, ["build", "--engine", "hugo"])
