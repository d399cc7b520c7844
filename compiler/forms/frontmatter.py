"""Properties: the YAML front matter. Parsed into the note's properties; on the page they
are the properties box under the title (see compiler.properties), never the text."""

from __future__ import annotations

from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from .core import nothing


def plugin(md: MarkdownIt) -> None:
    md.use(front_matter_plugin)


BLOCK = {"front_matter": nothing}
