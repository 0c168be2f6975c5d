"""MHLW checklist: item data, automatic answers with evidence, answers file, conflicts, .xlsx and HTML export."""
from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from builders.inventories import flat_clinic, segmented_hospital, write
from typer.testing import CliRunner

from wardwatch.checks.spec import spec_for
from wardwatch.hospital.backupcheck import run_backup
from wardwatch.hospital.checklist import (
    Evidence,
    fill,
    findings,
    load_answers,
    load_items,
    rows,
    rule_id,
)
from wardwatch.hospital.cli import checklist_app
from wardwatch.hospital.inventory import InventoryError, load_inventory
from wardwatch.hospital.netcheck import run_network
from wardwatch.hospital.xlsxform import COLUMNS, HEADER_ROW, Sheet, device_text, form_row, write_form
from wardwatch.report.jsonout import finding_dict

TODAY = date(2026, 3, 1)


def _evidence(inv, audit=None):
    own = [finding_dict(f, "UTC", "ja") for f in run_network(inv) + run_backup(inv, TODAY)]
    return Evidence(inv, own + (audit or []), audit_given=audit is not None)


def _by_key(filled):
    return {f.row.key: f for f in filled}


def test_item_data_versions_and_targets() -> None:
    data = load_items()
    r6 = [r.key for r in rows(data, "R6", "医療機関")]
    r7 = rows(data, "R7", "医療機関")
    assert "2-(4) サーバ" in r6 and "2-(4) 端末PC" in r6 and "2-(7) ネットワーク機器" in r6 and "2-⑦" not in r6
    assert "2-⑦" in [r.key for r in r7] and "2-(7) 医療情報システム全般" in [r.key for r in r7]
    assert "2-(7) サーバ" not in [r.key for r in r7]
    numbers = {r.item_id: r.number for r in r7}
    assert numbers["2-(8)"] == "2-⑬" and numbers["1-(1)"] == "1-①"
    vendor = [r.key for r in rows(data, "R6", "事業者")]
    assert "0" not in vendor and "3-(3)" not in vendor and "1-(1)" in vendor
    assert all(it.get("confidence") for it in data["items"])


def test_rule_ids() -> None:
    assert rule_id("2-(5)") == "checklist.2-(5)" and rule_id("2-⑦") == "checklist.2-⑦" and rule_id("規程類") == "checklist.規程類"
    from wardwatch.hospital.checklist import load_items
    ids = [str(it["id"]) for it in load_items()["items"]]
    assert len({rule_id(i) for i in ids}) == len(ids)  # 2-(8) and 2-⑧ stay two rules


def test_auto_answers_from_evidence(tmp_path: Path) -> None:
    hosp = load_inventory(write(tmp_path, "h.yml", segmented_hospital()))
    audit = [{"rule": "audit.stale-accounts", "severity": "medium", "host": "pc1", "title": "長期未使用アカウント"}]
    filled = _by_key(fill(rows(load_items(), "R6", "医療機関"), _evidence(hosp, audit), {}, TODAY))
    assert filled["1-(1)"].final.answer == "はい" and filled["1-(1)"].final.source == "auto"
    assert filled["2-(1)"].final.answer == "はい" and filled["3-(1)"].final.answer == "はい"
    assert filled["3-(2)"].final.answer == "はい" and filled["2-(8) ネットワーク機器"].final.answer == "はい"
    # pc1 is a terminal (inventory role): its finding answers the 端末PC row, not the サーバ row
    assert filled["2-(5) 端末PC"].final.answer == "いいえ"
    assert filled["2-(5) 端末PC"].final.evidence[0].ref == "audit.stale-accounts"
    assert filled["2-(5) サーバ"].final is None  # only pc1 was audited: nothing proves the servers' row
    assert filled["2-(7) 端末PC"].final.answer == "はい"  # pc1 audited, no patch findings
    assert filled["2-(7) サーバ"].final is None
    assert filled["2-(4) サーバ"].final is None  # nothing to decide from
    clinic = load_inventory(write(tmp_path, "c.yml", flat_clinic()))
    cf = _by_key(fill(rows(load_items(), "R6", "医療機関"), _evidence(clinic), {}, TODAY))
    assert cf["1-(1)"].final.answer == "いいえ" and cf["3-(2)"].final.answer == "いいえ"
    assert cf["2-(8) ネットワーク機器"].final.answer == "いいえ"
    assert any(e.ref == "net.remote-unrestricted" for e in cf["2-(8) ネットワーク機器"].final.evidence)
    # a backup finding has no host: its evidence line names the system it is about
    restore = [e for e in cf["3-(2)"].final.evidence if e.ref == "backup.restore-test"]
    assert restore and all(e.text.ja.startswith("電子カルテ ") and e.text.en.startswith("電子カルテ ") for e in restore)


