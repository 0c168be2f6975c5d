"""The same events as evtx JSON lines, wevtutil XML, NXLog JSON and Winlogbeat JSON give the same findings."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from builders.exports import data_fields, nxlog, scenario_events, winlogbeat
from builders.events import scan, write_jsonl
from wardwatch.demo import Ev, to_json, to_xml


def _summary(result) -> list[tuple]:
    return sorted((f.rule, f.host or "", f.count, tuple(f.accounts), tuple(f.sources)) for f in result.findings
                  if f.rule != "log-coverage")


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> list[tuple]:
    tmp = tmp_path_factory.mktemp("ref")
    result = scan([write_jsonl(tmp / "events.jsonl", scenario_events())], tmp / "out")
    assert {"brute-force", "breach-after-guessing", "attack-tool", "rdp-logon"} <= {f.rule for f in result.findings}
    return _summary(result)


@pytest.mark.parametrize("kind", ["xml", "nxlog", "winlogbeat", "winlogbeat-dotted", "elastic-hits"])
def test_every_export_gives_the_same_findings(tmp_path: Path, reference: list[tuple], kind: str) -> None:
    events = scenario_events()
    path = tmp_path / "export.log"
    if kind == "xml":
        path.write_text("\n".join(to_xml(ev) for ev in events), encoding="utf-8")
    elif kind == "nxlog":
        path.write_bytes(b"".join(orjson.dumps(nxlog(ev)) + b"\n" for ev in events))
    elif kind == "elastic-hits":
        path.write_text(json.dumps([{"_index": "winlogbeat-8", "_id": str(n), "_source": winlogbeat(ev)}
                                    for n, ev in enumerate(events)]), encoding="utf-8")
    else:
        path.write_bytes(b"".join(orjson.dumps(winlogbeat(ev, kind.endswith("dotted"))) + b"\n" for ev in events))
    result = scan([path], tmp_path / "out")
    assert result.inputs[0].events == len(events), result.inputs[0].errors
    assert _summary(result) == reference
    if kind == "nxlog":  # the missing zone is said once, not per event
        assert [e.where for e in result.inputs[0].errors] == ["line 1"]


def test_broken_nxlog_line_is_named_and_the_rest_is_read(tmp_path: Path) -> None:
    events = scenario_events()[:50]
    lines = [orjson.dumps(nxlog(ev)) for ev in events]
    lines[10] = lines[10][:40]
    bad = nxlog(events[20])
    bad["EventID"] = "four"
    lines[20] = orjson.dumps(bad)
    path = tmp_path / "nxlog.json"
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = scan([path], tmp_path / "out")
    assert result.inputs[0].events == 48
    wheres = {e.where: e.message for e in result.inputs[0].errors}
    assert "line 11" in wheres and "line 21" in wheres and "EventID" in wheres["line 21"]


def test_forwarded_events_keep_their_own_computer(tmp_path: Path) -> None:
    """A Windows Event Forwarding collector's ForwardedEvents log: each event keeps its own Computer and
    Channel and carries <RenderingInfo> (the collector's rendered text); the scan sees the original hosts."""
    events = [ev for ev in scenario_events() if ev.channel == "Security"][:60]
    xml = [to_xml(ev).replace("</Event>", "<RenderingInfo Culture='ja-JP'><Message>ログオンに失敗しました。"
                                          "</Message><Level>情報</Level></RenderingInfo></Event>") for ev in events]
    path = tmp_path / "ForwardedEvents.xml"
    path.write_text("<Events>" + "".join(xml) + "</Events>", encoding="utf-8")
    result = scan([path], tmp_path / "out")
    assert result.inputs[0].events == len(events), result.inputs[0].errors
    assert set(result.stats["hosts"]) == {ev.computer.upper() for ev in events}


# --- Get-WinEvent JSON and Windows events carried in syslog (Snare / NXLog MSWinEventLog, NXLog JSON) ---------------

def winevent(ev: Ev) -> dict[str, Any]:
    """`Get-WinEvent | ConvertTo-Json -Depth 4`: Id, ProviderName, LogName, MachineName, RecordId, TimeCreated as
    /Date(ms)/, and the event's values in template order under Properties."""
    from wardwatch.sources.winjson import event_fields

    spec = event_fields().get((ev.provider.lower(), ev.event_id))
    fields = data_fields(ev)
    if ev.items is not None:
        values: list[Any] = list(ev.items)
    elif spec is not None:
        names = list(spec.variants[0])
        last = max(names.index(k) for k in fields)
        values = [fields.get(name, "-") for name in names[:last + 1]]
    else:
        values = list(fields.values())
    ms = int(ev.time.timestamp() * 1000)
    return {"Id": ev.event_id, "Version": 0, "Qualifiers": ev.qualifiers, "Level": 0, "RecordId": ev.record_id,
            "ProviderName": ev.provider, "LogName": ev.channel, "MachineName": ev.computer,
            "TimeCreated": f"/Date({ms})/", "Properties": [{"Value": v} for v in values]}


_SUBJECT = ("Subject", [("Security ID", "SubjectUserSid"), ("Account Name", "SubjectUserName"),
                        ("Account Domain", "SubjectDomainName"), ("Logon ID", "SubjectLogonId")])
_NETWORK = ("Network Information", [("Workstation Name", "WorkstationName"), ("Source Network Address", "IpAddress"),
                                    ("Source Port", "IpPort")])
_AUTH = ("Detailed Authentication Information", [
    ("Logon Process", "LogonProcessName"), ("Authentication Package", "AuthenticationPackageName"),
    ("Transited Services", "TransmittedServices"), ("Package Name (NTLM only)", "LmPackageName"),
    ("Key Length", "KeyLength")])
# The English message texts Windows renders (heading, [(section or None, [(label, field)])], closing text).
MESSAGES: dict[int, tuple[str, list[tuple[str | None, list[tuple[str, str]]]], str]] = {
    4625: ("An account failed to log on.", [
        _SUBJECT, (None, [("Logon Type", "LogonType")]),
        ("Account For Which Logon Failed", [("Security ID", "TargetUserSid"), ("Account Name", "TargetUserName"),
                                            ("Account Domain", "TargetDomainName")]),
        ("Failure Information", [("Failure Reason", "FailureReason"), ("Status", "Status"),
                                 ("Sub Status", "SubStatus")]),
        ("Process Information", [("Caller Process ID", "ProcessId"), ("Caller Process Name", "ProcessName")]),
        _NETWORK, _AUTH], ("This event is generated when a logon request fails. It is generated on the computer "
                           "where access was attempted.")),
    4624: ("An account was successfully logged on.", [
        _SUBJECT, ("Logon Information", [("Logon Type", "LogonType"), ("Restricted Admin Mode", "RestrictedAdminMode"),
                                         ("Virtual Account", "VirtualAccount"), ("Elevated Token", "ElevatedToken")]),
        (None, [("Impersonation Level", "ImpersonationLevel")]),
        ("New Logon", [("Security ID", "TargetUserSid"), ("Account Name", "TargetUserName"),
                       ("Account Domain", "TargetDomainName"), ("Logon ID", "TargetLogonId"),
                       ("Linked Logon ID", "TargetLinkedLogonId"), ("Network Account Name", "TargetOutboundUserName"),
                       ("Network Account Domain", "TargetOutboundDomainName"), ("Logon GUID", "LogonGuid")]),
        ("Process Information", [("Process ID", "ProcessId"), ("Process Name", "ProcessName")]),
        _NETWORK, _AUTH], ("This event is generated when a logon session is created. The logon type field "
                           "indicates the kind of logon that occurred.")),
    4672: ("Special privileges assigned to new logon.", [_SUBJECT, (None, [("Privileges", "PrivilegeList")])], ""),
    4688: ("A new process has been created.", [
        ("Creator Subject", _SUBJECT[1]),
        ("Target Subject", [("Security ID", "TargetUserSid"), ("Account Name", "TargetUserName"),
                            ("Account Domain", "TargetDomainName"), ("Logon ID", "TargetLogonId")]),
        ("Process Information", [("New Process ID", "NewProcessId"), ("New Process Name", "NewProcessName"),
                                 ("Token Elevation Type", "TokenElevationType"), ("Mandatory Label", "MandatoryLabel"),
                                 ("Creator Process ID", "ProcessId"), ("Creator Process Name", "ParentProcessName"),
                                 ("Process Command Line", "CommandLine")])],
        "Token Elevation Type indicates the type of token that was assigned to the new process."),
    7045: ("A service was installed in the system.", [(None, [
        ("Service Name", "ServiceName"), ("Service File Name", "ImagePath"), ("Service Type", "ServiceType"),
        ("Service Start Type", "StartType"), ("Service Account", "AccountName")])], ""),
    1149: ("Remote Desktop Services: User authentication succeeded:", [(None, [
        ("User", "Param1"), ("Domain", "Param2"), ("Source Network Address", "Param3")])], ""),
    21: ("Remote Desktop Services: Session logon succeeded:", [(None, [
        ("User", "User"), ("Session ID", "SessionID"), ("Source Network Address", "Address")])], ""),
    1102: ("The audit log was cleared.", [("Subject", [
        ("Security ID", "SubjectUserSid"), ("Account Name", "SubjectUserName"), ("Domain Name", "SubjectDomainName"),
        ("Logon ID", "SubjectLogonId")])], ""),
}


def message(ev: Ev) -> str:
    """The event's rendered message, one "\\tLabel:\\t\\tvalue" a line as the Event Viewer shows it."""
    if ev.items is not None:
        return str(ev.items[0])
    if ev.event_id not in MESSAGES:
        return {104: "The System log file was cleared.",
                5001: "Microsoft Defender Antivirus Real-time Protection scanning for malware and other potentially "
                      "unwanted software was disabled."}.get(ev.event_id, f"event {ev.event_id}")
    head, sections, tail = MESSAGES[ev.event_id]
    fields = data_fields(ev)
    parts = [head]
    for section, labels in sections:
        lines = [f"{section}:"] if section else []
        lines += [f"\t{label}:\t\t{fields.get(key, '-')}" for label, key in labels]
        parts.append("\r\n".join(lines))
    return "\r\n\r\n".join(parts + ([tail] if tail else []))


def snare(ev: Ev, counter: int, header: bool = True) -> str:
    """A Snare / NXLog `to_syslog_snare()` line: tab fields after MSWinEventLog, the message's tabs and line ends
    turned into spaces, the Windows host's local time without a zone."""
    local = ev.time.astimezone(ev.time.tzinfo)
    user = f"{ev.computer}\\Administrator" if ev.event_id in (104, 1102) else "N/A"
    kind = "Failure Audit" if ev.event_id == 4625 else "Success Audit" if ev.channel == "Security" else "Information"
    text = message(ev).replace("\t", " ").replace("\r", " ").replace("\n", " ")
    body = "\t".join(["MSWinEventLog", "1", ev.channel, str(counter), local.strftime("%a %b %d %H:%M:%S %Y"),
                      str(ev.event_id), ev.provider, user, "N/A", kind, ev.computer, "None", text, str(counter)])
    if not header:
        return f"{ev.computer}\t{body}"
    return f"<13>{local:%b} {local.day:2d} {local:%H:%M:%S} {ev.computer} {body}"


def nxlog_syslog(ev: Ev) -> str:
    """NXLog's JSON event sent as a BSD syslog message (`$Message = to_json(); to_syslog_bsd();`)."""
    local = ev.time.astimezone(ev.time.tzinfo)
    return f"<14>{local.strftime('%b %d %H:%M:%S')} {ev.computer} nxlog: {orjson.dumps(nxlog(ev)).decode()}"


@pytest.mark.parametrize("kind", ["winevent", "mswineventlog", "snare-no-header", "nxlog-syslog"])
def test_get_winevent_and_syslog_carried_events_give_the_same_findings(tmp_path: Path, reference: list[tuple],
                                                                       kind: str) -> None:
    events = scenario_events()
    path = tmp_path / "export.log"
    if kind == "winevent":
        path.write_text(json.dumps([winevent(ev) for ev in events]), encoding="utf-8")
    elif kind == "nxlog-syslog":
        path.write_text("\n".join(nxlog_syslog(ev) for ev in events) + "\n", encoding="utf-8")
    else:
        lines = [snare(ev, n, header=kind == "mswineventlog") for n, ev in enumerate(events, 1)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = scan([path], tmp_path / "out")
    assert result.inputs[0].events == len(events), result.inputs[0].errors
    assert _summary(result) == reference
    if kind != "winevent":  # read as syslog, and the time zone guess said once
        assert result.inputs[0].format == "syslog"
        assert [e.where for e in result.inputs[0].errors] == ["line 1"]


def test_snare_security_text_gives_the_named_fields() -> None:
    from wardwatch.sources.winsyslog import message_fields

    fail = next(ev for ev in scenario_events() if ev.event_id == 4625 and ev.data and ev.data["IpAddress"] == "-")
    fail.data = {**(fail.data or {}), "IpAddress": "10.20.30.40", "LogonType": 10}
    for text in (message(fail), message(fail).replace("\t", " ").replace("\r\n", "  ")):
        got = message_fields(text, "Microsoft-Windows-Security-Auditing", "Security", 4625)
        assert got["TargetUserName"] == "ADMINISTRATOR" and got["SubjectUserName"] == "-"  # the failed account
        assert (got["IpAddress"], got["LogonType"], got["SubStatus"], got["AuthenticationPackageName"],
                got["WorkstationName"], got["TargetDomainName"], got["Status"]) == \
            ("10.20.30.40", "10", "0xc000006a", "NTLM", "-", "-", "0xc000006d")
        assert got["KeyLength"] == "0"  # the closing explanation is not part of the last value
    assert message_fields("Product: X -- Installation completed successfully.", "MsiInstaller", "Application",
                          11707) == {}


def test_syslog_mixing_fortigate_and_windows_lines(tmp_path: Path) -> None:
    """Firewall lines still go to the network analysis, the Windows lines of the same file to the event store; a
    damaged Windows line is named with its line number and the rest is read."""
    from builders.syslog import syslog_lines

    events = [ev for ev in scenario_events() if ev.computer == "KYUSHOKU-SV"]
    windows = [snare(ev, n) for n, ev in enumerate(events, 1)]
    windows[5] = windows[5].split("\t")[0] + "\tMSWinEventLog\t1\tSecurity"  # cut off after the log name
    windows[9] = nxlog_syslog(events[9])[:-20]  # broken JSON
    network = [line for line in syslog_lines() if "nobody" not in line]
    mixed = windows[:10] + network + windows[10:]
    path = tmp_path / "syslog" / "collector.log"
    path.parent.mkdir()
    path.write_text("\n".join(mixed) + "\n", encoding="utf-8")
    (path.parent / "collector.log.ckpt").write_text("{}", encoding="utf-8")  # a syslog store's own files
    (path.parent / "serve-status.json").write_text("{}", encoding="utf-8")
    result = scan([path.parent], tmp_path / "out")
    rules = {f.rule for f in result.findings}
    assert {"brute-force", "breach-after-guessing", "attack-tool", "builtin-admin"} <= rules  # Windows lines
    assert {"net-scan", "vpn-brute-force"} <= rules  # network lines
    assert [i.path for i in result.inputs] == [str(path)]  # the store's bookkeeping is not an input
    inp = result.inputs[0]
    assert inp.events == len(network) + len(events) - 2
    wheres = {e.where: e.message for e in inp.errors}
    assert "line 6" in wheres and "date" in wheres["line 6"]
    assert "line 10" in wheres and "JSON" in wheres["line 10"]
    assert not any("not recognised" in e.message for e in inp.errors)  # no Windows line taken for a network one
    brute = [f for f in result.findings if f.rule == "brute-force"]
    assert brute and brute[0].host == "KYUSHOKU-SV"


def test_windows_events_in_a_stored_syslog_segment(tmp_path: Path) -> None:
    """WardWatch's own syslog store (`wardwatch syslog serve`): the segment's Windows records reach the store."""
    from datetime import UTC, datetime

    from wardwatch.netlog.store import SegmentWriter, load_key

    events = [ev for ev in scenario_events() if ev.computer == "KYUSHOKU-SV" and ev.channel == "Security"]
    root = tmp_path / "store"
    writer = SegmentWriter(root, "10.0.0.5", load_key(root, create=True))  # type: ignore[arg-type]
    writer.write_many(datetime(2022, 10, 31, tzinfo=UTC),
                      [snare(ev, n).encode() for n, ev in enumerate(events, 1)])
    writer.close()
    result = scan([root], tmp_path / "out")
    assert {"brute-force", "breach-after-guessing"} <= {f.rule for f in result.findings}
    segments = [i for i in result.inputs if i.format == "wardwatch-syslog-segment"]
    assert len(segments) == 1 and segments[0].events == len(events)
    assert all(i.format != "unknown" for i in result.inputs), [(i.path, i.errors) for i in result.inputs]


def test_one_scenario_spread_over_every_format_gives_the_same_findings(tmp_path: Path, reference: list[tuple]) -> None:
    """Each host's logs in another tool's format, in one folder: the scan joins them into the same story."""
    writers = {
        "jsonl": lambda evs: b"".join(orjson.dumps(to_json(ev)) + b"\n" for ev in evs),
        "xml": lambda evs: ("<Events>" + "".join(to_xml(ev) for ev in evs) + "</Events>").encode(),
        "winevent": lambda evs: json.dumps([winevent(ev) for ev in evs]).encode(),
        "nxlog": lambda evs: b"".join(orjson.dumps(nxlog(ev)) + b"\n" for ev in evs),
        "winlogbeat": lambda evs: b"".join(orjson.dumps(winlogbeat(ev, dotted=True)) + b"\n" for ev in evs),
        "snare": lambda evs: "".join(snare(ev, n) + "\n" for n, ev in enumerate(evs, 1)).encode(),
    }
    groups: dict[tuple[str, str], list[Ev]] = {}
    for ev in scenario_events():
        groups.setdefault((ev.computer, ev.channel), []).append(ev)
    folder = tmp_path / "logs"
    folder.mkdir()
    names = list(writers)
    for n, (key, evs) in enumerate(sorted(groups.items())):
        kind = names[n % len(names)]
        (folder / f"{n:02d}.log").write_bytes(writers[kind](evs))
    result = scan([folder], tmp_path / "out")
    assert sum(i.events for i in result.inputs) == len(scenario_events()), [(i.path, i.errors) for i in result.inputs]
    assert _summary(result) == reference
    assert len({i.format for i in result.inputs}) >= 3


def test_a_line_that_only_mentions_mswineventlog_is_a_network_line() -> None:
    from wardwatch.sources.winsyslog import is_windows

    assert not is_windows("<134>Oct 31 04:07:12 fw note: MSWinEventLog forwarding enabled")
    assert is_windows('<14>Oct 31 04:07:12 host nxlog: {"EventID": 4625, "Channel": "Security"}')
    assert is_windows('<14>Oct 31 04:07:12 host {"winlog": {"event_id": 4625}}')
    assert not is_windows('<14>Oct 31 04:07:12 host app: {"user": "x", "action": "login"}')
