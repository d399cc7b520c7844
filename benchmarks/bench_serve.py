"""`kb serve` benchmark: edit-to-reload latency against a full build in the same run.

    python -m benchmarks.bench_serve [--sizes 1000] [--edits 5] [--out benchmarks/out]

For the bundled vault (a copy) and each generated vault (`benchmarks.generate_vault`), in a
temporary project holding a copy of the root mkdocs.yml:

* baseline: `kb build` after an edit, i.e. a full build with a warm cache (the parse cache and
  block outcomes filled by a cold build just before), in a fresh process (`benchmarks.worker`);
* the preview: the real server and watcher (`compiler.serve`) on a free port, a page's
  long-poll open as in a browser; then, `--edits` times each, a prose edit (a sentence
  appended to a note), a link edit (a new link, so the target's backlinks change too), a new
  note and its deletion (both change the navigation of every page). Latency = from the file
  write to the moment the long-poll answered *and* the edited page, fetched over HTTP, shows
  the change: what a reader waits for before the open page has reloaded (minus the browser's
  own page load). The rebuild's own stages come from the preview's report.

Prints a Markdown table (median and worst per kind of edit, and latency / full build) and
writes OUT/serve-latest.json and serve-latest.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.request
from pathlib import Path
from urllib.parse import quote

from benchmarks.bench import environment, run_worker, write_report
from benchmarks.generate_vault import generate_vault
from compiler.config import load_settings
from compiler.livereload import ENDPOINT, make_server
from compiler.render import page_address, staged_paths
from compiler.serve import Preview, Rebuild, Watcher

ROOT = Path(__file__).resolve().parent.parent
WAIT = 300.0


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=WAIT) as reply:
        return reply.read().decode("utf-8")


class Session:
    def __init__(self, project: Path):
        self.preview = Preview(load_settings(project), "vault/")
        began = time.perf_counter()
        first = self.preview.rebuild()
        if first.error:
            raise RuntimeError(first.error)
        self.first_seconds = time.perf_counter() - began
        self.server = make_server(self.preview.site_dir, self.preview.changes, 0)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.rebuilds: list[Rebuild] = []
        self.watcher = Watcher(self.preview, self.rebuilds.append)
        self.watcher.start()

    def page_url(self, staged: str) -> str:
        address = page_address(staged)
        return self.url + quote(address + "/" if address else "", safe="/")

    def measure(self, edit, page: str, marker: str, present: bool = True) -> dict:
        """Apply `edit`, wait for the long-poll to answer and the page to show (or lose) marker."""
        generation = self.preview.changes.state.generation
        answered: list[float] = []
        poll = threading.Thread(target=lambda: (_get(f"{self.url}{ENDPOINT.lstrip('/')}"
                                                     f"?generation={generation}"),
                                                answered.append(time.perf_counter())))
        poll.start()
        time.sleep(0.05)  # the long-poll is waiting, as an open page's is
        count = len(self.rebuilds)
        began = time.perf_counter()
        edit()
        deadline = began + WAIT
        while True:
            try:
                shown = marker in _get(page)
            except OSError:
                shown = False
            if shown == present or time.perf_counter() > deadline:
                break
            time.sleep(0.005)
        poll.join(WAIT)
        seen = time.perf_counter()
        rebuild = self.rebuilds[count] if len(self.rebuilds) > count else None
        return {"latency": max(seen, *answered) - began,
                "rebuild": rebuild.seconds if rebuild else None,
                "stages": {t.name: t.seconds for t in rebuild.timings} if rebuild else {},
                "pages": len(rebuild.changed_notes) if rebuild else None}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.watcher.stop()
        self.preview.close()


def _edits(session: Session, vault: Path, count: int) -> dict[str, list[dict]]:
    settings = session.preview.settings
    notes = sorted(unicodedata.normalize("NFC", p.relative_to(vault).as_posix())
                   for p in vault.rglob("*.md"))
    pages, _ = staged_paths({n: None for n in notes}, settings.home)
    chosen = notes[len(notes) // 3: len(notes) // 3 + count]
    target = notes[-1]
    files = {unicodedata.normalize("NFC", p.relative_to(vault).as_posix()): p
             for p in vault.rglob("*.md")}
    results: dict[str, list[dict]] = {"prose": [], "link": [], "add note": [], "delete note": []}
    for number, rel in enumerate(chosen):
        path = files[rel]
        original = path.read_text(encoding="utf-8")
        marker = f"benchmark sentence {number} 측정 문장"
        results["prose"].append(session.measure(
            lambda p=path, o=original, m=marker: p.write_text(o + f"\n\n{m}.\n", encoding="utf-8"),
            session.page_url(pages[rel]), marker))
        link = f"[[{target.removesuffix('.md')}|benchmark link {number}]]"
        results["link"].append(session.measure(
            lambda p=path, o=original, m=marker, k=link: p.write_text(
                o + f"\n\n{m}.\n\n{k}\n", encoding="utf-8"),
            session.page_url(pages[rel]), f"benchmark link {number}"))
        new = vault / f"Benchmark new note {number}.md"
        new_page = session.page_url(f"Benchmark new note {number}.md")
        results["add note"].append(session.measure(
            lambda n=new, m=marker: n.write_text(f"# New note\n\n{m}\n", encoding="utf-8"),
            new_page, marker))
        results["delete note"].append(session.measure(lambda n=new: n.unlink(), new_page, marker,
                                                      present=False))
        session.measure(lambda p=path, o=original: p.write_text(o, encoding="utf-8"),
                        session.page_url(pages[rel]), marker, present=False)  # restored, not counted
    return results


def bench_vault(name: str, project: Path, args: argparse.Namespace) -> dict:
    vault, site = project / "vault", project / "site"
    print(f"\n## {name}", file=sys.stderr)
    print("  cold build ...", end="", flush=True, file=sys.stderr)
    cold = run_worker(project, vault, site)
    print(f" {cold.get('total_seconds', 0):.1f} s\n  full build after an edit (baseline) ...", end="",
          flush=True, file=sys.stderr)
    first = next(vault.rglob("*.md"))
    first.write_text(first.read_text(encoding="utf-8") + "\n\nbaseline edit\n", encoding="utf-8")
    full = run_worker(project, vault, site, full=True)
    print(f" {full.get('total_seconds', 0):.1f} s\n  preview ...", end="", flush=True, file=sys.stderr)
    session = Session(project)
    try:
        edits = _edits(session, vault, args.edits)
    finally:
        session.close()
    print(" done", file=sys.stderr)
    notes = sum(1 for _ in vault.rglob("*.md"))
    return {"name": name, "notes": notes, "full_build": full.get("total_seconds"),
            "full_build_ok": full.get("ok"), "cold_build": cold.get("total_seconds"),
            "preview_start": session.first_seconds, "edits": edits}


def markdown(results: list[dict]) -> str:
    lines = ["| vault | notes | full build (baseline) | preview start | edit | latency median | "
             "latency worst | rebuild median | pages rebuilt | latency / full build |",
             "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|"]
    for entry in results:
        for kind, runs in entry["edits"].items():
            latencies = [r["latency"] for r in runs]
            rebuilds = [r["rebuild"] for r in runs if r["rebuild"] is not None]
            pages = sorted({r["pages"] for r in runs if r["pages"] is not None})
            median = statistics.median(latencies)
            lines.append(
                f"| {entry['name']} | {entry['notes']} | {entry['full_build']:.2f} s | "
                f"{entry['preview_start']:.2f} s | {kind} | {median:.2f} s | {max(latencies):.2f} s | "
                f"{statistics.median(rebuilds):.2f} s | {', '.join(map(str, pages))} | "
                f"{median / entry['full_build']:.0%} |")
    stage_names = ("scan", "parse", "resolve", "graph", "execute", "analysis", "render", "stage",
                   "mkdocs")
    lines += ["", "Median seconds per stage of the rebuild:", "",
              "| vault | edit | " + " | ".join(stage_names) + " |",
              "|---|---|" + "---:|" * len(stage_names)]
    for entry in results:
        for kind, runs in entry["edits"].items():
            cells = []
            for stage in stage_names:
                values = [r["stages"][stage] for r in runs if stage in r["stages"]]
                cells.append(f"{statistics.median(values):.3f}" if values else "–")
            lines.append(f"| {entry['name']} | {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_serve")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    started, env = time.strftime("%Y-%m-%dT%H:%M:%S%z"), environment()
    workdir = Path(tempfile.mkdtemp(prefix="kb-bench-serve-"))
    results = []
    try:
        projects = [("bundled", None), *((f"generated {n}", n) for n in args.sizes)]
        for name, size in projects:
            project = workdir / name.replace(" ", "-")
            project.mkdir()
            shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
            if size is None:
                shutil.copytree(ROOT / "vault", project / "vault")
                shutil.copytree(ROOT / "snippets", project / "snippets")
            else:
                generate_vault(project / "vault", size)
            results.append(bench_vault(name, project, args))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = {"created": started, "environment": env, "results": results}
    write_report(args.out, "serve-", "serve-latest", report, markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
