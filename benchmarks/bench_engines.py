"""Publish engines compared: the same generated vault built by each engine (`kb.engine`:
MkDocs, ProperDocs, Zensical), cold, warm with nothing changed, and after one note's prose
was edited, in one run per size.

    python -m benchmarks.bench_engines [--sizes 1000 6600] [--big-folders 0.85]
        [--engines mkdocs properdocs zensical] [--timeout 3600] [--out benchmarks/out]

Each build runs in a fresh process (`benchmarks.worker --engine NAME`), as `kb build` does:
cold is with no cache and no site; warm is the same build again (the parse cache, the staged
folder, the published site and its saved state, and for Zensical its own cache are kept);
edited is the next build after one sentence was added to one note. Each engine builds its
own copy of the vault, with its own cache and site, so that its warm and edited builds
follow its own (a site another engine built would be built again in full). The engines take
turns within each case (all cold builds, then all warm ones, then the edits), so
that a run stopped part-way still compares them. The vaults come from `benchmarks.generate_vault` (with
`--big-folders`, as in `benchmarks.bench_scale`). Printed per build: wall time of the process,
CPU time (the process and its children: the engine's), peak memory (max RSS of the process
plus its largest child), and the publish, search and site check stages. Writes
OUT/engines-latest.json and .md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench import MIB, environment, run_worker, write_report
from benchmarks.bench_scale import _s, _stage
from benchmarks.generate_vault import generate_vault

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("mkdocs", "properdocs", "zensical")
CASES = ("cold", "warm", "edited")
EDIT = "\n\nOne sentence added for the benchmark.\n"


def edited_note(vault: Path) -> Path:
    """The note the `edited` case changes: the first one of the vault's first folder."""
    return sorted(p for p in vault.rglob("*.md") if p.parent != vault)[0]


def build(project: Path, vault: Path, engine: str, case: str, timeout: float) -> dict:
    """One build of `case`; cold starts from no cache and no site."""
    if case == "cold":
        shutil.rmtree(project / "site", ignore_errors=True)
        shutil.rmtree(project / ".kb-cache", ignore_errors=True)
    run = run_worker(project, vault, project / "site", timeout=timeout, engine=engine)
    run["peak_rss_bytes"] = (run.get("max_rss_self_bytes") or 0) + (
        run.get("max_rss_children_bytes") or 0)
    return run


def markdown(rows: list[dict]) -> str:
    lines = ["| engine | notes | build | wall (s) | CPU (s) | peak MiB | publish (s) | search (s) "
             "| site check (s) |", "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        run = row["run"]
        head = f"| {row['engine']} | {row['size']} | {row['case']} | "
        if not run["ok"]:
            lines.append(head + f"failed: {(run.get('error') or '')[:100]} |")
            continue
        lines.append(head + " | ".join([
            _s(run.get("process_seconds")), _s(run.get("cpu_seconds")),
            f"{run['peak_rss_bytes'] / MIB:.0f}", _s(_stage(run, "mkdocs")),
            _s(_stage(run, "search")), _s(_stage(run, "site-check"))]) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_engines")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 6600])
    parser.add_argument("--big-folders", type=float, default=0.85)
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per build")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    env = environment(("mkdocs", "properdocs", "zensical", "mkdocs-material", "markdown"))
    workdir = Path(tempfile.mkdtemp(prefix="kb-engines-"))
    rows = []
    try:
        for size in args.sizes:
            generated = workdir / f"vault-{size}"
            generate_vault(generated, size, big_folders=args.big_folders)
            projects = {}  # each engine its own project, cache and site: warm is its own again
            for engine in args.engines:
                project = projects[engine] = workdir / f"{size}-{engine}"
                project.mkdir()
                shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
                shutil.copytree(generated, project / "vault")
            for case in CASES:  # every engine's cold build first: a partial run still compares
                for engine in args.engines:
                    project = projects[engine]
                    vault = project / "vault"
                    if case == "edited":  # a change since the engine's own last build
                        note = edited_note(vault)
                        note.write_bytes(note.read_bytes() + EDIT.encode())
                    print(f"{size} notes, {engine}, {case}: building ...", end="", flush=True,
                          file=sys.stderr)
                    run = build(project, vault, engine, case, args.timeout)
                    print(f" {run.get('process_seconds', 0):.1f} s" if run["ok"] else
                          f" FAILED: {(run.get('error') or '')[:300]}", file=sys.stderr)
                    rows.append({"engine": engine, "size": size, "case": case, "run": run})
                    partial = {"created": started, "environment": env, "rows": rows}
                    (args.out / "engines-partial.json").write_text(  # a long run, read as it goes
                        json.dumps(partial, indent=2, ensure_ascii=False), encoding="utf-8")
            for project in (generated, *projects.values()):
                shutil.rmtree(project, ignore_errors=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = {"created": started, "environment": env, "big_folders": args.big_folders,
              "edited": EDIT, "rows": rows}
    write_report(args.out, "engines-", "engines-latest", report, markdown(rows))
    return 0 if all(r["run"]["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
