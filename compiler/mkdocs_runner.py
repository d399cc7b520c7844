"""Runs MkDocs on the staged folder. Executed as a child process by `publish`, so that the
compiler itself never imports mkdocs (its successors read mkdocs.yml but not plugins).

    python -m compiler.mkdocs_runner CONFIG DOCS_DIR SITE_DIR SECTION_START SECTION_END
"""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import pathspec
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException
from pymdownx.superfences import fence_code_format

from . import csp, site_assets

# What the staged Markdown is written for; added when mkdocs.yml leaves one out
# (`compiler.outline`: the table of contents lists a note's headings as Obsidian's outline does;
# `compiler.offline`: an image Python-Markdown finds where the compiler saw none loads nothing).
REQUIRED_EXTENSIONS = ("attr_list", "md_in_html", "tables", "footnotes", "nl2br", "sane_lists",
                       "pymdownx.mark", "pymdownx.tilde", "compiler.outline", "compiler.offline")


def _add_mermaid_fence(config) -> None:
    """```mermaid blocks become `<pre class="mermaid">`, which Material draws (the Material
    way: a superfences custom fence), unless mkdocs.yml defines that fence itself."""
    if "pymdownx.superfences" not in config.markdown_extensions:
        config.markdown_extensions.append("pymdownx.superfences")
    fences = config.mdx_configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
    if not any(fence.get("name") == "mermaid" for fence in fences):
        fences.append({"name": "mermaid", "class": "mermaid", "format": fence_code_format})


def load(config_path: Path, docs_dir: str, site_dir: str, start: int, end: int) -> MkDocsConfig:
    """mkdocs.yml without the `kb:` section, with what the staged Markdown needs added.
    Raises MkDocsException when MkDocs refuses the configuration."""
    lines = config_path.read_text(encoding="utf-8").splitlines(keepends=True)
    if start >= 0:
        del lines[start:end]  # the compiler's own `kb:` section, unknown to MkDocs
    config_file = io.StringIO("".join(lines))
    config_file.name = str(config_path)  # relative paths in it stay relative to the project
    # Not strict: a warning about one note must not stop the build; publish reports
    # every warning as a diagnostic instead.
    config = load_config(config_file, docs_dir=docs_dir, site_dir=site_dir, strict=False)
    for name in REQUIRED_EXTENSIONS:
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
    # Footnotes are numbered in reading order, as Obsidian numbers them.
    config.mdx_configs.setdefault("footnotes", {}).setdefault("USE_DEFINITION_ORDER", False)
    _add_mermaid_fence(config)
    # The compiler's generated pages (the build report) are linked, not listed in the navigation.
    own = pathspec.GitIgnoreSpec.from_lines([f"/{site_assets.ASSET_DIR}/"])
    config.not_in_nav = own + config.not_in_nav if config.not_in_nav else own
    config.extra_css.extend(p for p in site_assets.stylesheets() if p not in config.extra_css)
    config.extra_javascript.extend(p for p in site_assets.scripts() if p not in config.extra_javascript)
    config.plugins["kb/csp"] = csp  # last: it reads each page's final HTML
    return config


def log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("mkdocs: %(levelname)s: %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)


def main(argv: list[str]) -> int:
    config_path, docs_dir, site_dir = Path(argv[0]), argv[1], argv[2]
    start, end = int(argv[3]), int(argv[4])
    log_to_stderr()
    if not config_path.exists():
        print(f"mkdocs: ERROR: {config_path} does not exist: the site needs its configuration",
              file=sys.stderr)
        return 1
    try:
        build(load(config_path, docs_dir, site_dir, start, end))
    except MkDocsException as exc:
        print(f"mkdocs: ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
