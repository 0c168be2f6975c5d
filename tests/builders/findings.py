"""Findings, incidents and log coverage built directly, for the report's pictures (times given in JST)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from wardwatch.model import Coverage, Finding, Incident, ScanResult, Severity, Text

JST = timezone(timedelta(hours=9))


def jst(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A JST wall-clock time, returned in UTC as the engine gives it."""
    return datetime(year, month, day, hour, minute, second, tzinfo=JST).astimezone(UTC)


def finding(rule: str, severity: Severity, host: str | None, first: datetime | None,
            last: datetime | None = None, *, phase: str = "other", title: str = "", **kw: Any) -> Finding:
    """One finding as a check would make it (title and texts in ja and en)."""
    name = title or rule
    return Finding(rule=rule, severity=severity, host=host, first_seen=first, last_seen=last or first,
                   count=int(kw.pop("count", 1)), title=Text(f"{name}（検知）", f"{name} (finding)"),
                   summary=Text(f"{name} の説明", f"About {name}"), advice=Text("確認してください", "Please check"),
                   phase=phase, **kw)


def coverage(host: str, channel: str, first: datetime, last: datetime, events: int = 100) -> Coverage:
    """One host's log as the coverage table shows it."""
    return Coverage(host, channel, first, last, events, (last - first).total_seconds() / 86400, 1.0)


def incident(ident: str, findings: list[Finding], severity: Severity = Severity.HIGH) -> Incident:
    """An incident joining the findings, its span and hosts theirs."""
    firsts = [f.first_seen for f in findings if f.first_seen]
    lasts = [f.last_seen or f.first_seen for f in findings if f.first_seen]
    hosts = sorted({f.host for f in findings if f.host})
    phases = list(dict.fromkeys(f.phase for f in findings))
    return Incident(id=ident, severity=severity, hosts=hosts, first_seen=min(firsts) if firsts else None,
                    last_seen=max(lasts) if lasts else None,  # type: ignore[type-var]
                    phases=phases, narrative=Text("説明", "story"), actions=Text("対応", "do this"), findings=findings)


def result(findings: list[Finding], incidents: list[Incident] | None = None, logs: list[Coverage] | None = None,
           lang: str = "ja", tz: str = "Asia/Tokyo") -> ScanResult:
    """A scan result holding just these."""
    return ScanResult(generated_at=datetime(2024, 1, 1, tzinfo=UTC), timezone=tz, lang=lang, inputs=[],
                      findings=findings, incidents=incidents or [], coverage=logs or [], timeline=[], stats={})
