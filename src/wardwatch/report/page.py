"""What every page's frame shows besides its body: the verdict card of a list of findings and the date of the run."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from wardwatch.model import Finding, Severity
from wardwatch.report.labels import format_time, severity_label
from wardwatch.report.messages import message
from wardwatch.report.style import severity_badge


def severity_counts(severities: Iterable[Severity], lang: str) -> list[dict[str, Any]]:
    """How many of each severity, worst first (every severity, zeros included): the verdict card's badges."""
    seen = list(severities)
    return [{**severity_badge(s, lang), "n": seen.count(s)} for s in sorted(Severity, reverse=True)]


def findings_verdict(findings: Iterable[Finding], lang: str, bad: str, good: str, sub: str = "",
                     caveats: list[str] | None = None) -> dict[str, Any]:
    """The verdict card of a page of findings: its worst severity (low or above) with `bad` (high or critical: that
    it needs action now), else 'clear' with `good`; the count of each severity below it."""
    found = list(findings)
    worst = max((f.severity for f in found), default=Severity.INFO)
    ok = worst < Severity.LOW
    text = good if ok else message("page.verdict_urgent", lang) if worst >= Severity.HIGH else bad
    return {"cls": "clear" if ok else worst.label,
            "label": message("report.clear", lang) if ok else severity_label(worst, lang),
            "text": text, "sub": sub, "caveats": caveats or [],
            "counts": severity_counts((f.severity for f in found), lang)}


def run_date(when: datetime | None, tz: str) -> str:
    """The date and time of the run as the header shows it, in the report's time zone."""
    return format_time(when, tz) if when else ""
