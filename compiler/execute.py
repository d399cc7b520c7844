"""Run snippet blocks in a persistent pool of worker processes, never in the compiler's process.

A `SessionRun` is a list of blocks sharing one namespace; its blocks run in order on one worker.
Sessions run in parallel on different workers. Each worker (compiler/snippet_worker.py, started as
its own `python` process) imports NumPy and matplotlib once, then serves sessions until the pool
closes. A block that times out or kills its worker (os._exit, segfault, the kernel's OOM killer)
gets a clear outcome, the worker is replaced, and the rest of that session is skipped. So does a block
that leaves threads running (status "unstable"): they would print into later blocks. Process-wide state
a block may change (os.environ, the cwd, NumPy's print options and error handling, the recursion limit,
signal handlers and alarms, ...) is restored before each session, and a process the block forks
never returns from the block. A block's figures are capped in number and pixel size (snippet_worker).

The protocol runs over a socket pair with pickled frames (multiprocessing.connection), never over
the worker's stdout: a block may write anything to fds 1 and 2.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol

from compiler import session_limits
from compiler.session_limits import SessionGroup
from compiler.snippet_worker import read_output

WORKER_SCRIPT = Path(__file__).resolve().parent / "snippet_worker.py"
START_TIMEOUT = 120.0  # seconds for a worker to import NumPy and matplotlib
FIGURE_TIMEOUT = 120.0  # seconds, after the block's code finished, to save its figures
MAX_TIMEOUT = 24 * 3600.0  # seconds: a longer (or infinite, or NaN) block timeout is cut to this
MEMORY_LIMIT = 2 * 1024**3  # bytes per session (its processes together where cgroups allow)
OUTPUT_LIMIT = 1_000_000  # characters of a block's stdout and of its stderr
INTERRUPTED = "the run was interrupted"  # Pool.interrupt: the build no longer waits for it
STATUSES = ("ok", "error", "expected-error", "timeout", "crashed", "memory", "skipped", "unstable")
# Statuses after which the worker is replaced and the rest of the session skipped.
_FATAL = {
    "timeout": "timed out",
    "crashed": "crashed",
    "memory": "ran out of memory",
    "unstable": "left threads running",
}


@dataclass(frozen=True)
class BlockRun:
    """One block to run."""

    key: str  # opaque id (the cache key), echoed back
    code: str  # Python source of the block (option lines already removed)
    timeout: float = 60.0  # seconds for this block
    expect_error: str | None = None  # exception class name, or "any": an expected exception is not a failure


@dataclass(frozen=True)
class SessionRun:
    """Blocks sharing one namespace, run in order in one worker."""

    label: str  # e.g. "note.md#session-a", for messages and the blocks' traceback file names
    blocks: tuple[BlockRun, ...]


@dataclass(frozen=True)
class Figure:
    svg: bytes
    png: bytes


@dataclass(frozen=True)
class Outcome:
    """What a block did. `status`, one of STATUSES:
    "ok"; "expected-error" (raised what its `error` option names); "error" (raised otherwise, or not
    the expected exception: deterministic, so cached like "ok"); "timeout"; "crashed" (the worker
    died); "memory" (MemoryError); "skipped" (an earlier block of the session ended its worker);
    "unstable" (the block's code returned but left threads running, which could print into later
    blocks: the worker is replaced, the rest of the session skipped). Every status but "ok" and
    "expected-error" is `failed`; only snippet_cache.STORABLE_STATUSES ("ok", "expected-error",
    "error") are cached."""

    key: str
    status: str  # one of STATUSES
    stdout: str = ""
    stderr: str = ""
    truncated: bool = False
    figures: tuple[Figure, ...] = ()
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status not in ("ok", "expected-error")


def clamp_timeout(timeout: float) -> float:
    """A block's timeout as the pool waits for it: within [0, MAX_TIMEOUT]; NaN and inf give the maximum."""
    try:
        value = float(timeout)
    except (TypeError, ValueError, OverflowError):
        return MAX_TIMEOUT
    if value != value or value > MAX_TIMEOUT:
        return MAX_TIMEOUT
    return max(0.0, value)


def _size(count: int) -> str:
    """A number of bytes as people say it: 2 GiB, 300 MiB."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} bytes"


def block_filename(label: str, index: int) -> str:
    """The file name a block's code is compiled under, as its traceback shows it."""
    return f"<block {label}:{index + 1}>"


