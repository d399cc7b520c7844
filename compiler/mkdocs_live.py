"""kb's MkDocs publisher: a persistent MkDocs build of the staged folder that rebuilds only
what changed. `kb serve` keeps it running; `kb build` asks it for one full build of a new
folder (`compiler.publish.MkDocs`), so both publish through the same code.

Runs as a child process (the compiler core never imports mkdocs), driven by one JSON line per
update on stdin and answering one JSON line on stdout:

    python -m compiler.mkdocs_live CONFIG DOCS_DIR SITE_DIR SECTION_START SECTION_END
    <- {"changed": ["a/b.md", "_kb/figures/x.svg"], "removed": ["c.md"]}   or {"full": true}
    -> {"ok": true, "rendered": 1, "templated": 1, "structural": false, "warnings": [...],
        "seconds": 0.05}                                                  or {"ok": false, "error": "..."}
    <- {"publish": {"old_site": ..., "old_build": ..., "state": ..., "save": ..., "build": ...},
        "full": false}    `kb build`: SITE_DIR is a new folder, seeded from the published site
                          with what did not change since its saved state (compiler.live_state)

Why not `mkdocs build --dirty`: it leaves every page it skips out of the search index, renders
the navigation from stale titles and never deletes a page. Here, each update reads the
staged folder's file list and navigation afresh (cheap), converts to HTML only the Markdown
that changed, keeps every other page's HTML, table of contents and search entries from the
previous update, and renders the theme template again only for the changed pages, or for
every page when the navigation changed (a page added, removed or retitled). Pages are
rendered in memory first and written only when all of them succeeded, so a failed update
leaves the previous site whole (except with `"stream": true`, for a new folder that `kb build`
swaps in only once it is complete). The search index is written complete every time.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from mkdocs.commands.build import (
    _build_extra_template,
    _build_theme_template,
    _populate_page,
    get_context,
)
from mkdocs.structure.files import File, Files, get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from . import live_state
from . import workers as worker_pool
from .mkdocs_runner import load
from .page_workers import PageJob, PageWorkers

# What a page keeps from its last Markdown conversion when its Markdown did not change.
_RENDERED = ("markdown", "meta", "content", "toc", "_title_from_render", "present_anchor_ids",
             "links_to_anchors")


# The plugin events that run once per page. The page workers run them in other processes, so
# only plugins known to keep no state across pages, other than the search index that the
# workers hand back, may listen to them; any other plugin keeps the build in one process.
_PAGE_EVENTS = ("pre_page", "page_read_source", "page_markdown", "page_content",
                "page_context", "post_page", "env")


def _drop_content(page: Page) -> None:
    """A written page's HTML is not kept (a one-shot build would hold every page's at the
    end); its title is pinned first, since MkDocs may derive it from what is dropped."""
    page.title = page.title
    page.content = None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"mkdocs: {record.levelname}: {record.getMessage()}")


def _write(path: str, data: bytes) -> None:
    """Written aside and renamed: the preview server never sends half a page."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".kb-", suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temp, path)


