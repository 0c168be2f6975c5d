"""Each correlator through a real scan: events in, findings out; thresholds just under, at and over, windows, keys.

The settings used are the shipped defaults (defaults.yml); each test names the ones it relies on."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from builders.events import by_rule, scan, write_jsonl
from wardwatch.config import load_config
from wardwatch.demo import JST, SEC, Ev, _logon_fail, _logon_ok
from wardwatch.model import Finding, Severity

T0 = datetime(2024, 3, 5, 14, 0, tzinfo=JST)  # a Tuesday afternoon: not night, so off-hours-logon stays quiet
SID = "S-1-5-21-1-2-3-1104"


def findings(tmp_path: Path, events: list[Ev], rule: str, settings: dict[str, dict[str, Any]] | None = None,
             ) -> list[Finding]:
    """The findings of one rule after scanning the events (with some settings changed)."""
    cfg = load_config()
    for rule_id, values in (settings or {}).items():
        cfg["rules"][rule_id].update(values)
    write_jsonl(tmp_path / "logs" / "Security.jsonl", events)
    return by_rule(scan([tmp_path / "logs"], tmp_path / "out", cfg), rule)


def fails(n: int, *, every: float = 1, user: str = "admin", ip: str = "203.0.113.5", host: str = "SV1",
          start: datetime = T0, users: list[str] | None = None) -> list[Ev]:
    """n failed logons (4625, wrong password), `every` seconds apart; with users, cycling through them."""
    return [_logon_fail(host, start + timedelta(seconds=every * i), users[i % len(users)] if users else user, 3, ip,
                        "SV1") for i in range(n)]


def ok(user: str, at: datetime, *, ip: str = "203.0.113.5", host: str = "SV1", ltype: int = 3, sid: str = SID) -> Ev:
    return _logon_ok(host, at, user, ltype, ip, f"0x{abs(hash((user, at, host))) % 10**6:x}", sid=sid)


# --- campaign (brute-force): min_count 10, burst_count 10 within burst_seconds 60, gap_minutes 30 ---------------

@pytest.mark.parametrize(("n", "expected"), [(9, 0), (10, 1), (11, 1)])
def test_campaign_min_count(tmp_path: Path, n: int, expected: int) -> None:
    found = findings(tmp_path, fails(n), "brute-force")
    assert len(found) == expected
    if found:
        (f,) = found
        assert f.count == n and f.accounts == ["admin"] and f.sources == ["203.0.113.5"] and f.host == "SV1"
        assert f.severity == Severity.HIGH and f.facts["key"] == "account" and f.facts["peak"] == n


@pytest.mark.parametrize(("every", "expected"), [(6.0, 1), (7.0, 0)])
def test_campaign_needs_a_burst(tmp_path: Path, every: float, expected: int) -> None:
    """12 failures: 6 s apart, 10 fall within 60 s (a burst); 7 s apart, at most 9 do (not brute force)."""
    assert len(findings(tmp_path, fails(12, every=every), "brute-force")) == expected


@pytest.mark.parametrize(("pause_minutes", "campaigns"), [(29, 1), (31, 2)])
def test_campaign_quiet_gap_splits(tmp_path: Path, pause_minutes: int, campaigns: int) -> None:
    events = fails(10) + fails(10, start=T0 + timedelta(seconds=9, minutes=pause_minutes))
    found = findings(tmp_path, events, "brute-force")
    assert len(found) == campaigns and sum(f.count for f in found) == 20


def test_campaign_threshold_comes_from_settings(tmp_path: Path) -> None:
    assert not findings(tmp_path, fails(12), "brute-force", {"brute-force": {"min_count": 13}})


def test_campaign_keys_account_first_then_source(tmp_path: Path) -> None:
    """5 + 5 failures on two accounts from one address: no account reaches 10, the source does."""
    (f,) = findings(tmp_path, fails(10, users=["alice", "bob"]), "brute-force")
    assert f.facts["key"] == "source" and sorted(a.lower() for a in f.accounts) == ["alice", "bob"]
    assert f.sources == ["203.0.113.5"]


def test_campaign_without_source_address_is_still_found(tmp_path: Path) -> None:
    """Seed 002: the OGMC server logged no source address ("-"); the account's campaign is the attack."""
    (f,) = findings(tmp_path, fails(15, ip="-"), "brute-force")
    assert f.count == 15 and f.sources == [] and f.facts["key"] == "account"


