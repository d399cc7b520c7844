"""Executable blocks through the whole build: figures regenerate the vault's images, outcomes
are cached by content, and the vault is never written."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from compiler.build import build_site
from compiler.config import load_settings
from compiler.execute import sandbox_problem
from compiler.publish import PublishError
from tests.conftest import PROJECT, tree_digest, write_vault

pytestmark = pytest.mark.slow

SOFTMAX = '''"""A tiny snippets module for the tests."""
import numpy as np


def softmax(x, t=1.0):
    e = np.exp(np.asarray(x, dtype=float) / t)
    return e / e.sum()
'''
DRAW = '''"""Draws a figure."""
import matplotlib.pyplot as plt


def draw(title):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_title(title)
    return fig
'''
NOTES = {
    "개념/softmax.md": "# softmax\n\n설명.\n\n```python exec\n#| figure: Pasted image 1.png\n"
                     "#| caption: 온도에 따른 출력\nfrom snippets.softmax import softmax\n"
                     "from snippets.draw import draw\nprint(softmax([1, 2]).round(2))\n"
                     "draw('온도')\n```\n",
    "정리.md": "# 정리\n\n![[첨부/Pasted image 1.png|300]]\n다음 줄\n\n```python exec\nimport sys\n"
             "print('plain')\nprint('경고', file=sys.stderr)\n```\n",
    "세션.md": "```python exec\n#| session: s\nx = 41\n```\n\n```python exec\n#| session: s\n"
             "print(x + 1)\n```\n\n```python exec\n#| error: ZeroDivisionError\n1 / 0\n```\n",
}


def make_project(root: Path) -> Path:
    """A project of its own: the real mkdocs.yml, a vault, and a snippets package."""
    write_vault(root, {"snippets/__init__.py": "", "snippets/softmax.py": SOFTMAX,
                       "snippets/draw.py": DRAW,
                       "mkdocs.yml": (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")})
    write_vault(root / "vault", NOTES)
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory):
    """The project's first build, shared by the tests that only read it: (project, result)."""
    project = make_project(tmp_path_factory.mktemp("blocks"))
    return project, build(project)


def build(project: Path):
    settings = load_settings(project)
    return build_site(settings, project / "site")


def executed(result) -> set[tuple[str, int]]:
    return {key for key, r in result.blocks.items() if not r.cached}


