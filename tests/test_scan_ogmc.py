"""The OGMC story of seed 002, replayed from the demo scenario: what must alert and what must not."""
from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from wardwatch.cli import app
from wardwatch.demo import write_scenario
from wardwatch.model import Severity

from builders.events import by_rule, scan


@pytest.fixture(scope="module")
def ogmc(tmp_path_factory):
    root = tmp_path_factory.mktemp("ogmc")
    write_scenario(root / "logs")
    return scan([root / "logs"], root / "out"), root


def test_one_campaign_of_1989_failures(ogmc):
    result, _ = ogmc
    bf = by_rule(result, "brute-force")
    assert len(bf) == 1, [f.summary.en for f in bf]
    f = bf[0]
    assert f.host == "KYUSHOKU-SV" and f.count == 1989
    assert [a.lower() for a in f.accounts] == ["administrator"]
    assert (f.last_seen - f.first_seen).total_seconds() == pytest.approx(5 * 3600 + 24 * 60 + 8, abs=2)
    assert f.facts["wrong_password"] == 1989 and f.facts["peak"] >= 27
    assert "0xC000006A" in f.summary.ja and "1,989" in f.summary.ja
    assert f.evidence_total == 1989 and f.evidence[0].record_id is not None


def test_breach_after_guessing_names_the_supplier(ogmc):
    result, _ = ogmc
    (b,) = by_rule(result, "breach-after-guessing")
    assert b.severity == Severity.CRITICAL and b.host == "KYUSHOKU-SV"
    assert "10.20.30.40" in b.sources  # the failures had no address; the success has
    assert b.facts["logon_types"] == [10]


def test_tools_and_the_rest_of_the_chain(ogmc):
    result, _ = ogmc
    tools = {t for f in by_rule(result, "attack-tool") for t in f.facts["tools"]}
    assert {"Advanced IP Scanner", "Mimikatz"} <= tools
    assert not any("Edge" in w or "Adobe" in w for f in by_rule(result, "attack-tool") for w in f.facts.get("whats", []))
    (lat,) = by_rule(result, "lateral-movement")
    assert set(lat.facts["hosts"]) >= {"EHR-DB01", "PACS-SV01", "BACKUP-SV01"}
    assert by_rule(result, "shadow-copy-delete")[0].host == "BACKUP-SV01"
    assert by_rule(result, "defender-disabled")[0].host == "EHR-DB01"
    assert by_rule(result, "log-tampering")[0].host == "EHR-DB01"
    assert by_rule(result, "ntlm-no-domain")[0].host == "KYUSHOKU-SV"


def test_benign_noise_stays_quiet(ogmc):
    result, _ = ogmc
    noisy = {a.lower() for f in by_rule(result, "brute-force") + by_rule(result, "breach-after-guessing") for a in f.accounts}
    assert "nurse01" not in noisy and "svc_backup" not in noisy and "kyushoku" not in noisy
    (chronic,) = by_rule(result, "chronic-failures")
    assert chronic.accounts == ["svc_backup"] and chronic.severity == Severity.LOW and chronic.count == 144


def test_rdp_inventory(ogmc):
    result, _ = ogmc
    pairs = {(f.host, f.accounts[0].lower(), f.sources[0]) for f in by_rule(result, "rdp-logon")}
    assert ("KYUSHOKU-SV", "administrator", "10.20.30.40") in pairs
    assert ("EHR-DB01", "vendor-se", "192.168.1.50") in pairs
    assert all(src not in ("LOCAL", "127.0.0.1") for _, _, src in pairs)


def test_one_critical_incident_tells_the_story(ogmc):
    result, _ = ogmc
    inc = result.incidents[0]
    assert inc.severity == Severity.CRITICAL
    assert {"KYUSHOKU-SV", "EHR-DB01", "BACKUP-SV01"} <= set(inc.hosts)
    assert inc.phases[:3] == ["guessing", "access", "tools"]
    assert "LAN ケーブル" in inc.actions.ja and "電源は切らない" in inc.actions.ja
    assert "ログオンが成功しており" in inc.narrative.ja
    assert "do not shut" in inc.actions.en.lower()
    assert not any(f.rule == "chronic-failures" for i in result.incidents for f in i.findings)


def test_findings_json_contract(ogmc):
    _, root = ogmc
    data = json.loads((root / "out" / "findings.json").read_text(encoding="utf-8"))
    assert {"version", "generated_at", "timezone", "inputs", "findings", "incidents"} <= set(data)
    assert data["timezone"] == "Asia/Tokyo"
    for inp in data["inputs"]:
        assert {"path", "sha256", "events", "errors"} <= set(inp) and len(inp["sha256"]) == 64
    f = next(f for f in data["findings"] if f["rule"] == "brute-force")
    assert {"rule", "severity", "host", "first_seen", "last_seen", "count", "accounts", "sources", "title",
            "summary", "advice", "evidence"} <= set(f)
    assert f["first_seen"] == "2022-10-31T04:07:12+09:00" and f["severity"] == "high"
    assert {"file", "record_id"} == set(f["evidence"][0])
    assert f["evidence"][0]["file"].endswith("Security.xml")


def test_timeline_is_timesketch_loadable(ogmc):
    _, root = ogmc
    with open(root / "out" / "timeline.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {"datetime", "timestamp_desc", "message"} <= set(rows[0])
    assert rows == sorted(rows, key=lambda r: r["datetime"])
    lines = (root / "out" / "timeline.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(rows) and json.loads(lines[0])["message"]


def test_html_report_is_offline(ogmc):
    _, root = ogmc
    html = (root / "out" / "report.html").read_text(encoding="utf-8")
    assert "KYUSHOKU-SV" in html and "<svg" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html


def test_cli_demo_and_exit_codes(tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["demo", "--out", str(tmp_path / "d"), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "Results saved in" in res.output
    res = runner.invoke(app, ["scan", str(tmp_path / "missing")])
    assert res.exit_code == 2
    res = runner.invoke(app, ["scan", str(tmp_path / "d" / "logs"), "--tz", "Mars/Olympus", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "time zone" in res.output
    res = runner.invoke(app, ["scan", str(tmp_path / "d" / "logs"), "--lang", "fr", "--out", str(tmp_path / "y")])
    assert res.exit_code == 2


def test_inputs_are_never_modified(tmp_path):
    files = write_scenario(tmp_path / "logs")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    scan([tmp_path / "logs"], tmp_path / "out")
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before
