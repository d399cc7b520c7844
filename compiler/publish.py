"""Publish: write the staged folder, run MkDocs on it, check the result, swap it into place.

The only stage with side effects on the output. The previous site stays untouched until
a complete new one has been built and checked beside it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from . import engines, live_state, messages, report
from .config import Settings
from .diagnostics import Diagnostic, Severity, display_path
from .render import Stage
from .search_index import PageEntries, write_search_index
from .sitecheck import CheckedPages, check_site
from .timing import Timer

_MKDOCS_WARNING = re.compile(r"^mkdocs: WARNING: (?:Doc file '(?P<path>[^']+)' )?(?P<message>.*)")


SITE_MARKER = ".kb-site"  # in every site kb publishes: the folder kb may replace
BUILD_ID = ".kb-build"  # in every site kb publishes: which build made it (its saved state names it)
MARKER_TEXT = "This folder is a site built by kb; `kb build` replaces it whole.\n"


T = TypeVar("T")
_going_in = False  # set just before the new site replaces the old one


def site_going_in() -> bool:
    """Whether this process has begun putting a new site in place. From then on the build has
    succeeded: a Ctrl+C must neither stop the swap half-way nor be reported as leaving the old
    site as it was, so the command line ignores it (see cli.main)."""
    return _going_in


class PublishError(Exception):
    pass


class OutputRefused(PublishError):
    """The output folder is not one kb may replace (a usage error, found before building)."""


@dataclass(frozen=True)
class WriteStats:
    written: int  # staged files
    unchanged: int
    removed: int
    # The site: pages MkDocs converted and wrote, files kept from the published site
    # (hard links), and whether the build started from it.
    converted: int = 0
    pages_written: int = 0
    kept: int = 0
    incremental: bool = False


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


def _die_with_parent() -> None:
    """In the MkDocs child (Linux): end with the build that started it, even a `kill -9`ed
    one, instead of writing on into a folder the next build cleans away."""
    import ctypes
    import signal

    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def mkdocs_warnings(lines: list[str], settings: Settings) -> list[Diagnostic]:
    """MkDocs' warnings (`mkdocs: WARNING: ...`) as diagnostics."""
    found = []
    # Once each: a kept page converted again to be templated repeats its saved warnings.
    for line in dict.fromkeys(lines):
        if match := _MKDOCS_WARNING.match(line):
            found.append(Diagnostic(match.group("path") or settings.config_path.name, 0, 0,
                                    Severity.WARNING, "mkdocs-warning", match.group("message")))
    return found


class MkDocs:
    """kb's one publisher: the engine's child process (`compiler.mkdocs_live` for MkDocs, the
    default; see `compiler.engines`), which turns the staged folder `docs_dir` into the site
    in `site_dir`. `kb build` asks it for one full
    build of a fresh folder (`run_mkdocs`); `kb serve` keeps it warm and sends it what each
    rebuild changed, which it converts alone. Both therefore publish the same pages.

    The child has a session of its own (Ctrl+C reaches kb, which ends the child) and dies
    with kb even when kb is killed."""

    def __init__(self, settings: Settings, docs_dir: Path, site_dir: Path):
        start, end = settings.section_lines or (-1, -1)
        self.engine = engines.engine_named(settings.engine)
        if why := engines.missing(self.engine):
            raise PublishError(why)
        command = [sys.executable, "-m", self.engine.child, str(settings.config_path),
                   str(docs_dir), str(site_dir), str(start), str(end),
                   json.dumps(settings.mkdocs_defaults())]
        self.settings = settings
        # What MkDocs or an extension prints; kept for the error, closed with the child.
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(command, cwd=settings.project_root, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.errors, text=True,
                                        encoding="utf-8", start_new_session=True,
                                        preexec_fn=_die_with_parent)

    def request(self, changed: set[str], removed: set[str], full: bool, stream: bool = False
                ) -> dict:
        """One update: the staged paths that changed and went away, or everything (`full`);
        `stream`: site_dir is a new folder, so pages are written as they are made."""
        return self.send({"changed": sorted(changed), "removed": sorted(removed), "full": full,
                          "stream": stream})

    def send(self, request: dict) -> dict:
        """One request (see `compiler.mkdocs_live`), and its reply."""
        try:
            self.process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            self.process.stdin.flush()
        except OSError:  # it has ended, maybe saying why (mkdocs.yml refused) first
            pass
        try:
            reply = self.process.stdout.readline()
        except OSError:
            reply = ""
        if not reply:
            self.close()
            self.errors.seek(0)
            said = self.errors.read().decode("utf-8", "replace").strip().splitlines()[-20:]
            return {"ok": False, "error": "\n".join([f"the {self.engine.label} process ended "
                                                      "unexpectedly", *said])}
        return json.loads(reply)

    def update(self, changed: set[str], removed: set[str], full: bool, stream: bool = False
               ) -> list[Diagnostic]:
        """`request`, with MkDocs' warnings as diagnostics; PublishError when MkDocs failed."""
        return self.found(self.request(changed, removed, full, stream))

    def found(self, reply: dict) -> list[Diagnostic]:
        """A reply's warnings as diagnostics; PublishError when MkDocs failed."""
        if not reply["ok"]:
            raise PublishError(f"{self.engine.label} failed; the previous site is left as it was.\n"
                               + reply["error"])
        return mkdocs_warnings(reply.get("warnings", []), self.settings)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self, at_once: bool = False) -> None:
        """End the child: it finishes the update under way unless `at_once`."""
        if self.process.poll() is None:
            if at_once:
                self.process.kill()
            else:
                with contextlib.suppress(OSError):  # it may have ended already
                    self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.errors.close()


