"""Tests for the Get-WinEvent JSON / JSON-lines reader and its field-name table."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import orjson
import pytest

from builders.events import assert_sample_4625

from wardwatch.model import ReadProblem
from wardwatch.sources.winjson import event_fields, looks_like_json, read_json

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "evtx"


def sid(value: str) -> dict[str, Any]:
    return {"BinaryLength": 12 if value.count("-") < 4 else 28, "AccountDomainSid": None, "Value": value}


# Positional values of a 4625 as Get-WinEvent gives them (numbers stay numbers, SIDs are objects).
PROPS_4625: list[Any] = [
    sid("S-1-0-0"), "-", "-", 0, sid("S-1-0-0"), "ADMINISTRATOR", "-", 3221225581, "%%2313", 3221225578, 8,
    "Advapi  ", "NTLM", "EMR-SV01", "-", "-", 0, 676, "C:\\Windows\\System32\\svchost.exe", "-", "-",
]


def winevent_4625(**changes: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "Message": "An account failed to log on.\r\n\r\nSubject:\r\n\tSecurity ID:\t\tS-1-0-0",
        "Id": 4625, "Version": 0, "Qualifiers": None, "Level": 0, "Task": 12544, "Opcode": 0,
        "Keywords": -9218868437227405312, "RecordId": 184467,
        "ProviderName": "Microsoft-Windows-Security-Auditing",
        "ProviderId": "54849625-5478-4994-a5ba-3e3b0328c30d", "LogName": "Security",
        "ProcessId": 612, "ThreadId": 4140, "MachineName": "EMR-SV01", "UserId": None,
        "TimeCreated": "/Date(1673755622123)/", "ActivityId": "b864d168-0b7b-0000-89d1-64b87b0bd201",
        "RelatedActivityId": None, "ContainerLog": "Security", "MatchedQueryIds": [], "Bookmark": {},
        "LevelDisplayName": "Information", "OpcodeDisplayName": "Info", "TaskDisplayName": "Logon",
        "KeywordsDisplayNames": ["Audit Failure"],
        "Properties": [{"Value": v} for v in PROPS_4625],
    }
    obj.update(changes)
    return obj


def winevent(event_id: int, provider: str, log: str, values: list[Any], **changes: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "Id": event_id, "Version": 0, "Qualifiers": None, "Level": 4, "Task": 0, "Opcode": 0,
        "Keywords": 1152921504606846976, "RecordId": 1000 + event_id % 1000, "ProviderName": provider,
        "LogName": log, "MachineName": "EMR-SV01", "TimeCreated": "/Date(1673757000000)/",
        "Properties": [{"Value": v} for v in values],
    }
    obj.update(changes)
    return obj


def ps51(doc: Any) -> bytes:
    """As Windows PowerShell 5.1 writes `... | ConvertTo-Json > file`: UTF-16LE with BOM, CRLF, '":  '."""
    text = json.dumps(doc, indent=4, ensure_ascii=False).replace('": ', '":  ').replace("\n", "\r\n")
    text = text.replace('"/Date(', '"\\/Date(').replace(')/"', ')\\/"')
    return b"\xff\xfe" + text.encode("utf-16-le")


def ps7(doc: Any) -> bytes:
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")


def read(data: bytes | str, name: str = "events.json") -> tuple[list[dict], list[ReadProblem]]:
    problems: list[ReadProblem] = []
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return [orjson.loads(s) for s in read_json(raw, name, problems)], problems


def test_ps51_array_utf16_dates_and_sids() -> None:
    msi = winevent(11707, "MsiInstaller", "Application", [
        "Product: Advanced IP Scanner 2.5.1 -- Installation completed successfully.", "(NULL)", "(NULL)", ""],
        Qualifiers=0, RecordId=5521, UserId=sid("S-1-5-21-1004336348-1177238915-682003330-500"),
        TimeCreated={"value": "/Date(1673736069000)/", "DisplayHint": 2,
                     "DateTime": "2023年1月15日 7:41:09"})
    events, problems = read(ps51([winevent_4625(), msi]))
    assert problems == []
    first, second = events
    ev = first["Event"]
    system = ev["System"]
    assert system["Provider"]["#attributes"] == {
        "Name": "Microsoft-Windows-Security-Auditing", "Guid": "54849625-5478-4994-a5ba-3e3b0328c30d"}
    assert system["Correlation"] == {"#attributes": {"ActivityID": "b864d168-0b7b-0000-89d1-64b87b0bd201"}}
    assert system["TimeCreated"] == {"#attributes": {"SystemTime": "2023-01-15T04:07:02.123000Z"}}
    data = ev["EventData"]
    assert_sample_4625(system, data)
    assert list(data)[:4] == ["SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId"]
    assert data["SubjectUserSid"] == "S-1-0-0"
    assert data["SubjectLogonId"] == "0x0"
    assert data["Status"] == "0xc000006d"
    assert data["SubStatus"] == "0xc000006a"
    assert data["LogonType"] == 8
    assert data["ProcessId"] == "0x2a4"
    assert ev["RenderingInfo"]["Message"].startswith("An account failed to log on.")

    msi_ev = second["Event"]
    assert msi_ev["System"]["EventID"] == {"#attributes": {"Qualifiers": 0}, "#text": 11707}
    assert msi_ev["System"]["Channel"] == "Application"
    assert msi_ev["System"]["TimeCreated"]["#attributes"]["SystemTime"] == "2023-01-14T22:41:09.000000Z"
    assert msi_ev["System"]["Security"] == {
        "#attributes": {"UserID": "S-1-5-21-1004336348-1177238915-682003330-500"}}
    assert msi_ev["EventData"] == {"Data": {"#text": [
        "Product: Advanced IP Scanner 2.5.1 -- Installation completed successfully.", "(NULL)", "(NULL)", ""]}}


def test_ps7_single_object_with_offset_time() -> None:
    svc = winevent(7045, "Service Control Manager", "System",
                   ["PSEXESVC", "%SystemRoot%\\PSEXESVC.exe", "user mode service", "demand start", "LocalSystem"],
                   Qualifiers=16384, RecordId=77, TimeCreated="2023-01-15T13:30:00.1234567+09:00",
                   ProviderId="555908d1-a6d7-4695-8e1e-26931d2012f4",
                   UserId={"BinaryLength": 12, "AccountDomainSid": None, "Value": "S-1-5-18"},
                   Message="A service was installed in the system.")
    [out], problems = read(ps7(svc))
    assert problems == []
    ev = out["Event"]
    assert ev["#attributes"] == {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"}
    assert ev["System"]["EventID"] == {"#attributes": {"Qualifiers": 16384}, "#text": 7045}
    assert ev["System"]["Provider"]["#attributes"]["Name"] == "Service Control Manager"
    assert ev["System"]["TimeCreated"]["#attributes"]["SystemTime"] == "2023-01-15T04:30:00.123456Z"
    assert ev["System"]["EventRecordID"] == 77
    assert ev["System"]["Security"] == {"#attributes": {"UserID": "S-1-5-18"}}
    assert ev["EventData"] == {"ServiceName": "PSEXESVC", "ImagePath": "%SystemRoot%\\PSEXESVC.exe",
                               "ServiceType": "user mode service", "StartType": "demand start",
                               "AccountName": "LocalSystem"}
    assert ev["RenderingInfo"] == {"Message": "A service was installed in the system."}


def test_userdata_events() -> None:
    lsm = winevent(21, "Microsoft-Windows-TerminalServices-LocalSessionManager",
                   "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
                   ["EMR-SV01\\Administrator", 3, "203.0.113.50"])
    rcm = winevent(1149, "Microsoft-Windows-TerminalServices-RemoteConnectionManager",
                   "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational",
                   ["administrator", "ie11win7", "10.0.2.16"])
    cleared = winevent(1102, "Microsoft-Windows-Eventlog", "Security",
                       [sid("S-1-5-21-1004336348-1177238915-682003330-500"), "Administrator", "EMR-SV01", 629309])
    events, problems = read(ps7([lsm, rcm, cleared]))
    assert problems == []
    a, b, c = (e["Event"] for e in events)
    assert a["UserData"]["EventXML"] == {"#attributes": {"xmlns": "Event_NS"}, "User": "EMR-SV01\\Administrator",
                                         "SessionID": 3, "Address": "203.0.113.50"}
    assert "EventData" not in a
    assert b["UserData"]["EventXML"]["Param3"] == "10.0.2.16"
    log = c["UserData"]["LogFileCleared"]
    assert log["SubjectUserSid"] == "S-1-5-21-1004336348-1177238915-682003330-500"
    assert log["SubjectLogonId"] == "0x99a3d"


def test_depth_limited_export_is_reported_once_and_still_read() -> None:
    cut_values = winevent_4625(Properties=[{"Value": "System.Security.Principal.SecurityIdentifier"}]
                               + [{"Value": v} for v in PROPS_4625[1:]])
    cut_props = winevent_4625(Properties=["System.Diagnostics.Eventing.Reader.EventProperty"] * 21, RecordId=9)
    events, problems = read(ps51([cut_values, cut_props, cut_values]))
    assert len(events) == 3
    [problem] = problems
    assert "-Depth 4" in problem.message and problem.where == "event 1" and not problem.skipped_file
    first = events[0]["Event"]["EventData"]
    assert first["SubjectUserSid"] is None and first["TargetUserName"] == "ADMINISTRATOR"
    assert events[1]["Event"]["EventData"]["TargetUserName"] is None
    assert events[1]["Event"]["System"]["EventRecordID"] == 9


def test_time_without_zone_is_utc_and_reported_once() -> None:
    events, problems = read(ps7([winevent_4625(TimeCreated="2023-01-15T13:07:02.5"),
                                 winevent_4625(TimeCreated="2023-01-15T13:07:03")]))
    assert [e["Event"]["System"]["TimeCreated"]["#attributes"]["SystemTime"] for e in events] == [
        "2023-01-15T13:07:02.500000Z", "2023-01-15T13:07:03.000000Z"]
    [problem] = problems
    assert "time zone" in problem.message and problem.where == "event 1"


def test_unreadable_time_skips_that_event() -> None:
    events, problems = read(ps7([winevent_4625(TimeCreated={"DateTime": "2023年1月15日 13:07:02"}),
                                 winevent_4625()]))
    assert len(events) == 1
    [problem] = problems
    assert problem.where == "event 1" and "TimeCreated" in problem.message


def test_more_properties_than_names_and_sysmon_variants() -> None:
    extra = winevent(4776, "Microsoft-Windows-Security-Auditing", "Security",
                     ["MICROSOFT_AUTHENTICATION_PACKAGE_V1_0", "admin", "WS01", 3221225572, "new"])
    sysmon = winevent(1, "Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational",
                      ["-", "2023-01-15 04:07:02.123", "7f2b3c4d-5e6f-7081-92a3-b4c5d6e7f809", 4242,
                       "C:\\Windows\\System32\\vssadmin.exe", "10.0", "VSS", "Windows", "Microsoft",
                       "vssadmin delete shadows /all /quiet", "C:\\", "EMR\\admin",
                       "7f2b3c4d-0000-0000-0000-000000000001", 999, 1, "High", "SHA1=00",
                       "7f2b3c4d-5e6f-7081-92a3-b4c5d6e7f800", 4000, "C:\\Windows\\System32\\cmd.exe", "cmd.exe"])
    events, problems = read(ps7([extra, sysmon]))
    assert problems == []
    data = events[0]["Event"]["EventData"]
    assert data["Status"] == "0xc0000064" and data["Data"] == {"#text": "new"}
    sys1 = events[1]["Event"]["EventData"]
    assert sys1["CommandLine"] == "vssadmin delete shadows /all /quiet"  # 21-value Sysmon 1 layout
    assert sys1["ProcessGuid"] == "7f2b3c4d-5e6f-7081-92a3-b4c5d6e7f809"  # bare, as evtx writes GUIDs
    assert sys1["LogonId"] == "0x3e7"
    old = winevent(1, "Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational", ["a"] * 16)
    [ev], _ = read(ps7(old))  # a layout the table does not know: nothing is misnamed
    assert ev["Event"]["EventData"] == {"Data": {"#text": ["a"] * 16}}


def test_jsonl_canonical_is_passed_through() -> None:
    canonical = {"Event": {"#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
                           "System": {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Security-Auditing"}},
                                      "EventID": 4625, "TimeCreated": {"#attributes": {
                                          "SystemTime": "2016-09-19T16:50:06.477878Z"}},
                                      "EventRecordID": 2455, "Channel": "Security",
                                      "Computer": "DESKTOP-M5SN04R", "Security": None},
                           "EventData": {"TargetUserName": "JcDfcZTc", "LogonType": 3}}}
    second = json.loads(json.dumps(canonical))
    second["Event"]["System"]["EventRecordID"] = "2456"  # some tools write numbers as text
    text = json.dumps(canonical) + "\n\n" + json.dumps(second) + "\n"
    events, problems = read(text, "dump.jsonl")
    assert problems == []
    second["Event"]["System"]["EventRecordID"] = 2456
    assert events == [canonical, second]


def test_jsonl_of_winevent_objects_with_a_broken_line() -> None:
    lines = [json.dumps(winevent_4625(RecordId=n)) for n in (1, 2, 3)]
    lines.insert(2, lines[1][:50])
    lines.insert(0, "")
    events, problems = read("\r\n".join(lines) + "\r\n", "ev.jsonl")
    assert [e["Event"]["System"]["EventRecordID"] for e in events] == [1, 2, 3]
    [problem] = problems
    assert problem.where == "line 4" and problem.file == "ev.jsonl" and not problem.skipped_file


def test_jsonl_with_broken_first_line() -> None:
    lines = ['{"Event": {"System":', json.dumps(winevent_4625(RecordId=5))]
    events, problems = read("\n".join(lines))
    assert len(events) == 1
    assert [p.where for p in problems] == ["line 1"]


def test_not_events() -> None:
    for text in ('{"foo": 1}', "[1, 2, 3]", '[{"foo": 1}, {"bar": 2}]', '{\n  "foo": [1]\n}'):
        events, problems = read(text, "x.json")
        assert events == []
        [problem] = problems
        assert problem.skipped_file and "not Windows events" in problem.message


def test_some_items_not_events() -> None:
    events, problems = read(ps7([winevent_4625(), {"foo": 1}, 7]))
    assert len(events) == 1
    [problem] = problems
    assert problem.where == "event 2" and "2 item(s)" in problem.message


def test_invalid_and_empty_json() -> None:
    events, problems = read('{\n  "Id": 4625,\n  "LogName": \n}', "bad.json")
    assert events == []
    [problem] = problems
    assert problem.skipped_file and problem.where == "line 4"
    for text in ("", "  \r\n", "[]"):
        events, problems = read(text)
        assert events == [] and problems[-1].skipped_file


def test_truncated_array_keeps_the_events_before_the_break() -> None:
    text = ps7([winevent_4625(RecordId=1), winevent_4625(RecordId=2), winevent_4625(RecordId=3)]).decode()
    cut = text[: text.index('"RecordId": 3')]
    events, problems = read(cut)
    assert [e["Event"]["System"]["EventRecordID"] for e in events] == [1, 2]
    assert problems[0].where.startswith("line ") and "event 3" in problems[0].message


def test_utf8_bom_and_looks_like_json() -> None:
    events, problems = read(b"\xef\xbb\xbf" + ps7(winevent_4625()))
    assert len(events) == 1 and problems == []
    assert looks_like_json(b"\xef\xbb\xbf\r\n[")
    assert looks_like_json("\ufeff[\r\n    {".encode("utf-16-le"))
    assert looks_like_json(b'{"Event":{}}\n')
    assert not looks_like_json(b"<Events>")
    assert not looks_like_json(b"")


def test_field_table_is_consistent() -> None:
    table = event_fields()
    for key in [("microsoft-windows-security-auditing", n) for n in (
            4624, 4625, 4634, 4647, 4648, 4672, 4688, 4697, 4720, 4722, 4724, 4725, 4726, 4728, 4732, 4738,
            4740, 4756, 4768, 4769, 4771, 4776)] + [
            ("microsoft-windows-eventlog", 1102), ("microsoft-windows-eventlog", 104),
            ("service control manager", 7045), ("service control manager", 7040),
            ("service control manager", 7036), ("microsoft-windows-sysmon", 1),
            ("microsoft-windows-terminalservices-localsessionmanager", 21),
            ("microsoft-windows-terminalservices-remoteconnectionmanager", 1149),
            ("microsoft-windows-terminalservices-clientactivexcore", 1024),
            ("microsoft-windows-windows defender", 5001), ("microsoft-windows-windows defender", 1116)]:
        assert key in table, key
    for key, spec in table.items():
        for variant in spec.variants:
            assert len(set(variant)) == len(variant), key
        assert spec.hex <= {name for variant in spec.variants for name in variant}, key


def test_field_table_matches_real_evtx_records() -> None:
    if not CORPUS.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"sample evtx corpus missing at {CORPUS}")
        pytest.skip(f"sample evtx corpus not found at {CORPUS}")
    evtx = pytest.importorskip("evtx")
    table = event_fields()
    checked: set[tuple[str, int]] = set()
    for path in sorted(CORPUS.rglob("*.evtx")):
        for record in evtx.PyEvtxParser(str(path)).records_json():
            ev = orjson.loads(record["data"])["Event"]
            provider = ev["System"]["Provider"]["#attributes"].get("Name", "")
            eid = ev["System"]["EventID"]
            eid = eid["#text"] if isinstance(eid, dict) else eid
            spec = table.get((provider.lower(), eid))
            if spec is None:
                continue
            if spec.userdata:
                data = ev.get("UserData", {}).get(spec.userdata, {})
            else:
                data = ev.get("EventData") or {}
            keys = tuple(k for k in data if k not in ("#attributes", "Binary"))
            assert keys == spec.names(len(keys)), (path.name, provider, eid)
            checked.add((provider, eid))
    assert len(checked) >= 20


def test_jsonl_on_disk_is_streamed_with_the_same_result(tmp_path) -> None:
    """JSON lines from a file are read line by line (not whole); results and problems match reading the bytes."""
    lines = [json.dumps(winevent_4625(RecordId=n)) for n in range(1, 200)]
    lines.insert(5, lines[1][:50])  # a broken line
    raw = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    raw = raw.replace(b"An account", b"An \xffaccount", 1)  # a byte that is not UTF-8
    path = tmp_path / "ev.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + raw)
    streamed_problems: list[ReadProblem] = []
    streamed = list(read_json(path, "ev.jsonl", streamed_problems))
    whole, whole_problems = read(raw, "ev.jsonl")
    assert [orjson.loads(s) for s in streamed] == whole and len(whole) == 199
    assert [p.where for p in streamed_problems] == ["line 1", "line 6"]  # bad bytes replaced; broken line
    assert "replaced" in streamed_problems[0].message and [p.where for p in whole_problems][1:] == ["line 6"]
