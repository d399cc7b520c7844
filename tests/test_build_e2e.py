"""End to end: the bundled vault and small vaults through scan ... MkDocs, checked in the HTML."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import posixpath
import subprocess
import unicodedata
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from compiler import cli
from compiler.build import build_site
from compiler.publish import PublishError
from compiler.sitecheck import check_site
from tests.conftest import PROJECT, project_settings, tree_digest, write_vault

SEED = "4. Archive/AI 공부/Ai Tech 딥러닝 공부/딥러닝 기초 정리"
ACTIVATION = "4. Archive/AI 공부/Ai Tech 딥러닝 공부/활성함수"

pytestmark = pytest.mark.slow


def page(site: Path, note: str) -> BeautifulSoup:
    return BeautifulSoup((site / note / "index.html").read_text(encoding="utf-8"), "html.parser")


def content(soup: BeautifulSoup) -> BeautifulSoup:
    return soup.select_one("article.md-content__inner")


def internal_references(site: Path) -> list[tuple[Path, str]]:
    refs = []
    for html_file in site.rglob("*.html"):
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["a", "img", "link", "script"]):
            ref = tag.get("href") or tag.get("src")
            if ref and not urlsplit(ref).scheme and not ref.startswith("//"):
                refs.append((html_file, ref))
    return refs


def test_bundled_vault_builds_with_every_internal_link_and_anchor_resolving(bundled_site):
    _, site, _, _ = bundled_site
    checked = 0
    anchors: dict[Path, BeautifulSoup] = {}  # each target page parsed once, not once per link to it
    for html_file, ref in internal_references(site):
        if html_file.name == "404.html":
            continue
        parts = urlsplit(ref)
        base = posixpath.dirname(html_file.relative_to(site).as_posix())
        target = site / posixpath.normpath(posixpath.join(base, unquote(parts.path))) \
            if parts.path else html_file
        if target.is_dir():
            target = target / "index.html"
        assert target.is_file(), f"{html_file}: {ref} points at nothing"
        if parts.fragment and target.suffix == ".html":
            if target not in anchors:
                anchors[target] = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
            assert anchors[target].find(id=unquote(parts.fragment)), f"{html_file}: no anchor for {ref}"
        checked += 1
    assert checked > 500
    assert check_site(site) == []


def test_the_vault_is_byte_identical_after_a_build(bundled_site):
    _, _, before, after = bundled_site
    assert before == after and len(before) >= 25


def test_every_note_is_a_page_and_the_home_page_exists(bundled_site, bundled_compilation):
    result, site, _, _ = bundled_site
    pages = [*(PROJECT / "vault").rglob("*.md"), *(PROJECT / "vault").rglob("*.canvas")]
    assert len(bundled_compilation.resolved.notes) == len(pages) == result.report.notes
    for path in bundled_compilation.resolved.notes:
        assert (site / path.removesuffix(".md") / "index.html").is_file(), path
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "가장 많이 연결된 노트" in home.get_text()


def test_the_bundled_vault_has_no_unresolved_links(bundled_compilation):
    codes = {d.code for d in bundled_compilation.diagnostics}
    assert codes <= {"missing-attachment"}, codes


def test_a_known_page_shows_its_backlinks_with_the_sentence_around_each_link(bundled_site):
    _, site, _, _ = bundled_site
    section = content(page(site, ACTIVATION)).select_one(".kb-backlinks")
    assert section is not None
    sources = [a.get_text() for a in section.select(":scope > ul > li > a")]
    assert "딥러닝 기초 정리" in sources
    contexts = [c.get_text() for c in section.select(".kb-context")]
    assert any("씌우면" in c and "활성함수" in c for c in contexts), contexts
    assert section.select_one(".kb-context mark") is not None


def test_every_note_page_ends_with_a_backlinks_section(bundled_site, bundled_compilation):
    _, site, _, _ = bundled_site
    for path in bundled_compilation.resolved.notes:
        article = content(page(site, path.removesuffix(".md")))
        assert article.select(".kb-backlinks"), path


def test_missing_pasted_images_render_as_placeholders_naming_the_file(bundled_site):
    _, site, _, _ = bundled_site
    article = content(page(site, SEED))
    placeholders = article.select(".kb-missing-attachment")
    regenerated = article.find_all("img")
    # Each of the seed's 77 pasted-image embeds is either drawn by a block or a named placeholder.
    assert len(placeholders) + len(regenerated) == 77
    assert len(regenerated) >= 30
    assert "Pasted image 20230916172910.png" in " ".join(p.get_text() for p in placeholders)
    # The images blocks regenerate are the only <img>: none is broken, none is remote.
    assert all(img["src"].endswith(".svg") and "/_kb/figures/" in img["src"] for img in regenerated)
    alts = [img["alt"] for img in regenerated]
    assert "온도에 따른 softmax 출력" in alts
    assert "3×3 convolution, 128 → 64 채널의 파라미터 수" in alts


def test_external_images_become_links_so_the_site_requests_no_other_host(bundled_site):
    _, site, _, _ = bundled_site
    article = content(page(site, SEED))
    external = article.select("a.kb-external-image")
    assert len(external) == 4
    assert all(a["href"].startswith("https://") for a in external)


def test_korean_headings_get_readable_anchors_that_heading_links_land_on(bundled_site):
    _, site, _, _ = bundled_site
    seed = content(page(site, SEED))
    assert seed.find(id="확률론-맛보기") is not None
    assert seed.find(id="최대-가능도") is not None
    links = [a["href"] for a in BeautifulSoup(
        (site / "index.html").read_text(encoding="utf-8"), "html.parser").find_all("a", href=True)]
    links += [a["href"] for p in (site / "4. Archive").rglob("index.html")
              for a in BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").find_all("a", href=True)]
    assert any(unquote(h).endswith("#확률론-맛보기") for h in links)


def test_site_defaults_hold_offline_and_in_korean(bundled_site):
    _, site, _, _ = bundled_site
    text = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ko"' in text
    assert "fonts.googleapis" not in text and "fonts.gstatic" not in text


def small_vault_files() -> dict[str, str | bytes]:
    return {
        "index.md": "# 시작\n\n[[개념/신경망]]과 [[없는 노트]], 그리고 [[신경망#구조]].\n",
        "개념/신경망.md": "# 신경망\n\n## 구조\n\n층을 쌓는다. ![[그림.png|300]] ![[없는 그림.png]]\n",
        "개념/그림.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 16,
        "broken.md": "---\ntitle: [unclosed\n---\n# 본문은 남는다\n\n[[신경망]]\n",
        "latin1.md": b"caf" + b"\xe9 [[\xec\x8b\xa0\xea\xb2\xbd\xeb\xa7\x9d]]\n",
    }


def test_unresolved_links_are_styled_spans_not_anchors_that_404(build_vault_once):
    _, site = build_vault_once(small_vault_files())
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    unresolved = home.select(".kb-unresolved")
    assert [u.get_text() for u in unresolved] == ["없는 노트"]
    assert unresolved[0].name == "span" and unresolved[0].find_parent("a") is None
    assert home.find("a", string="신경망 > 구조")["href"].endswith("#구조")


def test_present_images_load_with_their_size_and_missing_ones_are_placeholders(build_vault_once):
    _, site = build_vault_once(small_vault_files())
    article = content(page(site, "개념/신경망"))
    image = article.find("img")
    assert image["width"] == "300" and (site / "개념" / "그림.png").is_file()
    assert "없는 그림.png" in article.select_one(".kb-missing-attachment").get_text()


def test_one_bad_note_never_stops_the_build(build_vault_once):
    result, site = build_vault_once(small_vault_files())
    by_code = {d.code: d for d in result.diagnostics}
    assert by_code["invalid-front-matter"].path == "broken.md"
    assert by_code["invalid-front-matter"].line == 2
    assert (by_code["invalid-utf8"].path, by_code["invalid-utf8"].line) == ("latin1.md", 1)
    assert "본문은 남는다" in page(site, "broken").get_text()
    assert page(site, "latin1").find("a", string="신경망") is not None


def test_a_generated_home_page_when_the_vault_has_no_index(build_vault):
    _, site = build_vault({"a.md": "[[b]]", "b.md": "# B\n"})
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.find("a", string="b") is not None
    assert "폴더" in home.get_text()


def test_nfd_file_names_are_published_under_nfc_names(build_vault):
    name = unicodedata.normalize("NFD", "역전파.md")
    _, site = build_vault({name: "# 역전파\n", "a.md": "[[역전파]]\n"})
    assert (site / "역전파" / "index.html").is_file()
    assert page(site, "a").find("a", string="역전파") is not None


def test_a_failed_build_leaves_the_previous_site_as_it_was(tmp_path):
    vault = write_vault(tmp_path / "vault", {"a.md": "# A\n"})
    site = tmp_path / "site"
    settings = project_settings(tmp_path, vault)
    build_site(settings, site)
    before = tree_digest(site)
    broken = tmp_path / "project"
    broken.mkdir()
    (broken / "mkdocs.yml").write_text("site_name: x\ntheme:\n  name: no-such-theme\n")
    bad = dataclasses.replace(settings, config_path=broken / "mkdocs.yml", project_root=broken,
                              section_lines=None)
    with pytest.raises(PublishError):
        build_site(bad, site)
    assert tree_digest(site) == before
    assert not any(p.name.startswith(".site.kb-") for p in tmp_path.iterdir())


def run_kb(*args: str, cwd: Path = PROJECT, env: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess:
    """`kb ARGS` from the folder cwd (with the environment env), in this process: the `kb`
    script is `sys.exit(cli.main())`, so its exit code and output are main's. Starting a Python
    for each would import the stages again every time; the tests about the process itself
    (Ctrl+C, what `--help` imports, builds killed or run together, the installed wheel) start one."""
    out, err = io.StringIO(), io.StringIO()
    saved_cwd, saved_env = os.getcwd(), dict(os.environ)
    try:
        os.chdir(cwd)
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main(list(args))
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(["kb", *args], code, out.getvalue(), err.getvalue())


def test_kb_check_exits_non_zero_on_errors_and_names_file_line_and_column(tmp_path):
    write_vault(tmp_path / "vault", {"a.md": "x\n\n[[../../etc/passwd]] [[없음]]\n"})
    done = run_kb("check", "--vault", str(tmp_path / "vault"))
    assert done.returncode == 1
    assert "a.md:3:1: error[link-outside-vault]" in done.stdout
    assert "a.md:3:22: warning[unresolved-link]" in done.stdout


def test_kb_check_strict_fails_on_warnings_and_json_is_machine_readable(tmp_path):
    write_vault(tmp_path / "vault", {"a.md": "[[b]]\n", "c.md": "[[a]]\n"})
    assert run_kb("check", "--vault", str(tmp_path / "vault")).returncode == 0
    assert run_kb("check", "--strict", "--vault", str(tmp_path / "vault")).returncode == 1
    report = json.loads(run_kb("check", "--format", "json", "--vault",
                               str(tmp_path / "vault")).stdout)
    assert report[0]["code"] == "unresolved-link" and report[0]["line"] == 1


def test_kb_check_runs_on_the_bundled_vault_with_no_arguments():
    done = run_kb("check")
    assert done.returncode == 0, done.stderr
    notes = len([*(PROJECT / "vault").rglob("*.md"), *(PROJECT / "vault").rglob("*.canvas")])
    assert f"checked {notes} notes: 0 errors" in done.stderr


def test_kb_build_strict_refuses_and_keeps_the_old_site(tmp_path):
    write_vault(tmp_path / "vault", {"a.md": "[[nowhere]]\n"})
    out = tmp_path / "out"
    out.mkdir()
    (out / ".kb-site").write_text("an older site kb built")
    (out / "marker").write_text("old")
    done = run_kb("build", "--strict", "--vault", str(tmp_path / "vault"), "--out", str(out))
    assert done.returncode == 1
    assert "nothing was published" in done.stderr
    assert (out / "marker").read_text() == "old"


def test_raw_html_that_loads_from_another_host_is_blocked_and_reported(build_vault):
    result, site = build_vault({
        "a.md": "글 <img src='https://example.com/x.png'> 끝\n\n<div style=\"background: "
                "url(//cdn.example/b.png)\">상자</div>\n",
    })
    codes = [d.code for d in result.diagnostics if d.path == "a.md"]
    assert codes == ["external-resource", "external-resource"]
    assert check_site(site) == []
    assert "상자" in page(site, "a").get_text()


def test_footnotes_stay_above_the_backlinks(build_vault):
    _, site = build_vault({"a.md": "본문[^1]\n\n[^1]: 각주 [[b]]\n", "b.md": "[[a]]\n"})
    article = content(page(site, "a"))
    footnotes, backlinks = article.select_one(".footnote"), article.select_one(".kb-backlinks")
    assert footnotes is not None and backlinks is not None
    assert footnotes.sourceline < backlinks.sourceline


def test_a_missing_vault_builds_nothing_and_keeps_the_site(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "marker").write_text("old")
    done = run_kb("build", "--vault", str(tmp_path / "nope"), "--out", str(out))
    assert done.returncode == 2 and "does not exist" in done.stderr  # a usage error
    assert (out / "marker").read_text() == "old"


def test_a_cache_folder_inside_the_vault_is_refused_before_anything_is_written(tmp_path):
    write_vault(tmp_path, {"a.md": "# A\n"})
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nkb:\n  vault: .\n")
    before = tree_digest(tmp_path)
    done = run_kb("check", cwd=tmp_path)
    assert done.returncode == 2 and "config-cache-in-vault" in done.stderr
    assert tree_digest(tmp_path) == before
