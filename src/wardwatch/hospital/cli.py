"""`wardwatch inventory` (init, check, schema) and `wardwatch checklist` (fill, answer), as Typer apps for cli.py."""
from __future__ import annotations

import json
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import typer
import yaml

from ..cliopts import Settings, with_settings
from ..cliutil import EXIT_OK, fail, output
from ..report.jsonout import finding_dict
from ..report.terminal import Col, Terminal
from .inventory import Inventory, InventoryError, load_inventory, schema

inventory_app = typer.Typer(add_completion=False, no_args_is_help=True,
                            help="病院の台帳（機器・セグメント・通信・バックアップ）/ The hospital inventory: "
                                 "devices, segments, flows, remote access, backups.")
checklist_app = typer.Typer(add_completion=False, no_args_is_help=True,
                            help="厚労省サイバーセキュリティ対策チェックリストを証拠から記入する / Fill the MHLW "
                                 "cybersecurity checklist from evidence.")
KINDS = ("clinic", "hospital")


def _problems(exc: InventoryError) -> NoReturn:
    term = Terminal()
    for p in exc.problems:
        term.line(f"{exc.path}:{p.line or '-'}: {p.field or '(top)'}: {p.message}", err=True)
    fail(f"{exc.path}: {len(exc.problems)} problem(s); fix them and run again")


def _inventory(path: Path) -> Inventory:
    inventory: Inventory = _load("inventory", path, load_inventory, path)
    return inventory


def _load(what: str, path: Path | None, fn: Any, *args: Any) -> Any:
    """fn(*args), with a file the user gave that cannot be used as one line naming it (never a traceback)."""
    try:
        return fn(*args)
    except InventoryError as exc:
        _problems(exc)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())[:200]
        fail(f"{path or 'the shipped checklist'}: not a usable {what} file ({type(exc).__name__}: {reason})")