@dataclass(frozen=True)
class Previous:
    """The published site a build starts from, and where the publisher keeps its state."""
    site_dir: Path
    build_id: str  # of the published site ("" when there is none, or it is not kb's)
    state: Path  # the publisher's saved state (`compiler.live_state`)
    search: Path  # the search entries of its pages (`search_index.PageEntries`)
    checks: Path  # the site check of its pages (`sitecheck.CheckedPages`)

    def request(self, build_id: str) -> dict:
        return {"old_site": str(self.site_dir) if self.build_id else "",
                "old_build": self.build_id, "state": str(self.state),
                "save": str(self.state) + ".new", "build": build_id}


def previous_build(settings: Settings, site_dir: Path) -> Previous:
    digest = hashlib.sha256(f"{settings.vault}\0{site_dir}".encode()).hexdigest()[:12]
    folder = settings.cache_dir / "publish"
    try:
        build_id = (site_dir / BUILD_ID).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        build_id = ""
    return Previous(site_dir, build_id if _built_by_kb(site_dir) else "",
                    folder / f"{digest}.state", folder / f"{digest}.search",
                    folder / f"{digest}.checks")


def run_mkdocs(settings: Settings, stage_dir: Path, out_dir: Path) -> list[Diagnostic]:
    """Build the whole site into the new folder `out_dir`, by the publisher kb serve keeps
    warm; its warnings come back as diagnostics."""
    mkdocs = MkDocs(settings, stage_dir, out_dir)
    finished = False
    try:
        found = mkdocs.update(set(), set(), full=True, stream=True)
        finished = True
        return found
    finally:
        mkdocs.close(at_once=not finished)


def run_incremental(settings: Settings, stage_dir: Path, out_dir: Path, previous: Previous,
                    build_id: str, full: bool = False) -> tuple[list[Diagnostic], dict]:
    """Build the site into the new folder `out_dir`: only the pages that changed since the
    `previous` build, the others linked from it (all of them when `full`, or when the saved
    state does not match; see `compiler.live_state`). Returns MkDocs' warnings as
    diagnostics, and the publisher's reply (what it converted, templated and linked)."""
    mkdocs = MkDocs(settings, stage_dir, out_dir)
    finished = False
    try:
        # `stream`: an engine that cannot seed the folder from the published site (Zensical)
        # writes every page into it.
        reply = mkdocs.send({"full": full, "stream": True, "publish": previous.request(build_id)})
        found = mkdocs.found(reply)
        finished = True
        return found, reply
    finally:
        mkdocs.close(at_once=not finished)


def stage_dir_for(settings: Settings) -> Path:
    """Where the last staged folder of a vault is kept between builds (one per vault)."""
    digest = hashlib.sha256(str(settings.vault).encode()).hexdigest()[:12]
    return settings.cache_dir / "stage" / digest


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner(path: Path) -> int | None:
    """The process id a private folder is named after (NAME.pid.PID), if any."""
    head, _, pid = path.name.rpartition(".pid.")
    return int(pid) if head and pid.isdigit() else None


