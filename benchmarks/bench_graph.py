"""Graph benchmark: the concept graph in the site, at build time and in headless Chromium.

    python -m benchmarks.bench_graph [--sizes 100 6000] [--frames 180] [--repeat 3] [--out benchmarks/out]

For each size a synthetic vault is generated (`benchmarks.generate_vault`); the smallest size
is the baseline of the same run. Measured:

* build side: compile (scan..graph) and analysis, the layout (`compiler.layout`), graph.json
  (`compiler.graph_view`) and its size (raw and gzip), and the local-graph data each note page
  carries (median and largest);
* browser side, in Debian's chromium (WebGL by SwiftShader, no GPU): the site is built by
  MkDocs with the home page, the graph page and the note with the largest neighbourhood
  (the graph page is the same page as in a full build; building all 6,000 pages would add
  minutes and nothing to what is measured), served on 127.0.0.1, and
  - open: navigation start -> the graph first drawn (`performance.mark("kb-graph-drawn")`),
    median of `--repeat` fresh browser contexts;
  - pan/zoom: the camera moved on every animation frame for `--frames` frames (a circle of
    pans while zooming in and out); frames per second from the requestAnimationFrame
    timestamps;
  - drag and wheel: the same through input events (Playwright's mouse, each event handled by
    the page before the next: a drag across the graph, then wheel turns in and out); the
    renderer's own count of frames over the gesture's duration, which ends before the last
    zoom animation and the still frame after it;
  - still frame: one complete drawing (every edge, the picking layer) as when the camera
    stops, from requestAnimationFrame timestamps. A large graph shows a picture of its edges
    while the camera moves (graph.js, EdgePicture); this is what it costs when it stops.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import html
import math
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

from benchmarks.bench import ROOT, environment, write_report
from benchmarks.generate_vault import generate_vault
from compiler.analysis import analyse
from compiler.build import compile_vault
from compiler.config import load_settings
from compiler.graph_view import GRAPH_JSON, local_data, site_graph
from compiler.layout import layout
from compiler.publish import run_mkdocs, write_stage
from compiler.render import HOME, Stage, render_site, staged_paths

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]
KIB = 1024

PAN_ZOOM = """async (frames) => {
  const camera = kbGraph.sigma.getCamera();
  const start = camera.getState();
  const stamps = [];
  await new Promise((done) => {
    function step(now) {
      stamps.push(now);
      const k = stamps.length;
      if (k > frames) { done(); return; }
      const turn = (2 * Math.PI * k) / 90;
      camera.setState({x: start.x + 0.15 * Math.cos(turn), y: start.y + 0.15 * Math.sin(turn),
                       ratio: start.ratio * (0.55 + 0.45 * Math.cos(turn / 2))});
      requestAnimationFrame(step);
    }
    requestAnimationFrame(step);
  });
  const gaps = stamps.slice(1).map((t, i) => t - stamps[i]).sort((a, b) => a - b);
  return {frames: stamps.length - 1, seconds: (stamps[stamps.length - 1] - stamps[0]) / 1000,
          median_frame_ms: gaps[Math.floor(gaps.length / 2)],
          p95_frame_ms: gaps[Math.floor(gaps.length * 0.95)]};
}"""


IDLE = """async (frames) => {
  const stamps = [];
  await new Promise((done) => {
    function step(now) {
      stamps.push(now);
      if (stamps.length > frames) done(); else requestAnimationFrame(step);
    }
    requestAnimationFrame(step);
  });
  return frames / ((stamps[frames] - stamps[0]) / 1000);
}"""
# Frames drawn by the renderer, and when, while a gesture runs.
COUNT_FRAMES = """() => {
  window.kbFrames = [];
  kbGraph.sigma.on("afterRender", () => window.kbFrames.push(performance.now()));
}"""
FRAMES_SINCE = """(since) => {
  const stamps = window.kbFrames.filter((t) => t >= since);
  return {frames: stamps.length, seconds: (performance.now() - since) / 1000};
}"""
STILL = """async (frames) => {
  const renderer = kbGraph.sigma, stamps = [];
  await new Promise((done) => {
    function step(now) {
      stamps.push(now);
      if (stamps.length > frames) { done(); return; }
      renderer.scheduleRender();
      requestAnimationFrame(step);
    }
    requestAnimationFrame(step);
  });
  const gaps = stamps.slice(1).map((t, i) => t - stamps[i]).sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}"""


def gesture(page, box: dict) -> dict:
    """A reader's pan and zoom with the real mouse: frames drawn per second while it runs."""
    page.evaluate(COUNT_FRAMES)
    since = page.evaluate("performance.now()")
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    for k in range(1, 61):
        page.mouse.move(cx + 200 * math.sin(k / 10), cy + 120 * (1 - math.cos(k / 10)))
    page.mouse.up()
    for k in range(12):
        page.mouse.wheel(0, -120 if k % 6 < 3 else 120)
        page.wait_for_timeout(60)
    return page.evaluate(FRAMES_SINCE, since)


