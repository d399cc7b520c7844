"""Which optional features the pages of a site use, so that the site carries only the browser
libraries it needs (`site_assets.needed`): Mermaid for a ```mermaid diagram, the graph
libraries for the graph page and the local graphs.
"""

from __future__ import annotations

from collections.abc import Iterable

from .parse import Note, parse_tokens
from .site_assets import GRAPH_FEATURE, MERMAID_FEATURE

MERMAID_FENCE = "mermaid"  # the fence's language, as Obsidian and Material read it


def draws_mermaid(note: Note) -> bool:
    """Whether the note holds a ```mermaid block: read from its syntax tree, after a quick look
    at its text spares the notes that never say the word."""
    if MERMAID_FENCE not in note.source.casefold():
        return False
    return any(token.type == "fence" and token.info.strip().split()[:1] == [MERMAID_FENCE]
               for token in parse_tokens(note.source))


def used_features(notes: Iterable[Note], has_graph: bool) -> frozenset[str]:
    """The features the site's pages use."""
    used = {GRAPH_FEATURE} if has_graph else set()
    if any(draws_mermaid(note) for note in notes):
        used.add(MERMAID_FEATURE)
    return frozenset(used)
