"""Terminal summary of `audit passwords`: accounts and reasons only, never a password or a hash."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..model import ScanResult
from ..report.labels import severity_label
from ..report.messages import messages
from ..report.style import SEVERITY_STYLE as STYLE
from ..report.terminal import print_problems


def print_password_summary(result: ScanResult, out_dir: Path, console: Console) -> None:
    lang = result.lang
    t = messages(lang, "passwords")
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
    console.print(f"{t['out']}: {out_dir}  (findings.json, report.html)")
