"""Turns Sigma matches (per rule and host) and correlation bursts into WardWatch Findings."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..checks.factspec import family
from ..checks.finding import make, spec_of
from ..checks.phase import Phase
from ..checks.spec import CheckSpec
from ..model import EventRef, Finding, Severity, Text
from ..textfmt import as_utc, delta_seconds, duration, join, local_time
from .correlate import Burst
from .types import CompiledRule

SEVERITY = {"informational": Severity.INFO, "low": Severity.LOW, "medium": Severity.MEDIUM,
            "high": Severity.HIGH, "critical": Severity.CRITICAL}
_NOISE = {"", "-", "127.0.0.1", "::1", "localhost", "LOCAL"}


def _clean(values: list[Any] | None, limit: int = 20) -> list[str]:
    return list(dict.fromkeys(str(v) for v in values or [] if v is not None and str(v) not in _NOISE))[:limit]


def _title(rule: CompiledRule) -> Text:
    return Text(ja=rule.title_ja or rule.title, en=rule.title)


def _summary(rule: CompiledRule, count: int, first: datetime | None, last: datetime | None, tz: str,
             extra: tuple[str, str] = ("", "")) -> Text:
    secs = delta_seconds(first, last)
    ja = (f"Sigma ルール「{rule.title_ja or rule.title}」に一致するイベントが {count:,} 件あります"
          f"（{local_time(first, tz)} から {local_time(last, tz)}、{duration(secs, 'ja')}）。{extra[0]}")
    en = (f"{count:,} event(s) match the Sigma rule \"{rule.title}\" "
          f"({local_time(first, tz)} to {local_time(last, tz)}, {duration(secs, 'en')}).{extra[1]}")
    if rule.description:
        ja += f" ルールの説明（英語）: {rule.description}"
        en += f" {rule.description}"
    return Text(ja.strip(), en.strip())


def _advice(rule: CompiledRule) -> Text:
    fps = [f for f in rule.falsepositives if f and f.lower() not in ("unknown", "none", "n/a")]
    ja = "一致したイベントを確認し、正当な作業かどうかを担当者に確かめてください。"
    en = "Review the matching events and confirm with the people responsible whether this was legitimate work."
    if fps:
        ja += " 誤検知になりうる例（英語）: " + join(fps, "ja", limit=5)
        en += " Known false positives: " + join(fps, "en", limit=5)
    return Text(ja, en)


_LAST = datetime.max  # sorts events without a time after all others


class Matches:
    """What the findings of detection rules need, kept per (rule, host) as matches come in: the count, the first
    and last time, the `limit` earliest events (by time, file, record id) and the time each account and source
    was first seen. Memory follows the findings, not the number of matching events."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.by_key: dict[tuple[int, str], list[Any]] = {}  # (rule, host) → [n, first, last, events, accounts, sources]

    def add(self, hits: list[tuple[Any, ...]]) -> None:
        """hits: (rule, file, record id, time, host, account, source) per matching event."""
        limit = self.limit
        for r, file, rid, ts, host, account, source in hits:
            m = self.by_key.get((r, host or ""))
            if m is None:
                m = self.by_key[(r, host or "")] = [0, None, None, [], {}, {}]
            m[0] += 1
            if ts is not None:
                if m[1] is None or ts < m[1]:
                    m[1] = ts
                if m[2] is None or ts > m[2]:
                    m[2] = ts
            key = (ts or _LAST, file, rid or 0, rid)
            events = m[3]
            events.append(key)
            if len(events) >= 2 * limit + 64:  # keep the earliest `limit` (sorted now and then, not per event)
                events.sort()
                del events[limit:]
            for seen, value in ((m[4], account), (m[5], source)):
                if value is not None and (value not in seen or key < seen[value]):
                    seen[value] = key

    def rows(self) -> list[tuple[int, dict[str, Any]]]:
        """(rule, finding row) per (rule, host), in rule and host order."""
        out = []
        for (r, host), (n, first, last, events, accounts, sources) in sorted(self.by_key.items()):
            events.sort()
            out.append((r, {"host": host, "n": n, "first": first, "last": last,
                            "evidence": [{"file": e[1], "record_id": e[3]} for e in events[:self.limit]],
                            "accounts": sorted(accounts, key=accounts.__getitem__),  # in order of first time
                            "sources": sorted(sources, key=sources.__getitem__)}))
        return out


def detection_finding(rule: CompiledRule, row: dict[str, Any], tz: str) -> Finding:
    """One finding for the matches of a detection rule on one host."""
    first, last = as_utc(row["first"]), as_utc(row["last"])
    return make(_spec(rule), host=row["host"] or None, first=first, last=last, count=int(row["n"]),
                summary=_summary(rule, int(row["n"]), first, last, tz), accounts=_clean(row.get("accounts")),
                sources=_clean(row.get("sources")), evidence=[EventRef(e["file"], e["record_id"])
                                                              for e in row["evidence"] or []],
                evidence_total=int(row["n"]), facts={"sigma_level": rule.level, "sigma_file": rule.file,
                                                     "tags": rule.tags})


def _spec(rule: CompiledRule, kind: str = "sigma") -> CheckSpec:
    """A Sigma rule as a check: its level as the severity, its title and advice in both languages, the facts of its
    kind (a detection, or a correlation: "sigma-correlation")."""
    return spec_of(rule.id, SEVERITY.get(rule.level, Severity.MEDIUM), _title(rule), _advice(rule), Phase.SIGMA,
                   facts=family(kind))


def correlation_finding(rule: CompiledRule, burst: Burst, tz: str, evidence_limit: int) -> Finding:
    """One finding for one burst of a correlation rule."""
    spec = rule.correlation
    evs = burst.events
    first, last = as_utc(evs[0].ts), as_utc(evs[-1].ts)
    hosts = list(dict.fromkeys(e.host for e in evs if e.host))
    group = {g: v for g, v in zip(spec.get("group_by", []), burst.group, strict=False)}
    what = ", ".join(f"{k}={v}" for k, v in group.items())
    extra = (f" グループ: {what}。" if what else "", f" Group: {what}." if what else "")
    return make(
        _spec(rule, "sigma-correlation"), host=hosts[0] if len(hosts) == 1 else None, first=first, last=last,
        count=len(evs),
        summary=_summary(rule, len(evs), first, last, tz, extra), accounts=_clean([e.account for e in evs]),
        sources=_clean([e.source for e in evs]), evidence=[EventRef(e.file, e.record_id) for e in evs[:evidence_limit]],
        evidence_total=len(evs),
        facts={"sigma_level": rule.level, "sigma_file": rule.file, "correlation": spec["type"],
               "timespan_seconds": spec["timespan"], "group": group, "hosts": hosts, "rules": spec["rules"],
               "tags": rule.tags},
    )
