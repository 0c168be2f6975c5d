"""Collector bundles built in code (real formats, ja/en, several encodings), as the collector writes them."""
from __future__ import annotations

import json
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

COLLECTED = datetime(2024, 6, 3, 1, 30, tzinfo=timezone.utc)  # 10:30 JST
LOGON = "{0CCE9215-69AE-11D9-BED3-505054503030}"
CRED = "{0CCE923F-69AE-11D9-BED3-505054503030}"
EVENTLOG_SID = "S-1-5-80-880578595-1860270145-482643319-2788375705-1540778122"
DOMAIN_SID = "S-1-5-21-1004336348-1177238915-682003330"
LOGS = ["Security", "System", "Application", "Microsoft-Windows-SmbClient/Security", "Microsoft-Windows-SMBServer/Security",
        "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
        "Microsoft-Windows-TerminalServices-RDPClient/Operational"]
JA = {"rule": "リモート デスクトップ - ユーザー モード (TCP 受信)", "caption": "Microsoft Windows 11 Pro",
      "logon": "ログオン", "cred": "資格情報の確認", "both": "成功および失敗", "success": "成功", "none": "監査なし",
      "desc": "コンピューター/ドメインの管理用 (ビルトイン アカウント)", "av": "ウイルスバスター コーポレートエディション",
      "scanner": "Advanced IP Scanner 2.5", "svc": "リモート デスクトップ サービス", "class": "ユーザー"}
EN = {"rule": "Remote Desktop - User Mode (TCP-In)", "caption": "Microsoft Windows Server 2019 Standard",
      "logon": "Logon", "cred": "Credential Validation", "both": "Success and Failure", "success": "Success",
      "none": "No Auditing", "desc": "Built-in account for administering the computer/domain", "av": "ESET Endpoint Security",
      "scanner": "Advanced IP Scanner 2.5", "svc": "Remote Desktop Services", "class": "User"}


# ---------- writing the formats ----------

def encode(text: str, encoding: str) -> bytes:
    """utf-16 (PS 5.1 Out-File / secedit: UTF-16LE with BOM), utf-8-sig (PS 5.1 -Encoding UTF8), utf-8 (PS 7), cp932."""
    if encoding == "utf-16":
        return b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le")
    return text.replace("\n", "\r\n").encode(encoding)


def ps_json(obj: Any, ps: str) -> str:
    """ConvertTo-Json as Windows PowerShell 5.1 (4-space indent, two spaces after colons, \\u0027 escapes,
    /Date(ms)/ dates) or PowerShell 7 (2-space indent, ISO dates with offset) writes it."""
    if ps == "5.1":
        text = json.dumps(obj, indent=4, ensure_ascii=False)
        text = text.replace('": ', '":  ').replace("'", "\\u0027").replace("&", "\\u0026").replace("<", "\\u003c")
        return text.replace('"/Date(', '"\\/Date(').replace(')/"', ')\\/"')
    return json.dumps(obj, indent=2, ensure_ascii=False)


def ps_dates(obj: Any, ps: str) -> Any:
    """Dates as the collector writes them (UTC ISO 'Z') or, for 5.1 exports made by hand, /Date(ms)/ strings."""
    if isinstance(obj, datetime):
        return f"/Date({int(obj.timestamp() * 1000)})/" if ps == "5.1" else obj.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(obj, dict):
        return {k: ps_dates(v, ps) for k, v in obj.items()}
    if isinstance(obj, list):
        return [ps_dates(v, ps) for v in obj]
    return obj


def secedit_inf(lockout: int, duration: int | None, length: int, admin_enabled: bool, admin_name: str,
                audit_logon: int = 0) -> str:
    lines = ["[Unicode]", "Unicode=yes", "[System Access]", "MinimumPasswordAge = 0", "MaximumPasswordAge = 42",
             f"MinimumPasswordLength = {length}", "PasswordComplexity = 1", "PasswordHistorySize = 0",
             f"LockoutBadCount = {lockout}"]
    if duration is not None:  # secedit omits these when the threshold is 0
        lines += [f"ResetLockoutCount = {duration}", f"LockoutDuration = {duration}"]
    lines += ["RequireLogonToChangePassword = 0", "ForceLogoffWhenHourExpire = 0", f'NewAdministratorName = "{admin_name}"',
              'NewGuestName = "Guest"', "ClearTextPassword = 0", "LSAAnonymousNameLookup = 0",
              f"EnableAdminAccount = {int(admin_enabled)}", "EnableGuestAccount = 0",
              "[Event Audit]", "AuditSystemEvents = 0", f"AuditLogonEvents = {audit_logon}", "AuditObjectAccess = 0",
              "AuditPrivilegeUse = 0", "AuditPolicyChange = 0", "AuditAccountManage = 0", "AuditProcessTracking = 0",
              "AuditDSAccess = 0", f"AuditAccountLogon = {audit_logon}",
              "[Registry Values]", r"MACHINE\System\CurrentControlSet\Control\Lsa\LmCompatibilityLevel=4,3",
              r"MACHINE\Software\Microsoft\Windows\CurrentVersion\Policies\System\EnableLUA=4,1",
              "[Privilege Rights]", "SeNetworkLogonRight = *S-1-1-0,*S-1-5-32-544,*S-1-5-32-545,*S-1-5-32-551",
              "SeRemoteInteractiveLogonRight = *S-1-5-32-544,*S-1-5-32-555",
              "[Version]", 'signature="$CHICAGO$"', "Revision=1"]
    return "\n".join(lines) + "\n"


