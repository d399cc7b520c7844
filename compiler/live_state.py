"""What the MkDocs publisher (`compiler.mkdocs_live`) keeps between `kb build`s, so that a
build converts and writes only the pages whose staged Markdown changed.

After a successful build the publisher saves, per staged page, the digest of its Markdown and
what its conversion gave (HTML, table of contents, meta, title, anchors, search entries,
MkDocs' warnings about it), and per other file the size and time of its source. The next
build loads that state and seeds its new, empty site folder from the published site with hard
links: every page (a page that is templated again is written aside and renamed over its link,
so the published site is never written through a link), and every other file whose source did
not change. Changed files are left out and copied fresh. The theme's templates (404 page,
sitemap) are linked after the update only when the navigation did not change; else MkDocs
writes them anew. The search index and kb's marker files are always written anew.

The state is a pickle named after the vault and the output folder in the cache folder,
versioned and keyed by everything else a page depends on: the configuration, the theme's and
kb's own files, the versions of MkDocs and its extensions, and the build id of the site it
describes (`.kb-build` in the site). Anything that does not match, or does not load, means a
full build, never a failure. Run only inside the publisher's process (it imports MkDocs).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pickle
import shutil
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

STATE_VERSION = 1
# Plugins known to write only pages, the search index and templates: with any other plugin
# (it might write into a file in place, which a hard link shares with the published site)
# every build is a full one.
SAFE_PLUGINS = frozenset({"search", "material/search", "kb/social", "kb/csp"})
# Converted-page attributes kept (LiveSite._RENDERED but the links to anchors, which name
# MkDocs File objects of one build: a kept page's anchor links are checked by kb's site check).
KEPT = ("markdown", "meta", "content", "toc", "_title_from_render", "present_anchor_ids")
_PACKAGES = ("mkdocs", "mkdocs-material", "pymdown-extensions", "markdown", "pygments")


@dataclass
class PageState:
    digest: str  # of the staged Markdown it was converted from
    title: str | None
    rendered: dict  # KEPT attributes
    entries: list[dict]  # Material's search entries
    warnings: list[str]  # MkDocs' warnings about the page when it was converted


@dataclass
class SiteState:
    fingerprint: str
    build_id: str  # the `.kb-build` of the site this state describes
    pages: dict[str, PageState] = field(default_factory=dict)  # by src_uri
    files: dict[str, tuple] = field(default_factory=dict)  # other files: src_uri -> signature
    version: int = STATE_VERSION


@dataclass
class Plan:
    """What an incremental build of a new folder does: `changed` staged paths to convert
    (pages) or copy (other files); `digests` of every page now."""
    changed: set[str]
    digests: dict[str, str]
    signatures: dict[str, tuple]
    templates: list[str]  # the theme's template outputs, linked when the nav did not change
    files: list = field(default_factory=list)  # MkDocs' File of every file of the site


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _tree_signature(root: Path) -> list:
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            path = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                stat = os.stat(path)
                found.append((os.path.relpath(path, root), stat.st_size, stat.st_mtime_ns))
    return found


def _own_modules(config) -> list:
    """kb's modules the publisher runs (its plugins, its Markdown extensions), by size and
    time: a new kb may convert a page differently."""
    names = {name for name in sys.modules if name.split(".")[0] == "compiler"}
    names.update(name for name in config.markdown_extensions
                 if isinstance(name, str) and name.split(".")[0] == "compiler")
    found = []
    for name in sorted(names):
        with contextlib.suppress(ImportError, ValueError, OSError):
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.origin and os.path.isfile(spec.origin):
                stat = os.stat(spec.origin)
                found.append((name, stat.st_size, stat.st_mtime_ns))
    return found


def fingerprint(config, config_text: str, defaults: dict) -> str:
    """Everything besides a page's own Markdown that its HTML depends on."""
    versions = []
    for name in _PACKAGES:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, None))
    parts = [STATE_VERSION, sys.version, versions, config_text, sorted(defaults.items()),
             list(config.extra_css), [str(s) for s in config.extra_javascript],
             str(config.not_in_nav), sorted(config.plugins.keys()), _own_modules(config)]
    parts += [_tree_signature(Path(folder)) for folder in config.theme.dirs]
    return digest_bytes(repr(parts).encode("utf-8", "surrogatepass"))


