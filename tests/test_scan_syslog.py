"""`wardwatch scan` takes firewall/router syslog beside Windows logs: one findings.json, one story."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from builders.syslog import SEGMENTS, syslog_lines
from wardwatch.cli import app
from wardwatch.demo import write_scenario


def test_scan_windows_logs_and_syslog_together(tmp_path):
    logs = tmp_path / "logs"
    write_scenario(logs)
    (logs / "network").mkdir()
    (logs / "network" / "fw.log").write_text("\n".join(syslog_lines()) + "\n", encoding="utf-8")
    seg = tmp_path / "segments.csv"
    seg.write_text(SEGMENTS, encoding="utf-8")
    res = CliRunner().invoke(app, ["scan", str(logs), "--segments", str(seg), "--out", str(tmp_path / "out")])
    assert res.exit_code == 1, res.output  # the syslog file has one unknown line, reported and counted
    data = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    rules = {f["rule"] for f in data["findings"]}
    assert {"brute-force", "breach-after-guessing", "net-cross-segment", "net-scan", "vpn-brute-force"} <= rules
    fw = [i for i in data["inputs"] if i["path"].endswith("fw.log")]
    assert len(fw) == 1 and fw[0]["events"] > 40
    assert "not an event log" not in json.dumps(data["inputs"])
    assert data["stats"]["netlog"]["segments"]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="network"' in html and "AD → EHR" in html and "<rect" in html  # the segment picture and what did not happen


def test_inventory_says_which_flows_are_allowed(tmp_path):
    """With the hospital inventory, an allowed flow (保守VPN → HIS on 3389) is not a finding; AD → HIS SMB is."""
    from importlib import resources
    inv = tmp_path / "hospital.yml"
    inv.write_text((resources.files("wardwatch.hospital") / "templates" / "hospital.yml").read_text(encoding="utf-8"),
                   encoding="utf-8")
    fw = tmp_path / "fw.log"
    fw.write_text(
        "<166>Jan  5 10:00:00 asa %ASA-6-106100: access-list in permitted tcp inside/10.200.8.5(50000) -> "
        "dmz/10.200.2.250(3389) hit-cnt 1 first hit [0x0, 0x0]\n"
        "<134>Jan  5 10:00:01 rtx PP[01] Rejected at IN(2000) filter: TCP 10.200.1.250:50001 > 10.200.2.250:445\n",
        encoding="utf-8")
    res = CliRunner().invoke(app, ["scan", str(fw), "--inventory", str(inv), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    cross = [f for f in data["findings"] if f["rule"] == "net-cross-segment"]
    assert [(f["facts"]["src_segment"], f["facts"]["dst_segment"], f["facts"]["port"]) for f in cross] == [("AD", "HIS", 445)]
    bad = tmp_path / "bad.yml"
    bad.write_text("hospital: {name: x}\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["scan", str(fw), "--inventory", str(bad), "--out", str(tmp_path / "o2")])
    assert res.exit_code == 2 and "Traceback" not in res.output
