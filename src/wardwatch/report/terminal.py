"""The short terminal summary: verdict, incidents with what to do now, top findings, skipped inputs."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from ..model import InputFile, ScanResult, Severity
from ..textfmt import local_time
from .labels import severity_label

STYLE = {Severity.CRITICAL: "bold white on red", Severity.HIGH: "bold red", Severity.MEDIUM: "yellow",
         Severity.LOW: "cyan", Severity.INFO: "dim"}
T = {
    "ja": {"title": "WardWatch スキャン結果", "events": "件のイベント", "files": "ファイル", "hosts": "台",
           "none": "攻撃の兆候は見つかりませんでした。", "incident": "インシデント", "do_now": "今すぐやること",
           "findings": "主な検知", "count": "件数", "when": "最初", "sev": "重大度", "rule": "検知", "host": "ホスト", "what": "内容",
           "skipped": "読めなかった入力", "out": "結果の保存先", "more": "ほか {n} 件はレポートを見てください",
           "verdict": {Severity.CRITICAL: "侵入の可能性が高い攻撃が見つかりました。すぐに対応してください。",
                       Severity.HIGH: "攻撃の疑いがある記録が見つかりました。",
                       Severity.MEDIUM: "確認が必要な記録があります。"}},
    "en": {"title": "WardWatch scan result", "events": "events", "files": "files", "hosts": "hosts",
           "none": "No sign of an attack was found.", "incident": "Incident", "do_now": "What to do now",
           "findings": "Main findings", "count": "Count", "when": "First seen", "sev": "Severity", "rule": "Rule", "host": "Host", "what": "What",
           "skipped": "Inputs that could not be read", "out": "Results saved in", "more": "{n} more in the report",
           "verdict": {Severity.CRITICAL: "An attack that probably got in was found. Act now.",
                       Severity.HIGH: "Records that look like an attack were found.",
                       Severity.MEDIUM: "Some records need a look."}},
}


def print_summary(result: ScanResult, out_dir: Path, console: Console, max_rows: int = 15) -> None:
    t, lang, tz = T[result.lang], result.lang, result.timezone
    hosts = result.stats.get("hosts", [])
    console.print(f"[bold]{t['title']}[/bold]  {result.stats.get('events', 0):,} {t['events']} / "
                  f"{len(result.inputs)} {t['files']} / {len(hosts)} {t['hosts']}  ({result.stats.get('seconds', 0)} s)")
    worst = max([i.severity for i in result.incidents], default=Severity.INFO)
    console.print(Panel(t["verdict"].get(worst, t["none"]), style=STYLE.get(worst, "green") if worst >= Severity.MEDIUM else "green"))
    for inc in result.incidents[:5]:
        head = (f"{t['incident']} {inc.id} [{severity_label(inc.severity, lang)}] {', '.join(inc.hosts)}  "
                f"{local_time(inc.first_seen, tz)} – {local_time(inc.last_seen, tz)}")
        body = inc.narrative.get(lang) + f"\n\n[bold]{t['do_now']}:[/bold]\n" + "\n".join(
            f"{n}. {a}" for n, a in enumerate(inc.actions.get(lang).splitlines(), start=1))
        console.print(Panel(body, title=head, title_align="left", border_style=STYLE[inc.severity]))
    shown = [f for f in sorted(result.findings, key=lambda f: -f.severity) if f.severity >= Severity.LOW]
    if shown:
        table = Table(title=t["findings"], expand=True)
        table.add_column(t["sev"], no_wrap=True, min_width=4)
        table.add_column(t["what"], ratio=3)
        table.add_column(t["host"], ratio=1)
        table.add_column(t["count"], justify="right", no_wrap=True)
        table.add_column(t["when"], ratio=1)
        for f in shown[:max_rows]:
            hosts = [f.host] if f.host else list(f.facts.get("hosts", []))
            table.add_row(f"[{STYLE[f.severity]}]{severity_label(f.severity, lang)}[/]",
                          f"{f.title.get(lang)} [dim]({f.rule})[/dim]",
                          ", ".join(hosts[:2]) + (" …" if len(hosts) > 2 else ""), f"{f.count:,}",
                          local_time(f.first_seen, tz))
        console.print(table)
        if len(shown) > max_rows:
            console.print(t["more"].format(n=len(shown) - max_rows))
    print_problems(result.inputs, console, t["skipped"], t["more"])
    console.print(f"{t['out']}: {out_dir}  (report.html, findings.json, timeline.csv, timeline.jsonl)")


def print_problems(inputs: list[InputFile], console: Console, heading: str, more: str = "… +{n}") -> None:
    """Every input problem with file and place (the first 20, then how many more)."""
    problems = [e for i in inputs for e in i.errors]
    if not problems:
        return
    console.print(f"[bold yellow]{heading}:[/bold yellow]")
    for e in problems[:20]:
        console.print(f"  {e.file} ({e.where}): {e.message}", markup=False, highlight=False)
    if len(problems) > 20:
        console.print("  " + more.format(n=len(problems) - 20))
