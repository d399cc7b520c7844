"""Math as readable plain text, for where MathML cannot be drawn (search results): the MathML
that `forms.math` writes, read as a tree and written in one line, as one types math in a
plain-text message: `P(a ≤ X ≤ b) = ∫_a^b p(x)dx`, `ŷ`, `(a + b)/2`, `√(x)`.
"""

from __future__ import annotations

import re
import unicodedata
from xml.etree import ElementTree as ET

# Accents over a letter: the combining mark that draws the same (\hat{y} -> ŷ).
_ACCENTS = {"^": "\u0302", "ˆ": "\u0302", "~": "\u0303", "˜": "\u0303", "¯": "\u0304",
            "‾": "\u0305", "˙": "\u0307", "¨": "\u0308", "→": "\u20d7", "⃗": "\u20d7"}
_SPACED = frozenset("=≠≈≡<>≤≥∈∉⊂⊆→←↔⇒⇔∝∼≃+−±×÷·")
_BIG = frozenset("∫∬∭∮∑∏⋃⋂")


def _name(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _grouped(text: str) -> str:
    """A script or a fraction's part: in brackets unless it is one symbol or one word."""
    return text if len(text) <= 1 or re.fullmatch(r"\w+", text) else f"({text})"


def linear(element: ET.Element) -> str:
    """The element's math in one line of text."""
    name = _name(element)
    parts = [linear(child) for child in element]
    if name in ("mi", "mn", "mtext", "ms"):
        return element.text or ""
    if name == "mo":
        symbol = (element.text or "").strip()
        return f" {symbol} " if symbol in _SPACED else symbol
    if name == "mspace":
        return " "
    if name == "annotation" or name == "annotation-xml":
        return ""
    if name == "semantics":
        return parts[0] if parts else ""
    if name == "mfrac" and len(parts) == 2:
        return f"{_grouped(parts[0].strip())}/{_grouped(parts[1].strip())}"
    if name in ("msub", "munder") and len(parts) == 2:
        return _scripted(parts[0], "_" + _grouped(_tight(parts[1])))
    if name == "msup" and len(parts) == 2:
        return _scripted(parts[0], "^" + _grouped(_tight(parts[1])))
    if name == "mover" and len(parts) == 2:
        accent = parts[1].strip()
        if accent in _ACCENTS and len(parts[0].strip()) == 1:
            return parts[0].strip() + _ACCENTS[accent]
        return _scripted(parts[0], "^" + _grouped(accent))
    if name in ("msubsup", "munderover") and len(parts) == 3:
        return _scripted(parts[0], f"_{_grouped(_tight(parts[1]))}^{_grouped(_tight(parts[2]))}")
    if name == "msqrt":
        return f"√{_grouped(''.join(parts).strip())}"
    if name == "mroot" and len(parts) == 2:
        return f"√[{parts[1].strip()}]{_grouped(parts[0].strip())}"
    if name == "mtr":
        return ", ".join(p.strip() for p in parts)
    if name == "mtable":
        return "; ".join(p.strip() for p in parts)
    return "".join(parts)


def _tight(script: str) -> str:
    """A script without spaces: `_(i=1)`, read as one piece."""
    return "".join(script.split())


def _scripted(base: str, scripts: str) -> str:
    """A base with its scripts; a big operator (∫, ∑) is followed by a space."""
    return base.strip() + scripts + (" " if base.strip() in _BIG else "")


def math_text(element: ET.Element) -> str:
    """The text of a `<math>` element, its spaces tidied."""
    text = re.sub(r"\s+", " ", linear(element)).strip().replace("( ", "(").replace(" )", ")")
    return unicodedata.normalize("NFC", text)  # y + combining hat -> ŷ
