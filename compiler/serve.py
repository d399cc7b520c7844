"""`kb serve`: the live preview. Watches the vault, `snippets/` and mkdocs.yml, recompiles what
an edit affects and reloads the open page.

A rebuild runs the whole pipeline up to the staged Markdown, which is cheap when little changed
(the parse cache keeps every unchanged note, the block outcome store every unchanged block,
and the compiler's own stages take a fraction of MkDocs' time). The staged folder is compared
with the previous one in memory: only the pages whose Markdown changed (the edited note, and
the notes whose backlinks, embeds or links changed with it), the figures and the attachments
that changed go to kb's MkDocs publisher (`compiler.publish.MkDocs`, the one `kb build` uses),
kept running here, which converts just those and keeps everything else. The search index is
then written as `kb build` writes it (`compiler.search_index`), reading again only the pages
MkDocs wrote.

In the preview each note with errors or warnings shows them in a box at its top, with
file:line:col. A rebuild that fails (mkdocs.yml broken, MkDocs refusing a page, ...) keeps the
last good site served and shows the error in every open page until a rebuild succeeds.
"""

from __future__ import annotations

import hashlib
import html
import shutil
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from . import diagnostics as diag
from . import messages
from .build import prepare_stage
from .cache import ParseCache
from .config import Settings, settings_for
from .diagnostics import Diagnostic, Severity
from .livereload import Changes, make_server
from .publish import MkDocs, PublishError, check_outside_vault, write_stage
from .query_cache import QueryCache
from .render import Stage
from .search_index import PageEntries, write_search_index
from .timing import StageTiming, Timer

DEBOUNCE_SECONDS = 0.05  # an editor's save is often several events: wait for them to settle
_WRITES = frozenset({"created", "modified", "deleted", "moved", "closed"})  # not opened/read


