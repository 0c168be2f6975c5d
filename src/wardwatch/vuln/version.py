"""Version numbers and ranges: comparison of firmware and product versions, and ranges read from feed text (ja, en)."""
from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\d+|[a-z]+")
KEY_LENGTH = 16
_PREFIX = re.compile(r"^(?:version|ver\.?|rev\.?|v|r)\s*", re.I)
# a version in free text: dotted numbers (7.2.4, 15.02.29, 6.0.0b1), or a bare number right after "version"/"Rev."
VERSION_IN_TEXT = re.compile(r"(?<![\w.])(?:v|rev\.?\s*|r)?(\d+(?:\.\d+)+(?:[a-z]+\d+(?:\.\d+)*)?(?:[-_]?[a-z]+\d*)?)(?![\w.])",
                             re.I)
_BARE = re.compile(r"(?:version|ver\.?|rev\.?|バージョン)\s*(\d+)(?![\w.])", re.I)


def _parts(version: str) -> list[tuple[int, int, str]]:
    text = _PREFIX.sub("", version.strip().lower())
    return [(1, int(tok), "") if tok.isdigit() else (0, 0, tok) for tok in _TOKEN.findall(text)]


def key(version: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key: numbers compare as numbers, letters (beta, rc) sort below the release they precede
    (6.0.0b1 < 6.0.0 == 6.0 < 6.0.1): every key is padded with zeros to the same length."""
    parts = _parts(version)[:KEY_LENGTH]
    return tuple(parts + [(1, 0, "")] * (KEY_LENGTH - len(parts)))


def valid(version: str | None) -> bool:
    return bool(version and any(t.isdigit() for t in _TOKEN.findall(str(version).lower())))


@dataclass(frozen=True)
class Range:
    """Affected versions: from `start` (inclusive) up to `end` (inclusive unless end_excl); None means open."""

    start: str | None = None
    end: str | None = None
    end_excl: bool = False
    text: str = ""  # the feed's own words, shown to the user
    branch: str | None = None  # "1.2 all versions": every version that starts 1.2

    def contains(self, version: str) -> bool:
        if self.branch is not None:
            b = _parts(self.branch)
            return _parts(version)[:len(b)] == b
        v = key(version)
        if self.start is not None and v < key(self.start):
            return False
        if self.end is not None:
            e = key(self.end)
            if v > e or (self.end_excl and v == e):
                return False
        return True


ALL = Range(text="all versions")

# patterns tried in order on one affected-version text; {v} is a version
_RANGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"{v}\s*(?:から|～|〜|~|-|–|through|thru|to)\s*{v}\s*(?:まで|を含む)?"), "between"),
    (re.compile(r"(?:prior to|before|earlier than|older than)\s*{v}|{v}\s*(?:より前|未満)"), "below"),
    (re.compile(r"{v}\s*(?:およびそれ以前|及びそれ以前|以前|and earlier|and prior|and older|or earlier|or older)|"
                r"(?:up to(?: and including)?|through)\s*{v}"), "upto"),
    (re.compile(r"{v}\s*(?:およびそれ以降|以降|and later|or later|and newer|or newer)|(?:from)\s*{v}"), "from"),
]
_V = r"(?:version\s*|ver\.?\s*|rev\.?\s*|v)?(\d+(?:\.\d+)+(?:[a-z]+\d+(?:\.\d+)*)?(?:[-_]?[a-z]+\d*)?)"
_RANGES = [(re.compile(p.pattern.replace("{v}", _V), re.I), kind) for p, kind in _RANGES]
_ALL = re.compile(r"all versions|全てのバージョン|すべてのバージョン|全バージョン", re.I)
_BRANCH_ALL = re.compile(r"(\d+(?:\.\d+)*)(?:\.x)?\s*(?:all versions|全てのバージョン|すべてのバージョン|全バージョン)", re.I)


def parse_ranges(text: str) -> list[Range] | None:
    """The affected ranges a feed's text states, or None when it states none that can be read (check by hand)."""
    text = " ".join(str(text).split())
    if not text:
        return None
    if _ALL.search(text):
        branch = _BRANCH_ALL.search(text)
        return [Range(text=text, branch=branch.group(1) if branch else None)]
    out: list[Range] = []
    rest = text
    for pattern, kind in _RANGES:
        for m in pattern.finditer(rest):
            a, b = (m.group(1), m.group(2)) if kind == "between" else (m.group(1) or m.group(2), None)
            if kind == "between":
                out.append(Range(a, b, text=text))
            elif kind == "below":
                out.append(Range(None, a, end_excl=True, text=text))
            elif kind == "upto":
                out.append(Range(None, a, text=text))
            else:
                out.append(Range(a, None, text=text))
        rest = pattern.sub(" ", rest)
    for m in VERSION_IN_TEXT.finditer(rest):  # a single version named on its own
        out.append(Range(m.group(1), m.group(1), text=text))
    for m in _BARE.finditer(rest):
        out.append(Range(m.group(1), m.group(1), text=text))
    return out or None
