"""The worker process that runs snippet blocks (started by `compiler.execute.Pool`, never imported there).

Run as a script: `python snippet_worker.py FD PROJECT_ROOT WORK_DIR MEMORY_LIMIT OUTPUT_LIMIT`.
FD is one end of a socket pair carrying pickled messages (multiprocessing.connection framing);
the worker's own stdout/stderr never carry the protocol, since a block may write to fds 1 and 2.

Messages from the pool, each a tuple:
    ("session", label)                          start a session: fresh namespace, seeds, cwd, rcParams
    ("block", code, filename, expect_error)     run one block; replies ("ran",) then ("result", dict)
    ("end",)                                    end the session: remove its cwd
    ("quit",)                                   exit
The worker replies ("ready", info) once its imports are done.

This module imports only the standard library at module level, so that it stays cheap to start;
NumPy and matplotlib are imported once in `main`.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import faulthandler
import gc
import importlib
import importlib.abc
import importlib.machinery
import io
import json
import linecache
import os
import random
import resource
import shutil
import signal
import sys
import threading
import time
import traceback
import warnings
from pathlib import Path

OUTPUT_BYTES_PER_CHAR = 4  # worst case of UTF-8
PNG_DPI = 150
MAX_FIGURES = 20  # per block; more are closed unsaved, with a note in the block's stderr
MAX_FIGURE_PIXELS = 40_000_000  # per PNG: a larger figure is saved at a lower dpi
MAX_BLOCK_PIXELS = 160_000_000  # all of a block's PNGs together: later figures get a lower dpi
MIN_FIGURE_PIXELS = 1_000_000  # a figure beyond the block's budget still gets this many
MAX_FIGURE_SIDE = 32_768  # pixels, per side of a PNG (Agg refuses much larger)
THREAD_GRACE = 0.5  # seconds a block's threads get to finish after its code returned
UNSTABLE_ERROR = "the block left threads running"
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
MIN_FILE_SIZE_LIMIT = 64 * 1024 * 1024  # RLIMIT_FSIZE: caps the captured output files and block's own files


def send_reply(conn, message: tuple) -> None:
    """A reply to the pool, as JSON (figures in base64), never as pickle: the compiler must
    not unpickle anything a block could have written into the socket."""
    kind, *rest = message
    if kind == "result":
        result = dict(rest[0])
        result["figures"] = [[base64.b64encode(svg).decode(), base64.b64encode(png).decode()]
                             for svg, png in result["figures"]]
        rest = [result]
    conn.send_bytes(json.dumps([kind, *rest]).encode())


def setup_environment() -> None:
    """Environment the numeric libraries read at import: one BLAS thread keeps virtual memory small."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[name] = "1"
    os.environ["MPLBACKEND"] = "Agg"


def read_output(path: Path, limit: int) -> tuple[str, bool]:
    """The first `limit` characters of a captured output file, and whether anything was cut."""
    cap = limit * OUTPUT_BYTES_PER_CHAR
    try:
        with open(path, "rb") as f:
            data = f.read(cap + 1)
    except OSError:
        return "", False
    truncated = len(data) > cap
    text = data[:cap].decode("utf-8", errors="replace")
    if len(text) > limit:
        text, truncated = text[:limit], True
    return text, truncated


class LimitedRaw(io.RawIOBase):
    """Writes to a file descriptor until the file reaches `cap` bytes, then silently drops the rest.

    Python-level prints go through this, so a block that prints 100 MB runs to completion with its
    output cut; writes straight to the fd (C code, os.write) are stopped by RLIMIT_FSIZE instead.
    """

    def __init__(self, fd: int, cap: int) -> None:
        super().__init__()
        self.fd = fd
        self.cap = cap
        self.dropped = False

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        n = len(b)
        try:
            pos = os.lseek(self.fd, 0, os.SEEK_CUR)
        except OSError:
            pos = 0
        room = self.cap - pos
        if room <= 0:
            self.dropped = True
            return n
        view = memoryview(b)[:room]
        if len(view) < n:
            self.dropped = True
        try:
            while len(view):
                written = os.write(self.fd, view)
                view = view[written:]
        except OSError:  # EFBIG beyond RLIMIT_FSIZE, or the block closed the fd
            self.dropped = True
        return n