def test_campaigns_are_per_host(tmp_path: Path) -> None:
    found = findings(tmp_path, fails(6, host="SV1") + fails(6, host="SV2"), "brute-force")
    assert not found  # 6 on each host: neither is a campaign


# --- campaign, burst: false (chronic-failures): min_count 12 over min_hours 2, gaps < 180 min ------------------

@pytest.mark.parametrize(("n", "every_minutes", "expected"), [
    (13, 15, 1),   # 3 hours, 13 failures: a chronic fault
    (11, 15, 0),   # too few
    (13, 8, 0),    # 96 minutes: too short
])
def test_chronic_failures(tmp_path: Path, n: int, every_minutes: int, expected: int) -> None:
    found = findings(tmp_path, fails(n, every=every_minutes * 60), "chronic-failures")
    assert len(found) == expected
    if found:
        assert found[0].severity == Severity.LOW and found[0].count == n


def test_chronic_failures_leave_brute_force_to_brute_force(tmp_path: Path) -> None:
    """A burst inside a long trickle is brute force; the same failures are not also a chronic fault."""
    events = fails(13, every=15 * 60) + fails(20, start=T0 + timedelta(minutes=1))
    assert findings(tmp_path, events, "brute-force") and not findings(tmp_path, events, "chronic-failures")


# --- spray (password-spray): one source, min_accounts 10 within window_minutes 60 --------------------------------

@pytest.mark.parametrize(("accounts", "expected"), [(9, 0), (10, 1), (12, 1)])
def test_spray_min_accounts(tmp_path: Path, accounts: int, expected: int) -> None:
    events = fails(accounts, every=20, users=[f"staff{i:02d}" for i in range(accounts)], ip="10.9.9.9")
    found = findings(tmp_path, events, "password-spray")
    assert len(found) == expected
    if found:
        assert found[0].facts["accounts_count"] == accounts and found[0].sources == ["10.9.9.9"]


def test_spray_window_splits(tmp_path: Path) -> None:
    """Ten accounts, but five and five more than 60 minutes apart: two small groups, no spray."""
    first = fails(5, every=20, users=[f"a{i}" for i in range(5)], ip="10.9.9.9")
    later = fails(5, every=20, users=[f"b{i}" for i in range(5)], ip="10.9.9.9", start=T0 + timedelta(minutes=62))
    assert not findings(tmp_path, first + later, "password-spray")
    near = fails(5, every=20, users=[f"b{i}" for i in range(5)], ip="10.9.9.9", start=T0 + timedelta(minutes=50))
    assert len(findings(tmp_path / "near", first + near, "password-spray")) == 1


def test_spray_is_keyed_by_source(tmp_path: Path) -> None:
    """Ten accounts failing from ten different addresses is no spray."""
    events = [_logon_fail("SV1", T0 + timedelta(seconds=i), f"u{i}", 3, f"10.0.0.{i}", "SV1") for i in range(10)]
    assert not findings(tmp_path, events, "password-spray")


# --- follows (breach-after-guessing): a success on the campaign's account or source, before 5 / after 60 min ----

@pytest.mark.parametrize(("after_minutes", "expected"), [(30, 1), (59, 1), (62, 0)])
def test_follows_window_after_the_campaign(tmp_path: Path, after_minutes: int, expected: int) -> None:
    events = fails(20) + [ok("admin", T0 + timedelta(seconds=19, minutes=after_minutes), ip="192.0.2.1")]
    found = findings(tmp_path, events, "breach-after-guessing")
    assert len(found) == expected
    if found:
        assert found[0].severity == Severity.CRITICAL and found[0].accounts == ["admin"]
        assert found[0].facts["guess_rule"] == "brute-force" and found[0].facts["guess_count"] == 20


def test_follows_window_before_the_campaign(tmp_path: Path) -> None:
    before = [ok("admin", T0 - timedelta(minutes=4), ip="192.0.2.1")]
    assert findings(tmp_path, fails(20) + before, "breach-after-guessing")
    earlier = [ok("admin", T0 - timedelta(minutes=6), ip="192.0.2.1")]
    assert not findings(tmp_path / "earlier", fails(20) + earlier, "breach-after-guessing")


