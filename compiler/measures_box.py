"""The measures box under a note's title: where the note stands in the concept graph.

It shows the note's links in and out, its community, its importance and where it sits in the
reading order, each as a fact of the note itself that stays put when links change elsewhere,
so that a link edit rewrites only the pages whose own facts changed (an incremental rebuild
and a deploy then touch those pages only):

- the community is named after its centre (its member of highest PageRank), not numbered:
  numbers renumber whenever another community grows or shrinks;
- importance is a band ("상위 5%", `analysis.importance_band`), not the exact rank, which
  shifts on nearly every link edit;
- the reading order, as the vault declares it (`prerequisites:`): the number of notes to
  read first and to read next (the closing sections, linked), or "읽기 시작점" when the note
  declares that it builds on no other. A note that declares nothing is given no place.
"""

from __future__ import annotations

from .analysis import BANDS, GraphSummary, NoteMeasures, importance_band
from .markup import literal
from .parse import READ_BEFORE_ANCHOR, READ_NEXT_ANCHOR


def importance_text(measures: NoteMeasures, total: int) -> str:
    band = importance_band(measures.rank, total)
    if band < len(BANDS):
        return f"중요도 상위 {BANDS[band]:.0%}"
    return f"중요도 하위 {1 - BANDS[-1]:.0%}"


def reading_text(measures: NoteMeasures) -> list[str]:
    shown = []
    if measures.read_before:
        shown.append(f'<span><a href="#{READ_BEFORE_ANCHOR}">먼저 읽을 노트 '
                     f"{len(measures.read_before)}개</a></span>")
    elif measures.declares_prerequisites:
        shown.append("<span>읽기 시작점</span>")
    if measures.read_next:
        shown.append(f'<span><a href="#{READ_NEXT_ANCHOR}">다음에 읽을 노트 '
                     f"{len(measures.read_next)}개</a></span>")
    return shown


def measures_box(measures: NoteMeasures, summary: GraphSummary) -> str:
    """A compact line of where the note stands in the graph, as raw HTML (kept out of search)."""
    facts = [f"들어오는 링크 {measures.links_in}", f"나가는 링크 {measures.links_out}"]
    if summary.community_size(measures.path) > 1:
        centre = summary.measures[measures.community_centre]
        facts.append(f"묶음 ‘{centre.title}’")
    facts.append(importance_text(measures, len(summary.measures)))
    shown = [f"<span>{literal(fact)}</span>" for fact in facts]
    shown += reading_text(measures)
    if measures.orphan:
        shown.append("<span>고립된 노트</span>")
    return f'<p class="kb-measures" data-search-exclude>{" · ".join(shown)}</p>\n\n'