class Executor(Protocol):
    """What runs the sessions: the local `Pool` (the default), or a Dask cluster's
    `execute_dask.DaskPool`. Used as a context manager around one or more `run`s."""

    sandboxed: bool  # every block ran under bubblewrap (read after run)

    @property
    def limit_scope(self) -> str:
        """What the memory and CPU limits bounded, in words (read after run)."""
        ...

    def run(self, sessions: list[SessionRun], progress: Callable[[Outcome], None] | None = None
            ) -> dict[str, Outcome]: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc) -> None: ...


class WorkerDied(Exception):
    pass


MAX_MESSAGE_BYTES = 1 << 30  # a block's figures are capped well below this (snippet_worker)


def _field(result: dict, name: str, *kinds: type) -> object:
    value = result.get(name)
    if type(value) not in kinds:  # exact JSON types: True is not a number here
        raise ValueError(f"{name} is {type(value).__name__}")
    return value


def decode_reply(data: bytes) -> tuple:
    """A worker's reply (snippet_worker.send_reply), checked field by field: JSON only, so a
    block that writes into the socket can forge its own outcome but never run code here.
    Raises ValueError."""
    try:
        message = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError("not JSON") from e
    if not isinstance(message, list) or not message:
        raise ValueError("not a list")
    kind = message[0]
    if kind == "ran" and len(message) == 1:
        return ("ran",)
    if kind == "ready" and len(message) == 2 and isinstance(message[1], dict):
        return ("ready", message[1])
    if kind != "result" or len(message) != 2 or not isinstance(message[1], dict):
        raise ValueError(f"unknown message {str(kind)[:40]!r}")
    result = message[1]
    if result.get("status") not in STATUSES:
        raise ValueError("unknown status")
    figures = _field(result, "figures", list)
    try:
        decoded = [(base64.b64decode(svg, validate=True), base64.b64decode(png, validate=True))
                   for svg, png in figures]
    except (TypeError, ValueError, binascii.Error) as e:
        raise ValueError("bad figures") from e
    return ("result", {
        "status": result["status"], "stdout": _field(result, "stdout", str),
        "stderr": _field(result, "stderr", str), "truncated": _field(result, "truncated", bool),
        "figures": decoded, "error": _field(result, "error", str, type(None)),
        "traceback": _field(result, "traceback", str, type(None)),
        "seconds": float(_field(result, "seconds", int, float))})


# -- the sandbox ------------------------------------------------------------------------------------
# On Linux, workers run inside bubblewrap: the whole file system read-only (the project and the
# vault included), the home folder empty, a private /tmp, the worker's own folder the only one
# it can write, no network, its own process tree (every process in it dies with the worker).


