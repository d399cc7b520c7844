"""`kb init [VAULT]`: write a commented configuration for a vault, as `mkdocs new` does.

The file is the `mkdocs.yml` in the folder that holds the vault (see `config`), naming the
vault in its `kb:` section: the site name is the vault's folder name, the language the one its
notes are written in (the share of Hangul), and `site_url` is left for the user. An existing
file is never overwritten.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from .config import CONFIG_NAME, DEFAULT_VAULT, configured_vault, guess_language

TEMPLATE = """\
# The configuration of the vault {vault_shown}, written by `kb init`.
# kb reads it for `kb build --vault {vault_shown}` from anywhere, and for `kb build` run in
# this folder. Relative paths here are relative to this folder. Everything outside `kb:` is
# MkDocs' (https://www.mkdocs.org/user-guide/configuration/) and Material's
# (https://squidfunk.github.io/mkdocs-material/setup/); kb adds what its pages need
# (Markdown extensions, `theme.font: false`, its stylesheets and scripts).

site_name: {site_name}
# site_url: https://you.github.io/{slug}/   # set it before you publish (kb deploy)
# site_description: ...

theme:
  name: material
  language: {language}   # the interface's words (en or ko; guessed from your notes)
  # palette, features, logo, ... as in Material's documentation. Web fonts load from
  # Google: to use them, set `font:` here and list its hosts in kb.allow_hosts below.

# The compiler's own settings (MkDocs never sees this section).
kb:
  vault: {vault_setting}
  ignore: []   # glob patterns of vault files to leave out, e.g. ["Templates/**"]
  # home: Start here.md   # a note to show as the home page (default: an overview page)
  # snippets: snippets   # the folder executable blocks import as `snippets.*`
  # cache_dir: .kb-cache
  # allow_hosts: [fonts.googleapis.com, fonts.gstatic.com]   # loads allowed on purpose
"""


class InitError(Exception):
    """The configuration was not written; the message says why."""


@dataclass(frozen=True)
class Written:
    config: Path
    vault: Path
    language: str


def default_vault(cwd: Path) -> Path:
    """`vault/` here if there is one, else the folder you are in."""
    return cwd / DEFAULT_VAULT if (cwd / DEFAULT_VAULT).is_dir() else cwd


def render_config(vault: Path, config: Path, language: str) -> str:
    """The commented mkdocs.yml for `vault`, written at `config`."""
    relative = Path(_relative(vault, config.parent))
    return TEMPLATE.format(
        vault_shown=relative.as_posix() + "/",
        site_name=_scalar(vault.name),
        slug="".join(c if c.isascii() and c.isalnum() else "-" for c in vault.name.lower()).strip("-")
        or "notes",
        language=language,
        vault_setting=_scalar(relative.as_posix()),
    )


def init_vault(vault: Path, config: Path | None = None) -> Written:
    """Write the configuration of `vault` (default: the mkdocs.yml beside it)."""
    vault = vault.resolve()
    if not vault.is_dir():
        raise InitError(f"{vault} is not a folder: name your vault's folder")
    config = (config or vault.parent / CONFIG_NAME).resolve()
    if config.exists():
        named = configured_vault(config)
        if named == vault:
            raise InitError(f"{config} already configures {vault}; it is left as it was")
        raise InitError(f"{config} exists (it configures {named or 'no vault'}); it is left as it "
                        f"was: write the configuration elsewhere with --config FILE")
    if vault == config.parent or config.parent.is_relative_to(vault):
        raise InitError(f"{config} would be inside the vault; kb never writes into a vault")
    language = guess_language(vault)
    config.parent.mkdir(parents=True, exist_ok=True)
    with config.open("x", encoding="utf-8") as file:  # never overwrite, even in a race
        file.write(render_config(vault, config, language))
    return Written(config, vault, language)


def _relative(path: Path, start: Path) -> str:
    try:
        return path.relative_to(start).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, start)).as_posix()


def _scalar(text: str) -> str:
    """A YAML scalar: plain when it reads back as the same string, else double-quoted."""
    try:
        plain = yaml.safe_load(f"k: {text}")
    except yaml.YAMLError:
        plain = None
    return text if plain == {"k": text} else json.dumps(text, ensure_ascii=False)