def _leftovers(folder: Path, prefix: str) -> list[Path]:
    """Private folders starting with `prefix` whose build is gone (killed before cleaning)."""
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if p.name.startswith(prefix)
            and (owner := _owner(p)) is not None and owner != os.getpid() and not _alive(owner)]


@contextmanager
def private_stage(settings: Settings) -> Iterator[Path]:
    """A staged folder no other build can touch. The kept one is taken with a single rename
    (so only one build gets it, and it is rewritten incrementally), and put back after."""
    kept = stage_dir_for(settings)
    kept.parent.mkdir(parents=True, exist_ok=True)
    for leftover in _leftovers(kept.parent, kept.name + ".pid."):
        shutil.rmtree(leftover, ignore_errors=True)
    mine = kept.with_name(f"{kept.name}.pid.{os.getpid()}")
    shutil.rmtree(mine, ignore_errors=True)
    try:
        kept.rename(mine)
    except OSError:  # none yet, or another build has it now
        mine.mkdir()
    try:
        yield mine
    finally:
        try:
            mine.rename(kept)
        except OSError:  # another build put its own back meanwhile
            shutil.rmtree(mine, ignore_errors=True)


def check_outside_vault(settings: Settings, site_dir: Path) -> None:
    """Nothing is ever written into the vault: refuse before anything is written."""
    vault = settings.vault
    for what, folder in (("output folder", site_dir.resolve()),
                         ("cache folder", settings.cache_dir.resolve())):
        if folder.is_relative_to(vault) or vault.is_relative_to(folder):
            raise OutputRefused(f"the {what} {display_path(folder)} overlaps the vault "
                                f"{display_path(vault)}; refusing to write (kb never writes "
                                "into the vault): give another with --out")


def _built_by_kb(folder: Path) -> bool:
    """The marker every site kb publishes, or (sites from before it) kb's own build report."""
    return (folder / SITE_MARKER).is_file() or (folder / "_kb" / "report" / "index.html").is_file()


def check_output(settings: Settings, site_dir: Path) -> None:
    """kb replaces the output folder whole, so it only ever replaces a folder that is empty or
    holds a site kb built, and never one of the folders a user keeps work in."""
    site = site_dir.resolve()
    shown = display_path(site)
    project = settings.project_root.resolve()
    kept = ((project, "the project folder"), (Path.home().resolve(), "your home folder"),
            (Path(site.anchor), "the root of the file system"), (Path.cwd().resolve(), "the current folder"))
    for folder, what in kept:
        if folder.is_relative_to(site):
            raise OutputRefused(f"the output folder {shown} is {what}"
                                + ("" if folder == site else " or holds it")
                                + "; give a folder of its own with --out (default: site/)")
    check_outside_vault(settings, site)
    if not site.exists() and not site.is_symlink():
        return
    if not site.is_dir() or site.is_symlink():
        raise OutputRefused(f"the output folder {shown} is not a folder; give another with --out")
    if (site / ".git").exists():
        raise OutputRefused(f"the output folder {shown} holds a git repository (.git); kb would "
                            "delete it. Give another folder with --out")
    if any(site.iterdir()) and not _built_by_kb(site):
        raise OutputRefused(f"the output folder {shown} holds files kb did not write (it has no "
                            f"{SITE_MARKER}); kb replaces that folder whole. Give an empty or new "
                            "folder with --out, or empty this one yourself")


