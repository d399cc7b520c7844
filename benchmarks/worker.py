"""One measured build, in a process of its own (started by `benchmarks.bench`).

    python -m benchmarks.worker PROJECT VAULT SITE RESULT.json [--trace] [--no-mkdocs]
                                [--profile OUT.prof] [--engine NAME]

Runs the whole build (`build_site`) on PROJECT and writes what it measured to RESULT.json:
per-stage wall time, per-stage peak Python memory when --trace (tracemalloc), the process's
and its children's (the MkDocs run) maximum resident set size. A fresh process per run
keeps the runs from polluting each other's memory peaks and warm in-process caches.

--no-mkdocs stops after writing the staged folder (no MkDocs, no site check).
--profile runs the compile stages (scan..render, parse cache off) under cProfile instead.
--engine publishes with that engine instead of the configuration's `kb.engine`.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import resource
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import replace
from pathlib import Path

from compiler.build import Compilation, build_site, compile_vault
from compiler.config import load_settings
from compiler.diagnostics import Diagnostic, Severity
from compiler.publish import PublishError, write_stage
from compiler.render import render_site
from compiler.timing import Timer


def _max_rss_bytes(who: int) -> int:
    # Linux reports kilobytes, macOS bytes.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(who).ru_maxrss * scale


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _counts(compilation: Compilation) -> dict:
    return {"notes": len(compilation.resolved.notes),
            "attachments": len(compilation.resolved.attachments),
            "links": sum(len(links) for links in compilation.resolved.links.values()),
            "graph_edges": compilation.graph.number_of_edges(),
            "parse_cache_hits": compilation.parse_cache_hits,
            "diagnostics": len(compilation.diagnostics)}


def _findings(diagnostics: tuple[Diagnostic, ...]) -> dict:
    """What a build found, for `benchmarks.real_vaults`: diagnostics by code, the internal
    errors and the site check's broken references (a sample of each)."""
    by_code = Counter(d.code for d in diagnostics)
    broken = [d for d in diagnostics if d.code == "broken-reference"]
    anchors = [d for d in broken if "missing anchor" in d.message]
    return {"diagnostic_codes": dict(sorted(by_code.items())),
            "errors": sum(d.severity is Severity.ERROR for d in diagnostics),
            "internal_errors": [d.format() for d in diagnostics if d.code == "internal-error"],
            "broken_links": len(broken) - len(anchors), "broken_anchors": len(anchors),
            "broken_sample": [d.format() for d in broken[:20]]}


def _compile_and_stage(settings, timer: Timer) -> dict:
    compilation = compile_vault(settings, timer)
    with timer.stage("render"):
        stage = render_site(compilation.resolved, compilation.graph, settings.site_name,
                            settings.home)
    with timer.stage("stage"):
        write_stage(stage, settings.cache_dir / "stage")
    return {"pages": len(stage.pages), **_counts(compilation)}


def _profile(settings, out: Path) -> dict:
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    compilation = compile_vault(settings, use_cache=False)
    stage = render_site(compilation.resolved, compilation.graph, settings.site_name, settings.home)
    profiler.disable()
    seconds = time.perf_counter() - start
    profiler.dump_stats(out)
    return {"pages": len(stage.pages), "profiled_seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("project", type=Path)
    parser.add_argument("vault", type=Path)
    parser.add_argument("site", type=Path)
    parser.add_argument("result", type=Path)
    parser.add_argument("--trace", action="store_true", help="trace Python memory (tracemalloc)")
    parser.add_argument("--no-mkdocs", action="store_true")
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--full", action="store_true",
                        help="write every page again (kb build --full), not only what changed")
    parser.add_argument("--engine")
    args = parser.parse_args(argv)

    if args.trace:
        tracemalloc.start()
    start = time.perf_counter()
    settings = load_settings(args.project, vault=args.vault)
    if args.engine:
        settings = replace(settings, engine=args.engine)
    timer = Timer()
    report: dict = {"ok": True, "error": None}
    try:
        if args.profile:
            report |= _profile(settings, args.profile)
        elif args.no_mkdocs:
            report |= _compile_and_stage(settings, timer)
        else:
            result = build_site(settings, args.site, timer, full=args.full)
            report |= {"pages": len(result.stage.pages), **_counts(result.compilation),
                       "written": result.written.written, "unchanged": result.written.unchanged,
                       "pages_written": result.written.pages_written,
                       "pages_converted": result.written.converted,
                       "incremental": result.written.incremental,
                       **_findings(result.diagnostics)}
    except PublishError as exc:
        report |= {"ok": False, "error": str(exc)[:4000]}
    report |= {
        "total_seconds": time.perf_counter() - start,
        "stages": [{"name": t.name, "seconds": t.seconds, "peak_bytes": t.peak_bytes,
                    "started": t.started}
                   for t in timer.stages],
        # Python memory still held when the build returns (the peaks are per stage above).
        "traced_current_bytes": tracemalloc.get_traced_memory()[0] if args.trace else None,
        "max_rss_self_bytes": _max_rss_bytes(resource.RUSAGE_SELF),
        "max_rss_children_bytes": _max_rss_bytes(resource.RUSAGE_CHILDREN),
        "cpu_seconds": _cpu_seconds(resource.RUSAGE_SELF) + _cpu_seconds(resource.RUSAGE_CHILDREN),
    }
    args.result.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
