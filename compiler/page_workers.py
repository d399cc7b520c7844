"""The MkDocs page build spread over forked workers (`compiler.mkdocs_live` uses it when
`compiler.workers.count` gives more than one).

A page's HTML needs every other page's title (the navigation), and a title may come from the
page's own Markdown conversion (its first heading). So the build runs in two phases, with the
same workers throughout:

1. each worker converts the Markdown of its own pages (page k belongs to worker k mod n, so
   big and small pages spread evenly) and sends back what the other pages need of them:
   titles and front matter, the anchors for the parent's link validation (and, when the
   parent keeps its pages for the next update, everything MkDocs keeps of a conversion);
2. the parent sends every worker all those facts; each puts its pages into the theme's
   template and writes them (a new site folder) or sends the HTML back (a served site, which
   the parent writes only when every page succeeded), with each page's search index entries.

A converted page's HTML stays in the worker that made it, and once the page is written it is
dropped. Log records (MkDocs' warnings) are sent back with the page and phase they came
from, and the parent logs them in the order one process would have: phase, then page.
A failing page stops its worker; the parent logs what came before it and raises its error.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .workers import die_with_parent, fork_context

Page = Any  # mkdocs.structure.pages.Page (the compiler core never imports mkdocs)

# What the other pages' templates need of a page (its navigation entry): its title, pinned
# (MkDocs derives it from attributes the parent may not hold), and its front matter.
SHARED = ("title", "meta")
# What the parent needs of a converted page to validate links into it and out of it.
ANCHORS = ("present_anchor_ids", "links_to_anchors")


class _Capture(logging.Handler):
    """A worker's log records, each tagged with the phase and page it came from."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.at: tuple[int, int] = (0, -1)
        self.records: list[tuple[int, int, int, logging.LogRecord]] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None
        record.exc_info = None  # a traceback does not cross processes; its text does
        self.records.append((*self.at, len(self.records), record))


@dataclass
class _Failure:
    """A page that failed in a worker: its place, and the exception (pickled)."""
    phase: int
    index: int
    error: bytes


@dataclass
class _Reply:
    records: list = field(default_factory=list)
    results: dict[int, Any] = field(default_factory=dict)
    failure: _Failure | None = None


def _pickled_error(exc: BaseException) -> bytes:
    try:
        data = pickle.dumps(exc)
        pickle.loads(data)
        return data
    except Exception:
        return pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))


def _state(page: Page, names: Sequence[str]) -> dict[str, Any]:
    state = {name: getattr(page, name) for name in names
             if name == "title" or name in vars(page)}
    if links := state.get("links_to_anchors"):  # by file: sent by the file's path
        state["links_to_anchors"] = {file.src_uri: anchors for file, anchors in links.items()}
    return state


@dataclass
class PageJob:
    """What the parent asks of the workers; the callables run in the workers."""
    pages: list[Page]  # every documentation page, in the site's order
    populate: list[int]  # the pages whose Markdown is converted this time
    convert: Callable[[Page], None]  # MkDocs' `_populate_page`
    template: Callable[[Page], tuple[bytes | None, list]]  # HTML (None: written) and search entries
    keep: Sequence[str]  # what the parent keeps of each converted page for its next update
    file_of: Callable[[str], Any]  # the parent's file of a path (`Files.get_file_from_path`)
    logger: str = "mkdocs"


class PageWorkers:
    """n forked workers for one update. `convert()`, then `template(indices)`, then done."""

    def __init__(self, job: PageJob, workers: int):
        context = fork_context()
        if context is None:
            raise RuntimeError("page workers need the fork start method")
        self.job, self.workers = job, workers
        self.connections, self.processes = [], []
        parent = os.getpid()
        try:
            for number in range(workers):
                mine, theirs = context.Pipe()
                process = context.Process(target=self._work, args=(theirs, number, parent),
                                          daemon=True)
                process.start()
                theirs.close()
                self.connections.append(mine)
                self.processes.append(process)
        except BaseException:
            self.close()
            raise

    def owner(self, index: int) -> int:
        return index % self.workers

    # --- in the worker ---

    def _work(self, connection, number: int, parent: int) -> None:
        die_with_parent(parent)
        job = self.job
        capture = _Capture()
        logger = logging.getLogger(job.logger)
        logger.handlers, logger.propagate = [capture], False  # the parent logs them
        reply = _Reply(capture.records)
        shared = (*SHARED, *ANCHORS, *job.keep)
        for index in job.populate:
            if self.owner(index) != number:
                continue
            capture.at = (1, index)
            try:
                job.convert(job.pages[index])
            except BaseException as exc:
                reply.failure = _Failure(1, index, _pickled_error(exc))
                break
            reply.results[index] = _state(job.pages[index], shared)
        connection.send(reply)
        if reply.failure is not None:
            return
        order = connection.recv()
        if order is None:
            return
        facts, indices = order
        for index, state in facts.items():
            for name, value in state.items():
                setattr(job.pages[index], name, value)
        capture.records.clear()
        reply = _Reply(capture.records)
        for index in indices:
            if self.owner(index) != number:
                continue
            capture.at = (2, index)
            try:
                reply.results[index] = job.template(job.pages[index])
            except BaseException as exc:
                reply.failure = _Failure(2, index, _pickled_error(exc))
                break
        connection.send(reply)

    # --- in the parent ---

    def _gather(self) -> dict[int, Any]:
        replies = []
        for number, connection in enumerate(self.connections):
            try:
                replies.append(connection.recv())
            except (EOFError, OSError):
                process = self.processes[number]
                process.join(timeout=5)
                raise RuntimeError(f"page worker {number} ended unexpectedly "
                                   f"(exit code {process.exitcode})") from None
        failures = [r.failure for r in replies if r.failure is not None]
        first = min(failures, key=lambda f: f.index) if failures else None
        records = sorted((r for reply in replies for r in reply.records),
                         key=lambda r: (r[0], r[1], r[2]))
        for _, index, _, record in records:
            if first is None or index <= first.index:
                logging.getLogger(record.name).handle(record)
        if first is not None:
            raise pickle.loads(first.error)
        results: dict[int, Any] = {}
        for reply in replies:
            results.update(reply.results)
        return results

    def convert(self) -> None:
        """Phase 1: the pages to populate converted in the workers; the parent's pages get
        what the templates and the link validation need (and what it keeps)."""
        for index, state in self._gather().items():
            if links := state.get("links_to_anchors"):
                state["links_to_anchors"] = {self.job.file_of(uri): anchors
                                             for uri, anchors in links.items()}
            for name, value in state.items():
                setattr(self.job.pages[index], name, value)

    def template(self, indices: Sequence[int]) -> dict[int, tuple[bytes | None, list]]:
        """Phase 2: the pages at `indices` put into the theme's template, by page index."""
        pages = self.job.pages
        facts = {index: _state(page, SHARED) for index, page in enumerate(pages)}
        for connection in self.connections:
            connection.send((facts, list(indices)))
        return self._gather()

    def close(self) -> None:
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.send(None)  # a worker still waiting for phase 2 ends
            connection.close()
        for process in self.processes:
            process.join(timeout=5)
            if process.exitcode is None:
                process.kill()
                process.join()
