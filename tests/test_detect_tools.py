"""Issue #13 item 3: the tool list over every event that names a process, tool arguments by regular expression,
4771/4776 successes, Kerberos spraying at machine speed, and Defender detections told apart from a defence
switched off. Each detection has a benign look-alike that must stay quiet."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from builders.events import by_rule, scan, write_jsonl

from wardwatch.config import ConfigError, load_config
from wardwatch.demo import JST, Ev
from wardwatch.detect.lists import load_lists
from wardwatch.model import Severity

SEC = "Microsoft-Windows-Security-Auditing"
SYSMON = ("Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational")
T0 = datetime(2023, 6, 1, 3, 0, tzinfo=JST)


def _sec(host: str, eid: int, t: datetime, **data: str) -> Ev:
    return Ev(SEC, "Security", host, eid, t, dict(data))


def _sysmon(host: str, eid: int, t: datetime, **data: str) -> Ev:
    return Ev(*SYSMON, host, eid, t, dict(data))


def _proc(host: str, t: datetime, image: str, cmd: str) -> Ev:
    return _sec(host, 4688, t, SubjectUserName="nurse01", SubjectDomainName="HOSP", NewProcessName=image,
                CommandLine=cmd, ParentProcessName=r"C:\Windows\System32\cmd.exe")


def _tools(tmp_path, events: list[Ev]) -> dict[str, list[str]]:
    write_jsonl(tmp_path / "logs" / "ev.jsonl", events)
    result = scan([tmp_path / "logs"], tmp_path / "out")
    assert not result.problems
    return {f.host: f.facts.get("tools", []) for f in by_rule(result, "attack-tool")}


# --- the tool list over every process name ------------------------------------------------------------------

def test_every_event_naming_a_process_goes_through_the_tool_list(tmp_path):
    t = T0
    events = [
        _sec("PC-4673", 4673, t, SubjectUserName="u", ProcessName=r"C:\Tools\mimikatz\mimikatz.exe",
             PrivilegeList="SeTcbPrivilege"),
        _sec("PC-4703", 4703, t, SubjectUserName="u", ProcessName=r"C:\Users\u\Desktop\x64\mimikatz.exe",
             EnabledPrivilegeList="SeDebugPrivilege"),
        _sec("PC-4663", 4663, t, SubjectUserName="u", ProcessName=r"C:\Temp\gsecdump-v2b5.exe",
             ObjectName=r"C:\Windows\System32\config\SAM"),
        _sec("FS-5145", 5145, t, SubjectUserName="u", IpAddress="10.0.2.15", ShareName=r"\\*\C$",
             RelativeTargetName=r"Users\Public\mimikatz_trunk\x64\mimikatz.exe", AccessMask="0x2"),
        _sysmon("PC-S10", 10, t, SourceImage=r"C:\Users\u\Desktop\mimikatz_trunk\Win32\mimikatz.exe",
                TargetImage=r"C:\Windows\system32\lsass.exe", GrantedAccess="0x1010"),
        _sysmon("PC-S18", 18, t, EventType="ConnectPipe", PipeName=r"\svchost-PC-8116-stdin",
                Image=r"C:\Windows\system32\PsExec.exe"),
        _sysmon("PC-S13", 13, t, EventType="SetValue", Image=r"C:\Windows\system32\PsExec64.exe",
                TargetObject=r"HKLM\SAM\SAM\Domains\Account\Users\000001F5\F"),
    ]
    found = _tools(tmp_path, events)
    assert found == {"PC-4673": ["Mimikatz"], "PC-4703": ["Mimikatz"], "PC-4663": ["gsecdump"],
                     "FS-5145": ["Mimikatz"], "PC-S10": ["Mimikatz"], "PC-S18": ["PsExec"], "PC-S13": ["PsExec"]}


def test_tools_named_by_their_arguments(tmp_path):
    t = T0
    events = [
        _proc("PC-PD", t, r"C:\Tools\procdump.exe", r"procdump.exe -accepteula -ma lsass.exe C:\Temp\l.dmp"),
        _proc("PC-PD64", t, r"C:\Tools\procdump64.exe", r'"C:\Tools\procdump64.exe" -r -ma lsass'),
        _proc("PC-GS", t, r"C:\Windows\System32\cmd.exe", r"cmd.exe /c echo hgabms > \\.\pipe\hgabms"),
        _proc("PC-WMI", t, r"C:\Windows\System32\cmd.exe",
              r"cmd.exe /Q /c whoami /all 1> \\127.0.0.1\ADMIN$\__1556656511.61 2>&1"),
        _proc("DC-IFM", t, r"C:\Windows\System32\ntdsutil.exe", r'ntdsutil "ac i ntds" "ifm" "create full c:\temp\x" q q'),
        _proc("DC-VSS", t, r"C:\Windows\System32\cmd.exe",
              r"cmd /c copy \\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy1\Windows\NTDS\ntds.dit C:\Temp\n.dit"),
        Ev("Service Control Manager", "System", "PC-SVC", 7045, t,
           {"ServiceName": "PWDumpX Service", "ImagePath": r"C:\Windows\DumpSvc.exe", "ServiceType": "user mode service",
            "StartType": "demand start", "AccountName": "LocalSystem"}),
    ]
    found = _tools(tmp_path, events)
    assert found == {"PC-PD": ["ProcDump (LSASS)"], "PC-PD64": ["ProcDump (LSASS)"],
                     "PC-GS": ["Meterpreter getsystem"],
                     "PC-WMI": ["wmiexec (wmiexec.vbs, Impacket wmiexec / dcomexec)"],
                     "DC-IFM": ["NTDS.dit copy"], "DC-VSS": ["NTDS.dit copy"], "PC-SVC": ["PwDump"]}


def test_daily_administration_is_not_an_attack_tool(tmp_path):
    """The benign look-alikes of the JPCERT sheet's tools: administrators list shadow copies, query logs, map
    drives, dump a hung program with ProcDump; a share holds a file whose name contains a tool's letters."""
    t = T0
    admin = [
        (r"C:\Windows\System32\vssadmin.exe", "vssadmin list shadows"),
        (r"C:\Windows\System32\wevtutil.exe", "wevtutil qe Security /c:20 /f:text"),
        (r"C:\Windows\System32\net.exe", r"net use Z: \\FILE-SV\share /persistent:yes"),
        (r"C:\Tools\procdump.exe", r"procdump.exe -accepteula -ma EHRClient.exe C:\dumps"),
        (r"C:\Windows\System32\ntdsutil.exe", 'ntdsutil "metadata cleanup" q'),
        (r"C:\Windows\System32\dsquery.exe", "dsquery user -name nurse*"),
        (r"C:\Windows\System32\cmd.exe", r"cmd.exe /c echo done > C:\Temp\status.txt"),
    ]
    events = [_proc("ADMIN-PC", t + timedelta(minutes=i), image, cmd) for i, (image, cmd) in enumerate(admin)]
    events.append(_sec("FILE-SV", 5145, t, SubjectUserName="u", IpAddress="10.0.2.20", ShareName=r"\\*\share",
                       RelativeTargetName=r"総務\collateral_lateral-review.docx", AccessMask="0x1"))
    events.append(_sec("PC-4673", 4673, t, SubjectUserName="u", ProcessName=r"C:\Windows\System32\svchost.exe",
                       PrivilegeList="SeTcbPrivilege"))
    assert _tools(tmp_path, events) == {}


