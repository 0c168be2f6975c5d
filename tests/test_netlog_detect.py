"""Detection tests: `syslog scan` on plain syslog files with a `cidr,segment` CSV, into findings.json."""
from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from wardwatch.netlog.cli import syslog_app
from builders.syslog import SEGMENTS, syslog_lines

def test_scan_findings_json(tmp_path: Path) -> None:
    log = tmp_path / "fw.log"
    log.write_text("\n".join(syslog_lines()) + "\n", encoding="utf-8")
    seg = tmp_path / "segments.csv"
    seg.write_text(SEGMENTS, encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(syslog_app, ["scan", str(log), "--segments", str(seg), "--out", str(out), "--lang", "en"])
    assert r.exit_code == 0, r.output
    doc = orjson.loads((out / "findings.json").read_bytes())
    by_rule: dict[str, list[dict]] = {}
    for f in doc["findings"]:
        by_rule.setdefault(f["rule"], []).append(f)
    assert set(by_rule) == {"net-cross-segment", "net-scan", "vpn-brute-force", "vpn-unexpected-source",
                            "admin-login-failure", "net-outbound"}
    cross = {(f["facts"]["src_segment"], f["facts"]["dst_segment"], f["facts"]["port"]): f for f in by_rule["net-cross-segment"]}
    assert cross[("AD", "EHR", 3389)]["severity"] == "high" and cross[("AD", "EHR", 3389)]["sources"] == ["10.1.0.5"]
    assert cross[("AD", "EHR", 445)]["severity"] == "medium"  # denied only
    assert "AD" in cross[("AD", "EHR", 3389)]["summary"] and "3389" in cross[("AD", "EHR", 3389)]["summary"]
    assert by_rule["net-scan"][0]["sources"] == ["10.3.0.77"] and by_rule["net-scan"][0]["facts"]["hosts"] == 30
    assert by_rule["vpn-brute-force"][0]["sources"] == ["192.0.2.66"] and by_rule["vpn-brute-force"][0]["count"] == 6
    assert [f["sources"] for f in by_rule["vpn-unexpected-source"]] == [["192.0.2.99"]]
    assert by_rule["admin-login-failure"][0]["sources"] == ["10.3.0.50"]
    assert by_rule["admin-login-failure"][0]["accounts"] == ["admin"]
    outb = by_rule["net-outbound"]
    assert [(f["facts"]["src_segment"], f["facts"]["destination"]) for f in outb] == [("EHR", "192.0.2.200")]
    assert doc["findings"][0]["evidence"][0]["file"] == str(log)
    assert doc["stats"]["unknown_lines"] == 1 and doc["inputs"][0]["events"] == len(syslog_lines())
    quiet = {(q["from"], q["to"]): q for q in doc["stats"]["netlog"]["not_seen"]}
    assert quiet[("EHR", "AD")]["all_quiet"] is True
    assert "RDP" not in quiet[("AD", "EHR")]["no_traffic_on"] and "SMB" not in quiet[("AD", "EHR")]["no_traffic_on"]
    assert "Telnet" in quiet[("AD", "EHR")]["no_traffic_on"]
    assert doc["stats"]["netlog"]["segment_matrix"]["AD"]["EHR"] == 2
    assert "What did not happen" in r.output


def test_scan_reads_stored_segments_and_bad_csv(tmp_path: Path) -> None:
    from datetime import datetime, timezone

    from wardwatch.netlog.store import SegmentWriter, load_key

    root = tmp_path / "store"
    w = SegmentWriter(root, "10.9.9.1", load_key(root, create=True))  # type: ignore[arg-type]
    for line in syslog_lines():
        w.write(datetime(2024, 1, 5, 1, 0, tzinfo=timezone.utc), line.encode())
    w.write(datetime(2024, 1, 5, 1, 0, tzinfo=timezone.utc), "日本語 \x82\xa0".encode("cp932", "replace"))
    w.close()
    seg = tmp_path / "segments.csv"
    seg.write_text(SEGMENTS, encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(syslog_app, ["scan", str(root), "--segments", str(seg), "--out", str(out)])
    assert r.exit_code == 0, r.output
    doc = orjson.loads((out / "findings.json").read_bytes())
    assert doc["inputs"][0]["format"] == "wardwatch-syslog-segment"
    assert {f["rule"] for f in doc["findings"]} >= {"net-cross-segment", "net-scan"}
    seg.write_text("10.0.0.0/8,ok\nnot-a-cidr,x\n", encoding="utf-8")
    r = CliRunner().invoke(syslog_app, ["scan", str(root), "--segments", str(seg), "--out", str(out)])
    assert r.exit_code == 2 and "not-a-cidr" in r.output


def test_sniff_and_analyse_api(tmp_path: Path) -> None:
    from wardwatch.netlog.api import analyse, looks_like_syslog

    assert looks_like_syslog(b"<134>Jan  5 10:00:00 rtx x")
    assert looks_like_syslog(b"Jan  5 10:00:00 host sshd[1]: x")
    assert looks_like_syslog(b'date=2024-01-05 time=10:00:00 devname="FG"')
    assert looks_like_syslog(b'{"hdr":1,"sender":"10.0.0.1"}')
    assert not looks_like_syslog(b"ElfFile\x00") and not looks_like_syslog(b'{"Event": {}}')
    assert not looks_like_syslog(b"<?xml version='1.0'?><Events>")
    log = tmp_path / "fw.log"
    log.write_text("\n".join(syslog_lines()), encoding="utf-8")
    seg = tmp_path / "s.csv"
    seg.write_text(SEGMENTS, encoding="utf-8")
    inputs, findings, stats = analyse([log], seg, "Asia/Tokyo")
    assert len(inputs) == 1 and len({f.rule for f in findings}) == 6 and stats["netlog"]["segments"] == ["AD", "EHR", "office"]
