"""What a case says, for reports: the steps with their answers, the evidence table, the scans it holds, and drafts of
the first report to MHLW and of the Personal Information Protection Commission's preliminary report (速報)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .case import Case, Entry, read_contacts, steps

UNKNOWN = {"ja": "（記入してください）", "en": "(to be filled in)"}


def _text(d: dict[str, Any], lang: str) -> str:
    return str(d.get("en" if lang == "en" else "ja", ""))


def export(case: Case, lang: str = "ja") -> dict[str, Any]:
    """The whole case as plain data (the JSON export and what the HTML page shows)."""
    entries = case.entries()
    answers = case.answers(entries)
    rep = case.verify()
    open_ids = {s["id"] for s in case.open_steps(entries)}
    return {
        "case": case.meta, "verified": not rep.problems,
        "problems": [{"where": p.where, "message": p.message} for p in rep.problems],
        "steps": [{"id": s["id"], "phase": s["phase"], "question": _text(s["question"], lang),
                   "answer": answers[s["id"]].data.get("answer") if s["id"] in answers else None,
                   "note": answers[s["id"]].data.get("note") if s["id"] in answers else None,
                   "by": answers[s["id"]].by if s["id"] in answers else None,
                   "time": answers[s["id"]].time if s["id"] in answers else None,
                   "open": s["id"] in open_ids, "contacts": s.get("contacts", []), "seed": s.get("seed", "")}
                  for s in steps()],
        "evidence": [{"n": e.n, "time": e.time, "by": e.by, **e.data} for e in entries if e.kind == "evidence"],
        "scans": [{"time": e.time, **e.data} for e in entries if e.kind == "scan"],
        "journal": [{"n": e.n, "time": e.time, "by": e.by, "kind": e.kind, "step": e.step, "data": e.data,
                     "hash": e.hash} for e in entries],
        "contacts": read_contacts(case.root),
        "drafts": {"mhlw": mhlw_draft(case, entries, lang), "ppc": ppc_draft(case, entries, lang)},
    }


def scan_summary(path: Path) -> dict[str, Any]:
    """The parts of a scan's findings.json a case keeps: its verdict, incidents, hosts and the worst findings."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    findings = [f for f in doc.get("findings", []) if isinstance(f, dict)]
    order = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
    top = sorted(findings, key=lambda f: (-order.get(str(f.get("severity")), 0), str(f.get("first_seen"))))[:20]
    return {
        "file": str(path), "verdict": (doc.get("verdict") or {}).get("title") or (doc.get("verdict") or {}).get("level"),
        "incidents": [{k: i.get(k) for k in ("id", "severity", "hosts", "first_seen", "last_seen", "phases", "narrative")}
                      for i in doc.get("incidents", []) if isinstance(i, dict)],
        "hosts": sorted({str(f.get("host")) for f in findings if f.get("host")}),
        "findings": len(findings),
        "top": [{k: f.get(k) for k in ("rule", "severity", "host", "first_seen", "last_seen", "title", "summary")}
                for f in top],
    }


def _answer(entries: list[Entry], step: str) -> Entry | None:
    found = [e for e in entries if e.kind == "answer" and e.step == step]
    return found[-1] if found else None


def _done(entries: list[Entry], lang: str) -> list[str]:
    """The response steps answered 'yes', with their time (what was done, when)."""
    by_id = {s["id"]: s for s in steps()}
    out = []
    for e in entries:
        if e.kind == "answer" and e.data.get("answer") == "はい" and e.step in by_id:
            out.append(f"{e.time} {_text(by_id[e.step]['question'], lang)}")
    return out


def _hosts(entries: list[Entry]) -> list[str]:
    return sorted({h for e in entries if e.kind == "scan" for i in e.data.get("incidents", [])
                   for h in (i.get("hosts") or [])} | {h for e in entries if e.kind == "scan"
                                                        for h in e.data.get("hosts", [])})


def _known(value: str | None, lang: str) -> str:
    return value if value else UNKNOWN[lang]