def test_tool_list_regex_and_user_file(tmp_path):
    lists = load_lists({})
    (procdump,) = [t for t in lists.tools if t.name == "ProcDump (LSASS)"]
    assert procdump.matches("PROCDUMP64.EXE -accepteula -64 -ma LSASS.EXE out.dmp")
    assert not procdump.matches("procdump -ma notepad.exe")
    good = tmp_path / "tools.yml"
    good.write_text("tools:\n  - {name: HospTool, category: scanner, regex: ['hosp-scan(\\.exe)?\\s+-all']}\n",
                    encoding="utf-8")
    cfg = load_config()
    cfg["tools_file"] = str(good)
    assert any(t.name == "HospTool" and t.matches("hosp-scan.exe -all") for t in load_lists(cfg).tools)
    bad = tmp_path / "bad.yml"
    bad.write_text("tools:\n  - {name: Bad, regex: ['(unclosed']}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="regex"):
        from wardwatch.config import _check_tools
        _check_tools(bad)


# --- 4776 / 4771 Status 0x0 is a success ----------------------------------------------------------------------

def _ntlm_check(t: datetime, user: str, status: str) -> Ev:
    return _sec("DC01", 4776, t, PackageName="MICROSOFT_AUTHENTICATION_PACKAGE_V1_0", TargetUserName=user,
                Workstation="PC-12", Status=status)


def test_credential_validation_success_is_not_a_failure(tmp_path):
    events = [_ntlm_check(T0 + timedelta(seconds=i), "Administrator", s)
              for i, s in enumerate(["0x0", "0x00000000", "0x0"])]
    write_jsonl(tmp_path / "ok" / "dc.jsonl", events)
    assert by_rule(scan([tmp_path / "ok"], tmp_path / "out-ok"), "builtin-admin") == []
    fails = [_ntlm_check(T0 + timedelta(seconds=i), "Administrator", "0xc000006a") for i in range(3)]
    write_jsonl(tmp_path / "bad" / "dc.jsonl", events + fails)
    (f,) = by_rule(scan([tmp_path / "bad"], tmp_path / "out-bad"), "builtin-admin")
    assert f.count == 3 and f.phase == "guessing"


# --- Kerberos spraying ----------------------------------------------------------------------------------------

def _tgt(t: datetime, user: str, status: str, ip: str = "172.16.66.1") -> Ev:
    return _sec("DC01", 4768, t, TargetUserName=user, TargetDomainName="HOSP", ServiceName="krbtgt",
                TicketOptions="0x40810010", Status=status, IpAddress=f"::ffff:{ip}", IpPort="50000")


def _preauth(t: datetime, user: str, ip: str = "172.16.66.1") -> Ev:
    return _sec("DC01", 4771, t, TargetUserName=user, TargetSid="S-1-5-21-1-2-3-1107", ServiceName="krbtgt/HOSP",
                TicketOptions="0x40810010", Status="0x18", PreAuthType="2", IpAddress=f"::ffff:{ip}", IpPort="50001")


def test_kerberos_spray_of_unknown_names_at_machine_speed(tmp_path):
    names = ["HD01", "admin", "svc-02", "HD02", "svc-01", "bob", "admin02"]
    events = [_tgt(T0 + timedelta(milliseconds=i), n, "0x6") for i, n in enumerate(names)]
    events += [_preauth(T0 + timedelta(milliseconds=10 + i), n) for i, n in enumerate(["Administrator", "backdoor"])]
    events += [_tgt(T0 + timedelta(milliseconds=20), "normal", "0x0")]
    write_jsonl(tmp_path / "logs" / "dc.jsonl", events)
    (spray,) = by_rule(scan([tmp_path / "logs"], tmp_path / "out", lang="en"), "password-spray")
    assert spray.facts["accounts_count"] == 9 and spray.sources == ["172.16.66.1"]
    assert "normal" not in spray.accounts and "per second" in spray.summary.en


def test_few_names_or_human_speed_is_not_spraying(tmp_path):
    # a user who forgot which of three names is theirs, quickly; nine names tried over nine minutes
    quick = [_tgt(T0 + timedelta(milliseconds=100 * i), n, "0x6", "10.1.1.5") for i, n in enumerate(["yamada", "yamada.t", "tyamada"])]
    slow = [_preauth(T0 + timedelta(minutes=i), f"staff{i:02d}", "10.1.1.6") for i in range(9)]
    ok = [_tgt(T0 + timedelta(seconds=i), f"staff{i:02d}", "0x0", "10.1.1.7") for i in range(20)]
    write_jsonl(tmp_path / "logs" / "dc.jsonl", quick + slow + ok)
    assert by_rule(scan([tmp_path / "logs"], tmp_path / "out"), "password-spray") == []


# --- Defender: a detection is not a defence switched off -----------------------------------------------------

def _defender(eid: int, t: datetime, threat: str, action: str = "", error: str = "0x00000000") -> Ev:
    data = {"Product Name": "Microsoft Defender Antivirus", "Threat Name": threat, "Severity Name": "Severe",
            "Path": r"file:_C:\Users\nurse01\Downloads\invoice.exe", "Detection User": r"HOSP\nurse01"}
    if eid == 1117:
        data.update({"Action ID": action, "Error Code": error})
    return Ev("Microsoft-Windows-Windows Defender", "Microsoft-Windows-Windows Defender/Operational", "PC-07", eid, t, data)


def test_defender_detection_is_malware_detected_with_its_action(tmp_path):
    blocked = [_defender(1116, T0, "Trojan:Win32/Emotet.A"), _defender(1117, T0 + timedelta(seconds=2), "Trojan:Win32/Emotet.A", "2")]
    write_jsonl(tmp_path / "a" / "def.jsonl", blocked)
    result = scan([tmp_path / "a"], tmp_path / "out-a", lang="en")
    assert by_rule(result, "defender-disabled") == []
    (m,) = by_rule(result, "malware-detected")
    assert m.phase == "tools" and m.severity == Severity.MEDIUM and m.facts["blocked"] == 1
    assert "Emotet" in m.summary.en and "quarantined or removed" in m.summary.en
    assert "隔離・削除されました" in m.summary.ja

    allowed = [_defender(1116, T0, "HackTool:Win32/Mimikatz"), _defender(1117, T0 + timedelta(seconds=2), "HackTool:Win32/Mimikatz", "6")]
    write_jsonl(tmp_path / "b" / "def.jsonl", allowed)
    (m,) = by_rule(scan([tmp_path / "b"], tmp_path / "out-b", lang="en"), "malware-detected")
    assert m.severity == Severity.HIGH and m.facts["not_blocked"] == 1 and "not quarantined" in m.summary.en


def test_defender_switched_off_is_still_defender_disabled(tmp_path):
    off = Ev("Microsoft-Windows-Windows Defender", "Microsoft-Windows-Windows Defender/Operational", "PC-07", 5001, T0,
             {"Product Name": "Microsoft Defender Antivirus", "Product Version": "4.18"})
    write_jsonl(tmp_path / "logs" / "def.jsonl", [off])
    result = scan([tmp_path / "logs"], tmp_path / "out")
    assert [f.host for f in by_rule(result, "defender-disabled")] == ["PC-07"]
    assert by_rule(result, "malware-detected") == []


# --- SQL Server audit 33205 ----------------------------------------------------------------------------------

def _audit(t: datetime, user: str, ip: str, ok: bool, action: str | None = None, sep: str = "\n") -> Ev:
    """One SQL Server audit record as SQL Server writes it to the Application log (event 33205, one unnamed text,
    fields one a line; documented format of sys.fn_get_audit_file columns)."""
    action = action or ("LGIS" if ok else "LGIF")
    statement = ("" if ok else f"Login failed for user '{user}'. Reason: Password did not match that for the login "
                 f"provided. [CLIENT: {ip}]")
    text = sep.join([
        "audit_schema_version:1", f"event_time:{t.astimezone(JST).strftime('%Y-%m-%d %H:%M:%S')}.1234567",
        "sequence_number:1", f"action_id:{action}", f"succeeded:{'true' if ok else 'false'}",
        "is_column_permission:false", "session_id:0", "server_principal_id:0", "database_principal_id:0",
        "target_server_principal_id:0", "target_database_principal_id:0", "object_id:0", "class_type:LX",
        "permission_bitmask:00000000000000000000000000000000", "session_server_principal_name:",
        f"server_principal_name:{user}", "server_principal_sid:", "database_principal_name:",
        "target_server_principal_name:", "server_instance_name:HIS-DB\\EHR", "database_name:master",
        "schema_name:", "object_name:", f"statement:{statement}",
        (f"additional_information:<action_info xmlns=\"http://schemas.microsoft.com/sqlserver/2008/sqlaudit_data\">"
         f"<pooled_connection>0</pooled_connection><address>{ip}</address></action_info>"),
        "application_name:", "host_name:", f"client_ip:{ip}", ""])
    return Ev("MSSQL$EHR", "Application", "HIS-DB", 33205, t, items=[text], qualifiers=16384)


def test_sql_server_audit_failures_are_read_as_logins(tmp_path):
    t = datetime(2023, 6, 2, 1, 0, tzinfo=JST)
    guess_sa = [_audit(t + timedelta(milliseconds=300 * i), "sa", "10.20.30.40", ok=False) for i in range(40)]
    names = [_audit(t + timedelta(minutes=5, seconds=i), f"ehr_user{i:02d}", "10.20.30.41", ok=False) for i in range(15)]
    write_jsonl(tmp_path / "logs" / "app.jsonl", guess_sa + names)
    result = scan([tmp_path / "logs"], tmp_path / "out")
    (bf,) = [f for f in by_rule(result, "brute-force") if f.accounts == ["sa"]]
    assert bf.host == "HIS-DB" and bf.sources == ["10.20.30.40"] and bf.count == 40
    (spray,) = by_rule(result, "password-spray")
    assert spray.sources == ["10.20.30.41"] and spray.facts["accounts_count"] == 15
    assert not any(len(a) > 40 for f in result.findings for a in f.accounts)  # the record is not an "account"


def test_sql_server_audit_successes_and_a_single_failure_are_quiet(tmp_path):
    t = datetime(2023, 6, 2, 9, 0, tzinfo=JST)
    ok = [_audit(t + timedelta(milliseconds=200 * i), "ehr_app", "10.20.30.50", ok=True) for i in range(60)]
    other = [_audit(t + timedelta(seconds=i), "ehr_app", "10.20.30.50", ok=True, action="SL") for i in range(30)]
    typo = [_audit(t + timedelta(minutes=3), "dr_sato", "10.20.30.51", ok=False)]
    write_jsonl(tmp_path / "logs" / "app.jsonl", ok + other + typo)
    result = scan([tmp_path / "logs"], tmp_path / "out")
    assert by_rule(result, "brute-force") == [] and by_rule(result, "password-spray") == []
    assert by_rule(result, "chronic-failures") == []


def test_sql_server_audit_text_flattened_to_one_line(tmp_path):
    """Some forwarders turn the record's line breaks into spaces: the fields are still read one by one."""
    t = datetime(2023, 6, 2, 1, 0, tzinfo=JST)
    write_jsonl(tmp_path / "logs" / "app.jsonl",
                [_audit(t + timedelta(milliseconds=500 * i), "sa", "10.20.30.40", ok=False, sep=" ") for i in range(20)])
    (bf,) = by_rule(scan([tmp_path / "logs"], tmp_path / "out"), "brute-force")
    assert bf.accounts == ["sa"] and bf.sources == ["10.20.30.40"] and bf.count == 20
