"""`wardwatch web baseline` and `wardwatch web check`: the web site tamper check (seed 004 ⑤)."""
from __future__ import annotations

import json
from pathlib import Path

import typer

from .. import integrity
from ..cliopts import Config, FindingsOut, Lang, Settings, with_settings
from ..cliutil import EXIT_OK, EXIT_SKIPPED, fail, output, settings
from ..report.terminal import Terminal

web_app = typer.Typer(add_completion=False, no_args_is_help=True,
                      help="Web サイトの改ざんを調べる / Check the web site for tampering (defacement, web shells).")


def _key_path(baseline: Path, key: Path | None) -> Path:
    return key or baseline.with_name(baseline.name + ".key")


@web_app.command("baseline")
def web_baseline(
    site: Path = typer.Argument(..., exists=True, file_okay=False, help="The site's folder (or a copy or mirror)"),
    out: Path = typer.Option(..., "--out", help="Baseline file to write (JSON)"),
    host: list[str] = typer.Option([], "--host", help="The site's own host name(s), e.g. www.example-hospital.jp"),
    key: Path | None = typer.Option(None, "--key", help="Key file that signs the baseline (default: OUT.key)"),
    force: bool = typer.Option(False, "--force", help="Replace an existing baseline"),
    lang: Lang = None,
    config: Config = None,
) -> None:
    """正常な状態の基準を作る / Record every file's hash as the known-good baseline."""
    from .site import Comparison, ContentHit, findings, make_baseline

    _, _, lang_ = settings(config, None, lang)
    if out.exists() and not force:
        fail(f"{out} already exists; give --force to replace it")
    key_file = _key_path(out, key)
    secret = integrity.load_key(output(key_file), create=True)
    assert secret is not None
    unreadable: list[tuple[str, str]] = []
    hits: list[ContentHit] = []
    data = make_baseline(site, secret, host, unreadable, hits)
    tmp = output(out).with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(out)
    found = findings(Comparison(hits=hits), site.name)
    term = Terminal(lang_)
    term.findings(found, show_host=False)
    for rel, why in unreadable:
        term.line(term.t("web.unreadable", path=site / rel, why=why, what=term.t("web.not_in_baseline")), err=True)
    outside = [h for h in data["hosts"] if h not in data["own_hosts"]]
    term.say(term.t("web.baseline", out=out, files=f"{len(data['files']):,}", keyfile=key_file))
    if outside:
        term.say(term.t("web.outside", n=len(outside), hosts=", ".join(outside)))
    raise typer.Exit(EXIT_SKIPPED if found or unreadable else EXIT_OK)


@web_app.command("check")
@with_settings
def web_check(
    site: Path = typer.Argument(..., exists=True, file_okay=False, help="The site's folder (or a fresh copy)"),
    baseline: Path = typer.Option(..., "--baseline", exists=True, dir_okay=False, help="Baseline from web baseline"),
    key: Path | None = typer.Option(None, "--key", help="Key file of the baseline (default: BASELINE.key)"),
    out: FindingsOut = None,
    *, s: Settings,
) -> None:
    """基準と比べて改ざんを調べる / Compare the site with its baseline and look for tampering."""
    from .site import BaselineError, compare, findings, load_baseline

    tz_, lang_ = s.tz, s.lang
    if out:
        output(out).mkdir(parents=True, exist_ok=True)  # a folder that cannot be made stops it before any work
    try:
        data = load_baseline(baseline, integrity.load_key(_key_path(baseline, key)))
    except BaselineError as exc:
        fail(str(exc))
    cmp = compare(site, data)
    found = findings(cmp, site.name)
    term = Terminal(lang_)
    term.findings(found, show_host=False)
    for rel, why in cmp.unreadable:
        term.line(term.t("web.unreadable", path=site / rel, why=why, what=term.t("web.not_checked")), err=True)
    summary = term.t("web.summary", files=f"{cmp.files:,}", added=len(cmp.added), changed=len(cmp.changed),
                     removed=len(cmp.removed), n=len(found))
    if out:
        from ..hospital.output import write_findings
        from ..report.findings_page import write_findings_html
        write_findings(found, [str(baseline)], out / "findings.json", tz_, lang_)
        write_findings_html(found, out / "web.html", f"WardWatch: {site.name}" + (" の改ざん確認" if lang_ != "en" else
                            " tamper check"), summary, lang_, tz_)
    term.say(summary)
    raise typer.Exit(EXIT_SKIPPED if found or cmp.unreadable else EXIT_OK)
