"""The MkDocs configuration kb publishes with: `load` reads mkdocs.yml for the publisher
(`compiler.mkdocs_live`, a child process of `kb build` and `kb serve`, so that the compiler
itself never imports mkdocs).

The compiler owns what its output needs: the Markdown extensions, theme settings and assets
its staged pages rely on are always added, merged with the user's own, so that a minimal
mkdocs.yml (`site_name: My Garden`, or none at all) renders like the bundled one. `defaults`
(`Settings.mkdocs_defaults`) fills in the site name and language where mkdocs.yml is silent.
"""

from __future__ import annotations

import io
from pathlib import Path

import pathspec
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils.yaml import yaml_load
from pymdownx.slugs import slugify
from pymdownx.superfences import fence_code_format

from . import csp, site_assets, social_meta
from .engines.owned import REQUIRED_EXTENSIONS, owned_theme
from .navigation import NOT_IN_NAV


def _add_mermaid_fence(config) -> None:
    """```mermaid blocks become `<pre class="mermaid">`, which Material draws (the Material
    way: a superfences custom fence), unless mkdocs.yml defines that fence itself."""
    if "pymdownx.superfences" not in config.markdown_extensions:
        config.markdown_extensions.append("pymdownx.superfences")
    fences = config.mdx_configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
    if not any(fence.get("name") == "mermaid" for fence in fences):
        fences.append({"name": "mermaid", "class": "mermaid", "format": fence_code_format})


def load(config_path: Path, docs_dir: str, site_dir: str, start: int, end: int,
         defaults: dict | None = None) -> MkDocsConfig:
    """mkdocs.yml without the `kb:` section, with what the staged Markdown needs added.
    Raises MkDocsException when MkDocs refuses the configuration."""
    defaults = defaults or {}
    read = defaults.get("read_config", True) and config_path.is_file()
    lines = config_path.read_text(encoding="utf-8").splitlines(keepends=True) if read else []
    if start >= 0:
        del lines[start:end]  # the compiler's own `kb:` section, unknown to MkDocs
    text = "".join(lines)
    user = yaml_load(text) if text.strip() else {}
    user = user if isinstance(user, dict) else {}
    owned: dict = {"theme": owned_theme(user.get("theme"), defaults.get("language", "en"),
                                        bool(defaults.get("web_fonts")))}
    if not user.get("site_name"):
        owned["site_name"] = defaults.get("site_name") or config_path.parent.name
    config_file = io.StringIO(text)
    config_file.name = str(config_path)  # relative paths in it stay relative to its folder
    # Not strict: a warning about one note must not stop the build; publish reports
    # every warning as a diagnostic instead.
    config = load_config(config_file, docs_dir=docs_dir, site_dir=site_dir, strict=False, **owned)
    for name in REQUIRED_EXTENSIONS:
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
    # Footnotes are numbered in reading order, as Obsidian numbers them.
    config.mdx_configs.setdefault("footnotes", {}).setdefault("USE_DEFINITION_ORDER", False)
    toc = config.mdx_configs.setdefault("toc", {})
    toc.setdefault("permalink", True)
    toc.setdefault("slugify", slugify(case="lower"))
    _add_mermaid_fence(config)
    # The compiler's generated pages (the build report) are linked, not listed in the navigation.
    # So are the notes of big folders, which their folder page lists (`compiler.navigation`).
    collapsed = Path(docs_dir) / NOT_IN_NAV
    big_folders = collapsed.read_text(encoding="utf-8").splitlines() if collapsed.is_file() else []
    own = pathspec.GitIgnoreSpec.from_lines([f"/{site_assets.ASSET_DIR}/", *big_folders])
    config.not_in_nav = own + config.not_in_nav if config.not_in_nav else own
    present = site_assets.staged(Path(docs_dir))  # a feature no page uses was not staged
    config.extra_css.extend(p for p in site_assets.stylesheets(present) if p not in config.extra_css)
    config.extra_javascript.extend(p for p in site_assets.scripts(present)
                                   if p not in config.extra_javascript)
    config.plugins["kb/social"] = social_meta  # link previews in other apps, with site_url
    config.plugins["kb/csp"] = csp  # last: it reads each page's final HTML
    return config
