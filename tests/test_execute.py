"""The snippet execution engine with real worker processes: no mocks."""

from __future__ import annotations

import os
import signal
import socket
import threading
from pathlib import Path

import pytest

from compiler.execute import (
    INTERRUPTED,
    MAX_TIMEOUT,
    BlockRun,
    Outcome,
    Pool,
    SessionRun,
    clamp_timeout,
    sandbox_problem,
)

PROJECT = Path(__file__).resolve().parent.parent
OUTPUT_LIMIT = 200_000


@pytest.fixture(scope="module")
def pool():
    with Pool(PROJECT, workers=2, output_limit=OUTPUT_LIMIT) as p:
        yield p


def run_one(pool: Pool, code: str, **options) -> Outcome:
    """Run `code` as the only block of its own session."""
    block = BlockRun("k", code, **{"timeout": 10.0, **options})
    return pool.run([SessionRun("note.md", (block,))])["k"]


def session(label: str, *codes: str, timeout: float = 10.0) -> SessionRun:
    return SessionRun(label, tuple(BlockRun(f"{label}:{i}", c, timeout) for i, c in enumerate(codes)))


def test_print_and_figure(pool):
    out = run_one(
        pool,
        "import matplotlib.pyplot as plt\nprint('hello', 40 + 2)\nplt.plot([1, 2, 3])\nplt.title('온도')\n",
    )
    assert out.status == "ok", out.traceback
    assert out.stdout == "hello 42\n"
    assert out.stderr == ""
    assert not out.truncated
    assert len(out.figures) == 1
    svg, png = out.figures[0].svg, out.figures[0].png
    assert svg.startswith(b"<?xml") or b"<svg" in svg
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert out.error is None and out.traceback is None


def test_figures_in_creation_order_and_closed_between_blocks(pool):
    res = pool.run(
        [
            session(
                "figs.md",
                "import matplotlib.pyplot as plt\nplt.figure(figsize=(2, 2))\nplt.figure(figsize=(4, 2))\n",
                "import matplotlib.pyplot as plt\nprint(plt.get_fignums())\n",
            )
        ]
    )
    first, second = res["figs.md:0"], res["figs.md:1"]
    assert [len(f.png) > 0 for f in first.figures] == [True, True]
    assert b'width="144pt"' in first.figures[0].svg and b'width="288pt"' in first.figures[1].svg
    assert second.stdout == "[]\n" and second.figures == ()


def test_fd_level_output_is_captured(pool):
    code = (
        "import os, sys, ctypes\n"
        "print('py')\n"
        "sys.stdout.flush()\n"
        "os.write(1, b'raw\\n')\n"
        "ctypes.CDLL(None).printf(b'from C\\n')\n"
        "print('warn', file=sys.stderr)\n"
        "os.write(2, b'raw err\\n')\n"
    )
    out = run_one(pool, code)
    assert out.status == "ok", out.traceback
    assert out.stdout.splitlines() == ["py", "raw", "from C"]
    assert out.stderr.splitlines() == ["warn", "raw err"]


def test_exception_traceback_is_cut_to_the_block(pool):
    out = run_one(pool, "def f(x):\n    return 1 / x\n\nf(0)\n")
    assert out.status == "error"
    assert out.error == "ZeroDivisionError: division by zero"
    tb = out.traceback
    assert tb.startswith("Traceback (most recent call last):")
    assert '"<block note.md:1>", line 4' in tb and '"<block note.md:1>", line 2, in f' in tb
    assert "return 1 / x" in tb
    assert "snippet_worker" not in tb and "execute.py" not in tb
    assert tb.rstrip().endswith("ZeroDivisionError: division by zero")


def test_syntax_error(pool):
    out = run_one(pool, "x = (\n")
    assert out.status == "error"
    assert out.error.startswith("SyntaxError")
    assert "<block note.md:1>" in out.traceback and "snippet_worker" not in out.traceback


