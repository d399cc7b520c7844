"""Memory and CPU limits bound a block session's whole process tree, not each process: a block
whose children together use more than the limit is stopped and reported on that block, and the
build says once which kind of limit applied (a cgroup, or each process only)."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest

from compiler import session_limits
from compiler.blocks import run_blocks
from compiler.diagnostics import Severity
from compiler.execute import BlockRun, Pool, SessionRun
from compiler.parse import parse_note

PROJECT = Path(__file__).resolve().parent.parent
LIMIT = 400 * 1024**2
# Three children of 300 MB each: every one is under the limit, together they are far over it.
CHILDREN = """```python exec
#| session: greedy
import subprocess, sys
grow = "import time; data = b'x' * (300 * 2**20); time.sleep(2)"
children = [subprocess.Popen([sys.executable, "-c", grow]) for _ in range(3)]
print([child.wait() for child in children])
```

```python exec
#| session: greedy
print("after the children")
```
"""
CALM = "# calm\n\n```python exec\nprint('calm', 6 * 7)\n```\n"
TREES = session_limits.limits().hierarchy is not None


@pytest.fixture(scope="module")
def pool():
    with Pool(PROJECT, workers=2, memory_limit=LIMIT) as shared:
        yield shared


def test_the_build_says_once_which_limit_applied_and_a_tree_over_it_fails_its_block(pool, tmp_path):
    notes = {"greedy.md": parse_note("greedy.md", ("# greedy\n\n" + CHILDREN).encode()),
             "calm.md": parse_note("calm.md", CALM.encode())}
    results, found = run_blocks(notes, PROJECT, tmp_path / "store",
                                pool_factory=lambda: contextlib.nullcontext(pool))
    said = [d for d in found if d.code == "block-limits"]
    assert len(said) == 1 and said[0].severity is Severity.INFO
    assert results[("calm.md", 0)].outcome.stdout == "calm 42\n"  # the other note's block ran
    if not TREES:
        assert "each process only" in said[0].message, said[0].message
        pytest.skip(f"no cgroup here ({session_limits.limits().problem}): limits are per process")
    assert "whole process tree (cgroup v" in said[0].message
    greedy = results[("greedy.md", 0)]
    assert greedy.outcome.status == "memory", greedy.outcome
    failed = [d for d in found if d.code == "block-failed"]
    assert [(d.path, d.line) for d in failed] == [("greedy.md", 3), ("greedy.md", 11)]
    assert "ran out of memory" in failed[0].message
    assert "together used more than the memory limit of 400 MiB" in failed[0].message
    assert results[("greedy.md", 1)].outcome.status == "skipped"  # its session stopped


def test_workers_outlive_the_run_that_started_them(pool):
    """bubblewrap's --die-with-parent watches the thread that started it: the pool starts its
    workers from one thread of its own, not from the threads of one run()."""
    outcomes = pool.run([SessionRun(f"{n}.md", (BlockRun(n, f"print({n!r})", 30.0),)) for n in "ab"])
    assert [outcomes[n].stdout for n in "ab"] == ["a\n", "b\n"]
    time.sleep(1.0)
    assert all(worker is not None and worker.alive() for worker in pool._slots)


@pytest.mark.skipif(not TREES, reason="no cgroup on this machine: limits are per process")
def test_a_workers_group_bounds_memory_cpu_and_processes_and_goes_with_it(pool):
    # Workers start with their first session: run one on each, whatever ran before.
    pool.run([SessionRun(f"{n}.md", (BlockRun(n, "pass", 30.0),)) for n in "cd"])
    groups = [worker.group for worker in pool._slots if worker is not None]
    assert groups and all(group is not None for group in groups)
    for worker in pool._slots:
        assert worker.process.pid in worker.group.processes()
        memory = worker.group.folders["memory"]
        limit_file = "memory.limit_in_bytes" if worker.group.hierarchy.version == 1 else "memory.max"
        assert LIMIT < int((memory / limit_file).read_text()) < LIMIT + 400 * 1024**2
        if "pids" in worker.group.folders:
            assert (worker.group.folders["pids"] / "pids.max").read_text().strip() == str(
                session_limits.MAX_PROCESSES)
    pool._replace(0, pool._slots[0])
    assert not any(folder.exists() for folder in groups[0].folders.values())


# -- finding a hierarchy, on made-up file systems ------------------------------------------------

def fake_system(tmp_path: Path, mounts: list[str], own: list[str]) -> Path:
    proc = tmp_path / "proc"
    (proc / "self").mkdir(parents=True)
    (proc / "self/mounts").write_text("".join(f"{line}\n" for line in mounts))
    (proc / "self/cgroup").write_text("".join(f"{line}\n" for line in own))
    return proc


def test_a_delegated_v2_subtree_is_used(tmp_path):
    unified = tmp_path / "unified"
    mine = unified / "user.slice/kb.service"
    mine.mkdir(parents=True)
    (mine / "cgroup.controllers").write_text("cpu memory pids\n")
    (mine / "cgroup.subtree_control").write_text("memory\n")
    proc = fake_system(tmp_path, [f"cgroup2 {unified} cgroup2 rw,relatime 0 0"],
                       ["0::/user.slice/kb.service"])
    found = session_limits.detect(proc)
    assert found.hierarchy is not None and found.hierarchy.version == 2
    assert set(found.hierarchy.parents) == {"cpu", "memory", "pids"}
    assert set(found.hierarchy.parents.values()) == {mine}
    group = found.new_group()
    assert (group.folders["memory"] / "cpu.max").read_text() == "100000 100000"
    assert group.join_command()[-2:] == [str(group.folders["memory"] / "cgroup.procs"), "--"]


def test_without_a_usable_hierarchy_limits_are_per_process_and_say_why(tmp_path):
    unified = tmp_path / "unified"
    unified.mkdir()
    (unified / "cgroup.controllers").write_text("\n")  # memory is not given to this subtree
    (unified / "cgroup.subtree_control").write_text("\n")
    proc = fake_system(tmp_path, [f"cgroup2 {unified} cgroup2 rw 0 0"], ["0::/"])
    found = session_limits.detect(proc)
    assert found.hierarchy is None and found.new_group() is None
    assert found.scope.startswith("each process only (")
    assert "memory controller is not delegated" in found.scope
    assert "no cgroup v1 memory hierarchy" in found.scope


def test_a_v1_memory_hierarchy_is_used_where_writable(tmp_path):
    memory = tmp_path / "memory"
    (memory / "box").mkdir(parents=True)
    proc = fake_system(tmp_path, [f"cgroup {memory} cgroup rw,relatime,memory 0 0"],
                       ["4:memory:/box", "0::/"])
    found = session_limits.detect(proc)
    assert found.hierarchy is not None and found.hierarchy.version == 1
    assert found.hierarchy.parents == {"memory": memory / "box"}
    assert found.scope == "each session's whole process tree (cgroup v1: memory)"
