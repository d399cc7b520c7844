"""The Zensical engine: builds the staged folder with Zensical, in a child process that speaks
kb's publisher protocol (one JSON line per update; see `compiler.mkdocs_live`):

    python -m compiler.engines.zensical_live CONFIG DOCS_DIR SITE_DIR SECTION_START SECTION_END DEFAULTS

Zensical reads an mkdocs.yml but runs no MkDocs plugins, and wants the Markdown folder and the
output folder inside the folder of its configuration. So kb writes a configuration of its own
beside the staged folder (the user's mkdocs.yml without the `kb:` section, with what the staged
Markdown needs added, as `compiler.mkdocs_runner` adds it for MkDocs), builds into a private
folder there (Zensical keeps its cache, `.cache/`, beside it: an unchanged page is not rendered
again, as long as the staged folder keeps its name: it is renamed for the build), and then
copies the site into SITE_DIR (a new folder: `kb build`) or brings SITE_DIR up to date file
by file (`kb serve`). The Content-Security-Policy that kb's MkDocs plugin adds is
added here to every page, by the same function (`compiler.csp.add_policy`).

Zensical writes its own search index (`search.json`), which its theme reads; kb's Korean search
index is not used, and nor are link previews: see `compiler.engines.ENGINES`.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import sys
import time
from pathlib import Path

import yaml

from compiler import csp, site_assets
from compiler.engines.owned import REQUIRED_EXTENSIONS, owned_theme
from compiler.navigation import NOT_IN_NAV

CONFIG_SUFFIX = ".zensical.yml"
SITE_SUFFIX = ".zensical-site"
DOCS_SUFFIX = ".zensical-docs"  # the staged folder while Zensical builds it
POLICIES_SUFFIX = ".zensical-policies.json"  # the pages that have their policy (add_policies)
# Zensical's own messages that are not warnings.
_PROGRESS = ("Build started", "Build finished", "No issues found")


class _Loader(yaml.SafeLoader):
    """mkdocs.yml as data, with Python references in the forms Zensical resolves itself:
    `!!python/name:a.b` as "a.b", `!!python/object/apply:a.b {kwds: ...}` as
    `{object: a.b, kwds: ...}`; other tags (`!ENV`) as their plain value."""


def _python(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    kind, _, name = suffix.rpartition(":")
    if kind == "name":
        return name
    if kind == "object/apply" and isinstance(node, yaml.MappingNode):
        return {"object": name, **loader.construct_mapping(node, deep=True)}
    return _plain(loader, suffix, node)


def _plain(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _python)
_Loader.add_multi_constructor("!", _plain)


def _extensions(user: object) -> list[tuple[str, dict]]:
    """mkdocs.yml's `markdown_extensions` (a list of names and one-key mappings, or a mapping)
    as (name, settings) pairs."""
    items = list(user.items()) if isinstance(user, dict) else [
        next(iter(item.items())) if isinstance(item, dict) and len(item) == 1 else (item, {})
        for item in (user if isinstance(user, list) else [])]
    return [(str(name), dict(settings) if isinstance(settings, dict) else {})
            for name, settings in items]


def zensical_config(user: dict, defaults: dict, docs_dir: str, site_dir: str,
                    not_in_nav: list[str], stylesheets: list[str], scripts: list[str]) -> dict:
    """The configuration Zensical builds with: the user's settings, and what the staged
    Markdown needs (the same extensions, theme settings and assets as with MkDocs)."""
    config = {key: value for key, value in user.items() if key not in ("docs_dir", "site_dir")}
    config["docs_dir"], config["site_dir"] = docs_dir, site_dir
    if not config.get("site_name"):
        config["site_name"] = defaults.get("site_name") or "Knowledge base"
    theme = owned_theme(user.get("theme"), defaults.get("language", "en"),
                        bool(defaults.get("web_fonts")))
    theme.setdefault("variant", "classic")  # Material's look, which kb's stylesheet is made for
    config["theme"] = theme
    extensions = dict(_extensions(user.get("markdown_extensions")))
    for name in REQUIRED_EXTENSIONS:
        extensions.setdefault(name, {})
    extensions["footnotes"].setdefault("USE_DEFINITION_ORDER", False)
    extensions["toc"].setdefault("permalink", True)
    slugify = extensions["toc"].setdefault(
        "slugify", {"object": "pymdownx.slugs.slugify", "kwds": {"case": "lower"}})
    if isinstance(slugify, str):
        extensions["toc"]["slugify"] = {"object": slugify}
    fences = extensions.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
    if not any(isinstance(f, dict) and f.get("name") == "mermaid" for f in fences):
        fences.append({"name": "mermaid", "class": "mermaid",
                       "format": "pymdownx.superfences.fence_code_format"})
    config["markdown_extensions"] = [{name: settings} for name, settings in extensions.items()]
    own = [f"/{site_assets.ASSET_DIR}/", *not_in_nav]
    config["not_in_nav"] = "\n".join([*own, *str(user.get("not_in_nav") or "").splitlines()])
    for key, added in (("extra_css", stylesheets), ("extra_javascript", scripts)):
        present = list(user.get(key) or [])
        config[key] = present + [p for p in added if p not in present]
    return config


def user_config(config_path: Path, start: int, end: int, read: bool) -> dict:
    """mkdocs.yml without the compiler's own `kb:` section."""
    lines = config_path.read_text(encoding="utf-8").splitlines(keepends=True) \
        if read and config_path.is_file() else []
    if start >= 0:
        del lines[start:end]
    data = yaml.load("".join(lines), Loader=_Loader) if lines else {}
    return data if isinstance(data, dict) else {}


