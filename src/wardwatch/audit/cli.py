"""`wardwatch audit` (bundles, and `audit passwords`) and `wardwatch collect --script`, as Typer apps for cli.py."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from ..cliopts import Settings, with_settings
from ..cliutil import EXIT_OK, EXIT_SKIPPED, check_lang, fail, output, settings
from ..config import ConfigError

DEFAULT_COMMAND = "bundles"


class DefaultCommandGroup(TyperGroup):
    """A group whose first argument, when it is not a subcommand, goes to the default command (the bundles audit)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and ((args[0] not in self.commands and args[0] not in ("--help", "-h"))
                     or (args[0] == DEFAULT_COMMAND and Path(args[0]).exists())):  # a folder named like the command
            args = [DEFAULT_COMMAND, *args]
        elif not args:
            args = [DEFAULT_COMMAND]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        formatter.write_usage(ctx.command_path, "BUNDLES... [LOGS...] [--out DIR] [--lang ja|en] [--tz ZONE] [--config FILE] "
                              "[--hosts FILE]\n"
                              f"       {ctx.command_path} passwords FILE... --out DIR [--wordlist FILE]...\n"
                              f"       {ctx.command_path} checks [--lang ja|en]")


audit_app = typer.Typer(cls=DefaultCommandGroup, add_completion=False,
                        help="Windows の設定を研修の推奨と比べて点検する / Audit Windows hosts against the training's "
                             "hardening advice. Give bundle folders or .zip files written by `wardwatch collect --script`.")
collect_app = typer.Typer(add_completion=False,
                          help="収集スクリプトを書き出す / Write out the collector script for Windows.")


def _out_dir(out: Path | None, prefix: str) -> Path:
    out_dir = out or Path(f"{prefix}-{datetime.now().strftime('%Y%m%d-%H%M%S')}")
    output(out_dir).mkdir(parents=True, exist_ok=True)  # an OSError is the one-line error of cliutil.run_app
    return out_dir


@audit_app.command(DEFAULT_COMMAND, hidden=True)
@with_settings
def audit_bundles(
    bundles: list[Path] = typer.Argument(..., exists=True, help="Bundle folders or .zip files (folders are searched)"),
    out: Path | None = typer.Option(None, "--out", help="Folder for the results (default: a new wardwatch-audit-… folder)"),
    hosts: Path | None = typer.Option(None, "--hosts", exists=True, dir_okay=False,
                                      help="Host list, one per line; tag 'rdp' where RDP is needed"),
    *, s: Settings,
) -> None:
    """束を点検する / Audit collector bundles."""
    from ..report.terminal import Terminal
    from .report import run_of, write_html, write_json
    from .run import run, split_paths
    from .settings import make_context

    cfg, tz_, lang_, config = s.cfg, s.tz, s.lang, s.config
    bundle_paths, log_paths = split_paths(bundles)
    if not bundle_paths:
        fail("no collector bundle found in " + ", ".join(map(str, bundles)) +
              " (a folder or .zip with manifest.json, secedit.inf, ... from wardwatch-collect.ps1; "
              "for event logs alone use wardwatch scan)")
    try:
        ctx = make_context(cfg, hosts)
        result = run(bundle_paths, cfg, ctx, tz_, lang_)
    except ConfigError as exc:  # the audit: section is checked here; its errors are the settings file's
        own = config is None or (hosts is not None and str(exc).startswith(str(hosts)))
        fail(str(exc) if own else f"{config}: {exc}")
    out_dir = _out_dir(out, "wardwatch-audit")
    if log_paths:  # event logs given with the bundles: one combined report
        from ..scan import run_scan
        result.add_scan(run_scan(log_paths, out_dir / "scan", cfg, tz_, lang_), "scan/report.html")
    write_json(result, out_dir / "findings.json")
    write_html(result, out_dir / "report.html")
    Terminal(lang_).audit(run_of(result), out_dir)
    raise typer.Exit(EXIT_SKIPPED if result.incomplete else EXIT_OK)