@functools.cache
def sandbox_problem() -> str | None:
    """None when bubblewrap works on this machine, else why it does not (said once)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed"
    try:
        subprocess.run([bwrap, *_SANDBOX_BASE, "true"], capture_output=True, timeout=30,
                       check=True, stdin=subprocess.DEVNULL)
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode(errors="replace").strip().splitlines()
        return f"bubblewrap cannot run here ({detail[-1] if detail else exc.returncode})"
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bubblewrap cannot run here ({exc})"
    return None


_SANDBOX_BASE = ("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                 "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                 "--die-with-parent")


def sandbox_command(work_dir: Path, readable: tuple[Path, ...]) -> list[str]:
    """The bubblewrap command a worker runs under: `readable` (the project, the vault, the
    Python installation) stays visible, read-only, also where it lies in the hidden home
    folder or under the private /tmp."""
    home = Path.home()
    hidden = [Path("/tmp")]
    command = [shutil.which("bwrap") or "bwrap", *_SANDBOX_BASE]
    if home.is_dir() and home != Path("/"):
        command += ["--tmpfs", str(home)]
        hidden.append(home)
    cache = Path(os.environ.get("MPLCONFIGDIR") or Path(
        os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "matplotlib")
    # What the worker imports must stay visible wherever it lies (a checkout or a virtualenv
    # under /tmp, as in CI): kb's own package and every folder on the import path.
    imports = {Path(__file__).resolve().parent.parent,
               *(Path(p).resolve() for p in sys.path if p and Path(p).is_dir())}
    kept = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent,
            cache,  # matplotlib's font list: without it every worker would rebuild it
            *imports, *(Path(p).resolve() for p in readable)}
    for path in sorted(kept):
        if path.exists() and any(path.is_relative_to(h) for h in hidden):
            command += ["--ro-bind", str(path), str(path)]
    command += ["--bind", str(work_dir), str(work_dir), "--chdir", str(work_dir), "--"]
    return command


@dataclass
class _Worker:
    """One worker process and its end of the socket pair."""

    process: subprocess.Popen
    conn: Connection
    work_dir: Path
    info: dict = field(default_factory=dict)
    sandboxed: bool = False  # bubblewrap reports a worker's death by signal N as exit 128 + N
    group: SessionGroup | None = None  # the cgroup bounding the worker's whole process tree

    def alive(self) -> bool:
        return self.process.poll() is None

    def recv(self, timeout: float | None):
        """The next message, None on timeout; WorkerDied when the process ended, or when it
        sent something that is not a message of the protocol (then it is killed)."""
        try:
            if not self.conn.poll(timeout):
                return None
            data = self.conn.recv_bytes(MAX_MESSAGE_BYTES)
        except (EOFError, OSError) as e:
            raise WorkerDied from e
        try:
            return decode_reply(data)
        except ValueError as e:
            self.kill()
            raise WorkerDied(f"the worker sent a malformed message ({e})") from None

    def death(self) -> str:
        """Why the process ended, after it did."""
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "the worker stopped answering"
        if self.sandboxed and code > 128:
            code = 128 - code
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = str(-code)
            hint = " (killed for memory?)" if -code == signal.SIGKILL else ""
            return f"worker killed by signal {name}{hint}"
        return f"worker exited with code {code}"

    def kill(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # the block's own children too
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        if self.group is not None:  # also those that left the process group
            self.group.kill()
        self.process.wait()
        self.conn.close()

    def went_over_memory(self) -> bool:
        """Whether the kernel killed a process of the worker's tree for memory since last asked."""
        return self.group is not None and self.group.went_over()

    def discard(self) -> None:
        if self.group is not None:
            self.group.remove()
        shutil.rmtree(self.work_dir, ignore_errors=True)


