"""Block-execution benchmark: per-block overhead against the block's own run time (issue 4).

    python -m benchmarks.bench_blocks [--out benchmarks/out] [--blocks 50] [--baseline 10]
                                      [--repeat 3]

Two workloads, each measured in fresh processes (`--child`, started by this module):

* trivial: N blocks of `x = 1`, as N one-block sessions on one `compiler.execute.Pool`
  (workers = CPU count).
  - cold: a fresh process; the wall time runs from creating the Pool (its workers start
    lazily, in parallel) to `run` returning, so worker start-up (interpreter, NumPy and
    matplotlib imports) is included; closing the pool is not.
  - warm: a second `run` of the same N sessions on the same pool, in the same process.
* vault: every block of the bundled vault (`compile_vault` on the root mkdocs.yml, parse
  cache off, then `compiler.blocks.run_blocks` into a temporary store).
  - cold: empty store, fresh process; the wall time is the whole `run_blocks` call (planning
    and keys, store look-ups and writes, the pool's start, run and close).
  - warm: the same store, another fresh process: it must execute nothing (checked).

Baseline, for both: each block in its own `python -c` process (the same environment the pool
gives its workers: one BLAS thread, MPLBACKEND=Agg, PYTHONHASHSEED=0), which imports NumPy and
matplotlib (Agg, pyplot, koreanize_matplotlib when installed, as the worker does), then runs
the block and saves any open figure as SVG and PNG (as the worker does). The parent times the
whole process; the process times its own block. For the trivial workload only the first
`--baseline` blocks run (one at a time) and the total is extrapolated to N. For the vault, the
blocks of one session share one process (they share a namespace), run one process at a time.

Figures, per workload and run:
  own   = sum of the blocks' own run time (Outcome.seconds: exec plus saving figures; for the
          baseline, the same measured inside the process);
  overhead per block = (wall - own) / blocks;  ratio = overhead per block / own per block.
A warm run that executes nothing has no own time: its overhead is the whole wall time.
The pool runs sessions in parallel, the baseline one process at a time: divide the baseline's
wall time by the CPU count for an (optimistic) parallel equivalent.

Prints a Markdown table; writes OUT/blocks-latest.json, a timestamped copy and
OUT/blocks-latest.md. Each figure is the median (by wall time) of --repeat runs; every run is
kept in the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench import environment, write_report

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL_CODE = "x = 1"

# The baseline process: argv[1] a JSON list of block codes (one session), argv[2] the result
# file. Interpreter start-up is timed by the parent; imports and each block by the process.
BASELINE_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[3])
import numpy
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
try:
    import koreanize_matplotlib
except ImportError:
    pass
import io
imports = time.perf_counter() - t0
namespace = {"__name__": "__main__", "__builtins__": __builtins__}
blocks = []
for i, code in enumerate(json.loads(open(sys.argv[1], encoding="utf-8").read())):
    plt.close("all")
    t = time.perf_counter()
    status = "ok"
    try:
        exec(compile(code, f"<block {i + 1}>", "exec", dont_inherit=True), namespace)
    except BaseException as e:
        status = type(e).__name__
    for num in plt.get_fignums():
        fig = plt.figure(num)
        fig.savefig(io.BytesIO(), format="svg", metadata={"Date": None})
        fig.savefig(io.BytesIO(), format="png", dpi=150)
    plt.close("all")
    blocks.append({"seconds": time.perf_counter() - t, "status": status})
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump({"imports_seconds": imports, "blocks": blocks}, f)
"""


def _worker_env() -> dict[str, str]:
    """The environment compiler.execute.Pool gives its workers."""
    env = dict(os.environ)
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               NUMEXPR_NUM_THREADS="1", MPLBACKEND="Agg", PYTHONHASHSEED="0",
               PYTHONIOENCODING="utf-8")
    env.pop("PYTHONSTARTUP", None)
    return env


