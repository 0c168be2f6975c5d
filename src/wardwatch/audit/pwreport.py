"""Terminal summary of `audit passwords`: accounts and reasons only, never a password or a hash."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..model import ScanResult, Severity
from ..report.labels import severity_label
from ..report.terminal import print_problems

T = {"ja": {"title": "WardWatch パスワード点検", "accounts": "アカウント", "files": "ファイル", "none": "弱いパスワードや使い回しは見つかりませんでした。",
            "sev": "重大度", "what": "内容", "who": "アカウント", "skipped": "読めなかった行・ファイル", "out": "結果の保存先"},
     "en": {"title": "WardWatch password audit", "accounts": "accounts", "files": "files", "none": "No weak or shared password was found.",
            "sev": "Severity", "what": "What", "who": "Accounts", "skipped": "Lines or files that could not be read", "out": "Results saved in"}}
STYLE = {Severity.CRITICAL: "bold white on red", Severity.HIGH: "bold red", Severity.MEDIUM: "yellow", Severity.LOW: "cyan",
         Severity.INFO: "dim"}


def print_password_summary(result: ScanResult, out_dir: Path, console: Console) -> None:
    t, lang = T[result.lang], result.lang
    console.print(f"[bold]{t['title']}[/bold]  {result.stats.get('accounts', 0)} {t['accounts']} / "
                  f"{len(result.inputs)} {t['files']}")
    if result.findings:
        table = Table(expand=True)
        table.add_column(t["sev"], no_wrap=True)
        table.add_column(t["what"], ratio=2)
        table.add_column(t["who"], ratio=3)
        for f in sorted(result.findings, key=lambda f: -f.severity):
            who = ", ".join(f.accounts[:6]) + (f" … (+{len(f.accounts) - 6})" if len(f.accounts) > 6 else "")
            table.add_row(f"[{STYLE[f.severity]}]{severity_label(f.severity, lang)}[/]", f.title.get(lang), who)
        console.print(table)
    else:
        console.print(f"[green]{t['none']}[/green]")
    print_problems(result.inputs, console, t["skipped"])
    console.print(f"{t['out']}: {out_dir}  (findings.json)")