class Pool:
    """A persistent pool of snippet workers, started lazily. Use as a context manager."""

    def __init__(
        self,
        project_root: Path,
        workers: int | None = None,
        memory_limit: int = MEMORY_LIMIT,
        output_limit: int = OUTPUT_LIMIT,
        sandbox: bool = True,
        readable: tuple[Path, ...] = (),
    ) -> None:
        """`sandbox`: run the workers under bubblewrap when it works here (`sandbox_problem`
        says why not); `readable`: folders the blocks may read besides the project."""
        self.project_root = Path(project_root).resolve()
        self.sandboxed = sandbox and sys.platform == "linux" and sandbox_problem() is None
        self.limits = session_limits.limits() if sys.platform == "linux" else session_limits.Limits(
            None, "cgroups are Linux's")
        self.readable = (self.project_root, *readable)
        self.size = max(1, workers or os.cpu_count() or 1)
        self.memory_limit = memory_limit
        self.output_limit = output_limit
        self._slots: list[_Worker | None] = [None] * self.size
        self._run_lock = threading.Lock()  # one run() at a time: each worker slot serves one thread
        # Workers are started from one thread that lives as long as the pool: bubblewrap's
        # --die-with-parent kills a sandbox when the *thread* that started it ends, and the
        # threads of run() end with it (the next run() found its workers killed).
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-spawner")
        self._closed = False
        self.interrupted = False  # set by interrupt(): no block starts any more (see there)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def limit_scope(self) -> str:
        """What the memory and CPU limits bound, in words (the build says it once)."""
        return self.limits.scope

    # -- workers -------------------------------------------------------------------------------------
    def _start(self) -> _Worker:
        work_dir = Path(tempfile.mkdtemp(prefix="kb-snippet-worker-"))
        parent_sock, child_sock = socket.socketpair()
        env = dict(os.environ)
        env.update(
            OPENBLAS_NUM_THREADS="1",
            OMP_NUM_THREADS="1",
            MKL_NUM_THREADS="1",
            MPLBACKEND="Agg",
            PYTHONHASHSEED="0",  # set and dict-of-str orders equal in every worker
            PYTHONIOENCODING="utf-8",
        )
        env.pop("PYTHONSTARTUP", None)
        group = self.limits.new_group() if self.memory_limit else None
        try:
            with open(work_dir / "worker.log", "wb") as log:
                sandbox = sandbox_command(work_dir, self.readable) if self.sandboxed else []
                process = self._spawner.submit(
                    subprocess.Popen,
                    [
                        *(group.join_command() if group is not None else []),
                        *sandbox,
                        sys.executable,
                        str(WORKER_SCRIPT),
                        str(child_sock.fileno()),
                        str(self.project_root),
                        str(work_dir),
                        str(self.memory_limit or 0),
                        str(self.output_limit),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    pass_fds=(child_sock.fileno(),),
                    cwd=work_dir,
                    env=env,
                    start_new_session=True,
                ).result()
        finally:
            child_sock.close()
        worker = _Worker(process, Connection(parent_sock.detach()), work_dir,
                         sandboxed=self.sandboxed, group=group)
        try:
            message = worker.recv(START_TIMEOUT)
        except WorkerDied:
            message = None
        if not message or message[0] != "ready":
            worker.kill()
            detail = (work_dir / "worker.log").read_text(errors="replace")[-2000:]
            worker.discard()
            raise RuntimeError(f"the snippet worker failed to start: {detail.strip() or 'no answer'}")
        worker.info = message[1]
        if group is not None:
            try:
                group.set_memory(self.memory_limit)
            except OSError as e:
                worker.kill()
                worker.discard()
                raise RuntimeError(f"the snippet worker's memory limit could not be set: {e}") from None
        return worker

    def _replace(self, slot: int, worker: _Worker) -> None:
        worker.kill()
        worker.discard()
        self._slots[slot] = None

    # -- running -------------------------------------------------------------------------------------
    def run(
        self, sessions: list[SessionRun], progress: Callable[[Outcome], None] | None = None
    ) -> dict[str, Outcome]:
        """Run every session; the outcome of every block, by key. Sessions run in parallel."""
        with self._run_lock:
            return self._run(sessions, progress)

    def _run(
        self, sessions: list[SessionRun], progress: Callable[[Outcome], None] | None
    ) -> dict[str, Outcome]:
        if self._closed:
            raise RuntimeError("the pool is closed")
        results: dict[str, Outcome] = {}
        todo: queue.SimpleQueue[SessionRun] = queue.SimpleQueue()
        for session in sessions:
            todo.put(session)
        report_lock = threading.Lock()

        def report(outcome: Outcome) -> None:
            with report_lock:
                results[outcome.key] = outcome
                if progress is not None:
                    progress(outcome)

        errors: list[BaseException] = []

        def serve(slot: int) -> None:
            try:
                while True:
                    try:
                        session = todo.get_nowait()
                    except queue.Empty:
                        return
                    self._run_session(slot, session, report)
            except BaseException as e:  # a bug here must not hang run(); re-raised below
                errors.append(e)

        busy = min(self.size, len(sessions))
        if busy <= 1:
            serve(0)
        else:
            threads = [threading.Thread(target=serve, args=(i,), daemon=True) for i in range(busy)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        if errors:
            raise errors[0]
        return results

    def _run_session(self, slot: int, session: SessionRun, report: Callable[[Outcome], None]) -> None:
        if self.interrupted:  # no worker started for nothing
            for block in session.blocks:
                report(Outcome(block.key, "skipped", error=f"skipped: {INTERRUPTED}"))
            return
        worker = self._slots[slot]
        if worker is not None and not worker.alive():
            self._replace(slot, worker)
            worker = None
        if worker is None:
            try:
                worker = self._slots[slot] = self._start()
            except RuntimeError as e:
                for block in session.blocks:
                    report(Outcome(block.key, "crashed", error=str(e)))
                return
        blocks = list(session.blocks)
        with contextlib.suppress(OSError):  # a dead worker is seen at the first block
            worker.conn.send(("session", session.label))
        for index, block in enumerate(blocks):
            # Read after the worker is in its slot: interrupt() sets the flag before it reads
            # the slots, so a worker it did not see (still starting) runs no block.
            if self.interrupted:
                self._replace(slot, worker)
                for later in blocks[index:]:
                    report(Outcome(later.key, "skipped", error=f"skipped: {INTERRUPTED}"))
                return
            outcome = self._run_block(worker, session, index, block)
            report(outcome)
            if outcome.status in _FATAL:
                self._replace(slot, worker)
                reason = _FATAL[outcome.status]
                for later in blocks[index + 1 :]:
                    report(
                        Outcome(
                            later.key,
                            "skipped",
                            error=f"skipped: block {index + 1} of {session.label} {reason}",
                        )
                    )
                return
        try:
            worker.conn.send(("end",))
        except OSError:
            self._replace(slot, worker)

    def _run_block(self, worker: _Worker, session: SessionRun, index: int, block: BlockRun) -> Outcome:
        outcome = self._run_block_once(worker, session, index, block)
        if worker.went_over_memory():  # a process of the tree was killed: the block's doing
            return replace(outcome, status="memory", error=(
                f"the block's processes together used more than the memory limit of "
                f"{_size(self.memory_limit)}, which bounds {self.limit_scope}"))
        return outcome

    def _run_block_once(self, worker: _Worker, session: SessionRun, index: int,
                        block: BlockRun) -> Outcome:
        filename = block_filename(session.label, index)
        timeout = clamp_timeout(block.timeout)
        start = time.perf_counter()
        try:
            worker.conn.send(("block", block.code, filename, block.expect_error))
            message = worker.recv(timeout)
            if message is None:
                worker.kill()
                stdout, stderr, truncated = self._leftover_output(worker)
                return Outcome(
                    block.key,
                    "timeout",
                    stdout,
                    stderr,
                    truncated,
                    error=f"the block ran longer than its timeout of {timeout:g} s",
                    seconds=time.perf_counter() - start,
                )
            if message[0] == "ran":
                message = worker.recv(FIGURE_TIMEOUT + timeout)
                if message is None:
                    worker.kill()
                    return Outcome(
                        block.key,
                        "timeout",
                        error="saving the block's figures took too long",
                        seconds=time.perf_counter() - start,
                    )
        except (WorkerDied, OSError) as e:
            if self.interrupted:
                reason = INTERRUPTED
            else:
                reason = str(e) if isinstance(e, WorkerDied) and str(e) else worker.death()
            stdout, stderr, truncated = self._leftover_output(worker)
            seconds = time.perf_counter() - start
            return Outcome(block.key, "crashed", stdout, stderr, truncated, error=reason, seconds=seconds)
        r = message[1]
        return Outcome(
            key=block.key,
            status=r["status"],
            stdout=r["stdout"],
            stderr=r["stderr"],
            truncated=r["truncated"],
            figures=tuple(Figure(svg, png) for svg, png in r["figures"]),
            error=self._where_searched(r["error"]),
            traceback=r["traceback"],
            seconds=r["seconds"],
        )

    def _where_searched(self, error: str | None) -> str | None:
        """A block importing a missing `snippets` module is told which folder was searched."""
        if error and error.startswith("ModuleNotFoundError: No module named 'snippets"):
            return f"{error} (searched {self.project_root / 'snippets'})"
        return error

    def _leftover_output(self, worker: _Worker) -> tuple[str, str, bool]:
        """What a killed or crashed block printed before it ended."""
        stdout, t_out = read_output(worker.work_dir / "stdout", self.output_limit)
        stderr, t_err = read_output(worker.work_dir / "stderr", self.output_limit)
        return stdout, stderr, t_out or t_err

    # -- closing -------------------------------------------------------------------------------------
    def interrupt(self) -> None:
        """Kill the workers' process trees, from another thread than run()'s: their running
        blocks end as crashed, the rest of their sessions skipped, and run() returns. For good:
        a worker still starting is killed before its first block, and so is any later one (an
        interrupted pool is closed, not used again)."""
        self.interrupted = True  # before the slots are read (see _run_session)
        for worker in list(self._slots):
            if worker is not None and worker.alive():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(worker.process.pid, signal.SIGKILL)
                if worker.group is not None:
                    worker.group.kill()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for slot, worker in enumerate(self._slots):
            if worker is None:
                continue
            try:
                worker.conn.send(("quit",))
                worker.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
            self._replace(slot, worker)
        self._spawner.shutdown(wait=False)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