def incremental_allowed(config) -> bool:
    return set(config.plugins.keys()) <= SAFE_PLUGINS


def load(path: Path, fingerprint_now: str, build_id: str) -> SiteState | None:
    """The saved state when it describes the site `build_id` under this configuration."""
    try:
        with open(path, "rb") as handle:
            state = pickle.load(handle)
    except Exception:  # missing, truncated, written by another version: a full build
        return None
    if not isinstance(state, SiteState) or getattr(state, "version", None) != STATE_VERSION \
            or state.fingerprint != fingerprint_now or not build_id or state.build_id != build_id:
        return None
    return state


def _signature(file) -> tuple:
    if file.abs_src_path is None:
        return ("content", digest_bytes(file.content_bytes))
    try:
        stat = os.stat(file.abs_src_path)
    except OSError:
        return ("missing",)
    return ("file", stat.st_size, stat.st_mtime_ns)


def _page_digest(file) -> str:
    try:
        return digest_bytes(file.content_bytes)
    except OSError:
        return ""


def template_outputs(config) -> list[str]:
    names = [*sorted(config.theme.static_templates), *config.extra_templates]
    return [*names, *(f"{name}.gz" for name in names if name == "sitemap.xml")]


def restore(site, state: SiteState) -> None:
    """Give the LiveSite the pages of the saved build, as if it had built them itself."""
    site.pages = {uri: SimpleNamespace(title=kept.title, **kept.rendered)
                  for uri, kept in state.pages.items()}
    site.search_entries = {uri: list(kept.entries) for uri, kept in state.pages.items()}


def plan(site, state: SiteState) -> Plan:
    """Which staged files changed since the saved build."""
    files = site._files()
    changed: set[str] = set()
    digests: dict[str, str] = {}
    signatures: dict[str, tuple] = {}
    for file in files:
        uri = file.src_uri
        if file.is_documentation_page():
            digests[uri] = _page_digest(file)
            kept = state.pages.get(uri)
            if kept is None or kept.digest != digests[uri] or not digests[uri]:
                changed.add(uri)
        else:
            signatures[uri] = _signature(file)
            if state.files.get(uri) != signatures[uri]:
                changed.add(uri)
    return Plan(changed, digests, signatures, template_outputs(site.config), list(files))


def _link(source: str, target: str) -> bool:
    """Hard link source at target (a copy where the file system has no hard links)."""
    if not os.path.isfile(source):
        return False
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
    return True


def seed(the_plan: Plan, old_site: str) -> int:
    """Link into the (new, empty) site folder what the published site `old_site` already
    holds of this build: every page still staged, every other file whose source is unchanged
    (a changed one is copied anew: MkDocs writes a copy in place, never through a link).
    What the published site lacks (removed by hand) joins the plan's changed files. Returns
    how many files were linked."""
    templates = set(the_plan.templates)
    linked = 0
    for file in the_plan.files:
        if file.dest_uri in templates or file.src_uri in the_plan.changed:
            continue
        if _link(os.path.join(old_site, file.dest_uri), file.abs_dest_path):
            linked += 1
        else:
            the_plan.changed.add(file.src_uri)
    return linked


def link_templates(site, the_plan: Plan, old_site: str) -> int:
    """After an update that kept the navigation: the templates of the published site."""
    return sum(_link(os.path.join(old_site, name), os.path.join(site.config.site_dir, name))
               for name in the_plan.templates)


