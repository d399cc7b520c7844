"""Real vaults, measured: build every vault found under a folder and say what broke.

    python -m benchmarks.real_vaults [FOLDER] [--only NAME ...] [--timeout 3600] [--out benchmarks/out]
    python -m benchmarks.real_vaults checkout REPOSITORY NAME [--subdir PATH] [--folder FOLDER]

Not part of CI: the vaults are other people's public repositories and are never committed.
Get them first, for example into ../peers beside the checkout (the default FOLDER):

    git clone --depth 1 https://github.com/obsidianmd/obsidian-help /tmp/obsidian-help
    python -m benchmarks.real_vaults checkout /tmp/obsidian-help obsidian-help-ko --subdir ko
    python -m benchmarks.real_vaults checkout /tmp/obsidian-help obsidian-help-en --subdir en
    git clone --depth 1 https://github.com/obsidian-community/obsidian-hub /tmp/obsidian-hub
    python -m benchmarks.real_vaults checkout /tmp/obsidian-hub obsidian-hub

`checkout` writes the repository's HEAD (or one folder of it) into FOLDER/NAME, from a clone
or a bare git directory (`git cat-file`, so that a snapshot whose largest files are absent
still checks out: the missing files are counted and skipped), and records the repository
and commit in FOLDER/NAME.source.json for the table.

Each vault (a folder of FOLDER holding `.md` files) is built by the real pipeline in a fresh
process (`benchmarks.worker`) in a temporary project with a copy of the root mkdocs.yml,
cold (empty cache). Printed per vault: notes and pages, wall time (process start to end),
the stages, peak memory (max RSS of the build process plus that of its largest child, the
MkDocs run: `resource.getrusage` RUSAGE_SELF + RUSAGE_CHILDREN), diagnostics by code,
internal errors (the fault barrier's `internal-error`, each one listed), and the site check:
broken links, broken anchors and loads from another host (which fail the build). The table
goes to OUT/real-latest.md and the details to OUT/real-latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench import MIB, environment, run_worker, write_report

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = ROOT.parent / "peers"  # beside the checkout, never inside it
STAGES = ("scan", "parse", "resolve", "graph", "execute", "analysis", "render", "stage",
          "mkdocs", "search", "site-check")
_LOADS = re.compile(r"(\d+) page\(s\) would load from another host")


def checkout(repository: Path, name: str, subdir: str, folder: Path, origin: str = "") -> dict:
    """HEAD's tree (or its `subdir`) written into folder/name; blobs the repository lacks
    (a partial snapshot) are skipped and counted."""
    git_dir = repository / ".git" if (repository / ".git").exists() else repository
    git = ["git", f"--git-dir={git_dir}"]
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    prefix = subdir.strip("/") + "/" if subdir else ""
    listing = subprocess.run([*git, "ls-tree", "-r", "-z", "HEAD", *([prefix] if prefix else [])],
                             capture_output=True, check=True).stdout
    target = folder / name
    shutil.rmtree(target, ignore_errors=True)
    written = missing = 0
    with subprocess.Popen([*git, "cat-file", "--batch"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE) as cat:
        for row in filter(None, listing.split(b"\0")):
            meta, path = row.split(b"\t", 1)
            mode, kind, sha = meta.split()
            if kind != b"blob" or mode == b"120000":  # no symbolic links out of the vault
                continue
            cat.stdin.write(sha + b"\n")
            cat.stdin.flush()
            header = cat.stdout.readline().split()
            if header[-1] == b"missing":
                missing += 1
                continue
            data = cat.stdout.read(int(header[2]))
            cat.stdout.read(1)
            dest = target / path.decode("utf-8")[len(prefix):]
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
            written += 1
        cat.stdin.close()
    origin = origin or subprocess.run([*git, "config", "--get", "remote.origin.url"], capture_output=True,
                            text=True).stdout.strip()
    source = {"repository": origin or str(repository), "commit": commit, "subdir": subdir,
              "files": written, "missing_files": missing}
    (folder / f"{name}.source.json").write_text(json.dumps(source, indent=2) + "\n",
                                                encoding="utf-8")
    return source


def vaults(folder: Path, only: list[str] | None) -> list[Path]:
    found = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    found = [p for p in found if only is None or p.name in only]
    return [p for p in found if next(p.rglob("*.md"), None) is not None]


def _stage(run: dict, name: str) -> float | None:
    values = [s["seconds"] for s in run.get("stages", ()) if s["name"] == name]
    return sum(values) if values else None


def measure(vault: Path, workdir: Path, timeout: float) -> dict:
    project = workdir / vault.name
    project.mkdir(parents=True)
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    site = project / "site"
    source_file = vault.parent / f"{vault.name}.source.json"
    source = json.loads(source_file.read_text(encoding="utf-8")) if source_file.is_file() else {}
    print(f"{vault.name}: building ...", end="", flush=True, file=sys.stderr)
    run = run_worker(project, vault.resolve(), site, timeout=timeout)
    loads = _LOADS.search(run.get("error") or "")
    run |= {"vault": vault.name, "source": source,
            "markdown_files": sum(1 for _ in vault.rglob("*.md")),
            "other_host_loads": int(loads.group(1)) if loads else 0,
            "peak_rss_bytes": (run.get("max_rss_self_bytes") or 0)
            + (run.get("max_rss_children_bytes") or 0)}
    print(f" {run.get('process_seconds', 0):.1f} s" if run["ok"]
          else f" FAILED: {(run.get('error') or '')[:300]}", file=sys.stderr)
    shutil.rmtree(project, ignore_errors=True)
    return run


def _s(value: float | None) -> str:
    return "–" if value is None else (f"{value:.2f}" if value < 10 else f"{value:.0f}")


def markdown(runs: list[dict]) -> str:
    lines = ["| vault | commit | .md files | pages | wall (s) | peak memory (MiB) | "
             "internal errors | errors | broken links | broken anchors | other-host loads |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for run in runs:
        commit = (run["source"].get("commit") or "")[:10] or "–"
        if not run["ok"] and not run.get("pages"):
            lines.append(f"| {run['vault']} | {commit} | {run['markdown_files']} | failed: "
                         f"{(run.get('error') or '')[:120]} |||||||")
            continue
        lines.append(
            f"| {run['vault']} | {commit} | {run['markdown_files']} | {run.get('pages', '–')} | "
            f"{_s(run.get('process_seconds'))} | {run['peak_rss_bytes'] / MIB:.0f} | "
            f"{len(run.get('internal_errors', []))} | {run.get('errors', '–')} | "
            f"{run.get('broken_links', '–')} | {run.get('broken_anchors', '–')} | "
            f"{run['other_host_loads']} |")
    lines += ["", "Stages (s):", "", "| vault | " + " | ".join(STAGES) + " |",
              "|---|" + "---:|" * len(STAGES)]
    for run in runs:
        lines.append(f"| {run['vault']} | " + " | ".join(_s(_stage(run, n)) for n in STAGES) + " |")
    lines += ["", "Diagnostics by code:", ""]
    for run in runs:
        codes = ", ".join(f"{code} {n}" for code, n in run.get("diagnostic_codes", {}).items())
        lines.append(f"- {run['vault']}: {codes or '–'}")
    for run in runs:
        for line in [*run.get("internal_errors", []), *run.get("broken_sample", [])[:5]]:
            lines.append(f"  - {run['vault']}: {line[:300]}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["checkout"]:
        parser = argparse.ArgumentParser(prog="python -m benchmarks.real_vaults checkout")
        parser.add_argument("repository", type=Path)
        parser.add_argument("name")
        parser.add_argument("--subdir", default="")
        parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
        parser.add_argument("--origin", default="", help="the repository's name for the table "
                            "(default: its remote.origin.url)")
        args = parser.parse_args(argv[1:])
        args.folder.mkdir(parents=True, exist_ok=True)
        print(json.dumps(checkout(args.repository, args.name, args.subdir, args.folder,
                                  args.origin)))
        return 0
    parser = argparse.ArgumentParser(prog="python -m benchmarks.real_vaults",
                                     description="Build the real vaults found under FOLDER.")
    parser.add_argument("folder", type=Path, nargs="?", default=DEFAULT_FOLDER)
    parser.add_argument("--only", nargs="+", help="vault folder names to build")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per build")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    started, env = time.strftime("%Y-%m-%dT%H:%M:%S%z"), environment()
    workdir = Path(tempfile.mkdtemp(prefix="kb-real-"))
    try:
        runs = [measure(vault, workdir, args.timeout) for vault in vaults(args.folder, args.only)]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = {"created": started, "environment": env, "cpus": os.cpu_count(), "runs": runs}
    write_report(args.out, "real-", "real-latest", report, markdown(runs))
    return 0 if all(r["ok"] and not r.get("internal_errors") for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
