"""Every core used (issue 18, items 2 and 6): the whole `kb build` with its pages, site check
and search index spread over worker processes, against a single-process `mkdocs build` of
the same staged folder, in the same run; and the memory of each stage.

    python -m benchmarks.bench_parallel [--notes 6600] [--big-folders 0.85]
        [--runs kb mkdocs kb1] [--workers 0] [--timeout 7200] [--out benchmarks/out]

One generated vault (`benchmarks.generate_vault`). Runs, each a fresh process tree:

* `kb`: the whole cold build (`benchmarks.worker`, empty cache) with `kb.workers` from
  `--workers` (0: one per core);
* `mkdocs`: MkDocs' own `build` (`mkdocs.commands.build.build`, one process) of a copy of the
  staged folder the `kb` run wrote, with the configuration kb gives MkDocs
  (`compiler.mkdocs_runner.load`);
* `kb1`: the whole cold build again with `kb.workers: 1` (one process builds the pages), and
  its site compared with the `kb` run's file by file (the build report, which shows timings,
  left out).

For each: wall time, CPU time (user + system of the whole process tree, from `wait4`), and
peak memory of all its processes together, sampled every 0.2 s: the sum of their PSS
(proportional set size: a page shared by forked workers counts once in all) and, for
comparison, of their RSS (counts shared pages in every process). Per stage of a kb build:
seconds and the peak PSS of the tree while the stage ran. Writes OUT/parallel-latest.json
and .md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench import MIB, environment, write_report
from benchmarks.generate_vault import generate_vault

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.2


def _tree(pid: int) -> list[int]:
    """pid and its descendants (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as file:
                    todo += [int(c) for c in file.read().split()]
        except OSError:
            continue
    return found


def _memory(pids: list[int]) -> tuple[int, int]:
    """(PSS, RSS) in bytes summed over the processes."""
    pss = rss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as file:
                for line in file:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return pss, rss


def measure(command: list[str], timeout: float) -> dict:
    """Run `command` in a session of its own, sampling its process tree's memory."""
    start, began = time.perf_counter(), time.monotonic()
    errors = tempfile.TemporaryFile()  # noqa: SIM115 (a pipe could fill and stop the run)
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=errors)
    samples: list[tuple[float, int, int]] = []
    status = usage = None
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > timeout:
            os.killpg(process.pid, signal.SIGKILL)
            _, status, usage = os.wait4(process.pid, 0)
            break
        samples.append((time.monotonic(), *_memory(_tree(process.pid))))
        time.sleep(SAMPLE_SECONDS)
    process.returncode = os.waitstatus_to_exitcode(status)
    errors.seek(0)
    error = errors.read().decode("utf-8", "replace")
    errors.close()
    return {"ok": process.returncode == 0, "error": error[-3000:] if process.returncode else None,
            "began": began, "wall_seconds": time.perf_counter() - start,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_pss_bytes": max((s[1] for s in samples), default=0),
            "peak_rss_sum_bytes": max((s[2] for s in samples), default=0), "samples": samples}


def _stage_peaks(run: dict, report: dict) -> list[dict]:
    """Each stage of a kb build with the peak PSS of the tree while it ran."""
    stages = []
    for stage in report.get("stages", ()):
        begin = stage.get("started")
        if begin is None:
            continue
        end = begin + stage["seconds"]
        inside = [s[1] for s in run["samples"] if begin <= s[0] <= end + SAMPLE_SECONDS]
        stages.append({"name": stage["name"], "seconds": stage["seconds"],
                       "peak_pss_bytes": max(inside, default=None)})
    return stages


def _set_workers(project: Path, workers: int) -> None:
    config = project / "mkdocs.yml"
    lines = [line for line in config.read_text(encoding="utf-8").splitlines()
             if not line.startswith("  workers:")]
    at = next(n for n, line in enumerate(lines) if line.startswith("kb:"))
    lines.insert(at + 1, f"  workers: {workers}")
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")


def kb_build(project: Path, workers: int, timeout: float) -> dict:
    site, result = project / "site", project / "worker-result.json"
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(project / ".kb-cache", ignore_errors=True)
    result.unlink(missing_ok=True)
    _set_workers(project, workers)
    run = measure([sys.executable, "-m", "benchmarks.worker", str(project), str(project / "vault"),
                   str(site), str(result)], timeout)
    if result.is_file():
        report = json.loads(result.read_text(encoding="utf-8"))
        run["ok"] = run["ok"] and report["ok"]
        run["error"] = run["error"] or report.get("error")
        run["pages"] = report.get("pages")
        run["stages"] = _stage_peaks(run, report)
    return run


def mkdocs_only(config_path: Path, docs: Path, site: Path) -> None:
    """MkDocs' own single-process build of a staged folder, as kb configures it."""
    from mkdocs.commands.build import build

    from compiler.config import load_settings
    from compiler.mkdocs_runner import load

    settings = load_settings(config_path.parent)
    start, end = settings.section_lines or (-1, -1)
    build(load(config_path, str(docs), str(site), start, end, settings.mkdocs_defaults()))


