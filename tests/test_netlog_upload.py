"""Large transfers to the internet without an allowlist (seed 004 ③): by volume, at night to a new address, or far
above the host's usual; byte counts read from FortiGate and PAN-OS traffic logs."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from wardwatch.cli import app
from wardwatch.netlog.parse import parse_line

SEGMENTS = "cidr,segment\n10.2.0.0/16,EHR\n10.3.0.0/16,office\n203.0.113.80/32,@outbound-allow\n"


def forti(day: int, hh: int, mm: int, src: str, dst: str, sent: int, action: str = "accept") -> str:
    return (f'date=2026-11-{day:02d} time={hh:02d}:{mm:02d}:00 devid="FGT60F" logid="0000000013" type="traffic" '
            f'subtype="forward" srcip={src} srcport=51000 dstip={dst} dstport=443 proto=6 action="{action}" '
            f'sentbyte={sent} rcvdbyte=4096')


def _scan(tmp: Path, lines: list[str]) -> list[dict]:
    log = tmp / "fw.log"
    log.write_text("\n".join(f"<189>Nov {int(l[13:15])} {l[21:26]}:00 fgt {l}" for l in lines) + "\n", encoding="utf-8")
    seg = tmp / "segments.csv"
    seg.write_text(SEGMENTS, encoding="utf-8")
    res = CliRunner().invoke(app, ["syslog", "scan", str(log), "--segments", str(seg), "--out", str(tmp / "out")])
    assert res.exit_code in (0, 1), res.output
    doc = json.loads((tmp / "out" / "findings.json").read_text(encoding="utf-8"))
    return [f for f in doc["findings"] if f["rule"] == "net-large-upload"]


def test_byte_counts_are_read() -> None:
    from datetime import UTC, datetime
    e = parse_line(forti(5, 3, 0, "10.2.0.20", "192.0.2.9", 123456), datetime(2026, 11, 5, tzinfo=UTC))
    assert e.sent == 123456
    pan = ("<14>Nov  5 03:00:00 pa 1,2026/11/05 03:00:00,0128,TRAFFIC,end,2049,2026/11/05 03:00:00,10.2.0.20,"
           "192.0.2.200,0.0.0.0,0.0.0.0,rule1,,,ssl,vsys1,trust,untrust,e1,e2,fwd,2026/11/05 03:00:00,1,1,"
           "51000,443,0,0,0x0,tcp,allow,900,700,200,3")
    assert parse_line(pan, datetime(2026, 11, 5, tzinfo=UTC)).sent == 700


def test_large_night_and_unusual_uploads_are_found(tmp_path: Path) -> None:
    mb = 1 << 20
    lines = [forti(5, 3, m, "10.2.0.20", "192.0.2.9", 60 * mb) for m in range(5)]  # EHR server, 300 MB at 03:00
    lines += [forti(5, 2, 30, "10.3.0.7", "198.18.0.5", 12 * mb)]  # office PC at night, address never seen by day
    lines += [forti(5, 10, m, "10.3.0.8", f"192.0.2.{m + 50}", 200_000) for m in range(6)]  # the PC's usual
    lines += [forti(5, 11, 0, "10.3.0.8", "192.0.2.99", 40 * mb)]  # 200 times its usual
    found = {f["facts"]["destination"]: f for f in _scan(tmp_path, lines)}
    assert set(found) == {"192.0.2.9", "198.18.0.5", "192.0.2.99"}
    assert found["192.0.2.9"]["severity"] == "high" and "large" in found["192.0.2.9"]["facts"]["reasons"]
    assert found["198.18.0.5"]["facts"]["reasons"] == ["night"]
    assert found["192.0.2.99"]["facts"]["reasons"] == ["unusual"]
    assert "300.0 MB" in found["192.0.2.9"]["summary"]


def test_look_alikes_stay_quiet(tmp_path: Path) -> None:
    mb = 1 << 20
    lines = [forti(5, 10, m, "10.3.0.7", "192.0.2.9", 5 * mb) for m in range(10)]  # 50 MB by day: a normal update
    lines += [forti(5, 3, 0, "10.3.0.7", "192.0.2.9", 15 * mb)]  # at night, but to an address also used by day
    lines += [forti(5, 3, 5, "10.2.0.20", "203.0.113.80", 500 * mb)]  # on the outbound allowlist
    lines += [forti(5, 3, 9, "10.2.0.20", "192.0.2.77", 500 * mb, action="deny")]  # blocked
    assert _scan(tmp_path, lines) == []


def test_directory_traffic_is_expected_but_rdp_to_ehr_is_not(tmp_path: Path) -> None:
    log = tmp_path / "fw.log"
    seg = tmp_path / "segments.csv"
    seg.write_text("cidr,segment\n10.1.0.0/16,AD\n10.2.0.0/16,EHR\n10.3.0.0/16,office\n", encoding="utf-8")
    lines = [f"<134>Nov  5 10:00:0{i} rtx PP[01] Passed at IN(2000) filter: TCP 10.3.0.{i}:5000{i} > 10.1.0.5:{p}"
             for i, p in enumerate((88, 389, 445))]
    lines += ["<134>Nov  5 10:01:00 rtx PP[01] Passed at IN(2000) filter: TCP 10.3.0.9:50010 > 10.2.0.9:3389"]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["syslog", "scan", str(log), "--segments", str(seg), "--out", str(tmp_path / "o")])
    assert res.exit_code in (0, 1), res.output
    doc = json.loads((tmp_path / "o" / "findings.json").read_text(encoding="utf-8"))
    sev = {(f["facts"]["dst_segment"], f["facts"]["port"]): f["severity"] for f in doc["findings"]
           if f["rule"] == "net-cross-segment"}
    assert sev[("EHR", 3389)] == "high"
    assert {sev[("AD", p)] for p in (88, 389, 445) if ("AD", p) in sev} <= {"low"} and ("AD", 88) in sev


def test_a_fortigate_line_without_a_header_keeps_its_own_time() -> None:
    from datetime import UTC, datetime
    line = ('date=2024-01-05 time=10:02:03 devname="FGT-HQ" devid="FGT60F" logid="0101039426" type="event" '
            'subtype="vpn" logdesc="SSL VPN login fail" action="ssl-login-fail" remip=192.0.2.66 user="nurse1"')
    e = parse_line(line, datetime(2026, 12, 5, tzinfo=UTC), "Asia/Tokyo")
    assert e.time == datetime(2024, 1, 5, 1, 2, 3, tzinfo=UTC)  # 10:02:03 JST, not the time of the analysis
    assert e.device == "FGT-HQ" and e.kind == "vpn-failure"


def test_night_is_the_runs_time_zone(tmp_path: Path) -> None:
    """17:30 UTC is 02:30 in Tokyo: a night upload there, an evening one in London (--tz Europe/London)."""
    from datetime import UTC, datetime

    from wardwatch.netlog.detect import detect
    from wardwatch.netlog.parse import NetEvent
    from wardwatch.netlog.segments import load_segments
    (tmp_path / "segments.csv").write_text(SEGMENTS, encoding="utf-8")
    segs = load_segments(tmp_path / "segments.csv")
    mb = 1 << 20
    ev = NetEvent(datetime(2026, 11, 5, 17, 30, tzinfo=UTC), "fgt", "fortigate", "traffic", "accept", "tcp",
                  "10.3.0.7", 51000, "198.18.0.5", 443, sent=12 * mb, file="fw.log", line=1)
    tokyo = [f for f in detect([ev], segs, tz="Asia/Tokyo") if f.rule == "net-large-upload"]
    london = [f for f in detect([ev], segs, tz="Europe/London") if f.rule == "net-large-upload"]
    assert [f.facts["reasons"] for f in tokyo] == [["night"]] and london == []
    assert "02:30" in tokyo[0].summary.get("ja") and "JST" in tokyo[0].summary.get("ja")
