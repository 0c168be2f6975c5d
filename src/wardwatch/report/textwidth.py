"""How wide a text is drawn in the pictures' sans-serif font: an estimate on the wide side, so labels are never cut."""
from __future__ import annotations

import unicodedata

_NARROW = set("iljtfrI.,:;'|!()[] ")


def _em(ch: str) -> float:
    """One character's width in em."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch in _NARROW:
        return 0.34
    if ch in "MWmw@%":
        return 0.9
    if ch.isupper():
        return 0.7
    if ch.isdigit():
        return 0.6
    return 0.58


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of text at a font size, in the same units (bold drawn about 6% wider)."""
    return sum(_em(ch) for ch in text) * size * (1.06 if bold else 1.0)


def fit(text: str, size: float, room: float, bold: bool = False) -> str:
    """The text, or its start and '…' when it is wider than room."""
    if text_width(text, size, bold) <= room:
        return text
    out = text
    while out and text_width(out + "…", size, bold) > room:
        out = out[:-1]
    return out.rstrip() + "…"
