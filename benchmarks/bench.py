"""Build benchmark: per-stage wall time and memory of a full build, on synthetic vaults.

    python -m benchmarks.bench [--sizes 100 1000 5000] [--out benchmarks/out] [--profile]

For each size, a vault is generated (`benchmarks.generate_vault`) in a temporary project
folder holding a copy of the root mkdocs.yml, and built with `compiler.build.build_site`
four times, each in a fresh process (`benchmarks.worker`):

* cold build (empty cache), timed without tracemalloc;
* warm rebuild (nothing changed: every note a parse-cache hit), timed without tracemalloc;
* the same cold and warm builds again with tracemalloc on, for per-stage peak Python memory
  (the traced warm build stops after the staged folder: MkDocs and the site check see the
  same input as in the cold one, and the traced site check is slow).

Max RSS comes from the untraced runs: the compiler process (RUSAGE_SELF) and its largest
child, the MkDocs run (RUSAGE_CHILDREN). MkDocs's own Python memory is not traced.

The point of the benchmark is the ratio of the compiler's own stages (scan..render) to the
MkDocs build they feed: ours should be a small fraction of it. The table is printed as
Markdown; the full results go to OUT/latest.json (and a timestamped copy).

--profile also runs the compile stages (parse cache off) under cProfile at each size and
writes OUT/profile-N.prof and OUT/profile-N.txt (top functions).
--no-mkdocs stops every build after the staged folder: for sizes MkDocs is too slow for.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from benchmarks.generate_vault import generate_vault
from compiler.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
COMPILE_STAGES = ("scan", "parse", "resolve", "graph", "render")
STAGES = (*COMPILE_STAGES, "stage", "mkdocs", "search", "site-check")
# (cache, traced, compile only). The traced warm run stops before MkDocs: MkDocs and the site
# check get the same staged folder whatever the cache held, and under tracemalloc the site
# check alone takes minutes at 5000 notes.
RUNS = (("cold", False, False), ("warm", False, False), ("cold", True, False), ("warm", True, True))
MIB = 1024 * 1024


def run_worker(project: Path, vault: Path, site: Path, *, trace: bool = False,
               no_mkdocs: bool = False, profile: Path | None = None,
               timeout: float = 1800, cwd: Path = ROOT, full: bool = False,
               engine: str | None = None) -> dict:
    """One build in a fresh process (and session, so a timeout also ends its MkDocs child),
    by the compiler found in `cwd` (another checkout, to compare). `full`: every page written
    again (`kb build --full`, a worker of this checkout only), so that MkDocs' whole build is
    measured; else only what changed since the site in `site` is written."""
    result = project / "worker-result.json"
    result.unlink(missing_ok=True)
    command = [sys.executable, "-m", "benchmarks.worker", str(project), str(vault), str(site),
               str(result)]
    command += ["--trace"] * trace + ["--no-mkdocs"] * no_mkdocs + ["--full"] * full
    if profile:
        command += ["--profile", str(profile)]
    if engine:
        command += ["--engine", engine]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return {"ok": False, "error": f"timed out after {timeout:.0f} s", "stages": []}
    wall = time.perf_counter() - start
    if not result.is_file():
        tail = "\n".join((err + out).strip().splitlines()[-20:])
        return {"ok": False, "error": f"worker exited with {process.returncode}:\n{tail}",
                "stages": []}
    report = json.loads(result.read_text(encoding="utf-8"))
    report["process_seconds"] = wall  # including interpreter start and imports
    return report


def _stage(run: dict, name: str, key: str = "seconds") -> float | int | None:
    values = [s[key] for s in run.get("stages", ()) if s["name"] == name and s[key] is not None]
    return sum(values) if values else None


def _summarise(run: dict) -> dict:
    compile_s = sum(_stage(run, n) or 0.0 for n in COMPILE_STAGES)
    mkdocs_s = _stage(run, "mkdocs")
    peaks = [s["peak_bytes"] for s in run.get("stages", ()) if s["peak_bytes"] is not None]
    return {
        "compile_seconds": compile_s,
        "compile_to_mkdocs": compile_s / mkdocs_s if mkdocs_s else None,
        "ours_to_mkdocs": (compile_s + (_stage(run, "stage") or 0) + (_stage(run, "site-check") or 0))
        / mkdocs_s if mkdocs_s else None,
        "peak_python_bytes": max(peaks) if peaks else None,
    }


def _vault_bytes(vault: Path) -> int:
    return sum(p.stat().st_size for p in vault.rglob("*") if p.is_file())


def bench_size(size: int, workdir: Path, args: argparse.Namespace) -> dict:
    project = workdir / f"vault-{size}"
    project.mkdir(parents=True)
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    vault, site = project / "vault", project / "site"
    start = time.perf_counter()
    generate_vault(vault, size, seed=args.seed, link_density=args.link_density)
    generated = time.perf_counter() - start
    cache = load_settings(project, vault=vault).cache_dir
    entry: dict = {"size": size, "generate_seconds": generated, "vault_bytes": _vault_bytes(vault),
                   "runs": []}
    print(f"\n## {size} notes (generated in {generated:.1f} s, "
          f"{entry['vault_bytes'] / MIB:.1f} MiB)", file=sys.stderr)
    for cache_state, traced, compile_only in RUNS:
        if cache_state == "cold":
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(site, ignore_errors=True)
        label = f"{cache_state}{' +tracemalloc' if traced else ''}{' (no MkDocs)' if compile_only else ''}"
        print(f"  {label} build ...", end="", flush=True, file=sys.stderr)
        run = run_worker(project, vault, site, trace=traced,
                         no_mkdocs=args.no_mkdocs or compile_only, timeout=args.timeout, full=True)
        run |= {"cache": cache_state, "traced": traced, **_summarise(run)}
        entry["runs"].append(run)
        shown = f" {run['total_seconds']:.1f} s" if run["ok"] else f" FAILED: {run['error'][:2000]}"
        print(shown, file=sys.stderr)
    first = entry["runs"][0]
    for key in ("notes", "attachments", "links", "graph_edges", "pages", "diagnostics"):
        entry[key] = first.get(key)
    if args.profile:
        prof = args.out / f"profile-{size}.prof"
        print("  cProfile of the compile stages ...", end="", flush=True, file=sys.stderr)
        run = run_worker(project, vault, site, profile=prof, timeout=args.timeout)
        entry["profile"] = {"ok": run["ok"], "file": str(prof),
                            "profiled_seconds": run.get("profiled_seconds"), "error": run["error"]}
        if run["ok"]:
            text = profile_summary(prof)
            (args.out / f"profile-{size}.txt").write_text(text, encoding="utf-8")
            print(f" {run['profiled_seconds']:.1f} s -> {args.out / f'profile-{size}.txt'}",
                  file=sys.stderr)
        else:
            print(f" FAILED: {run['error']}", file=sys.stderr)
    if args.keep:
        entry["project"] = str(project)
    else:
        shutil.rmtree(project, ignore_errors=True)
    return entry


def profile_summary(prof: Path, limit: int = 30) -> str:
    out = io.StringIO()
    stats = pstats.Stats(str(prof), stream=out).strip_dirs()
    out.write("# By cumulative time\n")
    stats.sort_stats("cumulative").print_stats(limit)
    out.write("\n# By own time\n")
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()


def _s(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _mib(value: int | None) -> str:
    return "–" if value is None else f"{value / MIB:.0f}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def markdown(results: list[dict]) -> str:
    lines = ["### Wall time (s), without tracemalloc", "",
             "| notes | links | build | " + " | ".join(STAGES)
             + " | total | compile | compile / mkdocs | ours / mkdocs |",
             "|" + "---:|" * (len(STAGES) + 7)]
    for entry in results:
        for run in entry["runs"]:
            if run["traced"]:
                continue
            cells = [str(entry["size"]), str(entry.get("links") or "–"), run["cache"]]
            if not run["ok"]:
                lines.append("| " + " | ".join(cells) + f" | failed: {run['error'][:80]} |")
                continue
            cells += [_s(_stage(run, name)) for name in STAGES]
            cells += [_s(run["total_seconds"]), _s(run["compile_seconds"]),
                      _ratio(run["compile_to_mkdocs"]), _ratio(run["ours_to_mkdocs"])]
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "compile = scan + parse + resolve + graph + render; ours = compile + stage + "
              "site-check.", "",
              "### Memory (MiB): per-stage peak Python allocations (tracemalloc), max RSS "
              "(untraced run)", "",
              "| notes | build | " + " | ".join(STAGES) + " | max RSS compiler | max RSS mkdocs |",
              "|" + "---:|" * (len(STAGES) + 4)]
    for entry in results:
        untraced = {r["cache"]: r for r in entry["runs"] if not r["traced"]}
        for run in entry["runs"]:
            if not run["traced"]:
                continue
            plain = untraced.get(run["cache"], {})
            cells = [str(entry["size"]), run["cache"]]
            cells += [_mib(_stage(run, name, "peak_bytes")) for name in STAGES]
            cells += [_mib(plain.get("max_rss_self_bytes")),
                      _mib(plain.get("max_rss_children_bytes") or None)]  # 0: no MkDocs run
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "The traced warm build stops after the staged folder (MkDocs and the site check "
              "see the same input as in the cold build). MkDocs runs in a child process: its "
              "memory shows only as max RSS."]
    return "\n".join(lines) + "\n"


def write_report(out: Path, prefix: str, latest: str, report: dict, table: str) -> None:
    """The JSON report, timestamped and as `<latest>.json`, the table as `<latest>.md`,
    and the table printed."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in (f"{prefix}{stamp}.json", f"{latest}.json"):
        (out / name).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                                encoding="utf-8")
    (out / f"{latest}.md").write_text(table, encoding="utf-8")
    print()
    print(table)
    print(f"results: {out / (latest + '.json')}", file=sys.stderr)


def environment(packages: tuple[str, ...] = ("mkdocs", "mkdocs-material", "markdown-it-py",
                                               "networkx")) -> dict:
    """What a measurement ran on: Python, platform, cores, commit and package versions."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                                capture_output=True, check=False).stdout.strip() or None
    except OSError:
        commit = None
    versions = {}
    for package in packages:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "commit": commit, "packages": versions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench",
                                     description="Benchmark full builds of synthetic vaults.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--link-density", type=float, default=4.0)
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile the compile stages at each size")
    parser.add_argument("--no-mkdocs", action="store_true",
                        help="stop after the staged folder (no MkDocs, no site check)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per build")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)

    started, env = time.strftime("%Y-%m-%dT%H:%M:%S%z"), environment()  # the commit measured
    workdir = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    results = []
    try:
        for size in args.sizes:
            results.append(bench_size(size, workdir, args))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    report = {"created": started, "environment": env,
              "settings": {"seed": args.seed, "link_density": args.link_density,
                           "no_mkdocs": args.no_mkdocs},
              "results": results}
    write_report(args.out, "bench-", "latest", report, markdown(results))
    return 0 if all(r["ok"] for e in results for r in e["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
