"""fast-guessing: failures no person can type (burst_count 4 within burst_seconds 2), counted by process, workstation,
account and source: the local guessing tool with no source address and few failures per account is found; a typo,
a slow service retry and a burst of two stay quiet; failures brute-force or password-spray tell are not told again."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from builders.events import by_rule, scan, write_jsonl

from wardwatch.demo import JST, Ev, _logon_fail
from wardwatch.model import Finding, Severity

T0 = datetime(2024, 3, 5, 14, 0, tzinfo=JST)
TOOL = "C:\\Users\\user\\Desktop\\tools\\guess.exe"


def _fail(at: datetime, user: str, *, process: str = "-", ws: str = "-", ip: str = "-", host: str = "PC1",
          ltype: int = 2) -> Ev:
    ev = _logon_fail(host, at, user, ltype, ip, host)
    assert ev.data is not None
    ev.data.update({"ProcessName": process, "WorkstationName": ws})
    return ev


def _found(tmp_path: Path, events: list[Ev], rule: str = "fast-guessing") -> list[Finding]:
    write_jsonl(tmp_path / "logs" / "Security.jsonl", events)
    return by_rule(scan([tmp_path / "logs"], tmp_path / "out"), rule)


def test_local_tool_found_by_its_process(tmp_path: Path) -> None:
    """Three accounts, three failures each (under every per-account count), milliseconds apart, one process."""
    users = ["Administrator", "Admin", "backup"]
    events = [_fail(T0 + timedelta(milliseconds=5 * i), users[i % 3], process=TOOL, ws="PC1") for i in range(9)]
    (f,) = _found(tmp_path, events)
    assert f.severity == Severity.HIGH and f.phase == "guessing" and f.count == 9
    assert f.facts["key"] == "process" and f.facts["by"] == TOOL.lower()
    assert sorted(f.accounts) == sorted(users)
    assert "guess.exe" in f.summary.get("ja") and "プロセス" in f.summary.get("ja")
    assert not _found(tmp_path / "b", events, "brute-force")  # per account, it stays under brute-force's counts


def test_without_a_process_the_workstation_counts(tmp_path: Path) -> None:
    events = [_fail(T0 + timedelta(milliseconds=200 * i), f"user{i}", ws="KIOSK-07", ltype=3) for i in range(5)]
    (f,) = _found(tmp_path, events)
    assert f.facts["key"] == "workstation" and f.facts["by"] == "KIOSK-07"


def test_people_and_slow_programs_stay_quiet(tmp_path: Path) -> None:
    typo = [_fail(T0 + timedelta(seconds=4 * i), "nurse01", process="C:\\Windows\\System32\\svchost.exe")
            for i in range(3)]  # a person mistyping three times
    retry = [_fail(T0 + timedelta(minutes=i), "svc_backup", process="C:\\backup\\agent.exe", ltype=3)
             for i in range(60)]  # a service with a stale password, once a minute for an hour
    pair = [_fail(T0 + timedelta(hours=2, milliseconds=10 * i), "admin", process=TOOL) for i in range(2)]
    assert not _found(tmp_path, typo + retry + pair)


def test_not_told_twice(tmp_path: Path) -> None:
    """The OGMC-like burst against one account from one source is brute-force's; fast-guessing adds nothing."""
    events = [_fail(T0 + timedelta(milliseconds=300 * i), "ADMINISTRATOR", ip="203.0.113.5", ltype=3)
              for i in range(40)]
    assert by_rule(scan_dir(tmp_path, events), "brute-force")
    assert not by_rule(scan_dir(tmp_path / "again", events), "fast-guessing")


def scan_dir(tmp_path: Path, events: list[Ev]):  # type: ignore[no-untyped-def]
    write_jsonl(tmp_path / "logs" / "Security.jsonl", events)
    return scan([tmp_path / "logs"], tmp_path / "out")