@pytest.mark.parametrize(("user", "ip", "host", "expected"), [
    ("admin", "192.0.2.1", "SV1", 1),     # the guessed account
    ("other", "203.0.113.5", "SV1", 1),   # the guessing address
    ("other", "192.0.2.1", "SV1", 0),     # neither
    ("admin", "203.0.113.5", "SV2", 0),   # another host
])
def test_follows_keys(tmp_path: Path, user: str, ip: str, host: str, expected: int) -> None:
    events = fails(20) + [ok(user, T0 + timedelta(minutes=5), ip=ip, host=host)]
    assert len(findings(tmp_path, events, "breach-after-guessing")) == expected


def test_follows_names_the_guessed_account_in_its_one_spelling(tmp_path: Path) -> None:
    """Guessed as ADMIN, logged on as Admin: one account, shown in the spelling of its successful logon."""
    events = fails(20, user="ADMIN") + [ok("Admin", T0 + timedelta(minutes=5), ip="192.0.2.1")]
    (found,) = findings(tmp_path, events, "breach-after-guessing")
    assert found.facts["target"] == ["Admin"] and found.accounts == ["Admin"]


def test_campaign_key_in_its_one_spelling(tmp_path: Path) -> None:
    """The account a campaign is counted by is shown as its successful logon spells it, not lower-cased."""
    events = fails(20, user="ADMIN") + [ok("Admin", T0 + timedelta(minutes=5), ip="192.0.2.1")]
    (found,) = findings(tmp_path, events, "brute-force", {"brute-force": {"min_count": 10}})
    assert found.facts["key"] == "account" and found.facts["by"] == "Admin"


def test_follows_needs_a_campaign(tmp_path: Path) -> None:
    events = fails(5) + [ok("admin", T0 + timedelta(minutes=1))]
    assert not findings(tmp_path, events, "breach-after-guessing")


# --- group (account-created: by host; a selection's own severity) -----------------------------------------------

def _account_event(event_id: int, host: str, at: datetime, user: str) -> Ev:
    return Ev(*SEC, host, event_id, at, {"TargetUserName": user, "TargetDomainName": host, "TargetSid": SID,
                                         "SubjectUserName": "Administrator", "SubjectDomainName": host,
                                         "SubjectLogonId": "0x3e7", "SubjectUserSid": SID})


def test_group_one_finding_per_host(tmp_path: Path) -> None:
    events = [_account_event(4720, "SV1", T0, "eve"), _account_event(4720, "SV1", T0 + timedelta(hours=3), "mallory"),
              _account_event(4720, "SV2", T0, "trent")]
    found = {f.host: f for f in findings(tmp_path, events, "account-created")}
    assert set(found) == {"SV1", "SV2"}
    assert found["SV1"].count == 2 and sorted(found["SV1"].accounts) == ["eve", "mallory"]
    assert found["SV2"].count == 1 and found["SV1"].severity == Severity.MEDIUM


def test_group_selection_severity_and_kinds(tmp_path: Path) -> None:
    """An enabled account is low (its selection says so); a creation on the same host is its own finding (one per
    kind of selection), at the rule's severity."""
    (low,) = findings(tmp_path, [_account_event(4722, "SV1", T0, "eve")], "account-created")
    assert low.severity == Severity.LOW
    both = [_account_event(4722, "SV1", T0, "eve"), _account_event(4720, "SV1", T0 + timedelta(minutes=1), "eve")]
    found = findings(tmp_path / "both", both, "account-created")
    assert sorted((f.severity, f.count) for f in found) == [(Severity.LOW, 1), (Severity.MEDIUM, 1)]


# --- rdp (rdp-logon): one finding per (server, account, source); a rare pair is low -----------------------------

def test_rdp_inventory_and_rare_pairs(tmp_path: Path) -> None:
    """Two logons or fewer is rare (when the host has other pairs); three is not."""
    usual = [ok("nurse", T0 + timedelta(hours=i), ip="10.0.0.5", ltype=10) for i in range(3)]
    rare = [ok("vendor", T0 + timedelta(hours=i, minutes=30), ip="10.0.0.9", ltype=10) for i in range(2)]
    found = {(f.accounts[0], f.sources[0]): f for f in findings(tmp_path, usual + rare, "rdp-logon")}
    assert set(found) == {("nurse", "10.0.0.5"), ("vendor", "10.0.0.9")}
    assert found[("nurse", "10.0.0.5")].count == 3 and found[("nurse", "10.0.0.5")].severity == Severity.INFO
    assert found[("vendor", "10.0.0.9")].severity == Severity.LOW and found[("vendor", "10.0.0.9")].facts["rare"]


