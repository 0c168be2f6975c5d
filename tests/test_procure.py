"""`wardwatch procure`: the clauses data is valid against the project's own rules and checklist, the clauses chosen
from real audit findings answer those gaps, the .docx and .html carry the clauses and the vendor checklist, and a
findings file that cannot be read is one line naming it (exit 2)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from builders.bundles import make_bundle
from typer.testing import CliRunner

from wardwatch.checks.spec import registered
from wardwatch.cli import app
from wardwatch.hospital.checklist import load_items, rows
from wardwatch.procure.clauses import ClauseError, load_catalog, parse_catalog, select
from wardwatch.procure.render import paragraphs

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def invoke(args: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, args, catch_exceptions=False)  # a crash fails the test, never "exit 1"


def known_rules() -> set[str]:
    """Every rule id the project ships: seed/network detections, audit and inventory checks, vuln checks."""
    from importlib import resources
    vuln = yaml.safe_load(resources.files("wardwatch.vuln").joinpath("checks.yml").read_text("utf-8"))
    return {s.id for s in registered()} | set(vuln)


@pytest.fixture(scope="module")
def audit_findings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """findings.json of a real `wardwatch audit` run: one weak and one hardened host."""
    root = tmp_path_factory.mktemp("procure-audit")
    make_bundle(root / "in", "WEAK-PC", lang="ja", encoding="utf-16")
    make_bundle(root / "in", "GOOD-SV", hardened=True, lang="en", encoding="utf-8", ps="7")
    res = invoke(["audit", str(root / "in"), "--out", str(root / "out")])
    assert res.exit_code == 0, res.output
    return root / "out" / "findings.json"


# --- the clauses data -------------------------------------------------------------------------------------------------

def test_every_rule_named_by_a_clause_exists() -> None:
    catalog = load_catalog()
    known = known_rules()
    items = load_items()["items"]
    numbers = {str(i["id"]) for i in items} | {str(i.get("r7_id")) for i in items if i.get("r7_id")}
    for c in catalog.clauses:
        assert c.answers or c.always, c.id
        for entry in c.answers:
            if entry.startswith("checklist."):
                assert entry.removeprefix("checklist.") in numbers, (c.id, entry)
            elif entry.endswith(".*"):
                assert any(r.startswith(entry[:-1]) for r in known), (c.id, entry)
            else:
                assert entry in known, (c.id, entry)
        for number in c.checklist:
            assert number in numbers, (c.id, number)
        assert c.seeds, c.id


def test_clause_texts_seeds_and_vendor_items() -> None:
    catalog = load_catalog()
    ids = [c.id for c in catalog.clauses]
    assert len(ids) == len(set(ids))
    for c in catalog.clauses:
        for lang in ("ja", "en"):
            body = c.body(lang, catalog.params)
            assert "{" not in body and body.strip(), (c.id, lang)
        for s in c.seeds:
            assert s["place_en"] != s["place"], (c.id, s)  # an English place for --lang en
            if s["file"] != "checklist" and SEEDS.exists():
                assert (SEEDS / s["file"]).exists(), (c.id, s)
    # every item of the vendor form has vendor-facing wording in both languages
    vendor_rows = rows(load_items(), "R7", "事業者")
    assert vendor_rows
    for r in vendor_rows:
        own = catalog.annex_items.get(r.item_id)
        assert own and own.get("ja") and own.get("en") and r.item.get("name_en"), r.item_id
    # the seed's log sizes are what the clause asks for
    logs = next(c for c in catalog.clauses if c.id == "windows-event-logs")
    assert "40,000 KB" in logs.body("ja", catalog.params) and "20,000 KB" in logs.body("ja", catalog.params)


def test_a_bad_clauses_file_says_why() -> None:
    good = {"params": {}, "sources": {"s": {"ja": "a", "en": "b"}},
            "clauses": [{"id": "x", "title": {"ja": "t", "en": "t"}, "text": {"ja": "本文 {n}", "en": "text"},
                         "answers": ["audit.log-size"], "seeds": [{"file": "s", "place": "p"}]}]}
    with pytest.raises(ClauseError, match=r"mine\.yml: clause x: text\.ja uses \{n\}"):
        parse_catalog(good, "mine.yml")
    good["params"] = {"n": 3}
    assert parse_catalog(good, "mine.yml").clauses[0].body("ja", {"n": 3}) == "本文 3"
    bad = json.loads(json.dumps(good))
    bad["clauses"][0]["seeds"] = [{"file": "nowhere", "place": "p"}]
    with pytest.raises(ClauseError, match="not listed under sources"):
        parse_catalog(bad, "mine.yml")
    bad["clauses"] = [good["clauses"][0], good["clauses"][0]]
    with pytest.raises(ClauseError, match="used twice"):
        parse_catalog(bad, "mine.yml")


def test_paragraphs_join_lines_and_split_numbered_items() -> None:
    assert paragraphs("すべて次の\n設定とする。\n(1) 一つ目\n(2) 二つ\n目", "ja") == ["すべて次の設定とする。", "(1) 一つ目", "(2) 二つ目"]
    assert paragraphs("one\ntwo\n\nthree", "en") == ["one two", "three"]


# --- selection --------------------------------------------------------------------------------------------------------

def _chosen(findings: list[dict[str, Any]], everything: bool = False) -> dict[str, Any]:
    catalog = load_catalog()
    return {s.clause.id: s for s in select(catalog, findings, load_items()["items"], everything=everything)}


def test_real_audit_findings_pick_the_log_and_lockout_clauses(audit_findings: Path) -> None:
    found = json.loads(audit_findings.read_text("utf-8"))["findings"]
    rules = {f["rule"] for f in found}
    assert {"audit.log-size", "audit.account-lockout"} <= rules
    chosen = _chosen(found)
    logs, lock = chosen["windows-event-logs"], chosen["accounts-and-passwords"]
    gap = next(g for g in logs.gaps if g.rule == "audit.log-size")
    assert gap.where == ["WEAK-PC"]  # the hardened host passes
    assert any(g.rule == "audit.account-lockout" and g.where == ["WEAK-PC"] for g in lock.gaps)
    # an audit says nothing of backups, syslog, the MDS/SDS or support periods
    unrelated_ones = ("backup-design", "restore-test", "network-syslog", "mds-sds", "support-period", "incident-support")
    for unrelated in unrelated_ones:
        assert unrelated not in chosen, unrelated
    assert "vendor-checklist" in chosen  # always there, with no gap of its own
    assert not chosen["vendor-checklist"].gaps

    only = [f for f in found if f["rule"] in ("audit.log-size", "audit.account-lockout")]
    assert set(_chosen(only)) == {"windows-event-logs", "accounts-and-passwords", "vendor-checklist"}


def test_inventory_scan_and_checklist_findings_pick_their_clauses() -> None:
    found = [
        {"rule": "backup.restore-test", "severity": "medium", "host": None, "title": "復旧テスト",
         "facts": {"system": "電子カルテ"}},
        {"rule": "net.syslog-missing", "severity": "medium", "host": None, "title": "Syslog",
         "facts": {"device": "rtx"}},
        {"rule": "net.dangerous-port", "severity": "info", "host": None, "title": "info only"},  # not a gap
        {"rule": "brute-force", "severity": "high", "host": "SV01", "title": "総当たり"},
        # checklist fill: 2-(3) answered いいえ; 2-⑦ only unanswered (low) — and both share checklist.2-x rule ids
        {"rule": "checklist.2-3", "severity": "medium", "host": None, "title": "「いいえ」: 2-③",
         "facts": {"row": "2-(3)", "device": ""}},
        {"rule": "checklist.2-7", "severity": "low", "host": None, "title": "未回答: 2-⑦", "facts": {"row": "2-⑦"}},
    ]
    chosen = _chosen(found)
    assert chosen["restore-test"].gaps[0].where == ["電子カルテ"]
    assert chosen["network-syslog"].gaps[0].where == ["rtx"]
    assert [g.rule for g in chosen["mds-sds"].gaps] == ["checklist.2-3"]
    assert [g.rule for g in chosen["accounts-and-passwords"].gaps] == ["brute-force"]
    assert "network-segments" not in chosen  # an informational finding is not a gap
    assert "patches-and-vulnerabilities" not in chosen  # checklist.2-7 here is 2-⑦ unanswered, not 2-(7) いいえ
    assert len(_chosen([], everything=True)) == len(load_catalog().clauses)


# --- the command and its outputs --------------------------------------------------------------------------------

def test_procure_writes_docx_and_html(audit_findings: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = invoke(["procure", str(audit_findings), "--out", str(out)])
    assert res.exit_code == 0, res.output
    catalog = load_catalog()
    logs = next(c for c in catalog.clauses if c.id == "windows-event-logs")
    backup = next(c for c in catalog.clauses if c.id == "backup-design")

    doc = Document(str(out / "procurement.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert catalog.title("ja") in text
    for p in paragraphs(logs.body("ja", catalog.params), "ja"):
        assert p in text
    assert backup.title["ja"] not in text
    line = next(t for t in text.splitlines() if "audit.log-size" in t)
    assert "WEAK-PC" in line and "GOOD-SV" not in line  # the gap names the host where it was found
    assert "フォレンジック調査に役立つ Windows ログ" in text  # the seed under the clause
    assert "2-⑪ アクセスログの管理" in text  # the checklist item it supports
    annex = doc.tables[-1]
    header = [c.text for c in annex.rows[0].cells]
    assert "はい" in header and "いいえ" in header
    numbers = {r.cells[0].text for r in annex.rows[1:]}
    vendor = {r.number for r in rows(load_items(), "R7", "事業者")}
    assert numbers == vendor and "3-①" not in numbers  # 3-* are the hospital's own items

    html = (out / "procurement.html").read_text("utf-8")
    assert logs.title["ja"] in html and "audit.log-size" in html and "事業者確認用チェックリスト" in html
    assert "<table" in html and "いいえ</th>" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html) and "@import" not in html
    assert "<script src" not in html and "<link" not in html


def test_procure_english_and_all(tmp_path: Path) -> None:
    out = tmp_path / "en"
    res = invoke(["procure", "--all", "--lang", "en", "--out", str(out)])
    assert res.exit_code == 0, res.output
    catalog = load_catalog()
    html = (out / "procurement.html").read_text("utf-8")
    for c in catalog.clauses:
        assert c.title["en"].replace("'", "&#39;") in html, c.id
    assert 'lang="en"' in html and "Two-factor authentication" in html
    text = "\n".join(p.text for p in Document(str(out / "procurement.docx")).paragraphs)
    assert "The system runs without administrator rights" in text


def test_own_clauses_file(tmp_path: Path, audit_findings: Path) -> None:
    mine = tmp_path / "mine.yml"
    data = yaml.safe_load((Path(__file__).parents[1] / "src/wardwatch/procure/clauses.yml").read_text("utf-8"))
    data["params"]["security_log_kb"] = 196608
    mine.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    res = invoke(["procure", str(audit_findings), "--clauses", str(mine), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "196,608 KB" in (tmp_path / "o" / "procurement.html").read_text("utf-8")
    mine.write_text("clauses: [1, 2", "utf-8")
    res = invoke(["procure", str(audit_findings), "--clauses", str(mine), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and str(mine) in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("content", [b"{", b"[]", b'{"findings": 3}', b"\xff\xfe\x00garbage", b""])
def test_bad_findings_file_is_one_line_naming_it(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "broken-findings.json"
    bad.write_bytes(content)
    res = invoke(["procure", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "broken-findings.json" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o").exists()  # nothing written


def test_missing_input_and_usage(tmp_path: Path) -> None:
    res = invoke(["procure", str(tmp_path / "nope.json"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "nope.json" in res.output
    assert invoke(["procure", "--out", str(tmp_path / "o")]).exit_code == 2  # no input and no --all
    assert invoke(["procure", "--all", "--lang", "fr"]).exit_code == 2
