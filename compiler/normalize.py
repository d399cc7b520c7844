"""Unicode normalisation: macOS writes file names in NFD, everything else compares in NFC.
The compiler's own mark in the staged pages never comes from a note."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# Where the staged page may cut a long paragraph for Python-Markdown, which reads a paragraph
# in time that grows with the square of its length (see long_paragraphs). A Unicode
# noncharacter, for a program's internal use: a note's own is read as U+FFFD.
SEGMENT_BREAK = "\ufdd0"


def without_segment_breaks(text: str) -> str:
    return text.replace(SEGMENT_BREAK, "\ufffd")
