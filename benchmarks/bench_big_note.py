"""Big notes: is every compile stage linear in a note's size? One note of one paragraph of
100 KB, 1 MB and 10 MB (prose with the inline forms a note holds: links, embeds, emphasis,
highlights, math, tags, code, Korean text), and one of as many short lines, compiled through
scan, parse, resolve, graph and render (`compiler.build.compile_vault`, `render_site`) with
the note-size limit raised above them.

    python -m benchmarks.bench_big_note [--sizes 100000 1000000 10000000] [--shapes paragraph lines]
        [--mkdocs] [--repeat 1]

Prints each stage's CPU seconds (`time.process_time`: the figures hold on a busy machine) per
size and shape, and the ratio of each size to the one ten times smaller (linear: about 10;
quadratic: about 100). `--mkdocs` also times the Python-Markdown conversion of the staged
page with the extensions MkDocs reads it with (MkDocs's own step). Each size runs
in this process, one after another; the figures are the best of `--repeat` runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from compiler.build import compile_vault
from compiler.config import load_settings
from compiler.render import render_site
from compiler.timing import StageTiming, Timer

STAGES = ("scan", "parse", "resolve", "graph", "render")
# One sentence of a note: every inline form the parser and the renderer handle.
SENTENCE = ("확률 분포의 **기댓값** and [[Other note|its variance]] with ==highlight== and "
            "$\\sum_i x_i^2$ then `np.sum(x)` #tag/sub ![[figure.png]] and "
            "[a link](https://example.com/page) _soft_ ~~gone~~ [[Other note#Heading]]. ")
OTHER = "# Other note\n\n## Heading\n\nSee [[Big]].\n"


@dataclass
class CpuTimer(Timer):
    """The compiler's stage timer, counting this process's CPU time instead of the wall clock."""

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.process_time()
        try:
            yield
        finally:
            self.stages.append(StageTiming(name, time.process_time() - start, None))


def big_note(size: int, shape: str) -> str:
    """A note of about `size` bytes: one paragraph, or lines of one sentence each (ten lines a
    paragraph)."""
    count = max(1, size // len(SENTENCE.encode()))
    if shape == "paragraph":
        return "# Big\n\n" + SENTENCE * count + "\n"
    lines = [SENTENCE.strip() + ("\n" if (i + 1) % 10 else "\n\n") for i in range(count)]
    return "# Big\n\n" + "".join(lines)


def measure(size: int, shape: str, mkdocs: bool) -> dict[str, float]:
    """Seconds per stage for one note of `size` bytes."""
    with tempfile.TemporaryDirectory(prefix="kb-big-note-") as tmp:
        project = Path(tmp)
        vault = project / "vault"
        vault.mkdir()
        (vault / "Big.md").write_text(big_note(size, shape), encoding="utf-8")
        (vault / "Other note.md").write_text(OTHER, encoding="utf-8")
        (vault / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        settings = load_settings(project, vault=vault, output_root=project, use_file=False)
        settings = dataclasses.replace(settings, max_note_bytes=4 * size + 1_000_000)
        timer = CpuTimer()
        compilation = compile_vault(settings, timer, use_cache=False)
        with timer.stage("render"):
            stage = render_site(compilation.resolved, compilation.graph, settings.site_name,
                                settings.home)
        seconds = {s.name: s.seconds for s in timer.stages}
        if mkdocs:
            page = next(text for name, text in stage.pages.items() if name.endswith("Big.md"))
            converter = page_converter(project)
            start = time.process_time()
            converter.convert(page)
            seconds["python-markdown"] = time.process_time() - start
        return seconds


def page_converter(project: Path):
    """Python-Markdown with the extensions MkDocs reads a staged page with (those kb adds to
    any mkdocs.yml, `compiler.mkdocs_runner`; MkDocs' own link rewriting aside)."""
    import markdown

    from compiler import mkdocs_runner

    docs = project / "docs"
    docs.mkdir(exist_ok=True)
    config = mkdocs_runner.load(project / "mkdocs.yml", str(docs), str(project / "site"), -1, -1,
                                {"read_config": False})
    return markdown.Markdown(extensions=config.markdown_extensions,
                             extension_configs=config.mdx_configs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--shapes", nargs="+", default=["paragraph", "lines"],
                        choices=["paragraph", "lines"])
    parser.add_argument("--mkdocs", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    stages = STAGES + (("python-markdown",) if args.mkdocs else ())
    print("| shape | bytes | " + " | ".join(stages) + " | total |")
    print("| --- | ---: | " + " | ".join("---:" for _ in stages) + " | ---: |")
    for shape in args.shapes:
        totals: dict[int, dict[str, float]] = {}
        for size in sorted(args.sizes):
            runs = [measure(size, shape, args.mkdocs) for _ in range(max(1, args.repeat))]
            best = {name: min(run.get(name, 0.0) for run in runs) for name in stages}
            best["total"] = sum(best.values())
            totals[size] = best
            print(f"| {shape} | {size:,} | " + " | ".join(f"{best[n]:.3f}" for n in stages)
                  + f" | {best['total']:.3f} |", flush=True)
        for size in sorted(totals):
            if size * 10 in totals:
                low, high = totals[size], totals[size * 10]
                ratios = {n: high[n] / low[n] if low[n] > 0.001 else float("nan")
                          for n in (*stages, "total")}
                print(f"| {shape} | ratio {size * 10:,} / {size:,} | "
                      + " | ".join(f"{ratios[n]:.1f}" for n in stages) + f" | {ratios['total']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
