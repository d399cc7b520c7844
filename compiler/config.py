"""The configuration of a vault: one `mkdocs.yml`, with the compiler's own `kb:` section.

Where it lives: in the folder that holds the vault, naming it (`kb: vault: notes`), as the
bundled project's root `mkdocs.yml` names `vault/` and as `mkdocs new` puts `docs/` beside
`mkdocs.yml`. `kb init VAULT` writes it there. For `--vault V` the configuration is the
`mkdocs.yml` beside V when it names V; one in the folder you run in is never taken for another
vault's. `--config FILE` names it outright. Relative paths in it are relative to its folder.
A vault with no configuration builds with defaults: the vault's folder name as the site name
and the language its notes are written in; the output then goes to the current folder.

Only reads; MkDocs validates everything outside `kb:` when the site is published, except the
few settings that would break the compiler's output, which are refused here, before any note
is compiled, at their line and column.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .diagnostics import ConfigError, Diagnostic, Severity
from .engines import DEFAULT as DEFAULT_ENGINE
from .engines import ENGINES
from .markup import HOME_NAMES
from .sanitize import MODES, RawHtml

SECTION = "kb"
CONFIG_NAME = "mkdocs.yml"
DEFAULT_VAULT = "vault"
THEME = "material"
# Material's web fonts load from these hosts unless `theme.font: false`.
FONT_HOSTS = ("fonts.googleapis.com", "fonts.gstatic.com")


@dataclass(frozen=True)
class Settings:
    """The `kb:` section of mkdocs.yml, with defaults for everything left out."""

    project_root: Path
    config_path: Path
    vault: Path
    site_name: str = "Knowledge base"
    ignore: tuple[str, ...] = ()
    home: str | None = None  # vault path of the note to use as the home page
    cache_dir: Path = field(default=Path(".kb-cache"))
    raw_html: RawHtml = "sanitize"  # what a note's own HTML may do: see compiler/sanitize.py
    sandbox: bool = True  # blocks run under bubblewrap where it works: see compiler/execute.py
    max_note_bytes: int = 1_000_000  # a larger note is cut and reported (build.read_notes)
    # Line span (0-based, end exclusive) of the `kb:` block in mkdocs.yml, which
    # publish removes before MkDocs sees the file.
    section_lines: tuple[int, int] | None = None
    language: str = "en"  # theme.language, or guessed from the notes
    allow_hosts: tuple[str, ...] = ()  # hosts the site may load from, on purpose
    # The folder that holds the `snippets` package the blocks import (on their sys.path).
    code_root: Path | None = None
    has_config: bool = True  # False: defaults only (config_path is where `kb init` would write)
    site_dir: Path | None = None  # MkDocs' `site_dir`: where `kb build` writes (default: site/)
    # Properties that hold a note's dates for queries' file.ctime / file.mtime (kb.dates;
    # see compiler/filedates.py): the first one a note has wins.
    created_properties: tuple[str, ...] = ()
    modified_properties: tuple[str, ...] = ()
    # The build report names vault paths and timings: kept in the cache folder and the
    # terminal unless the site should show it (`_kb/report/`, linked from the home page).
    publish_report: bool = False
    link_titles: bool = True  # [[folder/Note]] with no display text shows Note (forms/wikilinks)
    home_names: tuple[str, ...] = HOME_NAMES  # a root note of one of these names is the home page
    site_url: str | None = None  # MkDocs' `site_url`: with it, a feed and link previews (social.py)
    executor: str = "local"  # where blocks run: the local pool, or dask://HOST:PORT (execute_dask.py)
    engine: str = DEFAULT_ENGINE  # the publish engine (kb.engine): mkdocs, properdocs or zensical
    workers: int = 0  # processes that build the pages, check the site, index it (0: one per core)

    @property
    def snippets_dir(self) -> Path:
        return (self.code_root or self.project_root) / "snippets"

    def mkdocs_defaults(self) -> dict[str, object]:
        """What the MkDocs step fills in where mkdocs.yml is silent (see mkdocs_runner)."""
        return {"site_name": self.site_name, "language": self.language,
                "web_fonts": all(host in self.allow_hosts for host in FONT_HOSTS),
                "read_config": self.has_config, "workers": self.workers}


KNOWN_KEYS = {"vault": str, "ignore": list, "home": str, "cache_dir": str, "allow_hosts": list,
              "snippets": str, "raw_html": str, "sandbox": bool, "max_note_bytes": int,
              "dates": dict, "publish_report": bool, "link_titles": bool, "home_names": list,
              "executor": str, "engine": str, "workers": int}
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


def guess_language(vault: Path, sample_files: int = 200, sample_bytes: int = 8192) -> str:
    """"ko" when Hangul is a fifth or more of the letters of the notes (sampled), else "en"."""
    hangul = letters = 0
    if not vault.is_dir():
        return "en"
    for count, path in enumerate(sorted(vault.rglob("*.md"))):
        if count >= sample_files:
            break
        if any(part.startswith(".") for part in path.relative_to(vault).parts):
            continue
        try:
            with path.open("rb") as file:
                text = file.read(sample_bytes).decode("utf-8", errors="ignore")
        except OSError:
            continue
        for char in unicodedata.normalize("NFC", text):
            if char.isalpha():
                letters += 1
                hangul += "\uac00" <= char <= "\ud7a3" or "\u3131" <= char <= "\u318e"
    return "ko" if letters and hangul / letters >= 0.2 else "en"


def locate_config(config: Path | None, vault: Path | None, cwd: Path) -> tuple[Path, bool]:
    """(the vault's mkdocs.yml, whether to read it). `--config` wins; then the mkdocs.yml beside
    `--vault`, if it names that vault (else there is none: defaults); with no `--vault`, the
    mkdocs.yml of the folder you run in (the bundled project's root), if there is one."""
    if config is not None:
        return config.resolve(), True
    if vault is None:
        return cwd / CONFIG_NAME, True
    vault = vault.resolve()
    beside = vault.parent / CONFIG_NAME
    return beside, beside.is_file() and configured_vault(beside) == vault


def configured_vault(config_path: Path) -> Path | None:
    """The vault a mkdocs.yml names (`kb.vault`, default `vault/` beside it); None if unreadable."""
    try:
        data = yaml.load(config_path.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(data, dict):
        return None
    name = _vault_name(data.get(SECTION) if isinstance(data.get(SECTION), dict) else {}, data)
    return (config_path.parent / name).resolve() if isinstance(name, str) else None


def _vault_name(section: dict, data: dict) -> object:
    """`kb.vault`; else MkDocs' own `docs_dir` (a plain MkDocs project's Markdown folder); else vault/."""
    return section.get("vault") or data.get("docs_dir") or DEFAULT_VAULT


class _TolerantLoader(yaml.SafeLoader):
    """Loads mkdocs.yml even where it uses MkDocs' own tags (!ENV, !!python/name:...)."""


def _construct_unknown(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_TolerantLoader.add_multi_constructor("!", _construct_unknown)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _construct_unknown)


def _error(path: str, mark: yaml.Mark | None, code: str, message: str, hint: str = "") -> ConfigError:
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return ConfigError(Diagnostic(path, line, col, Severity.ERROR, code, message, hint))


def settings_for(config: Path | None, vault: Path | None, cwd: Path | None = None) -> Settings:
    """The settings of a command: `--config` and `--vault` as given (or None), found as
    `locate_config` says."""
    cwd = (cwd or Path.cwd()).resolve()
    config_path, use = locate_config(config, vault, cwd)
    return load_settings(config_path.parent, config_path.name, vault, output_root=cwd, use_file=use)


def load_settings(
    project_root: Path, config_name: str = CONFIG_NAME, vault: Path | None = None,
    output_root: Path | None = None, use_file: bool = True,
) -> Settings:
    """Read mkdocs.yml; a missing file (or `use_file=False`) means defaults, a bad setting is a
    ConfigError. `output_root`: where site/ and the cache go when there is no configuration
    (default: the folder it would be in)."""
    config_dir = project_root.resolve()
    config_path = config_dir / config_name
    exists = use_file and config_path.is_file()
    project_root = config_dir if exists or output_root is None else output_root.resolve()
    shown = _shown(config_path)
    text = config_path.read_text(encoding="utf-8") if exists else ""
    try:
        root = yaml.compose(text, Loader=_TolerantLoader)
        data = yaml.load(text, Loader=_TolerantLoader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _error(shown, mark, "config-yaml", f"mkdocs.yml is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise _error(shown, None, "config-type", "mkdocs.yml must be a mapping of settings")

    section_node, section_lines = None, None
    if isinstance(root, yaml.MappingNode):
        for index, (key, value) in enumerate(root.value):
            if key.value == SECTION:
                section_node = value
                next_key = root.value[index + 1][0] if index + 1 < len(root.value) else None
                end = next_key.start_mark.line if next_key else len(text.splitlines())
                section_lines = (key.start_mark.line, end)

    section = data.get(SECTION) or {}
    if not isinstance(section, dict):
        raise _error(shown, section_node.start_mark if section_node else None, "config-type",
                     f"`{SECTION}:` must be a mapping of settings")
    key_nodes = {k.value: k for k, _ in section_node.value} if isinstance(
        section_node, yaml.MappingNode) else {}
    for key, value in section.items():
        mark = key_nodes[key].start_mark if key in key_nodes else None
        if key not in KNOWN_KEYS:
            raise _error(shown, mark, "config-unknown",
                         f"unknown setting `{SECTION}.{key}`",
                         "known settings: " + ", ".join(sorted(KNOWN_KEYS)))
        if value is not None and not isinstance(value, KNOWN_KEYS[key]):
            raise _error(shown, mark, "config-type",
                         f"`{SECTION}.{key}` must be a {KNOWN_KEYS[key].__name__}")

    docs_dir = data.get("docs_dir")
    vault_dir = Path(vault or config_dir / (section.get("vault") or (
        docs_dir if isinstance(docs_dir, str) else DEFAULT_VAULT))).resolve()
    cache_dir = (project_root / (section.get("cache_dir") or ".kb-cache")).resolve()
    if cache_dir.is_relative_to(vault_dir) or vault_dir.is_relative_to(cache_dir):
        mark = key_nodes["cache_dir"].start_mark if "cache_dir" in key_nodes else None
        raise _error(shown, mark, "config-cache-in-vault",
                     f"the cache folder {cache_dir} overlaps the vault {vault_dir}",
                     "the compiler never writes into the vault: set kb.cache_dir outside it")
    raw_html = section.get("raw_html") or "sanitize"
    if raw_html not in MODES:
        raise _error(shown, key_nodes["raw_html"].start_mark, "config-type",
                     f"`{SECTION}.raw_html` must be one of: {', '.join(MODES)}",
                     "sanitize: note HTML is cleaned as Obsidian cleans it; trusted: kept as written")
    workers = section.get("workers") or 0
    if isinstance(workers, bool) or workers < 0:
        raise _error(shown, key_nodes["workers"].start_mark, "config-type",
                     f"`{SECTION}.workers` must be a whole number of processes, 0 or more",
                     "0: one per core (the default); 1: build in one process")
    ignore = section.get("ignore") or []
    if not all(isinstance(p, str) for p in ignore):
        raise _error(shown, key_nodes["ignore"].start_mark, "config-type",
                     f"`{SECTION}.ignore` must be a list of glob patterns")
    allow_hosts = section.get("allow_hosts") or []
    if not all(isinstance(h, str) and _HOST.match(h) for h in allow_hosts):
        raise _error(shown, key_nodes["allow_hosts"].start_mark, "config-type",
                     f"`{SECTION}.allow_hosts` must be a list of host names",
                     "for example [fonts.googleapis.com, fonts.gstatic.com]: no scheme, no path")
    executor = section.get("executor") or "local"
    if executor != "local":
        from .execute_dask import ExecutorError, scheduler_address  # light: dask is imported later

        try:
            scheduler_address(executor)
        except ExecutorError as exc:
            raise _error(shown, key_nodes["executor"].start_mark, "config-type", str(exc),
                         "the local pool is the default; a cluster: dask://HOST:PORT") from None
    engine = section.get("engine") or DEFAULT_ENGINE
    if engine not in ENGINES:
        raise _error(shown, key_nodes["engine"].start_mark, "config-type",
                     f"`{SECTION}.engine` must be one of: {', '.join(ENGINES)}",
                     "mkdocs (the default), properdocs or zensical: see docs/Configuration.md")
    code_root = config_dir if exists else vault_dir.parent
    if section.get("snippets"):
        snippets = (config_dir / section["snippets"]).resolve()
        if snippets.name != "snippets":
            raise _error(shown, key_nodes["snippets"].start_mark, "config-snippets",
                         f"`{SECTION}.snippets` names {snippets}, but blocks import the folder as "
                         "`snippets.*`", "name the folder snippets/ and point this setting at it")
        code_root = snippets.parent
    _check_output_settings(shown, root, data, tuple(allow_hosts))
    created, modified = _date_properties(shown, section.get("dates") or {},
                                         key_nodes.get("dates"))
    theme = data.get("theme")
    language = theme.get("language") if isinstance(theme, dict) else None
    site_dir = data.get("site_dir")
    return Settings(
        project_root=project_root,
        config_path=config_path,
        vault=vault_dir,
        site_name=str(data.get("site_name") or vault_dir.name or "Knowledge base"),
        ignore=tuple(ignore),
        home=section.get("home"),
        cache_dir=cache_dir,
        raw_html=raw_html,
        sandbox=section.get("sandbox") is not False,
        max_note_bytes=section.get("max_note_bytes") or 1_000_000,
        section_lines=section_lines,
        language=str(language) if language else guess_language(vault_dir),
        allow_hosts=tuple(allow_hosts),
        code_root=code_root,
        has_config=exists,
        site_dir=(project_root / (site_dir if isinstance(site_dir, str) else "site")).resolve(),
        created_properties=created,
        modified_properties=modified,
        publish_report=section.get("publish_report") is True,
        link_titles=section.get("link_titles") is not False,
        home_names=tuple(str(n) for n in section["home_names"]) if isinstance(
            section.get("home_names"), list) else Settings.home_names,
        executor=executor,
        workers=workers,
        site_url=data["site_url"] if isinstance(data.get("site_url"), str) and data["site_url"] else None,
        engine=engine,
    )


def _date_properties(shown: str, dates: dict, node: yaml.Node | None
                     ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`kb.dates: {created: [created, date], modified: updated}`: property names, in order."""
    found = []
    for key in ("created", "modified"):
        names = dates.get(key) or []
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise _error(shown, node.start_mark if node else None, "config-type",
                         f"`{SECTION}.dates.{key}` must be a property name or a list of them")
        found.append(tuple(names))
    unknown = set(dates) - {"created", "modified"}
    if unknown:
        raise _error(shown, node.start_mark if node else None, "config-unknown",
                     f"unknown setting `{SECTION}.dates.{sorted(unknown)[0]}`",
                     "known settings: created, modified")
    return found[0], found[1]


def _shown(path: Path) -> str:
    """A file as the user sees it from the folder they run in."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)


def _child(node: yaml.Node | None, key: str) -> tuple[yaml.Node | None, yaml.Node | None]:
    """(key node, value node) of `key` in a mapping node."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if getattr(key_node, "value", None) == key:
                return key_node, value_node
    return None, None


def _check_output_settings(shown: str, root: yaml.Node | None, data: dict,
                           allow_hosts: tuple[str, ...]) -> None:
    """Refuse the settings the compiler's output cannot live with, at their line and column:
    another theme than Material, and loads from another host that `kb.allow_hosts` does not
    name (Material's web fonts, stylesheets and scripts by URL)."""
    theme = data.get("theme")
    _, theme_node = _child(root, "theme")
    name = theme.get("name") if isinstance(theme, dict) else theme
    if name is not None and name != THEME:
        where = _child(theme_node, "name")[1] if isinstance(theme, dict) else theme_node
        raise _error(shown, where.start_mark if where else None, "config-theme",
                     f"theme `{name}`: kb publishes with MkDocs Material",
                     "its pages use Material's admonitions, tabs, search and navigation: "
                     "write `theme: material` or leave `theme` out")
    font = theme.get("font") if isinstance(theme, dict) else None
    if font not in (None, False) and not all(h in allow_hosts for h in FONT_HOSTS):
        key_node, _ = _child(theme_node, "font")
        raise _error(shown, key_node.start_mark if key_node else None, "config-offline",
                     "`theme.font` loads web fonts from Google Fonts: the site would not work offline",
                     "write `font: false`, or allow the hosts on purpose with "
                     f"`{SECTION}: allow_hosts: [{', '.join(FONT_HOSTS)}]`")
    for key in ("extra_css", "extra_javascript"):
        _, items = _child(root, key)
        for item in items.value if isinstance(items, yaml.SequenceNode) else ():
            url = item.value if isinstance(item, yaml.ScalarNode) else \
                _child(item, "path")[1].value if _child(item, "path")[1] is not None else ""
            host = urlsplit(url).hostname if "//" in url else None
            if host and host not in allow_hosts:
                raise _error(shown, item.start_mark, "config-offline",
                             f"`{key}` loads {url} from another host: the site would not work offline",
                             f"copy the file into the site, or allow the host on purpose with "
                             f"`{SECTION}: allow_hosts: [{host}]`")