def test_rdp_only_pair_on_a_host_is_not_rare(tmp_path: Path) -> None:
    (f,) = findings(tmp_path, [ok("vendor", T0, ip="10.0.0.9", ltype=10)], "rdp-logon")
    assert f.severity == Severity.INFO and "rare" not in f.facts


def test_rdp_ignores_network_logons(tmp_path: Path) -> None:
    assert not findings(tmp_path, [ok("vendor", T0, ip="10.0.0.9", ltype=3)], "rdp-logon")


# --- spread (lateral-movement): one account or source on min_hosts 3 within gap_minutes 60 ----------------------

@pytest.mark.parametrize(("hosts", "expected"), [(2, 0), (3, 1), (4, 1)])
def test_spread_min_hosts(tmp_path: Path, hosts: int, expected: int) -> None:
    events = [ok("svc-admin", T0 + timedelta(minutes=i), ip=f"10.0.1.{i}", host=f"SV{i}") for i in range(hosts)]
    found = findings(tmp_path, events, "lateral-movement")
    assert len(found) == expected
    if found:
        assert found[0].facts["hosts_count"] == hosts and found[0].facts["hosts"] == [f"SV{i}" for i in range(hosts)]


def test_spread_by_source_address(tmp_path: Path) -> None:
    events = [ok(f"user{i}", T0 + timedelta(minutes=i), ip="10.0.0.66", host=f"SV{i}") for i in range(3)]
    (f,) = findings(tmp_path, events, "lateral-movement")
    assert f.facts["who"] == "10.0.0.66" and f.facts["hosts_count"] == 3


def test_spread_gap_splits(tmp_path: Path) -> None:
    events = [ok("svc-admin", T0, ip="10.0.1.1", host="SV1"), ok("svc-admin", T0 + timedelta(minutes=30), ip="10.0.1.2",
                                                                 host="SV2"),
              ok("svc-admin", T0 + timedelta(minutes=92), ip="10.0.1.3", host="SV3")]
    assert not findings(tmp_path, events, "lateral-movement")


# --- off_hours (off-hours-logon): privileged interactive/RDP logons from night_start 22 to night_end 6 (JST) -----

@pytest.mark.parametrize(("hour", "minute", "expected"), [(21, 59, 0), (22, 0, 1), (3, 0, 1), (5, 59, 1), (6, 0, 0)])
def test_off_hours_night_edges(tmp_path: Path, hour: int, minute: int, expected: int) -> None:
    at = T0.replace(hour=hour, minute=minute)
    events = [ok("Administrator", at, ip="10.0.0.5", ltype=10, sid="S-1-5-21-1-2-3-500")]
    assert len(findings(tmp_path, events, "off-hours-logon")) == expected


def test_off_hours_only_privileged_accounts(tmp_path: Path) -> None:
    night = T0.replace(hour=23)
    assert not findings(tmp_path, [ok("nurse", night, ip="10.0.0.5", ltype=10)], "off-hours-logon")


def test_off_hours_night_from_settings(tmp_path: Path) -> None:
    at = T0.replace(hour=20)
    events = [ok("Administrator", at, ip="10.0.0.5", ltype=10, sid="S-1-5-21-1-2-3-500")]
    assert findings(tmp_path, events, "off-hours-logon", {"off-hours-logon": {"night_start": 19, "night_end": 7}})


# --- coverage (log-coverage): days covered per host and log, min_days 30 ----------------------------------------

@pytest.mark.parametrize(("days", "short"), [(29, True), (31, False)])
def test_coverage_days(tmp_path: Path, days: int, short: bool) -> None:
    events = [ok("nurse", T0 + timedelta(days=d), ip="10.0.0.5") for d in range(days + 1)]
    (f,) = findings(tmp_path, events, "log-coverage")
    assert f.host == "SV1" and f.facts["channel"] == "Security" and f.facts["days"] == pytest.approx(days, abs=0.1)
    assert f.facts["short"] is short and f.severity == (Severity.LOW if short else Severity.INFO)


def test_coverage_largest_gap(tmp_path: Path) -> None:
    events = [ok("nurse", T0, ip="10.0.0.5"), ok("nurse", T0 + timedelta(hours=1), ip="10.0.0.5"),
              ok("nurse", T0 + timedelta(hours=49), ip="10.0.0.5")]
    (f,) = findings(tmp_path, events, "log-coverage")
    assert f.facts["largest_gap_hours"] == 48.0