def _remove(path: str, site_dir: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    folder = os.path.dirname(path)
    while folder != site_dir and os.path.isdir(folder) and not os.listdir(folder):
        os.rmdir(folder)
        folder = os.path.dirname(folder)


class LiveSite:
    def __init__(self, config, workers: int = 0) -> None:
        """`workers`: at most this many processes build the pages (`kb.workers`; 0: one per
        core, 1: this process alone)."""
        self.config = config.plugins.on_config(config)
        self.workers = workers
        self.env = self.config.theme.get_env()
        self.theme_files: list[File] | None = None
        self.pages: dict[str, Page] = {}  # src_uri -> the page of the last good update
        self.files: Files | None = None
        self.search_entries: dict[str, list[dict]] = {}  # src_uri -> its search index entries
        self.search = next((p for p in self.config.plugins.values()
                            if isinstance(getattr(getattr(p, "search_index", None), "entries", None),
                                          list)), None)

    def _files(self) -> Files:
        config = self.config
        files = get_files(config)
        if self.theme_files is None:  # the theme does not change while serving
            theme = Files([])
            theme.add_files_from_theme(self.env, config)
            self.theme_files = list(theme)
        for file in self.theme_files:
            if files.get_file_from_path(file.src_uri) is None:
                files.append(file)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        return files

    def _parallel_safe(self) -> bool:
        """Whether every plugin that listens to a page event may run in a page worker."""
        for event in _PAGE_EVENTS:
            for method in self.config.plugins.events.get(event, ()):
                owner = getattr(method, "__self__", None)
                if owner is not None and owner is self.search:
                    continue
                if owner is None and getattr(method, "__module__", "").startswith("compiler."):
                    continue
                return False
        return True

    def _worker_count(self, pages: int) -> int:
        if self.workers == 1 or not self._parallel_safe():
            return 1
        return worker_pool.count(self.workers, pages)

    def update(self, changed: set[str], removed: set[str], full: bool = False,
               stream: bool = False) -> dict:
        """`stream`: the site folder is new and nobody serves it yet (`kb build`), so each
        page is written as soon as it is made instead of held until all succeeded."""
        config = self.config
        config.plugins.on_pre_build(config=config)
        files = self._files()
        nav = config.plugins.on_nav(get_navigation(files, config), config=config, files=files)
        doc_files = files.documentation_pages()
        fresh: dict[str, Page] = {}
        populate: list[int] = []
        for index, file in enumerate(doc_files):
            if file.page is None:
                Page(None, file, config)
            page, old = file.page, self.pages.get(file.src_uri)
            if full or old is None or file.src_uri in changed:
                populate.append(index)
            else:
                for name in _RENDERED:
                    if name in vars(old):
                        setattr(page, name, getattr(old, name))
                if "title" in vars(old):  # pinned where the page kept no HTML or Markdown
                    page.title = old.title
            fresh[file.src_uri] = page
        pages = list(fresh.values())
        env: list = []  # on_env's environment, made once per process that templates

        def template(page: Page) -> tuple[bytes | None, list[dict]]:
            if not env:
                env.append(config.plugins.on_env(self.env, config=config, files=files))
            if vars(page).get("content") is None:
                # Unchanged, from a written-out build that kept no HTML (`_drop_content`, or
                # a saved state, `compiler.live_state`): converted again only now that the
                # navigation asks for it to be templated again.
                _populate_page(page, config, files)
            index = self.search.search_index.entries if self.search else []
            before = len(index)
            output = self._render(page, doc_files, nav, env[0])
            entries = index[before:]
            if self.search:  # a page's entries are handed over, not gathered
                del index[before:]
            if not stream:
                return output, entries
            _write(page.file.abs_dest_path, output)
            _drop_content(page)
            return None, entries

        crew = None
        every = full or fresh.keys() != self.pages.keys()  # every page is templated again
        workers = self._worker_count(len(pages) if every else len(populate))
        if workers > 1:
            job = PageJob(pages, populate, lambda p: _populate_page(p, config, files), template,
                          keep=() if stream else _RENDERED, file_of=files.get_file_from_path)
            crew = PageWorkers(job, workers)
        try:
            if crew:
                crew.convert()
            else:
                for index in populate:
                    _populate_page(pages[index], config, files)
            rendered = len(populate)
            structural = full or fresh.keys() != self.pages.keys() or any(
                page.title != self.pages[uri].title for uri, page in fresh.items())
            to_template = [i for i, (uri, p) in enumerate(fresh.items())
                           if structural or uri in changed]
            if self.search:  # each templated page adds its entries here (on_page_context)
                self.search.search_index.entries = []
            made = crew.template(to_template) if crew else {i: template(pages[i])
                                                            for i in to_template}
        finally:
            if crew:
                crew.close()
        env = env[0] if env else config.plugins.on_env(self.env, config=config, files=files)
        outputs: list[tuple[str, bytes]] = []
        entries: dict[str, list[dict]] = {}
        for index in to_template:
            page, (output, found) = pages[index], made[index]
            if output is not None:
                outputs.append((page.file.abs_dest_path, output))
            entries[page.file.src_uri] = found
        to_template = [pages[index] for index in to_template]

        # Everything rendered: from here on the site is updated.
        if full:
            files.copy_static_files()
        else:
            for uri in changed:
                file = files.get_file_from_path(uri)
                if file is not None and not file.is_documentation_page():
                    file.copy_file()
        for uri in removed:
            old_file = self.files.get_file_from_path(uri) if self.files else None
            if old_file is not None and files.get_file_from_path(uri) is None:
                _remove(old_file.abs_dest_path, config.site_dir)
        for path, data in outputs:
            _write(path, data)
        if structural:
            for template in config.theme.static_templates:
                _build_theme_template(template, env, files, config, nav)
            for template in config.extra_templates:
                _build_extra_template(template, files, config, nav)
        for page in to_template:
            page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        self.pages, self.files = fresh, files
        self.search_entries = {uri: entries.get(uri, self.search_entries.get(uri, []))
                               for uri in fresh}
        if self.search:
            self.search.search_index.entries = [e for uri in fresh for e in self.search_entries[uri]]
            self.search.search_index_prev = None
        config.plugins.on_post_build(config=config)
        return {"rendered": rendered, "templated": len(to_template), "structural": structural}

    def _render(self, page: Page, doc_files, nav, env) -> bytes:
        """MkDocs' own page build (`_build_page`), returning the HTML instead of writing it."""
        config = self.config
        config._current_page = page
        try:
            page.active = True
            context = get_context(nav, doc_files, config, page)
            template = env.get_template(page.meta.get("template", "main.html"))
            context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
            output = config.plugins.on_post_page(template.render(context), page=page, config=config)
            return output.encode("utf-8", errors="xmlcharrefreplace")
        finally:
            page.active = False
            config._current_page = None


def _config_text(config_path: Path, start: int, end: int, defaults: dict) -> str:
    """The part of mkdocs.yml MkDocs reads (a saved state depends on it, not on `kb:`)."""
    if not defaults.get("read_config", True) or not config_path.is_file():
        return ""
    lines = config_path.read_text(encoding="utf-8").splitlines(keepends=True)
    if start >= 0:
        del lines[start:end]
    return "".join(lines)


def main(argv: list[str]) -> int:
    config_path, docs_dir, site_dir = Path(argv[0]), argv[1], argv[2]
    start, end = int(argv[3]), int(argv[4])
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout = sys.stderr  # whatever a Markdown extension prints stays out of the replies
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    logger.setLevel(logging.WARNING)
    try:
        defaults = json.loads(argv[5]) if len(argv) > 5 else {}
        site = LiveSite(load(config_path, docs_dir, site_dir, start, end, defaults),
                        int(defaults.get("workers", 0)))
        fingerprint = None  # of the configuration, for a saved state (`kb build`)
    except Exception as exc:
        error = "\n".join([*collect.messages, f"{type(exc).__name__}: {exc}"])
        replies.write(json.dumps({"ok": False, "error": error}, ensure_ascii=False) + "\n")
        replies.flush()
        return 1
    for line in sys.stdin:  # the first reply also carries the warnings of loading mkdocs.yml
        request = json.loads(line)
        began = time.perf_counter()
        try:
            if "publish" in request:  # kb build: a new folder, seeded from the published site
                fingerprint = fingerprint or live_state.fingerprint(
                    site.config, _config_text(config_path, start, end, defaults), defaults)
                reply = {"ok": True, **live_state.build_folder(site, request, collect.messages,
                                                               fingerprint)}
            else:
                reply = {"ok": True, **site.update(set(request.get("changed", ())),
                                                   set(request.get("removed", ())),
                                                   bool(request.get("full")),
                                                   bool(request.get("stream")))}
        except Exception as exc:
            reply = {"ok": False, "error": "\n".join([*collect.messages,
                                                      f"{type(exc).__name__}: {exc}"])}
        reply |= {"warnings": list(collect.messages), "seconds": time.perf_counter() - began}
        collect.messages.clear()
        replies.write(json.dumps(reply, ensure_ascii=False) + "\n")
        replies.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
