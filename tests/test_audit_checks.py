"""Audit checks on bundles built in code: every check fails on an open host, passes on a hardened one, in both
languages and all encodings; missing parts are 'not collected'; thresholds come from settings; across-host checks."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from builders.bundles import make_bundle

from wardwatch.audit.checkdefs import load_checks, raw_checks
from wardwatch.audit.outcome import FAIL, NOT_APPLICABLE, NOT_COLLECTED, PASS
from wardwatch.audit.run import AuditResult, run
from wardwatch.audit.settings import load_hosts, make_context
from wardwatch.config import ConfigError, load_config
from wardwatch.model import Severity

HOST_CHECKS = [n for n, spec in raw_checks().items() if spec.get("scope", "host") == "host"]


def audit(paths: list[Path], cfg: dict | None = None, hosts: Path | None = None, rdp: set[str] = frozenset(),
          lang: str = "ja") -> AuditResult:
    cfg = cfg or load_config()
    ctx = make_context(cfg, hosts)
    ctx.rdp_hosts |= set(rdp)
    return run(paths, cfg, ctx, "Asia/Tokyo", lang)


def outcomes(result: AuditResult, host: str) -> dict:
    return next(h for h in result.hosts if h.host == host).outcomes


@pytest.mark.parametrize("lang,encoding,ps", [("ja", "utf-16", "5.1"), ("ja", "cp932", "5.1"), ("en", "utf-8", "7"),
                                              ("en", "utf-8-sig", "5.1"), ("ja", "utf-8", "7")])
def test_open_host_fails_every_check(tmp_path: Path, lang: str, encoding: str, ps: str) -> None:
    make_bundle(tmp_path, "BAD-PC", lang=lang, encoding=encoding, ps=ps, as_zip=(encoding == "utf-8"))
    result = audit([tmp_path], lang=lang)
    got = {n: o.status for n, o in outcomes(result, "BAD-PC").items()}
    assert got == {n: FAIL for n in HOST_CHECKS}
    rules = {f.rule for f in result.findings}
    assert {f"audit.{n}" for n in HOST_CHECKS} <= rules
    assert result.hosts[0].score({c.name: c for c in result.checks}) == 0
    assert not result.incomplete


@pytest.mark.parametrize("lang,encoding,ps", [("ja", "cp932", "5.1"), ("en", "utf-16", "7")])
def test_hardened_host_passes_every_check(tmp_path: Path, lang: str, encoding: str, ps: str) -> None:
    make_bundle(tmp_path, "GOOD-SV", hardened=True, lang=lang, encoding=encoding, ps=ps, single_object=True)
    result = audit([tmp_path], rdp={"GOOD-SV"})
    got = {n: o.status for n, o in outcomes(result, "GOOD-SV").items()}
    assert got == {n: PASS for n in HOST_CHECKS}
    assert result.findings == []
    assert result.hosts[0].score({c.name: c for c in result.checks}) == 100


def test_failures_carry_seed_severity_fix_and_evidence(tmp_path: Path) -> None:
    make_bundle(tmp_path, "BAD-PC")
    by_rule = {f.rule: f for f in audit([tmp_path]).findings}
    lockout = by_rule["audit.account-lockout"]
    assert lockout.severity == Severity.HIGH and "000 Q&A 25" in lockout.seed
    assert "net accounts /lockoutthreshold" in lockout.facts["fix_command"]
    assert "アカウント ロックアウトのポリシー" in lockout.facts["gpo_path"]
    assert lockout.evidence[0].file.endswith("secedit.inf") and lockout.phase == "config"
    size = by_rule["audit.log-size"]
    assert "Security: 20,480 KB" in size.summary.ja and "CIS 196,608 KB" in size.summary.en
    assert 'wevtutil sl "Security" /ms:201326592' in size.facts["fix_command"]
    assert by_rule["audit.autologon"].severity == Severity.HIGH
    assert "kiosk" in by_rule["audit.autologon"].accounts
    assert by_rule["audit.remote-tools"].severity == Severity.HIGH
    assert by_rule["audit.builtin-admin"].severity == Severity.HIGH  # used two days before collection
    assert set(by_rule["audit.local-admins"].accounts) == {"BAD-PC\\vendor", "HOSPITAL\\nurse01"}
    assert by_rule["audit.audit-logon"].severity == Severity.HIGH  # logon failures not recorded


def test_missing_parts_are_not_collected_never_passed(tmp_path: Path) -> None:
    make_bundle(tmp_path, "GOOD-SV", hardened=True, drop=("secedit", "auditpol", "rdp", "eventlogs", "defender"),
                state="running")
    result = audit([tmp_path], rdp={"GOOD-SV"})
    got = outcomes(result, "GOOD-SV")
    for name in ("account-lockout", "password-length", "audit-logon", "rdp-enabled", "rdp-nla", "log-size",
                 "log-overwrite", "antivirus", "av-signatures"):
        assert got[name].status == NOT_COLLECTED, name
    assert got["builtin-admin"].status == PASS  # users.json still says it is disabled
    nc = [f for f in result.findings if f.rule == "audit.not-collected"]
    assert len(nc) == 1 and "audit.account-lockout" in nc[0].facts["checks"] and "secedit" in nc[0].facts["parts"]
    assert result.incomplete
    messages = [e.message for i in result.inputs for e in i.errors]
    assert any("did not finish" in m for m in messages) and any("collector failed" in m for m in messages)


def test_settings_override_thresholds_severity_and_enabled(tmp_path: Path) -> None:
    make_bundle(tmp_path, "BAD-PC")
    settings = tmp_path / "settings.yml"
    settings.write_text(yaml.safe_dump({"audit": {
        "checks": {"log-size": {"min_kb": {"Security": 10000, "Application": 1000, "System": 1000,
                                           "Microsoft-Windows-SmbClient/Security": 1000,
                                           "Microsoft-Windows-SMBServer/Security": 1000,
                                           "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational": 1000,
                                           "Microsoft-Windows-TerminalServices-RDPClient/Operational": 1000}},
                   "audit.rdp-default-port": {"enabled": False},
                   "smb1": {"severity": "critical"},
                   "remote-tools": {"allowed": ["AnyDesk", "Advanced IP Scanner"]}},
        "expected_admins": ["vendor", "HOSPITAL\\nurse01"]}}), encoding="utf-8")
    result = audit([tmp_path], cfg=load_config(settings))
    got = outcomes(result, "BAD-PC")
    assert got["log-size"].status == PASS and "rdp-default-port" not in got
    assert got["remote-tools"].status == PASS and got["local-admins"].status == PASS
    assert next(f for f in result.findings if f.rule == "audit.smb1").severity == Severity.CRITICAL
    with pytest.raises(ConfigError, match="no-such-check"):
        load_checks({"no-such-check": {"x": 1}})


def test_fleet_checks_and_host_list(tmp_path: Path) -> None:
    bundles = tmp_path / "bundles"
    for host in ("PC-01", "PC-02", "PC-03"):
        make_bundle(bundles, host)
    make_bundle(bundles, "GOOD-SV", hardened=True, as_zip=True)
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("# 台帳\nhost\nPC-01\nPC-02, pc\nGOOD-SV rdp\nPACS-SV  # 未収集\n", encoding="utf-8")
    assert load_hosts(hosts) == (["PC-01", "PC-02", "GOOD-SV", "PACS-SV"], {"GOOD-SV"})
    result = audit([bundles], hosts=hosts)
    fleet = {(c.name, h): o for c, h, o in result.fleet}
    shared = fleet[("shared-local-admin", None)]
    assert shared.status == FAIL and shared.accounts == ["vendor"] and shared.facts["hosts"] == ["PC-01", "PC-02", "PC-03"]
    assert fleet[("rdp-everywhere", None)].status == FAIL
    assert fleet[("hosts-missing", "PACS-SV")].status == FAIL
    assert fleet[("hosts-unlisted", "PC-03")].status == FAIL
    assert outcomes(result, "GOOD-SV")["rdp-enabled"].status == PASS  # tagged rdp in the host list
    assert result.incomplete  # a listed host has no bundle
    with pytest.raises(ConfigError, match="line 2"):
        bad = tmp_path / "bad.txt"
        bad.write_text("PC-01\n!!!\n", encoding="utf-8")
        load_hosts(bad)


def test_domain_controller_and_rdp_off_are_not_applicable(tmp_path: Path) -> None:
    import json
    folder = make_bundle(tmp_path, "DC01", hardened=True, ps="7", encoding="utf-8")
    system = json.loads((folder / "system.json").read_text(encoding="utf-8"))
    system["domain_role"] = 5
    (folder / "system.json").write_text(json.dumps(system), encoding="utf-8")
    rdp = json.loads((folder / "rdp.json").read_text(encoding="utf-8"))
    rdp["policy"] = {"exists": True, "fDenyTSConnections": 1}  # group policy wins over the local value
    (folder / "rdp.json").write_text(json.dumps(rdp), encoding="utf-8")
    got = outcomes(audit([tmp_path]), "DC01")
    assert got["laps"].status == NOT_APPLICABLE and got["stale-accounts"].status == NOT_APPLICABLE
    assert got["rdp-enabled"].status == PASS
    assert {got[n].status for n in ("rdp-nla", "rdp-default-port", "rdp-any-source")} == {NOT_APPLICABLE}


def test_logon_auditing_falls_back_to_secedit_and_bad_audit_keys(tmp_path: Path) -> None:
    make_bundle(tmp_path, "GOOD-SV", hardened=True, drop=("auditpol",))
    got = outcomes(audit([tmp_path], rdp={"GOOD-SV"}), "GOOD-SV")["audit-logon"]
    assert got.status == PASS and got.facts["source"] == ["secedit"]
    with pytest.raises(ConfigError, match="rdp_host"):
        make_context({"audit": {"rdp_host": ["X"]}}, None)
