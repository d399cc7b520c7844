"""Navigation of big folders: a folder of 3,000 notes costs each of its pages no more than a
folder of 30.

MkDocs Material draws, on every page, the pages of the page's own folder in the sidebar
(even with `navigation.prune`): a folder of n notes costs n links on each of its n pages,
so big folders (people, plugins, daily notes, clippings) make the build quadratic. A folder
holding more than `BIG_FOLDER` pages of its own is therefore collapsed: it gets a folder
page listing its notes (its `index.md` when that address is free), which stays in the
navigation, while the notes themselves are left out of it (MkDocs' `not_in_nav`). They are
still built, searched and linked; their sidebar shows the sections above them.

The compiler decides, the MkDocs runner applies: the patterns go into the staged folder
as `NOT_IN_NAV` (gitignore lines, as `not_in_nav` takes them).
"""

from __future__ import annotations

import itertools
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import replace

from pathspec.patterns import GitWildMatchPattern

from . import messages
from .markup import front_matter, literal, title_heading, url
from .render import Stage, page_address
from .site_assets import ASSET_DIR

# Pages of its own a folder may have before it is collapsed: a folder of study notes keeps
# its sidebar, and no page's sidebar lists more than this many siblings.
BIG_FOLDER = 100
NOT_IN_NAV = f"{ASSET_DIR}/not-in-nav.txt"
LISTING_NAMES = ("index.md", "notes.md")  # the folder page's name, the first one free
_INDEX_NAMES = frozenset({"index.md", "README.md"})


def folder_pages(pages: Iterable[str]) -> dict[str, list[str]]:
    """The Markdown pages of each folder of the stage (its own, not its subfolders'),
    index pages and the compiler's assets left out."""
    folders: dict[str, list[str]] = {}
    for page in pages:
        folder, _, name = page.rpartition("/")
        if not page.endswith(".md") or name in _INDEX_NAMES or \
                page.split("/", 1)[0] == ASSET_DIR:
            continue
        folders.setdefault(folder, []).append(page)
    return folders


def _listing_path(folder: str, taken: set[str]) -> str:
    """The folder page's path: the first of LISTING_NAMES (then notes-2.md ...) whose
    address no page has (`a.md` and `a/index.md` share the address `a`)."""
    prefix = f"{folder}/" if folder else ""
    names = itertools.chain(LISTING_NAMES, (f"notes-{n}.md" for n in itertools.count(2)))
    return next(f"{prefix}{name}" for name in names
                if page_address(f"{prefix}{name}").casefold() not in taken)


def _listing(folder: str, listing: str, members: list[str], titles: Mapping[str, str]) -> str:
    words = messages.current()
    name = posixpath.basename(folder) or words("navigation.notes")
    ordered = sorted(members, key=lambda p: (titles.get(p, p).casefold(), p))
    lines = [front_matter(name) + title_heading(name), "",
             literal(words("navigation.folder_summary", n=len(members))), ""]
    lines += [f"- [{literal(titles.get(p, posixpath.basename(p).removesuffix('.md')))}]"
              f"({url(listing, p)})" for p in ordered]
    return "\n".join(lines) + "\n"


def _patterns(folder: str, kept: Iterable[str]) -> list[str]:
    """gitignore lines: every page right in `folder` out of the navigation, but `kept`."""
    prefix = f"/{GitWildMatchPattern.escape(folder)}" if folder else ""
    return [f"{prefix}/*.md", *(f"!/{GitWildMatchPattern.escape(page)}" for page in kept)]


def listing_paths(pages: Iterable[str], big: int | None = None) -> dict[str, str]:
    """The folder page of each folder of more than `big` pages (BIG_FOLDER), by folder."""
    big = BIG_FOLDER if big is None else big
    pages = list(pages)
    taken = {page_address(p).casefold() for p in pages}
    listings = {}
    for folder, members in sorted(folder_pages(pages).items()):
        if len(members) > big:
            listings[folder] = _listing_path(folder, taken)
            taken.add(page_address(listings[folder]).casefold())
    return listings


def collapse_big_folders(stage: Stage, titles: Mapping[str, str], big: int | None = None
                         ) -> Stage:
    """The stage with a folder page for each folder of more than `big` pages and the
    patterns that leave those folders' notes out of the navigation. `titles`: the title
    of each staged note page; `big` defaults to BIG_FOLDER. Linear in the number of pages."""
    lines: list[str] = []
    added: dict[str, str] = {}
    listings = listing_paths(stage.pages, big)
    for folder, members in sorted(folder_pages(stage.pages).items()):
        if folder not in listings:
            continue
        listing = listings[folder]
        added[listing] = _listing(folder, listing, members, titles)
        prefix = f"{folder}/" if folder else ""
        kept = [listing, *(f"{prefix}{n}" for n in sorted(_INDEX_NAMES)
                           if f"{prefix}{n}" in stage.pages)]
        lines += _patterns(folder, kept)
    if not added:
        return stage
    blob = ("\n".join(lines) + "\n").encode("utf-8")
    return replace(stage, pages={**stage.pages, **added},
                   blobs={**stage.blobs, NOT_IN_NAV: blob})