ANSWERS = """checklist_version: R6
target: 医療機関
answers:
  "1-(1)":
    answer: いいえ
    date: 令和7年4月1日
    target_date: 令和8年3月31日
    note: 任命書を作成中
  "2-(3)": {answer: はい, date: 2025-04-01}
  "2-(4) サーバ": {answer: yes, date: 2025-04-01}
  "3-(3)": {answer: ""}
"""


def test_answers_file_and_conflicts(tmp_path: Path) -> None:
    ans = tmp_path / "answers.yml"
    ans.write_text(ANSWERS, "utf-8")
    human = load_answers(ans, "R6", "医療機関")
    assert human["1-(1)"].target_date == date(2026, 3, 31) and human["2-(4) サーバ"].answer == "はい"
    hosp = load_inventory(write(tmp_path, "h.yml", segmented_hospital()))
    filled = fill(rows(load_items(), "R6", "医療機関"), _evidence(hosp), human, TODAY)
    by = _by_key(filled)
    assert by["1-(1)"].conflict and by["1-(1)"].final.answer == "いいえ"  # human answer kept, conflict shown
    assert not by["2-(3)"].conflict and by["2-(3)"].final.source == "human"
    found = findings(filled)
    conflict = [f for f in found if f.rule == "checklist.1-(1)"]
    assert conflict and "食い違" in conflict[0].title.ja
    assert any(f.rule == "checklist.3-(3)" and "未回答" in f.title.ja for f in found)


def test_answers_for_another_version_is_detected(tmp_path: Path) -> None:
    ans = tmp_path / "answers.yml"
    ans.write_text(ANSWERS, "utf-8")
    with pytest.raises(InventoryError) as exc:
        load_answers(ans, "R7", "医療機関")
    assert exc.value.problems[0].line == 1 and "R6" in exc.value.problems[0].message
    ans.write_text(ANSWERS.replace("answer: はい", "answer: たぶん"), "utf-8")
    with pytest.raises(InventoryError) as exc:
        load_answers(ans, "R6", "医療機関")
    assert "たぶん" in exc.value.problems[0].message and exc.value.problems[0].line == 9


def test_xlsx_read_back_matches_model(tmp_path: Path) -> None:
    ans = tmp_path / "answers.yml"
    ans.write_text(ANSWERS, "utf-8")
    hosp = load_inventory(write(tmp_path, "h.yml", segmented_hospital()))
    filled = fill(rows(load_items(), "R6", "医療機関"), _evidence(hosp), load_answers(ans, "R6", "医療機関"), TODAY)
    out = tmp_path / "c.xlsx"
    write_form([Sheet("医療機関", filled, "R6")], out, "チェックリスト", "令和6年度版（2024-05-13通知）", hosp.name)
    ws = load_workbook(out).active
    assert ws["A2"].value == "医療機関名: 分離総合病院"
    assert len([c.value for c in ws[HEADER_ROW]]) == len(COLUMNS)
    got = [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER_ROW + 1) if row[2].value]  # item rows
    assert [(r[0], r[2]) for r in got] == [(f.row.number, device_text(f.row, "ja")) for f in filled]  # R6: in order
    row = next(r for r in got if r[0] == "1-(1)")
    assert row[3] == "いいえ" and row[4].date() == date(2025, 4, 1) and row[7].date() == date(2026, 3, 31)
    assert "食い違い" in row[8]  # a person's answer keeps its own date; the conflict is named
    auto = next(r for r in got if r[0] == "2-(1)")
    assert "自動判定（要確認）" in auto[8] and auto[4] is None  # a proposal: no 確認日 until a person confirms