class FreshSourceLoader(importlib.machinery.SourceFileLoader):
    """Compiles `snippets` modules from source every time.

    A stale .pyc (source edited within the same second, same size) is never used, and none is written.
    """

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        return self.source_to_code(self.get_data(path), path)


class SnippetsFinder(importlib.abc.MetaPathFinder):
    """Routes `snippets` and `snippets.*` imports to FreshSourceLoader."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "snippets" and not fullname.startswith("snippets."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and type(spec.loader) is importlib.machinery.SourceFileLoader:
            spec.loader = FreshSourceLoader(spec.loader.name, spec.loader.path)
        return spec


def matches(exc: BaseException, expected: str) -> bool:
    if expected == "any":
        return True
    for cls in type(exc).__mro__:
        if expected in (cls.__name__, f"{cls.__module__}.{cls.__qualname__}"):
            return True
    return False


def describe(exc: BaseException) -> str:
    message = str(exc)
    name = type(exc).__name__
    return f"{name}: {message}" if message else name


class Worker:
    def __init__(
        self, conn, project_root: Path, work_dir: Path, memory_limit: int, output_limit: int
    ) -> None:
        self.conn = conn
        self.project_root = project_root
        self.snippets_dir = str(project_root / "snippets") + os.sep
        self.work_dir = work_dir
        self.memory_limit = memory_limit
        self.output_limit = output_limit
        self.namespace: dict = {}
        self.session_dir: str | None = None
        self.sessions = 0
        self.libc = None
        self.pid = os.getpid()
        self.base_threads: set[threading.Thread] = set()
        self.base_state: dict = {}

    # -- start ---------------------------------------------------------------------------------------
    def start(self) -> dict:
        if sys.path and sys.path[0] == str(Path(__file__).resolve().parent):
            sys.path.pop(0)  # the script's directory (compiler/) must not shadow user imports
        sys.path.insert(0, str(self.project_root))
        sys.meta_path.insert(0, SnippetsFinder())
        info: dict = {"python": sys.version.split()[0]}
        t0 = time.perf_counter()
        try:
            import numpy

            info["numpy"] = numpy.__version__
        except ImportError:
            pass
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot

            info["matplotlib"] = matplotlib.__version__
            with contextlib.suppress(ImportError):
                import koreanize_matplotlib  # noqa: F401  (NanumGothic: Hangul labels render)
            matplotlib.rcParams["svg.hashsalt"] = "kb-snippets"
            self.base_rc = dict(matplotlib.rcParams.copy())
            self.base_rc.pop("backend", None)
        except ImportError:
            self.base_rc = None
        info["import_seconds"] = time.perf_counter() - t0
        self.base_path = list(sys.path)
        self.base_filters = list(warnings.filters)
        try:
            self.libc = ctypes.CDLL(None)
        except OSError:
            self.libc = None
        if self.memory_limit:
            resource.setrlimit(resource.RLIMIT_AS, (self.memory_limit, self.memory_limit))
        fsize = max(self.output_limit * OUTPUT_BYTES_PER_CHAR + (1 << 20), MIN_FILE_SIZE_LIMIT)
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes beyond the limit fail with EFBIG instead
        faulthandler.enable()  # a segfault leaves the Python stack in the block's stderr
        self.pid = os.getpid()
        self.base_threads = set(threading.enumerate())
        self.base_state = self.snapshot_state()
        return info

    # -- process state -------------------------------------------------------------------------------
    def snapshot_state(self) -> dict:
        """Process-wide state a block may change, restored before each session (`restore_state`)."""
        state: dict = {
            "environ": dict(os.environ),
            "cwd": os.getcwd(),
            "recursionlimit": sys.getrecursionlimit(),
            "switchinterval": sys.getswitchinterval(),
            "displayhook": sys.displayhook,
            "excepthook": sys.excepthook,
            "threading.excepthook": threading.excepthook,
            "showwarning": warnings.showwarning,
            "signals": {},
            "sigmask": None,
        }
        if hasattr(sys, "get_int_max_str_digits"):
            state["int_max_str_digits"] = sys.get_int_max_str_digits()
        umask = os.umask(0o022)
        os.umask(umask)
        state["umask"] = umask
        for sig in signal.valid_signals():
            if sig in (signal.SIGKILL, signal.SIGSTOP):
                continue
            with contextlib.suppress(OSError, ValueError):
                handler = signal.getsignal(sig)
                if handler is not None:  # None: installed outside Python, left alone
                    state["signals"][sig] = handler
        with contextlib.suppress(OSError, ValueError, AttributeError):
            state["sigmask"] = signal.pthread_sigmask(signal.SIG_BLOCK, [])
        with contextlib.suppress(Exception):
            import locale

            state["locale"] = locale.setlocale(locale.LC_ALL, None)
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            state["np.printoptions"] = numpy.get_printoptions()
            state["np.err"] = numpy.geterr()
            state["np.errcall"] = numpy.geterrcall()
        return state

    def restore_state(self) -> None:
        state = self.base_state
        if not state:
            return
        for which in ("ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF"):  # a pending alarm
            with contextlib.suppress(Exception):
                signal.setitimer(getattr(signal, which), 0)
        for sig, handler in state["signals"].items():
            with contextlib.suppress(Exception):
                if signal.getsignal(sig) is not handler:
                    signal.signal(sig, handler)
        if state["sigmask"] is not None:
            with contextlib.suppress(Exception):
                signal.pthread_sigmask(signal.SIG_SETMASK, state["sigmask"])
        environ = state["environ"]
        for name in [n for n in os.environ if n not in environ]:
            del os.environ[name]
        for name, value in environ.items():
            if os.environ.get(name) != value:
                os.environ[name] = value
        with contextlib.suppress(OSError):
            os.chdir(state["cwd"])
        with contextlib.suppress(Exception):
            sys.setrecursionlimit(state["recursionlimit"])
        with contextlib.suppress(Exception):
            sys.setswitchinterval(state["switchinterval"])
        if "int_max_str_digits" in state:
            with contextlib.suppress(Exception):
                sys.set_int_max_str_digits(state["int_max_str_digits"])
        sys.displayhook = state["displayhook"]
        sys.excepthook = state["excepthook"]
        threading.excepthook = state["threading.excepthook"]
        warnings.showwarning = state["showwarning"]
        os.umask(state["umask"])
        if "locale" in state:
            with contextlib.suppress(Exception):
                import locale

                locale.setlocale(locale.LC_ALL, state["locale"])
        numpy = sys.modules.get("numpy")
        if numpy is not None and "np.printoptions" in state:
            with contextlib.suppress(Exception):
                numpy.set_printoptions(**state["np.printoptions"])
            with contextlib.suppress(Exception):
                numpy.seterr(**state["np.err"])
            with contextlib.suppress(Exception):
                numpy.seterrcall(state["np.errcall"])

    def new_threads(self) -> list[threading.Thread]:
        """Threads the block started that are still alive, after giving them `THREAD_GRACE` to end."""
        deadline = time.monotonic() + THREAD_GRACE
        alive = []
        for thread in threading.enumerate():
            if thread in self.base_threads or thread is threading.current_thread():
                continue
            with contextlib.suppress(RuntimeError):
                thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                alive.append(thread)
        return alive

    # -- sessions ------------------------------------------------------------------------------------
    def begin_session(self, label: str) -> None:
        for name in [m for m in sys.modules if m == "snippets" or m.startswith("snippets.")]:
            del sys.modules[name]
        importlib.invalidate_caches()
        self.restore_state()
        sys.path[:] = self.base_path
        warnings.filters[:] = self.base_filters
        random.seed(0)
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed(0)
        if self.base_rc is not None:
            import matplotlib
            import matplotlib.pyplot as plt

            plt.close("all")
            if hasattr(matplotlib.rcParams, "_update_raw"):
                matplotlib.rcParams._update_raw(self.base_rc)
            else:
                dict.update(matplotlib.rcParams, self.base_rc)
        self.sessions += 1
        self.session_dir = str(self.work_dir / f"session-{self.sessions}")
        os.makedirs(self.session_dir)
        os.chdir(self.session_dir)
        self.namespace = {"__name__": "__main__", "__builtins__": __builtins__}

    def end_session(self) -> None:
        self.namespace = {}
        os.chdir(self.work_dir)
        if self.session_dir:
            shutil.rmtree(self.session_dir, ignore_errors=True)
        self.session_dir = None

    # -- blocks --------------------------------------------------------------------------------------
    def run_block(self, code: str, filename: str, expect_error: str | None) -> dict:
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")
        out_path = self.work_dir / "stdout"
        err_path = self.work_dir / "stderr"
        cap = self.output_limit * OUTPUT_BYTES_PER_CHAR
        sys.stdout.flush()
        sys.stderr.flush()
        saved_fds = (os.dup(1), os.dup(2))
        saved_streams = (sys.stdout, sys.stderr)
        for fd, path in ((1, out_path), (2, err_path)):
            f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(f, fd)
            os.close(f)
        raws = (LimitedRaw(1, cap), LimitedRaw(2, cap))
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(raws[0]), encoding="utf-8", errors="backslashreplace")
        sys.stderr = io.TextIOWrapper(
            io.BufferedWriter(raws[1]), encoding="utf-8", errors="backslashreplace", line_buffering=True
        )
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        exc: BaseException | None = None
        t0 = time.perf_counter()
        try:
            try:
                compiled = compile(code, filename, "exec", dont_inherit=True)
                exec(compiled, self.namespace)
            finally:
                if os.getpid() != self.pid:  # a child the block forked: it must not serve as a worker
                    os._exit(0)
        except BaseException as e:  # SystemExit and KeyboardInterrupt included: a block never ends the worker
            exc = e
            if isinstance(e, MemoryError) and not (expect_error and matches(e, expect_error)):
                # Free what the block holds before anything else allocates; the pool skips the rest of the
                # session and replaces this worker.
                self.namespace.clear()
                traceback.clear_frames(e.__traceback__)
                gc.collect()
        leftover = self.new_threads()  # waited for while the output still goes to the block's files
        seconds = time.perf_counter() - t0
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        if self.libc is not None:
            with contextlib.suppress(Exception):
                self.libc.fflush(None)  # C-level stdio buffers
        sys.stdout, sys.stderr = saved_streams
        os.dup2(saved_fds[0], 1)
        os.dup2(saved_fds[1], 2)
        os.close(saved_fds[0])
        os.close(saved_fds[1])
        send_reply(self.conn, ("ran",))

        result: dict = {"seconds": seconds, "error": None, "traceback": None, "figures": []}
        if exc is None:
            if expect_error:
                result["status"] = "error"
                result["error"] = f"expected {expect_error}, but the block raised no exception"
            else:
                result["status"] = "ok"
        else:
            if expect_error and matches(exc, expect_error):
                result["status"] = "expected-error"
            elif isinstance(exc, MemoryError):
                result["status"] = "memory"
            else:
                result["status"] = "error"
            result["error"] = describe(exc)
            result["traceback"] = self.format_traceback(exc, filename)
        del exc
        if leftover and result["status"] != "memory":
            names = ", ".join(sorted(t.name for t in leftover))
            result["status"] = "unstable"
            result["error"] = f"{UNSTABLE_ERROR}: {names}"
        t1 = time.perf_counter()
        notes: list[str] = []
        try:
            result["figures"] = self.capture_figures(notes)
        except BaseException as e:
            if result["status"] == "ok":
                result["status"] = "error"
                result["error"] = f"saving the figures failed: {describe(e)}"
        result["seconds"] += time.perf_counter() - t1
        result["stdout"], t_out = read_output(out_path, self.output_limit)
        result["stderr"], t_err = read_output(err_path, self.output_limit)
        if notes:
            if result["stderr"] and not result["stderr"].endswith("\n"):
                result["stderr"] += "\n"
            result["stderr"] += "".join(f"[snippet] {note}\n" for note in notes)
        result["truncated"] = t_out or t_err or raws[0].dropped or raws[1].dropped
        if result["status"] == "memory":
            gc.collect()
        return result

    def capture_figures(self, notes: list[str] | None = None) -> list[tuple[bytes, bytes]]:
        """(SVG, PNG) of each open figure, in creation order, at most `MAX_FIGURES`; a figure
        whose PNG would exceed `MAX_FIGURE_PIXELS` (or the block's `MAX_BLOCK_PIXELS`) is saved at a
        lower dpi. What was cut is described in `notes`."""
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is None:
            return []
        notes = [] if notes is None else notes
        figures = []
        budget = MAX_BLOCK_PIXELS
        try:
            nums = plt.get_fignums()
            if len(nums) > MAX_FIGURES:
                notes.append(f"the block drew {len(nums)} figures; only the first {MAX_FIGURES} are kept")
                for num in nums[MAX_FIGURES:]:
                    plt.close(num)
                nums = nums[:MAX_FIGURES]
            for index, num in enumerate(nums):
                fig = plt.figure(num)
                dpi, svg_dpi = self.figure_dpi(fig, budget)
                if dpi < PNG_DPI:
                    notes.append(f"figure {index + 1} is large; its PNG was saved at {dpi:.3g} dpi")
                svg, png = io.BytesIO(), io.BytesIO()
                svg_options = {} if svg_dpi is None else {"dpi": svg_dpi}
                fig.savefig(svg, format="svg", metadata={"Date": None}, **svg_options)
                fig.savefig(png, format="png", dpi=dpi)
                width, height = fig.get_size_inches()
                budget -= int(width * dpi) * int(height * dpi)
                figures.append((svg.getvalue(), png.getvalue()))
                plt.close(fig)  # frees its canvas before the next one is drawn
        finally:
            plt.close("all")
        return figures

    @staticmethod
    def figure_dpi(fig, budget: int) -> tuple[float, float | None]:
        """The dpi for a figure's PNG, and for its SVG's raster parts (None: matplotlib's default)."""
        width, height = (float(x) for x in fig.get_size_inches())
        area = width * height
        if not (area > 0 and width < float("inf") and height < float("inf")):
            return PNG_DPI, None  # matplotlib reports such a size itself
        allowed = min(MAX_FIGURE_PIXELS, max(budget, MIN_FIGURE_PIXELS))
        dpi = min(PNG_DPI, (allowed / area) ** 0.5, MAX_FIGURE_SIDE / max(width, height))
        if dpi >= PNG_DPI:
            return PNG_DPI, None
        return dpi, min(dpi, float(fig.dpi))

    def keep_frame(self, frame: traceback.FrameSummary, filename: str) -> bool:
        if frame.filename == filename:
            return True
        try:
            path = os.path.realpath(frame.filename)
        except (OSError, ValueError):
            return False
        return path.startswith(os.path.realpath(self.snippets_dir) + os.sep) or path.startswith(
            self.snippets_dir
        )

    def format_traceback(self, exc: BaseException, filename: str) -> str:
        try:
            te = traceback.TracebackException(type(exc), exc, exc.__traceback__, capture_locals=False)
            seen = set()
            todo = [te]
            while todo:
                item = todo.pop()
                if id(item) in seen:
                    continue
                seen.add(id(item))
                item.stack = traceback.StackSummary.from_list(
                    [f for f in item.stack if self.keep_frame(f, filename)]
                )
                todo.extend(x for x in (item.__cause__, item.__context__) if x is not None)
            return "".join(te.format())
        except Exception:
            return "".join(traceback.format_exception_only(type(exc), exc))

    # -- loop ----------------------------------------------------------------------------------------
    def serve(self) -> None:
        """The template's loop: each session runs in a process forked from this one, which
        no block has touched, so that nothing a block changes (a patched `numpy.sum`, a
        module's global, the random state) reaches another session."""
        if self.libc is not None:
            with contextlib.suppress(Exception):  # orphans of a session come back to be killed
                self.libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                return  # the pool is gone
            kind = message[0]
            if kind == "session":
                self.run_session(message[1])
            elif kind == "quit":
                return

    def run_session(self, label: str) -> None:
        child = os.fork()
        if child == 0:
            code = 0
            try:
                if self.libc is not None:  # the session ends with the template, even mid-block
                    self.libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
                self.pid = os.getpid()
                self.begin_session(label)
                self.serve_session()
            except BaseException:
                code = 70
            finally:
                os._exit(code)
        _, status = os.waitpid(child, 0)
        self.kill_leftovers()
        if os.WIFSIGNALED(status):  # the session died: so does the template, the same way,
            sig = os.WTERMSIG(status)  # and the pool reports it as before
            signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)
        elif os.WEXITSTATUS(status) != 0:
            os._exit(os.WEXITSTATUS(status))

    def serve_session(self) -> None:
        while True:
            message = self.conn.recv()
            kind = message[0]
            if kind == "block":
                _, code, filename, expect_error = message
                send_reply(self.conn, ("result", self.run_block(code, filename, expect_error)))
            elif kind == "end":
                self.end_session()
                return
            elif kind == "quit":
                os._exit(0)

    def kill_leftovers(self) -> None:
        """Every process a session left behind: those still in the worker's process group,
        and those that left it (setsid) but came back to this subreaper as orphans."""
        me, group = os.getpid(), os.getpgrp()
        for _ in range(20):  # a process may fork while we look: look again until none is left
            found = []
            for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
                if not entry.isdigit() or int(entry) == me:
                    continue
                pid = int(entry)
                try:
                    with open(f"/proc/{pid}/stat", "rb") as handle:
                        fields = handle.read().rpartition(b")")[2].split()
                except OSError:
                    continue
                if fields[0] != b"Z" and (int(fields[1]) == me or int(fields[2]) == group):
                    found.append(pid)
            if not found:
                return
            for pid in found:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            for pid in found:
                with contextlib.suppress(OSError):
                    os.waitpid(pid, 0)  # only our children can be reaped; others go to theirs


def watch_parent(parent: int, work_dir: str) -> None:
    """Exit when the pool's process is gone, even while a block loops (the socket's EOF is not read then)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            shutil.rmtree(work_dir, ignore_errors=True)
            os._exit(70)


def main(argv: list[str] | None = None) -> None:
    from multiprocessing.connection import Connection

    args = sys.argv[1:] if argv is None else argv
    fd, project_root, work_dir, memory_limit, output_limit = args
    setup_environment()
    threading.Thread(target=watch_parent, args=(os.getppid(), work_dir), daemon=True).start()
    conn = Connection(int(fd))
    worker = Worker(conn, Path(project_root).resolve(), Path(work_dir), int(memory_limit), int(output_limit))
    os.chdir(work_dir)
    info = worker.start()
    send_reply(conn, ("ready", info))
    worker.serve()
    conn.close()


if __name__ == "__main__":
    main()
