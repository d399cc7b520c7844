"""The pipeline: scan -> parse -> resolve -> graph -> render -> publish, with per-stage
timings (and peak memory when traced) for the build report and the benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from .cache import ParseCache
from .config import Settings
from .diagnostics import Diagnostic, Severity
from .graph import build_graph
from .parse import Note
from .publish import WriteStats, publish
from .render import Stage, render_site
from .resolve import Resolved, resolve_vault
from .scan import ScanResult, scan_vault
from .timing import StageTiming, Timer


@dataclass(frozen=True)
class Compilation:
    scan: ScanResult
    resolved: Resolved
    graph: nx.DiGraph
    diagnostics: tuple[Diagnostic, ...]
    parse_cache_hits: int


def read_notes(scan: ScanResult, cache: ParseCache) -> dict[str, Note]:
    notes = {}
    for file in scan.notes:
        try:
            data = file.source.read_bytes()
        except OSError as exc:
            data = b""
            problem = Diagnostic(file.path, 0, 0, Severity.ERROR, "unreadable-note",
                                 f"cannot read the note: {exc.strerror}")
            note = cache.parse(file.path, data)
            notes[file.path] = Note(**{**note.__dict__, "diagnostics": (problem,)})
            continue
        notes[file.path] = cache.parse(file.path, data)
    return notes


def compile_vault(settings: Settings, timer: Timer | None = None, use_cache: bool = True
                  ) -> Compilation:
    """Every stage up to the graph: all that `kb check` needs."""
    timer = timer or Timer()
    with timer.stage("scan"):
        scan = scan_vault(settings.vault, settings.ignore)
    cache = ParseCache(settings.cache_dir if use_cache else None)
    with timer.stage("parse"):
        notes = read_notes(scan, cache)
    with timer.stage("resolve"):
        resolved = resolve_vault(notes, {f.path: f for f in scan.attachments})
    with timer.stage("graph"):
        graph = build_graph(resolved)
    diagnostics = (*scan.diagnostics, *(d for n in notes.values() for d in n.diagnostics),
                   *resolved.diagnostics)
    return Compilation(scan, resolved, graph, diagnostics, cache.hits)


@dataclass(frozen=True)
class BuildResult:
    compilation: Compilation
    stage: Stage
    written: WriteStats
    timings: tuple[StageTiming, ...]


def build_site(settings: Settings, site_dir: Path, timer: Timer | None = None,
               use_cache: bool = True) -> BuildResult:
    """Compile, render and publish. Raises PublishError and leaves site_dir as it was."""
    timer = timer or Timer()
    compilation = compile_vault(settings, timer, use_cache)
    with timer.stage("render"):
        stage = render_site(compilation.resolved, compilation.graph, settings.site_name,
                            settings.home)
    written = publish(stage, settings, site_dir, timer)
    return BuildResult(compilation, stage, written, tuple(timer.stages))
