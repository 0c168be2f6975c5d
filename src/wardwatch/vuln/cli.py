"""`wardwatch vuln check`: the inventory's exposed devices against known-exploited and other vulnerability feeds
(offline files the user drops in), and operating systems past their end of support (inventory and audit hosts)."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import typer

from ..cliopts import FindingsOut, Settings, with_settings
from ..cliutil import EXIT_OK, EXIT_SKIPPED, fail, inventory_or_fail, output
from ..model import ReadProblem
from ..report.terminal import Terminal

vuln_app = typer.Typer(add_completion=False, no_args_is_help=True,
                       help="機器の脆弱性とサポート切れを調べる / Known-exploited vulnerabilities and end of support.")


@vuln_app.command("check")
@with_settings
def vuln_check(
    inventory: Path | None = typer.Option(None, "--inventory", exists=True, dir_okay=False, help="Inventory YAML"),
    feed: list[Path] = typer.Option([], "--feed", exists=True, dir_okay=False,
                                    help="CISA KEV JSON, MyJVN / JVN iPedia XML, or your own CSV (repeatable)"),
    audit: list[Path] = typer.Option([], "--audit", exists=True, dir_okay=False,
                                     help="findings.json from wardwatch audit (for the hosts' operating systems)"),
    eol: Path | None = typer.Option(None, "--eol", exists=True, dir_okay=False,
                                    help="Your own end-of-support table (the layout of vuln/data/eol.yml)"),
    today: str | None = typer.Option(None, "--today", help="Judge end of support as of this date (YYYY-MM-DD)"),
    out: FindingsOut = None,
    *, s: Settings,
) -> None:
    """台帳の外部接続機器を脆弱性フィードと照合し、サポート切れ OS を調べる / Check devices against feeds and end of support."""
    from .check import support_findings, vulnerability_findings
    from .devices import bundle_devices, inventory_devices, to_check
    from .eol import table
    from .feeds import FeedError, read_feed

    tz_, lang_ = s.tz, s.lang
    if inventory is None and not audit:
        fail("give --inventory (devices) and/or --audit (hosts' operating systems)")
    if out:
        output(out).mkdir(parents=True, exist_ok=True)  # a folder that cannot be made stops it before any work
    try:
        day = date.fromisoformat(today) if today else datetime.now(UTC).date()
    except ValueError:
        fail(f"--today must be a date like 2026-12-05, not {today!r}")
    inv = inventory_or_fail(inventory) if inventory else None
    if eol:
        try:
            table(str(eol))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            fail(f"{eol}: not a usable end-of-support table ({type(exc).__name__}: {exc})")
    problems: list[ReadProblem] = []
    advisories = []
    for f in feed:
        try:
            advisories += read_feed(f, problems)
        except FeedError as exc:
            fail(str(exc))
    hosts = []
    for a in audit:
        try:
            hosts += [h for h in json.loads(a.read_text(encoding="utf-8"))["audit"]["hosts"] if isinstance(h, dict)]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            fail(f"{a}: not a findings.json of wardwatch audit ({type(exc).__name__}: {exc})")
    devices = inventory_devices(inv) if inv else []
    findings = vulnerability_findings(to_check(devices), advisories) if advisories else []
    findings += support_findings(devices + bundle_devices(hosts), inv, day, str(eol) if eol else None)
    term = Terminal(lang_)
    term.findings(sorted(findings, key=lambda f: f.host or ""))
    for p in problems:
        term.line(f"{p.file}: {p.where}: {p.message}", err=True)
    summary = term.t("vuln.summary", checked=len(to_check(devices)), advisories=f"{len(advisories):,}", feeds=len(feed),
                     hosts=len(devices) + len(hosts), n=len(findings))
    term.say(summary)
    if not feed:
        term.warn(term.t("vuln.no_feed"))
    if out:
        from ..hospital.output import write_findings
        write_findings(findings, [str(p) for p in [*([inventory] if inventory else []), *feed, *audit]],
                       out / "findings.json", tz_, lang_)
        from ..report.findings_page import write_findings_html
        write_findings_html(findings, out / "vuln.html", "WardWatch: 脆弱性とサポート期限" if lang_ != "en" else
                            "WardWatch: vulnerabilities and end of support", summary, lang_, tz_)
    raise typer.Exit(EXIT_SKIPPED if findings or problems else EXIT_OK)