def _read_findings(paths: list[Path]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in paths:
        try:
            data = json.loads(p.read_text("utf-8"))
            found = data["findings"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            fail(f"{p}: not a WardWatch findings.json ({exc})")
        out += [f for f in found if isinstance(f, dict)]
    return out


def _out_dir(out: Path) -> Path:
    output(out).mkdir(parents=True, exist_ok=True)  # an OSError is the one-line error of cliutil.run_app
    return out


@inventory_app.command("init")
def inventory_init(
    out: Path = typer.Argument(Path("inventory.yml"), help="File to write (default inventory.yml)"),
    kind: str = typer.Option("hospital", "--kind", help="clinic (診療所) or hospital (病院)"),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file"),
) -> None:
    """日本語コメント付きのひな形を書き出す / Write a commented starting inventory in Japanese."""
    if kind not in KINDS:
        fail(f"--kind must be clinic or hospital, not {kind!r}")
    if out.exists() and not force:
        fail(f"{out} already exists (use --force to overwrite)")
    text = resources.files("wardwatch.hospital").joinpath("templates", f"{kind}.yml").read_text("utf-8")
    output(out).parent.mkdir(parents=True, exist_ok=True)  # an OSError is the one-line error of cliutil.run_app
    out.write_text(text, "utf-8")
    Terminal().line(f"wrote {out} ({kind}); edit it, then run: wardwatch inventory check {out}")


@inventory_app.command("schema")
def inventory_schema() -> None:
    """台帳の JSON Schema を表示 / Print the inventory's JSON Schema."""
    Terminal().data(json.dumps(schema(), ensure_ascii=False, indent=2))


@inventory_app.command("check")
@with_settings
def inventory_check(
    inventory: Path = typer.Argument(..., exists=True, dir_okay=False, help="Inventory YAML file"),
    out: Path | None = typer.Option(None, "--out", help="Folder for findings.json and inventory.html"),
    scan: list[Path] = typer.Option([], "--scan", exists=True, dir_okay=False, help="findings.json from wardwatch scan"),
    audit: list[Path] = typer.Option([], "--audit", exists=True, dir_okay=False, help="findings.json from wardwatch audit"),
    *, s: Settings,
) -> None:
    """台帳を検証し、ネットワークとバックアップを点検する / Validate the inventory and check network and backups."""
    from .backupcheck import run_backup
    from .netcheck import run_network
    from .output import write_findings, write_inventory_html

    tz_, lang_ = s.tz, s.lang
    inv = _inventory(inventory)
    findings = run_network(inv, _read_findings([*scan, *audit])) + run_backup(inv)
    term = Terminal(lang_)
    term.findings(findings)
    term.line(f"{inventory}: valid; {len(findings)} finding(s)")
    if out:
        d = _out_dir(out)
        write_findings(findings, [str(inventory), *map(str, [*scan, *audit])], d / "findings.json", tz_, lang_)
        write_inventory_html(inv, findings, d / "inventory.html", lang_, tz_)
        term.line(f"wrote {d / 'findings.json'} and {d / 'inventory.html'}")
    raise typer.Exit(EXIT_OK)


def _evidence(inventory: Path | None, scan: list[Path], audit: list[Path], vuln: list[Path] | None = None,
              lang: str = "ja") -> Any:
    """What the checklist answers from: the findings given, and the inventory's own (worded in the run's language,
    as the automatic answers quote their titles)."""
    from .backupcheck import run_backup
    from .checklist import Evidence
    from .netcheck import run_network

    inv = _inventory(inventory) if inventory else None
    observed = _read_findings([*scan, *audit, *(vuln or [])])
    own: list[dict[str, Any]] = []
    if inv:
        own = [finding_dict(f, "UTC", lang) for f in run_network(inv, observed) + run_backup(inv)]
    return Evidence(inv, observed + own, audit_given=bool(audit), scan_given=bool(scan), host_os=_host_os(audit))


def _host_os(audit: list[Path]) -> dict[str, str]:
    """HOST → operating system from audits' findings.json (audit.hosts), to tell servers from PCs."""
    out: dict[str, str] = {}
    for p in audit:
        try:
            hosts = json.loads(p.read_text("utf-8")).get("audit", {}).get("hosts", [])
        except (OSError, ValueError, AttributeError):
            continue  # _read_findings has already said what is wrong with the file
        out.update({str(h.get("host", "")).upper(): str(h.get("os") or "") for h in hosts if isinstance(h, dict)})
    return out


def _check_version(version: str, target: str) -> None:
    from .checklist import TARGETS, VERSIONS
    if version not in VERSIONS:
        fail(f"--version must be one of {', '.join(VERSIONS)}, not {version!r}")
    if target not in TARGETS:
        fail(f"--target must be 医療機関 or 事業者, not {target!r}")


def _items(items: Path | None, version: str, target: str) -> tuple[dict[str, Any], list[Any], str]:
    """The checklist item data (shipped or --items), its rows for the version and target, and the form's title."""
    from .checklist import load_items, rows

    def read() -> tuple[dict[str, Any], list[Any], str]:
        data = load_items(items)
        meta = data["meta"]
        from .xlsxform import version_label  # the version as the form names it, without the working notes
        return data, rows(data, version, target), \
            f"{meta['title']}（{version_label(str(meta['versions'].get(version, version)))}・{target}確認用）"

    return _load("checklist items", items, read)  # type: ignore[no-any-return]


@checklist_app.command("fill")
@with_settings
def checklist_fill(
    inventory: Path | None = typer.Option(None, "--inventory", exists=True, dir_okay=False, help="Inventory YAML"),
    answers: Path | None = typer.Option(None, "--answers", exists=True, dir_okay=False, help="Answers file (YAML)"),
    scan: list[Path] = typer.Option([], "--scan", exists=True, dir_okay=False, help="findings.json from wardwatch scan"),
    audit: list[Path] = typer.Option([], "--audit", exists=True, dir_okay=False, help="findings.json from wardwatch audit"),
    vuln: list[Path] = typer.Option([], "--vuln", exists=True, dir_okay=False, help="findings.json from wardwatch vuln check"),
    version: str = typer.Option("R7", "--version", help="Checklist version: R5, R6 or R7"),
    target: str = typer.Option("医療機関", "--target", help="医療機関 or 事業者"),
    items: Path | None = typer.Option(None, "--items", exists=True, dir_okay=False,
                                         help="Updated checklist item data (YAML, same layout as the shipped one)"),
    out: Path = typer.Option(Path("wardwatch-checklist"), "--out", help="Folder for checklist.xlsx / .html / findings.json"),
    *, s: Settings,
) -> None:
    """証拠と回答ファイルからチェックリストを記入し .xlsx と HTML に書き出す / Fill the checklist and export it."""
    from .checklist import TARGETS, Filled, answer_label, fill, load_answers, row_answers, rows
    from .checklist import findings as cl_findings
    from .output import write_checklist_html, write_findings
    from .xlsxform import Sheet, in_order, write_form

    tz_, lang_ = s.tz, s.lang
    _check_version(version, target)
    data, rowlist, title = _items(items, version, target)
    human = _load("answers", answers, load_answers, answers, version, target) if answers else {}
    ev = _evidence(inventory, scan, audit, vuln, lang_)
    filled = fill(rowlist, ev, human, date.today())
    facility = ev.inventory.name if ev.inventory else ""
    d = _out_dir(out)
    other = [t for t in TARGETS if t != target][0]  # the other party's sheet: its items, blank, for them to fill
    sheets = [Sheet(target, filled, version),
              Sheet(other, [Filled(r, None, None, None) for r in rows(data, version, other)], version)]
    sheets.sort(key=lambda sheet: TARGETS.index(sheet.target))
    write_form(sheets, d / "checklist.xlsx", str(data["meta"]["title"]),
               str(data["meta"]["versions"].get(version, version)), facility, lang_)
    write_checklist_html(filled, d / "checklist.html", title, facility, lang_, tz_)
    found = cl_findings(filled)
    write_findings(found, [str(p) for p in (inventory, answers, *scan, *audit, *vuln) if p], d / "findings.json", tz_,
                   lang_, {"rows": row_answers(filled)})
    term = Terminal(lang_)
    term.table([Col(term.t("checklist.number"), "name"), Col(term.t("checklist.item"), "text", 2),
                Col(term.t("checklist.device"), "name"), Col(term.t("checklist.answer_from"), "text", 1)],
               [(f.row.number, f.row.name, term.t(f"checklist.device.{f.row.device}") if f.row.device else "",
                 term.stacked(f"{answer_label(f.final.answer, lang_)} ({f.final.source})"
                              if f.final else term.t("checklist.unanswered"),
                              term.stacked("!! " + term.t("checklist.conflict") if f.conflict else "", style="bold red")))
                for f in in_order(filled)])
    conflicts = sum(1 for f in filled if f.conflict)
    term.line(f"wrote {d}/checklist.xlsx, checklist.html, findings.json; {conflicts} conflict(s)")


@checklist_app.command("answer")
def checklist_answer(
    answers: Path = typer.Option(..., "--answers", dir_okay=False, help="Answers file to create or update"),
    inventory: Path | None = typer.Option(None, "--inventory", exists=True, dir_okay=False, help="Inventory YAML"),
    version: str = typer.Option("R7", "--version", help="Checklist version: R5, R6 or R7"),
    target: str = typer.Option("医療機関", "--target", help="医療機関 or 事業者"),
    items: Path | None = typer.Option(None, "--items", exists=True, dir_okay=False, help="Updated item data"),
) -> None:
    """自動で決まらない項目を端末で尋ねて回答ファイルに書く / Prompt for the rows evidence cannot answer."""
    from .checklist import (
        Answer,
        answers_template,
        auto_answer,
        load_answers,
        parse_answer_word,
    )
    from .dates import parse_date

    _check_version(version, target)
    output(answers).parent.mkdir(parents=True, exist_ok=True)  # before the questions, not after them
    _, rowlist, _ = _items(items, version, target)
    human = _load("answers", answers, load_answers, answers, version, target) if answers.exists() else {}
    ev = _evidence(inventory, [], [])
    today = date.today()
    for r in rowlist:
        if r.key in human or auto_answer(r, ev, today):
            continue
        reply = typer.prompt(f"{r.number} {r.name} {r.device} [はい/いいえ/該当なし/skip]", default="skip").strip()
        word = parse_answer_word(reply)
        while word is None and reply.lower() != "skip":
            reply = typer.prompt("  はい / いいえ / 該当なし / skip", default="skip").strip()
            word = parse_answer_word(reply)
        if word is None:
            continue
        target_date = None
        if word == "いいえ":
            while target_date is None:
                try:
                    target_date = parse_date(typer.prompt("  目標日 / target date (2025-03-31, 令和7年3月31日)"))
                except ValueError as exc:
                    Terminal().line(f"  {exc}")
        human[r.key] = Answer(word, today, target_date, "", "human")
    answers.write_text(answers_template(rowlist, version, target, human), "utf-8")
    Terminal().line(f"wrote {answers} ({len(human)} answer(s))")
