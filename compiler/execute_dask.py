"""Run the blocks' sessions on an existing Dask distributed cluster (`--executor dask://HOST:PORT`).

The local pool (compiler/execute.py) stays the default; this module is imported only when a
build names a cluster, and `dask` and `distributed` are an optional extra
(`pip install kb-vault-compiler[dask]`), imported inside the functions that need them.

One Dask task runs one session (a note's blocks that share a namespace), in order. On the Dask
worker, the task does not run the blocks itself: it hands the session to a `Pool` of its own
(one snippet worker process per task slot, kept warm between tasks), so each block gets the
same limits as at home: its timeout, the memory limit (over the session's whole process tree
where the worker machine allows cgroups), the output limits, and bubblewrap's sandbox where
the worker machine has it. What the worker machine lacks, its outcome says (`sandboxed`,
`limit_scope`), and the build reports it as it does for the local pool.

The `snippets/` folder the blocks import travels with the tasks (a zip, sent once per worker
and unpacked in the worker's temporary folder by its SHA-256); the vault does not. kb itself
must be installed on the workers, at the same version: the task is kb's own code, and the
blocks' cache keys include kb's executor sources (snippet_cache.versions), which are checked
against every worker before anything runs.

Ctrl+C (or any end of the build before its sessions are done) cancels the tasks and sets the
run's stop Event; a running task sees it within a second and interrupts its pool (its snippet
worker killed, and no block started after, also by a worker that was still starting), and a
task that starts late returns at once, so no block goes on running on the cluster for nobody.
(The stop Event of an interrupted build stays on the scheduler, a few bytes: a task could still
start after any moment kb could clear it.)

A worker lost mid-session (killed, out of memory, its machine gone) is reported like a crash
of the local pool: every block of the session "crashed", nothing stored. Dask would run the
task again on another worker; the task's first act is to claim the session (a Dask `Event`
per session, set by the first attempt), so a second attempt finds the claim and returns at
once instead of running the blocks again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import shutil
import tempfile
import threading
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from .execute import INTERRUPTED, MEMORY_LIMIT, OUTPUT_LIMIT, Outcome, Pool, SessionRun

SCHEME = "dask"
CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler before the build is refused
STOP_POLL = 1.0  # seconds between a running task's looks at whether kb still waits for it
PROJECT_DIR = "kb-dask-projects"  # under the worker's temporary folder: one folder per snippets/ digest
SKIPPED_DIRS = {"__pycache__", ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache"}


class ExecutorError(Exception):
    """The cluster cannot take the blocks (bad address, unreachable, no workers, other versions):
    a usage error, said before anything is built."""


def scheduler_address(executor: str) -> str:
    """`dask://HOST:PORT` as Dask's own address, `tcp://HOST:PORT`. Raises ExecutorError."""
    parts = urlsplit(executor.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != SCHEME or not parts.hostname or port is None or parts.path not in ("", "/") \
            or parts.query or parts.username:
        raise ExecutorError(f"executor {executor!r}: write `local` or `dask://HOST:PORT` (the address "
                            "of a Dask scheduler, for example dask://10.0.0.5:8786)")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"tcp://{host}:{port}"


def is_cluster(executor: str | None) -> bool:
    return bool(executor) and executor != "local"


# -- what travels to the workers --------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectFiles:
    """The project's `snippets/` folder as a zip, named by its SHA-256."""

    digest: str
    archive: bytes


def pack_project(code_root: Path) -> ProjectFiles:
    """Every file of `code_root/snippets/` (caches and hidden folders left out), in a zip whose
    bytes depend only on the files' paths and contents."""
    folder = code_root / "snippets"
    files = []
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(code_root)
            if any(part in SKIPPED_DIRS or part.startswith(".") for part in relative.parts):
                continue
            if path.is_file() and not path.is_symlink():
                files.append((relative.as_posix(), path.read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    data = buffer.getvalue()
    return ProjectFiles(hashlib.sha256(data).hexdigest(), data)


@dataclass(frozen=True)
class WorkerOptions:
    """How a worker runs the sessions: the local pool's limits, and the runtime it must have."""

    runtime: str  # snippet_cache.versions() as the blocks' keys say it
    sandbox: bool = True
    memory_limit: int = MEMORY_LIMIT
    output_limit: int = OUTPUT_LIMIT


@dataclass(frozen=True)
class SessionReport:
    """What one task sends back."""

    outcomes: tuple[Outcome, ...]
    worker: str  # the Dask worker's address
    sandboxed: bool = False
    sandbox_problem: str | None = None
    limit_scope: str = ""
    project_root: str = ""  # where snippets/ was unpacked on the worker
    lost: bool = False  # a second attempt: the worker of the first was lost


# -- on the worker ----------------------------------------------------------------------------------

_idle_pools: dict[tuple, list[Pool]] = {}  # warm pools of this worker process, by configuration
_idle_lock = threading.Lock()
_running: dict[str, str] = {}  # the sessions this worker process runs: their labels, by claim


def running_sessions() -> dict[str, str]:
    """The sessions this Dask worker process runs, by claim (`client.run` it to see). A session
    is listed from its claim, before its task reads the stop Event, to its end: so once no
    worker lists a session of a run whose stop is set, no block of that run starts again."""
    return dict(_running)


def unpack_project(project: ProjectFiles) -> Path:
    """The folder holding `snippets/` on this machine, unpacked once per digest."""
    base = Path(tempfile.gettempdir()) / PROJECT_DIR
    root = base / project.digest
    if (root / ".complete").is_file():
        return root
    base.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="unpacking-", dir=base))
    with zipfile.ZipFile(io.BytesIO(project.archive)) as archive:
        archive.extractall(scratch)  # names were written by pack_project: relative, no `..`
    (scratch / ".complete").touch()
    try:
        scratch.rename(root)
    except OSError:  # another task of this machine unpacked it first
        shutil.rmtree(scratch, ignore_errors=True)
    return root


@contextlib.contextmanager
def _borrowed_pool(root: Path, options: WorkerOptions) -> Iterator[Pool]:
    """A pool of one snippet worker for this task slot: a warm one when there is one. Pools of
    another snippets/ digest are closed (their workers import another version of the code)."""
    config = (str(root), options.sandbox, options.memory_limit, options.output_limit)
    stale: list[Pool] = []
    with _idle_lock:
        for other in [c for c in _idle_pools if c != config]:
            stale.extend(_idle_pools.pop(other))
        idle = _idle_pools.setdefault(config, [])
        pool = idle.pop() if idle else None
    for old in stale:
        old.close()
    if pool is None:
        pool = Pool(root, workers=1, memory_limit=options.memory_limit,
                    output_limit=options.output_limit, sandbox=options.sandbox)
    try:
        yield pool
    except BaseException:
        pool.close()
        raise
    if pool.interrupted:  # it starts no block any more
        pool.close()
        return
    with _idle_lock:
        _idle_pools.setdefault(config, []).append(pool)


def _event(name: str):
    from distributed import Event, get_client

    return Event(name, client=get_client())


def run_session(session: SessionRun, project: ProjectFiles, options: WorkerOptions,
                claim: str, stop: str) -> SessionReport:
    """The Dask task: run one session's blocks in a snippet worker of this machine. `claim`
    and `stop`: the names of the session's claim and of the run's stop Event.

    The session is claimed and listed in `_running` before the stop is read, and stays
    listed until the task returns: a task between its look at the stop and its first block
    is never out of sight (a build's stop that came just after the look is the watcher's to
    act on)."""
    from distributed import get_worker

    here = get_worker().address
    claimed = _event(claim)
    if claimed.is_set():  # Dask runs a task again only when the worker running it was lost
        return SessionReport((), here, lost=True)
    claimed.set()
    _running[claim] = session.label
    try:
        stopped = _event(stop)
        if stopped.is_set():  # started after kb gave up waiting (and cleared the claims)
            claimed.clear()  # so the claim made just now is not left on the scheduler
            return SessionReport(_crashed(session, INTERRUPTED), here)
        return _run_claimed(session, project, options, stopped, here)
    finally:
        del _running[claim]


def _run_claimed(session: SessionRun, project: ProjectFiles, options: WorkerOptions, stopped,
                 here: str) -> SessionReport:
    from .snippet_cache import versions

    runtime = versions()
    if runtime != options.runtime:
        error = ("this Dask worker runs other versions than the cluster's other workers: "
                 + _difference(options.runtime, runtime))
        return SessionReport(tuple(Outcome(b.key, "crashed", error=error) for b in session.blocks), here)
    root = unpack_project(project)
    with _borrowed_pool(root, options) as pool:
        done = threading.Event()
        watcher = threading.Thread(target=_interrupt_when_stopped, args=(stopped, pool, done),
                                   name="kb-stop-watcher", daemon=True)
        watcher.start()
        try:
            outcomes = pool.run([session])
        finally:
            done.set()
            watcher.join()
        return SessionReport(tuple(outcomes[b.key] for b in session.blocks if b.key in outcomes), here,
                             sandboxed=pool.sandboxed, sandbox_problem=_sandbox_problem(pool),
                             limit_scope=pool.limit_scope, project_root=str(root))


def _interrupt_when_stopped(stop, pool: Pool, done: threading.Event) -> None:
    """Interrupt the pool when kb sets the run's stop Event (it no longer waits for it); once
    is enough: an interrupted pool starts no block, also in a worker still starting.
    `stop`: the Dask Event, made in the task's thread (only there is the worker's client found)."""
    while not done.wait(STOP_POLL):
        try:
            stopped = stop.is_set()
        except Exception:  # the scheduler is unreachable for now: Dask handles that itself
            continue
        if stopped:
            pool.interrupt()
            return


def _same(value: object) -> object:
    return value


def _sandbox_problem(pool: Pool) -> str | None:
    from .execute import sandbox_problem

    return None if pool.sandboxed else (sandbox_problem() or "not on Linux")


def _difference(expected: str, found: str) -> str:
    """The first line of two versions() texts that differs, as `here` and `there`."""
    for mine, theirs in zip(expected.splitlines(), found.splitlines(), strict=False):
        if mine != theirs:
            return f"{theirs} there, {mine} expected"
    return "their versions differ"


# -- on kb's side -----------------------------------------------------------------------------------

_clients: dict[str, DaskExecutor] = {}
_clients_lock = threading.Lock()


class DaskExecutor:
    """A connection to a Dask scheduler, with the runtime its workers share."""

    def __init__(self, executor: str, client, runtime: str) -> None:
        self.executor = executor
        self.client = client
        self.runtime = runtime  # what the blocks' cache keys say (snippet_cache.versions)

    def pool(self, project_root: Path, sandbox: bool = True) -> DaskPool:
        return DaskPool(self, project_root, sandbox)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()


def connect(executor: str, timeout: float | None = None) -> DaskExecutor:
    """The cluster `executor` names, connected once per process (kb serve builds again and
    again). Raises ExecutorError when the scheduler cannot be reached, has no workers, or its
    workers run other versions of Python, NumPy, matplotlib or kb than one another."""
    address = scheduler_address(executor)
    with _clients_lock:
        known = _clients.get(address)
        if known is not None and known.client.status == "running":
            return known
        if known is not None:  # the scheduler went away since: connect again
            known.close()
        try:
            from distributed import Client
        except ImportError:
            raise ExecutorError("running blocks on a Dask cluster needs dask and distributed: "
                                "pip install 'kb-vault-compiler[dask]'") from None
        logging.getLogger("distributed").setLevel(logging.ERROR)  # kb says what went wrong itself
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT if timeout is None else timeout,
                            set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ExecutorError(f"cannot reach the Dask scheduler at {executor} ({exc}); nothing "
                                "was built. Start it (dask scheduler), or build with the local "
                                "pool: --executor local") from None
        try:
            runtime = _workers_runtime(client, executor)
        except BaseException:
            client.close()
            raise
        _clients[address] = found = DaskExecutor(executor, client, runtime)
        return found


def _workers_runtime(client, executor: str) -> str:
    from .snippet_cache import versions

    try:
        found = client.run(versions)
    except Exception as exc:  # the function could not be unpickled there: kb is missing
        raise ExecutorError(f"the Dask workers at {executor} cannot run kb's code ({type(exc).__name__}: "
                            f"{exc}): install kb-vault-compiler[dask], the same version as here, in "
                            "the workers' environment") from None
    if not found:
        raise ExecutorError(f"the Dask scheduler at {executor} has no workers: start some "
                            f"(dask worker {scheduler_address(executor)})")
    runtimes = sorted(set(found.values()))
    if len(runtimes) > 1:
        first = next(a for a, r in found.items() if r == runtimes[0])
        other = next(a for a, r in found.items() if r == runtimes[1])
        raise ExecutorError(f"the Dask workers at {executor} run different versions: "
                            f"{_difference(runtimes[0], runtimes[1])} ({other} against {first}); "
                            "the blocks' outputs would depend on the worker")
    return runtimes[0]


def disconnect_all() -> None:
    """Close every connection this process made (tests, and the end of `kb serve`)."""
    with _clients_lock:
        for executor in _clients.values():
            executor.close()
        _clients.clear()


class DaskPool:
    """The local Pool's interface (run, sandboxed, limit_scope, a context manager), with the
    sessions running as tasks of a Dask cluster."""

    def __init__(self, executor: DaskExecutor, project_root: Path, sandbox: bool = True) -> None:
        self.executor = executor
        self.project_root = Path(project_root).resolve()
        self.options = WorkerOptions(executor.runtime, sandbox)
        self.sandboxed = sandbox  # until a worker says otherwise
        self.sandbox_problem: str | None = None
        self._scopes: list[str] = []
        self.submitted = 0  # tasks sent, for the build's own accounting and tests

    def __enter__(self) -> DaskPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """The connection stays open for the next build of this process."""

    @property
    def limit_scope(self) -> str:
        scopes = ", ".join(self._scopes) or "what each Dask worker's machine allows"
        return f"{scopes} (on the Dask workers of {self.executor.executor})"

    def run(self, sessions: list[SessionRun], progress: Callable[[Outcome], None] | None = None
            ) -> dict[str, Outcome]:
        """Every block's outcome, by key; `progress` hears each session's blocks when it ends."""
        from distributed import Event, as_completed

        client = self.executor.client
        results: dict[str, Outcome] = {}
        if not sessions:
            return results
        run_id = uuid.uuid4().hex
        stop = f"kb-stop-{run_id}"
        # A task, not scattered data: Dask makes it again on another worker when the worker
        # holding it is lost (scattered data would be gone, and every session waiting on it).
        files = pack_project(self.project_root)
        project = client.submit(_same, files, key=f"kb-project-{run_id}", pure=False)
        futures = {}
        for index, session in enumerate(sessions):
            claim = f"kb-claim-{run_id}-{index}"
            future = client.submit(run_session, session, project, self.options, claim, stop,
                                   key=f"kb-session-{run_id}-{index}", pure=False, retries=0)
            futures[future] = (session, claim)
        self.submitted += len(futures)
        try:
            for future in as_completed(futures, loop=client.loop):
                session, _ = futures[future]
                for outcome in self._outcomes(session, future):
                    results[outcome.key] = outcome
                    if progress is not None:
                        progress(outcome)
        finally:
            if not all(f.done() for f in futures):  # interrupted: stop what runs, or will
                with contextlib.suppress(Exception):
                    Event(stop, client=client).set()
            client.cancel([*futures, project])  # Ctrl+C, or a bug above: no session is left running
            for _, claim in futures.values():
                with contextlib.suppress(Exception):
                    Event(claim, client=client).clear()  # removes it from the scheduler
        return results

    def _outcomes(self, session: SessionRun, future) -> list[Outcome]:
        from distributed import KilledWorker

        try:
            report: SessionReport = future.result()
        except KilledWorker as exc:
            return _crashed(session, f"the Dask worker running it was lost ({exc})")
        except Exception as exc:  # the task itself failed: kb's code on the worker, or Dask
            return _crashed(session, f"the Dask task failed: {type(exc).__name__}: {exc}")
        if report.lost:
            return _crashed(session, "the Dask worker running it was lost (killed, out of "
                            "memory, or its machine gone)")
        if self.options.sandbox and not report.sandboxed:
            self.sandboxed = False
            self.sandbox_problem = self.sandbox_problem or f"on {report.worker}: {report.sandbox_problem}"
        if report.limit_scope and report.limit_scope not in self._scopes:
            self._scopes.append(report.limit_scope)
        done = {o.key for o in report.outcomes}
        here = str(self.project_root)
        outcomes = [replace(o, error=_moved(o.error, report.project_root, here),
                            traceback=_moved(o.traceback, report.project_root, here))
                    for o in report.outcomes]
        missing = [b for b in session.blocks if b.key not in done]
        return outcomes + [Outcome(b.key, "crashed", error="the Dask worker returned no outcome")
                           for b in missing]


def _crashed(session: SessionRun, reason: str) -> list[Outcome]:
    return [Outcome(b.key, "crashed", error=reason) for b in session.blocks]


def _moved(text: str | None, there: str, here: str) -> str | None:
    """A message naming the worker's copy of snippets/ names the project's own, as at home."""
    if not text or not there:
        return text
    return text.replace(there + os.sep, here + os.sep).replace(there, here)
