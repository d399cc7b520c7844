"""`kb deploy`: the built site pushed to a `gh-pages` branch, tested against a local bare repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PROJECT, tree_digest, write_vault
from tests.test_build_e2e import run_kb

pytestmark = pytest.mark.slow


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    root = tmp_path / "project"
    write_vault(root / "vault", {"노트.md": "# 노트\n\n[[Other]]\n", "Other.md": "# Other\n"})
    shutil.copy2(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    git(root, "init", "--quiet", "-b", "main")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.invalid")
    git(root, "add", "vault", "mkdocs.yml")
    git(root, "commit", "--quiet", "-m", "notes")
    git(root, "remote", "add", "origin", str(remote))
    return root, remote


def test_deploy_pushes_the_site_and_a_second_deploy_adds_a_commit(project):
    root, remote = project
    vault_before = tree_digest(root / "vault")
    first = run_kb("deploy", cwd=root)
    assert first.returncode == 0, first.stderr
    files = set(git(remote, "-c", "core.quotePath=false", "ls-tree", "-r", "--name-only",
                    "gh-pages").splitlines())
    assert {"index.html", ".nojekyll", "노트/index.html", "Other/index.html", "404.html",
            "search/search_index.json", "_kb/kb.css"} <= files
    assert "_kb/report/index.html" not in files  # the build report is private by default
    assert git(remote, "rev-list", "--count", "gh-pages") == "1"

    write_vault(root / "vault", {"Other.md": "# Other\n\nMore.\n"})
    vault_before = tree_digest(root / "vault")
    second = run_kb("deploy", "--message", "second deploy", cwd=root)
    assert second.returncode == 0, second.stderr
    assert git(remote, "rev-list", "--count", "gh-pages") == "2"
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == "second deploy"
    assert "More." in git(remote, "show", "gh-pages:Other/index.html")
    assert tree_digest(root / "vault") == vault_before  # the vault is untouched
    assert git(root, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert git(root, "status", "--porcelain", "vault", "mkdocs.yml") == "M vault/Other.md"


def test_deploy_to_another_branch_and_remote_name(project):
    root, remote = project
    git(root, "remote", "rename", "origin", "pages")
    done = run_kb("deploy", "--remote", "pages", "--branch", "site", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "index.html" in git(remote, "ls-tree", "--name-only", "site").splitlines()


def test_deploy_without_the_remote_says_so_before_building(project):
    root, _ = project
    done = run_kb("deploy", "--remote", "nowhere", cwd=root)
    assert done.returncode == 2 and "no remote named 'nowhere'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (root / "site").exists()  # said before a minute of building, not after