def test_expected_exception(pool):
    assert run_one(pool, "raise ValueError('bad')", expect_error="ValueError").status == "expected-error"
    assert run_one(pool, "raise ValueError('bad')", expect_error="any").status == "expected-error"
    assert run_one(pool, "1 / 0", expect_error="ArithmeticError").status == "expected-error"  # a base class
    wrong = run_one(pool, "raise KeyError('k')", expect_error="ValueError")
    assert wrong.status == "error" and wrong.error == "KeyError: 'k'"
    none = run_one(pool, "x = 1", expect_error="ValueError")
    assert none.status == "error" and "no exception" in none.error


def test_expected_exception_keeps_output(pool):
    out = run_one(pool, "print('before')\nraise ValueError('shown')", expect_error="ValueError")
    assert out.status == "expected-error"
    assert out.stdout == "before\n"
    assert out.error == "ValueError: shown" and "raise ValueError" in out.traceback


def test_sys_exit_is_an_error(pool):
    out = run_one(pool, "import sys\nprint('bye')\nsys.exit(2)\n")
    assert out.status == "error"
    assert out.error == "SystemExit: 2"
    assert out.stdout == "bye\n"
    assert run_one(pool, "raise KeyboardInterrupt").status == "error"
    assert run_one(pool, "print('alive')").stdout == "alive\n"


def test_runaway_loop_times_out_and_the_next_session_runs(pool):
    res = pool.run([session("loop.md", "print('start', flush=True)\nwhile True: pass", timeout=1.0)])
    out = res["loop.md:0"]
    assert out.status == "timeout"
    assert "timeout" in out.error
    assert out.stdout == "start\n"  # what it printed before it was killed
    assert out.seconds >= 1.0  # it ran until its timeout, not less
    assert run_one(pool, "print('next')").stdout == "next\n"


def test_blocks_after_a_timeout_are_skipped(pool):
    res = pool.run(
        [
            SessionRun(
                "s.md",
                (
                    BlockRun("a", "x = 1"),
                    BlockRun("b", "import time\ntime.sleep(30)", timeout=1.0),
                    BlockRun("c", "print(x)"),
                    BlockRun("d", "print(x)"),
                ),
            ),
            session("other.md", "print('other')"),
        ]
    )
    assert [res[k].status for k in "abcd"] == ["ok", "timeout", "skipped", "skipped"]
    assert "timed out" in res["c"].error
    assert res["other.md:0"].stdout == "other\n"


def test_memory_bomb(pool):
    big = run_one(pool, "x = bytearray(10**11)")
    assert big.status in ("memory", "crashed")
    grow = session("grow.md", "x = []\nwhile True:\n    x.append(b' ' * 10**7)\n", "print(len(x))")
    with Pool(PROJECT, workers=1, memory_limit=512 * 1024**2) as small:  # a smaller limit is reached sooner
        res = small.run([grow])
        assert res["grow.md:0"].status in ("memory", "crashed")
        assert res["grow.md:1"].status == "skipped"
        assert small.run([session("after.md", "print('alive')")])["after.md:0"].stdout == "alive\n"
    assert run_one(pool, "import numpy as np\nprint(np.arange(3).sum())").stdout == "3\n"


def test_os_exit_crashes_the_worker_only(pool):
    out = run_one(pool, "import os\nprint('last words', flush=True)\nos._exit(3)")
    assert out.status == "crashed"
    assert "3" in out.error
    assert out.stdout == "last words\n"
    assert run_one(pool, "print('fine')").stdout == "fine\n"


def test_segfault_crashes_the_worker_only(pool):
    out = run_one(pool, "import ctypes\nctypes.string_at(0)")
    assert out.status == "crashed"
    assert "SIGSEGV" in out.error
    assert run_one(pool, "print('fine')").stdout == "fine\n"


def test_huge_output_is_truncated(pool):
    out = run_one(pool, "for _ in range(100):\n    print('x' * 1_000_000)\nprint('done', flush=True)")
    assert out.status == "ok", out.error
    assert out.truncated
    assert len(out.stdout) == OUTPUT_LIMIT and set(out.stdout) == {"x"}
    raw = run_one(pool, "import os\nfor _ in range(100):\n    os.write(1, b'y' * 1_000_000)\n")
    assert raw.truncated and len(raw.stdout) <= OUTPUT_LIMIT
    assert run_one(pool, "print('small')").stdout == "small\n"