def auditpol_csv(host: str, logon: int, cred: int, t: dict[str, str]) -> str:
    label = {0: t["none"], 1: t["success"], 3: t["both"]}
    rows = ["Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion Setting,Setting Value",
            f"{host},System,{t['logon']},{LOGON},{label[logon]},,{logon}",
            f"{host},System,{t['cred']},{CRED},{label[cred]},,{cred}",
            f"{host},System,Special Logon,{{0CCE921B-69AE-11D9-BED3-505054503030}},{label[1]},,1",
            f"{host},,Option:CrashOnAuditFail,,Disabled,,0"]
    return "\n".join(rows) + "\n"


def wevtutil_xml(name: str, max_size: int, retention: bool) -> str:
    file = name.replace("/", "%4")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<channel xmlns="http://schemas.microsoft.com/win/2004/08/events" name="{name}" enabled="true" type="Admin" '
            'isolation="Custom" channelAccess="O:BAG:SYD:(A;;0xf0005;;;SY)(A;;0x5;;;BA)(A;;0x1;;;S-1-5-32-573)">\n'
            f"  <logging>\n    <logFileName>%SystemRoot%\\System32\\Winevt\\Logs\\{file}.evtx</logFileName>\n"
            f"    <retention>{str(retention).lower()}</retention>\n    <autoBackup>false</autoBackup>\n"
            f"    <maxSize>{max_size}</maxSize>\n  </logging>\n  <publishing>\n    <fileMax>1</fileMax>\n  </publishing>\n</channel>")


# ---------- one host ----------

