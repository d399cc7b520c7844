"""The project configuration: the root mkdocs.yml, with the compiler's own `kb:` section.

Only reads; MkDocs itself validates everything outside `kb:` when the site is published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .diagnostics import ConfigError, Diagnostic, Severity
from .sanitize import MODES, RawHtml

SECTION = "kb"


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


KNOWN_KEYS = {"vault": str, "ignore": list, "home": str, "cache_dir": str, "raw_html": str,
              "sandbox": bool, "max_note_bytes": int}


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


def load_settings(
    project_root: Path, config_name: str = "mkdocs.yml", vault: Path | None = None
) -> Settings:
    """Read mkdocs.yml; a missing file means defaults, a bad `kb:` section is a ConfigError."""
    project_root = project_root.resolve()
    config_path = project_root / config_name
    shown = config_name
    text = config_path.read_text(encoding="utf-8") if config_path.exists() else ""
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

    vault_dir = Path(vault or project_root / (section.get("vault") or "vault")).resolve()
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
    ignore = section.get("ignore") or []
    if not all(isinstance(p, str) for p in ignore):
        raise _error(shown, key_nodes["ignore"].start_mark, "config-type",
                     f"`{SECTION}.ignore` must be a list of glob patterns")
    return Settings(
        project_root=project_root,
        config_path=config_path,
        vault=vault_dir,
        site_name=str(data.get("site_name") or "Knowledge base"),
        ignore=tuple(ignore),
        home=section.get("home"),
        cache_dir=cache_dir,
        raw_html=raw_html,
        sandbox=section.get("sandbox") is not False,
        max_note_bytes=section.get("max_note_bytes") or 1_000_000,
        section_lines=section_lines,
    )
