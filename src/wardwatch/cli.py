"""The `wardwatch` command: scan, demo and rules (Typer); user mistakes get a message and exit code 2."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from . import __version__
from .cliopts import Lang, Settings, with_settings
from .cliutil import EXIT_OK, EXIT_SKIPPED, check_lang, describe, fail, output, run_app, settings
from .config import ConfigError, load_rdp_allowlist
from .model import ScanResult

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="WardWatch: 病院のサイバー攻撃をログから見つける / finds attacks in a hospital's logs.")
rules_app = typer.Typer(help="Detection rules / 検知ルール")
app.add_typer(rules_app, name="rules")

from .audit.cli import audit_app, collect_app  # noqa: E402  (the audit and collect commands)

app.add_typer(audit_app, name="audit")
app.add_typer(collect_app, name="collect")

from .hospital.cli import checklist_app, inventory_app  # noqa: E402  (inventory and checklist commands)

app.add_typer(inventory_app, name="inventory")
app.add_typer(checklist_app, name="checklist")

from .netlog.cli import syslog_app  # noqa: E402  (the syslog collector, verify and network scan)

app.add_typer(syslog_app, name="syslog")

from .web.cli import web_app  # noqa: E402  (the web site tamper check)

app.add_typer(web_app, name="web")

from .incident.cli import incident_app  # noqa: E402  (the incident case record)

app.add_typer(incident_app, name="incident")

from .vuln.cli import vuln_app  # noqa: E402  (known-exploited vulnerabilities and end of support)

app.add_typer(vuln_app, name="vuln")

from .fix.cli import fix_app  # noqa: E402  (fix plan: remediation files from audit findings)

app.add_typer(fix_app, name="fix")

from .procure.cli import procure_app  # noqa: E402  (procurement clauses for the next specification)

app.add_typer(procure_app, name="procure")

from .summary.cli import summary as summary_command  # noqa: E402  (one page for management)

app.command("summary")(summary_command)

from .isac.cli import isac_app  # noqa: E402  (Medical ISAC: many hospitals, the same rules, DuckDB or Spark)

app.add_typer(isac_app, name="isac")

LEVELS = ("informational", "low", "medium", "high", "critical")


def _version(value: bool) -> None:
    if value:
        _print_version()
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(version_: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                        help="Print the version and exit")) -> None:
    """WardWatch: 病院のサイバー攻撃をログから見つける / finds attacks in a hospital's logs."""


def _allowlist(cfg: dict[str, Any], allowlist: Path | None) -> dict[str, Any]:
    """The settings with the RDP allowlist (option or settings file) checked."""
    allow = allowlist or cfg.get("rdp_allowlist")
    if allow:
        try:
            load_rdp_allowlist(Path(allow))  # checked here, read by the rdp check (its own parameter)
        except ConfigError as exc:
            fail(str(exc))
        cfg["rdp_allowlist"] = str(allow)
    return cfg


def scan_and_report(paths: list[Path], out: Path | None, cfg: dict[str, Any], tz: str, lang: str,
                    rule_paths: list[Path] | None = None, min_level: str | None = None,
                    segments: object = None) -> int:
    """Run a scan with a progress bar, print the summary; returns the exit code (0 all read, 1 something skipped)."""
    from .report.progress import ScanProgress
    from .report.terminal import Terminal
    from .scan import run_scan

    out_dir = out or Path(f"wardwatch-out-{datetime.now().strftime('%Y%m%d-%H%M%S')}")
    if (out_dir / "findings.json").exists():  # a finished scan; a half-written folder is simply written over
        fail(f"{out_dir} already holds a scan; choose another --out folder")
    total = sum(f.stat().st_size for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file())
    with ScanProgress(total, lang) as bar:
        try:
            result = run_scan(paths, out_dir, cfg, tz, lang, bar.on_file, bar.on_events, bar.on_phase, rule_paths,
                              min_level, segments)
        except OSError as exc:
            fail(f"cannot write results to {out_dir}: {describe(exc)}")
    term = Terminal(lang)
    try:
        term.scan(result, out_dir)
    except Exception as exc:  # the files are written; a summary that fails must not hide them
        term.error(f"the summary could not be shown ({type(exc).__name__}: {exc}); the results are in {out_dir}")
        return EXIT_SKIPPED
    return exit_code(result)


def exit_code(result: ScanResult) -> int:
    """0: everything read and judged; 1: something was not read, a part failed, or nothing could be judged."""
    from .verdict import CANNOT_JUDGE

    incomplete = any(i.errors for i in result.inputs) or result.problems
    cannot = result.verdict is not None and result.verdict.level == CANNOT_JUDGE
    return EXIT_SKIPPED if incomplete or cannot else EXIT_OK