def host_parts(host: str, hardened: bool, lang: str, ps: str) -> dict[str, Any]:
    """Every part of a bundle as Python values / text (hardened: every check passes; else every check fails)."""
    t = JA if lang == "ja" else EN
    at = COLLECTED
    sid = f"{DOMAIN_SID}-{abs(hash(host)) % 1000}"
    admin = {"name": "Administrator" if not hardened else "wwadmin-x", "sid": f"{sid}-500", "enabled": not hardened,
             "last_logon": None if hardened else at - timedelta(days=2), "password_last_set": at - timedelta(days=900),
             "password_expires": None, "password_never_expires": True, "password_required": True, "description": t["desc"]}
    users = [admin]
    if not hardened:
        users += [{"name": "vendor", "sid": f"{sid}-1001", "enabled": True, "last_logon": at - timedelta(days=400),
                   "password_last_set": at - timedelta(days=800), "password_expires": None, "password_never_expires": True,
                   "password_required": True, "description": "保守用"},
                  {"name": "kiosk", "sid": f"{sid}-1002", "enabled": True, "last_logon": at - timedelta(days=1),
                   "password_last_set": at - timedelta(days=10), "password_expires": None, "password_never_expires": True,
                   "password_required": False, "description": ""}]
    else:
        users += [{"name": "nurse", "sid": f"{sid}-1001", "enabled": True, "last_logon": at - timedelta(days=1),
                   "password_last_set": at - timedelta(days=20), "password_expires": at + timedelta(days=40),
                   "password_never_expires": False, "password_required": True, "description": "看護"}]
    members = [{"name": f"{host}\\{admin['name']}", "sid": admin["sid"], "class": t["class"], "source": "Local"},
               {"name": "HOSPITAL\\Domain Admins", "sid": "S-1-5-21-99-98-97-512", "class": "Group", "source": "ActiveDirectory"}]
    if not hardened:
        members += [{"name": f"{host}\\vendor", "sid": f"{sid}-1001", "class": t["class"], "source": "Local"},
                    {"name": "HOSPITAL\\nurse01", "sid": "S-1-5-21-99-98-97-1105", "class": t["class"], "source": "ActiveDirectory"}]
    json_parts: dict[str, Any] = {
        "system": {"computer_name": host, "domain": "hospital.local", "part_of_domain": True, "domain_role": 1,
                   "os_caption": t["caption"], "os_version": "10.0.22631", "os_build": "22631", "product_type": 1,
                   "ui_culture": "ja-JP" if lang == "ja" else "en-US"},
        "eventlog_acl": {"path": r"C:\Windows\System32\winevt\Logs", "owner": "S-1-5-18",
                         "rules": [{"sid": s, "rights": "FullControl", "mask": 2032127, "type": "Allow", "inherited": False}
                                   for s in ["S-1-5-18", "S-1-5-32-544", EVENTLOG_SID] + ([] if hardened else ["S-1-1-0"])]},
        "users": users,
        "groups": {"S-1-5-32-544": {"name": "Administrators", "members": members},
                   "S-1-5-32-555": {"name": "Remote Desktop Users", "members": []}},
        "winlogon": {"path": r"HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon", "exists": True,
                     "AutoAdminLogon": "0" if hardened else "1", "DefaultUserName": "" if hardened else "kiosk",
                     "DefaultDomainName": host, "AutoLogonCount": None, "ForceAutoLogon": None,
                     "DefaultPasswordPresent": not hardened},
        "rdp": {"terminal_server": {"exists": True, "fDenyTSConnections": 0},
                "rdp_tcp": {"exists": True, "PortNumber": 62114 if hardened else 3389, "UserAuthentication": 1 if hardened else 0,
                            "SecurityLayer": 2, "MinEncryptionLevel": 2},
                "policy": {"exists": False},
                "service": {"state": "Running", "start_mode": "Manual"},
                "firewall_profiles": [{"name": n, "enabled": "True", "default_inbound": "Block"} for n in ("Domain", "Private", "Public")],
                "firewall_rules": [{"name": "RemoteDesktop-UserMode-In-TCP", "display_name": t["rule"], "group": "@FirewallAPI.dll,-28752",
                                    "profile": "Any", "protocol": "TCP", "local_port": ["62114" if hardened else "3389"],
                                    "remote_address": ["192.168.10.0/255.255.255.0"] if hardened else ["Any"], "program": "%SystemRoot%\\system32\\svchost.exe"}]},
        "smb": {"server": {"EnableSMB1Protocol": not hardened, "EnableSMB2Protocol": True, "RequireSecuritySignature": hardened},
                "feature_state": "Disabled" if hardened else "Enabled", "lanman_server": {"exists": True, "SMB1": None},
                "mrxsmb10": {"exists": not hardened, "Start": None if hardened else 2}},
        "laps": {"legacy_policy": {"exists": False}, "legacy_cse": False,
                 "windows_gpo": {"exists": hardened, "BackupDirectory": 2 if hardened else None, "PasswordLength": 20 if hardened else None,
                                 "PasswordAgeDays": 30 if hardened else None},
                 "windows_csp": {"exists": False}, "windows_local": {"exists": False}},
        "defender": {"defender": {"AMServiceEnabled": True, "AntivirusEnabled": True, "RealTimeProtectionEnabled": hardened,
                                  "AMRunningMode": "Normal", "AntivirusSignatureVersion": "1.411.0.0",
                                  "AntivirusSignatureLastUpdated": at - timedelta(days=1 if hardened else 200),
                                  "AntivirusSignatureAge": 1 if hardened else 200, "IsTamperProtected": hardened},
                     "security_center": [{"name": "Windows Defender", "product_state": 397568 if hardened else 393472,
                                          "timestamp": "Mon, 03 Jun 2024 01:00:00 GMT"}]},
        "updates": {"hotfixes": [{"id": "KB5036893", "description": "Security Update",
                                  "installed_on": at - timedelta(days=12 if hardened else 300)},
                                 {"id": "KB5035845", "description": "Update", "installed_on": None}],
                    "history": [{"date": at - timedelta(days=10 if hardened else 290), "operation": 1, "result": 2,
                                 "title": "2024-05 累積更新プログラム" if lang == "ja" else "2024-05 Cumulative Update"},
                                {"date": at - timedelta(days=1), "operation": 1, "result": 4, "title": "failed update"}],
                    "wsus": {"exists": False}},
        "software": [{"name": "Microsoft Office Professional Plus 2019", "version": "16.0.10394.20022", "publisher": "Microsoft Corporation",
                      "install_date": "20230401", "install_location": "", "view": "64", "key": "ProPlus2019Volume"},
                     {"name": t["av"], "version": "14.0", "publisher": "x", "install_date": "20230401", "install_location": "",
                      "view": "32", "key": "{AV}"}]
        + ([] if hardened else [{"name": t["scanner"], "version": "2.5.4594.1", "publisher": "Famatech", "install_date": "20240501",
                                 "install_location": r"C:\Program Files (x86)\Advanced IP Scanner", "view": "32", "key": "{AIPS}"},
                                {"name": "AnyDesk", "version": "8.0.9", "publisher": "AnyDesk Software GmbH", "install_date": "20240502",
                                 "install_location": "", "view": "user:" + sid + "-1001", "key": "AnyDesk"}]),
        "services": [{"name": "TermService", "display_name": t["svc"], "state": "Running", "start_mode": "Manual",
                      "path": r"C:\Windows\System32\svchost.exe -k NetworkService", "account": "NT Authority\\NetworkService"}],
        "removable": {"machine_all": {"exists": False, "Deny_All": None},
                      "machine_disk": {"exists": hardened, "Deny_Execute": 1 if hardened else None, "Deny_Read": None, "Deny_Write": None},
                      "user_all": {"exists": False}, "user_disk": {"exists": False}},
        "execution_policy": [{"scope": "MachinePolicy", "policy": "Undefined"}, {"scope": "UserPolicy", "policy": "Undefined"},
                             {"scope": "Process", "policy": "Bypass"}, {"scope": "CurrentUser", "policy": "Undefined"},
                             {"scope": "LocalMachine", "policy": "RemoteSigned" if hardened else "Unrestricted"}],
        "office": {"click_to_run": {"exists": False},
                   "security": [{"exists": True, "VBAWarnings": 3 if hardened else 1, "blockcontentexecutionfrominternet": 1,
                                 "hive": f"{sid}-1001", "version": "16.0", "app": "Excel", "kind": "policy"}]},
    }
    logs = {n: (201326592 if n == "Security" else 33554432) if hardened else (20971520 if n == "Security" else 1052672) for n in LOGS}
    return {"json": json_parts, "ps": ps, "t": t,
            "secedit": secedit_inf(5, 15, 14, False, "wwadmin-x", 3) if hardened else secedit_inf(0, None, 0, True, "Administrator"),
            "auditpol": auditpol_csv(host, 3 if hardened else 1, 3 if hardened else 0, t),
            "logs": {n: wevtutil_xml(n, size, retention=not hardened and n == "Security") for n, size in logs.items()}}


