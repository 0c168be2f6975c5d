"""Writes a small OGMC-like scenario of its own making (wevtutil XML, JSON lines, a zip) with benign noise."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import orjson

JST = timezone(timedelta(hours=9))
SEC = ("Microsoft-Windows-Security-Auditing", "Security")
LSM = ("Microsoft-Windows-TerminalServices-LocalSessionManager",
       "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational")
RCM = ("Microsoft-Windows-TerminalServices-RemoteConnectionManager",
       "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational")
MSI = ("MsiInstaller", "Application")
SYS_EVENTLOG = ("Microsoft-Windows-Eventlog", "System")
DEFENDER = ("Microsoft-Windows-Windows Defender", "Microsoft-Windows-Windows Defender/Operational")

SUPPLIER = "10.20.30.40"      # the supplier's server that came in over the VPN
KYUSHOKU_IP = "192.168.10.5"  # the catering (給食) server the attacker used next


@dataclass
class Ev:
    """One synthetic event: named data, unnamed data items, or UserData."""

    provider: str
    channel: str
    computer: str
    event_id: int
    time: datetime
    data: dict[str, Any] | None = None
    items: list[str] | None = None
    userdata: tuple[str, dict[str, Any]] | None = None
    record_id: int = 0
    qualifiers: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _systime(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def to_xml(ev: Ev) -> str:
    """The event as `wevtutil qe <log> /f:xml` prints it."""
    eid = f"<EventID Qualifiers='{ev.qualifiers}'>{ev.event_id}</EventID>" if ev.qualifiers is not None else f"<EventID>{ev.event_id}</EventID>"
    system = (f"<System><Provider Name={quoteattr(ev.provider)}/>{eid}<Version>0</Version><Level>0</Level>"
              f"<TimeCreated SystemTime='{_systime(ev.time)}'/><EventRecordID>{ev.record_id}</EventRecordID>"
              f"<Channel>{escape(ev.channel)}</Channel><Computer>{escape(ev.computer)}</Computer><Security/></System>")
    if ev.userdata:
        name, values = ev.userdata
        inner = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in values.items())
        body = f"<UserData><{name} xmlns='Event_NS'>{inner}</{name}></UserData>"
    elif ev.items is not None:
        body = "<EventData>" + "".join(f"<Data>{escape(str(v))}</Data>" for v in ev.items) + "</EventData>"
    else:
        body = "<EventData>" + "".join(f"<Data Name={quoteattr(k)}>{escape(str(v))}</Data>"
                                       for k, v in (ev.data or {}).items()) + "</EventData>"
    return f"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>{system}{body}</Event>"


def to_json(ev: Ev) -> dict[str, Any]:
    """The event in the shape evtx_dump / pyevtx-rs write (one JSON object per line)."""
    eid: Any = {"#attributes": {"Qualifiers": ev.qualifiers}, "#text": ev.event_id} if ev.qualifiers is not None else ev.event_id
    system = {"Provider": {"#attributes": {"Name": ev.provider}}, "EventID": eid,
              "TimeCreated": {"#attributes": {"SystemTime": _systime(ev.time)}}, "EventRecordID": ev.record_id,
              "Channel": ev.channel, "Computer": ev.computer}
    event: dict[str, Any] = {"System": system}
    if ev.userdata:
        event["UserData"] = {ev.userdata[0]: ev.userdata[1]}
    elif ev.items is not None:
        event["EventData"] = {"Data": {"#text": ev.items}}
    else:
        event["EventData"] = ev.data or {}
    return {"Event": event}


def _logon_fail(host: str, t: datetime, user: str, ltype: int, ip: str = "-", domain: str = "-",
                sub: str = "0xc000006a") -> Ev:
    return Ev(*SEC, host, 4625, t, {
        "SubjectUserSid": "S-1-0-0", "SubjectUserName": "-", "SubjectDomainName": "-", "SubjectLogonId": "0x0",
        "TargetUserSid": "S-1-0-0", "TargetUserName": user, "TargetDomainName": domain, "Status": "0xc000006d",
        "FailureReason": "%%2313", "SubStatus": sub, "LogonType": ltype, "LogonProcessName": "NtLmSsp ",
        "AuthenticationPackageName": "NTLM", "WorkstationName": "-", "TransmittedServices": "-", "LmPackageName": "-",
        "KeyLength": 0, "ProcessId": "0x0", "ProcessName": "-", "IpAddress": ip, "IpPort": "-"})


def _logon_ok(host: str, t: datetime, user: str, ltype: int, ip: str, logon_id: str, package: str = "Negotiate",
              sid: str = "S-1-5-21-1111111111-2222222222-3333333333-500") -> Ev:
    return Ev(*SEC, host, 4624, t, {
        "SubjectUserSid": "S-1-5-18", "SubjectUserName": f"{host}$", "SubjectDomainName": "WORKGROUP",
        "SubjectLogonId": "0x3e7", "TargetUserSid": sid, "TargetUserName": user, "TargetDomainName": host,
        "TargetLogonId": logon_id, "LogonType": ltype, "LogonProcessName": "User32 ",
        "AuthenticationPackageName": package, "WorkstationName": host, "LogonGuid": "{00000000-0000-0000-0000-000000000000}",
        "ProcessId": "0x103c", "ProcessName": "C:\\Windows\\System32\\winlogon.exe", "IpAddress": ip, "IpPort": "0"})


def _special(host: str, t: datetime, user: str, logon_id: str) -> Ev:
    return Ev(*SEC, host, 4672, t, {"SubjectUserSid": "S-1-5-21-1111111111-2222222222-3333333333-500",
                                     "SubjectUserName": user, "SubjectDomainName": host, "SubjectLogonId": logon_id,
                                     "PrivilegeList": "SeDebugPrivilege"})


def _rdp_session(host: str, t: datetime, user: str, ip: str) -> list[Ev]:
    return [Ev(*RCM, host, 1149, t - timedelta(seconds=1),
               userdata=("EventXML", {"Param1": user, "Param2": host, "Param3": ip})),
            Ev(*LSM, host, 21, t + timedelta(seconds=1),
               userdata=("EventXML", {"User": f"{host}\\{user}", "SessionID": 2, "Address": ip}))]


def _process(host: str, t: datetime, image: str, cmd: str, user: str = "Administrator") -> Ev:
    return Ev(*SEC, host, 4688, t, {"SubjectUserName": user, "SubjectDomainName": host, "NewProcessName": image,
                                     "CommandLine": cmd, "ParentProcessName": "C:\\Windows\\explorer.exe"})


def _msi(host: str, t: datetime, event_id: int, text: str) -> Ev:
    return Ev(*MSI, host, event_id, t, items=[text, "(NULL)", "(NULL)", "(NULL)", "(NULL)", "(NULL)", ""], qualifiers=0)


def scenario() -> dict[str, list[Ev]]:
    """Events per log file name. Attack: OGMC 2022-10-31 as seed 002 tells it; noise that must not alert."""
    d = datetime(2022, 10, 31, tzinfo=JST)
    kyu, ehr, pacs, bak = "KYUSHOKU-SV", "EHR-DB01", "PACS-SV01", "BACKUP-SV01"
    files: dict[str, list[Ev]] = {}

    # 03:45:05: one failure of a staff account (seed 002 lists it before the attack begins).
    sec = [_logon_fail(kyu, d.replace(hour=3, minute=45, second=5), "kyushoku", 2, "127.0.0.1", kyu)]
    start = d.replace(hour=4, minute=7, second=12)
    sec += [_logon_fail(kyu, start + timedelta(seconds=i * 10 / 27), "ADMINISTRATOR", 8) for i in range(27)]
    end = d.replace(hour=9, minute=31, second=20)
    rest = 1989 - 27
    step = (end - (start + timedelta(seconds=10))) / (rest - 1)
    sec += [_logon_fail(kyu, start + timedelta(seconds=10) + step * i, "ADMINISTRATOR", 8) for i in range(rest)]
    t_in = d.replace(hour=4, minute=7, second=14)
    sec += [_logon_ok(kyu, t_in, "Administrator", 10, SUPPLIER, "0x1b8603"), _special(kyu, t_in, "Administrator", "0x1b8603")]
    sec += [_process(kyu, d.replace(hour=4, minute=16, second=40), "C:\\Users\\Administrator\\Desktop\\MIMIx64\\mimikatz.exe",
                     "mimikatz.exe \"privilege::debug\" \"sekurlsa::logonpasswords\" exit")]
    files[f"{kyu}/Security.xml"] = sec
    files[f"{kyu}/Application.xml"] = [
        _msi(kyu, d.replace(hour=4, minute=17, second=33), 1040, "C:\\Users\\ADMINI~1\\AppData\\Local\\Temp\\Advanced IP Scanner.msi"),
        _msi(kyu, d.replace(hour=4, minute=18, second=5), 11707, "Product: Advanced IP Scanner 2.5.1 -- Installation completed successfully."),
        _msi(kyu, d.replace(hour=4, minute=18, second=5), 1033, "Advanced IP Scanner 2.5.1"),
    ]
    files[f"{kyu}/TerminalServices.jsonl"] = _rdp_session(kyu, t_in, "Administrator", SUPPLIER)

    # Lateral movement over RDP with the same Administrator password, then defences off and backups gone.
    for n, (host, hm) in enumerate(((ehr, (4, 52)), (pacs, (5, 3)), (bak, (5, 15)))):
        t = d.replace(hour=hm[0], minute=hm[1])
        lid = f"0x{0x500000 + n:x}"
        files.setdefault(f"{host}/Security.jsonl", []).extend(
            [_logon_ok(host, t, "Administrator", 10, KYUSHOKU_IP, lid), _special(host, t, "Administrator", lid)])
        files.setdefault(f"{host}/TerminalServices.jsonl", []).extend(_rdp_session(host, t, "Administrator", KYUSHOKU_IP))
    files[f"{ehr}/Defender.jsonl"] = [Ev(*DEFENDER, ehr, 5001, d.replace(hour=4, minute=58), {"Product Name": "Microsoft Defender Antivirus"})]
    files[f"{bak}/Security.jsonl"].append(_process(bak, d.replace(hour=5, minute=20), "C:\\Windows\\System32\\vssadmin.exe",
                                                   "vssadmin.exe delete shadows /all /quiet"))
    files[f"{ehr}/System.jsonl"] = [Ev(*SYS_EVENTLOG, ehr, 104, d.replace(hour=9, minute=40),
                                       userdata=("LogFileCleared", {"SubjectUserName": "Administrator",
                                                                    "SubjectDomainName": ehr, "Channel": "System"}))]

    # Benign noise: a typo, a backup job with a stale password, a normal software update, planned vendor RDP.
    typo = d.replace(hour=8, minute=55)
    files[f"{ehr}/Security.jsonl"] += [_logon_fail(ehr, typo + timedelta(seconds=5 * i), "nurse01", 2, "127.0.0.1", "HOSPITAL")
                                       for i in range(3)]
    files[f"{ehr}/Security.jsonl"].append(_logon_ok(ehr, typo + timedelta(seconds=20), "nurse01", 2, "127.0.0.1", "0x2222",
                                                    sid="S-1-5-21-1111111111-2222222222-3333333333-1105"))
    day = datetime(2022, 10, 30, tzinfo=JST)
    files[f"{bak}/Security.jsonl"] += [_logon_fail(bak, day + timedelta(minutes=10 * i), "svc_backup", 3, "192.168.50.10",
                                                   "HOSPITAL") for i in range(144)]
    files[f"{ehr}/Application.jsonl"] = [
        _msi(ehr, day.replace(hour=13), 11707, "Product: Microsoft Edge -- Installation completed successfully."),
        _msi(ehr, day.replace(hour=13, minute=2), 1033, "Adobe Acrobat Reader DC - Japanese"),
    ]
    t_vendor = day.replace(hour=14)
    files[f"{ehr}/Security.jsonl"].append(_logon_ok(ehr, t_vendor, "vendor-se", 10, "192.168.1.50", "0x3333",
                                                    sid="S-1-5-21-1111111111-2222222222-3333333333-1201"))
    for evs in files.values():
        evs.sort(key=lambda e: e.time)
        for n, ev in enumerate(evs, start=1):
            ev.record_id = 1000 + n
    return files


def write_scenario(folder: Path) -> list[Path]:
    """Write the scenario: Security/Application of the first host as wevtutil XML, the rest as JSON lines,
    and the backup server's logs inside a zip (as a collector would send them)."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    zipped: dict[str, bytes] = {}
    for name, events in scenario().items():
        if name.endswith(".xml"):
            body = "\r\n".join(to_xml(e) for e in events)
            data = ("\ufeff<Events>" + body + "</Events>").encode("utf-16-le") if "Application" in name else body.encode("utf-8")
        else:
            data = b"".join(orjson.dumps(to_json(e)) + b"\n" for e in events)
        if name.startswith("BACKUP-SV01/"):
            zipped[name] = data
            continue
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    zpath = folder / "BACKUP-SV01.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in zipped.items():
            zf.writestr(name, data)
    written.append(zpath)
    return written
