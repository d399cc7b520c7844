"""Publish: write the staged folder, run MkDocs on it, check the result, swap it into place.

The only stage with side effects on the output. The previous site stays untouched until
a complete new one has been built and checked beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .diagnostics import Diagnostic, Severity
from .render import Stage
from .search_index import write_search_index
from .sitecheck import check_site
from .timing import Timer

_MKDOCS_WARNING = re.compile(r"^mkdocs: WARNING: (?:Doc file '(?P<path>[^']+)' )?(?P<message>.*)")


class PublishError(Exception):
    pass


@dataclass(frozen=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int


def write_stage(stage: Stage, stage_dir: Path) -> WriteStats:
    """Make stage_dir hold exactly the staged files, rewriting only what changed."""
    stage_dir.mkdir(parents=True, exist_ok=True)
    wanted: set[Path] = set()
    written = unchanged = 0
    generated = [(rel, text.encode("utf-8")) for rel, text in stage.pages.items()]
    for rel, data in [*generated, *stage.blobs.items()]:
        target = stage_dir / rel
        wanted.add(target)
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    for rel, source in stage.files.items():
        target = stage_dir / rel
        wanted.add(target)
        here = source.stat()
        if target.is_file() and (t := target.stat()).st_size == here.st_size \
                and t.st_mtime_ns == here.st_mtime_ns:
            unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        written += 1
    removed = 0
    for root, dirs, files in os.walk(stage_dir, topdown=False):
        for name in files:
            path = Path(root) / name
            if path not in wanted:
                path.unlink()
                removed += 1
        for name in dirs:
            folder = Path(root) / name
            if not any(folder.iterdir()):
                folder.rmdir()
    return WriteStats(written, unchanged, removed)


def run_mkdocs(settings: Settings, stage_dir: Path, out_dir: Path) -> list[Diagnostic]:
    """Build with MkDocs in a child process; its warnings come back as diagnostics."""
    start, end = settings.section_lines or (-1, -1)
    command = [sys.executable, "-m", "compiler.mkdocs_runner", str(settings.config_path),
               str(stage_dir), str(out_dir), str(start), str(end),
               json.dumps(settings.mkdocs_defaults())]
    result = subprocess.run(command, cwd=settings.project_root, capture_output=True, text=True,
                            check=False)
    log = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
    if result.returncode != 0:
        raise PublishError("MkDocs failed; the previous site is left as it was.\n" + "\n".join(log))
    found = []
    for line in log:
        if match := _MKDOCS_WARNING.match(line):
            found.append(Diagnostic(match.group("path") or settings.config_path.name, 0, 0,
                                    Severity.WARNING, "mkdocs-warning", match.group("message")))
    return found


def stage_dir_for(settings: Settings) -> Path:
    """One staged folder per vault, so that two vaults never share (or delete) one."""
    digest = hashlib.sha256(str(settings.vault).encode()).hexdigest()[:12]
    return settings.cache_dir / "stage" / digest


def check_outside_vault(settings: Settings, site_dir: Path) -> None:
    """Nothing is ever written into the vault: refuse before anything is written."""
    vault = settings.vault
    for what, folder in (("output folder", site_dir.resolve()),
                         ("cache folder", settings.cache_dir.resolve())):
        if folder.is_relative_to(vault) or vault.is_relative_to(folder):
            raise PublishError(f"the {what} {folder} overlaps the vault {vault}; refusing to write")


def publish(stage: Stage, settings: Settings, site_dir: Path, timer: Timer | None = None
            ) -> tuple[WriteStats, tuple[Diagnostic, ...]]:
    timer = timer or Timer()
    site_dir = site_dir.resolve()
    check_outside_vault(settings, site_dir)
    stage_dir = stage_dir_for(settings)
    with timer.stage("stage"):
        stats = write_stage(stage, stage_dir)
    new_dir = site_dir.with_name(f".{site_dir.name}.kb-new")
    old_dir = site_dir.with_name(f".{site_dir.name}.kb-old")
    if old_dir.exists() and not site_dir.exists():  # an interrupted swap: finish it backwards
        old_dir.rename(site_dir)
    shutil.rmtree(new_dir, ignore_errors=True)
    shutil.rmtree(old_dir, ignore_errors=True)
    try:
        with timer.stage("mkdocs"):
            found = run_mkdocs(settings, stage_dir, new_dir)
        with timer.stage("search"):
            write_search_index(new_dir, stage.aliases)
        with timer.stage("site-check"):
            problems = check_site(new_dir, frozenset(settings.allow_hosts))
        loads = [p for p in problems if p.endswith("from another host")]
        if loads:
            raise PublishError(f"{len(loads)} page(s) would load from another host; the previous "
                               "site is left as it was.\n" + "\n".join(loads[:20]))
        found += [Diagnostic(p.split(": ", 1)[0], 0, 0, Severity.WARNING, "broken-reference",
                             p.split(": ", 1)[1]) for p in problems]
    except BaseException:
        shutil.rmtree(new_dir, ignore_errors=True)
        raise
    if site_dir.exists():
        site_dir.rename(old_dir)
    try:
        new_dir.rename(site_dir)
    except OSError:
        old_dir.rename(site_dir)
        raise
    shutil.rmtree(old_dir, ignore_errors=True)
    return stats, tuple(found)
