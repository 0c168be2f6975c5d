"""End of support: which operating system (or firmware) a host runs, and whether its vendor still fixes it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .. import useryaml

EDITION_WORDS = ("home", "pro", "enterprise", "education", "ltsc", "ltsb", "iot")


@dataclass(frozen=True)
class Lifecycle:
    """What the table says of one host's system: its name, the end date, and how sure the match is."""

    name: str
    end: date
    sure: bool  # False: the build or edition was not known and the earliest row was taken
    as_of: str
    latest_end: date | None = None  # when not sure: the latest end among the rows it could be

    def ended(self, today: date) -> bool | None:
        """True past the end, False before it, None when the rows it could be disagree (check by hand)."""
        if self.sure or self.latest_end is None:
            return self.end < today
        if self.latest_end < today:
            return True
        return False if self.end >= today else None


@lru_cache(maxsize=4)
def releases(path: str | None = None) -> dict[str, dict[str, int]]:
    """Release names (23H2) to builds, per product ('windows 11'), from the table."""
    text = Path(path).read_text(encoding="utf-8-sig") if path else \
        (resources.files("wardwatch.vuln") / "data" / "eol.yml").read_text(encoding="utf-8")
    data = useryaml.load(text) or {}
    return {str(k).lower(): {str(r).lower(): int(b) for r, b in (v or {}).items()}
            for k, v in (data.get("releases") or {}).items()}


@lru_cache(maxsize=4)
def table(path: str | None = None) -> tuple[str, tuple[dict[str, Any], ...]]:
    """The shipped end-of-support table, or a user's own copy (same layout)."""
    text = Path(path).read_text(encoding="utf-8-sig") if path else \
        (resources.files("wardwatch.vuln") / "data" / "eol.yml").read_text(encoding="utf-8")
    data = useryaml.load(text) or {}
    rows = tuple(dict(r) for r in data.get("entries", []) if isinstance(r, dict))
    for r in rows:
        r["_re"] = re.compile(str(r["match"]), re.I)
        r["end"] = date.fromisoformat(str(r["end"]))
    return str(data.get("as_of", "")), rows


def _release_build(text: str, path: str | None) -> int | None:
    """The build a release name stands for ('windows 11 23h2' → 22631), when the table knows it."""
    m = re.search(r"\b(\d\dh[12])\b", text)
    if not m:
        return None
    for product, builds in releases(path).items():
        if re.search(r"\b" + r"\s*".join(map(re.escape, product.split())) + r"\b", text) and m.group(1) in builds:
            return builds[m.group(1)]
    return None


def _possible(rows: list[dict[str, Any]], build: int | None) -> list[dict[str, Any]]:
    """The rows a host whose edition is not given may be: any edition but the LTSC/IoT ones (which a host names),
    of its build when the build is known."""
    general = [r for r in rows if not r.get("editions") or set(r["editions"]) - {"ltsc", "ltsb", "iot"}]
    same = [r for r in general if r.get("build") == build] if build is not None else []
    return same or general


def lookup(os_text: str, version: str = "", path: str | None = None) -> Lifecycle | None:
    """The row for a host's OS text (e.g. 'Microsoft Windows 11 Pro', '10.0.22631'), or None if the table has none."""
    text = f"{os_text} {version}".lower()
    build_m = re.search(r"\b10\.0\.(\d{4,5})\b", text) or re.search(r"\bbuild\s*(\d{4,5})\b", text)
    build = int(build_m.group(1)) if build_m else _release_build(text, path)
    editions = {w for w in EDITION_WORDS if re.search(rf"\b{w}\b", text)}
    as_of, rows = table(path)
    candidates = [r for r in rows if r["_re"].search(text)]
    if not candidates:
        return None
    exact = [r for r in candidates if (r.get("build") is None or r.get("build") == build)
             and (not r.get("editions") or editions & set(r["editions"]))]
    # an LTSC/IoT row only for a host that says so; a plain row only when no edition row fits better
    if exact:
        best = next((r for r in exact if r.get("build") is not None and r.get("editions")), None) or \
            next((r for r in exact if r.get("build") is not None), None) or exact[0]
        sure = best.get("build") is None or build is not None
        if best.get("editions") and not editions:
            sure = False
        latest = None if sure else max(r["end"] for r in _possible(candidates, build))
        return Lifecycle(str(best["name"]), best["end"], sure, as_of, latest)
    plain = _possible(candidates, build)
    if not plain:
        return None
    earliest = min(plain, key=lambda r: r["end"])
    return Lifecycle(str(earliest["name"]), earliest["end"], False, as_of, max(r["end"] for r in plain))
