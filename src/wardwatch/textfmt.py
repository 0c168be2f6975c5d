"""The one formatter for people: times (always with the zone), durations, counts, sizes, lists and templates.

Two styles of time and duration exist for two readers and are both kept here:
- text inside findings and stories (`local_time`, `duration`): '2022-10-31 04:07:14 JST', '5時間24分' with every unit;
- report tables (`format_time`, `format_duration`): the zone as an abbreviation or offset, the two leading units.
A missing value is '-' in text and '—' in tables.
"""
from __future__ import annotations

import re
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path
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


def as_named(path: str | Path, cwd: Path | None = None) -> str:
    """An input as the person named it: a relative path as typed; an absolute one relative to the working folder
    when it lies under it, else its folder and name ('audit/findings.json'), never the rest of this machine's
    folders (a temporary folder, a home directory)."""
    p = Path(path)
    if not p.is_absolute():
        return str(path)
    try:
        return str(p.relative_to((cwd or Path.cwd()).resolve()))
    except ValueError:
        return str(Path(p.parent.name) / p.name) if p.parent.name else p.name


def _units(seconds: float) -> tuple[int, int, int, int]:
    """Days, hours, minutes and seconds of a length of time (negative counts as zero)."""
    total = max(0, int(round(seconds)))
    d, rem = divmod(total, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    return d, h, m, s


def duration(seconds: float, lang: str) -> str:
    """'5時間24分' / '5 h 24 min': every unit that is not zero (seconds left out when there are days)."""
    d, h, m, s = _units(seconds)
    if lang == "en":
        parts = [f"{d} d" if d else "", f"{h} h" if h else "", f"{m} min" if m else "", f"{s} s" if s and not d else ""]
    else:
        parts = [f"{d}日" if d else "", f"{h}時間" if h else "", f"{m}分" if m else "", f"{s}秒" if s and not d else ""]
    out = (" " if lang == "en" else "").join(p for p in parts if p)
    return out or ("0 s" if lang == "en" else "0秒")


def zone_name(dt: datetime) -> str:
    """The zone's abbreviation (JST) or, where it has none, its offset (+09:00)."""
    abbr = dt.strftime("%Z")
    if abbr and abbr[0] not in "+-":
        return abbr
    return dt.strftime("%z")[:3] + ":" + dt.strftime("%z")[3:]


def format_time(dt: datetime | None, tz: str, seconds: bool = True) -> str:
    """A UTC datetime shown in the report zone, always with the zone: 2022-10-31 04:07:14 JST ('—' when None)."""
    if dt is None:
        return "—"
    local = dt.astimezone(ZoneInfo(tz))
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + " " + zone_name(local)


def format_duration(seconds: float, lang: str) -> str:
    """A length of time in its two leading units, for tables: 5時間24分 / 5 h 24 min."""
    d, h, m, sec = _units(seconds)
    ja = lang != "en"
    if d:
        return f"{d:,}日{h}時間" if ja else f"{d:,} d {h} h"
    if h:
        return f"{h}時間{m}分" if ja else f"{h} h {m} min"
    if m:
        return f"{m}分{sec}秒" if ja else f"{m} min {sec} s"
    return f"{sec}秒" if ja else f"{sec} s"


def format_hours(hours: float, lang: str) -> str:
    """A gap given in hours, shown as a table duration."""
    return format_duration(hours * 3600, lang)


def format_number(n: int | float) -> str:
    """A count: 1989 -> 1,989; floats to at most two decimals."""
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.2f}"
    return f"{int(n):,}"


def format_size(n: int) -> str:
    """A byte count in B/KB/MB/GB."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{n} B"


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


MISSING = "-"  # the one rule for a field a template names and the values lack


class _Facts(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return MISSING


def fill(template: str, values: dict[str, Any]) -> str:
    """Fill `{name}` fields of a template; a field the values lack shows as MISSING ('-') instead of failing."""
    return string.Formatter().vformat(template, (), _Facts(values))


def render(template: str, facts: dict[str, Any]) -> str:
    """Fill a rule's text template (see `fill`), outer whitespace removed."""
    return fill(template, facts).strip()


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


# --- time axes of the report's pictures: tick labels in the run's zone, ja and en ---------------------------------

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _axis_date(local: datetime, unit: str, lang: str) -> str:
    """A calendar date down to unit ('year', 'month', 'day'): 2022年10月31日 / 31 Oct 2022."""
    en = lang == "en"
    if unit == "year":
        return f"{local.year}" if en else f"{local.year}年"
    if unit == "month":
        return f"{_MONTHS_EN[local.month - 1]} {local.year}" if en else f"{local.year}年{local.month}月"
    if en:
        return f"{local.day} {_MONTHS_EN[local.month - 1]} {local.year}"
    return f"{local.year}年{local.month}月{local.day}日"


def axis_tick(local: datetime, unit: str, lang: str) -> str:
    """A tick label of a time axis in local time, ticks `unit` apart ('year' … 'second'). A tick that starts a
    larger unit says so: 00:00 shows its day (10/31, 31 Oct), January its year."""
    en = lang == "en"
    if unit == "year" or (unit == "month" and local.month == 1):
        return _axis_date(local, "year", lang)
    if unit == "month":
        return _MONTHS_EN[local.month - 1] if en else f"{local.month}月"
    if unit == "day" or (local.hour, local.minute, local.second) == (0, 0, 0):
        return f"{local.day} {_MONTHS_EN[local.month - 1]}" if en else f"{local.month}/{local.day}"
    return local.strftime("%H:%M:%S" if unit == "second" else "%H:%M")


def axis_context(first: datetime, last: datetime, unit: str, lang: str, short: bool = False) -> str:
    """What the ticks of one stretch of axis leave out: the date under hour ticks, the month under day ticks, the
    year under month ticks ('' under year ticks); a range when the stretch crosses one (short: its start only)."""
    outer = {"second": "day", "minute": "day", "hour": "day", "day": "month", "month": "year"}.get(unit)
    if outer is None:
        return ""
    a, b = _axis_date(first, outer, lang), _axis_date(last, outer, lang)
    return a if a == b or short else f"{a} – {b}"


def rough_duration(seconds: float, lang: str) -> str:
    """A long stretch of time said roughly: 約3年 / about 3 years, 約5か月 / about 5 months; shorter ones as in
    tables (format_duration)."""
    days = seconds / 86400
    en = lang == "en"
    if days >= 730:
        n = round(days / 365.25)
        return f"about {n} years" if en else f"約{n}年"
    if days >= 60:
        n = round(days / 30.44)
        return f"about {n} months" if en else f"約{n}か月"
    return format_duration(seconds, lang)
