"""`wardwatch summary`: one printable A4 page for management from whatever results are given."""
from __future__ import annotations

from pathlib import Path

import typer

from ..cliopts import Config, Lang, Tz
from ..cliutil import EXIT_OK, EXIT_SKIPPED, fail, output, say_error, settings


def summary(
    out: Path = typer.Option(..., "--out", help="Folder for summary.html and summary.json"),
    scan: Path | None = typer.Option(None, "--scan", help="The --out folder of `wardwatch scan` (or demo)"),
    audit: Path | None = typer.Option(None, "--audit", help="The --out folder of `wardwatch audit bundles` or "
                                                            "`audit passwords`"),
    inventory: Path | None = typer.Option(None, "--inventory", help="The --out folder of `wardwatch inventory check`"),
    checklist: Path | None = typer.Option(None, "--checklist", help="The --out folder of `wardwatch checklist fill`"),
    vuln: Path | None = typer.Option(None, "--vuln", help="The --out folder of `wardwatch vuln check`"),
    facility: str = typer.Option("", "--facility", help="The hospital's name for the page header"),
    lang: Lang = None, tz: Tz = None, config: Config = None,
) -> None:
    """経営層向けの1枚のサマリーを作る / One printable page for management (Swiss-cheese layers, decisions).

    Exit 0: written from every result given; 1: written, but a result could not be read (named on stderr, its
    layers shown as not checked); 2: no result given, or the output folder cannot be written."""
    from ..report.terminal import Terminal
    from .build import read_results, summarise
    from .page import write_summary
    _, tz_, lang_ = settings(config, tz, lang)
    given = {k: v for k, v in (("scan", scan), ("audit", audit), ("inventory", inventory), ("checklist", checklist),
                               ("vuln", vuln)) if v is not None}
    if not given:
        fail("give at least one result: --scan, --audit, --inventory, --checklist or --vuln (their --out folders)")
    results, unread = read_results(given)
    for line in unread.values():
        say_error(line)
    s = summarise(results, lang_, unread)
    output(out).mkdir(parents=True, exist_ok=True)
    write_summary(s, out, facility, lang_, tz_)
    term = Terminal(lang_)
    term.say(term.t("summary.done", bad=sum(1 for x in s.layers if x.holes), total=len(s.layers),
                    unchecked=sum(1 for x in s.layers if x.status == "unchecked")))
    term.saved(out, "summary.html, summary.json")
    raise typer.Exit(EXIT_SKIPPED if unread else EXIT_OK)
