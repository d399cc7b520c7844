"""Worker processes for the publish step's per-page work: how many, and a map over them.

`in_child` runs one task (a build's compilation) in a forked process that ends with it.
The MkDocs page build (`compiler.page_workers`), the site check (`compiler.sitecheck`) and the
search index (`compiler.search_index`) each spread their pages over `count(...)` forked
processes. Forked, not spawned: a worker inherits the expensive state (MkDocs' files and
navigation, the site's file list) copy-on-write instead of receiving it pickled, and starts
in milliseconds. Every worker dies with the process that forked it, even a `kill -9`ed one
(`die_with_parent`), and ignores Ctrl+C, which is its parent's to handle: the parent ends
its workers and the command line reports the interruption once.

`kb.workers` (mkdocs.yml) sets the most workers: 0 (the default) is one per core, 1 is the
single-process build.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_PAGES_PER_WORKER = 16  # below this a worker costs more to start than it saves
_MIB = 1 << 20


def cores() -> int:
    """The cores this process may run on."""
    with contextlib.suppress(AttributeError, OSError):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _available_bytes() -> int | None:
    """The memory the system can still give (Linux MemAvailable), or None where unknown."""
    with contextlib.suppress(OSError, ValueError), open("/proc/meminfo", encoding="ascii") as info:
        for line in info:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return None


def _resident_bytes() -> int | None:
    with contextlib.suppress(OSError, ValueError), open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return None


def count(setting: int, tasks: int, min_tasks: int = MIN_PAGES_PER_WORKER) -> int:
    """How many workers for `tasks` pages: one per core, at most `setting` (`kb.workers`,
    0: no limit), at most one per `min_tasks` pages, and no more than the free memory holds
    if each grew as large as this process (a worker's own pages are a slice of its memory,
    so this errs on the safe side)."""
    workers = cores() if setting <= 0 else min(setting, cores())
    workers = min(workers, max(1, tasks // max(1, min_tasks)))
    available, resident = _available_bytes(), _resident_bytes()
    if available is not None and resident:
        workers = min(workers, max(1, available // max(resident, 64 * _MIB)))
    return max(1, workers)


def die_with_parent(parent: int) -> None:
    """In a worker (Linux): end with the process that forked it, even a `kill -9`ed one, and
    leave Ctrl+C to that process. Ends at once when the parent is already gone."""
    import ctypes

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


@contextlib.contextmanager
def sharing_memory() -> Iterator[None]:
    """Around forking workers: the objects this process holds are moved out of the garbage
    collector's reach (`gc.freeze`) while the workers start, so that a collection in a worker
    never writes to them; the pages they sit on then stay shared with this process instead
    of being copied into every worker. This process collects them again afterwards."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def fork_context() -> multiprocessing.context.BaseContext | None:
    """The fork start method, or None where the system has none (then work in-process)."""
    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


_task: Callable | None = None  # the function of the pool being run, inherited by its workers


def _run(chunk):
    return _task(chunk)


def fork_map(task: Callable[[Sequence[T]], R], items: Sequence[T], setting: int,
             min_tasks: int = MIN_PAGES_PER_WORKER) -> list[R]:
    """`task` of consecutive chunks of `items`, in forked workers when there are enough
    items, one result per chunk in order. `task` may be any function (a closure too): the
    workers inherit it rather than receive it; only the chunks and results are pickled."""
    global _task
    workers = count(setting, len(items), min_tasks)
    context = fork_context()
    if workers <= 1 or context is None:
        return [task(items)] if items else []
    # A few chunks per worker, so that one slow chunk does not leave the others idle.
    chunks = workers * 4
    size = -(-len(items) // chunks)
    parts = [items[start:start + size] for start in range(0, len(items), size)]
    _task = task
    try:
        with sharing_memory():
            pool = context.Pool(workers, initializer=die_with_parent, initargs=(os.getpid(),))
        with pool:
            return pool.map(_run, parts, chunksize=1)
    finally:
        _task = None


class ChildLost(RuntimeError):
    """The forked process of `in_child` ended without an answer (killed, or out of memory)."""


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def in_child(task: Callable[[], R]) -> R:
    """`task()` run in a forked process that ends when it returns, so that the memory the
    task took goes back to the system at once (CPython keeps what it frees for itself). Its
    result, or the exception it raised, is pickled back. Ctrl+C (or any exception) here
    stops the child as Ctrl+C would have stopped the task, its `finally` blocks run; a
    `kill -9`ed parent takes the child with it.

    Runs here, in this process, where the system cannot fork or where this process runs
    other threads: a forked child has only the thread that forked, so a lock or an event
    loop another thread held (a Dask client's, a test runner's) would never be let go in it.
    `kb build` runs no other thread when it compiles."""
    context = fork_context()
    if context is None or threading.active_count() > 1:
        return task()
    receive, send = context.Pipe(duplex=False)
    parent = os.getpid()

    def run() -> None:
        die_with_parent(parent)
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            outcome: tuple[bool, object] = (True, task())
        except BaseException as exc:
            outcome = (False, exc)
        try:
            send.send(outcome)
        except Exception as exc:  # an exception that does not pickle
            send.send((False, RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]} ({exc})")))

    child = context.Process(target=run, name="kb-compile")
    child.start()
    send.close()
    try:
        ok, value = receive.recv()
    except EOFError:
        child.join()
        raise ChildLost(f"the process that compiled the vault ended with no answer "
                        f"(exit code {child.exitcode})") from None
    except BaseException:
        child.terminate()  # SIGTERM: KeyboardInterrupt in the child, which cleans up
        child.join()
        raise
    finally:
        receive.close()
    child.join()
    if not ok:
        raise value
    return value
