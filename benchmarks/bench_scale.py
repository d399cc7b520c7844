"""Scale: does any stage grow faster than the vault? Per-stage figures of cold builds of
generated vaults shaped like real ones (big flat folders of people and daily notes), with
this checkout and, in the same run, with a baseline checkout of the compiler.

    python -m benchmarks.bench_scale [--sizes 1000 3000 6600] [--big-folders 0.85]
        [--baseline DIR] [--baseline-sizes 1000 3000] [--timeout 3600] [--out benchmarks/out]

Each build runs in a fresh process (`benchmarks.worker`, from DIR for the baseline: for
example `git archive main | tar -x -C DIR`, with `node_modules` linked in). The vaults come
from `benchmarks.generate_vault` with `--big-folders` (0.85: a 6,600-note community vault
has 2,919 and 2,692 notes in two folders). Printed per build: each stage's seconds and its
seconds per 1,000 notes, whose growth from the smallest size shows what is not linear; wall
time and peak memory (max RSS of the build process plus its largest child, the MkDocs
run). Writes OUT/scale-latest.json and .md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench import MIB, environment, run_worker, write_report
from benchmarks.generate_vault import generate_vault

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("scan", "parse", "resolve", "graph", "execute", "analysis", "render", "stage",
          "mkdocs", "search", "site-check")


def _stage(run: dict, name: str) -> float | None:
    values = [s["seconds"] for s in run.get("stages", ()) if s["name"] == name]
    return sum(values) if values else None


def build(project: Path, vault: Path, code: Path, timeout: float) -> dict:
    site = project / "site"
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(project / ".kb-cache", ignore_errors=True)
    run = run_worker(project, vault, site, timeout=timeout, cwd=code)
    run["peak_rss_bytes"] = (run.get("max_rss_self_bytes") or 0) + (
        run.get("max_rss_children_bytes") or 0)
    return run


def _s(value: float | None) -> str:
    return "–" if value is None else (f"{value:.2f}" if value < 10 else f"{value:.0f}")


def markdown(rows: list[dict]) -> str:
    lines = ["| code | notes | biggest folder | pages | " + " | ".join(STAGES)
             + " | wall (s) | peak MiB |", "|---|---:|---:|---:|" + "---:|" * (len(STAGES) + 2)]
    for row in rows:
        run = row["run"]
        head = f"| {row['code']} | {row['size']} | {row['biggest_folder']} | "
        if not run["ok"]:
            lines.append(head + f"failed: {(run.get('error') or '')[:100]} |")
            continue
        lines.append(head + f"{run.get('pages')} | " + " | ".join(
            _s(_stage(run, n)) for n in STAGES)
            + f" | {_s(run.get('process_seconds'))} | {run['peak_rss_bytes'] / MIB:.0f} |")
    lines += ["", "Seconds per 1,000 notes (flat across sizes = linear):", "",
              "| code | notes | " + " | ".join(STAGES) + " | wall |",
              "|---|---:|" + "---:|" * (len(STAGES) + 1)]
    for row in rows:
        run = row["run"]
        if not run["ok"]:
            continue
        per = 1000 / row["size"]
        cells = [_s(v * per) if (v := _stage(run, n)) is not None else "–" for n in STAGES]
        lines.append(f"| {row['code']} | {row['size']} | " + " | ".join(cells)
                     + f" | {_s(run['process_seconds'] * per)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_scale")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 6600])
    parser.add_argument("--big-folders", type=float, default=0.85)
    parser.add_argument("--baseline", type=Path, help="a checkout of the compiler to compare")
    parser.add_argument("--baseline-sizes", type=int, nargs="+",
                        help="sizes to build with the baseline too (default: all)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per build")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    started, env = time.strftime("%Y-%m-%dT%H:%M:%S%z"), environment()
    workdir = Path(tempfile.mkdtemp(prefix="kb-scale-"))
    rows = []
    try:
        for size in args.sizes:
            project = workdir / f"vault-{size}"
            project.mkdir()
            shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
            vault = project / "vault"
            generate_vault(vault, size, big_folders=args.big_folders)
            biggest = max(sum(1 for p in d.iterdir() if p.suffix == ".md")
                          for d in [vault, *(p for p in vault.rglob("*") if p.is_dir())])
            codes = [("this", ROOT)]
            if args.baseline and (args.baseline_sizes is None or size in args.baseline_sizes):
                codes.append(("baseline", args.baseline.resolve()))
            for name, code in codes:
                print(f"{size} notes, {name}: building ...", end="", flush=True, file=sys.stderr)
                run = build(project, vault, code, args.timeout)
                print(f" {run.get('process_seconds', 0):.1f} s" if run["ok"] else
                      f" FAILED: {(run.get('error') or '')[:300]}", file=sys.stderr)
                rows.append({"code": name, "size": size, "biggest_folder": biggest, "run": run})
            shutil.rmtree(project, ignore_errors=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = {"created": started, "environment": env, "big_folders": args.big_folders,
              "baseline": str(args.baseline) if args.baseline else None, "rows": rows}
    write_report(args.out, "scale-", "scale-latest", report, markdown(rows))
    return 0 if all(r["run"]["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