def page_warnings(messages: list[str]) -> dict[str, list[str]]:
    """MkDocs' warnings about a page (`Doc file 'a.md' ...`), by page."""
    found: dict[str, list[str]] = {}
    for line in messages:
        _, marker, rest = line.partition("Doc file '")
        if marker:
            found.setdefault(rest.partition("'")[0], []).append(line)
    return found


def snapshot(site, build_id: str, fingerprint_now: str, digests: dict[str, str],
             signatures: dict[str, tuple], warnings: dict[str, list[str]],
             kept_warnings: dict[str, list[str]]) -> SiteState:
    """The state of the LiveSite after a successful update. `digests` and `signatures` may
    miss files (a full build computes none): they are read here. `warnings`: this update's,
    by page; `kept_warnings`: those of the pages it did not convert."""
    state = SiteState(fingerprint_now, build_id)
    for file in site.files:
        uri = file.src_uri
        if file.is_documentation_page():
            page = site.pages.get(uri)
            if page is None:
                continue
            digest = digests.get(uri) or _page_digest(file)
            rendered = {name: getattr(page, name) for name in KEPT if name in vars(page)}
            said = warnings.get(uri, kept_warnings.get(uri, []))
            state.pages[uri] = PageState(digest, page.title, rendered,
                                         list(site.search_entries.get(uri, [])), said)
        else:
            state.files[uri] = signatures.get(uri) or _signature(file)
    return state


def save(state: object, path: Path) -> bool:
    """Pickled, written aside and renamed: a state file is whole or absent; never raises
    (also what `publish` keeps of the search entries and site checks)."""
    aside = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(aside, "wb") as handle:
            pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(aside, path)
        return True
    except Exception:  # a cache that refuses the state (full disk, a value pickle cannot
        # write) costs the next build its speed, never this build
        with contextlib.suppress(OSError):
            os.unlink(aside)
        return False


def build_folder(site, request: dict, messages: list[str], fingerprint_now: str) -> dict:
    """One `kb build` of a new, empty site folder (`request["publish"]`: `old_site`, the
    published site, and its `old_build` id, `state`, the saved state, `save`, where this
    build's state goes, `build`, this build's id; `full`: ignore the saved state). Seeded from
    the published site when the state matches it, else a full build. `messages` (MkDocs'
    warnings so far) gets the kept warnings of the pages not converted again."""
    publish = request["publish"]
    state = None
    if not request.get("full") and incremental_allowed(site.config) and publish.get("old_site"):
        state = load(Path(publish["state"]), fingerprint_now, publish.get("old_build", ""))
    linked = 0
    if state is not None and not all(os.path.isfile(os.path.join(publish["old_site"], name))
                                     for name in template_outputs(site.config)):
        state = None  # a template the published site lacks is made by a full build only
    if state is None:
        result = site.update(set(), set(), full=True, stream=True)
        the_plan = Plan(set(), {}, {}, [])
        kept_warnings: dict[str, list[str]] = {}
    else:
        restore(site, state)
        the_plan = plan(site, state)
        linked = seed(the_plan, publish["old_site"])
        result = site.update(the_plan.changed, set(), full=False, stream=True)
        if not result["structural"]:
            linked += link_templates(site, the_plan, publish["old_site"])
        kept_warnings = {uri: kept.warnings for uri, kept in state.pages.items()
                         if uri not in the_plan.changed and uri in site.pages}
    warnings = page_warnings(messages)
    for said in kept_warnings.values():
        messages.extend(said)
    # Nothing converted, copied or templated: the site is the published one but for its
    # search index and markers, and the saved state still describes it (under its build id).
    same = state is not None and not the_plan.changed and not result["structural"]
    saved = not same and bool(publish.get("save")) and save(
        snapshot(site, publish.get("build", ""), fingerprint_now, the_plan.digests,
                 the_plan.signatures, warnings, kept_warnings), Path(publish["save"]))
    return {**result, "incremental": state is not None, "linked": linked,
            "changed": len(the_plan.changed), "saved": saved, "same": same}