def test_fill_and_answer_cli(tmp_path: Path) -> None:
    inv = write(tmp_path, "h.yml", segmented_hospital())
    ans = tmp_path / "answers.yml"
    ans.write_text(ANSWERS, "utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(checklist_app, ["fill", "--inventory", str(inv), "--answers", str(ans), "--version", "R6",
                                             "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "conflict" in res.output
    html = (out / "checklist.html").read_text("utf-8")
    assert 'class="conflict"' in html and "自動判定" in html
    data = json.loads((out / "findings.json").read_text("utf-8"))
    assert data["findings"] and all(f["rule"].startswith("checklist.") for f in data["findings"])
    assert load_workbook(out / "checklist.xlsx").active.max_row > 10
    bad = CliRunner().invoke(checklist_app, ["fill", "--answers", str(ans), "--version", "R7", "--out", str(out)],
                             catch_exceptions=False)
    assert bad.exit_code == 2 and "R6" in bad.output
    new = tmp_path / "new.yml"
    res = CliRunner().invoke(checklist_app, ["answer", "--answers", str(new), "--inventory", str(inv), "--version", "R6"],
                             input="はい\n" + "いいえ\n令和8年3月31日\n" + "skip\n" * 40, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    saved = load_answers(new, "R6", "医療機関")
    assert next(iter(saved.values())).answer == "はい"
    assert any(a.answer == "いいえ" and a.target_date == date(2026, 3, 31) for a in saved.values())


def test_user_updated_item_data(tmp_path: Path) -> None:
    import yaml
    data = load_items()
    item = next(it for it in data["items"] if it["id"] == "2-(6)")
    item["r7_id"] = "2-⑩"
    item["name"] = "アクセスログの管理（訂正版）"
    custom = tmp_path / "items.yml"
    custom.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    r7 = {r.item_id: r for r in rows(load_items(custom), "R7", "医療機関")}
    assert r7["2-(6)"].number == "2-⑩" and r7["2-(6)"].name.endswith("（訂正版）")


def test_no_without_target_date_is_flagged(tmp_path: Path) -> None:
    clinic = load_inventory(write(tmp_path, "c.yml", flat_clinic()))
    filled = fill(rows(load_items(), "R6", "医療機関"), _evidence(clinic), {}, TODAY)
    row = next(form_row(f, Sheet("医療機関", filled, "R6"), "ja") for f in filled if f.row.number == "1-(1)")
    assert row[3] == "いいえ" and "目標日" in str(row[8])


def test_unlisted_host_from_scan_answers_2_1_no(tmp_path: Path) -> None:
    inv = write(tmp_path, "h.yml", segmented_hospital())
    scan = tmp_path / "scan.json"
    scan.write_text(json.dumps({"findings": [{"rule": "brute-force", "severity": "high", "host": "ROGUE-PC",
                                              "sources": [], "title": "総当たり"}]}), "utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(checklist_app, ["fill", "--inventory", str(inv), "--scan", str(scan), "--version", "R6",
                                             "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    row = next(r for r in load_workbook(out / "checklist.xlsx").active.iter_rows(min_row=HEADER_ROW + 1,
                                                                                  values_only=True) if r[0] == "2-(1)")
    assert row[3] == "いいえ" and "ROGUE-PC" in row[8]


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")  # kana, kanji, full-width forms


def _words(data: object) -> list[str]:
    """The Japanese values an inventory or answers file holds (a person's own words, quoted as written)."""
    if isinstance(data, dict):
        return [w for v in data.values() for w in _words(v)]
    if isinstance(data, list):
        return [w for v in data for w in _words(v)]
    return [data] if isinstance(data, str) and JAPANESE.search(data) else []


def _without(text: str, words: list[str]) -> str:
    for w in sorted(words, key=len, reverse=True):
        text = text.replace(w, "")
    return text


@pytest.mark.parametrize("inventory", [segmented_hospital, flat_clinic])
def test_english_run_words_its_evidence_in_english(tmp_path: Path, inventory) -> None:  # type: ignore[no-untyped-def]
    """--lang en: every answer, evidence line and finding text WardWatch words is English (the inventory's own
    names, and the official item names under their labelled column, are quoted as written); ja keeps Japanese."""
    data = inventory()
    inv = write(tmp_path, "h.yml", data)
    ans = tmp_path / "answers.yml"
    ans.write_text(ANSWERS.replace("R6", "R7"), "utf-8")  # 1-(1) いいえ against the evidence: a conflict
    scan = tmp_path / "scan.json"  # a scan names a host the inventory lacks: net.unlisted-host, 2-(1) no
    scan.write_text(json.dumps({"findings": [{"rule": "brute-force", "severity": "high", "host": "ROGUE-PC",
                                              "sources": [], "title": "Password guessing"}]}), "utf-8")
    pc = next(h["name"] for h in data["hosts"] if h["role"] in ("terminal", "wordprocessor"))
    audit = tmp_path / "audit.json"  # an audit written in Japanese: its finding answers 2-⑤ for PCs
    audit.write_text(json.dumps({"findings": [{"rule": "audit.stale-accounts", "severity": "medium", "host": pc,
                                               "title": "長く使われていない有効なアカウント"}]}), "utf-8")
    pages = {}
    for lang in ("ja", "en"):
        out = tmp_path / lang
        res = CliRunner().invoke(checklist_app, ["fill", "--inventory", str(inv), "--answers", str(ans), "--scan",
                                                 str(scan), "--audit", str(audit), "--out", str(out), "--lang", lang],
                                 catch_exceptions=False)
        assert res.exit_code == 0, res.output
        pages[lang] = ((out / "checklist.html").read_text("utf-8"), json.loads((out / "findings.json").read_text("utf-8")))
    html, found = pages["en"]
    own = _words(data) + _words(yaml.safe_load(ans.read_text("utf-8")))
    cells = re.findall(r'<td class="(ev|answer|device|target)">(.*?)</td>', html, re.S)
    assert len(cells) > 40 and any(kind == "ev" and "Inventory" in text for kind, text in cells)
    for kind, text in cells:
        shown = _without(unescape(re.sub(r"<[^>]+>", " ", text)), own)
        assert not JAPANESE.search(shown), (kind, shown)
    official = r'<td class="name">.*?</td>|<dt>Form \(official Japanese\)</dt><dd>.*?</dd>'  # labelled as quoted
    body = re.sub(official + r"|<style>.*?</style>|<title>.*?</title>", "", html, flags=re.S)
    body = _without(unescape(re.sub(r"<[^>]+>", " ", body)), own)
    assert not JAPANESE.search(body), JAPANESE.findall(body)[:20]
    texts = [f[k] for f in found["findings"] for k in ("title", "summary", "advice")]
    assert any("ROGUE-PC Host not in the inventory" in t for t in texts)  # the inventory's own check, in English
    stale = spec_for("audit.stale-accounts")
    assert stale and any(f"{pc} {stale.title.en}" in t for t in texts)  # the Japanese audit's title, in English
    assert any("Answered no" in t for t in texts)
    assert any(re.search(r"Answered (Yes|No), the evidence says (Yes|No)", t) for t in texts)  # a conflict, in English
    for t in texts:
        assert not JAPANESE.search(_without(t, own)), t
    ja_html, ja_found = pages["ja"]
    assert "台帳の" in ja_html and any("食い違う" in f["title"] for f in ja_found["findings"])
    assert any("根拠資料" in f["advice"] for f in ja_found["findings"])