@audit_app.command("passwords")
def audit_passwords(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False,
                                       help="NT-hash exports: secretsdump/pwdump lines, user:hash, DSInternals text"),
    out: Path = typer.Option(..., "--out", help="Folder for findings.json"),
    wordlist: list[Path] = typer.Option([], "--wordlist", exists=True, dir_okay=False, help="Extra word list (repeatable)"),
    lang: str | None = typer.Option(None, "--lang", help="ja (default) or en"),
    tz: str | None = typer.Option(None, "--tz"),
) -> None:
    """パスワードの弱さと使い回しを調べる（ハッシュもパスワードも出力しない）/ Check NT hashes; prints neither."""
    from ..model import Run
    from ..report.findings_page import write_findings_html
    from ..report.jsonout import write_json
    from ..report.messages import message
    from ..report.terminal import Terminal
    from .encoding import DecodeError
    from .passwords import run_passwords

    _, tz_, lang_ = settings(None, tz, lang)
    try:
        inputs, findings, stats = run_passwords(files, wordlist)
    except DecodeError as exc:
        fail(f"a word list could not be read: {exc}")
    out_dir = _out_dir(out, "wardwatch-passwords")
    result = Run(datetime.now(UTC), tz_, lang_, inputs=inputs, findings=findings, stats=dict(stats))
    write_json(result, out_dir / "findings.json")
    write_findings_html(findings, out_dir / "report.html", message("passwords.title", lang_),
                        message("passwords.intro", lang_, accounts=stats.get("accounts", "-"), files=len(inputs)),
                        lang_, tz_)
    Terminal(lang_).passwords(result, out_dir)
    raise typer.Exit(EXIT_SKIPPED if any(i.errors for i in inputs) else EXIT_OK)


@audit_app.command("checks")
def audit_checks(lang: str = typer.Option("ja", "--lang", help="ja or en")) -> None:
    """点検項目の一覧 / List the audit checks (rule, severity, seed, title)."""
    from ..report.terminal import Col, Terminal
    from .checkdefs import load_checks

    check_lang(lang)
    term = Terminal(lang)
    term.table([Col(term.t("list.rule"), "name"), Col(term.t("list.severity"), "label"),
                Col(term.t("list.scope"), "label"), Col(term.t("list.title_seed"), "text")],
               [(c.rule, term.severity(c.severity), c.scope, term.titled(c.title.get(term.lang), c.seed))
                for c in load_checks()])


@collect_app.callback(invoke_without_command=True)
def collect(
    script: bool = typer.Option(False, "--script", help="Write the PowerShell collector script"),
    out: Path | None = typer.Option(None, "--out", help="File or folder to write it to (default: ./wardwatch-collect.ps1)"),
) -> None:
    """Windows で設定を集めるスクリプト / The collector for Windows (built-in commands only, changes nothing)."""
    from ..collector import RUN_LINE, SCRIPT_NAME, write_script
    from ..report.terminal import Terminal

    term = Terminal()
    if not script:
        term.line("収集スクリプトを書き出すには / To write the collector script:  wardwatch collect --script [--out FILE]")
        term.line(f"Windows で管理者として実行 / Run on Windows as administrator:  {RUN_LINE}")
        raise typer.Exit(EXIT_OK)
    path = write_script(output(out or Path(SCRIPT_NAME)))  # an OSError is the one-line error of cliutil.run_app
    for line in (f"{path}",
                 "Windows で管理者の PowerShell から実行（実行ポリシーはこのプロセスだけ回避、設定は変えません）:",
                 "Run it from an administrator prompt (the execution policy is bypassed for this process only):",
                 f"  {RUN_LINE}",
                 "できた wardwatch-<ホスト名>-<日時>.zip をこの PC にコピーして / Copy the resulting zip here, then:",
                 "  wardwatch audit wardwatch-*.zip --out result"):
        term.line(line)