# -- children: each runs in a process of its own -------------------------------------------------
def child_trivial(n: int, result: Path) -> None:
    from compiler.execute import BlockRun, Pool, SessionRun

    sessions = [SessionRun(f"trivial-{i:03d}", (BlockRun(f"b{i:03d}", TRIVIAL_CODE),))
                for i in range(n)]
    runs = []
    start = time.perf_counter()
    pool = Pool(ROOT, workers=os.cpu_count())
    try:
        for label in ("cold", "warm"):
            if label == "warm":
                start = time.perf_counter()
            outcomes = pool.run(sessions)
            wall = time.perf_counter() - start
            runs.append({"run": label, "blocks": n, "executed": len(outcomes), "wall_seconds": wall,
                         "own_seconds": sum(o.seconds for o in outcomes.values()),
                         "failed": sum(o.failed for o in outcomes.values())})
        workers = pool.size
        started = [w.info.get("import_seconds") for w in pool._slots if w is not None]
    finally:
        t = time.perf_counter()
        pool.close()
        close = time.perf_counter() - t
    result.write_text(json.dumps({"workers": workers, "worker_import_seconds": started,
                                  "close_seconds": close, "runs": runs}), encoding="utf-8")


def _vault_notes():
    from compiler.build import compile_vault
    from compiler.config import load_settings

    settings = load_settings(ROOT)
    return settings, compile_vault(settings, use_cache=False).resolved.notes


def child_vault(store: Path, label: str, result: Path) -> None:
    from compiler.blocks import run_blocks

    settings, notes = _vault_notes()
    start = time.perf_counter()
    results, _ = run_blocks(notes, settings.project_root, store)
    wall = time.perf_counter() - start
    executed = [r for r in results.values() if not r.cached]
    run = {"run": label, "blocks": len(results), "executed": len(executed), "wall_seconds": wall,
           "own_seconds": sum(r.outcome.seconds for r in executed),
           "failed": sum(r.failed for r in results.values()),
           "statuses": sorted(r.outcome.status for r in results.values())}
    result.write_text(json.dumps({"runs": [run]}), encoding="utf-8")


def _vault_sessions() -> list[list[str]]:
    """The vault's blocks grouped by session, in order (the blocks' code)."""
    from compiler.blocks import plan

    settings, notes = _vault_notes()
    sessions: dict[tuple[str, str], list[str]] = {}
    for item in plan(notes, settings.project_root):
        sessions.setdefault((item.note, item.session), []).append(item.block.code)
    return list(sessions.values())


# -- parent --------------------------------------------------------------------------------------
def _child(args: list[str], timeout: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="kb-bench-blocks-") as tmp:
        result = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "benchmarks.bench_blocks", "--child", *args, str(result)]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                              check=False)
        wall = time.perf_counter() - start
        if done.returncode or not result.is_file():
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        report = json.loads(result.read_text(encoding="utf-8"))
    report["process_seconds"] = wall  # including interpreter start and the compiler's imports
    return report


def baseline(sessions: list[list[str]], timeout: float) -> dict:
    """Each session in its own `python -c` process, one at a time."""
    env = _worker_env()
    processes = []
    with tempfile.TemporaryDirectory(prefix="kb-bench-baseline-") as tmp:
        for i, codes in enumerate(sessions):
            work = Path(tmp) / f"p{i}"
            work.mkdir()
            (work / "blocks.json").write_text(json.dumps(codes), encoding="utf-8")
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", BASELINE_SCRIPT, str(work / "blocks.json"),
                                   str(work / "result.json"), str(ROOT)],
                                  cwd=work, env=env, capture_output=True, text=True,
                                  timeout=timeout, check=False)
            wall = time.perf_counter() - start
            if done.returncode or not (work / "result.json").is_file():
                raise RuntimeError(f"baseline process failed ({done.returncode}):\n"
                                   f"{done.stderr[-3000:]}")
            inner = json.loads((work / "result.json").read_text(encoding="utf-8"))
            processes.append({"wall_seconds": wall, "imports_seconds": inner["imports_seconds"],
                              "blocks": inner["blocks"]})
    blocks = sum(len(p["blocks"]) for p in processes)
    return {"run": "baseline", "blocks": blocks, "executed": blocks,
            "wall_seconds": sum(p["wall_seconds"] for p in processes),
            "own_seconds": sum(b["seconds"] for p in processes for b in p["blocks"]),
            "failed": sum(b["status"] != "ok" for p in processes for b in p["blocks"]),
            "processes": processes}


