"""Unicode normalisation: macOS writes file names in NFD, everything else compares in NFC."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
