"""Inventory: era dates, validation with line numbers, templates, and the network/backup checks."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from builders.inventories import flat_clinic, segmented_hospital, write
from typer.testing import CliRunner

from wardwatch.hospital.backupcheck import retention_table, run_backup
from wardwatch.hospital.cli import inventory_app
from wardwatch.hospital.dates import parse_date
from wardwatch.hospital.inventory import InventoryError, load_inventory, parse_inventory
from wardwatch.hospital.netcheck import matrix, run_network
from wardwatch.hospital.output import matrix_svg
from wardwatch.model import Severity

TODAY = date(2026, 3, 1)


def _rules(findings) -> set[str]:
    return {f.rule for f in findings}


@pytest.mark.parametrize("text,expected", [
    ("令和6年4月1日", date(2024, 4, 1)), ("令和元年5月1日", date(2019, 5, 1)), ("平成31年4月30日", date(2019, 4, 30)),
    ("R6.4.1", date(2024, 4, 1)), ("2024-04-01", date(2024, 4, 1)), ("令和６年４月１日", date(2024, 4, 1)),
])
def test_era_and_iso_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_bad_date_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_date("来年の春")


def test_flat_clinic_fails_every_check(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, "c.yml", flat_clinic()))
    found = run_network(inv) + run_backup(inv, TODAY)
    assert {"net.shared-segment", "net.internet-to-clinical", "net.any-any", "net.remote-unrestricted",
            "net.remote-always-on", "net.syslog-missing"} <= _rules(found)
    assert {"backup.missing", "backup.3-2-1", "backup.not-offline", "backup.same-segment",
            "backup.wordprocessor-image", "backup.restore-test", "backup.clinic-nas", "backup.retention"} <= _rules(found)
    for f in found:
        assert f.title.ja and f.title.en and f.seed and "{" not in f.summary.ja + f.summary.en
    ret = next(f for f in found if f.rule == "backup.retention")
    assert "5" in ret.summary.ja and "医師法" in ret.summary.ja


def test_segmented_hospital_passes(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, "h.yml", segmented_hospital()))
    found = run_network(inv) + run_backup(inv, TODAY)
    assert [f.rule for f in found if f.severity > Severity.INFO] == []
    # documented watched ports stay visible as info
    assert any(f.rule == "net.dangerous-port" and "RDP 3389" in f.summary.ja for f in found)


def test_undocumented_watched_port_is_medium(tmp_path: Path) -> None:
    data = segmented_hospital()
    data["flows"].append({"from": "端末", "to": "PACS", "ports": [445]})
    found = run_network(load_inventory(write(tmp_path, "h.yml", data)))
    hit = [f for f in found if f.rule == "net.dangerous-port" and f.severity == Severity.MEDIUM]
    assert hit and "SMB 445" in hit[0].summary.en


def test_a_watched_port_says_what_its_severity_says(tmp_path: Path) -> None:
    """Seed 002's watched ports between segments: with no reason in the inventory, medium and worded as a task
    (block it or write why); with the reason written, a decision on record: info, and its text asks nothing now."""
    data = segmented_hospital()
    data["flows"].append({"from": "端末", "to": "PACS", "ports": [445]})
    found = [f for f in run_network(load_inventory(write(tmp_path, "h.yml", data))) if f.rule == "net.dangerous-port"]
    open_ = [f for f in found if "SMB 445" in f.summary.en]
    recorded = [f for f in found if "RDP 3389" in f.summary.en]  # VPN → HIS 3389, why: 保守時のみ
    assert len(open_) == 1 and open_[0].severity == Severity.MEDIUM and "why" not in open_[0].facts
    assert "no reason" in open_[0].summary.en and "block it" in open_[0].advice.en and "遮断" in open_[0].advice.ja
    assert "未記入" not in open_[0].summary.en  # no Japanese placeholder in the English text
    assert len(recorded) == 1 and recorded[0].severity == Severity.INFO and recorded[0].facts["why"] == "保守時のみ"
    assert "保守時のみ" in recorded[0].summary.ja and "Nothing to do now" in recorded[0].advice.en
    assert "対応は不要" in recorded[0].advice.ja
    for f in recorded:
        assert "block" not in f.advice.en and "遮断" not in f.advice.ja


def test_observed_traffic_not_in_flows(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, "h.yml", segmented_hospital()))
    observed = [{"rule": "rdp-logon", "host": "his1", "sources": ["10.250.10.21", "10.250.8.5"]},
                {"rule": "lateral-movement", "host": "dc01.example.local", "sources": ["10.250.2.250"]}]
    observed.append({"rule": "audit.updates", "host": "PC-UNKNOWN", "sources": []})
    observed.append({"rule": "brute-force", "host": "10.250.3.250", "sources": []})  # pacs, by address
    everything = run_network(inv, observed)
    assert [f.host for f in everything if f.rule == "net.unlisted-host"] == ["PC-UNKNOWN"]
    found = [f for f in everything if f.rule == "net.unallowed-observed"]
    # terminal → HIS RDP is not allowed; VPN → HIS RDP is; HIS → AD SMB is not
    assert sorted((f.host, f.facts["src"]) for f in found) == [("dc01", "10.250.2.250"), ("his1", "10.250.10.21")]


def test_matrix_picture(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, "c.yml", flat_clinic()))
    names, cells = matrix(inv)
    assert names == ["院内LAN", "WiFi"] and cells[("WiFi", "院内LAN")].level == "danger"
    svg = matrix_svg(inv)
    assert svg.startswith("<svg") and "院内LAN" in svg and 'data-level="danger"' in svg


def test_retention_table_is_data() -> None:
    table = retention_table()
    assert table["診療録"]["years"] == 5 and table["指定再生医療等製品使用記録"]["years"] == 20


def _problems(text: str) -> list:
    with pytest.raises(InventoryError) as exc:
        parse_inventory(text, "bad.yml")
    return exc.value.problems


BASE = """version: 1
hospital:
  name: テスト病院
  size: small
