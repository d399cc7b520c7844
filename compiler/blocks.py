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

from .diagnostics import Diagnostic, Severity
from .execute import BlockRun, Outcome, Pool, SessionRun
from .parse import CodeBlock, Note
from .snippet_cache import OutcomeStore, SourceIndex, block_key, execution_options, versions

DEFAULT_TIMEOUT = 60.0
STORED = ("ok", "expected-error")  # outcomes worth keeping: the others are run again
FAILED = ("error", "timeout", "crashed", "memory", "skipped")


@dataclass(frozen=True)
class BlockResult:
    note: str
    block: CodeBlock
    outcome: Outcome
    cached: bool

    @property
    def failed(self) -> bool:
        return self.outcome.status in FAILED


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


def plan(notes: dict[str, Note], project_root: Path) -> list[_Planned]:
    """Every block of the vault with its key, sessions chained in order."""
    sources = SourceIndex(project_root)
    runtime = versions()
    planned = []
    for path, note in notes.items():
        chains: dict[str, tuple[str, ...]] = {}
        for block in note.blocks:
            session = block.option("session") or f"#{block.index}"
            earlier = chains.get(session, ())
            digest = sources.digest_for_code(block.code)
            key = block_key(block.code, execution_options(dict(block.options)), earlier, digest,
                            runtime)
            chains[session] = (*earlier, key)
            planned.append(_Planned(path, block, key, session))
    return planned


def run_blocks(notes: dict[str, Note], project_root: Path, store_dir: Path,
               pool_factory: Callable[[], Pool] | None = None,
               progress: Callable[[BlockResult], None] | None = None,
               ) -> tuple[dict[tuple[str, int], BlockResult], list[Diagnostic]]:
    """Outcomes for every block, by (note path, block index), and their diagnostics."""
    store = OutcomeStore(store_dir)
    planned = plan(notes, project_root)
    results: dict[tuple[str, int], BlockResult] = {}
    stale: dict[tuple[str, str], list[_Planned]] = {}
    for item in planned:
        stale.setdefault((item.note, item.session), []).append(item)
    # A session runs whole when any of its blocks is not stored (they share state).
    for members in list(stale.values()):
        found = [store.get(m.key) for m in members]
        if all(found):
            for member, outcome in zip(members, found, strict=True):
                results[(member.note, member.block.index)] = BlockResult(
                    member.note, member.block, outcome, cached=True)
                if progress:
                    progress(results[(member.note, member.block.index)])
            del stale[(members[0].note, members[0].session)]
    if stale:
        by_key = {m.key: m for members in stale.values() for m in members}
        sessions = [SessionRun(f"{note}#{session}", tuple(
            BlockRun(m.key, m.block.code, float(m.block.option("timeout") or DEFAULT_TIMEOUT),
                     _expect_error(m.block)) for m in members))
            for (note, session), members in stale.items()]

        def finished(outcome: Outcome) -> None:
            member = by_key[outcome.key]
            result = BlockResult(member.note, member.block, outcome, cached=False)
            results[(member.note, member.block.index)] = result
            if outcome.status in STORED:
                store.put(outcome)
            if progress:
                progress(result)

        with (pool_factory or (lambda: Pool(project_root)))() as pool:
            outcomes = pool.run(sessions, finished)
        for key, outcome in outcomes.items():  # whatever the callback did not see
            member = by_key[key]
            if (member.note, member.block.index) not in results:
                finished(outcome)
    return results, diagnose(results.values())


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
