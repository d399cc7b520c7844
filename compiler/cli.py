"""The `kb` command: build, check, serve, deploy and graph, from the project root with no arguments.

Exit codes (the table in README.md): 0 done; 1 errors were found (the site is published
with them, except under --strict) or the build could not finish; 2 a usage or configuration
problem, found before anything was built; 3 an unexpected failure of kb itself, with its
traceback in a log file; 130 interrupted.

Only light modules are imported here: each command imports the stages it runs, so that
`kb --help` does not wait for NetworkX, igraph, matplotlib or MkDocs.
"""

from __future__ import annotations

import os
import signal
import sys

if __name__ == "__main__" or os.path.basename(sys.argv[0]) == "kb":
    # Ctrl+C while the modules below load ends as it does later; main() takes over from there.
    signal.signal(signal.SIGINT, lambda number, frame: (
        os.write(2, b"\ninterrupted; nothing was written\n"), os._exit(130)))

import argparse
import difflib
import errno
import re
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from . import diagnostics as diag
from .diagnostics import ConfigError, Severity, display_path
from .engines import ENGINES

OK, FOUND_ERRORS, USAGE, INTERNAL, INTERRUPTED = 0, 1, 2, 3, 130
PACKAGE = "kb-vault-compiler"


class UsageError(Exception):
    """A wrong command line, vault, output folder, port or remote: exit 2, before building."""


def _settings(args: argparse.Namespace):
    from .config import settings_for

    if args.config and not Path(args.config).is_file():
        raise UsageError(f"no configuration file {display_path(Path(args.config))}: give the "
                         "vault's mkdocs.yml with --config FILE (kb init writes one)")
    settings = settings_for(Path(args.config) if args.config else None,
                            Path(args.vault) if args.vault else None)
    if getattr(args, "executor", None):  # --executor wins over kb.executor
        settings = _with_executor(settings, args.executor)
    vault = settings.vault
    if not vault.exists():
        raise UsageError(f"the vault {display_path(vault)} does not exist: give the vault's folder "
                         "with --vault FOLDER (or kb.vault in mkdocs.yml)")
    if not vault.is_dir():
        raise UsageError(f"the vault {display_path(vault)} is a file, not a folder: give the "
                         "folder holding the notes with --vault FOLDER")
    if getattr(args, "engine", None):  # kb build/serve --engine: instead of kb.engine
        from dataclasses import replace

        settings = replace(settings, engine=args.engine)
    return settings


def _with_executor(settings, executor: str):
    from dataclasses import replace

    from .execute_dask import ExecutorError, is_cluster, scheduler_address

    if is_cluster(executor):
        try:
            scheduler_address(executor)
        except ExecutorError as exc:
            raise UsageError(f"--executor: {exc}") from None
    return replace(settings, executor=executor)


def _cluster(settings):
    """The Dask cluster the blocks run on (None: the local pool), reached before anything is
    built: an unreachable scheduler is a usage error."""
    from .blocks import connect_executor
    from .execute_dask import ExecutorError

    try:
        return connect_executor(settings.executor)
    except ExecutorError as exc:
        raise UsageError(str(exc)) from None


def _prefix(settings) -> str:
    """Diagnostics name files as the user sees them from here: vault/a/b.md:3:1."""
    return display_path(settings.vault) + "/"


def _site_dir(args: argparse.Namespace, settings) -> Path:
    return Path(args.out).absolute() if args.out else settings.site_dir


def _fails(diagnostics, strict: bool) -> bool:
    worst = {d.severity for d in diagnostics}
    return Severity.ERROR in worst or (strict and Severity.WARNING in worst)


def _summary(diagnostics) -> str:
    return (f"{diag.count(diagnostics, Severity.ERROR)} errors, "
            f"{diag.count(diagnostics, Severity.WARNING)} warnings")


def _stored_block_problems(settings, notes: dict) -> tuple[list[diag.Diagnostic], int]:
    """The failures the block store remembers, without running anything; and how many blocks
    have no stored outcome (never run, or changed since)."""
    from .blocks import BlockResult, diagnose, plan
    from .snippet_cache import OutcomeStore

    store = OutcomeStore(settings.cache_dir / "blocks")
    known, unknown = [], 0
    for item in plan(notes, settings.snippets_dir.parent):
        outcome = store.get(item.key)
        if outcome is None:
            unknown += 1
        else:
            known.append(BlockResult(item.note, item.block, outcome, cached=True))
    return diagnose(known), unknown


def cmd_check(args: argparse.Namespace) -> int:
    from .build import compile_vault, vault_queries

    settings = _settings(args)
    compilation = compile_vault(settings)
    notes = compilation.resolved.notes
    if args.run_blocks:
        from .blocks import run_blocks

        _, block_problems = run_blocks(notes, settings.snippets_dir.parent, settings.cache_dir / "blocks",
                                       cluster=_cluster(settings))
        not_run = 0
    else:
        block_problems, not_run = _stored_block_problems(settings, notes)
    found = (*compilation.diagnostics, *block_problems,
             *vault_queries(compilation, settings).diagnostics)  # bases and Dataview queries
    if args.format == "json":
        print(diag.to_json(found))
    else:
        if found:
            print(diag.format_all(found, _prefix(settings)))
        blocks = (f"; {not_run} blocks not run yet (--run-blocks runs them)" if not_run else "")
        print(f"checked {len(notes)} notes: {_summary(found)}{blocks}", file=sys.stderr)
    return FOUND_ERRORS if _fails(found, args.strict) else OK


@contextmanager
def _build_locks(args: argparse.Namespace, settings, site_dir: Path) -> Iterator[None]:
    """One build at a time per output folder and per cache folder (in this order, always)."""
    from .lock import Busy, hold, lock_file_for_cache, lock_file_for_output

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    wait = not args.no_wait
    try:
        with ExitStack() as held:
            held.enter_context(hold(lock_file_for_output(site_dir.resolve()),
                                    display_path(site_dir) + "/", wait, say))
            held.enter_context(hold(lock_file_for_cache(settings.cache_dir),
                                    "the cache " + display_path(settings.cache_dir) + "/", wait, say))
            yield
    except Busy as exc:
        raise _Refused(f"{exc}; nothing was built. Run again when it has finished, or without "
                       "--no-wait to wait for it") from None


class _Refused(Exception):
    """The build did not run (another holds the lock): exit 1, one line."""


def cmd_build(args: argparse.Namespace) -> int:
    from .publish import OutputRefused, check_output

    settings = _settings(args)
    site_dir = _site_dir(args, settings)
    try:
        check_output(settings, site_dir)
    except OutputRefused as exc:
        raise UsageError(str(exc)) from None
    _cluster(settings)  # connected once: the build reuses the connection
    with _build_locks(args, settings, site_dir):
        return _build(args, settings, site_dir)


def _build(args: argparse.Namespace, settings, site_dir: Path) -> int:
    from . import report
    from .build import build_site
    from .publish import OutputRefused, PublishError
    from .timing import Timer

    prefix = _prefix(settings)
    refused = False

    def refuse(found) -> bool:
        nonlocal refused
        if args.strict and _fails(found, strict=True):
            print(diag.format_all(found, prefix), file=sys.stderr)
            print(f"--strict: {_summary(found)}; nothing was published, "
                  f"{display_path(site_dir)} is left as it was", file=sys.stderr)
            refused = True
        return refused

    colour = report.use_colour(sys.stderr)
    bar = report.BlockProgress() if not args.quiet else None
    try:
        result = build_site(settings, site_dir, Timer(), refuse=refuse, progress=bar,
                            full=getattr(args, "full", False))
    except OutputRefused as exc:
        raise UsageError(str(exc)) from None
    except PublishError as exc:
        if not refused:
            print(f"error: {exc}\n{display_path(site_dir)} is left as it was", file=sys.stderr)
        return FOUND_ERRORS
    finally:
        if bar:
            bar.close()  # the diagnostics start on a line of their own
    found = result.diagnostics
    shown = [d for d in found if d.severity is Severity.ERROR] if args.quiet else found
    if shown:
        print(report.diagnostics_text(shown, prefix, colour), file=sys.stderr)
    if args.verbose:
        for line in _block_lines(result.blocks.values()):
            print(f"  {line}")
    built = result.report
    shown_report = (site_dir / report.ASSET_DIR / "report" / "index.html" if settings.publish_report
                    else result.report_file)
    where = f"; report: {display_path(Path(shown_report))}" if shown_report else ""
    print(f"built {len(result.stage.pages)} pages into {display_path(site_dir)}"
          f"{_pages_written(result.written)}: {_summary(found)}{where}")
    print(report.summary_text(built, report.use_colour(sys.stdout)))
    return FOUND_ERRORS if _fails(found, strict=False) else OK


def _pages_written(stats) -> str:
    """How much of the site the build wrote, when it started from the published one."""
    if not stats.incremental:
        return ""
    return f" ({stats.pages_written} written, {stats.converted} converted, the rest kept)"


def cmd_deploy(args: argparse.Namespace) -> int:
    from .deploy import DeployError, check_remote, deploy

    settings = _settings(args)
    try:  # before building: minutes of building are wasted on a repository with no remote
        check_remote(settings.project_root, args.remote)
    except DeployError as exc:
        raise UsageError(str(exc)) from None
    built = cmd_build(args)
    if built != OK:
        print("not deployed: the build found errors (see above)", file=sys.stderr)
        return built
    site_dir = _site_dir(args, settings)
    try:
        commit = deploy(site_dir, settings.project_root, args.remote, args.branch, args.message)
    except DeployError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return FOUND_ERRORS
    print(f"deployed {display_path(site_dir)} to {args.remote} {args.branch} ({commit[:12]})")
    return OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import PortTaken, serve

    settings = _settings(args)
    _cluster(settings)
    try:
        return serve(settings, args.port, _prefix(settings), say=lambda line: print(line, flush=True),
                     host=args.host, open_browser=args.open)
    except PortTaken as exc:
        raise UsageError(str(exc)) from None


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

    def show(result) -> None:
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
    from .blocks import plan, run_blocks
    from .build import compile_vault

    settings = _settings(args)
    notes = compile_vault(settings).resolved.notes
    chosen, number = _selected(notes, getattr(args, "target", None))
    if not chosen:
        print(f"error: no note matches {args.target!r}", file=sys.stderr)
        return USAGE
    if args.action == "list":
        from .snippet_cache import OutcomeStore

        store = OutcomeStore(settings.cache_dir / "blocks")
        for item in plan(chosen, settings.snippets_dir.parent):
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
            return USAGE
        only = {(note.path, number - 1)}
    results, problems = run_blocks(chosen, settings.snippets_dir.parent, settings.cache_dir / "blocks",
                                   progress=_progress(), only=only, sandbox=settings.sandbox,
                                   readable=(settings.vault,), cluster=_cluster(settings))
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
    from .build import compile_vault
    from .counts import links_between_notes

    settings = _settings(args)
    compilation = compile_vault(settings)
    graph = compilation.graph
    summary = analyse(graph, compilation.resolved.notes)
    measures = summary.measures
    links = links_between_notes(graph)  # as every page and the build report count them
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
        print(f"\nwrote {display_path(out)}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from .init import InitError, default_vault, init_vault

    vault = Path(args.vault_dir) if args.vault_dir else default_vault(Path.cwd())
    try:
        written = init_vault(vault, Path(args.config) if args.config else None)
    except InitError as exc:
        raise UsageError(str(exc)) from None
    shown = os.path.relpath(written.config)
    print(f"wrote {shown} for the vault {written.vault} (language: {written.language}); "
          f"edit it, then: kb build --vault {os.path.relpath(written.vault)}")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with "did you mean" for a mistyped command or choice (3.14 has it built in)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        if match := re.search(r"invalid choice: '?([^')]+?)'? \(choose from (.*)\)", message):
            choices = [c.strip(" '") for c in match.group(2).split(",")]
            message += _suggestion(match.group(1), choices)
        super().error(message)


def _suggestion(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


class _Version(argparse.Action):
    """--version, read from the installed package only when asked for."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version(PACKAGE)
        except PackageNotFoundError:
            number = "unknown (not installed)"
        print(f"kb {number}")
        parser.exit()


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kb", description=__doc__.split("\n\n")[0],
                     epilog="Options may come before or after the command. "
                            "`kb COMMAND --help` lists a command's options.")
    parser.add_argument("--version", "-V", action=_Version, help="print kb's version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    init = commands.add_parser("init", help="write a commented configuration (mkdocs.yml) for a vault")
    init.add_argument("vault_dir", nargs="?", metavar="VAULT",
                      help="the vault folder (default: vault/ here, or this folder)")
    init.add_argument("--config", help="where to write it (default: mkdocs.yml beside the vault)")
    init.set_defaults(run=cmd_init)
    common = _Parser(add_help=False)
    common.add_argument("--vault", help="the vault folder (default: kb.vault in mkdocs.yml, or vault/)")
    common.add_argument("--config", help="the vault's configuration (default: the mkdocs.yml beside "
                                         "the vault that names it, or ./mkdocs.yml without --vault)")

    runner = _Parser(add_help=False)  # the commands that run blocks
    runner.add_argument("--executor", metavar="WHERE",
                        help="where blocks run: local (the default: a pool of processes here) or "
                             "dask://HOST:PORT (a Dask scheduler; default: kb.executor in mkdocs.yml)")

    build = commands.add_parser("build", parents=[common, runner], help="compile the vault into site/")
    build.add_argument("--out", help="the output folder (default: site/); kb replaces it only "
                                     "when it is empty or holds a site kb built")
    build.add_argument("--strict", action="store_true",
                       help="fail on warnings too, and then publish nothing")
    build.add_argument("--full", action="store_true",
                       help="convert and write every page again, instead of only the pages "
                            "that changed since the last build")
    build.add_argument("--engine", choices=tuple(ENGINES),
                       help="the publish engine, instead of kb.engine in mkdocs.yml (default: mkdocs)")
    build.add_argument("--no-wait", action="store_true",
                       help="when another build is using the output or the cache, stop at once "
                            "instead of waiting")
    loudness = build.add_mutually_exclusive_group()
    loudness.add_argument("--quiet", action="store_true", help="print only errors and the summary")
    loudness.add_argument("--verbose", action="store_true", help="also list every block with its time")
    build.set_defaults(run=cmd_build)

    deploy = commands.add_parser("deploy", parents=[build], add_help=False,
                                 help="build, then push the site to a branch of a git remote")
    deploy.add_argument("--remote", default="origin", help="the git remote (default: origin)")
    deploy.add_argument("--branch", default="gh-pages", help="the branch (default: gh-pages)")
    deploy.add_argument("--message", help="the commit message (default: kb deploy of <HEAD>)")
    deploy.set_defaults(run=cmd_deploy)

    serve = commands.add_parser("serve", parents=[common, runner],
                                help="preview the site, rebuilt and reloaded on every edit")
    serve.add_argument("--port", type=int, default=8000, help="the port (default: 8000)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="the address to listen on (default: 127.0.0.1, this computer only)")
    serve.add_argument("--open", action="store_true", help="open the preview in the web browser")
    serve.set_defaults(run=cmd_serve)

    check = commands.add_parser("check", parents=[common, runner],
                                help="report diagnostics, failed blocks included")
    check.add_argument("--strict", action="store_true", help="exit non-zero on warnings too")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--run-blocks", action="store_true",
                       help="run the blocks whose outcome is not stored (default: report the "
                            "stored outcomes only)")
    check.set_defaults(run=cmd_check)

    snippets = commands.add_parser("snippets", help="list or run the executable blocks")
    actions = snippets.add_subparsers(dest="action", metavar="ACTION", required=True,
                                      parser_class=_Parser)
    listing = actions.add_parser("list", parents=[common], help="blocks with their cache status")
    listing.add_argument("target", nargs="?", help="a note (NOTE or NOTE.md)")
    listing.set_defaults(run=cmd_snippets)
    running = actions.add_parser("run", parents=[common, runner], help="run blocks (cached ones are reused)")
    running.add_argument("target", nargs="?", help="a note, or NOTE#N for its N-th block")
    running.set_defaults(run=cmd_snippets)

    graph = commands.add_parser("graph", parents=[common],
                                help="summarise the concept graph, or export it")
    graph.add_argument("--format", choices=("json", "graphml", "gexf", "png", "svg"),
                       help="also export the graph in this format")
    graph.add_argument("--out", help="the export file (default: graph.FORMAT here)")
    graph.set_defaults(run=cmd_graph)
    return parser


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _command_path(parser: argparse.ArgumentParser, words: list[str]) -> list[argparse.ArgumentParser]:
    """The parsers that the command words (`snippets run`) select, outermost first."""
    chain = [parser]
    for word in words:
        chain.append(_subparsers(chain[-1])[word])
    return chain


def _options_of(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    found = dict(parser._option_string_actions)
    for sub in _subparsers(parser).values():
        found.update(_options_of(sub))
    return found


def reorder(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """Options given before the command move after it: `kb --vault V build` is `kb build
    --vault V`. Only the top-level options (--help, --version) stay in front."""
    options = _options_of(parser)
    front = set(parser._option_string_actions)
    words: list[str] = []
    moved: list[str] = []
    at = 0
    while at < len(argv):
        token = argv[at]
        if token == "--" or token in front:
            break
        if token.startswith("-"):
            moved.append(token)
            action = options.get(token)
            if action is not None and action.nargs != 0 and at + 1 < len(argv):
                moved.append(argv[at + 1])
                at += 1
        elif token in _subparsers(_command_path(parser, words)[-1]):
            words.append(token)
            if not _subparsers(_command_path(parser, words)[-1]):
                return words + moved + argv[at + 1:]
        else:
            break
        at += 1
    return argv


def parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse, with a suggestion for an option that is mistyped."""
    args, extra = parser.parse_known_args(reorder(parser, argv))
    if extra:
        words = [w for w in (getattr(args, "command", None), getattr(args, "action", None)) if w]
        chain = _command_path(parser, words)
        known = [o for p in chain for o in p._option_string_actions if o.startswith("--")]
        unknown = next((e for e in extra if e.startswith("-")), extra[0])
        chain[-1].error(f"unrecognized arguments: {' '.join(extra)}"
                        + _suggestion(unknown.split("=", 1)[0], known))
    return args


def _crash_log(exc: BaseException) -> Path:
    handle, name = tempfile.mkstemp(prefix="kb-error-", suffix=".log")
    with os.fdopen(handle, "w", encoding="utf-8") as log:
        log.write(f"kb {' '.join(sys.argv[1:])}\n\n")
        log.write("".join(traceback.format_exception(exc)))
    return Path(name)


_FULL = (errno.ENOSPC, errno.EDQUOT)
_NOT_WRITABLE = (errno.EROFS, errno.EACCES, errno.EPERM)


def _os_error(exc: OSError) -> str | None:
    """One line for a failure of the machine rather than of kb, or None."""
    where = f" ({display_path(Path(exc.filename))})" if exc.filename else ""
    if exc.errno in _FULL:
        return (f"error: the disk is full{where}; nothing was published and the previous site is "
                "left as it was. Free some space and build again")
    if exc.errno in _NOT_WRITABLE:
        return (f"error: cannot write{where}: {exc.strerror}; the previous site is left as it "
                "was. Give a folder you can write to (--out for the site, kb.cache_dir for the cache)")
    return None


_interrupted = False  # a Ctrl+C arrived: a library that swallowed it must not make it a crash


def _interrupt(number: int, frame: object) -> None:
    """Ctrl+C: KeyboardInterrupt (caught in main), until a new site has begun to go in. From
    then on the build has succeeded and ends as it would have: exit 130 always means that the
    previous site is left as it was."""
    global _interrupted
    publishing = sys.modules.get(f"{__package__}.publish")  # may be half imported
    if getattr(publishing, "site_going_in", bool)():
        return
    _interrupted = True
    raise KeyboardInterrupt


def _say_interrupted() -> int:
    print("\ninterrupted; nothing more was written (a site being built is left as it was)",
          file=sys.stderr)
    return INTERRUPTED


def main(argv: list[str] | None = None) -> int:
    """The `kb` program (argv None: the process's own command line), or one command run by a
    caller that keeps its own Ctrl+C handling afterwards."""
    global _interrupted
    _interrupted = False
    previous = signal.getsignal(signal.SIGINT)
    ours = previous is not signal.SIG_IGN  # under nohup, Ctrl+C stays ignored
    if ours:
        signal.signal(signal.SIGINT, _interrupt)
    try:
        code = _command(sys.argv[1:] if argv is None else list(argv))
    finally:
        if ours:
            # The exit code is decided. Python gives SIGINT back to the system while it shuts
            # down, so a late Ctrl+C would turn that code into a death by signal: ignore it.
            signal.signal(signal.SIGINT, signal.SIG_IGN if argv is None else previous)
    if argv is None and _interrupted:
        # An interrupt that cut a library's import short can leave Python ending the process by
        # its own SIGINT (status -2, not the code decided), or crashing as it shuts down: what
        # had to be finished is finished (the site is either the old one or the new one), so
        # leave now with that code.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _command(argv: list[str]) -> int:
    parser = make_parser()
    if not argv:
        parser.print_help()
        return OK
    try:
        args = parse(parser, argv)
        if getattr(args, "run", None) is None:
            parser.print_help()
            return OK
        return args.run(args)
    except SystemExit as exc:  # argparse: --help, or a usage error it has printed
        return exc.code if isinstance(exc.code, int) else USAGE
    except KeyboardInterrupt:
        return _say_interrupted()
    except ConfigError as exc:
        print(exc.diagnostic.format(), file=sys.stderr)
        return USAGE
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE
    except _Refused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return FOUND_ERRORS
    except BrokenPipeError:  # `kb graph | head`: the reader has gone, so has the output
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return FOUND_ERRORS
    except OSError as exc:
        if line := _os_error(exc):
            print(line, file=sys.stderr)
            return FOUND_ERRORS
        return _internal(exc)
    except Exception as exc:
        return _internal(exc)


def _internal(exc: BaseException) -> int:
    if _interrupted:  # e.g. a module whose import the interrupt cut short, used afterwards
        return _say_interrupted()
    try:
        where = f"; the details are in {_crash_log(exc)}"
    except OSError:
        where = ""
        traceback.print_exception(exc)
    print(f"kb: internal error ({type(exc).__name__}: {exc}){where}. This is a bug in kb: "
          "please report it with that file", file=sys.stderr)
    return INTERNAL


if __name__ == "__main__":
    sys.exit(main())
