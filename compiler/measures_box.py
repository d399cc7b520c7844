"""The measures box under a note's title: where the note stands in the concept graph.

It shows the note's links in and out, its community, its importance and where it sits in the
reading order, each as a fact of the note itself that stays put when links change elsewhere,
so that a link edit rewrites only the pages whose own facts changed (an incremental rebuild
and a deploy then touch those pages only):

- the community is named after its centre (its member of highest PageRank), not numbered:
  numbers renumber whenever another community grows or shrinks;
- importance is a band ("top 5%", `analysis.importance_band`), not the exact rank, which
  shifts on nearly every link edit;
- the reading order, as the vault declares it (`prerequisites:`): the number of notes to
  read first and to read next (the closing sections, linked), or "a place to start" when the note
  declares that it builds on no other. A note that declares nothing is given no place.
"""

from __future__ import annotations

from . import messages
from .analysis import BANDS, GraphSummary, NoteMeasures, importance_band
from .markup import literal
from .parse import READ_BEFORE_ANCHOR, READ_NEXT_ANCHOR


def importance_text(measures: NoteMeasures, total: int) -> str:
    band = importance_band(measures.rank, total)
    words = messages.current()
    if band < len(BANDS):
        return words("measures.importance_top", share=BANDS[band])
    return words("measures.importance_bottom", share=1 - BANDS[-1])


def reading_text(measures: NoteMeasures) -> list[str]:
    words = messages.current()
    shown = []
    if measures.read_before:
        shown.append(f'<span><a href="#{READ_BEFORE_ANCHOR}">'
                     f'{words("measures.read_first", n=len(measures.read_before))}</a></span>')
    elif measures.declares_prerequisites:
        shown.append(f'<span>{words("measures.reading_start")}</span>')
    if measures.read_next:
        shown.append(f'<span><a href="#{READ_NEXT_ANCHOR}">'
                     f'{words("measures.read_next", n=len(measures.read_next))}</a></span>')
    return shown


def measures_box(measures: NoteMeasures, summary: GraphSummary) -> str:
    """A compact line of where the note stands in the graph, as raw HTML (kept out of search)."""
    words = messages.current()
    facts = [words("measures.links_in", n=measures.links_in),
             words("measures.links_out", n=measures.links_out)]
    if summary.community_size(measures.path) > 1:
        centre = summary.measures[measures.community_centre]
        facts.append(words("measures.cluster", title=centre.title))
    facts.append(importance_text(measures, len(summary.measures)))
    shown = [f"<span>{literal(fact)}</span>" for fact in facts]
    shown += reading_text(measures)
    if measures.orphan:
        shown.append(f'<span>{words("measures.orphan")}</span>')
    return f'<p class="kb-measures" data-search-exclude>{" · ".join(shown)}</p>\n\n'