def make_bundle(root: Path, host: str, *, hardened: bool = False, lang: str = "ja", encoding: str = "utf-8-sig",
                ps: str = "5.1", drop: tuple[str, ...] = (), as_zip: bool = False, state: str = "complete",
                single_object: bool = False) -> Path:
    """Write one bundle like the collector does: folder wardwatch-HOST-STAMP (or the .zip of its contents)."""
    parts = host_parts(host, hardened, lang, ps)
    stamp = COLLECTED.astimezone(timezone(timedelta(hours=9))).strftime("%Y%m%d-%H%M%S")
    folder = root / f"wardwatch-{host}-{stamp}"
    files: dict[str, bytes] = {}
    json_enc = encoding if encoding != "cp932" else "utf-8"  # PowerShell writes JSON as Unicode
    status = {}
    for name, value in parts["json"].items():
        if name in drop:
            continue
        value = ps_dates(value, ps)
        if single_object and isinstance(value, list) and len(value) >= 1 and name == "services":
            value = value[0]  # PowerShell 5.1 piping a one-element array writes the element itself
        files[f"{name}.json"] = encode(ps_json(value, ps), json_enc)
        status[name] = {"status": "ok", "note": ""}
    if "secedit" not in drop:
        files["secedit.inf"] = encode(parts["secedit"], "utf-16" if encoding != "cp932" else "cp932")
        status["secedit"] = {"status": "ok"}
    if "auditpol" not in drop:
        files["auditpol.csv"] = encode(parts["auditpol"], encoding if encoding != "utf-8-sig" else "utf-16")
        status["auditpol"] = {"status": "ok"}
    if "eventlogs" not in drop:
        index = {}
        for n, xml in parts["logs"].items():
            files[f"eventlogs/{n.replace('/', '%4')}.xml"] = encode(xml, encoding)
            index[n] = {"status": "ok", "file": f"eventlogs/{n.replace('/', '%4')}.xml"}
        index["Microsoft-Windows-Sysmon/Operational"] = {"status": "absent", "exit_code": 15007}
        files["eventlogs.json"] = encode(ps_json(index, ps), json_enc)
    for d in drop:
        if d != "eventlogs":
            status[d] = {"status": "error", "message": "Access is denied. アクセスが拒否されました。"}
    manifest = {"format": "wardwatch-bundle", "collector": "1.0", "host": host, "collected_at": COLLECTED.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "state": state, "is_admin": True, "ps_version": "5.1.22621.2506" if ps == "5.1" else "7.4.2",
                "ui_culture": "ja-JP" if lang == "ja" else "en-US", "parts": status}
    files["manifest.json"] = encode(ps_json(manifest, ps), json_enc)
    if as_zip:
        path = folder.with_suffix(".zip")
        root.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in files.items():  # Compress-Archive of Windows PowerShell 5.1 writes backslashes
                zf.writestr(name.replace("/", "\\") if ps == "5.1" else name, data)
        return path
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder
