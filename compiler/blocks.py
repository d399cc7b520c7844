"""Execute: plan and run the vault's executable blocks. Each block's outcome comes from
the content-addressed store when its key is known, otherwise from the worker pool.

A block's key covers its code and the options that change how it runs, the earlier
blocks of its session, the source of every `snippets` module it imports (transitively),
and the Python, NumPy and matplotlib versions: editing prose runs nothing again, editing
`snippets/softmax.py` runs again exactly the blocks that import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, Severity
from .execute import BlockRun, Executor, Outcome, Pool, SessionRun, sandbox_problem
from .parse import CodeBlock, Note
from .snippet_cache import (
    STORABLE_STATUSES,
    OutcomeStore,
    SourceIndex,
    block_key,
    execution_options,
    versions,
)

if TYPE_CHECKING:  # dask is an optional extra: execute_dask is imported only for a cluster
    from .execute_dask import DaskExecutor

DEFAULT_TIMEOUT = 60.0
MAX_TIMEOUT = 24 * 3600.0


@dataclass(frozen=True)
class BlockResult:
    note: str
    block: CodeBlock
    outcome: Outcome
    cached: bool

    @property
    def failed(self) -> bool:
        return self.outcome.failed


@dataclass(frozen=True)
class _Planned:
    note: str
    block: CodeBlock
    key: str
    session: str


def _expect_error(block: CodeBlock) -> str | None:
    value = block.option("error")
    if value is None or value.strip().lower() in ("false", "no", "0", ""):
        return None
    return "any" if value.strip().lower() in ("true", "yes", "1", "any") else value.strip()


def plan(notes: dict[str, Note], project_root: Path, runtime: str | None = None) -> list[_Planned]:
    """Every block of the vault with its key, sessions chained in order. `runtime`: the
    versions the blocks run with (snippet_cache.versions), where not this machine's own."""
    sources = SourceIndex(project_root)
    runtime = runtime or versions()
    planned = []
    for path, note in notes.items():
        chains: dict[str, tuple[str, ...]] = {}
        for block in note.blocks:
            session = block.option("session") or f"block {block.index + 1}"
            earlier = chains.get(session, ())
            digest = sources.digest_for_code(block.code)
            key = block_key(block.code, execution_options(dict(block.options)), earlier, digest,
                            runtime)
            chains[session] = (*earlier, key)
            planned.append(_Planned(path, block, key, session))
    return planned


def sessions_of(planned: list[_Planned]) -> dict[tuple[str, str], list[_Planned]]:
    """The blocks of each (note, session), in order: the unit that runs in one worker."""
    sessions: dict[tuple[str, str], list[_Planned]] = {}
    for item in planned:
        sessions.setdefault((item.note, item.session), []).append(item)
    return sessions


def run_blocks(notes: dict[str, Note], project_root: Path, store_dir: Path,
               pool_factory: Callable[[], Executor] | None = None,
               progress: Callable[[BlockResult], None] | None = None,
               only: set[tuple[str, int]] | None = None,
               sandbox: bool = True, readable: tuple[Path, ...] = (),
               before_running: Callable[[], None] | None = None,
               cluster: DaskExecutor | None = None,
               ) -> tuple[dict[tuple[str, int], BlockResult], list[Diagnostic]]:
    """Outcomes for every block (or the blocks in `only` and the earlier blocks of their
    sessions), by (note path, block index), and their diagnostics. `sandbox`: run the blocks
    under bubblewrap where it works (see execute); `readable`: the vault, for the sandbox;
    `before_running`: called once just before a block runs, never when all are stored;
    `cluster`: run them on a Dask cluster (`connect_executor`) instead of the local pool."""
    store = OutcomeStore(store_dir)
    if cluster is not None and pool_factory is None:
        pool_factory = lambda: cluster.pool(project_root, sandbox)  # noqa: E731
    sessions = sessions_of(plan(notes, project_root, cluster.runtime if cluster else None))
    if only is not None:  # a block needs the blocks before it in its session, not after
        sessions = {name: members[:1 + max(i for i, m in enumerate(members)
                                           if (m.note, m.block.index) in only)]
                    for name, members in sessions.items()
                    if any((m.note, m.block.index) in only for m in members)}
    results: dict[tuple[str, int], BlockResult] = {}

    def record(member: _Planned, outcome: Outcome, cached: bool) -> None:
        result = BlockResult(member.note, member.block, outcome, cached)
        results[(member.note, member.block.index)] = result
        if progress:
            progress(result)

    # A session runs whole when any of its blocks is not stored (they share state). Blocks
    # with the same key (the same code in two notes) run once and share the outcome.
    waiting: dict[str, list[_Planned]] = {}
    to_run: dict[tuple[str, ...], list[_Planned]] = {}
    for members in sessions.values():
        found = [store.get(m.key) for m in members]
        if all(found):
            for member, outcome in zip(members, found, strict=True):
                record(member, outcome, cached=True)
            continue
        for member in members:
            waiting.setdefault(member.key, []).append(member)
        to_run.setdefault(tuple(m.key for m in members), members)
    if not to_run:
        return results, diagnose(results.values())

    def finished(outcome: Outcome) -> None:
        if outcome.status in STORABLE_STATUSES:
            store.put(outcome)
        for member in waiting.pop(outcome.key, []):
            record(member, outcome, cached=False)

    if before_running is not None:
        before_running()
    runs = [SessionRun(f"{members[0].note}:{members[0].session}", tuple(
        BlockRun(m.key, m.block.code, _timeout(m.block), _expect_error(m.block)) for m in members))
        for members in to_run.values()]
    with (pool_factory or (lambda: Pool(project_root, sandbox=sandbox, readable=readable)))() as pool:
        outcomes = pool.run(runs, finished)
        unconfined = sandbox and not getattr(pool, "sandboxed", True)
        reason = getattr(pool, "sandbox_problem", None)  # a cluster's: on which worker, and why
        limited = getattr(pool, "limit_scope", None)
    for outcome in outcomes.values():  # whatever the callback did not see
        finished(outcome)
    found = diagnose(results.values())
    if unconfined:
        found.insert(0, Diagnostic(
            runs[0].label.rpartition(":")[0], 0, 0, Severity.INFO, "sandbox-unavailable",
            f"blocks ran without a sandbox: {reason or sandbox_problem() or 'not on Linux'}; they can "
            "read and write what you can, and use the network",
            "install bubblewrap (Debian: apt install bubblewrap), or set kb.sandbox: false "
            "to say that this is what you want"))
    if limited:  # said once per build that ran blocks (on a published note: the report shows it)
        ran = [m.note for members in to_run.values() for m in members]
        shown = next((n for n in ran if notes[n].published), ran[0])
        found.insert(0, Diagnostic(
            shown, 0, 0, Severity.INFO, "block-limits",
            f"the blocks' memory and CPU limits bound {limited}"))
    return results, found


def connect_executor(executor: str | None) -> DaskExecutor | None:
    """The Dask cluster `kb.executor` (or --executor) names, connected; None for the local
    pool. Raises execute_dask.ExecutorError when it cannot take the blocks."""
    from .execute_dask import connect, is_cluster

    return connect(executor) if executor and is_cluster(executor) else None


def _timeout(block: CodeBlock) -> float:
    return min(float(block.option("timeout") or DEFAULT_TIMEOUT), MAX_TIMEOUT)


def diagnose(results) -> list[Diagnostic]:
    found = []
    for result in results:
        outcome, block = result.outcome, result.block
        if result.failed:
            what = {"timeout": "ran out of time", "crashed": "crashed the worker",
                    "memory": "ran out of memory", "skipped": "did not run (an earlier block of "
                    "its session failed)"}.get(outcome.status, "raised an exception")
            found.append(Diagnostic(result.note, block.line, 1, Severity.ERROR, "block-failed",
                                    f"block {block.index + 1} {what}: {outcome.error or ''}".rstrip(": "),
                                    "the page shows the error; `kb build --strict` refuses it"))
        if outcome.truncated:
            found.append(Diagnostic(result.note, block.line, 1, Severity.WARNING,
                                    "output-truncated",
                                    f"block {block.index + 1} printed more than the page shows; "
                                    "the output is cut"))
    return found
