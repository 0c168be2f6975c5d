"""`wardwatch summary`: one printable A4 page for management from whatever results are given."""
from __future__ import annotations

from pathlib import Path

import typer

from ..cliopts import Config, Lang, Tz
from ..cliutil import EXIT_OK, fail, output, settings


def summary(
    out: Path = typer.Option(..., "--out", help="Folder for summary.html and summary.json"),
    scan: Path | None = typer.Option(None, "--scan", exists=True, help="The --out folder of `wardwatch scan`"),
    audit: Path | None = typer.Option(None, "--audit", exists=True, help="The --out folder of `wardwatch audit`"),
    inventory: Path | None = typer.Option(None, "--inventory", exists=True,
                                          help="The --out folder of `wardwatch inventory check`"),
    checklist: Path | None = typer.Option(None, "--checklist", exists=True,
                                          help="The --out folder of `wardwatch checklist fill`"),
    vuln: Path | None = typer.Option(None, "--vuln", exists=True, help="The --out folder of `wardwatch vuln check`"),
    facility: str = typer.Option("", "--facility", help="The hospital's name for the page header"),
    lang: Lang = None, tz: Tz = None, config: Config = None,
) -> None:
    """経営層向けの1枚のサマリーを作る / One printable page for management (Swiss-cheese layers, decisions)."""
    from .build import SummaryError, read_results, summarise
    from .page import write_summary
    _, tz_, lang_ = settings(config, tz, lang)
    given = {k: v for k, v in (("scan", scan), ("audit", audit), ("inventory", inventory), ("checklist", checklist),
                               ("vuln", vuln)) if v is not None}
    if not given:
        fail("give at least one result: --scan, --audit, --inventory, --checklist or --vuln (their --out folders)")
    try:
        results = read_results(given)
    except SummaryError as exc:
        fail(str(exc))
    s = summarise(results, lang_)
    output(out).mkdir(parents=True, exist_ok=True)
    write_summary(s, out, facility, lang_, tz_)
    bad = sum(1 for x in s.layers if x.holes)
    typer.echo(f"{bad}/{len(s.layers)} layers with holes → {out / 'summary.html'}")
    raise typer.Exit(EXIT_OK)
