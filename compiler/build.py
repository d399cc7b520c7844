"""The pipeline: scan -> parse -> resolve -> graph -> render -> publish, with per-stage
timings (and peak memory when traced) for the build report and the benchmarks.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import networkx as nx

from . import (
    barrier,
    filedates,
    messages,
    navigation,
    prerequisites,
    reading,
    report,
    site_assets,
    social,
    workers,
)
from .analysis import analyse
from .blocks import BlockResult, connect_executor, run_blocks
from .cache import ParseCache
from .canvas import canvas_note
from .config import Settings
from .diagnostics import Diagnostic, Severity
from .embeds import check_embeds
from .execute_dask import ExecutorError
from .facts import build_facts
from .forms import wikilinks
from .graph import build_graph
from .parse import Note
from .publish import PublishError, WriteStats, publish
from .queries import Queries, evaluate_queries, has_queries
from .query_cache import QueryCache
from .render import Stage, published_only, render_site, staged_paths
from .resolve import Resolved, resolve_vault
from .sanitize import with_safe_svgs
from .scan import ScanResult, scan_vault, vault_state
from .timing import StageTiming, Timer


@dataclass(frozen=True)
class Compilation:
    scan: ScanResult
    resolved: Resolved
    graph: nx.DiGraph
    diagnostics: tuple[Diagnostic, ...]
    parse_cache_hits: int


def read_notes(scan: ScanResult, cache: ParseCache, max_bytes: int | None = None
               ) -> dict[str, Note]:
    """Every note parsed; one larger than `max_bytes` (kb.max_note_bytes) is cut at the last
    line that fits, and said so."""
    notes = {}
    for file in scan.notes:
        try:
            with open(file.source, "rb") as handle:
                data = handle.read(max_bytes + 1) if max_bytes else handle.read()
            if max_bytes and len(data) > max_bytes:
                cut = data.rfind(b"\n", 0, max_bytes) + 1 or _char_boundary(data, max_bytes)
                note = barrier.parse_guarded(file.path, cache.parse, data[:cut])
                problem = Diagnostic(file.path, note.source.count("\n") + 1, 1, Severity.WARNING,
                                     "note-too-large",
                                     f"the note is larger than kb.max_note_bytes ({max_bytes:,} "
                                     "bytes); it is published up to this line",
                                     "split the note, or raise kb.max_note_bytes")
                notes[file.path] = replace(note, diagnostics=(*note.diagnostics, problem))
                continue
            notes[file.path] = barrier.parse_guarded(file.path, cache.parse, data)
        except OSError as exc:  # published empty, and said so
            problem = Diagnostic(file.path, 0, 0, Severity.ERROR, "unreadable-note",
                                 f"cannot read the note: {exc.strerror}")
            empty = ParseCache(None).parse(file.path, b"")
            notes[file.path] = replace(empty, diagnostics=(problem,))
    for file in scan.canvases:  # a board is a page too: its links are links of the vault
        try:
            notes[file.path] = barrier.parse_guarded(file.path, canvas_note, file.source.read_bytes())
        except OSError as exc:
            problem = Diagnostic(file.path, 0, 0, Severity.ERROR, "unreadable-note",
                                 f"cannot read the canvas: {exc.strerror}")
            notes[file.path] = replace(canvas_note(file.path, b""), diagnostics=(problem,))
    return notes


def _char_boundary(data: bytes, at: int) -> int:
    """`at`, moved back to the start of the UTF-8 character it falls in (a note of one line
    is cut between characters, not inside one)."""
    while at > 0 and 0x80 <= data[at] < 0xC0:
        at -= 1
    return at


def compile_vault(settings: Settings, timer: Timer | None = None, use_cache: bool = True,
                  parse_cache: ParseCache | None = None, tokens: bool = False) -> Compilation:
    """Every stage up to the graph: all that `kb check` needs. `parse_cache`: one kept
    across calls (kb serve) instead of the cache folder read afresh. `tokens`: every note
    keeps markdown-it's tokens, which render walks (so no note is parsed twice)."""
    timer = timer or Timer()
    with timer.stage("scan"):
        scan = scan_vault(settings.vault, settings.ignore)
    cache = parse_cache or ParseCache(settings.cache_dir if use_cache else None, tokens)
    with timer.stage("parse"):
        notes = read_notes(scan, cache, settings.max_note_bytes)
        cache.save()
    with timer.stage("resolve"):
        resolved = resolve_vault(notes, {f.path: f for f in scan.attachments})
    with timer.stage("graph"):
        graph = build_graph(resolved)
    diagnostics = (*scan.diagnostics, *(d for n in notes.values() for d in n.diagnostics),
                   *resolved.diagnostics, *check_embeds(resolved), *prerequisites.check(notes))
    return Compilation(scan, resolved, graph, diagnostics, cache.hits)