def _digests(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()
            and not p.relative_to(site).as_posix().startswith("_kb/report/")}


def _gib(value: int | None) -> str:
    return "–" if not value else f"{value / MIB:,.0f}"


def markdown(rows: list[dict], notes: int) -> str:
    lines = [f"{notes:,} generated notes", "",
             "| run | wall (s) | CPU (s) | peak PSS, all processes (MiB) | peak RSS summed (MiB) |",
             "|---|---:|---:|---:|---:|"]
    for row in rows:
        run = row["run"]
        state = "" if run["ok"] else f" (failed: {(run.get('error') or '')[:80]})"
        lines.append(f"| {row['name']}{state} | {run['wall_seconds']:.0f} | {run['cpu_seconds']:.0f}"
                     f" | {_gib(run['peak_pss_bytes'])} | {_gib(run['peak_rss_sum_bytes'])} |")
    for row in rows:
        if row["run"].get("stages"):
            lines += ["", f"Stages of `{row['name']}`:", "",
                      "| stage | seconds | peak PSS (MiB) |", "|---|---:|---:|"]
            lines += [f"| {s['name']} | {s['seconds']:.2f} | {_gib(s['peak_pss_bytes'])} |"
                      for s in row["run"]["stages"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_parallel")
    parser.add_argument("--notes", type=int, default=6600)
    parser.add_argument("--big-folders", type=float, default=0.85)
    parser.add_argument("--runs", nargs="+", default=["kb", "mkdocs", "kb1"],
                        choices=["kb", "mkdocs", "kb1"])
    parser.add_argument("--workers", type=int, default=0, help="kb.workers of the `kb` run")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds per run")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--workdir", type=Path, help="where to build (default: a temporary folder)")
    parser.add_argument("--mkdocs-only", nargs=3, type=Path, metavar=("CONFIG", "DOCS", "SITE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.mkdocs_only:
        mkdocs_only(*args.mkdocs_only)
        return 0
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    started, env = time.strftime("%Y-%m-%dT%H:%M:%S%z"), environment()
    workdir = Path(tempfile.mkdtemp(prefix="kb-parallel-", dir=args.workdir))
    rows: list[dict] = []
    try:
        project = workdir / "project"
        project.mkdir()
        shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
        generate_vault(project / "vault", args.notes, big_folders=args.big_folders)
        staged = workdir / "staged"
        sites: dict[str, Path] = {}
        for name in ["kb", *(r for r in args.runs if r != "kb")] if "kb" in args.runs else args.runs:
            print(f"{name}: ...", end="", flush=True, file=sys.stderr)
            if name == "mkdocs":
                if not staged.is_dir():
                    print(" skipped (no staged folder: run kb first)", file=sys.stderr)
                    continue
                shutil.rmtree(workdir / "mkdocs-site", ignore_errors=True)
                run = measure([sys.executable, "-m", "benchmarks.bench_parallel", "--mkdocs-only",
                               str(project / "mkdocs.yml"), str(staged),
                               str(workdir / "mkdocs-site")], args.timeout)
            else:
                run = kb_build(project, args.workers if name == "kb" else 1, args.timeout)
                kept = project / ".kb-cache" / "stage"
                if name == "kb" and kept.is_dir():
                    shutil.copytree(next(kept.iterdir()), staged)
                site = workdir / f"site-{name}"
                shutil.rmtree(site, ignore_errors=True)
                if (project / "site").is_dir():
                    (project / "site").rename(site)
                    sites[name] = site
            print(f" {run['wall_seconds']:.0f} s wall, {run['cpu_seconds']:.0f} s CPU" if run["ok"]
                  else f" FAILED {run.get('error')}", file=sys.stderr)
            run.pop("samples", None)
            rows.append({"name": name, "run": run})
        same = None
        if {"kb", "kb1"} <= sites.keys():
            one, many = _digests(sites["kb1"]), _digests(sites["kb"])
            same = {"files": len(one), "identical": one == many,
                    "differing": sorted(k for k in one.keys() | many.keys()
                                        if one.get(k) != many.get(k))[:20]}
            print(f"kb vs kb1 sites: {same}", file=sys.stderr)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = {"created": started, "environment": env, "notes": args.notes,
              "big_folders": args.big_folders, "workers": args.workers, "rows": rows,
              "kb_vs_kb1": same}
    text = markdown(rows, args.notes)
    if same is not None:
        text += (f"\nSites of `kb` and `kb1` ({same['files']:,} files, build report left out): "
                 + ("identical" if same["identical"] else f"differ in {same['differing']}") + "\n")
    write_report(args.out, "parallel-", "parallel-latest", report, text)
    print(text)
    return 0 if all(r["run"]["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
