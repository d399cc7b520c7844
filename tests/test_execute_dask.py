"""Blocks on a Dask cluster (compiler/execute_dask.py): one LocalCluster of two worker processes
for the module. The same outcomes and figures as the local pool, the same cache, a block that
kills its process and a Dask worker killed mid-block both reported as crashes, an unreachable
scheduler refused before anything is built."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

from distributed.diagnostics.plugin import SchedulerPlugin  # noqa: E402

from compiler import execute_dask  # noqa: E402
from compiler.blocks import connect_executor, run_blocks  # noqa: E402
from compiler.build import compile_vault  # noqa: E402
from compiler.config import load_settings  # noqa: E402
from compiler.execute import INTERRUPTED, BlockRun, SessionRun, sandbox_problem  # noqa: E402
from tests.conftest import write_vault  # noqa: E402
from tests.test_blocks_e2e import make_project  # noqa: E402
from tests.test_build_e2e import run_kb  # noqa: E402

pytestmark = pytest.mark.slow


class Submissions(SchedulerPlugin):
    """The keys of every task the scheduler was sent."""

    name = "kb-test-submissions"

    def __init__(self) -> None:
        self.keys: list = []

    def update_graph(self, scheduler, *, keys, **kwargs) -> None:
        self.keys.extend(keys)


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes of one thread each (forkserver: a worker starts in about a second)."""
    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as local:
        local.submissions = Submissions()
        local.scheduler.add_plugin(local.submissions)
        yield local
        execute_dask.disconnect_all()


def executor_of(cluster) -> str:
    return "dask://" + cluster.scheduler_address.removeprefix("tcp://")


def notes_of(project: Path):
    settings = load_settings(project)
    return settings, compile_vault(settings).resolved.notes


def test_sessions_on_the_cluster_give_the_local_pools_outcomes_and_a_second_run_sends_nothing(
        cluster, tmp_path):
    project = make_project(tmp_path)  # three notes: a figure, stderr, a session with an error
    settings, notes = notes_of(project)
    root = settings.snippets_dir.parent
    here, _ = run_blocks(notes, root, tmp_path / "local")
    there, problems = run_blocks(notes, root, tmp_path / "dask",
                                 cluster=connect_executor(executor_of(cluster)))
    assert there.keys() == here.keys() and len(there) == 5
    for key, result in there.items():
        mine, theirs = here[key].outcome, result.outcome
        assert (theirs.key, theirs.status, theirs.stdout, theirs.stderr, theirs.error,
                theirs.traceback, theirs.figures) == (mine.key, mine.status, mine.stdout,
                                                      mine.stderr, mine.error, mine.traceback,
                                                      mine.figures), key
    assert sum(len(r.outcome.figures) for r in there.values()) == 1
    assert "on the Dask workers of dask://" in next(p for p in problems if p.code == "block-limits").message
    if sandbox_problem() is None:  # bubblewrap works on this machine, so on its workers too
        assert not [p for p in problems if p.code == "sandbox-unavailable"]

    sent = len(cluster.submissions.keys)
    again, _ = run_blocks(notes, root, tmp_path / "dask", cluster=connect_executor(executor_of(cluster)))
    assert all(r.cached for r in again.values()) and len(again) == 5
    assert len(cluster.submissions.keys) == sent  # no task, no scattered data


def test_a_block_that_kills_its_process_is_a_crash_on_its_note_and_the_others_are_published(
        cluster, tmp_path):
    project = make_project(tmp_path)
    write_vault(project / "vault", {"죽음.md": "# 죽음\n\n```python exec\nimport os, signal\n"
                                             "os.kill(os.getpid(), signal.SIGKILL)\n```\n\n"
                                             "```python exec\nprint('never')\n```\n"})
    done = run_kb("build", "--executor", executor_of(cluster), cwd=project)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "죽음.md:3:1: error[block-failed]: block 1 crashed the worker: worker " in done.stderr
    assert done.stderr.count("error[block-failed]") == 1  # its second block is a session of its own
    page = (project / "site" / "개념" / "softmax" / "index.html").read_text(encoding="utf-8")
    assert "[0.27 0.73]" in page  # the other notes' blocks ran and their pages were published
    assert (project / "site" / "죽음" / "index.html").is_file()


def slow_note(token: str) -> str:
    """A block that says it started (in its snippet worker's stdout file), then sleeps."""
    return f"```python exec\nprint({token!r}, flush=True)\nimport time\ntime.sleep(60)\n```\n"


def block_started(token: str) -> bool:
    """Whether a snippet worker of this machine (the cluster's are) printed `token`."""
    for output in Path(tempfile.gettempdir()).glob("kb-snippet-worker-*/stdout"):
        with contextlib.suppress(OSError):  # a worker's folder goes when its session ends
            if token in output.read_text(errors="replace"):
                return True
    return False


def worker_running(client, note: str) -> str | None:
    """The address of the Dask worker running a session of `note`, from what the workers
    themselves run (a session is listed once claimed: its loss is then reported)."""
    for address, sessions in client.run(execute_dask.running_sessions).items():
        if any(label.startswith(f"{note}:") for label in sessions.values()):
            return address
    return None


