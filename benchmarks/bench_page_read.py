"""Reading built pages: the CPU time per page of the three readers of a finished page, this
checkout's against another's (a baseline), in one run.

    git archive main | tar -x -C /tmp/base
    python -m benchmarks.bench_page_read SITE --baseline /tmp/base [--pages 200] [--runs 3]

SITE is a site `kb build` wrote. Per page, best of `--runs`: `csp.add_policy` (on the page
without the policy MkDocs' hook added), `sitecheck._read_page` (the site check's read of a
page) and `search_index.page_entries`. Before timing, every page of the site is read by both
and the results compared: the policy added, the references and anchors (in any order), the
search entries.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from compiler import csp, search_index, sitecheck

_POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">')


def baseline_package(root: Path) -> str:
    """Import `root/compiler` as the package `baseline_compiler` (its relative imports
    resolve inside it); its name."""
    name = "baseline_compiler"
    spec = importlib.util.spec_from_file_location(
        name, root / "compiler" / "__init__.py", submodule_search_locations=[str(root / "compiler")])
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return name


def _module(package: str, name: str) -> ModuleType:
    return importlib.import_module(f"{package}.{name}")


def best_ms(function: Callable, arguments: list[tuple], runs: int) -> float:
    """Least CPU milliseconds per call over `runs` passes."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        for argument in arguments:
            function(*argument)
        best = min(best, time.process_time() - start)
    return best / len(arguments) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_page_read")
    parser.add_argument("site", type=Path)
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout's root")
    parser.add_argument("--pages", type=int, default=200, help="pages timed (the first ones)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    package = baseline_package(args.baseline)
    old_csp, old_check, old_search = (_module(package, n)
                                      for n in ("csp", "sitecheck", "search_index"))
    pages = [(path.read_text(encoding="utf-8", errors="replace"), location)
             for path, location, _ in search_index.site_pages(args.site)]
    bare = [(_POLICY.sub("", text, count=1),) for text, _ in pages]
    differ = {"policy": 0, "references": 0, "entries": 0}
    for (page,), (text, location) in zip(bare, pages, strict=True):
        differ["policy"] += old_csp.add_policy(page) != csp.add_policy(page)
        old_refs, old_ids = old_check._read_page(text)
        refs, ids = sitecheck._read_page(text)
        differ["references"] += sorted(old_refs) != sorted(refs) or old_ids != ids
        differ["entries"] += (old_search.page_entries(text, location, ["별칭"])
                              != search_index.page_entries(text, location, ["별칭"]))
    print(f"{len(pages)} pages read by both; pages that differ: {differ}")
    timed = pages[:args.pages]
    size = sum(len(text) for text, _ in timed) / len(timed) / 1000
    print(f"CPU ms per page, best of {args.runs}, {len(timed)} pages of {size:.0f} k characters:")
    print("| reader | baseline | this | ratio |\n|---|---:|---:|---:|")
    for name, old, new, arguments in [
        ("csp.add_policy", old_csp.add_policy, csp.add_policy, bare[:args.pages]),
        ("sitecheck page read", old_check._read_page, sitecheck._read_page,
         [(text,) for text, _ in timed]),
        ("search entries", old_search.page_entries, search_index.page_entries, timed),
    ]:
        before, after = best_ms(old, arguments, args.runs), best_ms(new, arguments, args.runs)
        print(f"| {name} | {before:.2f} | {after:.2f} | {before / after:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
