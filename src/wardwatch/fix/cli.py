"""`wardwatch fix plan`: a reviewed, reversible remediation pack from audit findings (nothing is applied)."""
from __future__ import annotations

from pathlib import Path

import typer

from ..cliopts import Settings, with_settings
from ..cliutil import EXIT_OK, EXIT_SKIPPED, fail, output
from ..report.terminal import Terminal

fix_app = typer.Typer(add_completion=False, no_args_is_help=True,
                      help="点検結果から修正プランを作る（適用はしない）/ Make a fix plan from audit results (never applied here).")


def valid_source(text: str) -> bool:
    """An address Set-NetFirewallRule -RemoteAddress takes: IP, network (prefix or mask), range or LocalSubnet."""
    import ipaddress

    if text.lower() == "localsubnet":
        return True
    try:
        parts = text.split("-")
        if len(parts) == 2:
            return ipaddress.ip_address(parts[0]).version == ipaddress.ip_address(parts[1]).version
        net = ipaddress.ip_network(text, strict=False)
        return net.prefixlen > 0
    except ValueError:
        return False


@fix_app.command("plan")
@with_settings
def fix_plan(
    findings: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="findings.json of `wardwatch audit`"),
    out: Path = typer.Option(..., "--out", help="Folder for the plan (one sub-folder per host, plan.html, gpo.csv)"),
    bundles: Path | None = typer.Option(None, "--bundles", exists=True,
                                        help="The audited bundles (folder or .zip): current values and a model check"),
    scan: list[Path] = typer.Option([], "--scan", exists=True, dir_okay=False,
                                    help="findings.json of `wardwatch scan`: names accounts that keep failing (lockout)"),
    inventory: Path | None = typer.Option(None, "--inventory", exists=True, dir_okay=False,
                                          help="Hospital inventory: vendors' remote maintenance paths (RDP port note)"),
    rdp_from: list[str] = typer.Option([], "--rdp-from",
                                       help="Address or network RDP may come from (repeatable): limits the RDP inbound rules"),
    *, s: Settings,
) -> None:
    """修正プラン / Fix plan: secpol.inf, auditpol.csv, .reg, apply.ps1 (-WhatIf by default), undo.ps1, plan.html."""
    from ..hospital.inventory import InventoryError
    from .plan import PlanInputError
    from .write import write_plan

    tz_, lang_ = s.tz, s.lang
    for source in rdp_from:
        if not valid_source(source):
            fail(f"--rdp-from {source!r}: give an IP address, a network (192.168.10.0/24) or a range (a-b), never Any")
    if (out / "plan.html").exists():
        fail(f"{out} already holds a plan; choose another --out folder")
    try:
        result = write_plan(output(out), findings, bundles, scan, inventory, lang_, list(rdp_from), tz_)
    except PlanInputError as exc:
        fail(str(exc))
    except InventoryError as exc:
        fail(f"{exc}\n" + "\n".join(str(p) for p in exc.problems))
    term = Terminal(lang_)
    ja = lang_ != "en"
    claimed_fail = False
    for plan in result.plans:
        bad = [r for r, s in plan.predicted.items() if s != "pass"]
        claimed_fail |= bool(bad)
        line = (f"{plan.host}: 変更 {len(plan.changes)} 件（{len(plan.steps)} 項目）、このプランで直さない項目 {len(plan.not_fixed)} 件"
                if ja else f"{plan.host}: {len(plan.changes)} changes ({len(plan.steps)} values), {len(plan.not_fixed)} checks left to a person")
        if plan.predicted:
            line += (f"、モデルでの確認: {len(plan.predicted) - len(bad)}/{len(plan.predicted)} 合格" if ja
                     else f", model check: {len(plan.predicted) - len(bad)}/{len(plan.predicted)} pass")
        term.say(line)
        if bad:
            term.say(f"  {'モデルで合格にならない' if ja else 'still failing in the model'}: {', '.join(bad)}", style="red")
    for p in result.problems:
        term.say(f"{p.file}: {p.message}", style="yellow")
    term.line(f"{out / 'plan.html'}  ({'先に読んでください。WardWatch は何も適用しません' if ja else 'read it first; WardWatch applies nothing'})")
    raise typer.Exit(EXIT_SKIPPED if claimed_fail or result.problems else EXIT_OK)
