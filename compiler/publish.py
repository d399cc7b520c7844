"""Publish: write the staged folder, run MkDocs on it, check the result, swap it into place.

The only stage with side effects on the output. The previous site stays untouched until
a complete new one has been built and checked beside it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .render import Stage
from .sitecheck import check_site
from .timing import Timer


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
    for rel, text in stage.pages.items():
        target = stage_dir / rel
        wanted.add(target)
        data = text.encode("utf-8")
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


def run_mkdocs(settings: Settings, stage_dir: Path, out_dir: Path) -> None:
    start, end = settings.section_lines or (-1, -1)
    command = [sys.executable, "-m", "compiler.mkdocs_runner", str(settings.config_path),
               str(stage_dir), str(out_dir), str(start), str(end)]
    result = subprocess.run(command, cwd=settings.project_root, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        log = "\n".join(line for line in (result.stderr + result.stdout).splitlines()
                        if line.strip())
        raise PublishError(f"MkDocs failed; the previous site is left as it was.\n{log}")


def publish(stage: Stage, settings: Settings, site_dir: Path, timer: Timer | None = None
            ) -> WriteStats:
    timer = timer or Timer()
    stage_dir = settings.cache_dir / "stage"
    with timer.stage("stage"):
        stats = write_stage(stage, stage_dir)
    site_dir = site_dir.resolve()
    if site_dir.is_relative_to(settings.vault) or settings.vault.is_relative_to(site_dir):
        raise PublishError(f"the output folder {site_dir} overlaps the vault; refusing to write")
    new_dir = site_dir.with_name(f".{site_dir.name}.kb-new")
    old_dir = site_dir.with_name(f".{site_dir.name}.kb-old")
    for leftover in (new_dir, old_dir):
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        with timer.stage("mkdocs"):
            run_mkdocs(settings, stage_dir, new_dir)
        with timer.stage("site-check"):
            problems = check_site(new_dir)
        if problems:
            shown = "\n".join(problems[:20])
            raise PublishError(f"the built site has {len(problems)} broken references; "
                               f"the previous site is left as it was.\n{shown}")
    except BaseException:
        shutil.rmtree(new_dir, ignore_errors=True)
        raise
    if site_dir.exists():
        site_dir.rename(old_dir)
    new_dir.rename(site_dir)
    shutil.rmtree(old_dir, ignore_errors=True)
    return stats
