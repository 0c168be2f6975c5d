"""Checks behind one spec: the Phase the story shares, network rules as data, one port table, no rule named in code."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from builders.syslog import SEGMENTS
from builders.syslog import syslog_lines as _lines
from typer.testing import CliRunner

from wardwatch.checks import CHAIN, Phase, SpecError, has_tag, spec_for
from wardwatch.checks.facts import watched_ports
from wardwatch.cli import app
from wardwatch.detect.rules import load_rules
from wardwatch.model import Finding, Severity, Text
from wardwatch.netlog.detect import NETWORK, load_network_rules
from wardwatch.story import PHASES, build_incidents, phase_of

SRC = Path(__file__).resolve().parents[1] / "src" / "wardwatch"
T0 = datetime(2024, 1, 5, 1, 0, tzinfo=UTC)


def test_every_rule_declares_a_known_phase_and_the_story_uses_the_same_enum() -> None:
    assert PHASES == [p.value for p in CHAIN]
    for spec in [*load_rules(), *load_network_rules()]:
        assert isinstance(spec.phase, Phase), spec.id
    # the network rules used phases the story did not know, so their findings never joined an incident
    for spec in load_network_rules():
        assert spec.phase.on_chain, spec.id
    with pytest.raises(ValueError, match="unknown phase 'discovery'"):
        Phase.parse("discovery", "x.yml")


def test_network_rules_are_data_with_both_languages_and_a_registered_kind() -> None:
    specs = {s.id: s for s in load_network_rules()}
    assert set(specs) == {"net-cross-segment", "net-scan", "vpn-brute-force", "vpn-unexpected-source",
                          "admin-login-failure", "net-outbound", "net-large-upload"}
    for spec in specs.values():
        assert spec.kind in NETWORK and spec.title.ja and spec.title.en and spec.advice.ja and spec.advice.en
        assert spec.seed in ("002", "004 ③") and spec_for(spec.id) is spec
    assert specs["net-scan"].params == {"window_s": 60, "min_hosts": 20, "min_ports": 20}
    with pytest.raises(SpecError, match="unknown network check kind 'nope'"):
        NETWORK.find("nope", "net-x.yml")


def _scan(tmp_path: Path, *extra: str) -> dict:
    fw = tmp_path / "fw.log"
    fw.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
    seg = tmp_path / "segments.csv"
    seg.write_text(SEGMENTS, encoding="utf-8")
    res = CliRunner().invoke(app, ["scan", str(fw), "--segments", str(seg), "--out", str(tmp_path / "out"), *extra])
    assert res.exit_code in (0, 1), res.output
    return json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))


def test_a_syslog_scan_forms_incidents_from_network_findings(tmp_path: Path) -> None:
    data = _scan(tmp_path, "--lang", "en")
    rules_in_incidents = {data["findings"][i]["rule"] for inc in data["incidents"] for i in inc["findings"]}
    assert rules_in_incidents == {"net-cross-segment", "net-scan", "vpn-brute-force", "vpn-unexpected-source",
                                  "admin-login-failure", "net-outbound"}
    by_rule = {data["findings"][inc["findings"][0]]["rule"]: inc for inc in data["incidents"]}
    assert by_rule["net-cross-segment"]["phases"] == ["lateral"]
    assert by_rule["net-scan"]["phases"] == ["tools"] and by_rule["vpn-brute-force"]["phases"] == ["guessing"]
    assert by_rule["net-outbound"]["phases"] == ["exfiltration"]
    # the AD → EHR RDP (asa) and SMB (rtx) from one address are one incident
    cross = by_rule["net-cross-segment"]
    assert len(cross["findings"]) == 2 and cross["hosts"] == ["asa", "rtx"]
    # a router logs everything: findings it logged for different addresses are not one story, and the verdict
    # stays 'needs a look' (no chain across unrelated addresses)
    assert data["verdict"]["level"] == "attention"


def _f(rule: str, host: str | None, sources: list[str], phase: str, minutes: int = 0,
       severity: Severity = Severity.HIGH) -> Finding:
    t = T0 + timedelta(minutes=minutes)
    return Finding(rule=rule, severity=severity, host=host, first_seen=t, last_seen=t, count=1,
                   title=Text("t", "t"), summary=Text(rule, rule), advice=Text("", ""), sources=sources, phase=phase)


def test_network_and_windows_findings_join_by_address_not_by_the_logging_device() -> None:
    vpn = _f("vpn-brute-force", "fw1", ["192.0.2.66"], "guessing")
    breach = _f("breach-after-guessing", "HIS-SV01", ["192.0.2.66"], "access", 5, Severity.CRITICAL)
    scan = _f("net-scan", "fw1", ["10.3.0.77"], "tools", 10)
    incidents = build_incidents([vpn, breach, scan], "Asia/Tokyo")
    groups = sorted(sorted(f.rule for f in inc.findings) for inc in incidents)
    assert groups == [["breach-after-guessing", "vpn-brute-force"], ["net-scan"]]
    joined = next(inc for inc in incidents if len(inc.findings) == 2)
    assert joined.phases == ["guessing", "access"] and joined.hosts == ["HIS-SV01", "fw1"]
    assert "probably inside" in joined.narrative.en  # breach-after-guessing is tagged 'breach' in its file
    assert phase_of(scan) is Phase.TOOLS


def test_one_port_table_for_netlog_and_the_inventory_checks() -> None:
    from wardwatch.hospital.netcheck import watched_ports as hospital_ports
    ports = watched_ports()
    assert ports == hospital_ports()
    assert ports[20] == "FTP" and ports[464] == "Kerberos" and ports[3389] == "RDP" and ports[445] == "SMB"


def test_rules_declare_what_generic_code_asks_of_them() -> None:
    assert has_tag("log-coverage", "coverage") and has_tag("rdp-logon", "rdp-in") and has_tag("rdp-outbound", "rdp-out")
    assert has_tag("breach-after-guessing", "breach") and not has_tag("brute-force", "breach")
    assert spec_for("rdp-logon").traffic_port == 3389 and spec_for("lateral-movement").traffic_port == 445
    assert not has_tag("no-such-rule", "coverage") and spec_for("no-such-rule") is None
    rules = {r.id: r for r in load_rules()}
    config = {"rules": {"brute-force": {"burst_count": 10, "burst_seconds": 60, "gap_minutes": 30, "min_count": 10},
                        "password-spray": {"min_accounts": 7, "window_minutes": 60},
                        "chronic-failures": {"gap_minutes": 180, "min_count": 12, "min_hours": 2}}}
    # each rule is handed its own settings, plus what its own file says it shares
    assert rules["brute-force"].settings(config) == {"min_accounts": 7, **config["rules"]["brute-force"]}
    assert rules["chronic-failures"].settings(config) == {"burst_count": 10, "burst_seconds": 60, "min_accounts": 7,
                                                         **config["rules"]["chronic-failures"]}
    assert rules["password-spray"].settings(config) == config["rules"]["password-spray"]


GENERIC = ["detect/engine.py", "detect/correlate.py", "detect/sigma_export.py", "story.py", "scan.py",
           "report/html.py", "hospital/rules.py", "hospital/checklist.py", "hospital/netcheck.py", "netlog/detect.py"]


@pytest.mark.parametrize("module", GENERIC)
def test_no_rule_id_is_named_in_generic_code(module: str) -> None:
    ids = [r.id for r in load_rules()] + [s.id for s in load_network_rules()]
    code = (SRC / module).read_text(encoding="utf-8")
    named = sorted({i for i in ids if re.search(rf"""["']{re.escape(i)}["']""", code)})
    assert named == [], f"{module} names rules {named}: declare what it needs in the rule files instead"


def test_checklist_items_name_rules_exactly_and_match_what_they_matched_before() -> None:
    import yaml

    from wardwatch.audit.checkdefs import raw_checks
    from wardwatch.hospital.checklist import names_rule
    from wardwatch.hospital.rules import checks as hospital_checks
    assert names_rule("log-size", "audit.log-size") and names_rule("backup.", "backup.3-2-1")
    assert names_rule("net.any-any", "net.any-any") and not names_rule("rdp", "rdp-logon")
    assert not names_rule("log", "audit.log-size") and not names_rule("admin", "builtin-admin")
    ids = ([r.id for r in load_rules()] + [s.id for s in load_network_rules()] + [f"audit.{n}" for n in raw_checks()]
           + list(hospital_checks()))
    items = yaml.safe_load((SRC / "hospital" / "data" / "checklist.yml").read_text(encoding="utf-8"))["items"]
    entries = [str(p) for it in items for p in ((it.get("auto") or {}).get("fail_rules") or [])]
    assert entries
    for entry in entries:  # the shipped entries name the same rules as the substring test they replace
        assert [i for i in ids if names_rule(entry, i)] == [i for i in ids if entry in i], entry


def test_one_registry_knows_every_shipped_check_and_the_checklist_names_only_known_ones() -> None:
    import yaml

    from wardwatch.checks.spec import registered
    from wardwatch.hospital.checklist import names_rule
    specs = registered()
    ids = {s.id for s in specs}
    assert {"brute-force", "net-scan", "audit.rdp-enabled", "net.any-any", "backup.3-2-1"} <= ids
    for s in specs:
        assert s.title.ja and s.title.en and s.kind and isinstance(s.phase, Phase), s.id
    items = yaml.safe_load((SRC / "hospital" / "data" / "checklist.yml").read_text(encoding="utf-8"))["items"]
    for it in items:
        for entry in (it.get("auto") or {}).get("fail_rules") or []:
            assert any(names_rule(str(entry), i) for i in ids), f"{it['id']}: {entry} names no known check"
