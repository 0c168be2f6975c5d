"""`wardwatch incident`: open a case, answer its steps, keep evidence, verify the journal, write the report."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from ..cliopts import By, Lang, Settings, with_settings
from ..cliutil import EXIT_OK, EXIT_SKIPPED, fail, inventory_or_fail, output, settings
from ..report.terminal import Col, Terminal
from .case import Case, CaseError, contact_list, read_contacts, steps, who

incident_app = typer.Typer(add_completion=False, no_args_is_help=True,
                           help="インシデント対応の記録（手順・証拠・連絡先・報告の下書き）/ An incident case: steps, "
                                "evidence, contacts and report drafts.")
CaseArg = Annotated[Path, typer.Argument(exists=True, file_okay=False, help="Case folder")]
evidence_app = typer.Typer(add_completion=False, no_args_is_help=True, help="証拠の保全 / Evidence.")
incident_app.add_typer(evidence_app, name="evidence")


T = TypeVar("T")


def _or_fail(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args); a case that cannot be used as asked is one line (exit 2)."""
    try:
        return fn(*args)
    except CaseError as exc:
        fail(str(exc))


def _open(case: Path) -> Case:
    try:
        return Case(case)
    except CaseError as exc:
        fail(str(exc))


def _show_next(c: Case, lang: str) -> None:
    term = Terminal(lang)
    nxt = c.open_steps()
    if not nxt:
        term.say("すべての手順に回答しました。" if lang != "en" else "Every step is answered.")
        return
    s = nxt[0]
    key = "en" if lang == "en" else "ja"
    term.say(("次の手順" if lang != "en" else "Next step") + f" [{s['id']}] ({s['phase']}): {s['question'][key]}")
    if s.get("advice"):
        term.say(f"  → {s['advice'][key]}")
    for line in _whom(c, s, lang):
        term.line(f"  ☎ {line}")
    hint = "はい / いいえ / 不明" if s["kind"] == "yesno" else ("文章" if lang != "en" else "text")
    term.line(f"  wardwatch incident answer {c.root} {s['id']} ({hint}) --by NAME")


def _whom(c: Case, step: dict[str, Any], lang: str) -> list[str]:
    """Whom to call at this step, from the case's contacts.yml (the number, or a reminder to fill it in)."""
    try:
        contacts = read_contacts(c.root)
    except CaseError:
        return []
    out = []
    for key in step.get("contacts") or []:
        who_ = contacts.get(key) or {}
        name = " ".join(str(x) for x in (who_.get("role") or key, who_.get("name") or "") if x)
        phone = str(who_.get("phone") or "") or ("（contacts.yml に番号を記入）" if lang != "en" else "(add the number in contacts.yml)")
        out.append(f"{name}: {phone}")
    return out


@incident_app.command("start")
@with_settings
def incident_start(
    case: Path = typer.Argument(..., help="New folder for the case"),
    title: str = typer.Option("", "--title", help="A short name for the case"),
    from_scan: list[Path] = typer.Option([], "--from-scan", exists=True, dir_okay=False,
                                         help="findings.json of wardwatch scan (kept as evidence)"),
    inventory: Path | None = typer.Option(None, "--inventory", exists=True, dir_okay=False, help="Inventory YAML"),
    by: By = None,
    *, s: Settings,
) -> None:
    """ケースを開く / Open a case (optionally from a scan's findings.json)."""
    from .record import scan_summary

    tz_, lang_ = s.tz, s.lang
    inv = inventory_or_fail(inventory) if inventory else None
    summaries = []
    for p in from_scan:
        try:
            summaries.append((p, scan_summary(p)))
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            fail(f"{p}: not a WardWatch findings.json ({type(exc).__name__}: {exc})")
    try:
        person = who(by)
        c = Case.create(output(case), title or case.name, person, tz_, contact_list(inv, lang_))
        if inv is not None:
            c.meta["hospital"] = inv.name
            (c.root / "case.json").write_text(json.dumps(c.meta, ensure_ascii=False, indent=1), encoding="utf-8")
            c.append("note", person, data={"text": f"inventory: {inventory}", "hospital": inv.name})
        for p, summary in summaries:
            c.add_evidence(p, person, "findings.json of wardwatch scan")
            c.append("scan", person, data=summary)
    except CaseError as exc:
        fail(str(exc))
    Terminal(lang_).say(f"ケースを開きました: {c.root}（連絡先は {c.root / 'contacts.yml'} に記入してください）"
                         if lang_ != "en" else f"Case opened: {c.root} (fill in the numbers in {c.root / 'contacts.yml'})")
    _show_next(c, lang_)


@incident_app.command("status")
def incident_status(
    case: CaseArg,
    lang: Lang = None,
) -> None:
    """ケースの状況 / Where the case stands."""
    _, _, lang_ = settings(None, None, lang)
    c = _open(case)
    entries = c.entries()
    answers = c.answers(entries)
    key = "en" if lang_ == "en" else "ja"
    open_ids = {s["id"] for s in c.open_steps(entries)}
    term = Terminal(lang_)
    rows = []
    for s in steps():
        a = answers.get(s["id"])
        mark = f"{a.data.get('answer')} ({a.time}, {a.by})" if a else (term.t("incident.open") if s["id"] in open_ids
                                                                         else "—")
        rows.append((s["id"], s["phase"], s["question"][key], mark))
    term.table([Col(term.t("incident.step"), "name"), Col(term.t("incident.phase"), "name"),
                Col(term.t("incident.what"), "text", 3), Col(term.t("incident.answer"), "text", 1)], rows)
    _show_next(c, lang_)


