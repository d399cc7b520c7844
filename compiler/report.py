"""The build report: what a build found and did, as the summary `kb build` prints, as a file of
the cache folder (`.kb-cache/build-report.html`), and, only when the configuration asks for it
(`kb.publish_report: true`), as a page of the site (`_kb/report/`, linked from the home page):
it names vault paths and timings, which a reader of the site has no use for.

Counts come from the pipeline's own results: notes and links from resolve, attachments that
are missing or regenerated (an image lost from the vault that an executable block draws) from
the resolved links, blocks executed / cached / failed from the block results, time per stage
from the timer, and every diagnostic grouped by code with its file:line:col.
"""

from __future__ import annotations

import html
import os
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TextIO

import networkx as nx
import yaml

from . import counts, messages
from . import diagnostics as diag
from .blocks import BlockResult
from .diagnostics import Diagnostic, Severity
from .render import HOME, Stage, url
from .resolve import Kind, Resolved
from .site_assets import ASSET_DIR
from .timing import StageTiming

PAGE = f"{ASSET_DIR}/report.md"
PRIVATE_FILE = "build-report.html"  # in the cache folder, written by every build
LATE = '<div class="kb-report-late"></div>'  # filled in once MkDocs has built the site


@dataclass(frozen=True)
class BuildReport:
    notes: int  # notes, links, attachments and figures as `compiler.counts` defines them
    attachments: int
    links: int
    unresolved: int
    ambiguous: int
    missing_attachments: tuple[str, ...]  # names embedded but absent (and drawn by no block)
    regenerated: tuple[str, ...]  # names drawn by a block in place of a lost vault file
    blocks_executed: int
    blocks_cached: int
    blocks_failed: int
    block_seconds: float  # the blocks' own run time, executed ones only
    stages: tuple[StageTiming, ...]
    diagnostics: tuple[Diagnostic, ...]
    figures: int = 0


def make_report(resolved: Resolved, graph: nx.DiGraph, blocks: dict[tuple[str, int], BlockResult],
                found: Iterable[Diagnostic], stages: Iterable[StageTiming]) -> BuildReport:
    items = [item for links in resolved.links.values() for item in links]
    found = tuple(found)
    codes = Counter(d.code for d in found)
    ran = [r for r in blocks.values() if not r.cached]

    def names(kind: Kind) -> tuple[str, ...]:
        return tuple(sorted({i.link.target.strip().rsplit("/", 1)[-1] for i in items if i.kind is kind}))

    counted = counts.count_site(resolved, graph, blocks.values())
    return BuildReport(
        notes=counted.notes, attachments=counted.attachments, figures=counted.figures,
        links=counted.links,
        unresolved=codes["unresolved-link"], ambiguous=codes["ambiguous-link"],
        missing_attachments=names(Kind.MISSING_ATTACHMENT), regenerated=names(Kind.GENERATED),
        blocks_executed=len(ran), blocks_cached=len(blocks) - len(ran),
        blocks_failed=sum(1 for r in blocks.values() if r.failed),
        block_seconds=sum(r.outcome.seconds for r in ran), stages=tuple(stages),
        diagnostics=found)


def grouped(found: Iterable[Diagnostic]) -> dict[str, list[Diagnostic]]:
    """Diagnostics by code, errors' codes first, each group in file order."""
    groups: dict[str, list[Diagnostic]] = {}
    for d in sorted(found, key=lambda d: (d.severity is not Severity.ERROR,
                                          d.severity is not Severity.WARNING, d.code,
                                          *diag.sort_key(d))):
        groups.setdefault(d.code, []).append(d)
    return groups


def facts(report: BuildReport, words: messages.Messages | None = None) -> list[tuple[str, str]]:
    """(label, value) lines shared by the page (in the site's language) and the terminal
    summary (English, lower-case labels: `words` None)."""
    terminal = words is None
    words = words or messages.messages("en")
    values = {
        "notes": words("report.notes_figures_value", notes=report.notes,
                       attachments=report.attachments, figures=report.figures),
        "links": words("report.links_value", links=report.links, unresolved=report.unresolved,
                       ambiguous=report.ambiguous),
        "attachments": words("report.attachments_value", missing=len(report.missing_attachments),
                             regenerated=len(report.regenerated)),
        "blocks": words("report.blocks_value", executed=report.blocks_executed,
                        seconds=report.block_seconds, cached=report.blocks_cached,
                        failed=report.blocks_failed),
        "diagnostics": words("report.diagnostics_value",
                             errors=diag.count(report.diagnostics, Severity.ERROR),
                             warnings=diag.count(report.diagnostics, Severity.WARNING)),
    }
    return [(name if terminal else words(f"report.fact.{name}"), value) for name, value in values.items()]