def test_session_state_is_shared_in_order(pool):
    res = pool.run([session("state.md", "x = 41", "x += 1", "print(x, __name__)")])
    assert res["state.md:2"].stdout == "42 __main__\n"
    fresh = run_one(pool, "print('x' in globals())")
    assert fresh.stdout == "False\n"


def test_seed_is_per_session_and_cwd_is_fresh(pool):
    code = "import numpy as np, random\nprint(np.random.rand(), random.random())"
    res = pool.run(
        [
            session("a.md", code, code, "import os\nopen('f.txt', 'w').write('x')\nprint(os.listdir())"),
            session("b.md", code, "import os\nprint(os.listdir())"),
        ]
    )
    assert res["a.md:0"].stdout == res["b.md:0"].stdout
    assert res["a.md:0"].stdout != res["a.md:1"].stdout
    assert res["a.md:2"].stdout == "['f.txt']\n"
    assert res["b.md:1"].stdout == "[]\n"


def test_snippets_are_importable(pool):
    code = "from snippets.softmax import softmax\nprint(round(float(softmax([0.0, 0.0])[0]), 3))"
    out = run_one(pool, code)
    assert out.status == "ok", out.traceback
    assert out.stdout == "0.5\n"


def test_progress_reports_every_block(pool):
    seen = []
    res = pool.run([session("p.md", "x = 1", "y = 2"), session("q.md", "z = 3")], progress=seen.append)
    assert sorted(o.key for o in seen) == sorted(res) == ["p.md:0", "p.md:1", "q.md:0"]


def test_snippet_edits_are_seen_and_snippet_frames_kept(tmp_path):
    pkg = tmp_path / "snippets"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    mod = pkg / "thing.py"
    mod.write_text("def value():\n    return 1\n\n\ndef fail():\n    raise RuntimeError('inner')\n")
    use = session("use.md", "from snippets.thing import value\nprint(value())")
    with Pool(tmp_path, workers=1) as p:
        assert p.run([use])["use.md:0"].stdout == "1\n"
        mod.write_text(mod.read_text().replace("return 1", "return 2"))  # same size, same second
        assert p.run([use])["use.md:0"].stdout == "2\n"
        out = p.run([session("f.md", "from snippets.thing import fail\nfail()")])["f.md:0"]
    assert out.status == "error" and out.error == "RuntimeError: inner"
    assert '"<block f.md:1>", line 2' in out.traceback
    assert f'"{mod}", line 6, in fail' in out.traceback
    assert "snippet_worker" not in out.traceback


def test_parallel_equals_serial(pool):
    fig = (
        "import numpy as np\nimport matplotlib.pyplot as plt\n"
        "x = np.random.randn(50)\nprint(x[:3])\nplt.hist(x)\nplt.title('분포')\n"
    )
    sessions = [session(f"n{i}.md", fig, "print({'a', 'b', 'c', 'd'})", fig) for i in range(4)]
    parallel = pool.run(sessions)
    with Pool(PROJECT, workers=1, output_limit=OUTPUT_LIMIT) as serial_pool:
        serial = serial_pool.run(sessions)
    assert set(parallel) == set(serial)

    def strip(o: Outcome):
        return (o.status, o.stdout, o.stderr, o.figures, o.error)

    for key in serial:
        assert strip(parallel[key]) == strip(serial[key]), key
    assert parallel["n0.md:0"].figures and parallel["n0.md:0"].stdout == parallel["n3.md:0"].stdout
    assert parallel["n0.md:0"].stdout != parallel["n0.md:2"].stdout


def test_no_worker_runs_in_this_process(pool):
    out = run_one(pool, "import os\nprint(os.getpid())")
    assert int(out.stdout) != os.getpid()


