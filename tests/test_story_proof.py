"""A Sigma finding claims the phase its ATT&CK tags name only when its events prove it (story._sigma_proven and
sigma/proof.py); a logon that only shows which account was used is no entry; a finding that cannot prove its phase
is told in the incident it belongs to, without that phase."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from builders.sigma import SECURITY, event, make_store, sigma_rule

from wardwatch.checks.phase import Phase
from wardwatch.model import EventRef, Finding, Severity, Text
from wardwatch.sigma import run_sigma
from wardwatch.sigma.proof import add_proof
from wardwatch.story import build_incidents, phase_of

T0 = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)


def _f(rule: str, phase: str = "sigma", *, tags: list[str] | None = None, sources: list[str] | None = None,
       host: str = "EHR-DB01", at: timedelta = timedelta(), record: int = 1, **facts: object) -> Finding:
    all_facts: dict[str, object] = {"tags": tags, "sigma_level": "high", **facts} if tags is not None else dict(facts)
    return Finding(rule=rule, severity=Severity.HIGH, host=host, first_seen=T0 + at, last_seen=T0 + at, count=1,
                   title=Text(f"{rule} ja", f"{rule} en"), summary=Text(f"{rule} 要約", f"{rule} summary"),
                   advice=Text("", ""), sources=sources or [], evidence=[EventRef("Security.evtx", record)],
                   phase=phase, facts=all_facts)


@pytest.mark.parametrize(("tags", "expected"), [
    (["attack.defense-impairment", "attack.t1070.001"], Phase.CLEANUP),  # event logs cleared
    (["attack.stealth", "attack.t1070.003"], Phase.TOOLS),  # RunMRU key deleted: tooling, not 痕跡の消去
    (["attack.defense-evasion", "attack.t1070.004"], Phase.TOOLS),  # a file deleted
    (["attack.t1070"], None),  # indicator removal of some kind: proves nothing of the chain
])
def test_only_clearing_event_logs_is_cleanup(tags: list[str], expected: Phase | None) -> None:
    assert phase_of(_f("s", tags=tags)) is expected


def test_exfiltration_needs_an_address_the_data_could_go_to() -> None:
    tags = ["attack.exfiltration", "attack.t1048"]
    assert phase_of(_f("s", tags=tags, sources=["203.0.113.9"])) is Phase.EXFILTRATION
    assert phase_of(_f("s", tags=tags)) is None  # `> \\127.0.0.1\ADMIN$\out`: one machine, nothing sent
    assert phase_of(_f("s", tags=tags, sources=["127.0.0.1"])) is None
    assert phase_of(_f("s", tags=[*tags, "attack.execution"])) is Phase.TOOLS  # the nearest phase it proves


def test_backup_destruction_needs_the_command_that_destroys() -> None:
    tags = ["attack.impact", "attack.t1490"]
    assert phase_of(_f("s", tags=tags, also_found_by=["shadow-copy-delete"])) is Phase.IMPACT
    assert phase_of(_f("s", tags=tags)) is None  # a read from a shadow copy destroys nothing
    assert phase_of(_f("s", tags=tags, also_found_by=["attack-tool"])) is None  # another rule, not of impact
    # a T1070 tag beside the deletion no longer outranks it as 痕跡の消去
    both = ["attack.impact", "attack.stealth", "attack.t1070", "attack.t1490"]
    assert phase_of(_f("s", tags=both, also_found_by=["shadow-copy-delete"])) is Phase.IMPACT


def test_failed_attempts_move_nowhere() -> None:
    tags = ["attack.lateral-movement", "attack.t1021.002"]
    assert phase_of(_f("s", tags=tags, sources=["192.168.198.149"], failures_only=False)) is Phase.LATERAL
    assert phase_of(_f("s", tags=tags, sources=["192.168.198.149"], failures_only=True)) is None
    assert phase_of(_f("s", tags=["attack.initial-access"], sources=["198.51.100.7"])) is Phase.ACCESS
    assert phase_of(_f("s", tags=["attack.initial-access"], sources=["198.51.100.7"], failures_only=True)) is None


def test_an_account_used_is_not_an_entry() -> None:
    """builtin-admin (tag account-use) shows the account, not where from; a logon check that judges the origin, or
    success after guessing (breach), proves the entry."""
    assert phase_of(_f("builtin-admin", "access", sources=["192.168.1.219"])) is None
    assert phase_of(_f("off-hours-logon", "access", sources=["192.168.1.219"])) is Phase.ACCESS
    assert phase_of(_f("breach-after-guessing", "access", sources=[])) is Phase.ACCESS


def test_an_unproven_finding_is_told_without_its_phase_and_starts_nothing() -> None:
    clear = _f("log-tampering", "cleanup", record=1)
    local = _f("s", tags=["attack.exfiltration", "attack.t1048"], at=timedelta(minutes=5), record=2)
    (inc,) = build_incidents([clear, local], "Asia/Tokyo")
    assert inc.phases == ["cleanup"] and local in inc.findings and "s summary" in inc.narrative.en
    assert build_incidents([local], "Asia/Tokyo") == []
    elsewhere = _f("s", tags=["attack.exfiltration", "attack.t1048"], host="PC9", record=3)
    assert all(elsewhere not in i.findings for i in build_incidents([clear, elsewhere], "Asia/Tokyo"))


def _logon(rid: int, eid: int, status: str | None) -> str:
    data = {"TargetUserName": "Administrator", "LogonType": 3, "IpAddress": "192.168.198.149",
            "WorkstationName": "JcDfcZTcGdlVHpFq", **({"Status": status} if status else {})}
    return event(rid, eid, data, channel=SECURITY, seconds=rid)


@pytest.mark.parametrize(("events", "failed"), [
    ([_logon(1, 4625, "0xc000006d"), _logon(2, 4625, "0xc000006d")], True),
    ([_logon(1, 4625, "0xc000006d"), _logon(2, 4624, None)], False),  # one got in
])
def test_sigma_findings_say_whether_every_event_failed(tmp_path: Path, events: list[str], failed: bool) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    text = sigma_rule("SMB auth", "22222222-2222-2222-2222-222222222222",
                      {"EventID": [4624, 4625], "WorkstationName|re": "^[A-Za-z]{16}$"}, level="high")
    (rules / "r.yml").write_text(text.replace("level: high", "level: high\ntags: [attack.lateral-movement, "
                                              "attack.t1021.002]"), encoding="utf-8")
    store = make_store(tmp_path, events)
    try:
        findings, _ = run_sigma(store, [rules], "UTC", cache_dir=tmp_path / "c")
        other = _f("brute-force", "guessing", record=1)
        other.evidence = [EventRef("logs/test.evtx", 1)]
        add_proof(store, findings, [other])
    finally:
        store.con.close()
    (f,) = findings
    assert f.facts["failures_only"] is failed and f.facts["also_found_by"] == ["brute-force"]
    assert (phase_of(f) is None) is failed
