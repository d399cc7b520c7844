"""The `kb` command: build, check and graph, from the project root with no arguments."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import diagnostics as diag
from .build import build_site, compile_vault
from .config import Settings, load_settings
from .diagnostics import ConfigError, Severity
from .graph import ghosts, most_linked
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

    try:
        result = build_site(settings, site_dir, Timer(), refuse=refuse)
    except PublishError as exc:
        print(f"error: {exc}; {site_dir} is left as it was", file=sys.stderr)
        return 1
    found = result.diagnostics
    if found and not args.quiet:
        print(diag.format_all(found, prefix), file=sys.stderr)
    times = ", ".join(f"{t.name} {t.seconds:.2f}s" for t in result.timings)
    print(f"built {len(result.stage.pages)} pages into {site_dir}: {_summary(found)} ({times})")
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    settings = _settings(args)
    graph = compile_vault(settings).graph
    notes = [n for n, ghost in graph.nodes(data="ghost") if not ghost]
    print(f"{len(notes)} notes, {graph.number_of_nodes() - len(notes)} ghost targets, "
          f"{graph.number_of_edges()} links")
    print("\nmost linked:")
    for path, count in most_linked(graph, 10):
        print(f"  {count:4d}  {path}")
    orphans = sorted(n for n in notes if graph.degree(n) == 0)
    print(f"\norphans ({len(orphans)}):")
    for path in orphans:
        print(f"  {path}")
    wanted = ghosts(graph)
    print(f"\nghost targets ({len(wanted)}):")
    for title, sources in wanted:
        print(f"  {title}  <- {', '.join(sources)}")
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
    build.add_argument("--quiet", action="store_true", help="print only the summary")
    build.set_defaults(run=cmd_build)

    check = commands.add_parser("check", parents=[common], help="report diagnostics")
    check.add_argument("--strict", action="store_true", help="exit non-zero on warnings too")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(run=cmd_check)

    graph = commands.add_parser("graph", parents=[common], help="print graph statistics")
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