def html(project: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((project / "site" / page / "index.html").read_text(encoding="utf-8"),
                         "html.parser")


def test_a_declared_figure_replaces_the_missing_image_everywhere_with_its_caption(first_build):
    project, result = first_build
    assert not [d for d in result.diagnostics if d.code == "missing-attachment"]
    figure = html(project, "정리").select_one("article figure.kb-figure")
    image = figure.find("img")
    assert image["src"].endswith(".svg") and image["width"] == "300"
    assert image["alt"] == "온도에 따른 출력"
    caption = figure.find("figcaption")
    assert caption.get_text().startswith("온도에 따른 출력")
    # shown on another page, the figure links the note whose block draws (and explains) it
    assert caption.find("a")["href"].endswith("softmax/")
    assert (project / "site" / "_kb" / "figures").is_dir()
    svg = next((project / "site" / "_kb" / "figures").glob("*.svg")).read_bytes()
    assert b"<svg" in svg
    page = html(project, "개념/softmax")
    assert "[0.27 0.73]" in page.get_text()
    assert page.select_one("figure.kb-figure figcaption").get_text() == "온도에 따른 출력"  # its own page


def test_what_a_block_writes_to_stderr_is_shown_apart(first_build):
    project, _ = first_build
    page = html(project, "정리")
    assert "경고" in page.select_one("details.note").get_text()
    assert "다음 줄" in page.get_text()


def test_sessions_share_state_and_an_expected_error_is_shown_not_failed(first_build):
    project, result = first_build
    outcomes = {index: r.outcome for (note, index), r in result.blocks.items() if note == "세션.md"}
    assert outcomes[1].stdout.strip() == "42"
    assert outcomes[2].status == "expected-error"
    assert "ZeroDivisionError" in html(project, "세션").select_one(".admonition.example").get_text()
    assert not [d for d in result.diagnostics if d.code == "block-failed"]


def test_a_rebuild_with_nothing_changed_executes_no_block(project):
    build(project)
    assert executed(build(project)) == set()


def test_editing_prose_executes_nothing_and_editing_a_snippet_only_its_importers(project):
    build(project)
    note = project / "vault" / "개념" / "softmax.md"
    note.write_text(note.read_text(encoding="utf-8").replace("설명.", "설명을 고쳤다."),
                    encoding="utf-8")
    assert executed(build(project)) == set()
    (project / "snippets" / "draw.py").write_text(DRAW.replace("[0, 1], [0, 1]", "[0, 1], [1, 0]"))
    assert executed(build(project)) == {("개념/softmax.md", 0)}


def test_a_corrupt_cache_entry_is_run_again_not_trusted(project):
    build(project)
    for outcome in (project / ".kb-cache" / "blocks").rglob("outcome.json"):
        outcome.write_text("{not json")
    assert len(executed(build(project))) == 5


def test_a_failing_block_is_shown_and_reported_and_strict_refuses_it(project):
    write_vault(project / "vault", {"깨짐.md": "```python exec\nraise ValueError('틀림')\n```\n"})
    result = build(project)
    [failed] = [d for d in result.diagnostics if d.code == "block-failed"]
    assert (failed.path, failed.line) == ("깨짐.md", 1)
    box = html(project, "깨짐").select_one(".admonition.failure")
    assert "ValueError" in box.get_text() and "틀림" in box.get_text()
    settings = load_settings(project)
    before = tree_digest(project / "site")
    with pytest.raises(PublishError):
        build_site(settings, project / "site", refuse=lambda found: any(
            d.code == "block-failed" for d in found))
    assert tree_digest(project / "site") == before


def test_blocks_never_write_into_the_vault(project):
    write_vault(project / "vault", {"쓰기.md": "```python exec\nopen('out.txt', 'w').write('x')\n"
                                               "import os\nprint(os.getcwd())\n```\n"})
    before = tree_digest(project / "vault")
    result = build(project)
    assert tree_digest(project / "vault") == before
    cwd = result.blocks[("쓰기.md", 0)].outcome.stdout.strip()
    assert not Path(cwd).is_relative_to(project)


def test_kb_check_runs_no_block(project, monkeypatch):
    from compiler.build import compile_vault

    compilation = compile_vault(dataclasses.replace(load_settings(project)))
    assert not (project / ".kb-cache" / "blocks").exists()
    assert len(compilation.resolved.notes["세션.md"].blocks) == 3


def test_kb_snippets_lists_and_runs_blocks_with_their_cache_status(project):
    from tests.test_build_e2e import run_kb

    listed = run_kb("snippets", "list", cwd=project)
    assert listed.returncode == 0 and "세션.md#1 (line 1) session s: not run" in listed.stdout
    first = run_kb("snippets", "run", "세션", cwd=project)
    assert first.returncode == 0
    assert "세션.md#2: ok, executed" in first.stdout and "세션.md#3: expected-error" in first.stdout
    again = run_kb("snippets", "run", "세션#2", cwd=project)
    assert "세션.md#2: ok, cached" in again.stdout and "세션.md#3" not in again.stdout
    assert "cached ok" in run_kb("snippets", "list", "세션", cwd=project).stdout


def test_the_same_code_in_two_notes_runs_once_and_both_pages_show_it(project):
    same = "```python exec\n#| figure: {name}\nfrom snippets.draw import draw\ndraw('같음')\n```\n"
    write_vault(project / "vault", {"가.md": same.format(name="g1.png"),
                                    "나.md": same.format(name="g2.png"),
                                    "보기.md": "![[g1.png]]\n\n![[g2.png]]\n"})
    result = build(project)
    assert result.blocks[("가.md", 0)].outcome == result.blocks[("나.md", 0)].outcome
    assert len(html(project, "보기").select("figure.kb-figure img")) == 2


def test_a_block_inside_a_list_item_stays_in_the_list(project):
    write_vault(project / "vault", {"목록.md": "- 항목\n  ```python exec\n  print('안')\n  ```\n- 다음\n"})
    build(project)
    items = html(project, "목록").select("article ul > li")
    assert "안" in items[0].get_text() and items[1].get_text().strip() == "다음"


def test_kb_snippets_run_a_single_block_runs_only_it_and_the_blocks_before_it(project):
    from tests.test_build_e2e import run_kb

    done = run_kb("snippets", "run", "세션#1", cwd=project)
    assert done.stdout.startswith("세션.md#1: ok, executed")
    assert "세션.md#2" not in done.stdout
    assert run_kb("snippets", "run", "세션#9", cwd=project).returncode == 2


def test_a_block_that_writes_into_the_vault_is_reported(project):
    """Without the sandbox (`kb.sandbox: false`) a block can write there: it is reported."""
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "kb:\n", "kb:\n  sandbox: false\n"), encoding="utf-8")
    vault = project / "vault"
    target = str(vault / "생김.md")
    write_vault(vault, {"침범.md": f"```python exec\nopen({target!r}, 'w').write('x')\n```\n"})
    result = build(project)
    [problem] = [d for d in result.diagnostics if d.code == "vault-written"]
    assert problem.path == "생김.md"


def test_the_vault_is_read_for_the_write_check_only_when_a_block_runs(project, monkeypatch):
    """Hashing every vault file twice per rebuild is kb serve's cost, not the blocks': a
    rebuild whose blocks all have stored outcomes skips it."""
    import compiler.build as build_module

    reads = []
    real = build_module.vault_state
    monkeypatch.setattr(build_module, "vault_state", lambda vault: reads.append(vault) or real(vault))
    build_module.prepare_stage(load_settings(project))
    assert len(reads) == 2  # before and after the blocks ran
    reads.clear()
    assert not executed(build_module.prepare_stage(load_settings(project)))
    assert reads == []


@pytest.mark.skipif(sandbox_problem() is not None, reason=f"no sandbox here: {sandbox_problem()}")
def test_a_sandboxed_block_cannot_write_into_the_vault(project):
    vault = project / "vault"
    target = str(vault / "생김.md")
    write_vault(vault, {"침범.md": f"```python exec\nopen({target!r}, 'w').write('x')\n```\n"})
    result = build(project)
    failed = result.blocks[("침범.md", 0)]
    assert failed.outcome.status == "error" and "Read-only file system" in failed.outcome.error
    assert not (vault / "생김.md").exists()
    assert "sandbox-unavailable" not in {d.code for d in result.diagnostics}
