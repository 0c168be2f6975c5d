"""Detection tests: `syslog scan` on plain syslog files with a `cidr,segment` CSV, into findings.json."""
from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from wardwatch.netlog.cli import syslog_app

SEGMENTS = """cidr,segment
10.1.0.0/16,AD
10.2.0.0/16,EHR
10.3.0.0/16,office
198.51.100.0/24,@vpn-allow
203.0.113.80/32,@outbound-allow
"""


def _lines() -> list[str]:
    out = []
    # AD -> EHR over RDP (allowed, ASA) and SMB (denied, RTX)
    out.append("<166>Jan  5 10:00:00 asa %ASA-6-106100: access-list in permitted tcp inside/10.1.0.5(50000) -> "
               "dmz/10.2.0.9(3389) hit-cnt 1 first hit [0x0, 0x0]")
    out.append("<134>Jan  5 10:00:01 rtx PP[01] Rejected at IN(2000) filter: TCP 10.1.0.5:50001 > 10.2.0.9:445")
    # office scanning: 30 addresses on 445 within seconds (iptables)
    for i in range(30):
        out.append(f"<4>Jan  5 10:01:{i:02d} gw kernel: DROP SRC=10.3.0.77 DST=10.3.1.{i} PROTO=TCP SPT=4000{i % 10} "
                   f"DPT=445")
    # VPN brute force from an outside address (FortiGate), and a success from outside the allowlist
    for i in range(6):
        out.append(f'date=2024-01-05 time=10:02:0{i} devid="FGT" logid="0101039426" type="event" subtype="vpn" '
                   f'logdesc="SSL VPN login fail" action="ssl-login-fail" remip=192.0.2.66 user="nurse{i}"')
    out.append("<134>Jan  5 10:03:00 rtx [L2TP] TUNNEL[1] connected from 192.0.2.99")
    out.append("<134>Jan  5 10:03:05 rtx [L2TP] TUNNEL[2] connected from 198.51.100.7")  # allowed vendor VPN
    # admin login failures on the router (sshd-style and RTX)
    for i in range(4):
        out.append(f"<134>Jan  5 10:04:0{i} rtx Login failed for SSH: 10.3.0.50 admin")
    # EHR to the internet (clinical segment), and office to an allowed destination
    out.append("<14>Jan  5 10:05:00 pa 1,2024/01/05 10:05:00,0128,TRAFFIC,end,2049,2024/01/05 10:05:00,10.2.0.20,"
               "192.0.2.200,0.0.0.0,0.0.0.0,rule1,,,ssl,vsys1,trust,untrust,e1,e2,fwd,2024/01/05 10:05:00,1,1,"
               "51000,443,0,0,0x0,tcp,allow,100,50,50,1")
    out.append("<134>Jan  5 10:05:01 pfsense filterlog[1]: 5,,,100,igb1,match,pass,out,4,0x0,,64,0,0,DF,6,tcp,60,"
               "10.3.0.4,203.0.113.80,53000,443,0,S,1,,64240,,mss")
    out.append("this line is from nobody we know")
    return out


def test_scan_findings_json(tmp_path: Path) -> None:
    log = tmp_path / "fw.log"
    log.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
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
    assert doc["stats"]["unknown_lines"] == 1 and doc["inputs"][0]["events"] == len(_lines())
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
    for line in _lines():
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
    log.write_text("\n".join(_lines()), encoding="utf-8")
    seg = tmp_path / "s.csv"
    seg.write_text(SEGMENTS, encoding="utf-8")
    inputs, findings, stats = analyse([log], seg, "Asia/Tokyo")
    assert len(inputs) == 1 and len({f.rule for f in findings}) == 6 and stats["netlog"]["segments"] == ["AD", "EHR", "office"]
