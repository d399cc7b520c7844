"""The command line as a user and a CI meet it: exit codes, messages instead of tracebacks,
help and suggestions, and the output folders kb refuses to replace."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compiler import cli
from compiler.diagnostics import display_path
from tests.conftest import PROJECT, tree_digest, write_vault
from tests.test_build_e2e import run_kb

HEAVY = ("networkx", "igraph", "matplotlib", "mkdocs", "numpy", "markdown_it", "watchdog")


def project(tmp: Path, files: dict[str, str]) -> Path:
    """A project folder of its own: mkdocs.yml and a vault."""
    root = tmp / "project"
    write_vault(root / "vault", files)
    shutil.copy2(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    return root


# --- a command line that helps ------------------------------------------------------------


def test_kb_alone_prints_the_help_and_succeeds():
    done = run_kb()
    assert done.returncode == 0
    assert "usage: kb" in done.stdout and "build" in done.stdout and "check" in done.stdout


def test_kb_version_names_the_installed_version():
    from importlib.metadata import version

    done = run_kb("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"kb {version('kb-vault-compiler')}"


def test_a_mistyped_command_gets_a_suggestion():
    done = run_kb("biuld")
    assert done.returncode == 2
    assert "did you mean build?" in done.stderr and "Traceback" not in done.stderr


def test_a_mistyped_option_gets_a_suggestion():
    done = run_kb("build", "--stirct")
    assert done.returncode == 2 and "did you mean --strict?" in done.stderr


def test_options_are_accepted_before_the_command():
    parser = cli.make_parser()
    before = cli.parse(parser, ["--vault", "v", "--config", "c.yml", "build", "--quiet"])
    after = cli.parse(parser, ["build", "--vault", "v", "--config", "c.yml", "--quiet"])
    assert vars(before) == vars(after)
    nested = cli.parse(parser, ["--vault", "v", "snippets", "run", "note#2"])
    assert (nested.action, nested.vault, nested.target) == ("run", "v", "note#2")


def test_serve_takes_a_host_and_open():
    args = cli.parse(cli.make_parser(), ["serve", "--host", "0.0.0.0", "--open", "--port", "9"])
    assert (args.host, args.open, args.port) == ("0.0.0.0", True, 9)


def test_the_help_imports_no_heavy_module():
    """`kb --help` stays fast because the stages are imported only by the commands using them
    (measured with `python -X importtime`: README)."""
    code = ("import sys\nfrom compiler.cli import main\nmain(['--help'])\n"
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().endswith("[]"), done.stdout[-200:]


def test_paths_are_relative_inside_the_current_folder_and_absolute_outside(tmp_path, monkeypatch):
    inside = tmp_path / "here" / "vault"
    inside.mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "here")
    assert display_path(inside) == "vault"
    assert display_path(tmp_path / "here") == "."
    assert display_path(tmp_path / "elsewhere") == str(tmp_path / "elsewhere")
    assert display_path(tmp_path / "here-too") == str(tmp_path / "here-too")  # not a sibling prefix


def test_diagnostics_name_files_from_the_current_folder_in_every_command(tmp_path):
    root = project(tmp_path, {"a.md": "[[nowhere]]\n"})
    here = run_kb("check", cwd=root)
    assert "\nvault/a.md:1:1: warning[unresolved-link]" in "\n" + here.stdout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outside = run_kb("check", "--vault", str(root / "vault"), "--config", str(root / "mkdocs.yml"),
                     cwd=elsewhere)
    assert f"\n{root / 'vault'}/a.md:1:1: warning" in "\n" + outside.stdout  # not ../project/vault


# --- exit codes ---------------------------------------------------------------------------


def test_kb_build_publishes_with_errors_but_exits_1_and_quiet_still_prints_them(tmp_path):
    root = project(tmp_path, {"a.md": "# A\n\n[[../../etc/passwd]] [[nowhere]]\n", "b.md": "# B\n"})
    done = run_kb("build", "--quiet", cwd=root)
    assert done.returncode == 1
    assert "a.md:3:1: error[link-outside-vault]" in done.stderr
    assert "warning[unresolved-link]" not in done.stderr  # --quiet: the errors only
    assert (root / "site" / "b" / "index.html").is_file()  # published what it could


def test_a_failing_block_fails_the_build_and_kb_check_reports_it_from_the_cache(tmp_path):
    root = project(tmp_path, {"a.md": "# A\n\n```python exec\nraise ValueError('틀림')\n```\n"})
    fresh = run_kb("check", cwd=root)
    assert fresh.returncode == 0 and "1 blocks not run yet" in fresh.stderr
    built = run_kb("build", cwd=root)
    assert built.returncode == 1 and "error[block-failed]" in built.stderr
    checked = run_kb("check", cwd=root)
    assert checked.returncode == 1
    assert "vault/a.md:3:1: error[block-failed]" in checked.stdout and "ValueError" in checked.stdout


def test_kb_check_run_blocks_runs_the_blocks_it_has_no_outcome_for(tmp_path):
    root = project(tmp_path, {"a.md": "```python exec\nraise ValueError('x')\n```\n",
                              "b.md": "```python exec\nprint('fine')\n```\n"})
    done = run_kb("check", "--run-blocks", cwd=root)
    assert done.returncode == 1
    assert "vault/a.md:1:1: error[block-failed]" in done.stdout and "b.md" not in done.stdout


def test_strict_fails_on_a_warning_and_publishes_nothing(tmp_path):
    root = project(tmp_path, {"a.md": "[[nowhere]]\n"})
    done = run_kb("build", "--strict", cwd=root)
    assert done.returncode == 1 and "nothing was published" in done.stderr
    assert not (root / "site").exists()
    assert run_kb("build", cwd=root).returncode == 0  # a warning alone does not fail a build


@pytest.mark.parametrize(("args", "message"), [
    (("--vault", "/nonexistent/vault"), "does not exist"),
    (("--vault", "mkdocs.yml"), "is a file, not a folder"),
    (("--config", "nowhere.yml"), "no configuration file nowhere.yml"),
])
def test_a_wrong_vault_or_configuration_is_one_line_and_exit_2(tmp_path, args, message):
    root = project(tmp_path, {"a.md": "# A\n"})
    for command in ("build", "check", "serve", "graph"):
        done = run_kb(command, *args, cwd=root)
        assert done.returncode == 2, (command, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_a_taken_port_is_said_before_building(tmp_path):
    root = project(tmp_path, {"a.md": "# A\n"})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = run_kb("serve", "--port", str(taken.getsockname()[1]), cwd=root)
    assert done.returncode == 2 and "cannot listen on 127.0.0.1" in done.stderr
    assert "building" not in done.stdout and "Traceback" not in done.stderr
    assert not (root / ".kb-cache" / "serve").exists()


def test_ctrl_c_on_kb_serve_stops_it_without_a_traceback(tmp_path):
    root = project(tmp_path, {"a.md": "# A\n"})
    # A session of its own, so that the signal goes to kb and its children as a terminal's Ctrl+C does.
    serving = subprocess.Popen([sys.executable, "-m", "compiler.cli", "serve", "--port", "0"], cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    lines = []
    for line in serving.stdout:
        lines.append(line)
        if "serving on" in line:
            break
    os.killpg(serving.pid, signal.SIGINT)
    rest = serving.stdout.read()
    assert serving.wait(timeout=30) == 0
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest, rest


def test_an_unexpected_exception_is_a_short_message_a_log_file_and_exit_3(tmp_path, monkeypatch,
                                                                            capsys):
    root = project(tmp_path, {"a.md": "# A\n"})
    monkeypatch.chdir(root)

    def broken(*args, **kwargs):
        raise RuntimeError("something kb did not expect")

    monkeypatch.setattr("compiler.build.compile_vault", broken)
    assert cli.main(["check"]) == 3
    err = capsys.readouterr().err
    assert "internal error (RuntimeError: something kb did not expect)" in err
    log = Path(err.split("the details are in ")[1].split(". This")[0])
    assert "Traceback" in log.read_text() and "Traceback" not in err
    log.unlink()


@pytest.mark.parametrize(("code", "said"), [(errno.ENOSPC, "the disk is full"),
                                            (errno.EROFS, "cannot write")])
def test_a_full_disk_or_a_read_only_folder_is_one_line_and_the_old_site_stays(
        tmp_path, monkeypatch, capsys, code, said):
    root = project(tmp_path, {"a.md": "# A\n"})
    monkeypatch.chdir(root)
    assert cli.main(["build", "--quiet"]) == 0
    before = tree_digest(root / "site")

    def full(*args, **kwargs):  # what the system answers when the disk is full or read-only
        raise OSError(code, os.strerror(code), str(root / "site"))

    monkeypatch.setattr("compiler.publish.write_search_index", full)
    capsys.readouterr()
    assert cli.main(["build", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert said in err and "left as it was" in err and "Traceback" not in err
    assert tree_digest(root / "site") == before


def test_ctrl_c_once_the_new_site_goes_in_is_ignored_the_build_ends_as_usual(tmp_path, monkeypatch,
                                                                              capsys):
    """Exit 130 promises the old site; once the swap has begun the new one is what the user
    gets, so the interrupt must neither cut the swap short nor be reported."""
    from compiler import publish

    root = project(tmp_path, {"a.md": "# A\n"})
    config = root / "mkdocs.yml"  # the report published, to see it finished before the swap
    config.write_text(config.read_text().replace("kb:\n", "kb:\n  publish_report: true\n", 1))
    monkeypatch.chdir(root)
    swap_in = publish._swap_in

    def interrupted_swap(new_dir, site_dir):
        os.kill(os.getpid(), signal.SIGINT)  # handled before the next line runs
        swap_in(new_dir, site_dir)

    monkeypatch.setattr(publish, "_swap_in", interrupted_swap)
    previous = signal.getsignal(signal.SIGINT)
    try:
        assert cli.main(["build", "--quiet"]) == 0
        write_vault(root / "vault", {"b.md": "# B\n"})
        assert cli.main(["build", "--quiet"]) == 0
    finally:
        signal.signal(signal.SIGINT, previous)
    assert "interrupted" not in capsys.readouterr().err
    assert (root / "site" / "b" / "index.html").is_file()
    assert "kb-report-late" not in (root / "site" / "_kb" / "report" / "index.html").read_text()


def test_a_closed_connection_is_not_printed_by_the_preview_server(tmp_path, capsys):
    from compiler.livereload import Changes, make_server

    server = make_server(tmp_path, Changes(), 0)
    try:
        try:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")
        except BrokenPipeError:
            server.handle_error(None, ("127.0.0.1", 1))
    finally:
        server.server_close()
    assert capsys.readouterr().err == ""


# --- never delete what kb did not make -----------------------------------------------------


def refused(root: Path, out: str | Path, *extra: str, env: dict | None = None) -> str:
    done = run_kb("build", "--out", str(out), *extra, cwd=root, env=env)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


def test_a_folder_holding_other_files_is_refused_and_untouched(tmp_path):
    root = project(tmp_path, {"a.md": "# A\n"})
    data = tmp_path / "data"
    write_vault(data, {"thesis.txt": "years of work"})
    assert "holds files kb did not write" in refused(root, data)
    assert (data / "thesis.txt").read_text() == "years of work"


def test_a_folder_holding_git_is_refused_even_when_kb_built_it(tmp_path):
    root = project(tmp_path, {"a.md": "# A\n"})
    out = tmp_path / "out"
    write_vault(out, {".kb-site": "x", ".git/HEAD": "ref: refs/heads/main\n"})
    assert "holds a git repository" in refused(root, out)
    assert (out / ".git" / "HEAD").is_file()


@pytest.mark.parametrize("where", [".", "vault", ".."])
def test_the_project_the_vault_and_their_parents_are_refused(tmp_path, where):
    root = project(tmp_path, {"a.md": "# A\n"})
    before = tree_digest(tmp_path)
    refused(root, where)
    assert tree_digest(tmp_path) == before


def test_the_home_folder_is_refused(tmp_path):
    root = project(tmp_path, {"a.md": "# A\n"})
    home = tmp_path / "home"
    home.mkdir()
    (home / ".kb-site").write_text("even with the marker")
    assert "your home folder" in refused(root, home, env={**os.environ, "HOME": str(home)})


def test_a_file_as_output_is_refused(tmp_path):
    root = project(tmp_path, {"a.md": "# A\n"})
    (tmp_path / "notes.txt").write_text("x")
    assert "is not a folder" in refused(root, tmp_path / "notes.txt")


def test_an_empty_folder_and_a_site_kb_built_are_replaced(tmp_path):
    root = project(tmp_path, {"a.md": "# A\n"})
    out = tmp_path / "out"
    out.mkdir()
    assert run_kb("build", "--out", str(out), cwd=root).returncode == 0
    assert (out / ".kb-site").is_file() and (out / "a" / "index.html").is_file()
    write_vault(root / "vault", {"b.md": "# B\n"})
    assert run_kb("build", "--out", str(out), cwd=root).returncode == 0
    assert (out / "b" / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out.kb-")) == [
        ".out.kb-lock"]  # no leftover beside it, only the lock file


def test_ctrl_c_during_a_build_is_one_line_exit_130_and_the_old_site_stays(tmp_path):
    root = project(tmp_path, {"a.md": "# A\n"})
    assert run_kb("build", cwd=root).returncode == 0
    before = tree_digest(root / "site")
    write_vault(root / "vault", {"b.md": "# B\n"})
    # While modules load, while compiling or MkDocs runs. Not sooner: a Ctrl+C before the
    # interpreter has started is the system's, not kb's (seen at 0.5 s on a loaded machine).
    for delay in (1.0, 2.5):
        building = subprocess.Popen([sys.executable, "-m", "compiler.cli", "build"], cwd=root,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    start_new_session=True)
        time.sleep(delay)
        os.killpg(building.pid, signal.SIGINT)
        _, err = building.communicate(timeout=120)
        if building.returncode == 0:  # it had finished: nothing to interrupt
            continue
        assert building.returncode == 130, err
        assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("interrupted")
        assert tree_digest(root / "site") == before