def png_size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_a_block_that_leaves_threads_running_is_unstable_and_its_worker_replaced():
    ticker = (
        "import threading, time\n"
        "def tick():\n"
        "    while True:\n"
        "        print('tick', flush=True)\n"
        "        time.sleep(0.02)\n"
        "threading.Thread(target=tick, daemon=True, name='ticker').start()\n"
        "time.sleep(0.05)\n"
    )
    with Pool(PROJECT, workers=1) as one:
        res = one.run(
            [
                session("t.md", ticker, "print('after')"),
                session("u.md", "import time, threading\ntime.sleep(0.3)\nprint(threading.active_count())"),
            ]
        )
    first = res["t.md:0"]
    assert first.status == "unstable" and first.failed
    assert first.error.startswith("the block left threads running") and "ticker" in first.error
    assert res["t.md:1"].status == "skipped" and "threads" in res["t.md:1"].error
    clean = res["u.md:0"]
    assert clean.status == "ok" and "tick" not in clean.stdout
    assert clean.stdout == "1\n"  # the session process: its main thread (the watch stays in the template)


def test_threads_that_finish_are_fine(pool):
    code = "import threading\nt = threading.Thread(target=lambda: print('from thread'))\nt.start()\n"
    out = run_one(pool, code)
    assert out.status == "ok", out.error
    assert out.stdout == "from thread\n"


def test_a_forked_child_never_serves_as_a_worker():
    fork = (
        "import os\n"
        "pid = os.fork()\n"
        "if pid:\n"
        "    print('parent', os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n"
    )
    with Pool(PROJECT, workers=1) as one:
        res = one.run([session("fork.md", fork, "print('next')", timeout=20.0)])
        assert res["fork.md:0"].status == "ok", res["fork.md:0"].error
        assert res["fork.md:0"].stdout == "parent 0\n"
        assert res["fork.md:1"].stdout == "next\n"
        for i in range(3):
            again = one.run([session(f"n{i}.md", f"print({i})")])[f"n{i}.md:0"]
            assert again.stdout == f"{i}\n"


def test_process_state_is_restored_between_sessions():
    dirty = (
        "import os, signal, sys\n"
        "import numpy as np\n"
        "np.set_printoptions(precision=1)\n"
        "np.seterr(all='raise')\n"
        "os.environ['LEAK'] = '1'\n"
        "del os.environ['MPLBACKEND']\n"
        "sys.setrecursionlimit(123)\n"
        "signal.signal(signal.SIGALRM, lambda *a: print('alarm'))\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "os.chdir('/')\n"
    )
    look = (
        "import os, signal, sys\n"
        "import numpy as np\n"
        "print(np.array([1/3]))\n"
        "print(os.environ.get('LEAK'), os.environ.get('MPLBACKEND'))\n"
        "print(np.seterr()['divide'], sys.getrecursionlimit() > 200)\n"
        "print(signal.getsignal(signal.SIGALRM) is signal.SIG_DFL)\n"
        "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)\n"
        "print(os.getcwd() != '/' and 'session' in os.getcwd())\n"
    )
    with Pool(PROJECT, workers=1) as one:
        first = one.run([session("dirty.md", dirty)])["dirty.md:0"]
        assert first.status == "ok", first.traceback
        out = one.run([session("look.md", look)])["look.md:0"]
    assert out.status == "ok", out.traceback
    # A session starts with the SIGINT handling kb itself started with: Python's own, or
    # ignored when kb was started ignoring it (nohup, a shell's background job).
    default_sigint = str(signal.getsignal(signal.SIGINT) is not signal.SIG_IGN)
    assert out.stdout.splitlines() == ["[0.33333333]", "None Agg", "warn True", "True",
                                       default_sigint, "True"]


@pytest.mark.parametrize("timeout", [float("inf"), 1e400, float("nan"), 10**30])
def test_an_infinite_or_huge_timeout_is_clamped(pool, timeout):
    out = run_one(pool, "print('ok')", timeout=timeout)
    assert out.status == "ok" and out.stdout == "ok\n"


def test_clamp_timeout():
    assert clamp_timeout(5) == 5.0
    assert clamp_timeout(float("inf")) == clamp_timeout(float("nan")) == MAX_TIMEOUT == 24 * 3600
    assert clamp_timeout(-1) == 0.0