@app.command()
@with_settings
def scan(
    paths: list[Path] = typer.Argument(..., exists=True, help="Event logs: .evtx, wevtutil XML, Get-WinEvent JSON, JSON lines, folders or .zip"),
    out: Path | None = typer.Option(None, "--out", help="Folder for the results (default: a new wardwatch-out-… folder)"),
    rdp_allowlist: Path | None = typer.Option(None, "--rdp-allowlist", exists=True, dir_okay=False,
                                                 help="CSV/YAML of expected (server, account, source) RDP pairs"),
    rules: list[Path] | None = typer.Option(None, "--rules", exists=True,
                                               help="Sigma rule file or folder (repeatable), run beside the built-in rules"),
    min_level: str | None = typer.Option(None, "--min-level",
                                            help="Only Sigma findings of this level or above: informational, low, medium, high, critical"),
    segments: Path | None = typer.Option(None, "--segments", exists=True, dir_okay=False,
                                            help="CSV cidr,segment for firewall/router syslog inputs"),
    inventory: Path | None = typer.Option(None, "--inventory", exists=True, dir_okay=False,
                                             help="Hospital inventory (segments, allowed flows, remote access) for syslog inputs"),
    *, s: Settings,
) -> None:
    """ログを調べて攻撃を探す / Scan event logs for the attacks of the MHLW training."""
    if min_level is not None and min_level not in LEVELS:
        fail(f"--min-level must be one of {', '.join(LEVELS)}, not {min_level!r}")
    cfg = _allowlist(s.cfg, rdp_allowlist)
    from .netlog.cli import checked_segments

    net_segments: object = checked_segments(segments) if segments is not None else None  # checked before the scan
    if inventory is not None:  # segments, remote-access sources and allowed flows from the hospital inventory
        from .hospital.inventory import InventoryError, load_inventory
        from .netlog.segments import segments_from_inventory
        try:
            net_segments = segments_from_inventory(load_inventory(inventory))
        except InventoryError as exc:
            fail(f"{exc}\n" + "\n".join(str(p) for p in exc.problems))
    raise typer.Exit(scan_and_report(paths, out, cfg, s.tz, s.lang, rules, min_level, net_segments))


DEMO_PARTS = {"logs", "result"}  # what `demo` writes into its --out folder, and all it removes on the next run


@app.command()
def demo(
    out: Path = typer.Option(Path("wardwatch-demo"), "--out", help="Folder for the demo logs and results"),
    tz: str | None = typer.Option(None, "--tz", help="Time zone for the report (default Asia/Tokyo)"),
    lang: str | None = typer.Option(None, "--lang", help="ja (default) or en"),
) -> None:
    """OGMC 事件に似たデモ用ログを作って調べる / Write an OGMC-like scenario and scan it."""
    import shutil

    from .demo import write_scenario

    cfg, tz_, lang_ = settings(None, tz, lang)
    if out.is_dir():  # an earlier demo, finished or not, is replaced; any other folder is left alone
        other = sorted(p.name for p in out.iterdir() if p.name not in DEMO_PARTS)
        if other:
            fail(f"{out} is not a demo folder (it holds {', '.join(other[:3])}); choose another --out folder")
        for part in DEMO_PARTS & {p.name for p in out.iterdir()}:
            shutil.rmtree(out / part)
    logs = output(out) / "logs"
    write_scenario(logs)
    raise typer.Exit(scan_and_report([logs], out / "result", cfg, tz_, lang_))


@rules_app.command("list")
def rules_list(lang: str = typer.Option("ja", "--lang", help="ja or en")) -> None:
    """組み込みの検知ルールの一覧 / List the built-in detection rules."""

    from .detect.rules import load_rules
    from .report.labels import phase_label
    from .report.terminal import Col, Terminal

    check_lang(lang)
    term = Terminal(lang)
    term.table([Col(term.t("list.rule"), "name"), Col(term.t("list.severity_phase"), "name"),
                Col(term.t("list.title_seed"), "text")],
               [(r.id, term.stacked(term.severity(r.severity), phase_label(r.phase, term.lang)),
                 term.titled(r.title.get(lang), r.seed))
                for r in load_rules()])


@rules_app.command("export-sigma")
def rules_export_sigma(folder: Path = typer.Argument(..., help="Folder to write the Sigma rules into"),
                       config: Path | None = typer.Option(None, "--config", exists=True, dir_okay=False,
                                                             help="Settings file (its thresholds go into the rules)")) -> None:
    """組み込みルールを Sigma 形式で書き出す / Write the built-in rules as Sigma rules (to read, tune and run with --rules)."""
    from .detect.sigma_export import export
    from .report.terminal import Terminal

    cfg, _, _ = settings(config, None, None)
    written, skipped = export(output(folder), cfg)
    term = Terminal()
    term.line(f"{len(written)} Sigma rule files written to {folder}")
    for rule_id, why in skipped.items():
        term.line(f"  {rule_id}: not exported ({why})")


@rules_app.command("check")
def rules_check(paths: list[Path] = typer.Argument(..., exists=True, help="Sigma rule files or folders"),
                problems: bool = typer.Option(False, "--problems",
                                              help="Only the rules that will not run, under their reason, with a "
                                                   "count per reason"),
                lang: Lang = None) -> None:
    """Sigma ルールを検証し、実行できるかと理由を一覧にする / Validate Sigma rules: will each run, and why not.

    Exit 0 when every rule will run, 1 when some will not (listed with the reason), 2 for a usage error."""
    from .report.terminal import Terminal
    from .sigma import check_rules

    _, _, lang_ = settings(None, None, lang)
    statuses = check_rules(paths)
    Terminal(lang_).rule_check(statuses, paths, problems_only=problems)
    raise typer.Exit(EXIT_SKIPPED if any(not st.will_run for st in statuses) else EXIT_OK)


@app.command()
def version() -> None:
    """Print the version."""
    _print_version()


def _print_version() -> None:
    from .report.terminal import Terminal

    Terminal().line(f"wardwatch {__version__}")


def main() -> None:
    """Entry point: Typer handles usage errors (exit 2); a broken rule or settings file, or an output that cannot
    be written (any command), ends with one `error:` line and exit 2 (cliutil.run_app)."""
    run_app(app)


if __name__ == "__main__":
    main()
