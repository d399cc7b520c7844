"""File dates and sizes for `file.ctime`, `file.mtime` and `file.size` (an edge: it reads the
disk and runs git).

A vault checked out from git has no meaningful file times (a clone stamps every file with the
moment of the clone), so a note's dates come, in this order, from:

1. the properties the configuration names (`kb.dates: {created: [created], modified: [updated]}`);
2. git history, when the vault is inside a work tree: the first and the last commit that
   touched the file (a file not committed yet has its file-system time);
3. the file system: the file's modification time (and, as Linux keeps no creation time,
   the same for its creation).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from .normalize import nfc
from .scan import VaultFile

GIT_TIMEOUT = 60  # seconds; a slower history is not read (file-system dates then)


def parse_date(value: object) -> dt.datetime | None:
    """A property's date (`2024-03-01`, `2024-03-01T10:00`, `2024-03-01 10:00:00`)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if not isinstance(value, str):
        return None
    text = value.strip().replace(" ", "T", 1)
    try:
        found = dt.datetime.fromisoformat(text.removesuffix("Z") + ("+00:00" if text.endswith("Z") else ""))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=dt.UTC)


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=folder,
                              capture_output=True, text=True, timeout=GIT_TIMEOUT, check=False,
                              encoding="utf-8", errors="replace")
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


@lru_cache(maxsize=4)
def _history(vault: str, head: str) -> dict[str, tuple[int, int]]:
    """vault path -> (first, last) commit time, read once per commit of the repository."""
    out = _git(Path(vault), "log", "--format=%x00%ct", "--name-only", "--no-renames",
               "--relative", "--", ".")
    dates: dict[str, tuple[int, int]] = {}
    if out is None:
        return dates
    for commit in out.split("\0")[1:]:
        lines = commit.strip("\n").split("\n")
        try:
            when = int(lines[0])
        except ValueError:
            continue
        for name in lines[1:]:
            if name:
                path = nfc(name)
                first, last = dates.get(path, (when, when))
                dates[path] = (min(first, when), max(last, when))
    return dates


def git_dates(vault: Path) -> dict[str, tuple[int, int]]:
    """(first, last) commit times of the vault's files, or nothing outside a git work tree."""
    head = _git(vault, "rev-parse", "HEAD")
    if head is None:
        return {}
    return _history(str(vault), head.strip())


def _stamp(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def file_facts(vault: Path, files: Iterable[VaultFile], properties: Mapping[str, Mapping],
               created: tuple[str, ...] = (), modified: tuple[str, ...] = (),
               use_git: bool = True
               ) -> tuple[dict[str, int], dict[str, tuple[dt.datetime, dt.datetime]]]:
    """Each file's size and (ctime, mtime), by vault path. `properties`: each note's."""
    history = git_dates(vault) if use_git else {}
    sizes, dates = {}, {}
    for file in files:
        try:
            stat = os.stat(file.source)
        except OSError:
            continue
        sizes[file.path] = stat.st_size
        first, last = history.get(file.path, (stat.st_mtime, stat.st_mtime))
        ctime, mtime = _stamp(first), _stamp(last)
        own = properties.get(file.path, {})
        for names, slot in ((created, 0), (modified, 1)):
            for name in names:
                if (found := parse_date(own.get(name))) is not None:
                    ctime, mtime = (found, mtime) if slot == 0 else (ctime, found)
                    break
        dates[file.path] = (ctime, mtime)
    return sizes, dates
