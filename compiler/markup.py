"""Small pieces of the staged Markdown that every page writer shares (render, properties,
the tags page, the graph page): text shown literally, relative URLs between staged files, a
page's front matter and title. Pure functions; nothing here knows about notes or links.
"""

from __future__ import annotations

import html
import posixpath
import re
from functools import lru_cache
from urllib.parse import quote

import yaml

from .normalize import without_segment_breaks
from .parse import TITLE_ANCHOR

# The class of the box an embedded note or section is drawn in (an admonition's type); the
# table of contents leaves out the headings inside it (see outline).
EMBED_CLASS = "kb-embed"
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!|~=^$<>&:\"']")


# The names of a vault's own home note at its root, first found first (kb.home_names): it is
# the site's home page instead of a generated one.
HOME_NAMES = ("index", "README", "Home", "홈")


def literal(text: str) -> str:
    """Text that Python-Markdown shows exactly as given (no markup, no HTML)."""
    return without_segment_breaks(_MARKDOWN_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", text))


def page_address(staged: str) -> str:
    """The address MkDocs gives a staged page: `a/b.md` -> `a/b`, `a/index.md` -> `a`
    (README.md counts as an index too)."""
    folder, _, name = staged.removesuffix(".md").rpartition("/")
    return folder if name in ("index", "README") else staged.removesuffix(".md")


@lru_cache(maxsize=65536)
def relative(from_folder: str, to_path: str) -> str:
    """The percent-encoded relative path from a folder of the stage to a staged file."""
    return quote(posixpath.relpath(to_path, from_folder or "."), safe="/")


def url(from_page: str, to_path: str, anchor: str | None = None) -> str:
    """Relative URL from one staged page to a staged file, as MkDocs expects (`../x.md#id`)."""
    fragment = f"#{anchor}" if anchor else ""
    if to_path == from_page:
        return fragment or quote(posixpath.basename(to_path))
    return relative(posixpath.dirname(from_page), to_path) + fragment


@lru_cache(maxsize=65536)  # one YAML dump per page costs a fifth of the render stage
def front_matter(title: str) -> str:
    """The page's front matter: its title."""
    # MkDocs and Material put the page title into the navigation as HTML: escaped, a note
    # named `<img src=x onerror=...>` is shown as its name.
    return "---\n" + yaml.safe_dump({"title": html.escape(title, quote=False)},
                                     allow_unicode=True) + "---\n\n"


def with_front_matter(page: str, extra: dict) -> str:
    """A staged page with keys added to its front matter (read and written as YAML)."""
    if not page.startswith("---\n"):
        return "---\n" + yaml.safe_dump(extra, allow_unicode=True) + "---\n\n" + page
    end = page.index("\n---\n", 3)
    data = yaml.safe_load(page[4:end + 1]) or {}
    data.update(extra)
    return "---\n" + yaml.safe_dump(data, allow_unicode=True) + page[end + 1:]


def title_heading(title: str) -> str:
    """The page's title as its first heading, with the id links and previews use."""
    return f"# {literal(title)} {{ #{TITLE_ANCHOR} }}"


def task_marker(mark: str) -> str:
    """A task item's marker `[c]` for a character c other than space and x, which
    pymdownx.tasklist does not know: a done task (as Obsidian counts it) that keeps its
    character, shown and styled by kb.css through `data-task` as Obsidian's themes do."""
    return (f'[x] <span class="kb-task" data-task="{html.escape(mark, quote=True)}">'
            f"&#{ord(mark)};</span>")