segments:
  - name: A
    cidrs: [10.0.0.0/16]
    roles: [AD]
  - name: B
    cidrs: [10.0.5.0/24]
    roles: [HIS]
"""


def test_overlapping_cidr_has_line_number() -> None:
    probs = _problems(BASE)
    assert len(probs) == 1 and probs[0].line == 10 and "overlaps" in probs[0].message
    assert probs[0].field == "segments[1].cidrs[0]"


def test_unknown_role_has_line_number() -> None:
    text = BASE.replace("10.0.5.0/24", "10.1.5.0/24").replace("roles: [HIS]", "roles: [電子カルテ室]")
    probs = _problems(text)
    assert probs[0].line == 11 and probs[0].field == "segments[1].roles[0]"


def test_flow_to_missing_segment() -> None:
    text = BASE.replace("10.0.5.0/24", "10.1.5.0/24") + "flows:\n  - {from: A, to: C, ports: [443]}\n"
    probs = _problems(text)
    assert probs[0].line == 13 and probs[0].field == "flows[0].to" and "'C'" in probs[0].message


def test_era_date_accepted_bad_date_rejected() -> None:
    ok = BASE.replace("10.0.5.0/24", "10.1.5.0/24") + "backups:\n  - {system: X, media: nas, last_restore_test: 令和6年4月1日}\n"
    assert parse_inventory(ok).section("backups")[0]["last_restore_test"] == "令和6年4月1日"
    probs = _problems(ok.replace("令和6年4月1日", "そのうち"))
    assert probs[0].line == 13 and "not a date" in probs[0].message


def test_yaml_syntax_error_line() -> None:
    probs = _problems("hospital:\n  name: [broken\n")
    assert probs[0].line is not None and "YAML" in probs[0].message


@pytest.mark.parametrize("kind", ["clinic", "hospital"])
def test_init_templates_validate_and_pass(tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"{kind}.yml"
    res = CliRunner().invoke(inventory_app, ["init", str(out), "--kind", kind], catch_exceptions=False)
    assert res.exit_code == 0 and out.exists()
    text = out.read_text("utf-8")
    assert text.startswith("# WardWatch 台帳") and "令和" in text
    inv = load_inventory(out)
    found = run_network(inv) + run_backup(inv, TODAY)
    assert [f.rule for f in found if f.severity > Severity.INFO] == []
    again = CliRunner().invoke(inventory_app, ["init", str(out), "--kind", kind], catch_exceptions=False)
    assert again.exit_code == 2


def test_check_cli_errors_and_outputs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(BASE, "utf-8")
    res = CliRunner().invoke(inventory_app, ["check", str(bad)], catch_exceptions=False)
    assert res.exit_code == 2 and "bad.yml:10: segments[1].cidrs[0]" in res.output
    good = write(tmp_path, "c.yml", flat_clinic())
    out = tmp_path / "out"
    res = CliRunner().invoke(inventory_app, ["check", str(good), "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    import json
    data = json.loads((out / "findings.json").read_text("utf-8"))
    assert {"version", "tool", "generated_at", "timezone", "inputs", "findings", "incidents", "stats"} <= set(data)
    assert {"rule", "severity", "host", "title", "summary", "advice", "seed", "facts"} <= set(data["findings"][0])
    assert "<svg" in (out / "inventory.html").read_text("utf-8")


def test_any_to_any_flow_is_reported(tmp_path: Path) -> None:
    """A flat network written as one flow from any to any: the matrix is all open, so net.* must say so."""
    from builders.inventories import segmented_hospital, write

    from wardwatch.hospital.inventory import load_inventory
    from wardwatch.hospital.netcheck import check_flows, check_outside
    inv = segmented_hospital()
    inv["flows"] = [{"from": "any", "to": "any", "ports": ["any"], "why": "flat"}]
    loaded = load_inventory(write(tmp_path, "flat.yml", inv))
    assert [f.rule for f in check_flows(loaded)] == ["net.any-any"]
    assert "net.internet-to-clinical" in {f.rule for f in check_outside(loaded)}


@pytest.mark.parametrize("inventory", [flat_clinic, segmented_hospital])
def test_english_texts_hold_no_japanese_of_their_own(tmp_path: Path, inventory) -> None:  # type: ignore[no-untyped-def]
    """Under --lang en a network or backup finding is English; only the inventory's own names (segments, systems,
    reasons) are quoted as written. A system with no restore test on record says so in words, not 'なし / never'."""
    import re
    japanese = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
    data = inventory()

    def words(x: object) -> list[str]:
        if isinstance(x, dict):
            return [w for v in x.values() for w in words(v)]
        if isinstance(x, list):
            return [w for v in x for w in words(v)]
        return [x] if isinstance(x, str) else []
    own = sorted(words(data), key=len, reverse=True)
    found = run_network(load_inventory(write(tmp_path, "h.yml", data))) + \
        run_backup(load_inventory(write(tmp_path, "h.yml", data)), TODAY)
    assert found
    for f in found:
        for text in (f.title.en, f.summary.en, f.advice.en):
            for w in own:
                text = text.replace(w, "")
            assert not japanese.search(text), (f.rule, text)
    never = [f for f in found if f.rule == "backup.restore-test" and "last" not in f.facts]
    if inventory is flat_clinic:
        assert never and "records no restore test" in never[0].summary.en and "記録が台帳にありません" in never[0].summary.ja
