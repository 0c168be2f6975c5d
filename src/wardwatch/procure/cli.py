"""`wardwatch procure`: requirement clauses for the next procurement (調達仕様書の記載例) from the gaps found, with
the vendor's checklist as an attachment, written as procurement.docx and procurement.html."""
from __future__ import annotations

from pathlib import Path

import typer

from ..cliutil import EXIT_OK, check_lang, fail, output
from ..report.terminal import Terminal

procure_app = typer.Typer(add_completion=False, context_settings={"allow_interspersed_args": True},
                          help="次の調達の仕様書に入れるセキュリティ要件の記載例 / Security clauses for the next "
                               "procurement specification, from the gaps found.")


@procure_app.callback(invoke_without_command=True)
def procure(
    findings: list[Path] = typer.Argument(None, help="findings.json of scan, audit, inventory check, checklist fill",
                                          show_default=False),
    out: Path = typer.Option(Path("wardwatch-procure"), "--out", help="Folder for procurement.docx and .html"),
    all_: bool = typer.Option(False, "--all", help="Every clause, not only those answering a gap found"),
    lang: str | None = typer.Option(None, "--lang", help="ja (default) or en"),
    clauses: Path | None = typer.Option(None, "--clauses", dir_okay=False,
                                        help="Your own edited copy of the clauses (the layout of procure/clauses.yml)"),
    items: Path | None = typer.Option(None, "--items", dir_okay=False,
                                      help="Updated checklist item data (the layout of hospital/data/checklist.yml)"),
) -> None:
    """見つかった不備から調達仕様書の要件（記載例）を作る / Write procurement clauses for the gaps found."""
    from ..hospital.checklist import TARGETS, VERSIONS, load_items, rows
    from .clauses import ClauseError, FindingsError, load_catalog, read_findings, select
    from .render import build, write_docx, write_html

    lang_ = check_lang(lang) or "ja"
    if not findings and not all_:
        fail("give one or more findings.json files (from scan, audit, inventory check, checklist fill), or --all")
    try:
        catalog = load_catalog(clauses)
    except ClauseError as exc:
        fail(str(exc))
    try:
        data = load_items(items)
        version = str(catalog.meta.get("checklist_version") or "R7")
        if version not in VERSIONS:
            fail(f"{catalog.path}: meta.checklist_version must be one of {', '.join(VERSIONS)}, not {version!r}")
        annex = rows(data, version, TARGETS[1])
        item_list = list(data["items"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        fail(f"{items or 'the shipped checklist'}: not a usable checklist items file ({type(exc).__name__}: {exc})")
    found = []
    for p in findings or []:
        try:
            found += read_findings(p)
        except FindingsError as exc:
            fail(str(exc))
    try:
        chosen = select(catalog, found, item_list, everything=all_, lang=lang_)
        doc = build(catalog, chosen, item_list, annex, lang_, [str(p) for p in findings or []], version)
    except ClauseError as exc:
        fail(str(exc))
    output(out).mkdir(parents=True, exist_ok=True)  # an OSError is the one-line error of cliutil.run_app
    docx_path = write_docx(doc, out / "procurement.docx")
    html_path = write_html(doc, out / "procurement.html")
    gaps = sum(1 for c in doc.clauses if c.gaps)
    term = Terminal(lang_)
    for c in doc.clauses:
        mark = "*" if c.gaps else " "
        term.say(f"{mark} {c.number:2}. {c.title}" + (f"  ({', '.join(g.rule for g in c.gaps)})" if c.gaps else ""))
    term.line(("要件 {n} 件（うち不備に対応 {g} 件）を書き出しました" if lang_ == "ja" else
               "wrote {n} clause(s), {g} answering a gap found").format(n=len(doc.clauses), g=gaps)
              + f": {docx_path}, {html_path}")
    raise typer.Exit(EXIT_OK)
