"""Seed rules as data: the contract ids, both languages, settings overrides, allowlists and other failure sources."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from builders.events import by_rule, scan, write_jsonl

from wardwatch.config import ConfigError, load_config, load_rdp_allowlist
from wardwatch.demo import JST, Ev, _logon_fail, _logon_ok, write_scenario
from wardwatch.detect.rules import RuleError, compile_item, load_rules
from wardwatch.model import Severity


CONTRACT_IDS = {"brute-force", "password-spray", "breach-after-guessing", "builtin-admin", "ntlm-no-domain",
                "rdp-logon", "rdp-outbound", "attack-tool", "log-tampering", "account-created",
                "privileged-group-add", "defender-disabled", "malware-detected", "shadow-copy-delete", "lateral-movement",
                "off-hours-logon", "chronic-failures", "log-coverage", "fast-guessing", "credential-theft",
                "defense-tampering", "suspicious-execution", "remote-execution", "obfuscated-script", "rdp-exploit"}


def test_every_contract_rule_ships_with_both_languages():
    rules = {r.id: r for r in load_rules()}
    assert set(rules) == CONTRACT_IDS
    for r in rules.values():
        for text in (r.title, r.summary, r.advice):
            assert text.ja.strip() and text.en.strip()
        assert r.seed
    order = [r.id for r in load_rules()]
    assert order.index("breach-after-guessing") > order.index("brute-force")
    assert order.index("chronic-failures") > order.index("brute-force")


def test_bad_rule_fields_are_named():
    with pytest.raises(RuleError, match="unknown field 'nosuch'"):
        compile_item("nosuch", "x", {}, "my.yml select[0]")
    with pytest.raises(RuleError, match="unknown modifier"):
        compile_item("host|sounds_like", "x", {}, "my.yml")


def test_a_label_split_by_an_unquoted_comma_is_named_at_load(tmp_path):
    """YAML reads {ja: x, en: a, b} as three keys: the rule file is refused when loaded, naming the file and label,
    not when the rule runs."""
    bad = tmp_path / "my-rule.yml"
    bad.write_text("id: my-rule\nphase: tools\nseverity: low\nseed: x\ntitle: {ja: x, en: x}\n"
                   "summary: {ja: x, en: x}\nadvice: {ja: x, en: x}\n"
                   "select:\n  - {channel: Security, event_id: 1, _what: {ja: x, en: one, two}}\n"
                   "correlate: {type: group, by: [host]}\n", encoding="utf-8")
    with pytest.raises(RuleError, match="my-rule.yml.*'_what' needs exactly ja and en"):
        load_rules([tmp_path])


def test_thresholds_come_from_settings(tmp_path):
    write_scenario(tmp_path / "logs")
    cfg = load_config()
    cfg["rules"]["brute-force"]["burst_count"] = 1000  # OGMC peaked at ~33 per minute
    result = scan([tmp_path / "logs"], tmp_path / "out", cfg)
    assert not by_rule(result, "brute-force") and not by_rule(result, "breach-after-guessing")
    user = tmp_path / "mine.yml"
    user.write_text("rules:\n  brute-force:\n    gap_minutes: 5\n", encoding="utf-8")
    merged = load_config(user)
    assert merged["rules"]["brute-force"]["gap_minutes"] == 5 and merged["rules"]["brute-force"]["burst_count"] == 10


def test_rdp_allowlist(tmp_path):
    write_scenario(tmp_path / "logs")
    allow = tmp_path / "allow.csv"
    allow.write_text("server,account,source\nEHR-DB01,vendor-se,192.168.1.*\n", encoding="utf-8")
    cfg = load_config()
    cfg["rdp_allowlist"] = str(allow)  # the public settings key (a path), read by the rdp check
    result = scan([tmp_path / "logs"], tmp_path / "out", cfg)
    rdp = {(f.host, f.accounts[0].lower()): f for f in by_rule(result, "rdp-logon")}
    assert rdp[("EHR-DB01", "vendor-se")].severity == Severity.INFO
    # the logon that followed the guessing is the most severe row; the planned vendor logon the least
    assert rdp[("KYUSHOKU-SV", "administrator")].severity == Severity.CRITICAL
    assert max(f.severity for f in rdp.values()) == Severity.CRITICAL
    assert min(f.severity for f in rdp.values()) == rdp[("EHR-DB01", "vendor-se")].severity == Severity.INFO
    assert "許可リストにない" in rdp[("KYUSHOKU-SV", "administrator")].summary.ja
    bad = tmp_path / "bad.csv"
    bad.write_text("EHR-DB01,only-two\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 1"):
        load_rdp_allowlist(bad)


def _mssql(t: datetime, user: str, ip: str) -> Ev:
    return Ev("MSSQLSERVER", "Application", "HIS-DB", 18456, t, items=[
        user, " Reason: Password did not match that for the login provided.", f" [CLIENT: {ip}]"], qualifiers=49152)


def _ssh(t: datetime, user: str, ip: str) -> Ev:
    return Ev("OpenSSH", "OpenSSH/Operational", "JUMP-SV", 4, t,
              {"process": "sshd", "payload": f"Failed password for invalid user {user} from {ip} port 50022 ssh2"})


def _kerberos(t: datetime, user: str, ip: str) -> Ev:
    return Ev("Microsoft-Windows-Security-Auditing", "Security", "DC01", 4771, t, {
        "TargetUserName": user, "TargetSid": "S-1-5-21-1-2-3-1107", "ServiceName": "krbtgt/HOSPITAL",
        "TicketOptions": "0x40810010", "Status": "0x18", "PreAuthType": "2", "IpAddress": f"::ffff:{ip}", "IpPort": "50123"})


def test_other_failure_sources_and_spraying(tmp_path):
    t0 = datetime(2023, 5, 1, 2, 0, tzinfo=JST)
    write_jsonl(tmp_path / "logs" / "sql.jsonl", [_mssql(t0 + timedelta(seconds=2 * i), "sa", "203.0.113.9") for i in range(40)])
    write_jsonl(tmp_path / "logs" / "ssh.jsonl", [_ssh(t0 + timedelta(seconds=i), "admin", "198.51.100.7") for i in range(30)])
    write_jsonl(tmp_path / "logs" / "dc.jsonl", [_kerberos(t0 + timedelta(seconds=3 * i), f"user{i:02d}", "10.0.5.5")
                                                 for i in range(25)])
    result = scan([tmp_path / "logs"], tmp_path / "out")
    bf = {f.host: f for f in by_rule(result, "brute-force")}
    assert bf["HIS-DB"].accounts == ["sa"] and bf["HIS-DB"].sources == ["203.0.113.9"]
    assert bf["JUMP-SV"].accounts == ["admin"] and bf["JUMP-SV"].sources == ["198.51.100.7"]
    (spray,) = by_rule(result, "password-spray")
    assert spray.host == "DC01" and spray.facts["accounts_count"] == 25 and spray.sources == ["10.0.5.5"]


def test_spraying_with_unknown_names_by_source(tmp_path):
    t0 = datetime(2023, 5, 2, 1, 0, tzinfo=JST)
    fails = [_logon_fail("FILE-SV", t0 + timedelta(seconds=i), f"staff{i:03d}", 3, "10.9.9.9", "HOSPITAL", "0xc0000064")
             for i in range(60)]
    ok = [_logon_ok("FILE-SV", t0 + timedelta(seconds=70), "staff007", 3, "10.9.9.9", "0x99", "NTLM",
                    sid="S-1-5-21-1-2-3-1500")]
    write_jsonl(tmp_path / "logs" / "sec.jsonl", fails + ok)
    result = scan([tmp_path / "logs"], tmp_path / "out")
    (spray,) = by_rule(result, "password-spray")
    assert spray.facts["accounts_count"] == 60
    (breach,) = by_rule(result, "breach-after-guessing")
    assert breach.accounts == ["staff007"] and breach.severity == Severity.CRITICAL
