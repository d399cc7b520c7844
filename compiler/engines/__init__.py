"""The publish engines: what turns the staged folder into the site, chosen by `kb.engine`.

Every engine runs as a child process of `kb build` and `kb serve` (the compiler never imports
one) and speaks the same protocol on its stdin and stdout, one JSON line per update (see
`compiler.mkdocs_live`), so `compiler.publish.MkDocs` drives any of them. Each engine's own
internals stay in its child module:

- `mkdocs` (default): MkDocs 1.6 with Material, `compiler.mkdocs_live`;
- `properdocs`: ProperDocs, the maintained fork of MkDocs 1.6, with Material: the same
  `compiler.mkdocs_live`, run with ProperDocs standing in for the `mkdocs` package
  (`compiler.engines.properdocs_live`);
- `zensical`: Zensical, by Material's authors (Rust core, Python-Markdown): it reads a
  generated mkdocs.yml and runs no MkDocs plugins, so kb adds the security policy to the pages
  itself (`compiler.engines.zensical_live`). What it cannot do is in `Engine.limits`.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, Severity

DEFAULT = "mkdocs"


@dataclass(frozen=True)
class Limit:
    """Something an engine cannot do, and when a site asks for it."""

    feature: str  # "korean-search" (the site's language is Korean) or "link-previews" (site_url)
    message: str  # in words for the user


@dataclass(frozen=True)
class Engine:
    name: str  # as written in `kb.engine`
    label: str  # as shown to the user
    child: str  # the module the child process runs (`python -m`)
    package: str  # the import that tells whether it is installed
    install: str  # how to install it
    kb_search: bool = True  # whether the theme reads kb's search index (search/search_index.json)
    social: bool = True  # whether link previews (Open Graph, with site_url) are added
    limits: tuple[Limit, ...] = ()  # what it cannot do


ENGINES = {
    "mkdocs": Engine("mkdocs", "MkDocs", "compiler.mkdocs_live", "mkdocs",
                     "pip install kb-vault-compiler"),
    "properdocs": Engine("properdocs", "ProperDocs", "compiler.engines.properdocs_live",
                         "properdocs", "pip install 'kb-vault-compiler[properdocs]'"),
    "zensical": Engine(
        "zensical", "Zensical", "compiler.engines.zensical_live", "zensical",
        "pip install 'kb-vault-compiler[zensical]'", kb_search=False, social=False,
        limits=(Limit("korean-search", "search uses Zensical's own index: Korean words are "
                      "found from their start only (적분 does not find 몬테카를로적분), and a "
                      "note's aliases are not searched"),
                Limit("link-previews", "pages get no link previews (Open Graph and Twitter "
                      "meta) and no link to the feed, although site_url is set"))),
}


def engine_named(name: str) -> Engine:
    return ENGINES[name]


def missing(engine: Engine) -> str | None:
    """Why the engine cannot run here (not installed), or None."""
    if importlib.util.find_spec(engine.package) is None:
        return f"the publish engine {engine.label} is not installed: {engine.install}"
    return None


def limit_diagnostics(engine: Engine, config_path: Path, language: str, site_url: str | None
                      ) -> list[Diagnostic]:
    """A warning for each thing the site asks for (Korean search, link previews) that the
    engine cannot do, at the configuration."""
    asked = {"korean-search": language == "ko", "link-previews": bool(site_url)}
    return [Diagnostic(str(config_path), 0, 0, Severity.WARNING, "engine-limit",
                       f"publish engine {engine.label}: {limit.message}",
                       "the default engine, MkDocs (kb.engine: mkdocs), does this")
            for limit in engine.limits if asked[limit.feature]]
