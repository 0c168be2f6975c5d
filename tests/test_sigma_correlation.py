"""Sigma v2 correlations: sliding windows at their edges, one finding per group and burst, generate."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from builders.sigma import SECURITY, T0, event, make_store, sigma_rule

from wardwatch.sigma import check_rules, run_sigma
from wardwatch.sigma.correlate import Event, bursts


def ev(seconds: float, rule: str = "a", **values: str) -> Event:
    return Event(T0 + timedelta(seconds=seconds), rule, "PC1", "f.evtx", int(seconds), dict(values))


def spec(kind: str = "event_count", span: int = 60, op: str = "gte", count: int = 3, group_by: tuple = (),
         rules: tuple = ("a",), field: str | None = None) -> dict:
    return {"type": kind, "rules": list(rules), "group_by": list(group_by), "timespan": span, "op": op,
            "count": count, "field": field, "aliases": {}, "generate": False}


@pytest.mark.parametrize(("times", "expected"), [
    ([0, 10], []),  # N-1 events in the window: nothing
    ([0, 10, 20], [3]),  # N: one finding
    ([0, 30, 60], [3]),  # the window includes its end
    ([0, 30, 60.5], []),  # ... and not a moment more
    ([0, 10, 70, 80], []),  # never N within any 60 s
    ([0, 10, 20, 1000, 1010, 1020], [3, 3]),  # two bursts far apart: two findings
    ([0, 10, 20, 30, 40, 50, 60, 70], [8]),  # a long burst is one finding, not one per event
])
def test_event_count_windows(times: list[float], expected: list[int]) -> None:
    assert [len(b.events) for b in bursts([ev(t) for t in times], spec())] == expected


def test_event_count_groups() -> None:
    evs = [ev(t, user=u) for t, u in ((0, "alice"), (1, "bob"), (2, "alice"), (3, "bob"), (4, "alice"))]
    got = bursts(evs, spec(group_by=("user",)))
    assert [(b.group, len(b.events)) for b in got] == [(("alice",), 3)]


def test_value_count_counts_distinct_values() -> None:
    evs = [ev(i, user=u, ip="10.0.0.9") for i, u in enumerate(["a", "a", "b", "b", "c"])]
    assert [len(b.events) for b in bursts(evs, spec("value_count", field="user", group_by=("ip",)))] == [5]
    assert bursts(evs[:4], spec("value_count", field="user", group_by=("ip",))) == []


def test_temporal_needs_every_rule_within_the_span() -> None:
    s = spec("temporal", span=300, rules=("a", "b"))
    assert len(bursts([ev(0, "a"), ev(200, "b")], s)) == 1
    assert bursts([ev(0, "a"), ev(400, "b")], s) == []
    assert bursts([ev(0, "a"), ev(10, "a")], s) == []


def test_temporal_ordered_needs_the_order() -> None:
    s = spec("temporal_ordered", span=300, rules=("a", "b"))
    assert len(bursts([ev(0, "a"), ev(100, "b")], s)) == 1
    assert bursts([ev(0, "b"), ev(100, "a")], s) == []


BASE = sigma_rule("Failed logon", "aaaaaaaa-0000-0000-0000-000000000001", {"EventID": 4625}, name="failed_logon")


def correlation(generate: bool, count: int = 3) -> str:
    return f"""title: Many failed logons
id: bbbbbbbb-0000-0000-0000-000000000002
status: test
correlation:
    type: event_count
    rules:
        - failed_logon
    group-by:
        - TargetUserName
    timespan: 1m
    generate: {str(generate).lower()}
    condition:
        gte: {count}
level: high
"""


def _run(tmp: Path, generate: bool, times: list[float], user: str = "admin") -> list:
    rules = tmp / "rules"
    rules.mkdir(parents=True, exist_ok=True)
    (rules / "base.yml").write_text(BASE, encoding="utf-8")
    (rules / "corr.yml").write_text(correlation(generate), encoding="utf-8")
    evs = [event(i + 1, 4625, {"TargetUserName": user, "IpAddress": "10.0.0.5"}, SECURITY, seconds=t)
           for i, t in enumerate(times)]
    evs.append(event(99, 4625, {"TargetUserName": "other", "IpAddress": "10.0.0.6"}, SECURITY, seconds=5))
    store = make_store(tmp, evs)
    findings, statuses = run_sigma(store, [rules], "UTC", cache_dir=tmp / "cache")
    store.con.close()
    assert all(s.will_run for s in statuses)
    return findings


def test_correlation_rule_end_to_end(tmp_path: Path) -> None:
    findings = _run(tmp_path, False, [0, 10, 20, 25, 600, 610, 620])
    assert [f.rule for f in findings] == ["bbbbbbbb-0000-0000-0000-000000000002"] * 2  # base rule not reported
    first, second = findings
    assert (first.count, first.first_seen, first.last_seen) == (4, T0, T0 + timedelta(seconds=25))
    assert [e.record_id for e in first.evidence] == [1, 2, 3, 4] and second.count == 3
    assert first.host == "PC1" and first.facts["group"] == {"TargetUserName": "admin"}
    assert first.accounts == ["admin"] and first.sources == ["10.0.0.5"]


def test_correlation_edges_end_to_end(tmp_path: Path) -> None:
    assert _run(tmp_path / "a", False, [0, 10]) == []
    assert len(_run(tmp_path / "b", False, [0, 10, 20])) == 1


def test_generate_keeps_the_base_rule(tmp_path: Path) -> None:
    rules = [f.rule for f in _run(tmp_path, True, [0, 10, 20])]
    assert sorted(rules) == ["aaaaaaaa-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002"]


def test_correlation_with_missing_rule_does_not_run(tmp_path: Path) -> None:
    (tmp_path / "corr.yml").write_text(correlation(False), encoding="utf-8")
    (status,) = check_rules([tmp_path], cache_dir=tmp_path / "cache")
    assert not status.will_run and "failed_logon not found" in status.reason
