"""`kb deploy`: push the built site to a branch of a git remote (GitHub Pages' `gh-pages`).

The same machinery as `mkdocs gh-deploy`: ghp-import writes the site folder as one new commit
on the branch (on top of the remote's, so history is kept), adds `.nojekyll` (GitHub's Jekyll
would otherwise hide `_kb/`, the compiler's assets), and pushes. It touches neither the
working tree nor the current branch: only the deploy branch's ref and the remote.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .diagnostics import display_path


class DeployError(Exception):
    pass


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)


def default_message(repo: Path) -> str:
    head = _git(repo, "rev-parse", "--short", "HEAD").stdout.strip()
    return f"kb deploy of {head}" if head else "kb deploy"


def check_remote(repo: Path, remote: str) -> None:
    """Raise DeployError unless `repo` is a git repository with `remote`: checked before
    building, so that a missing remote costs no build."""
    try:
        is_repo = _git(repo, "rev-parse", "--git-dir").returncode == 0
    except FileNotFoundError:
        raise DeployError("git is not installed; kb deploy pushes with git") from None
    if not is_repo:
        raise DeployError(f"{display_path(repo)} is not a git repository: `git init` it and add "
                          "a remote first")
    if _git(repo, "remote", "get-url", remote).returncode != 0:
        raise DeployError(f"the git repository has no remote named {remote!r} "
                          f"(`git remote add {remote} URL`, or give another with --remote)")


def deploy(site_dir: Path, repo: Path, remote: str = "origin", branch: str = "gh-pages",
           message: str | None = None) -> str:
    """Commit site_dir onto `branch` and push it to `remote`; returns the new commit's id."""
    check_remote(repo, remote)
    # ghp-import stacks the new commit on the remote's branch when it knows it.
    _git(repo, "fetch", "--quiet", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
    command = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--push", "--remote", remote,
               "--branch", branch, "--message", message or default_message(repo), str(site_dir)]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DeployError("pushing the site failed:\n" + (done.stderr or done.stdout).strip())
    return _git(repo, "rev-parse", f"refs/heads/{branch}").stdout.strip()
