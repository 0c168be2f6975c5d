"""A page of findings (vuln check, web check, password audit) and the findings table the inventory page shares."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wardwatch.model import Finding
from wardwatch.report.labels import format_time
from wardwatch.report.messages import messages
from wardwatch.report.page import findings_verdict
from wardwatch.report.render import render_page
from wardwatch.report.style import severity_badge


def finding_rows(findings: list[Finding], lang: str) -> list[dict[str, Any]]:
    """Findings as table rows, worst first (then by check and host); a lesson already quoted in the row above is
    not quoted again."""
    ordered = sorted(findings, key=lambda f: (-f.severity, f.rule, f.host or ""))
    return [{"sev": severity_badge(f.severity, lang), "rule": f.rule, "host": f.host or "", "title": f.title.get(lang),
             "summary": f.summary.get(lang), "advice": f.advice.get(lang), "seed": f.seed, "accounts": f.accounts,
             "same_seed": n > 0 and f.seed == ordered[n - 1].seed} for n, f in enumerate(ordered)]


def findings_page(findings: list[Finding], lang: str, tz: str, bad: str, good: str) -> dict[str, Any]:
    """What every page of findings shows: the verdict card, the rows, the training documents cited, the run's date."""
    return {"lang": lang, "verdict": findings_verdict(findings, lang, bad, good),
            "findings": finding_rows(findings, lang), "seeds": [f.seed for f in findings if f.seed],
            "with_accounts": any(f.accounts for f in findings),
            "generated": format_time(datetime.now(UTC), tz)}


def write_findings_html(findings: list[Finding], out: Path, title: str, intro: str, lang: str,
                        tz: str = "Asia/Tokyo") -> None:
    """A page of findings, worst first, after a line saying what was checked."""
    t = messages(lang, "inventory")
    out.write_text(render_page("findings.html.j2", title=title, L=t, intro=intro,
                               **findings_page(findings, lang, tz, t["verdict_bad"], t["verdict_good"])), "utf-8")