# --- the page ------------------------------------------------------------------------------

def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def stage_name(name: str, words: messages.Messages) -> str:
    """A stage's name in the site's language (`report.stage.<name>`); an unknown one as it is."""
    key = f"report.stage.{name}"
    known = messages.catalogue(words.language).get(key) or messages.catalogue("en").get(key)
    return str(known) if known else name


def _stage_rows(stages: Iterable[StageTiming], words: messages.Messages) -> str:
    return "".join(f"<tr><td>{_esc(stage_name(t.name, words))}</td>"
                   f"<td>{_esc(words('report.seconds', seconds=t.seconds))}</td></tr>"
                   for t in stages)


def _diagnostics_html(found: Iterable[Diagnostic], prefix: str, words: messages.Messages) -> str:
    parts = []
    for code, group in grouped(found).items():
        items = "".join(f"<li><code>{_esc(d.format(prefix))}</code></li>" for d in group)
        kind = group[0].severity.value
        parts.append(f'<details class="{"failure" if kind == "error" else "warning"}">'
                     f"<summary>{_esc(code)} ({len(group)})</summary><ul>{items}</ul></details>")
    return "\n".join(parts) or f"<p>{_esc(words('report.no_diagnostics'))}</p>"


def _body(report: BuildReport, prefix: str, times: bool, words: messages.Messages) -> str:
    """The report's facts, lists, stages and diagnostics as HTML (the page and the file)."""
    rows = "".join(f'<tr><th scope="row">{_esc(label)}</th><td>{_esc(value)}</td></tr>'
                   for label, value in facts(report, words))
    lists = []
    for title, names in ((words("report.missing_attachments"), report.missing_attachments),
                         (words("report.regenerated"), report.regenerated)):
        if names:
            shown = "".join(f"<li>{_esc(n)}</li>" for n in names)
            lists.append(f"<details><summary>{_esc(title)} ({len(names)})</summary><ul>{shown}</ul>"
                         "</details>")
    stages = (f'<h2 id="stages">{_esc(words("report.stages"))}</h2>\n<table class="kb-report-stages">'
              f"{_stage_rows(report.stages, words)}{LATE}</table>") if times else ""
    return (f'<div class="kb-report">\n<table class="kb-report-facts">{rows}</table>\n'
            + "\n".join(lists) + f"\n{stages}\n"
            f'<h2 id="diagnostics">{_esc(words("report.diagnostics"))}</h2>\n'
            f"{_diagnostics_html(report.diagnostics, prefix, words)}\n</div>\n")


def report_page(report: BuildReport, prefix: str = "", times: bool = True,
                words: messages.Messages | None = None) -> str:
    """The report as a staged page. Raw HTML, so that no file name is read as Markdown."""
    words = words or messages.current()
    front = yaml.safe_dump({"title": words("report.title"), "search": {"exclude": True}},
                           allow_unicode=True)
    return (f"---\n{front}---\n\n# {_esc(words('report.title'))} {{ #kb-report }}\n\n"
            + _body(report, prefix, times, words))


# A file opened on its own: its columns spaced here, not by the site's stylesheet.
_PRIVATE_STYLE = ("body{font-family:system-ui,sans-serif;margin:2em;line-height:1.5}"
                  "th,td{text-align:left;vertical-align:top;padding:.15em 1.5em .15em 0}"
                  "code{white-space:pre-wrap}")


def private_report(report: BuildReport, prefix: str, words: messages.Messages) -> str:
    """The report as a page of its own, for the cache folder."""
    title = _esc(words("report.title"))
    return (f'<!doctype html>\n<html lang="{words.language}"><head><meta charset="utf-8">'
            f"<title>{title}</title><style>{_PRIVATE_STYLE}</style></head><body>\n"
            f"<h1>{title}</h1>\n{_body(report, prefix, True, words).replace(LATE, '')}"
            "</body></html>\n")