def test_many_huge_figures_are_capped(pool):
    code = (
        "import matplotlib.pyplot as plt\n"
        "for i in range(300):\n"
        "    plt.figure(figsize=(80, 80))\n"
        "    plt.plot([0, i])\n"
    )
    out = run_one(pool, code, timeout=60.0)
    assert out.status == "ok", out.error
    assert len(out.figures) == 20
    assert "300 figures" in out.stderr and "first 20" in out.stderr
    assert "dpi" in out.stderr
    sizes = [png_size(f.png) for f in out.figures]
    assert all(w * h <= 40_000_000 for w, h in sizes)
    assert sizes[0][0] > 5000  # the first figures still get the per-figure maximum


def test_ordinary_figures_keep_150_dpi(pool):
    out = run_one(pool, "import matplotlib.pyplot as plt\nplt.figure(figsize=(4, 2))\nplt.plot([1, 2])")
    assert out.status == "ok" and out.stderr == ""
    assert png_size(out.figures[0].png) == (600, 300)


def test_a_session_cannot_change_what_another_session_computes():
    """Each session runs in a process forked from a template no block touched."""
    patch = ("import math, random\nimport numpy as np\nmath.pi = 3\nrandom.random = lambda: 0.5\n"
             "np.sum = lambda *a, **k: -1\nimport snippets\nsnippets.kb_poison = True\n")
    check = ("import math, random\nimport numpy as np\nimport snippets\n"
             "print(math.pi, random.random() != 0.5, np.sum([1, 2]), hasattr(snippets, 'kb_poison'))")
    with Pool(PROJECT, workers=1) as one:
        res = one.run([session("a.md", patch), session("b.md", check)])
    assert res["a.md:0"].status == "ok"
    assert res["b.md:0"].stdout == "3.141592653589793 True 3 False\n"


def test_an_interrupt_while_the_worker_is_starting_runs_no_block_and_later_runs_none_either():
    """Pool.interrupt from another thread (the Dask stop watcher) may come while run() is
    still starting the session's worker, which it cannot kill yet: that worker runs nothing."""
    with Pool(PROJECT, workers=1) as one:
        starting, interrupted = threading.Event(), threading.Event()
        start = one._start

        def start_then_wait():  # the worker is up, not yet in its slot, when interrupt() comes
            worker = start()
            starting.set()
            interrupted.wait(30)
            return worker

        one._start = start_then_wait
        found: dict = {}
        two = session("a.md", "print(1)", "print(2)")
        run = threading.Thread(target=lambda: found.update(one.run([two])))
        run.start()
        assert starting.wait(60)
        one.interrupt()
        interrupted.set()
        run.join(60)
        assert [(o.status, o.error) for o in found.values()] == [("skipped", f"skipped: {INTERRUPTED}")] * 2
        assert one._slots == [None]  # its worker killed, not kept
        later = one.run([session("b.md", "print(3)")])["b.md:0"]
    assert (later.status, later.error) == ("skipped", f"skipped: {INTERRUPTED}")


def test_processes_a_block_starts_end_with_its_session():
    """Also one that left the worker's process group: it comes back to the worker as an
    orphan (the worker is their subreaper) and is killed when the session ends. The next
    session on the same worker looks (process ids are the sandbox's own)."""
    start = ("import subprocess\n"
             "kept = subprocess.Popen(['sleep', '60'])\n"
             "escaped = subprocess.Popen(['sleep', '60'], start_new_session=True)\n"
             "print(kept.pid, escaped.pid)")
    with Pool(PROJECT, workers=1) as one:
        first = one.run([session("a.md", start)])["a.md:0"]
        assert first.status == "ok", first.error
        look = ("def running(pid):\n"
                "    try:\n"
                "        state = open(f'/proc/{pid}/stat', 'rb').read().rpartition(b')')[2]\n"
                "        return state.split()[0] != b'Z'\n"
                "    except OSError:\n"
                "        return False\n"
                f"print([pid for pid in {[int(p) for p in first.stdout.split()]} if running(pid)])")
        second = one.run([session("b.md", look)])["b.md:0"]
    assert second.status == "ok", second.error
    assert second.stdout == "[]\n"



