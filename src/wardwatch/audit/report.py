"""Audit outputs: findings.json (scan's format plus an `audit` table), the offline HTML report, the terminal summary."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from rich.console import Console
from rich.table import Table

from ..model import Finding, ScanResult, Severity
from ..report.jsonout import result_dict
from ..report.labels import format_time, severity_label
from ..report.terminal import print_problems
from ..textfmt import iso_local
from .engine import HostResult
from .outcome import FAIL, NOT_APPLICABLE, NOT_COLLECTED, PASS
from .run import AuditResult

MARK = {PASS: "✓", FAIL: "✗", NOT_COLLECTED: "?", NOT_APPLICABLE: "–"}
STYLE = {Severity.CRITICAL: "bold white on red", Severity.HIGH: "bold red", Severity.MEDIUM: "yellow",
         Severity.LOW: "cyan", Severity.INFO: "dim"}
L = {
    "ja": {"title": "WardWatch 設定点検レポート", "hosts": "ホスト", "score": "点数", "passed": "合格", "failed": "不合格",
           "nc": "未収集", "na": "対象外", "collected": "収集日時", "os": "OS", "check": "点検項目", "matrix": "点検項目 × ホスト",
           "fleet": "ホストをまたぐ点検", "findings": "見つかった問題", "inputs": "読み込んだファイル", "none": "問題は見つかりませんでした。",
           "seen": "見たこと", "recommended": "推奨", "fix": "直し方（コマンド）", "gpo": "GPO", "seed": "出典",
           "accounts": "アカウント", "evidence": "根拠のファイル", "problems": "読めなかった・足りない部分", "out": "結果の保存先",
           "legend": "✓ 合格　✗ 不合格　? 未収集（合格扱いにしない）　– 対象外", "severity": "重大度", "generated": "作成日時",
           "worst": "不合格の多い点検", "more": "ほか {n} 件はレポートを見てください", "tz": "表示の時間帯",
           "score_note": "点数は重大度で重み付けした合格の割合（未収集の項目は含めません）。",
           "logs": "ログの調査（wardwatch scan）", "logs_note": "一緒に渡されたイベントログの調査結果です。詳しくは",
           "logs_counts": "イベント {events} 件、検知 {findings} 件、インシデント {incidents} 件"},
    "en": {"title": "WardWatch configuration audit", "hosts": "Hosts", "score": "Score", "passed": "Passed", "failed": "Failed",
           "nc": "Not collected", "na": "N/A", "collected": "Collected", "os": "OS", "check": "Check", "matrix": "Checks × hosts",
           "fleet": "Checks across hosts", "findings": "Problems found", "inputs": "Files read", "none": "No problem was found.",
           "seen": "Seen", "recommended": "Recommended", "fix": "Fix (command)", "gpo": "GPO", "seed": "Source",
           "accounts": "Accounts", "evidence": "Evidence files", "problems": "Unreadable or missing parts", "out": "Results saved in",
           "legend": "✓ pass   ✗ fail   ? not collected (never counted as a pass)   – not applicable", "severity": "Severity",
           "generated": "Generated", "worst": "Checks failing most", "more": "{n} more in the report", "tz": "Time zone",
           "score_note": "The score is the severity-weighted share of checks passed (checks not collected are left out).",
           "logs": "Event logs (wardwatch scan)", "logs_note": "The event logs given with the bundles were scanned. Details:",
           "logs_counts": "{events} events, {findings} findings, {incidents} incidents"},
}


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
    scan_like = ScanResult(result.generated_at, result.timezone, result.lang, result.inputs, result.findings,
                           result.incidents, [], [], result.stats)
    data = result_dict(scan_like)
    data["audit"] = audit_table(result)
    path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))


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
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
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
    return env.get_template("audit.html.j2").render(
        L=L[lang], lang=lang, tz=tz, generated=format_time(result.generated_at, tz), hosts=hosts, matrix=matrix,
        fleet=fleet, findings=[_finding(f, tz, lang) for f in ordered], inputs=inputs, scan=result.stats.get("scan"),
        incidents=[{"id": i.id, "sev": i.severity.label, "sev_label": severity_label(i.severity, lang),
                    "hosts": ", ".join(i.hosts), "narrative": i.narrative.get(lang)} for i in result.incidents],
        counts=[(s.label, severity_label(s, lang), sum(1 for f in result.findings if f.severity == s))
                for s in sorted(Severity, reverse=True)])


def write_html(result: AuditResult, path: Path) -> None:
    path.write_text(render_html(result), encoding="utf-8")


def print_summary(result: AuditResult, out_dir: Path, console: Console, max_rows: int = 12) -> None:
    t, lang = L[result.lang], result.lang
    checks = {c.name: c for c in result.checks}
    console.print(f"[bold]{t['title']}[/bold]  {len(result.hosts)} {t['hosts']}  ({result.stats.get('seconds', 0)} s)")
    if result.hosts:
        table = Table(expand=False)
        for col in (t["hosts"], t["score"], t["failed"], t["nc"], t["os"]):
            table.add_column(col)
        for h in result.hosts:
            score = h.score(checks)
            color = "green" if score is not None and score >= 80 else "yellow" if score is not None and score >= 50 else "red"
            table.add_row(h.host, f"[{color}]{score if score is not None else '—'}[/]", str(h.count(FAIL)),
                          str(h.count(NOT_COLLECTED)), _os(h))
        console.print(table)
    worst = sorted(((sum(1 for h in result.hosts if h.outcomes.get(c.name) and h.outcomes[c.name].status == FAIL), c)
                    for c in result.checks if c.scope == "host"), key=lambda x: (-x[0], -x[1].severity))
    shown = [(n, c) for n, c in worst if n][:max_rows]
    if shown:
        table = Table(title=t["worst"], expand=True)
        table.add_column(t["severity"], no_wrap=True)
        table.add_column(t["check"], ratio=3)
        table.add_column(t["hosts"], ratio=2)
        for n, c in shown:
            failing = [h.host for h in result.hosts if h.outcomes.get(c.name) and h.outcomes[c.name].status == FAIL]
            table.add_row(f"[{STYLE[c.severity]}]{severity_label(c.severity, lang)}[/]", f"{c.title.get(lang)} [dim]({c.rule})[/dim]",
                          f"{n}/{len(result.hosts)}: " + ", ".join(failing[:4]) + (" …" if len(failing) > 4 else ""))
        console.print(table)
    for c, _host, o in result.fleet:
        if o.status == FAIL:
            console.print(f"[{STYLE[c.severity]}]{c.title.get(lang)}[/] ({c.rule}): " + " / ".join(i.get(lang) for i in o.items),
                          highlight=False)
    scan = result.stats.get("scan")
    if scan:
        console.print(f"[bold]{t['logs']}[/bold]: {t['logs_counts'].format(**scan)} → {out_dir / scan['report']}",
                      highlight=False)
    if not any(f.severity >= Severity.LOW for f in result.findings):
        console.print(f"[green]{t['none']}[/green]")
    print_problems(result.inputs, console, t["problems"], t["more"])
    console.print(f"{t['out']}: {out_dir}  (report.html, findings.json)")
