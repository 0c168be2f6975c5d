"""Audit outputs: findings.json (scan's format plus an `audit` table) and the offline HTML report (the terminal
summary is report/terminal.py's, from the run's `audit` section)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from ..model import Finding, Run, Severity
from ..report.jsonout import result_dict
from ..report.labels import format_time, severity_label
from ..report.messages import messages
from ..report.render import render_page
from ..textfmt import iso_local
from .engine import HostResult
from .outcome import FAIL, NOT_APPLICABLE, NOT_COLLECTED, PASS
from .run import AuditResult

MARK = {PASS: "✓", FAIL: "✗", NOT_COLLECTED: "?", NOT_APPLICABLE: "–"}
def _os(h: HostResult) -> str:
    system = h.bundle.parts["system"].data if h.bundle.parts["system"].status == "ok" else None
    if not isinstance(system, dict):
        return ""
    return f"{system.get('os_caption') or ''} {system.get('os_version') or ''}".strip()


def audit_table(result: AuditResult) -> dict[str, Any]:
    """The per-host scores and the check × host matrix, for findings.json."""
    checks = {c.name: c for c in result.checks}
    return {
        "hosts": [{"host": h.host, "score": h.score(checks), "collected_at": iso_local(h.bundle.collected_at, result.timezone),
                   "os": _os(h), "bundle": h.bundle.path, "passed": h.count(PASS), "failed": h.count(FAIL),
                   "not_collected": h.count(NOT_COLLECTED), "not_applicable": h.count(NOT_APPLICABLE)} for h in result.hosts],
        "checks": [{"rule": c.rule, "severity": c.severity.label, "title": c.title.get(result.lang),
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
    facts = f.facts
    extra = {k: v for k, v in facts.items() if k not in ("seen", "recommended", "fix_command", "gpo_path")}
    return {"rule": f.rule, "sev": f.severity.label, "sev_label": severity_label(f.severity, lang), "host": f.host or "—",
            "title": f.title.get(lang), "summary": f.summary.get(lang), "seen": facts.get("seen", []),
            "recommended": facts.get("recommended", ""), "fix": facts.get("fix_command", ""), "gpo": facts.get("gpo_path", ""),
            "seed": f.seed, "accounts": f.accounts, "evidence": [e.file for e in f.evidence],
            "extra": [(k, ", ".join(map(str, v)) if isinstance(v, list) else str(v)) for k, v in extra.items()],
            "when": format_time(f.first_seen, tz)}


def render_html(result: AuditResult) -> str:
    lang, tz = result.lang, result.timezone
    checks = {c.name: c for c in result.checks}
    ordered = sorted(result.findings, key=lambda f: (-f.severity, f.rule, f.host or ""))
    hosts = [{"host": h.host, "score": h.score(checks), "os": _os(h), "collected": format_time(h.bundle.collected_at, tz),
              "passed": h.count(PASS), "failed": h.count(FAIL), "nc": h.count(NOT_COLLECTED), "na": h.count(NOT_APPLICABLE)}
             for h in result.hosts]
    matrix = [{"rule": c.rule, "title": c.title.get(lang), "sev": c.severity.label, "sev_label": severity_label(c.severity, lang),
               "cells": [(h.outcomes[c.name].status, MARK[h.outcomes[c.name].status],
                          " / ".join(i.get(lang) for i in h.outcomes[c.name].items)) if c.name in h.outcomes else ("", "", "")
                         for h in result.hosts],
               "fails": sum(1 for h in result.hosts if c.name in h.outcomes and h.outcomes[c.name].status == FAIL)}
              for c in result.checks if c.scope == "host"]
    fleet = [{"rule": c.rule, "title": c.title.get(lang), "host": host or "—", "status": o.status, "mark": MARK[o.status],
              "seen": [i.get(lang) for i in o.items]} for c, host, o in result.fleet]
    inputs = [{"path": i.path, "sha256": i.sha256, "size": i.size, "errors": [(e.where, e.message) for e in i.errors]}
              for i in result.inputs]
    return render_page(
        "audit.html.j2", L=messages(lang, "audit"), lang=lang, tz=tz, generated=format_time(result.generated_at, tz), hosts=hosts, matrix=matrix,
        fleet=fleet, findings=[_finding(f, tz, lang) for f in ordered], inputs=inputs, scan=result.stats.get("scan"),
        incidents=[{"id": i.id, "sev": i.severity.label, "sev_label": severity_label(i.severity, lang),
                    "hosts": ", ".join(i.hosts), "narrative": i.narrative.get(lang)} for i in result.incidents],
        counts=[(s.label, severity_label(s, lang), sum(1 for f in result.findings if f.severity == s))
                for s in sorted(Severity, reverse=True)])


def write_html(result: AuditResult, path: Path) -> None:
    path.write_text(render_html(result), encoding="utf-8")