def vault_writes(before: dict, after: dict) -> list[Diagnostic]:
    """Blocks run with the user's rights: one that wrote into the vault is reported."""
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    return [Diagnostic(path, 0, 0, Severity.ERROR, "vault-written",
                       "an executable block changed, created or deleted this vault file",
                       "blocks must write only into their own working folder") for path in changed]


@dataclass(frozen=True)
class Prepared:
    """Everything up to the staged Markdown: what `kb build` publishes and `kb serve` previews."""
    compilation: Compilation
    blocks: dict[tuple[str, int], BlockResult]  # by (note path, block index)
    stage: Stage
    diagnostics: tuple[Diagnostic, ...]  # of every stage up to render


@dataclass(frozen=True)
class Staged:
    """What publishing needs of a build's compilation. `kb build` makes it in a process of
    its own (`workers.in_child`) that ends before the pages are built, so the compilation's
    memory (notes, tokens, graph: about 430 MiB at 6,600 notes) is given back to the system
    instead of staying taken beside MkDocs' processes."""
    blocks: dict[tuple[str, int], BlockResult]  # by (note path, block index)
    stage: Stage
    diagnostics: tuple[Diagnostic, ...]  # of every stage up to render
    counted: report.BuildReport  # the report's counts of the whole vault, no diagnostics yet
    timings: tuple[StageTiming, ...]


def stage_for_publishing(settings: Settings, use_cache: bool = True,
                         progress: Callable[[BlockResult], None] | None = None) -> Staged:
    """`prepare_stage`, keeping only what publishing needs (a bar of `progress` closed)."""
    timer = Timer()
    try:
        prepared = prepare_stage(settings, timer, use_cache, progress)
    finally:
        if hasattr(progress, "close"):  # the bar is this process's to end
            progress.close()
    counted = report.vault_counts(prepared.compilation.resolved, prepared.compilation.graph,
                                  prepared.blocks)
    return Staged(prepared.blocks, prepared.stage, prepared.diagnostics, counted,
                  tuple(timer.stages))


@dataclass(frozen=True)
class BuildResult:
    blocks: dict[tuple[str, int], BlockResult]  # by (note path, block index)
    stage: Stage
    written: WriteStats
    diagnostics: tuple[Diagnostic, ...]  # of every stage, MkDocs and the site check included
    timings: tuple[StageTiming, ...]
    report_file: str | None = None  # the build report in the cache folder
    report: report.BuildReport | None = None


def prepare_stage(settings: Settings, timer: Timer | None = None, use_cache: bool = True,
                  progress: Callable[[BlockResult], None] | None = None,
                  parse_cache: ParseCache | None = None, report_times: bool = True,
                  query_cache: QueryCache | None = None) -> Prepared:
    """Compile, run the blocks and render, with the build report's page. Raises PublishError
    when the vault cannot be read, or the blocks' cluster (kb.executor) cannot be reached.
    `query_cache`: one kept across calls (kb serve) instead of the cache folder's."""
    timer = timer or Timer()
    try:
        site_assets.check_installed()
        cluster = connect_executor(settings.executor)
    except (site_assets.MissingAsset, ExecutorError) as exc:
        raise PublishError(str(exc)) from None
    compilation = compile_vault(settings, timer, use_cache, parse_cache, tokens=True)
    if any(d.code == "vault-missing" for d in compilation.diagnostics):
        raise PublishError(f"the vault {settings.vault} does not exist; nothing was built")
    if hasattr(progress, "expect"):  # a progress bar: tell it how many blocks there are
        progress.expect(sum(len(n.blocks) for n in compilation.resolved.notes.values()))
    with timer.stage("execute"):
        before: dict = {}  # the vault as it was, taken only when a block is about to run
        blocks, block_problems = run_blocks(compilation.resolved.notes, settings.snippets_dir.parent,
                                            settings.cache_dir / "blocks", progress=progress,
                                            sandbox=settings.sandbox, readable=(settings.vault,),
                                            before_running=lambda: before.update(
                                                vault=vault_state(settings.vault)),
                                            cluster=cluster)
        if before:
            block_problems += vault_writes(before["vault"], vault_state(settings.vault))
    with timer.stage("analysis"):
        summary = analyse(compilation.graph, compilation.resolved.notes)
    with timer.stage("query"):
        shown = published_only(compilation.resolved)
        asked = has_queries(shown)
        sizes, dates = file_facts(compilation, settings) if asked or settings.site_url else ({}, {})
        if asked:
            kept = query_cache or QueryCache(settings.cache_dir if use_cache else None)
            queries = evaluate_queries(shown, build_facts(shown, sizes, dates), kept)
            kept.save()
        else:
            queries = Queries()
    with messages.use_language(settings.language), wikilinks.link_titles(settings.link_titles):
        with timer.stage("render"):
            stage = render_site(compilation.resolved, compilation.graph, settings.site_name,
                                settings.home, blocks, summary, settings.raw_html, queries,
                                settings.home_names)
            stage = navigation.collapse_big_folders(stage, page_titles(compilation.resolved, settings))
            stage = reading.rank_index_pages_lower(stage)
            stage = with_safe_svgs(stage)
        if settings.site_url:  # read elsewhere: link previews and a feed (social.py)
            stage = social.add_to_stage(stage, shown, blocks, dates, settings.site_name,
                                        settings.site_url, settings.language)
        found = (compilation.diagnostics + tuple(block_problems) + queries.diagnostics
                 + stage.diagnostics)
        # The published report tells nothing about a `publish: false` note: not its path, not its
        # diagnostics (which quote its text), not its links, blocks or figures.
        private = {p for p, n in compilation.resolved.notes.items() if not n.published}
        summary_so_far = report.make_report(
            published_only(compilation.resolved), compilation.graph,
            {key: r for key, r in blocks.items() if key[0] not in private},
            tuple(d for d in found if not _names_any(d, private)), timer.stages)
        if settings.publish_report:
            stage = report.add_to_stage(stage, summary_so_far, vault_prefix(settings), report_times)
    return Prepared(compilation, blocks, stage, found)


