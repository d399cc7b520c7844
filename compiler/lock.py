"""One build at a time: an advisory lock per output folder and per cache folder.

The lock is `fcntl.flock` on a small file beside what it guards. The kernel holds it for the
process, so a build that dies (Ctrl+C, `kill -9`, a crash) releases it with its last file
descriptor: no stale lock file ever has to be removed by hand. The file keeps the holder's
process id, only to name it in the message a waiting build prints.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class Busy(Exception):
    """Another process holds the lock and the caller chose not to wait."""


def lock_file_for_output(site_dir: Path) -> Path:
    """Beside the output folder, not in it: the folder itself is swapped whole."""
    return site_dir.parent / f".{site_dir.name}.kb-lock"


def lock_file_for_cache(cache_dir: Path) -> Path:
    return cache_dir / "build.lock"


def _holder(handle: int) -> str:
    try:
        text = os.pread(handle, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (process {text})" if text.isdigit() else ""


@contextmanager
def hold(path: Path, what: str, wait: bool = True,
         say: Callable[[str], None] = lambda line: None) -> Iterator[None]:
    """Hold the lock on `path` for the `with` block. When another process holds it: wait
    (saying so once) or, with wait=False, raise Busy."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            if not wait:
                raise Busy(f"another kb build is using {what}{holder}") from None
            say(f"waiting for another kb build using {what}{holder} to finish "
                "(--no-wait refuses instead) ...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        os.ftruncate(handle, 0)
        os.pwrite(handle, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(handle)  # releases the lock
