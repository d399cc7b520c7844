"""What every publish engine is told, whichever reads mkdocs.yml: the Markdown extensions the
staged pages are written for and the theme settings they rely on. Plain data, importable
without any engine (`compiler.mkdocs_runner` and `compiler.engines.zensical_live` apply it).
"""

from __future__ import annotations

# What the staged Markdown is written for; added when mkdocs.yml leaves one out
# (`compiler.outline`: the table of contents lists a note's headings as Obsidian's outline does;
# `compiler.readable_urls`: an address Python cannot split is text, not the end of the build;
# `compiler.offline`: an image Python-Markdown finds where the compiler saw none loads nothing;
# `compiler.long_paragraphs`: a long paragraph is read in segments, in linear time).
# Callouts are admonitions (folded ones details), tasks pymdownx tasks, bare URLs links as in
# Obsidian (magiclink), and `toc` gives any other Korean heading a readable id instead of _1.
REQUIRED_EXTENSIONS = ("attr_list", "md_in_html", "tables", "footnotes", "nl2br", "sane_lists",
                       "pymdownx.mark", "pymdownx.tilde", "compiler.outline", "admonition",
                       "pymdownx.details", "pymdownx.tasklist", "pymdownx.magiclink", "toc",
                       "compiler.readable_urls", "compiler.offline", "compiler.long_paragraphs")
# Material features the output relies on: without prune every page lists every page in its
# sidebar (200 s and 3 GB at 3,000 notes instead of 19 s).
REQUIRED_FEATURES = ("navigation.prune",)


def owned_theme(user_theme: object, language: str, web_fonts: bool) -> dict:
    """The user's theme with what the compiler needs: Material, no web fonts (unless the
    hosts are allowed in `kb.allow_hosts`), the site's language, the features above."""
    theme = {"name": user_theme} if isinstance(user_theme, str) else dict(user_theme or {})
    theme.setdefault("name", "material")
    if not web_fonts:
        theme.setdefault("font", False)
    theme.setdefault("language", language)
    features = list(theme.get("features") or [])
    theme["features"] = features + [f for f in REQUIRED_FEATURES if f not in features]
    return theme