def file_facts(compilation: Compilation, settings: Settings
               ) -> tuple[dict[str, int], dict[str, tuple[dt.datetime, dt.datetime]]]:
    """The published notes' sizes and (created, modified) dates, read once for the queries
    and the feed (`compiler.filedates`)."""
    shown = published_only(compilation.resolved)
    files = [f for f in compilation.scan.notes if f.path in shown.notes]
    return filedates.file_facts(settings.vault, files,
                                {p: n.properties for p, n in shown.notes.items()},
                                settings.created_properties, settings.modified_properties)


def vault_queries(compilation: Compilation, settings: Settings) -> Queries:
    """Bases and Dataview queries evaluated over the facts of the published notes (a note
    left out of the site is left out of every query's result too)."""
    shown = published_only(compilation.resolved)
    if not has_queries(shown):
        return Queries()
    kept = QueryCache(settings.cache_dir)
    queries = evaluate_queries(shown, build_facts(shown, *file_facts(compilation, settings)), kept)
    kept.save()
    return queries


def page_titles(resolved: Resolved, settings: Settings) -> dict[str, str]:
    """The title of each published note by its staged page."""
    notes = published_only(resolved).notes
    pages, _ = staged_paths(notes, settings.home, settings.home_names)
    return {page: notes[path].title for path, page in pages.items()}


def _names_any(diagnostic: Diagnostic, paths: set[str]) -> bool:
    """Whether a diagnostic is about one of the paths, or names one in its text."""
    return diagnostic.path in paths or any(
        p in diagnostic.message or p in diagnostic.hint for p in paths)


def vault_prefix(settings: Settings) -> str:
    """How pages name vault files: as seen from the project root (vault/a.md)."""
    return os.path.relpath(settings.vault, settings.project_root) + "/"


def build_site(settings: Settings, site_dir: Path, timer: Timer | None = None,
               use_cache: bool = True,
               refuse: Callable[[tuple[Diagnostic, ...]], bool] | None = None,
               progress: Callable[[BlockResult], None] | None = None,
               full: bool = False) -> BuildResult:
    """Compile, render and publish. Raises PublishError, leaving site_dir as it was, when
    the vault cannot be read, when `refuse` says no to the diagnostics, or when MkDocs fails.
    Only the pages that changed since the published site are written again, unless `full`."""
    timer = timer or Timer()
    try:
        staged = workers.in_child(lambda: stage_for_publishing(settings, use_cache, progress))
    except workers.ChildLost as exc:
        raise PublishError(str(exc)) from None
    timer.stages.extend(staged.timings)
    found = staged.diagnostics
    if refuse is not None and refuse(found):
        raise PublishError("the build was refused because of the diagnostics above")
    written, published = publish(staged.stage, settings, site_dir, timer, full)
    built = report.with_diagnostics(staged.counted, found + published, timer.stages)
    try:
        saved = report.save_private(built, settings.cache_dir, vault_prefix(settings),
                                    messages.messages(settings.language))
    except OSError:  # the site is published; a cache folder that refuses a file loses only this
        saved = None
    return BuildResult(staged.blocks, staged.stage, written, found + published,
                       tuple(timer.stages), saved, built)