@incident_app.command("answer")
def incident_answer(
    case: CaseArg,
    step: str = typer.Argument(..., help="Step id (see incident status)"),
    answer: str = typer.Argument(..., help="はい / いいえ / 不明 (yes / no / unknown), or text"),
    note: str = typer.Option("", "--note", help="What was done, by whom, details"),
    by: By = None,
    lang: Lang = None,
) -> None:
    """手順に回答する（後から何度でも、記録は追記のみ）/ Answer a step (later answers are added, never replace)."""
    _, _, lang_ = settings(None, None, lang)
    c = _open(case)
    e = _or_fail(lambda: c.answer(step, answer, who(by), note))
    Terminal(lang_).line(f"#{e.n} {e.time} {e.by}: {step} = {e.data['answer']}")
    _show_next(c, lang_)


@incident_app.command("walk")
def incident_walk(
    case: CaseArg,
    by: By = None,
    lang: Lang = None,
) -> None:
    """未回答の手順を順に尋ねる（空のまま Enter で後回し）/ Ask the open steps one by one (Enter skips)."""
    _, _, lang_ = settings(None, None, lang)
    c = _open(case)
    person = who(by)
    key = "en" if lang_ == "en" else "ja"
    term = Terminal(lang_)
    for s in c.open_steps():
        term.blank()
        term.say(f"[{s['id']}] {s['phase']}: {s['question'][key]}")
        if s.get("advice"):
            term.say(f"  → {s['advice'][key]}")
        reply = typer.prompt("はい/いいえ/不明" if s["kind"] == "yesno" else ">", default="", show_default=False)
        if not reply.strip():
            continue
        try:
            e = c.answer(s["id"], reply, person)
            term.line(f"  #{e.n} {e.time}: {e.data['answer']}")
        except CaseError as exc:
            term.line(f"  {exc}")
    _show_next(c, lang_)


@incident_app.command("note")
def incident_note(
    case: CaseArg,
    text: str = typer.Argument(..., help="What happened or was done"),
    by: By = None,
) -> None:
    """記録を追記する / Add a note to the journal."""
    c = _open(case)
    e = _or_fail(lambda: c.append("note", who(by), data={"text": text}))
    Terminal().line(f"#{e.n} {e.time} {e.by}: {text}")


@evidence_app.command("add")
def evidence_add(
    case: CaseArg,
    paths: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="Files to keep (logs, images, photos)"),
    note: str = typer.Option("", "--note", help="What it is and where it came from"),
    by: By = None,
) -> None:
    """証拠を読み取り専用でコピーし、ハッシュと経緯を記録する（元のファイルは変えない）/ Keep evidence."""
    c = _open(case)
    try:
        person = who(by)
        for p in paths:
            e = c.add_evidence(p, person, note)
            Terminal().line(f"#{e.n} {e.data['file']}  sha256 {e.data['sha256']}  {e.data['size']:,} bytes")
    except CaseError as exc:
        fail(str(exc))


@incident_app.command("verify")
def incident_verify(
    case: CaseArg,
) -> None:
    """記録と証拠の改ざんを検査する / Check the journal's chain and seal and every evidence file."""
    rep = _open(case).verify()
    term = Terminal()
    for p in rep.problems:
        term.line(f"{case / p.where if not p.where.startswith(str(case)) else p.where}: {p.message}")
    term.line(f"{rep.entries} entries, {rep.evidence} evidence file(s): "
              + ("OK" if not rep.problems else f"{len(rep.problems)} problem(s)"))
    raise typer.Exit(EXIT_SKIPPED if rep.problems else EXIT_OK)


@incident_app.command("report")
def incident_report(
    case: CaseArg,
    out: Path | None = typer.Option(None, "--out", help="Folder for the report (default: CASE/report)"),
    lang: Lang = None,
) -> None:
    """報告書（HTML・JSON）と届出の下書きを書く / Write the case report (HTML, JSON) and the report drafts."""
    from .record import draft_text, export
    from .report import write_html

    _, _, lang_ = settings(None, None, lang)
    c = _open(case)
    data = export(c, lang_)
    dest = output(out or case / "report")
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "incident.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    ja = lang_ != "en"
    (dest / "draft-mhlw.txt").write_text(draft_text("厚生労働省への第一報（下書き）" if ja else "First report to MHLW (draft)",
                                                    data["drafts"]["mhlw"]), encoding="utf-8")
    (dest / "draft-ppc.txt").write_text(draft_text("個人情報保護委員会への速報（下書き）" if ja else
                                                   "Preliminary report to the PPC (draft)", data["drafts"]["ppc"]),
                                        encoding="utf-8")
    write_html(data, dest / "incident.html", lang_)
    term = Terminal(lang_)
    term.line(f"wrote {dest / 'incident.html'}, incident.json, draft-mhlw.txt, draft-ppc.txt")
    if not data["verified"]:
        term.line("the journal or evidence failed verification: see the report's first section", err=True)
    raise typer.Exit(EXIT_OK if data["verified"] else EXIT_SKIPPED)