def _derive(run: dict) -> dict:
    blocks, executed = run["blocks"], run["executed"]
    overhead = (run["wall_seconds"] - run["own_seconds"]) / blocks if blocks else None
    own = run["own_seconds"] / executed if executed else None
    return run | {"overhead_per_block": overhead, "own_per_block": own,
                  "overhead_to_own": overhead / own if overhead is not None and own else None}


def _median(runs: list[dict]) -> dict:
    """The run with the median wall time (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda r: r["wall_seconds"])
    return ordered[(len(ordered) - 1) // 2]


def bench_trivial(args: argparse.Namespace) -> list[dict]:
    n, k = args.blocks, min(args.baseline, args.blocks)
    print(f"trivial: {n} blocks of `{TRIVIAL_CODE}`", file=sys.stderr)
    by_run: dict[str, list[dict]] = {"cold": [], "warm": []}
    extra: list[dict] = []
    for i in range(args.repeat):
        report = _child(["trivial", str(n)], args.timeout)
        extra.append({k_: v for k_, v in report.items() if k_ != "runs"})
        for run in report["runs"]:
            by_run[run["run"]].append(run)
        cold, warm = report["runs"]
        print(f"  pool {i + 1}/{args.repeat}: cold {cold['wall_seconds']:.3f} s, "
              f"warm {warm['wall_seconds']:.3f} s ({report['workers']} workers)", file=sys.stderr)
    baselines = []
    for i in range(args.repeat):
        b = baseline([[TRIVIAL_CODE]] * k, args.timeout)
        # Extrapolate the k measured processes to n.
        scale = n / k
        b |= {"measured_blocks": k, "blocks": n, "executed": n,
              "measured_wall_seconds": b["wall_seconds"], "measured_own_seconds": b["own_seconds"],
              "wall_seconds": b["wall_seconds"] * scale, "own_seconds": b["own_seconds"] * scale}
        baselines.append(b)
        print(f"  baseline {i + 1}/{args.repeat}: {k} processes {b['measured_wall_seconds']:.2f} s "
              f"-> {n}: {b['wall_seconds']:.2f} s", file=sys.stderr)
    rows = [_derive(_median(by_run["cold"])) | {"all_walls": [r["wall_seconds"] for r in by_run["cold"]]},
            _derive(_median(by_run["warm"])) | {"all_walls": [r["wall_seconds"] for r in by_run["warm"]]},
            _derive(_median(baselines)) | {"all_walls": [r["wall_seconds"] for r in baselines],
                                           "extrapolated": f"{k} processes measured, scaled to {n}"}]
    for row in rows:
        row["workload"] = "trivial"
        row["pool"] = extra if row["run"] != "baseline" else None
    return rows


def bench_vault(args: argparse.Namespace) -> list[dict]:
    sessions = _vault_sessions()
    count = sum(len(s) for s in sessions)
    print(f"vault: {count} blocks in {len(sessions)} sessions", file=sys.stderr)
    by_run: dict[str, list[dict]] = {"cold": [], "warm": []}
    for i in range(args.repeat):
        store = Path(tempfile.mkdtemp(prefix="kb-bench-store-"))
        try:
            for label in ("cold", "warm"):
                report = _child(["vault", str(store), label], args.timeout)
                run = report["runs"][0] | {"process_seconds": report["process_seconds"]}
                if label == "warm" and run["executed"]:
                    raise RuntimeError(f"the warm vault run executed {run['executed']} blocks")
                by_run[label].append(run)
                print(f"  {label} {i + 1}/{args.repeat}: {run['wall_seconds']:.3f} s, "
                      f"{run['executed']} executed", file=sys.stderr)
        finally:
            shutil.rmtree(store, ignore_errors=True)
    baselines = []
    for i in range(args.repeat):
        b = baseline(sessions, args.timeout)
        baselines.append(b)
        print(f"  baseline {i + 1}/{args.repeat}: {b['wall_seconds']:.3f} s", file=sys.stderr)
    rows = [_derive(_median(by_run[label])) | {"all_walls": [r["wall_seconds"] for r in by_run[label]]}
            for label in ("cold", "warm")]
    rows.append(_derive(_median(baselines)) | {"all_walls": [r["wall_seconds"] for r in baselines]})
    for row in rows:
        row["workload"] = "vault"
        row["sessions"] = len(sessions)
    return rows


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 1000:.3f}" if value < 0.01 else f"{value * 1000:.1f}"


def _x(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}×" if value >= 100 else f"{value:.2f}×"


RUN_NAMES = {"cold": "pool, cold (start included)", "warm": "pool, warm",
             "baseline": "one `python` process each"}
VAULT_RUN_NAMES = {"cold": "run_blocks, cold (empty store)",
                   "warm": "run_blocks, warm (same store)",
                   "baseline": "one `python` process per session"}


def markdown(rows: list[dict], env: dict) -> str:
    lines = ["| workload | run | blocks | executed | wall (s) | own Σ (s) | overhead / block (ms) "
             "| own / block (ms) | overhead / own |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        names = VAULT_RUN_NAMES if row["workload"] == "vault" else RUN_NAMES
        name = names[row["run"]]
        if row.get("extrapolated"):
            name += f" ({row['measured_blocks']} measured, ×{row['blocks'] / row['measured_blocks']:g})"
        lines.append("| " + " | ".join([
            row["workload"], name, str(row["blocks"]), str(row["executed"]),
            _s(row["wall_seconds"]), _s(row["own_seconds"]), _ms(row["overhead_per_block"]),
            _ms(row["own_per_block"]), _x(row["overhead_to_own"])]) + " |")
    lines += ["", f"{env['cpus']} CPUs, pool workers = {env['cpus']}; Python {env['python']}, "
              f"NumPy {env['packages'].get('numpy')}, matplotlib {env['packages'].get('matplotlib')}. "
              "Median of the runs by wall time. overhead / block = (wall − own Σ) / blocks; "
              "own = Outcome.seconds (exec plus saving figures). The pool runs sessions in "
              "parallel; the baseline runs one process at a time (divide its wall time by the CPU "
              "count for a parallel equivalent). A warm vault run executes nothing: no own time."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        kind, *rest = argv[1:]
        if kind == "trivial":
            child_trivial(int(rest[0]), Path(rest[1]))
        elif kind == "vault":
            child_vault(Path(rest[0]), rest[1], Path(rest[2]))
        else:
            raise SystemExit(f"unknown child {kind!r}")
        return 0
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_blocks",
                                     description="Per-block overhead of running snippet blocks.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--blocks", type=int, default=50, help="trivial blocks (default 50)")
    parser.add_argument("--baseline", type=int, default=10,
                        help="trivial blocks measured as processes, extrapolated (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (median)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per process")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    env = environment(("numpy", "matplotlib", "koreanize-matplotlib"))
    rows = bench_trivial(args) + bench_vault(args)
    report = {"created": started, "environment": env,
              "settings": {"blocks": args.blocks, "baseline": args.baseline, "repeat": args.repeat},
              "results": rows}
    write_report(args.out, "blocks-", "blocks-latest", report, markdown(rows, env))
    return 0 if not any(r["failed"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
