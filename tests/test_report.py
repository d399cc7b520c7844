"""The build report: `kb build`'s summary, a file of the cache folder, and a page of the site
linked from the home page only when `kb.publish_report` asks for it."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from compiler.build import build_site
from compiler.config import load_settings
from compiler.diagnostics import ConfigError, Diagnostic, Severity
from compiler.report import (
    BlockProgress,
    ProgressBar,
    diagnostics_text,
    format_diagnostic,
    grouped,
    use_colour,
)
from tests.conftest import project_settings, write_vault
from tests.test_build_e2e import run_kb

VAULT = {
    "a.md": "# A\n\n[[b]] [[nowhere]] ![[lost.png]] ![[drawn.png]] ![[pic.png]]\n",
    "b.md": "# B\n\n[[a]] [[c]]\n",
    "x/c.md": "# C\n",
    "y/c.md": "# C too\n",
    "pic.png": b"\x89PNG\r\n\x1a\n",
    "blocks.md": "```python exec\n#| figure: drawn.png\nimport matplotlib.pyplot as plt\n"
                 "plt.plot([0, 1], [1, 0])\n```\n\n```python exec\nprint(1)\n```\n",
}


@pytest.mark.slow
def test_the_report_counts_what_the_build_found_and_did(tmp_path):
    settings = project_settings(tmp_path, write_vault(tmp_path / "vault", VAULT))
    site = tmp_path / "site"
    result = build_site(dataclasses.replace(settings, publish_report=True), site)
    report = result.report  # counted in the process that compiled, diagnostics added after
    assert (report.notes, report.attachments, report.figures) == (5, 1, 1)
    assert report.links == 3  # pairs of notes: a -> b, b -> a, b -> one of the two c
    assert (report.unresolved, report.ambiguous) == (1, 1)
    assert report.missing_attachments == ("lost.png",)
    assert report.regenerated == ("drawn.png",)
    assert (report.blocks_executed + report.blocks_cached, report.blocks_failed) == (2, 0)
    assert {t.name for t in report.stages} >= {"scan", "parse", "execute", "render", "mkdocs"}

    page = BeautifulSoup((site / "_kb/report/index.html").read_text(encoding="utf-8"), "html.parser")
    text = page.select_one("article").get_text(" ")
    assert "unresolved-link (1)" in text and "ambiguous-link (1)" in text
    assert "vault/a.md:3:" in text or "a.md:3:" in text
    assert "lost.png" in text and "drawn.png" in text
    stages = [row.td.get_text() for row in page.select(".kb-report-stages tr")]
    assert "MkDocs" in stages and "사이트 검사" in stages  # filled in after MkDocs, in Korean
    assert all(len(row.find_all(["th", "td"])) == 2 for row in page.select(".kb-report-facts tr"))
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert [a["href"] for a in home.select(".kb-report-link a")] == ["_kb/report/"]
    assert "빌드 보고서" not in home.select_one("nav.md-nav--primary").get_text()
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    assert not any(d["location"].startswith("_kb/") for d in index["docs"])


@pytest.mark.slow
def test_kb_build_prints_the_summary_and_grouped_diagnostics_without_colour_in_a_pipe(tmp_path):
    write_vault(tmp_path / "vault", {"a.md": "[[nowhere]] [[b]]\n", "b.md": "# B\n"})
    done = run_kb("build", "--vault", str(tmp_path / "vault"), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "unresolved-link (1):\n  " in done.stderr
    assert "a.md:1:1: warning[unresolved-link]" in done.stderr
    for line in ("notes", "links", "attachments", "blocks", "diagnostics", "time"):
        assert f"\n  {line} " in "\n" + done.stdout
    assert "mkdocs " in done.stdout and "\033[" not in done.stdout + done.stderr
    assert "1 unresolved" in done.stdout
    quiet = run_kb("build", "--quiet", "--vault", str(tmp_path / "vault"), "--out",
                   str(tmp_path / "out"))
    assert "unresolved-link" not in quiet.stderr and "1 unresolved" in quiet.stdout


def test_the_report_stays_private_by_default_in_the_cache_folder_in_the_sites_language(bundled_site):
    result, site, _, _ = bundled_site
    assert not (site / "_kb/report").exists()
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert not home.select(".kb-report-link") and "_kb/report" not in str(home)
    saved = Path(result.report_file)
    assert saved.name == "build-report.html" and saved.parent.name == "cache"
    page = BeautifulSoup(saved.read_text(encoding="utf-8"), "html.parser")
    assert page.html["lang"] == "ko" and page.h1.get_text() == "빌드 보고서"
    facts = {row.th.get_text(): row.td.get_text() for row in page.select(".kb-report-facts tr")}
    assert set(facts) == {"노트", "링크", "첨부 파일", "블록", "진단"}
    assert facts["첨부 파일"].startswith("없는 파일 ")  # its own cell, not run into its label
    stages = [row.td.get_text() for row in page.select(".kb-report-stages tr")]
    assert {"링크 해석", "블록 실행", "MkDocs", "사이트 검사"} <= set(stages)
    assert "th,td{" in page.style.get_text()  # columns spaced when opened on its own


def test_publish_report_is_a_boolean_setting_off_by_default(tmp_path):
    assert load_settings(tmp_path).publish_report is False
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nkb:\n  publish_report: true\n")
    assert load_settings(tmp_path).publish_report is True
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nkb:\n  publish_report: yes please\n")
    with pytest.raises(ConfigError, match="publish_report"):
        load_settings(tmp_path)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_colour(_Terminal()) and not use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(_Terminal())


def test_diagnostics_are_grouped_by_code_errors_first_with_file_line_col():
    found = [Diagnostic("b.md", 2, 3, Severity.WARNING, "unresolved-link", "[[x]]"),
             Diagnostic("a.md", 9, 1, Severity.WARNING, "unresolved-link", "[[y]]"),
             Diagnostic("c.md", 1, 1, Severity.ERROR, "invalid-front-matter", "bad")]
    assert list(grouped(found)) == ["invalid-front-matter", "unresolved-link"]
    text = diagnostics_text(found, "vault/", colour=False)
    assert text.splitlines() == [
        "invalid-front-matter (1):", "  vault/c.md:1:1: error[invalid-front-matter]: bad",
        "unresolved-link (2):", "  vault/a.md:9:1: warning[unresolved-link]: [[y]]",
        "  vault/b.md:2:3: warning[unresolved-link]: [[x]]"]
    coloured = format_diagnostic(found[2], "vault/", colour=True)
    assert "\033[1;31merror\033[0m" in coloured and coloured.replace("\033[1m", "").replace(
        "\033[1;31m", "").replace("\033[0m", "") == found[2].format("vault/")


def test_the_progress_bar_draws_on_a_terminal_and_stays_silent_elsewhere():
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = ProgressBar("blocks", 4, stream)
        bar.advance("a.md#1")
        bar.advance("a.md#2")
        bar.close()
    assert "[############------------] 2/4 a.md#2" in terminal.getvalue()
    assert pipe.getvalue() == ""
    assert isinstance(BlockProgress(pipe), ProgressBar)