@pytest.mark.skipif(sandbox_problem() is not None, reason=f"no sandbox here: {sandbox_problem()}")
def test_a_sandboxed_block_sees_no_home_writes_nothing_outside_its_folder_and_has_no_network(
        tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("SECRET KEY")
    monkeypatch.setenv("HOME", str(home))
    listener = socket.create_server(("127.0.0.1", 0))
    code = (
        "import os, socket\n"
        f"for path in [{str(home / '.ssh' / 'id_rsa')!r}, {str(PROJECT / 'README.md')!r}]:\n"
        "    try:\n"
        "        open(path, 'a').close(); print('wrote', path)\n"
        "    except OSError as e: print('refused', e.errno)\n"
        f"print(os.path.exists({str(home / '.ssh')!r}))\n"
        "open('mine.txt', 'w').write('ok'); print(open('mine.txt').read())\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {listener.getsockname()[1]}), timeout=2)\n"
        "    print('connected')\n"
        "except OSError: print('no network')\n")
    with listener, Pool(PROJECT, workers=1) as sandboxed:
        assert sandboxed.sandboxed
        out = sandboxed.run([SessionRun("n.md", (BlockRun("k", code),))])["k"]
    assert out.status == "ok", out.error
    assert out.stdout.splitlines() == ["refused 2", "refused 30", "False", "ok", "no network"]
    assert (home / ".ssh" / "id_rsa").read_text() == "SECRET KEY"


@pytest.mark.skipif(sandbox_problem() is not None, reason=f"no sandbox here: {sandbox_problem()}")
def test_kb_inside_a_folder_the_sandbox_hides_still_runs_another_projects_blocks(
        tmp_path, monkeypatch):
    """CI clones kb under /tmp, which the sandbox replaces: kb's own package and the import
    path stay visible there (here kb lies in a hidden home folder, the vault's project apart)."""
    monkeypatch.setenv("HOME", str(PROJECT.parent))
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "__init__.py").write_text("")
    with Pool(tmp_path, workers=1) as sandboxed:
        assert sandboxed.sandboxed
        out = sandboxed.run([SessionRun("n.md", (BlockRun("k", "import numpy, snippets\nprint(2)"),))])
    assert out["k"].status == "ok", out["k"].error
    assert out["k"].stdout == "2\n"


def test_without_the_sandbox_a_block_runs_with_the_users_rights(tmp_path):
    target = tmp_path / "written.txt"
    with Pool(PROJECT, workers=1, sandbox=False) as open_pool:
        assert not open_pool.sandboxed
        out = open_pool.run([SessionRun("n.md", (BlockRun("k", f"open({str(target)!r}, 'w')"),))])
    assert out["k"].status == "ok" and target.exists()


@pytest.mark.parametrize("forged", [
    b"garbage that is no message",
    b"\x80\x04\x95\x1d\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94.",
    b'["result", {"status": "ok"}]',
    b'["result", {"status": "ok", "stdout": "", "stderr": "", "truncated": false, '
    b'"figures": [["not base64!", ""]], "error": null, "traceback": null, "seconds": 0}]',
])
def test_a_block_that_writes_into_the_pools_socket_crashes_only_itself(forged):
    """Replies are JSON checked field by field, never pickle: a forged message cannot run
    code in the compiler, and it ends the worker, not the build."""
    code = ("import gc, os\n"
            "from multiprocessing.connection import Connection\n"
            "conn = next(o for o in gc.get_objects() if isinstance(o, Connection))\n"
            f"conn.send_bytes({forged!r})\n"
            "import time; time.sleep(5)\n")
    with Pool(PROJECT, workers=1) as one:
        res = one.run([session("a.md", code), session("b.md", "print('after')")])
    assert res["a.md:0"].status == "crashed" and "malformed message" in res["a.md:0"].error
    assert res["b.md:0"].stdout == "after\n"


def test_worker_replies_round_trip_as_json():
    from compiler.execute import decode_reply
    from compiler.snippet_worker import send_reply

    class Wire:
        def send_bytes(self, data: bytes) -> None:
            self.data = data

    wire = Wire()
    result = {"status": "ok", "stdout": "가", "stderr": "", "truncated": False,
              "figures": [(b"<svg/>", b"\x89PNG")], "error": None, "traceback": None,
              "seconds": 0.5}
    send_reply(wire, ("result", result))
    assert decode_reply(wire.data) == ("result", result)