def save_private(report: BuildReport, cache_dir: os.PathLike, prefix: str,
                 words: messages.Messages) -> str:
    """Write the report into the cache folder; returns its path."""
    os.makedirs(cache_dir, exist_ok=True)
    path = os.path.join(cache_dir, PRIVATE_FILE)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(private_report(report, prefix, words))
    return path


def add_to_stage(stage: Stage, report: BuildReport, prefix: str = "", times: bool = True,
                 words: messages.Messages | None = None) -> Stage:
    """The stage with the report page, linked at the end of the home page."""
    words = words or messages.current()
    pages = dict(stage.pages)
    pages[PAGE] = report_page(report, prefix, times, words)
    if HOME in pages:
        counts = words("report.link_counts", notes=words("count.notes", n=report.notes),
                       diagnostics=words("count.diagnostics", n=len(report.diagnostics)))
        pages[HOME] = pages[HOME].rstrip("\n") + (
            f'\n\n<p class="kb-report-link" markdown>[{words("report.title")}]({url(HOME, PAGE)}): '
            f"{counts}</p>\n")
    return replace(stage, pages=pages)


def finish_page(site_dir: os.PathLike, late_stages: Iterable[StageTiming],
                words: messages.Messages | None = None) -> None:
    """Add the stages that ran after the page was staged (MkDocs, the site check) to the
    built report page."""
    path = os.path.join(site_dir, ASSET_DIR, "report", "index.html")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return
    if LATE in text:  # written aside and renamed: the page may be a hard link to the
        # published site's (`kb build` keeps unchanged pages), which must stay as it is
        aside = path + ".kb-new"
        with open(aside, "w", encoding="utf-8") as handle:
            handle.write(text.replace(LATE, _stage_rows(late_stages,
                                                        words or messages.messages("en"))))
        os.replace(aside, path)


# --- the terminal ---------------------------------------------------------------------------

def use_colour(stream: TextIO) -> bool:
    """Colours on a terminal, unless NO_COLOR is set (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


_COLOURS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m", Severity.INFO: "\033[1;36m"}


def format_diagnostic(d: Diagnostic, prefix: str, colour: bool) -> str:
    text = d.format(prefix)
    if not colour:
        return text
    where, _, rest = text.partition(f": {d.severity.value}[")
    return f"\033[1m{where}\033[0m: {_COLOURS[d.severity]}{d.severity.value}\033[0m[{rest}"


def diagnostics_text(found: Iterable[Diagnostic], prefix: str, colour: bool) -> str:
    lines = []
    for code, group in grouped(found).items():
        lines.append(f"{code} ({len(group)}):")
        lines += [f"  {format_diagnostic(d, prefix, colour)}" for d in group]
    return "\n".join(lines)


def summary_text(report: BuildReport, colour: bool) -> str:
    bold, reset = ("\033[1m", "\033[0m") if colour else ("", "")
    width = max(len(label) for label, _ in facts(report))
    lines = [f"  {bold}{label:<{width}}{reset}  {value}" for label, value in facts(report)]
    times = ", ".join(f"{t.name} {t.seconds:.2f}s" for t in report.stages)
    lines.append(f"  {bold}{'time':<{width}}{reset}  {times}")
    return "\n".join(lines)


class ProgressBar:
    """One line redrawn in place on a terminal; nothing at all elsewhere (CI logs, pipes)."""

    def __init__(self, label: str, total: int = 0, stream: TextIO | None = None):
        self.label, self.total = label, total
        self.stream = stream or sys.stderr
        self.done = 0
        self.enabled = self.stream.isatty()

    def expect(self, total: int) -> None:
        self.total = total

    def advance(self, detail: str = "") -> None:
        self.done += 1
        if not self.enabled:
            return
        width = 24
        filled = width * self.done // max(self.total, self.done)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r\033[K{self.label} [{bar}] {self.done}/{max(self.total, self.done)} "
                          f"{detail[:60]}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\r\033[K")
            self.stream.flush()


class BlockProgress(ProgressBar):
    """The bar over a build's executable blocks: a `progress` callback of `run_blocks`."""

    def __init__(self, stream: TextIO | None = None):
        super().__init__("blocks", 0, stream)

    def __call__(self, result: BlockResult) -> None:
        state = "cached" if result.cached else f"{result.outcome.seconds:.2f}s"
        self.advance(f"{result.note}#{result.block.index + 1} {result.outcome.status} ({state})")
