"""Formats times, durations, lists and text templates for people, in Japanese or English."""
from __future__ import annotations

import re
import string
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .model import Text


def as_utc(value: datetime | None) -> datetime | None:
    """DuckDB gives naive UTC timestamps; make them timezone-aware."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local_time(value: datetime | None, tz: str) -> str:
    """'2022-10-31 04:07:14 JST': always with the zone."""
    if value is None:
        return "-"
    return as_utc(value).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S %Z")  # type: ignore[union-attr]


def iso_local(value: datetime | None, tz: str) -> str | None:
    """ISO 8601 with offset, in the report's zone (the JSON contract)."""
    if value is None:
        return None
    return as_utc(value).astimezone(ZoneInfo(tz)).isoformat()  # type: ignore[union-attr]


def duration(seconds: float, lang: str) -> str:
    """'5時間24分' / '5 h 24 min'."""
    seconds = max(0, int(round(seconds)))
    d, rem = divmod(seconds, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    if lang == "en":
        parts = [f"{d} d" if d else "", f"{h} h" if h else "", f"{m} min" if m else "", f"{s} s" if s and not d else ""]
    else:
        parts = [f"{d}日" if d else "", f"{h}時間" if h else "", f"{m}分" if m else "", f"{s}秒" if s and not d else ""]
    out = (" " if lang == "en" else "").join(p for p in parts if p)
    return out or ("0 s" if lang == "en" else "0秒")


def join(items: list[Any] | None, lang: str, limit: int = 8, empty: Text | None = None) -> str:
    """A short, readable list: 'a, b, c ほか 4 件'."""
    values = [str(i) for i in (items or []) if i not in (None, "")]
    if not values:
        return (empty or Text("不明", "unknown")).get(lang)
    head = ", ".join(values[:limit]) if lang == "en" else "、".join(values[:limit])
    rest = len(values) - limit
    if rest > 0:
        head += f" and {rest} more" if lang == "en" else f" ほか {rest} 件"
    return head


class _Facts(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "-"


def render(template: str, facts: dict[str, Any]) -> str:
    """Fill a rule's text template; unknown fields show as '-' instead of failing."""
    return string.Formatter().vformat(template, (), _Facts(facts)).strip()


def delta_seconds(first: datetime | None, last: datetime | None) -> float:
    if first is None or last is None:
        return 0.0
    return (last - first) / timedelta(seconds=1)


_PLURAL_NOUNS = {"times": "time", "events": "event", "logons": "logon", "failures": "failure", "computers": "computer",
                 "days": "day", "hosts": "host", "accounts": "account", "records": "record", "lines": "line",
                 "files": "file", "findings": "finding", "incidents": "incident", "connections": "connection",
                 "entries": "entry", "attempts": "attempt", "addresses": "address", "ports": "port"}
_ONE_THING = re.compile(r"(?<![\d,.])\b1 ((?:[A-Za-z/-]+ ){0,2}?)(" + "|".join(_PLURAL_NOUNS) + r")\b")


def english_plurals(text: str) -> str:
    """'1 times' → '1 time', '1 network/RDP logons' → '1 network/RDP logon': English text filled from templates."""
    return _ONE_THING.sub(lambda m: f"1 {m.group(1)}{_PLURAL_NOUNS[m.group(2)]}", text)
