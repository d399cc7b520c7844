"""What makes the site read well beyond a note's own text: the pages kb generates to find notes
(the home page it writes, the tags page, the graph page, folder pages) rank below the notes
in search, so that a query finds the concept note before a page that only lists it.
"""

from __future__ import annotations

from dataclasses import replace

from .markup import with_front_matter
from .render import Stage
from .site_assets import ASSET_DIR

INDEX_PAGE_BOOST = 0.2  # Material's `search.boost` of a generated page (a note's is 1)


def index_pages(stage: Stage) -> list[str]:
    """The staged pages that are no note: the pages kb generates to find notes."""
    notes = set(stage.placed.values())
    return sorted(p for p in stage.pages if p not in notes and p.endswith(".md")
                  and p.split("/", 1)[0] != ASSET_DIR)


def rank_index_pages_lower(stage: Stage, boost: float = INDEX_PAGE_BOOST) -> Stage:
    pages = dict(stage.pages)
    for page in index_pages(stage):
        pages[page] = with_front_matter(pages[page], {"search": {"boost": boost}})
    return replace(stage, pages=pages)