# The JavaScript side of one full redraw (reducers, WebGL calls, labels), without the
# rasterising that SwiftShader does in the GPU process; the camera stays still, so every edge
# and the picking layer are drawn.
DRAW = """() => {
  const renderer = kbGraph.sigma, times = [];
  for (let i = 0; i < 30; i++) {
    const before = performance.now();
    renderer.refresh({skipIndexation: true});
    times.push(performance.now() - before);
  }
  times.sort((a, b) => a - b);
  return times[15];
}"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _timed(function, *args):
    start = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - start


def build_side(project: Path, vault: Path) -> tuple[dict, Stage]:
    settings = load_settings(project, vault=vault)
    compilation, compile_s = _timed(compile_vault, settings)
    graph, notes = compilation.graph, compilation.resolved.notes
    summary, analysis_s = _timed(analyse, graph, notes)
    _, layout_s = _timed(layout, graph)
    pages, _ = staged_paths(notes, settings.home)
    site, site_graph_s = _timed(site_graph, graph, summary, pages)  # reuses the layout above
    data = site.to_json()
    local_sizes = sorted(len(html.escape(str(local_data(site, p)))) for p in notes)
    stage, render_s = _timed(render_site, compilation.resolved, graph, settings.site_name,
                             settings.home, None, summary)
    figures = {"notes": len(notes), "nodes": graph.number_of_nodes(),
               "edges": len(site.data["edges"]) // 2, "compile_seconds": compile_s,
               "analysis_seconds": analysis_s, "layout_seconds": layout_s,
               "graph_data_seconds": site_graph_s - layout_s, "render_seconds": render_s,
               "json_bytes": len(data), "json_gzip_bytes": len(gzip.compress(data)),
               "local_median_bytes": statistics.median(local_sizes),
               "local_max_bytes": local_sizes[-1]}
    return figures, stage


def small_site(stage: Stage, project: Path) -> tuple[Path, str]:
    """The site of the home page, the graph page and the best-linked note, built by MkDocs."""
    graph_page = next(p for p, text in stage.pages.items() if 'data-kb-graph="global"' in text)
    local = {p: m.group(1) for p, text in stage.pages.items()
             if p not in (HOME, graph_page) and (m := re.search(r'data-kb-local="([^"]*)"', text))}
    widest = max(local, key=lambda p: len(local[p]))
    kept = {p: stage.pages[p] for p in (HOME, graph_page, widest)}
    settings = load_settings(project, vault=project / "vault")
    stage_dir, site = project / "graph-stage", project / "graph-site"
    write_stage(Stage(kept, stage.files, (), {GRAPH_JSON: stage.blobs[GRAPH_JSON]}), stage_dir)
    run_mkdocs(settings, stage_dir, site)
    return site, graph_page.removesuffix(".md") + "/"


def browser_side(site: Path, graph_address: str, frames: int, repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{quote(graph_address)}"
    foreign: list[str] = []
    opens, motions, idle, draws, gestures, stills = [], [], [], [], [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(repeat):
                # wait_for_function evaluates its expression, which the pages' CSP forbids;
                # the benchmark times the drawing, not the policy (tests check that).
                context = browser.new_context(viewport={"width": 1280, "height": 900},
                                              bypass_csp=True)
                page = context.new_page()
                page.route("**/*", lambda route: route.continue_()
                           if route.request.url.startswith("http://127.0.0.1") else
                           (foreign.append(route.request.url), route.abort()))
                page.goto(url)
                page.wait_for_function("window.kbGraph && window.kbGraph.ready", timeout=60_000)
                opens.append(page.evaluate(
                    "performance.getEntriesByName('kb-graph-drawn')[0].startTime") / 1000)
                idle.append(page.evaluate(IDLE, 60))
                motions.append(page.evaluate(PAN_ZOOM, frames))
                page.wait_for_function("!kbGraph.moving()")
                draws.append(page.evaluate(DRAW))
                stills.append(page.evaluate(STILL, 20))
                gestures.append(gesture(page, page.locator("[data-kb-graph]").bounding_box()))
                context.close()
            browser.close()
    finally:
        server.shutdown()
    fps = [m["frames"] / m["seconds"] for m in motions]
    return {"open_seconds": statistics.median(opens), "open_all": opens,
            "fps": statistics.median(fps), "fps_all": fps,
            "median_frame_ms": statistics.median(m["median_frame_ms"] for m in motions),
            "p95_frame_ms": statistics.median(m["p95_frame_ms"] for m in motions),
            "idle_fps": statistics.median(idle), "draw_ms": statistics.median(draws),
            "gesture_fps": statistics.median(g["frames"] / g["seconds"] for g in gestures),
            "still_frame_ms": statistics.median(stills),
            "frames": frames, "foreign_requests": foreign}


def markdown(results: list[dict]) -> str:
    base = results[0]
    lines = ["| notes | nodes | links | layout | graph.json | gzip | local data / page (median, max) "
             "| open (nav → drawn) | pan/zoom fps (idle page) | frame median / p95 "
             "| drag+wheel fps | still frame | JS draw |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(
            f"| {r['notes']:,} | {r['nodes']:,} | {r['edges']:,} | {r['layout_seconds']:.2f} s "
            f"| {r['json_bytes'] / KIB:,.0f} KiB | {r['json_gzip_bytes'] / KIB:,.0f} KiB "
            f"| {r['local_median_bytes'] / KIB:.1f} / {r['local_max_bytes'] / KIB:.1f} KiB "
            f"| {r['open_seconds']:.2f} s | {r['fps']:.0f} ({r['idle_fps']:.0f}) "
            f"| {r['median_frame_ms']:.1f} / {r['p95_frame_ms']:.1f} ms | {r['gesture_fps']:.0f} "
            f"| {r['still_frame_ms']:.0f} ms | {r['draw_ms']:.1f} ms |")
    if len(results) > 1:
        last = results[-1]
        lines += ["", f"{last['notes']:,} against {base['notes']:,} notes: layout "
                  f"×{last['layout_seconds'] / base['layout_seconds']:.0f}, graph.json "
                  f"×{last['json_bytes'] / base['json_bytes']:.0f}, open "
                  f"×{last['open_seconds'] / base['open_seconds']:.1f}, fps "
                  f"×{last['fps'] / base['fps']:.2f}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_graph", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 6000])
    parser.add_argument("--frames", type=int, default=180)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    env = environment(("networkx", "igraph", "mkdocs-material", "playwright"))
    workdir = Path(tempfile.mkdtemp(prefix="kb-bench-graph-"))
    results = []
    try:
        for size in args.sizes:
            project = workdir / f"vault-{size}"
            project.mkdir()
            shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
            generate_vault(project / "vault", size, seed=args.seed)
            print(f"{size} notes: build side ...", file=sys.stderr, flush=True)
            figures, stage = build_side(project, project / "vault")
            site, address = small_site(stage, project)
            print(f"{size} notes: browser ...", file=sys.stderr, flush=True)
            figures |= browser_side(site, address, args.frames, args.repeat)
            results.append({"size": size, **figures})
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = {"created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "environment": env,
              "settings": {"frames": args.frames, "repeat": args.repeat, "seed": args.seed},
              "results": results}
    write_report(args.out, "graph-", "graph-latest", report, markdown(results))
    return 0 if all(not r["foreign_requests"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