def add_policies(site: Path, done: dict[str, list[int]]) -> dict[str, list[int]]:
    """Every page with kb's Content-Security-Policy (MkDocs adds it as it writes each page).
    `done`: the pages given one by an earlier build, with their (mtime, size) then: a page
    Zensical has not written since is left alone. Returns the same for this build."""
    now = {}
    for page in site.rglob("*.html"):
        rel, seen = page.relative_to(site).as_posix(), page.stat()
        if done.get(rel) != [seen.st_mtime_ns, seen.st_size]:
            text = page.read_text(encoding="utf-8")
            with_policy = csp.add_policy(text)
            if with_policy != text:
                page.write_text(with_policy, encoding="utf-8")
            seen = page.stat()
        now[rel] = [seen.st_mtime_ns, seen.st_size]
    return now


def _sync(built: Path, site: Path) -> None:
    """Make `site` hold what `built` holds, writing only the files that differ."""
    wanted = set()
    for source in built.rglob("*"):
        rel = source.relative_to(built)
        wanted.add(rel)
        target = site / rel
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif not target.is_file() or not filecmp.cmp(source, target, shallow=False):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for path in sorted(site.rglob("*"), reverse=True):
        if path.relative_to(site) not in wanted:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


class ZensicalSite:
    """One staged folder and the site Zensical builds from it."""

    def __init__(self, config_path: Path, docs_dir: Path, site_dir: Path, start: int, end: int,
                 defaults: dict) -> None:
        self.docs_dir, self.site_dir = docs_dir.resolve(), site_dir
        home = self.docs_dir.parent  # Zensical's project folder: it holds both folders
        name = self.docs_dir.name.split(".pid.")[0]
        self.built = home / (name + SITE_SUFFIX)
        self.config_file = home / (name + CONFIG_SUFFIX)
        self.stable_docs = home / (name + DOCS_SUFFIX)
        self.policies = home / (name + POLICIES_SUFFIX)
        self.user = user_config(config_path, start, end, defaults.get("read_config", True))
        self.defaults = defaults

    def _write_config(self) -> None:
        collapsed = self.docs_dir / NOT_IN_NAV
        present = site_assets.staged(self.docs_dir)
        config = zensical_config(
            self.user, self.defaults, self.stable_docs.name, self.built.name,
            collapsed.read_text(encoding="utf-8").splitlines() if collapsed.is_file() else [],
            site_assets.stylesheets(present), site_assets.scripts(present))
        self.config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                    encoding="utf-8")

    def update(self, stream: bool) -> dict:
        import zensical

        self._write_config()
        # Zensical's cache holds for one docs_dir: under the name a build gives the staged
        # folder (NAME.pid.PID) every build would render every page again (3.7 s of CPU
        # instead of 1.2 s for 200 unchanged notes). So it builds the folder under a name of
        # its own, and gives it back after.
        shutil.rmtree(self.stable_docs, ignore_errors=True)  # left by a build that was killed
        os.rename(self.docs_dir, self.stable_docs)
        try:
            zensical.build(str(self.config_file), {"clean": False, "strict": False})
        finally:
            os.rename(self.stable_docs, self.docs_dir)
        try:
            done = json.loads(self.policies.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            done = {}
        self.policies.unlink(missing_ok=True)  # stale while pages are being changed
        done = add_policies(self.built, done if isinstance(done, dict) else {})
        self.policies.write_text(json.dumps(done), encoding="utf-8")
        if stream and not (self.site_dir.exists() and any(self.site_dir.iterdir())):
            shutil.rmtree(self.site_dir, ignore_errors=True)
            shutil.copytree(self.built, self.site_dir)
        else:
            self.site_dir.mkdir(parents=True, exist_ok=True)
            _sync(self.built, self.site_dir)
        return {"structural": True}


def main(argv: list[str]) -> int:
    config_path, docs_dir, site_dir = Path(argv[0]), Path(argv[1]), Path(argv[2])
    start, end = int(argv[3]), int(argv[4])
    # Zensical's core prints on file descriptor 1, which carries the replies: they get a copy
    # of it, and what Zensical prints goes to a file read back for its warnings.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    said = Path(os.environ.get("TMPDIR", "/tmp")) / f"kb-zensical-{os.getpid()}.log"
    log = os.open(said, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    os.unlink(said)
    os.dup2(log, sys.stdout.fileno())
    sys.stdout = sys.stderr
    try:
        defaults = json.loads(argv[5]) if len(argv) > 5 else {}
        site = ZensicalSite(config_path, docs_dir, site_dir, start, end, defaults)
    except Exception as exc:
        replies.write(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}) + "\n")
        replies.flush()
        return 1
    for line in sys.stdin:
        request = json.loads(line)
        began = time.perf_counter()
        before = os.lseek(log, 0, os.SEEK_END)
        try:
            reply = {"ok": True, **site.update(bool(request.get("stream")))}
        except BaseException as exc:  # a panic in Zensical's core is a BaseException
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        os.lseek(log, before, os.SEEK_SET)
        printed = os.read(log, 1 << 20).decode("utf-8", "replace").splitlines()
        warnings = [f"mkdocs: WARNING: {text.strip()}" for text in printed
                    if text.strip() and not text.startswith(_PROGRESS)]
        reply |= {"warnings": warnings, "seconds": time.perf_counter() - began}
        replies.write(json.dumps(reply, ensure_ascii=False) + "\n")
        replies.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
