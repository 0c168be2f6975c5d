"""The short terminal summary: verdict, incidents with what to do now, top findings, skipped inputs."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from ..model import InputFile, ScanResult, Severity, finding_hosts
from ..textfmt import english_plurals, local_time
from ..verdict import Verdict
from .labels import severity_label
from .messages import messages
from .style import SEVERITY_STYLE as STYLE
from .style import VERDICT_STYLE


def print_summary(result: ScanResult, out_dir: Path, console: Console, max_rows: int = 15,
                  max_incidents: int = 5) -> None:
    lang, tz = result.lang, result.timezone
    t = messages(lang, "terminal")
    hosts = result.stats.get("hosts", [])
    counts = _plural(f"{result.stats.get('events', 0):,} {t['events']} / {len(result.inputs)} {t['files']} / "
                     f"{len(hosts)} {t['hosts']}", lang)
    console.print(f"[bold]{t['title']}[/bold]  {counts}  ({result.stats.get('seconds', 0)} s)")
    if result.verdict is not None:
        _print_verdict(result.verdict, console, t, lang)
    for inc in result.incidents[:max_incidents]:
        head = (f"{t['incident']} {inc.id} [{severity_label(inc.severity, lang)}] {', '.join(inc.hosts)}  "
                f"{local_time(inc.first_seen, tz)} – {local_time(inc.last_seen, tz)}")
        body = escape(inc.narrative.get(lang)) + f"\n\n[bold]{t['do_now']}:[/bold]\n" + "\n".join(
            f"{n}. {escape(a)}" for n, a in enumerate(inc.actions.get(lang).splitlines(), start=1))
        console.print(Panel(body, title=escape(head), title_align="left", border_style=STYLE[inc.severity]))
    if len(result.incidents) > max_incidents:
        console.print(_plural(t["more_incidents"].format(n=len(result.incidents) - max_incidents), lang))
    shown = [f for f in sorted(result.findings, key=lambda f: -f.severity) if f.severity >= Severity.LOW]
    if shown:
        table = Table(title=_plural(t["findings"].format(n=min(len(shown), max_rows), shown=len(shown),
                                                         total=len(result.findings)), lang), expand=True)
        table.add_column(t["sev"], no_wrap=True, min_width=4)
        table.add_column(t["what"], ratio=3)
        table.add_column(t["host"], ratio=1)
        table.add_column(t["count"], justify="right", no_wrap=True)
        table.add_column(t["when"], ratio=1)
        for f in shown[:max_rows]:
            where = finding_hosts(f)
            table.add_row(f"[{STYLE[f.severity]}]{escape(severity_label(f.severity, lang))}[/]",
                          f"{escape(f.title.get(lang))} [dim]({escape(f.rule)})[/dim]",
                          escape(", ".join(where[:2]) + (" …" if len(where) > 2 else "")), f"{f.count:,}",
                          local_time(f.first_seen, tz))
        console.print(table)
        if len(shown) > max_rows:
            console.print(_plural(t["more_findings"].format(n=len(shown) - max_rows), lang))
    if result.problems:
        console.print(f"[bold red]{t['failed']}:[/bold red]")
        for p in result.problems:
            console.print(f"  {p.stage}: {p.message}", markup=False, highlight=False)
    print_problems(result.inputs, console, t["skipped"], t["more"])
    console.print(f"{t['out']}: {out_dir}  (report.html, findings.json, timeline.csv, timeline.jsonl)",
                  highlight=False)


def _print_verdict(v: Verdict, console: Console, t: dict[str, str], lang: str) -> None:
    lines = [f"[bold]{escape(v.title.get(lang))}[/bold]", escape(v.detail.get(lang))]
    if v.missing:
        lines.append(f"{t['missing']}:")
        for log, why, on in v.missing:
            names = ", ".join(on[:5]) + (f" +{len(on) - 5}" if len(on) > 5 else "")
            where = t["on_hosts"].format(hosts=names) if on else ""
            lines.append(escape(f"{'・' if lang == 'ja' else '- '}{log}{where}: {why.get(lang)}"))
    console.print(Panel("\n".join(lines), border_style=VERDICT_STYLE[v.level]))


def _plural(text: str, lang: str) -> str:
    return english_plurals(text) if lang == "en" else text


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
