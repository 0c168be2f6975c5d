"""The story claims a phase only with its proof, splits incidents at long quiet gaps, and tells the same events once."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wardwatch.checks.phase import Phase
from wardwatch.model import EventRef, Finding, Severity, Text
from wardwatch.story import build_incidents, phase_of

T0 = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)


def _f(rule: str, phase: str = "other", *, at: timedelta = timedelta(), span: timedelta = timedelta(minutes=5),
       host: str = "EHR-DB01", sources: list[str] | None = None, count: int = 3, tags: list[str] | None = None,
       severity: Severity = Severity.HIGH, record: int = 1) -> Finding:
    facts: dict[str, object] = {"tags": tags, "sigma_level": "high"} if tags is not None else {}
    return Finding(rule=rule, severity=severity, host=host, first_seen=T0 + at, last_seen=T0 + at + span, count=count,
                   title=Text(f"{rule} ja", f"{rule} en"), summary=Text(f"{rule} 要約", f"{rule} summary"),
                   advice=Text("", ""), sources=sources or [], evidence=[EventRef("Security.evtx", record)],
                   phase=phase, facts=facts)


def test_loopback_or_console_logon_is_not_an_entry() -> None:
    assert phase_of(_f("off-hours-logon", "access", sources=["127.0.0.1"])) is None
    assert phase_of(_f("off-hours-logon", "access", sources=[])) is None
    assert phase_of(_f("off-hours-logon", "access", sources=["10.20.30.40"])) is Phase.ACCESS


def test_lateral_needs_another_computer_or_address() -> None:
    one_host = _f("sigma-x", tags=["attack.lateral-movement", "attack.t1550.002"])
    assert phase_of(one_host) is None
    assert phase_of(_f("sigma-x", tags=["attack.lateral-movement"], sources=["10.1.2.3"])) is Phase.LATERAL


def test_sigma_tags_technique_first_and_tag_order_does_not_matter() -> None:
    clear = ["attack.defense-impairment", "attack.t1685.005"]
    assert phase_of(_f("s", tags=clear)) is Phase.CLEANUP
    assert phase_of(_f("s", tags=list(reversed(clear)))) is Phase.CLEANUP
    assert phase_of(_f("s", tags=["attack.persistence", "attack.t1547.001"])) is Phase.TOOLS  # a Run key
    assert phase_of(_f("s", tags=["attack.persistence", "attack.t1136.001"])) is Phase.PERSISTENCE  # an account
    assert phase_of(_f("s", tags=["attack.stealth", "attack.t1027"])) is Phase.TOOLS
    assert phase_of(_f("s", tags=["attack.command-and-control", "attack.t1572"])) is None


def test_incidents_split_at_a_long_quiet_gap() -> None:
    early = [_f("brute-force", "guessing", record=1), _f("attack-tool", "tools", at=timedelta(hours=1), record=2)]
    later = [_f("log-tampering", "cleanup", at=timedelta(days=40), record=3)]
    incidents = build_incidents(early + later, "Asia/Tokyo", gap_hours=24)
    assert sorted(len(i.findings) for i in incidents) == [1, 2]
    for inc in incidents:
        assert inc.last_seen is not None and inc.first_seen is not None
        assert inc.last_seen - inc.first_seen < timedelta(days=1)


def test_findings_on_the_same_events_are_told_once() -> None:
    same = [_f("brute-force", "guessing", count=1989, record=7), _f("builtin-admin", "guessing", count=1989, record=7),
            _f("ntlm-no-domain", "guessing", count=1989, record=7)]
    inc = build_incidents(same, "Asia/Tokyo")[0]
    lines = [line for line in inc.narrative.ja.splitlines() if line.startswith("・")]
    assert len(lines) == 1 and "同じ記録" in lines[0] and "builtin-admin ja" in lines[0]
    other = build_incidents([_f("brute-force", "guessing", count=5, record=1),
                             _f("builtin-admin", "guessing", count=5, record=9)], "Asia/Tokyo")[0]
    assert len([line for line in other.narrative.en.splitlines() if line.startswith("- ")]) == 2


def test_an_incident_without_a_host_names_none() -> None:
    """Network findings link by address: an incident of them alone has no host, and the story does not name one."""
    net = _f("vpn-brute-force", "guessing", host="", sources=["192.0.2.66"])
    inc = build_incidents([net], "Asia/Tokyo")[0]
    first = inc.narrative.ja.splitlines()[0]
    assert "、「パスワード推測」が起きました" in first and " で「" not in first
    assert ", on " not in inc.narrative.en.splitlines()[0]
