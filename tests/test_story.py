"""The story: which findings join an incident, the phases in attack-chain order, severity, narrative and actions.

Findings are built directly (the one Finding type); incidents come from build_incidents only."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from wardwatch.model import Finding, Incident, Severity, Text
from wardwatch.story import build_incidents

T0 = datetime(2024, 3, 5, 5, 0, tzinfo=UTC)  # 14:00 JST
TZ = "Asia/Tokyo"


def finding(phase: str, *, host: str | None = "SV1", at: float = 0, hours: float = 0.1,
            severity: Severity = Severity.HIGH, sources: list[str] | None = None, rule: str = "",
            facts: dict[str, Any] | None = None, timed: bool = True) -> Finding:
    """A finding `at` hours after T0, lasting `hours`. An entry (access) comes from an outside address unless
    `sources` says otherwise: the story claims an entry only from somewhere other than the machine itself."""
    if sources is None and phase in ("access", "lateral"):  # lateral movement, too, comes from an address
        sources = ["198.51.100.23"]
    first = T0 + timedelta(hours=at) if timed else None
    last = first + timedelta(hours=hours) if first else None
    return Finding(rule=rule or f"test-{phase}", severity=severity, host=host, first_seen=first, last_seen=last,
                   count=1, title=Text("題", "title"), summary=Text(f"{phase} の要約", f"summary of {phase}"),
                   advice=Text("", ""), sources=sources or [], phase=phase, facts=facts or {})


def phases(inc: Incident) -> list[str]:
    """Phase names, whether the story keeps them as text or as an enum of text values."""
    return [str(getattr(p, "value", p)) for p in inc.phases]


def incidents(*fs: Finding, gap_hours: float = 24) -> list[Incident]:
    return build_incidents(list(fs), TZ, gap_hours=gap_hours)


# --- which findings take part ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("severity", "joins"), [(Severity.INFO, False), (Severity.LOW, False),
                                                 (Severity.MEDIUM, True), (Severity.HIGH, True)])
def test_findings_on_the_chain_from_medium_up(severity: Severity, joins: bool) -> None:
    assert bool(incidents(finding("guessing", severity=severity))) is joins


@pytest.mark.parametrize("phase", ["noise", "health", "other", ""])
def test_findings_off_the_chain_never_join(phase: str) -> None:
    assert not incidents(finding(phase, severity=Severity.CRITICAL))


@pytest.mark.parametrize(("tags", "severity", "phase"), [
    (["attack.lateral_movement", "attack.t1021"], Severity.HIGH, "lateral"),
    (["attack.t1003", "attack.credential-access"], Severity.HIGH, "tools"),
    (["attack.impact"], Severity.CRITICAL, "impact"),  # with its proof: WardWatch's impact rule read the same events
])
def test_sigma_tactics_place_findings_on_the_chain(tags: list[str], severity: Severity, phase: str) -> None:
    facts = {"tags": tags, "also_found_by": ["shadow-copy-delete"]}
    (inc,) = incidents(finding("sigma", severity=severity, facts=facts, sources=["10.0.0.9"]))
    assert phases(inc) == [phase]


def test_sigma_findings_need_high() -> None:
    assert not incidents(finding("sigma", severity=Severity.MEDIUM, facts={"tags": ["attack.lateral_movement"]}))
    assert not incidents(finding("sigma", severity=Severity.HIGH, facts={"tags": ["attack.t1021", "cve.2021"]}))


# --- how findings are joined ---------------------------------------------------------------------------------------

def test_same_host_within_the_gap_is_one_incident() -> None:
    (inc,) = incidents(finding("guessing"), finding("access", at=5), finding("cleanup", at=20))
    assert len(inc.findings) == 3 and inc.hosts == ["SV1"]


@pytest.mark.parametrize(("gap_hours", "pause", "expected"), [(24, 23.8, 1), (24, 24.2, 2), (6, 5.8, 1), (6, 6.2, 2)])
@pytest.mark.parametrize("later_first", [False, True])
def test_the_gap_splits_incidents(gap_hours: float, pause: float, expected: int, later_first: bool) -> None:
    """`pause` hours between the end of one finding and the start of the next, in either order of the list."""
    pair = [finding("guessing", hours=1), finding("access", at=1 + pause)]
    found = incidents(*(reversed(pair) if later_first else pair), gap_hours=gap_hours)
    assert len(found) == expected


def test_other_hosts_join_through_a_shared_source() -> None:
    a = finding("guessing", host="SV1", sources=["203.0.113.5"])
    b = finding("lateral", host="SV2", at=1, sources=["203.0.113.5"])
    c = finding("impact", host="SV3", at=2, sources=["198.51.100.1"])
    found = incidents(a, b, c)
    assert sorted(inc.hosts for inc in found) == [["SV1", "SV2"], ["SV3"]]


@pytest.mark.parametrize("generic", ["-", "127.0.0.1", "::1", "LOCAL", ""])
def test_generic_sources_do_not_join_hosts(generic: str) -> None:
    found = incidents(finding("guessing", host="SV1", sources=[generic]),
                      finding("tools", host="SV2", sources=[generic]))
    assert len(found) == 2


@pytest.mark.parametrize("generic", ["-", "127.0.0.1", "::1", "LOCAL", ""])
def test_a_logon_from_the_machine_itself_is_not_an_entry(generic: str) -> None:
    assert not incidents(finding("access", host="SV2", sources=[generic]))


def test_joining_is_transitive() -> None:
    """SV1 and SV3 share nothing, but each shares a source with SV2: one incident."""
    found = incidents(finding("guessing", host="SV1", sources=["10.0.0.1"]),
                      finding("access", host="SV2", at=1, sources=["10.0.0.1", "10.0.0.2"]),
                      finding("lateral", host="SV3", at=2, sources=["10.0.0.2"]))
    assert len(found) == 1 and found[0].hosts == ["SV1", "SV2", "SV3"]


def test_a_network_finding_joins_through_its_hosts() -> None:
    """A finding with no host of its own but a list of hosts in its facts joins the incidents of those hosts."""
    net = finding("lateral", host=None, at=1, facts={"hosts": ["SV2", "SV1"]})
    (inc,) = incidents(finding("guessing", host="SV1"), net)
    assert inc.hosts == ["SV1", "SV2"]


def test_untimed_findings_join_by_host() -> None:
    (inc,) = incidents(finding("guessing"), finding("persistence", timed=False))
    assert len(inc.findings) == 2 and inc.first_seen == T0


# --- what an incident says -----------------------------------------------------------------------------------------

def test_phases_in_chain_order_and_findings_in_time_order() -> None:
    (inc,) = incidents(finding("cleanup", at=0), finding("guessing", at=2), finding("access", at=1),
                       finding("guessing", at=3))
    assert phases(inc) == ["guessing", "access", "cleanup"]
    assert [f.first_seen for f in inc.findings] == sorted(f.first_seen for f in inc.findings if f.first_seen)
    assert inc.first_seen == T0 and inc.last_seen == T0 + timedelta(hours=3.1)


@pytest.mark.parametrize(("chain", "expected"), [
    (["guessing"], Severity.HIGH),
    (["guessing", "access"], Severity.HIGH),
    (["guessing", "access", "cleanup"], Severity.CRITICAL),
    (["guessing", "defense-evasion", "cleanup"], Severity.HIGH),  # three phases, none of access/tools/lateral/impact
    (["persistence", "lateral", "impact"], Severity.CRITICAL),
])
def test_severity_is_the_worst_or_critical_for_a_chain(chain: list[str], expected: Severity) -> None:
    (inc,) = incidents(*[finding(p, at=i) for i, p in enumerate(chain)])
    assert inc.severity == expected


def test_severity_of_one_finding_carries() -> None:
    (inc,) = incidents(finding("guessing", severity=Severity.MEDIUM), finding("access", severity=Severity.CRITICAL))
    assert inc.severity == Severity.CRITICAL


def test_ids_worst_first_then_earliest() -> None:
    found = incidents(finding("guessing", host="A", at=5, severity=Severity.MEDIUM),
                      finding("access", host="B", at=3, severity=Severity.HIGH),
                      finding("tools", host="C", at=1, severity=Severity.HIGH))
    assert [(inc.id, inc.hosts) for inc in found] == [("INC-001", ["C"]), ("INC-002", ["B"]), ("INC-003", ["A"])]


def test_narrative_in_both_languages() -> None:
    (inc,) = incidents(finding("guessing", host="KYUSHOKU-SV"), finding("access", host="KYUSHOKU-SV", at=1))
    en, ja = inc.narrative.get("en"), inc.narrative.get("ja")
    assert "KYUSHOKU-SV" in en and "password guessing → logon (entry)" in en
    assert "2024-03-05 14:00" in en  # shown in the user's zone (JST), not UTC
    assert "summary of guessing" in en and "summary of access" in en
    assert "パスワード推測 → ログオン（侵入）" in ja and "guessing の要約" in ja


def test_narrative_lists_ten_findings_and_counts_the_rest() -> None:
    (inc,) = incidents(*[finding("guessing", at=i / 10) for i in range(13)])
    en = inc.narrative.get("en")
    assert en.count("summary of guessing") == 10 and "and 3 more findings" in en
    assert "ほか 3 件" in inc.narrative.get("ja")


@pytest.mark.parametrize(("chain", "severity", "says", "never"), [
    (["guessing", "access"], Severity.HIGH, ["Unplug", "Change the passwords"], ["planned work", "backup devices"]),
    (["persistence"], Severity.MEDIUM, ["planned work"], ["Unplug", "Change the passwords"]),
    (["impact"], Severity.HIGH, ["backup devices", "Unplug"], ["Change the passwords"]),
])
def test_actions_follow_severity_and_phases(chain: list[str], severity: Severity, says: list[str],
                                            never: list[str]) -> None:
    (inc,) = incidents(*[finding(p, at=i, severity=severity) for i, p in enumerate(chain)])
    en = inc.actions.get("en")
    assert all(s in en for s in says) and not any(n in en for n in never)
    assert "Keep the logs" in en and inc.actions.get("ja").strip()
