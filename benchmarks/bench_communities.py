"""Communities benchmark: kb's communities against Louvain's, and what one link edit changes.

    python -m benchmarks.bench_communities VAULT [VAULT ...] [--edits 20] [--staged]

For each vault (a folder of notes: the bundled vault, a real vault, a generated one from
`benchmarks.generate_vault`), on its note graph (`analysis.note_links`):

* modularity (`networkx.community.modularity`, undirected), the number of communities and
  the largest three, and the CPU time of one computation, for kb's `analysis.communities`
  and for Louvain (`networkx.community.louvain_communities`, seed 0: what kb used before);
* stability: for `--edits` random single links added (a note, drawn with a fixed seed,
  gains a link to another it did not link), the notes whose community centre (the member of
  highest PageRank, which names it on the pages) changed: mean, median and largest;
* with `--staged`: the staged pages one link edit changes, by comparing two `prepare_stage`
  results in one process (the note a third of the way down the sorted list gains a link to
  the last note), as benchmarks/README.md counts them. Run from an older checkout (`git
  archive`) for the baseline.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from compiler.analysis import communities, note_links, pagerank
from compiler.build import compile_vault, prepare_stage
from compiler.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
Grouping = Callable[[tuple[str, ...], tuple[tuple[str, str], ...]], dict[str, str]]


def kb_centres(nodes: tuple[str, ...], links: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {note: centre for centre, members in communities(nodes, links) for note in members}


def louvain_centres(nodes: tuple[str, ...], links: tuple[tuple[str, str], ...]) -> dict[str, str]:
    linked = nx.DiGraph()
    linked.add_nodes_from(nodes)
    linked.add_edges_from(links)
    rank = pagerank(linked)
    undirected = nx.Graph()
    undirected.add_nodes_from(nodes)
    undirected.add_edges_from(sorted({tuple(sorted(link)) for link in links}))
    found = nx.community.louvain_communities(undirected, seed=0) if nodes else []
    return {note: min(group, key=lambda n: (-rank[n], n)) for group in found for note in group}


def measure(nodes: tuple[str, ...], links: tuple[tuple[str, str], ...], grouping: Grouping,
            edits: list[tuple[str, str]]) -> dict:
    start = time.process_time()
    centre = grouping(nodes, links)
    seconds = time.process_time() - start
    groups: dict[str, set[str]] = {}
    for note, c in centre.items():
        groups.setdefault(c, set()).add(note)
    undirected = nx.Graph()
    undirected.add_nodes_from(nodes)
    undirected.add_edges_from(links)
    sizes = sorted((len(g) for g in groups.values()), reverse=True)
    changed = []
    for edit in edits:
        after = grouping(nodes, tuple(sorted({*links, edit})))
        changed.append(sum(1 for n in nodes if after[n] != centre[n]))
    return {"modularity": nx.community.modularity(undirected, list(groups.values()))
            if undirected.number_of_edges() else 0.0,
            "communities": len(groups), "largest": sizes[:3], "seconds": seconds,
            "changed_mean": statistics.mean(changed) if changed else 0.0,
            "changed_median": statistics.median(changed) if changed else 0.0,
            "changed_max": max(changed, default=0)}


def random_edits(nodes: tuple[str, ...], links: tuple[tuple[str, str], ...],
                 count: int) -> list[tuple[str, str]]:
    rng, existing, edits = random.Random(1), set(links), []
    while len(edits) < count and len(nodes) > 1:
        a, b = rng.sample(nodes, 2)
        if (a, b) not in existing:
            edits.append((a, b))
    return edits


def staged_pages_changed(vault: Path) -> tuple[int, int]:
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / "vault"
        shutil.copytree(vault, copy)
        settings = dataclasses.replace(load_settings(ROOT, vault=copy),
                                       cache_dir=Path(work) / "cache")
        before = prepare_stage(settings, report_times=False).stage.pages
        notes = sorted(p for p in copy.rglob("*.md") if ".obsidian" not in p.parts)
        with notes[len(notes) // 3].open("a", encoding="utf-8") as note:
            note.write(f"\n\n[[{notes[-1].stem}]]\n")
        after = prepare_stage(settings, report_times=False).stage.pages
    pages = before.keys() | after.keys()
    return sum(1 for p in pages if before.get(p) != after.get(p)), len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vaults", nargs="+", type=Path)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--staged", action="store_true")
    args = parser.parse_args()
    print("| vault | notes | method | modularity | communities (largest) | changed per link "
          "edit: mean / median / max | CPU s |\n|---|---:|---|---:|---|---:|---:|")
    for vault in args.vaults:
        with tempfile.TemporaryDirectory() as cache:
            settings = dataclasses.replace(load_settings(ROOT, vault=vault), cache_dir=Path(cache))
            nodes, links = note_links(compile_vault(settings).graph)
        edits = random_edits(nodes, links, args.edits)
        for name, grouping in (("Louvain", louvain_centres), ("kb", kb_centres)):
            m = measure(nodes, links, grouping, edits)
            print(f"| {vault.name} | {len(nodes):,} | {name} | {m['modularity']:.3f} | "
                  f"{m['communities']:,} ({', '.join(map(str, m['largest']))}) | "
                  f"{m['changed_mean']:.1f} / {m['changed_median']:g} / {m['changed_max']} | "
                  f"{m['seconds']:.2f} |", flush=True)
        if args.staged:
            changed, total = staged_pages_changed(vault)
            print(f"| {vault.name} | staged pages one link edit changes: {changed:,} of {total:,} |")


if __name__ == "__main__":
    main()