@dataclass(frozen=True)
class Rebuild:
    error: str | None  # None when the site was updated (or nothing needed updating)
    changed: tuple[str, ...] = ()  # staged paths sent to MkDocs
    removed: tuple[str, ...] = ()
    seconds: float = 0.0
    timings: tuple[StageTiming, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    notes: int = 0
    changed_notes: tuple[str, ...] = ()  # vault paths of the notes whose page changed


def stage_changes(old: Stage | None, new: Stage, old_stats: dict, new_stats: dict
                  ) -> tuple[set[str], set[str]]:
    """The staged paths whose content differs between two stages, and those that went away.
    Copied files compare by their source and its size and modification time (`*_stats`)."""
    paths = new.pages.keys() | new.blobs.keys() | new.files.keys()
    if old is None:
        return set(paths), set()
    changed = {p for p, text in new.pages.items() if old.pages.get(p) != text}
    changed |= {p for p, data in new.blobs.items() if old.blobs.get(p) != data}
    changed |= {p for p in new.files if old_stats.get(p) != new_stats.get(p)}
    removed = (old.pages.keys() | old.blobs.keys() | old.files.keys()) - paths
    return changed, removed


def _file_stats(stage: Stage) -> dict[str, tuple]:
    stats = {}
    for rel, source in stage.files.items():
        try:
            here = source.stat()
            stats[rel] = (source, here.st_size, here.st_mtime_ns)
        except OSError:
            stats[rel] = (source, None, None)
    return stats


def problem_box(found: list[Diagnostic], prefix: str, words: messages.Messages | None = None) -> str:
    """The note's errors (open) and warnings (folded) as raw HTML, kept out of the search index."""
    words = words or messages.current()

    def items(group: list[Diagnostic]) -> str:
        return "".join(f"<li><code>{html.escape(d.format(prefix))}</code></li>" for d in group)

    errors = [d for d in found if d.severity is Severity.ERROR]
    warnings = [d for d in found if d.severity is Severity.WARNING]
    parts = []
    if errors:
        parts.append(f'<div class="admonition failure kb-serve-problems" data-search-exclude>'
                     f'<p class="admonition-title">{html.escape(words("serve.errors", n=len(errors)))}</p>'
                     f"<ul>{items(errors)}</ul></div>")
    if warnings:
        parts.append(f'<details class="warning kb-serve-problems" data-search-exclude>'
                     f"<summary>{html.escape(words('serve.warnings', n=len(warnings)))}</summary>"
                     f"<ul>{items(warnings)}</ul></details>")
    return "\n".join(parts)


def with_problem_boxes(stage: Stage, found: tuple[Diagnostic, ...], prefix: str,
                       words: messages.Messages | None = None) -> Stage:
    """The stage with each note's diagnostics shown at the top of its page (the stage's own
    page map says which: an unpublished note has none)."""
    pages = stage.placed
    by_note: dict[str, list[Diagnostic]] = {}
    for d in sorted(found, key=diag.sort_key):
        if d.path in pages and d.severity in (Severity.ERROR, Severity.WARNING):
            by_note.setdefault(d.path, []).append(d)
    staged = dict(stage.pages)
    for note, problems in by_note.items():
        text = staged[pages[note]]
        end = text.index("\n---\n", 3) + 5 if text.startswith("---\n") else 0
        staged[pages[note]] = f"{text[:end]}\n{problem_box(problems, prefix, words)}\n\n{text[end:]}"
    return replace(stage, pages=staged)


def write_changes(stage: Stage, docs_dir: Path, changed: set[str], removed: set[str]) -> None:
    for rel in changed:
        target = docs_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel in stage.pages:
            target.write_text(stage.pages[rel], encoding="utf-8")
        elif rel in stage.blobs:
            target.write_bytes(stage.blobs[rel])
        else:
            shutil.copy2(stage.files[rel], target)
    for rel in removed:
        (docs_dir / rel).unlink(missing_ok=True)


@dataclass
class Preview:
    """The preview's state between rebuilds: the last stage sent to MkDocs and its process."""

    settings: Settings
    prefix: str = ""  # how diagnostics name files (vault/a.md)
    changes: Changes = field(default_factory=Changes)

    def __post_init__(self) -> None:
        digest = hashlib.sha256(str(self.settings.vault).encode()).hexdigest()[:12]
        root = self.settings.cache_dir / "serve" / digest
        self.docs_dir, self.site_dir = root / "docs", root / "site"
        self.parse_cache = ParseCache(self.settings.cache_dir, tokens=True)
        self.query_cache = QueryCache()  # in memory: a query runs again when a fact it read changed
        self.builder: MkDocs | None = None
        self.last_stage: Stage | None = None
        self.last_stats: dict = {}
        self.search_pages = PageEntries()
        self.unsettled: set[str] = set()  # staged paths a failed rebuild sent to MkDocs
        self._lock = threading.Lock()

    def rebuild(self, config_changed: bool = False) -> Rebuild:
        """Bring the served site up to date with the vault; never raises for bad input."""
        with self._lock:
            began = time.perf_counter()
            timer = Timer()
            try:
                result = self._rebuild(timer, config_changed)
            except Exception as exc:  # the preview must survive anything a rebuild meets
                detail = str(exc) if isinstance(exc, (PublishError, diag.ConfigError)) \
                    else "".join(traceback.format_exception(exc)[-6:])
                self.changes.rebuilt(changed=False, error=detail)
                return Rebuild(detail, seconds=time.perf_counter() - began,
                               timings=tuple(timer.stages))
            self.changes.rebuilt(changed=bool(result.changed or result.removed), error=None)
            return replace(result, seconds=time.perf_counter() - began, timings=tuple(timer.stages))

    def _rebuild(self, timer: Timer, config_changed: bool) -> Rebuild:
        if config_changed:
            config = self.settings.config_path
            # As the command found it: the same file, or one that now names this vault.
            fresh = settings_for(config if self.settings.has_config else None, self.settings.vault,
                                 cwd=self.settings.project_root)
            self.settings = replace(fresh, cache_dir=self.settings.cache_dir)
            self.close()  # MkDocs reads its configuration once: start it again
        check_outside_vault(self.settings, self.site_dir)
        prepared = prepare_stage(self.settings, timer, parse_cache=self.parse_cache,
                                 report_times=False,  # else every rebuild changes a page
                                 query_cache=self.query_cache)
        notes = prepared.compilation.resolved.notes
        pages = prepared.stage.placed
        stage = with_problem_boxes(prepared.stage, prepared.diagnostics, self.prefix,
                                   messages.messages(self.settings.language))
        stats = _file_stats(stage)
        full = self.builder is None or not self.builder.alive
        first = self.last_stage is None
        changed, removed = stage_changes(None if full else self.last_stage, stage,
                                         self.last_stats, stats)
        # What a failed rebuild sent MkDocs is sent again (and what it added, removed), until
        # MkDocs has taken it: else a bad note, once deleted, stays in MkDocs for good.
        staged_now = stage.pages.keys() | stage.blobs.keys() | stage.files.keys()
        changed |= self.unsettled & staged_now
        removed |= self.unsettled - staged_now
        with timer.stage("stage"):
            if full:
                write_stage(stage, self.docs_dir)
            else:  # the difference is known: no need to compare every staged file on disk
                write_changes(stage, self.docs_dir, changed, removed)
        # The staged folder now holds this stage, whatever MkDocs makes of it.
        self.last_stage, self.last_stats = stage, stats
        self.unsettled = changed | removed
        if full:
            self.close()
            if first:  # pages of an earlier session, maybe of notes gone since
                shutil.rmtree(self.site_dir, ignore_errors=True)
            self.builder = MkDocs(self.settings, self.docs_dir, self.site_dir)
        warnings: list[Diagnostic] = []
        if changed or removed or full:
            with timer.stage("mkdocs"):
                try:
                    warnings = self.builder.update(changed, removed, full)
                except PublishError:
                    if full:
                        self.close()
                    raise
            if self.builder.engine.kb_search:  # the engine's theme reads kb's index
                with timer.stage("search"):
                    write_search_index(self.site_dir, stage.aliases, self.search_pages)
        self.unsettled = set()
        by_page = {page: note for note, page in pages.items()}
        return Rebuild(None, tuple(sorted(changed)), tuple(sorted(removed)),
                       diagnostics=prepared.diagnostics + tuple(warnings), notes=len(notes),
                       changed_notes=tuple(sorted(by_page[p] for p in changed if p in by_page)))

    def close(self) -> None:
        if self.builder is not None:
            self.builder.close()
            self.builder = None


class _Events(FileSystemEventHandler):
    def __init__(self, settings: Settings, changed: Callable[[bool], None]):
        self.settings, self.changed = settings, changed

    def dispatch(self, event: FileSystemEvent) -> None:
        if event.event_type not in _WRITES or (event.is_directory and event.event_type == "modified"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            path = Path(raw if isinstance(raw, str) else raw.decode())
            if path == self.settings.config_path:
                self.changed(True)
            elif self._watched(path):
                self.changed(False)

    def _watched(self, path: Path) -> bool:
        for root in (self.settings.vault, self.settings.snippets_dir):
            if path.is_relative_to(root):
                parts = path.relative_to(root).parts
                return not any(p.startswith(".") or p == "__pycache__" for p in parts)
        return False


class Watcher:
    """Rebuilds the preview after each burst of changes, in a thread of its own."""

    def __init__(self, preview: Preview, report: Callable[[Rebuild], None] = lambda r: None):
        self.preview, self.report = preview, report
        self._pending = threading.Event()
        self._stop = threading.Event()
        self._config_changed = False
        settings = preview.settings
        self.observer = Observer()
        events = _Events(settings, self._changed)
        self.observer.schedule(events, str(settings.vault), recursive=True)
        snippets = settings.snippets_dir
        if snippets.is_dir():
            self.observer.schedule(events, str(snippets), recursive=True)
        self.observer.schedule(events, str(settings.config_path.parent), recursive=False)
        self.thread = threading.Thread(target=self._loop, name="kb-serve-rebuild", daemon=True)

    def _changed(self, config: bool) -> None:
        self._config_changed |= config
        self._pending.set()

    def start(self) -> None:
        self.observer.start()
        self.thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            if not self._pending.wait(0.5):
                continue
            while self._pending.is_set():  # settle: no event for DEBOUNCE_SECONDS
                self._pending.clear()
                if self._stop.wait(DEBOUNCE_SECONDS):
                    return
            config, self._config_changed = self._config_changed, False
            self.report(self.preview.rebuild(config))

    def stop(self) -> None:
        self._stop.set()
        self.observer.stop()
        self.observer.join()
        self.thread.join()


def describe(result: Rebuild) -> str:
    if result.error:
        return f"rebuild failed ({result.seconds:.2f}s); still serving the last good site:\n{result.error}"
    if not (result.changed or result.removed):
        return f"nothing changed ({result.seconds:.2f}s)"
    shown = ", ".join(result.changed_notes[:5]) + (" ..." if len(result.changed_notes) > 5 else "")
    pages = f"{len(result.changed_notes)} note page(s)" + (f": {shown}" if shown else "")
    return (f"rebuilt {pages}, {len(result.changed) - len(result.changed_notes)} other file(s), "
            f"{len(result.removed)} removed in {result.seconds:.2f}s")


class PortTaken(Exception):
    """The address cannot be listened on: found before anything is built."""


def serve(settings: Settings, port: int, prefix: str = "",
          say: Callable[[str], None] = print, host: str = "127.0.0.1",
          open_browser: bool = False) -> int:
    """Build, serve on host:port and rebuild on every change until interrupted."""
    preview = Preview(settings, prefix)
    try:  # listen first: a taken port is said at once, not after the whole first build
        server = make_server(preview.site_dir, preview.changes, port, host,
                             messages.messages(settings.language))
    except OSError as exc:
        raise PortTaken(f"cannot listen on {host}:{port}: {exc.strerror}; give another port "
                        "with --port (or stop the program using it)") from None
    watcher = None
    try:
        say("building the preview ...")
        first = preview.rebuild()
        say(describe(first) if first.error else
            f"built {first.notes} notes: {diag.count(first.diagnostics, Severity.ERROR)} errors, "
            f"{diag.count(first.diagnostics, Severity.WARNING)} warnings ({first.seconds:.2f}s)")

        def report(result: Rebuild) -> None:
            say(describe(result))
            shown = [d for d in result.diagnostics if d.path in result.changed_notes]
            if shown:
                say(diag.format_all(shown, prefix))

        watcher = Watcher(preview, report)
        watcher.start()
        shown_host = f"[{host}]" if ":" in host else host
        url = f"http://{shown_host}:{server.server_address[1]}/"
        say(f"serving on {url} (Ctrl+C to stop)")
        if open_browser:
            import webbrowser

            webbrowser.open(url)
        server.serve_forever()
    except KeyboardInterrupt:
        say("stopped")
    finally:
        server.server_close()
        if watcher is not None:
            watcher.stop()
        preview.close()
    return 0