def mhlw_draft(case: Case, entries: list[Entry], lang: str) -> list[tuple[str, str]]:
    """A first report to MHLW, prefilled from the case, for a person to complete."""
    detect = _answer(entries, "detect")
    personal = _answer(entries, "personal-data")
    scans = [e for e in entries if e.kind == "scan"]
    first = min((str(i.get("first_seen")) for e in scans for i in e.data.get("incidents", []) if i.get("first_seen")),
                default="")
    outside = [f"{s}: {a.data.get('answer')} ({a.time})" for s in ("mhlw", "police", "ppc", "share")
               if (a := _answer(entries, s))]
    ja = lang != "en"
    rows = [
        ("医療機関名" if ja else "Facility", _known(str(case.meta.get("hospital") or ""), lang)),
        ("報告者・連絡先" if ja else "Reported by / contact", _known(case.meta.get("opened_by"), lang)),
        ("覚知した日時" if ja else "Noticed at", _known(detect.time if detect else case.meta.get("opened_at"), lang)),
        ("事象の概要" if ja else "What happened", _known(detect.data.get("answer") if detect else "", lang)),
        ("攻撃の最初の記録（ログ上）" if ja else "First trace in the logs", _known(first, lang)),
        ("影響を受けたシステム・機器" if ja else "Systems and devices affected", _known("、".join(_hosts(entries)), lang)),
        ("診療への影響" if ja else "Effect on care", _known(_answer_text(entries, "continuity"), lang)),
        ("個人情報漏えいのおそれ" if ja else "Personal data possibly involved",
         _known(personal.data.get("answer") if personal else "", lang)),
        ("実施した対応" if ja else "What was done", _known("\n".join(_done(entries, lang)), lang)),
        ("外部への連絡状況" if ja else "Who was told", _known("\n".join(outside), lang)),
        ("今後の予定" if ja else "Next steps", UNKNOWN[lang]),
    ]
    return rows


def ppc_draft(case: Case, entries: list[Entry], lang: str) -> list[tuple[str, str]]:
    """The items of the PPC preliminary report (速報), prefilled where the case knows them."""
    detect = _answer(entries, "detect")
    ja = lang != "en"
    return [
        ("概要（発生日・発覚日・経緯）" if ja else "Outline (when it happened, when found, how)",
         _known(f"{detect.time}: {detect.data.get('answer')}" if detect else "", lang)),
        ("漏えい等が発生し、又は発生したおそれがある個人データの項目" if ja else "Items of personal data involved",
         UNKNOWN[lang]),
        ("本人の数" if ja else "Number of people", UNKNOWN[lang]),
        ("原因" if ja else "Cause", _known(_cause(entries, ja), lang)),
        ("二次被害又はそのおそれの有無及びその内容" if ja else "Secondary harm, or the risk of it", UNKNOWN[lang]),
        ("本人への対応の実施状況" if ja else "What was done for the people concerned", UNKNOWN[lang]),
        ("公表の実施状況" if ja else "Public announcement", UNKNOWN[lang]),
        ("再発防止のための措置" if ja else "Measures against recurrence", _known(_answer_text(entries, "lessons"), lang)),
        ("その他参考となる事項" if ja else "Other", _known("\n".join(_done(entries, lang)), lang)),
    ]


def _cause(entries: list[Entry], ja: bool) -> str:
    """What the scans in the case say of the cause; nothing when no scan found an incident."""
    incidents = [i for e in entries if e.kind == "scan" for i in e.data.get("incidents", [])]
    if not incidents:
        return ""
    worst = incidents[0]
    return (f"不正アクセス（サイバー攻撃）の疑い。WardWatch の調査: {worst.get('narrative') or ''}" if ja else
            f"Suspected unauthorised access (cyberattack). WardWatch found: {worst.get('narrative') or ''}")


def _answer_text(entries: list[Entry], step: str) -> str:
    a = _answer(entries, step)
    if a is None:
        return ""
    return str(a.data.get("answer")) + (f"（{a.data['note']}）" if a.data.get("note") else "")


def draft_text(title: str, rows: list[tuple[str, str]]) -> str:
    """A draft as plain text a person can paste into the form."""
    out = [title, "=" * 40, ""]
    for item, value in rows:
        out += [f"■ {item}", *(f"  {line}" for line in value.splitlines() or [""]), ""]
    return "\n".join(out)
