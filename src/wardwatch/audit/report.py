"""Audit outputs: findings.json (scan's format plus an `audit` table) and the offline HTML report (the terminal
summary is report/terminal.py's, from the run's `audit` section)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from ..checks.factspec import fact
from ..model import Finding, Run, Severity
from ..report.jsonout import result_dict
from ..report.labels import fact_label, format_size, format_time
from ..report.messages import messages
from ..report.page import findings_verdict, run_date
from ..report.render import render_page
from ..report.style import severity_badge
from ..textfmt import iso_local
from .checkdefs import CheckDef
from .engine import HostResult
from .outcome import FAIL, NOT_APPLICABLE, NOT_COLLECTED, PASS
from .run import AuditResult

MARK = {PASS: "✓", FAIL: "✗", NOT_COLLECTED: "?", NOT_APPLICABLE: "–"}
def _os(h: HostResult) -> str:
    system = h.bundle.parts["system"].data if h.bundle.parts["system"].status == "ok" else None
    if not isinstance(system, dict):
        return ""
    return f"{system.get('os_caption') or ''} {system.get('os_version') or ''}".strip()


def check_severity(check: CheckDef, findings: list[Finding]) -> Severity:
    """A check's severity wherever the check is shown as a whole (the matrix, the terminal, findings.json's `audit`
    table): the worst of its findings (an evaluator may name a worse or milder case than the check's own), else the
    check's own severity when it found nothing. A finding keeps its own severity on its card."""
    own = [f.severity for f in findings if f.rule == check.rule]
    return max(own) if own else check.severity


def audit_table(result: AuditResult) -> dict[str, Any]:
    """The per-host scores and the check × host matrix, for findings.json."""
    checks = {c.name: c for c in result.checks}
    return {
        "hosts": [{"host": h.host, "score": h.score(checks), "collected_at": iso_local(h.bundle.collected_at, result.timezone),
                   "os": _os(h), "bundle": h.bundle.path, "passed": h.count(PASS), "failed": h.count(FAIL),
                   "not_collected": h.count(NOT_COLLECTED), "not_applicable": h.count(NOT_APPLICABLE)} for h in result.hosts],
        "checks": [{"rule": c.rule, "severity": check_severity(c, result.findings).label,
                    "title": c.title.get(result.lang),
                    "results": {h.host: h.outcomes[c.name].status for h in result.hosts if c.name in h.outcomes}}
                   for c in result.checks if c.scope == "host"],
        "fleet": [{"rule": c.rule, "host": host, "status": o.status} for c, host, o in result.fleet],
    }


def write_json(result: AuditResult, path: Path) -> None:
    path.write_bytes(orjson.dumps(result_dict(run_of(result)), option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))


def run_of(result: AuditResult) -> Run:
    """The audit as a run envelope: its inputs, findings and incidents, and the `audit` section (scores, matrix)."""
    return Run(result.generated_at, result.timezone, result.lang, inputs=result.inputs, findings=result.findings,
               incidents=result.incidents, stats=result.stats, sections={"audit": audit_table(result)})


def _finding(f: Finding, tz: str, lang: str) -> dict[str, Any]:
    extra = {k: v for k, v in f.facts.items() if k not in ("seen", "recommended", "fix_command", "gpo_path")}
    return {"rule": f.rule, "sev": severity_badge(f.severity, lang), "host": f.host or "—",
            "title": f.title.get(lang), "summary": f.summary.get(lang), "seen": fact(f, "seen", []),
            "recommended": fact(f, "recommended", ""), "fix": fact(f, "fix_command", ""), "gpo": fact(f, "gpo_path", ""),
            "seed": f.seed, "accounts": f.accounts, "evidence": [e.file for e in f.evidence],
            "extra": [(fact_label(k, lang), ", ".join(map(str, v)) if isinstance(v, list) else str(v))
                      for k, v in extra.items()],
            "when": format_time(f.first_seen, tz)}


def _grade(score: int | None) -> str:
    return "" if score is None else "good" if score >= 80 else "fair" if score >= 50 else "poor"


def render_html(result: AuditResult) -> str:
    lang, tz = result.lang, result.timezone
    t = messages(lang, "audit")
    checks = {c.name: c for c in result.checks}
    ordered = sorted(result.findings, key=lambda f: (-f.severity, f.rule, f.host or ""))
    hosts = [{"host": h.host, "score": h.score(checks), "grade": _grade(h.score(checks)), "os": _os(h),
              "collected": format_time(h.bundle.collected_at, tz),
              "passed": h.count(PASS), "failed": h.count(FAIL), "nc": h.count(NOT_COLLECTED), "na": h.count(NOT_APPLICABLE)}
             for h in result.hosts]
    matrix: list[dict[str, Any]] = [{"rule": c.rule, "title": c.title.get(lang),
                                     "sev": severity_badge(check_severity(c, result.findings), lang),
               "cells": [(h.outcomes[c.name].status, MARK[h.outcomes[c.name].status],
                          " / ".join(i.get(lang) for i in h.outcomes[c.name].items)) if c.name in h.outcomes else ("", "", "")
                         for h in result.hosts],
               "fails": sum(1 for h in result.hosts if c.name in h.outcomes and h.outcomes[c.name].status == FAIL)}
              for c in result.checks if c.scope == "host"]
    matrix.sort(key=lambda r: (-r["sev"]["rank"], -r["fails"]))  # worst first, then the most failing
    fleet = [{"rule": c.rule, "title": c.title.get(lang), "host": host or "—", "status": o.status, "mark": MARK[o.status],
              "seen": [i.get(lang) for i in o.items]} for c, host, o in result.fleet]
    inputs = [{"path": i.path, "sha256": i.sha256, "size": format_size(i.size), "errors": [(e.where, e.message) for e in i.errors]}
              for i in result.inputs]
    groups: list[dict[str, Any]] = []
    for f in ordered:
        if not groups or groups[-1]["rule"] != f.rule:
            groups.append({"rule": f.rule, "title": f.title.get(lang), "sev": severity_badge(f.severity, lang), "findings": []})
        groups[-1]["findings"].append(_finding(f, tz, lang))
    scan = result.stats.get("scan")
    nav = [("hosts", t["hosts"]), ("matrix", t["matrix"])] + ([("logs", t["logs"])] if scan else []) + \
        ([("fleet", t["fleet"])] if fleet else []) + [("findings", t["findings"]), ("inputs", t["inputs"])]
    verdict = findings_verdict(result.findings, lang, t["verdict_bad"], t["verdict_good"], t["verdict_sub"])
    return render_page(
        "audit.html.j2", L=t, lang=lang, tz=tz, title=t["title"], generated=run_date(result.generated_at, tz),
        facts=[(t["tz"], tz), (t["hosts"], str(len(result.hosts)))], nav=nav, verdict=verdict,
        seeds=[f.seed for f in result.findings if f.seed], hosts=hosts, matrix=matrix,
        fleet=fleet, findings=[_finding(f, tz, lang) for f in ordered], groups=groups, inputs=inputs, scan=scan,
        incidents=[{"id": i.id, "sev": severity_badge(i.severity, lang),
                    "hosts": ", ".join(i.hosts), "narrative": i.narrative.get(lang)} for i in result.incidents])


def write_html(result: AuditResult, path: Path) -> None:
    path.write_text(render_html(result), encoding="utf-8")
