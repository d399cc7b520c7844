"""The `kb` command: build, check and graph, from the project root with no arguments."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import diagnostics as diag
from . import report
from .blocks import BlockResult, plan, run_blocks
from .build import build_site, compile_vault
from .config import Settings, load_settings
from .diagnostics import ConfigError, Severity
from .publish import PublishError
from .timing import Timer


def _settings(args: argparse.Namespace) -> Settings:
    config = Path(args.config)
    return load_settings(config.parent if config.parent != Path() else Path.cwd(), config.name,
                         Path(args.vault) if args.vault else None)


def _prefix(settings: Settings) -> str:
    """Diagnostics name files as the user sees them from here: vault/a/b.md:3:1."""
    try:
        return os.path.relpath(settings.vault, Path.cwd()) + "/"
    except ValueError:
        return str(settings.vault) + "/"


def _fails(diagnostics: tuple[diag.Diagnostic, ...], strict: bool) -> bool:
    worst = {d.severity for d in diagnostics}
    return Severity.ERROR in worst or (strict and Severity.WARNING in worst)


def _summary(diagnostics: tuple[diag.Diagnostic, ...]) -> str:
    return (f"{diag.count(diagnostics, Severity.ERROR)} errors, "
            f"{diag.count(diagnostics, Severity.WARNING)} warnings")


def cmd_check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    compilation = compile_vault(settings)
    found = compilation.diagnostics
    if args.format == "json":
        print(diag.to_json(found))
    else:
        if found:
            print(diag.format_all(found, _prefix(settings)))
        print(f"checked {len(compilation.resolved.notes)} notes: {_summary(found)}", file=sys.stderr)
    return 1 if _fails(found, args.strict) else 0


def cmd_build(args: argparse.Namespace) -> int:
    settings = _settings(args)
    site_dir = Path(args.out) if args.out else settings.project_root / "site"
    prefix = _prefix(settings)

    def refuse(found: tuple[diag.Diagnostic, ...]) -> bool:
        if args.strict and _fails(found, strict=True):
            print(diag.format_all(found, prefix), file=sys.stderr)
            print(f"--strict: {_summary(found)}", file=sys.stderr)
            return True
        return False

    colour = report.use_colour(sys.stderr)
    bar = report.BlockProgress() if not args.quiet else None
    try:
        result = build_site(settings, site_dir, Timer(), refuse=refuse, progress=bar)
    except PublishError as exc:
        print(f"error: {exc}; {site_dir} is left as it was", file=sys.stderr)
        return 1
    finally:
        if bar:
            bar.close()  # the diagnostics start on a line of their own
    found = result.diagnostics
    if found and not args.quiet:
        print(report.diagnostics_text(found, prefix, colour), file=sys.stderr)
    if args.verbose:
        for line in _block_lines(result.blocks.values()):
            print(f"  {line}")
    built = report.make_report(result.compilation.resolved, result.blocks, found, result.timings)
    print(f"built {len(result.stage.pages)} pages into {site_dir}: {_summary(found)}; "
          f"report: {site_dir / report.ASSET_DIR / 'report' / 'index.html'}")
    print(report.summary_text(built, report.use_colour(sys.stdout)))
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    from .deploy import DeployError, deploy

    built = cmd_build(args)
    if built != 0:
        return built
    settings = _settings(args)
    site_dir = Path(args.out) if args.out else settings.project_root / "site"
    try:
        commit = deploy(site_dir, settings.project_root, args.remote, args.branch, args.message)
    except DeployError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"deployed {site_dir} to {args.remote} {args.branch} ({commit[:12]})")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    settings = _settings(args)
    return serve(settings, args.port, _prefix(settings), say=lambda line: print(line, flush=True))


def _block_lines(results) -> list[str]:
    """One line per block: where it is, how it ended, whether it ran, and its time."""
    return [f"{r.note}#{r.block.index + 1}: {r.outcome.status}, "
            f"{'cached' if r.cached else 'executed'}, {r.outcome.seconds:.2f}s"
            for r in sorted(results, key=lambda r: (r.note, r.block.index))]


def _blocks_summary(results) -> str:
    results = list(results)
    ran = [r for r in results if not r.cached]
    failed = [r for r in results if r.failed]
    seconds = sum(r.outcome.seconds for r in ran)
    return (f"blocks: {len(ran)} executed ({seconds:.2f}s), {len(results) - len(ran)} cached, "
            f"{len(failed)} failed")


def _progress():
    """One line per finished block on a terminal; nothing in CI logs."""
    if not sys.stderr.isatty():
        return None

    def show(result: BlockResult) -> None:
        state = "cached" if result.cached else f"{result.outcome.seconds:.2f}s"
        print(f"\r\033[K  {result.note} block {result.block.index + 1}: "
              f"{result.outcome.status} ({state})", end="", file=sys.stderr, flush=True)

    return show


def _selected(notes: dict, target: str | None) -> tuple[dict, int | None]:
    """`NOTE` or `NOTE#N` (N from 1) -> the notes to run, and the block number if given."""
    if not target:
        return notes, None
    name, _, number = target.partition("#")
    name = name.removesuffix(".md") + ".md"
    chosen = {p: n for p, n in notes.items() if p == name or p.endswith("/" + name)}
    return chosen, int(number) if number.isdigit() else None


def cmd_snippets(args: argparse.Namespace) -> int:
    settings = _settings(args)
    notes = compile_vault(settings).resolved.notes
    chosen, number = _selected(notes, getattr(args, "target", None))
    if not chosen:
        print(f"error: no note matches {args.target!r}", file=sys.stderr)
        return 2
    if args.action == "list":
        from .snippet_cache import OutcomeStore

        store = OutcomeStore(settings.cache_dir / "blocks")
        for item in plan(chosen, settings.project_root):
            stored = store.get(item.key)
            state = f"cached {stored.status} ({stored.seconds:.2f}s)" if stored else "not run"
            figures = ", ".join(item.block.figures) or "-"
            print(f"{item.note}#{item.block.index + 1} (line {item.block.line}) "
                  f"session {item.session}: {state}; figures: {figures}")
        return 0
    only = None
    if number is not None:
        note = next(iter(chosen.values())) if len(chosen) == 1 else None
        if note is None or not 1 <= number <= len(note.blocks):
            print(f"error: {args.target!r} names no block", file=sys.stderr)
            return 2
        only = {(note.path, number - 1)}
    results, problems = run_blocks(chosen, settings.project_root, settings.cache_dir / "blocks",
                                   progress=_progress(), only=only, sandbox=settings.sandbox,
                                   readable=(settings.vault,))
    if sys.stderr.isatty():
        print(file=sys.stderr)
    for line in _block_lines(results.values()):
        print(line)
    if problems:
        print(diag.format_all(problems, _prefix(settings)), file=sys.stderr)
    print(_blocks_summary(results.values()))
    return 1 if any(r.failed for r in results.values()) else 0


def _titles(paths: list[str], measures: dict, limit: int = 12) -> str:
    names = [measures[p].title for p in paths[:limit]]
    more = f", ... (+{len(paths) - limit})" if len(paths) > limit else ""
    return ", ".join(names) + more


def cmd_graph(args: argparse.Namespace) -> int:
    from .analysis import analyse, export

    settings = _settings(args)
    compilation = compile_vault(settings)
    graph = compilation.graph
    summary = analyse(graph, compilation.resolved.notes)
    measures = summary.measures
    links = sum(1 for a, b in graph.edges if a != b)
    print(f"{len(measures)} notes, {len(summary.ghosts)} ghost targets, {links} links, "
          f"{len(summary.communities)} communities")
    print("\nmost central (PageRank, links in/out):")
    for m in sorted(measures.values(), key=lambda m: (-m.pagerank, m.path))[:10]:
        print(f"  {m.pagerank:.3f}  {m.links_in:3d} in {m.links_out:3d} out  {m.title}  ({m.path})")
    grouped = [c for c in summary.communities if len(c) > 1]
    print(f"\ncommunities ({len(grouped)} with more than one note):")
    for members in grouped:
        number = measures[members[0]].community
        ordered = sorted(members, key=lambda p: (-measures[p].pagerank, p))
        print(f"  {number}. ({len(members)}) {_titles(ordered, measures)}")
    orphans = sorted(p for p, m in measures.items() if m.orphan)
    print(f"\norphans ({len(orphans)}):")
    for path in orphans:
        print(f"  {path}")
    dead_ends = sorted(p for p, m in measures.items() if m.dead_end)
    print(f"\ndead ends ({len(dead_ends)}):")
    for path in dead_ends:
        print(f"  {path}")
    print(f"\nghost targets ({len(summary.ghosts)}):")
    for title, sources in summary.ghosts:
        print(f"  {title}  <- {', '.join(sources)}")
    if args.format:
        out = Path(args.out) if args.out else Path(f"graph.{args.format}")
        export(graph, summary, args.format, out)
        print(f"\nwrote {out}")
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--vault", help="the vault folder (default: kb.vault in mkdocs.yml, or vault/)")
    common.add_argument("--config", default="mkdocs.yml", help="the site configuration file")

    build = commands.add_parser("build", parents=[common], help="compile the vault into site/")
    build.add_argument("--out", help="the output folder (default: site/)")
    build.add_argument("--strict", action="store_true", help="refuse to build on any warning")
    loudness = build.add_mutually_exclusive_group()
    loudness.add_argument("--quiet", action="store_true", help="print only the summary")
    loudness.add_argument("--verbose", action="store_true", help="also list every block with its time")
    build.set_defaults(run=cmd_build)

    deploy = commands.add_parser("deploy", parents=[build], add_help=False,
                                 help="build, then push the site to a branch of a git remote")
    deploy.add_argument("--remote", default="origin", help="the git remote (default: origin)")
    deploy.add_argument("--branch", default="gh-pages", help="the branch (default: gh-pages)")
    deploy.add_argument("--message", help="the commit message (default: kb deploy of <HEAD>)")
    deploy.set_defaults(run=cmd_deploy)

    serve = commands.add_parser("serve", parents=[common],
                                help="preview the site on 127.0.0.1, rebuilt and reloaded on every edit")
    serve.add_argument("--port", type=int, default=8000, help="the port (default: 8000)")
    serve.set_defaults(run=cmd_serve)

    check = commands.add_parser("check", parents=[common], help="report diagnostics")
    check.add_argument("--strict", action="store_true", help="exit non-zero on warnings too")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(run=cmd_check)

    snippets = commands.add_parser("snippets", help="list or run the executable blocks")
    actions = snippets.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", parents=[common], help="blocks with their cache status")
    listing.add_argument("target", nargs="?", help="a note (NOTE or NOTE.md)")
    listing.set_defaults(run=cmd_snippets)
    running = actions.add_parser("run", parents=[common], help="run blocks (cached ones are reused)")
    running.add_argument("target", nargs="?", help="a note, or NOTE#N for its N-th block")
    running.set_defaults(run=cmd_snippets)

    graph = commands.add_parser("graph", parents=[common],
                                help="summarise the concept graph, or export it")
    graph.add_argument("--format", choices=("json", "graphml", "gexf", "png", "svg"),
                       help="also export the graph in this format")
    graph.add_argument("--out", help="the export file (default: graph.FORMAT here)")
    graph.set_defaults(run=cmd_graph)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as exc:
        print(exc.diagnostic.format(), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