def _exchange(one: Path, other: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 with RENAME_EXCHANGE). False where the
    system or the file system has no such call, so the caller falls back to two renames."""
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_cwd, rename_exchange = -100, 2
    if renameat2(at_cwd, os.fsencode(one), at_cwd, os.fsencode(other), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(other))


def _recover(site_dir: Path) -> None:
    """Clean what a killed build left beside the output folder; a site moved aside by the
    two-rename swap goes back when the new one never arrived."""
    prefix = f".{site_dir.name}.kb-"
    for old in _leftovers(site_dir.parent, prefix + "old.pid."):
        if not site_dir.exists():
            old.rename(site_dir)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for new in _leftovers(site_dir.parent, prefix + "new.pid."):
        shutil.rmtree(new, ignore_errors=True)


def _swap_in(new_dir: Path, site_dir: Path) -> None:
    """Put the complete new site in place of the old one: one exchange where possible."""
    if not site_dir.exists():
        new_dir.rename(site_dir)
        return
    if _exchange(new_dir, site_dir):
        shutil.rmtree(new_dir, ignore_errors=True)  # now the old site
        return
    old_dir = site_dir.with_name(f".{site_dir.name}.kb-old.pid.{os.getpid()}")
    site_dir.rename(old_dir)
    try:
        new_dir.rename(site_dir)
    except OSError:
        old_dir.rename(site_dir)
        raise
    shutil.rmtree(old_dir, ignore_errors=True)


def publish(stage: Stage, settings: Settings, site_dir: Path, timer: Timer | None = None,
            full: bool = False) -> tuple[WriteStats, tuple[Diagnostic, ...]]:
    """Build the staged pages into a new folder beside site_dir, check it and swap it in.
    Only what changed since the published site is converted and written (`full`: all)."""
    global _going_in
    _going_in = False
    timer = timer or Timer()
    site_dir = site_dir.resolve()
    check_output(settings, site_dir)
    _recover(site_dir)
    new_dir = site_dir.with_name(f".{site_dir.name}.kb-new.pid.{os.getpid()}")
    shutil.rmtree(new_dir, ignore_errors=True)
    staged_at = len(timer.stages)
    previous = previous_build(settings, site_dir)
    build_id = os.urandom(16).hex()
    search_pages = load_kept(previous.search, PageEntries, full)
    checked_pages = load_kept(previous.checks, CheckedPages, full)
    with private_stage(settings) as stage_dir:
        try:
            with timer.stage("stage"):
                stats = write_stage(stage, stage_dir)
            with timer.stage("mkdocs"):
                found, reply = run_incremental(settings, stage_dir, new_dir, previous, build_id,
                                               full)
            if reply.get("same"):  # the published pages, so the saved state describes it
                build_id = previous.build_id
            stats = replace(stats, converted=reply.get("rendered", 0),
                            pages_written=reply.get("templated", 0), kept=reply.get("linked", 0),
                            incremental=bool(reply.get("incremental")))
            engine = engines.engine_named(settings.engine)
            found += engines.limit_diagnostics(engine, settings.config_path, settings.language,
                                               settings.site_url)
            if engine.kb_search:
                with timer.stage("search"):
                    write_search_index(new_dir, stage.aliases, search_pages, workers=settings.workers)
            with timer.stage("site-check"):
                problems = check_site(new_dir, frozenset(settings.allow_hosts), checked_pages,
                                      settings.workers)
            loads = [p for p in problems if p.endswith("from another host")]
            if loads:
                raise PublishError(f"{len(loads)} page(s) would load from another host; the "
                                   "previous site is left as it was.\n" + "\n".join(loads[:20]))
            found += [Diagnostic(p.split(": ", 1)[0], 0, 0, Severity.WARNING, "broken-reference",
                                 p.split(": ", 1)[1]) for p in problems]
            report.finish_page(new_dir, timer.stages[staged_at:], messages.messages(settings.language))
            (new_dir / SITE_MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            (new_dir / BUILD_ID).write_text(build_id + "\n", encoding="utf-8")
        except BaseException:
            shutil.rmtree(new_dir, ignore_errors=True)
            raise
    _going_in = True
    _swap_in(new_dir, site_dir)
    # The saved state now describes the published site (a kill before this line leaves the
    # state of the previous site, which no longer matches the site's build id: a full build).
    if reply.get("saved"):
        with contextlib.suppress(OSError):
            os.replace(str(previous.state) + ".new", previous.state)
    save_kept(search_pages, previous.search)
    save_kept(checked_pages, previous.checks)
    return stats, tuple(found)


def load_kept(path: Path, kind: type[T], full: bool) -> T:
    """What the last build kept of its pages (the search entries, the site check), known by
    each page's file: a page kept by a hard link is not read again. Anything unreadable, of
    another version, or `full`, starts empty."""
    if not full:
        try:
            with open(path, "rb") as handle:
                kept = pickle.load(handle)
            if isinstance(kept, kind) and getattr(kept, "version", None) == kind.version:
                return kept
        except Exception:  # missing, truncated or of another version: read every page
            pass
    return kind()


def save_kept(pages: object, path: Path) -> None:
    """Kept for the next build; a cache that refuses it costs that build its speed only."""
    live_state.save(pages, path)
