"""`wardwatch scan` takes firewall/router syslog beside Windows logs: one findings.json, one story."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from test_netlog_detect import SEGMENTS, _lines
from wardwatch.cli import app
from wardwatch.demo import write_scenario


def test_scan_windows_logs_and_syslog_together(tmp_path):
    logs = tmp_path / "logs"
    write_scenario(logs)
    (logs / "network").mkdir()
    (logs / "network" / "fw.log").write_text("\n".join(_lines()) + "\n", encoding="utf-8")
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