def wait_for(condition, what: str, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"no {what} after {seconds:g} s"
        time.sleep(0.1)
    return found


def slow_and_quick(cluster, tmp_path: Path, quick: str):
    """A vault of a slow note (marked by a token it prints) and a quick one, its notes, and an
    executor on the cluster once both its workers are up (a worker killed before is back)."""
    token = uuid.uuid4().hex
    write_vault(tmp_path, {"vault/slow.md": slow_note(token),
                           "vault/quick.md": f"```python exec\n{quick}\n```\n"})
    settings, notes = notes_of(tmp_path)
    executor = connect_executor(executor_of(cluster))
    executor.client.wait_for_workers(2, timeout=120)
    return token, settings, notes, executor


def test_a_dask_worker_lost_mid_block_is_a_crash_of_that_session_only(cluster, tmp_path):
    token, settings, notes, executor = slow_and_quick(cluster, tmp_path, "print(6 * 7)")
    found: dict = {}
    run = threading.Thread(target=lambda: found.update(results=run_blocks(
        notes, settings.snippets_dir.parent, tmp_path / "cache", cluster=executor)[0]))
    run.start()
    victim = wait_for(lambda: block_started(token) and worker_running(executor.client, "slow.md"),
                      "slow block running")
    os.kill(executor.client.run(os.getpid)[victim], signal.SIGKILL)
    run.join(120)
    results = found["results"]
    assert results[("quick.md", 0)].outcome.stdout == "42\n"
    lost = results[("slow.md", 0)].outcome
    assert lost.status == "crashed"
    assert "the Dask worker running it was lost" in lost.error


def test_a_build_that_ends_early_stops_its_sessions_on_the_workers(cluster, tmp_path):
    token, settings, notes, executor = slow_and_quick(cluster, tmp_path, "print(1)")

    def interrupted(result) -> None:  # as Ctrl+C would, once quick is in and slow sleeps
        wait_for(lambda: block_started(token), "slow block running")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_blocks(notes, settings.snippets_dir.parent, tmp_path / "cache", cluster=executor,
                   progress=interrupted)
    # The slow block would sleep for 60 s: its task sees the stop within a second or so.
    wait_for(lambda: not any(executor.client.run(execute_dask.running_sessions).values()),
             "end of the sessions", 20)
    time.sleep(1.5)  # and none starts after
    assert not any(executor.client.run(execute_dask.running_sessions).values())


def test_a_session_task_that_starts_after_the_stop_runs_nothing_and_leaves_no_claim(cluster, tmp_path):
    executor = connect_executor(executor_of(cluster))
    client, name = executor.client, uuid.uuid4().hex
    distributed.Event(f"kb-stop-{name}", client=client).set()
    session = SessionRun("late.md:", (BlockRun("late", "print(1)"),))
    report = client.submit(execute_dask.run_session, session, execute_dask.pack_project(tmp_path),
                           execute_dask.WorkerOptions(executor.runtime), f"kb-claim-{name}",
                           f"kb-stop-{name}", pure=False).result()
    assert [(o.status, o.error) for o in report.outcomes] == [("crashed", INTERRUPTED)]
    assert not distributed.Event(f"kb-claim-{name}", client=client).is_set()


def test_an_unreachable_scheduler_or_a_bad_address_is_refused_before_building(tmp_path, monkeypatch):
    monkeypatch.setattr(execute_dask, "CONNECT_TIMEOUT", 1.0)
    write_vault(tmp_path, {"vault/a.md": "# a\n"})
    done = run_kb("build", "--executor", "dask://127.0.0.1:9", "--vault", str(tmp_path / "vault"),
                  cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "cannot reach the Dask scheduler at dask://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "site").exists()
    bad = run_kb("build", "--executor", "tcp://host", "--vault", str(tmp_path / "vault"), cwd=tmp_path)
    assert bad.returncode == 2 and "dask://HOST:PORT" in bad.stderr


def test_a_snippet_module_s_traceback_names_the_project_s_file_not_the_worker_s_copy(cluster, tmp_path):
    write_vault(tmp_path, {"snippets/__init__.py": "", "snippets/bad.py": "def f():\n    return 1 / 0\n",
                           "vault/a.md": "```python exec\nfrom snippets.bad import f\nf()\n```\n"})
    settings, notes = notes_of(tmp_path)
    results, _ = run_blocks(notes, settings.snippets_dir.parent, tmp_path / "cache",
                            cluster=connect_executor(executor_of(cluster)))
    outcome = results[("a.md", 0)].outcome
    assert outcome.status == "error"
    assert f'File "{tmp_path / "snippets" / "bad.py"}", line 2' in outcome.traceback


@pytest.mark.parametrize(("given", "address"), [
    ("dask://10.0.0.5:8786", "tcp://10.0.0.5:8786"), ("dask://[::1]:8786", "tcp://[::1]:8786"),
    ("dask://node-3.lab:8786/", "tcp://node-3.lab:8786"), ("dask://h", None), ("tcp://h:1", None),
    ("dask://h:port", None), ("dask://h:1/x", None), ("dask://u@h:1", None), ("local", None)])
def test_only_dask_host_port_names_a_scheduler(given, address):
    if address is None:
        with pytest.raises(execute_dask.ExecutorError, match="dask://HOST:PORT"):
            execute_dask.scheduler_address(given)
    else:
        assert execute_dask.scheduler_address(given) == address


def test_kb_executor_in_mkdocs_yml_is_checked_where_it_is_written(tmp_path):
    write_vault(tmp_path, {"mkdocs.yml": "site_name: x\nkb:\n  executor: dask://nohost\n", "vault/a.md": ""})
    done = run_kb("build", cwd=tmp_path)
    assert done.returncode == 2
    assert "mkdocs.yml:3:3: error[config-type]" in done.stderr and "dask://HOST:PORT" in done.stderr
