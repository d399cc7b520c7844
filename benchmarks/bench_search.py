"""Search index benchmark: what the browser downloads, before and after our index.

    python -m benchmarks.bench_search [--sizes 5000] [--out benchmarks/out]

Builds the bundled vault and generated vaults (`benchmarks.generate_vault`) with the real
pipeline. In each build, the index Material's search plugin wrote is kept aside before
`write_search_index` replaces it, so that both come from the same pages: sizes as written and
gzip-compressed (what a static host usually sends), the share of the inner-word parts that
find Korean words inside compounds and of the name terms that rank a note named by the query
first, and the time of our index stage against MkDocs' build. Then, as `kb serve` writes it
after a rebuild that rewrote one page: the index time with the other pages' entries kept
(`PageEntries`), against reading every page again.
Prints a Markdown table and writes OUT/search-latest.json and .md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

from benchmarks.bench import ROOT, environment, write_report
from benchmarks.generate_vault import generate_vault
from compiler import publish, search_index
from compiler.build import build_site
from compiler.config import load_settings

KIB = 1024


def _sizes(data: bytes) -> dict:
    return {"bytes": len(data), "gzip_bytes": len(gzip.compress(data, compresslevel=6))}


def measure(project: Path, vault: Path, label: str) -> dict:
    """Build `vault` inside `project`; sizes of Material's index and of ours, and the times."""
    kept: dict[str, bytes] = {}

    def keep_materials(site_dir: Path, aliases=None):
        kept["material"] = (site_dir / search_index.INDEX_PATH).read_bytes()
        kept["aliases"] = aliases
        return search_index.write_search_index(site_dir, aliases)

    settings = load_settings(project, vault=vault)
    site = project / "site"
    with mock.patch.object(publish, "write_search_index", keep_materials):
        result = build_site(settings, site)
    ours = (site / search_index.INDEX_PATH).read_bytes()
    index = json.loads(ours)
    without_parts = {"config": index["config"], "docs": [
        {k: v for k, v in d.items() if not k.endswith("_parts")} for d in index["docs"]]}
    plain = json.dumps(without_parts, ensure_ascii=False, separators=(",", ":")).encode()
    without_names = {"config": index["config"], "docs": [
        {k: v for k, v in d.items() if k != "name"} for d in index["docs"]]}
    nameless = json.dumps(without_names, ensure_ascii=False, separators=(",", ":")).encode()
    times = {t.name: t.seconds for t in result.timings}
    serve_times = _serve_index_times(site, kept["aliases"])
    return {"vault": label, "notes": result.report.notes,
            "entries": len(index["docs"]),
            "material": _sizes(kept["material"]), "ours": _sizes(ours),
            "ours_without_parts": _sizes(plain), "ours_without_names": _sizes(nameless),
            "search_seconds": times.get("search"), "mkdocs_seconds": times.get("mkdocs"),
            **serve_times}


def _serve_index_times(site: Path, aliases) -> dict:
    """The index written again after one page was rewritten (as MkDocs writes it: aside, then
    renamed), with the entries of the other pages kept, and with every page read again."""
    pages = search_index.PageEntries()
    search_index.write_search_index(site, aliases, pages)
    page = next(path for path, _, _ in search_index.site_pages(site) if path.name == "index.html"
                and path.parent != site)
    aside = page.with_name(".bench.tmp")
    aside.write_bytes(page.read_bytes())
    aside.replace(page)
    began = time.perf_counter()
    search_index.write_search_index(site, aliases, pages)
    kept = time.perf_counter() - began
    began = time.perf_counter()
    search_index.write_search_index(site, aliases)
    return {"serve_index_seconds": kept, "reread_index_seconds": time.perf_counter() - began}


def _kib(n: int) -> str:
    return f"{n / KIB:,.0f} KiB"


def markdown(rows: list[dict]) -> str:
    lines = ["| vault | notes | entries | Material's index (gzip) | ours (gzip) | ours / Material "
             "(gzip) | inner parts' share (gzip) | names' share (gzip) | index time / MkDocs | "
             "one page rewritten: kept / all read |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        m, o, p = r["material"], r["ours"], r["ours_without_parts"]
        share = 1 - p["gzip_bytes"] / o["gzip_bytes"]
        names = 1 - r["ours_without_names"]["gzip_bytes"] / o["gzip_bytes"]
        lines.append(
            f"| {r['vault']} | {r['notes']:,} | {r['entries']:,} | {_kib(m['bytes'])} "
            f"({_kib(m['gzip_bytes'])}) | {_kib(o['bytes'])} ({_kib(o['gzip_bytes'])}) | "
            f"{o['bytes'] / m['bytes']:.2f} ({o['gzip_bytes'] / m['gzip_bytes']:.2f}) | "
            f"{share:.0%} | {names:.0%} | {r['search_seconds']:.2f} s / {r['mkdocs_seconds']:.1f} s | "
            f"{r['serve_index_seconds']:.2f} s / {r['reread_index_seconds']:.2f} s |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_search",
                                     description="Search index size, before and after.")
    parser.add_argument("--sizes", type=int, nargs="*", default=[5000])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    env = environment()
    workdir = Path(tempfile.mkdtemp(prefix="kb-bench-search-"))
    rows = []
    try:
        for size in [None, *args.sizes]:
            project = workdir / f"project-{size or 'bundled'}"
            project.mkdir()
            shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
            if size is None:
                vault, label = ROOT / "vault", "bundled"
            else:
                vault, label = project / "vault", f"generated {size:,}"
                generate_vault(vault, size)
            print(f"building {label} ...", file=sys.stderr, flush=True)
            rows.append(measure(project, vault, label))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    write_report(args.out, "search-", "search-latest", {"environment": env, "results": rows},
                 markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
