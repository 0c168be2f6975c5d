"""Sigma Windows logsources → event sources (channel, provider, event ids, field renames).

They are mapped as pySigma's pipelines map them."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

SYSMON = "Microsoft-Windows-Sysmon/Operational"
SYSMON_PROVIDER = "Microsoft-Windows-Sysmon"

# pySigma's windows pipeline (sigma.pipelines.common.windows_logsource_mapping), plus a few services SigmaHQ uses.
SERVICE_CHANNELS: dict[str, tuple[str, ...]] = {
    "security": ("Security",),
    "application": ("Application",),
    "system": ("System",),
    "sysmon": (SYSMON,),
    "powershell": ("Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational"),
    "powershell-classic": ("Windows PowerShell",),
    "taskscheduler": ("Microsoft-Windows-TaskScheduler/Operational",),
    "wmi": ("Microsoft-Windows-WMI-Activity/Operational",),
    "dns-server": ("DNS Server",),
    "dns-server-audit": ("Microsoft-Windows-DNS-Server/Audit",),
    "dns-server-analytic": ("Microsoft-Windows-DNS-Server/Analytical",),
    "driver-framework": ("Microsoft-Windows-DriverFrameworks-UserMode/Operational",),
    "ntlm": ("Microsoft-Windows-NTLM/Operational",),
    "dhcp": ("Microsoft-Windows-DHCP-Server/Operational",),
    "msexchange-management": ("MSExchange Management",),
    "applocker": ("Microsoft-Windows-AppLocker/MSI and Script", "Microsoft-Windows-AppLocker/EXE and DLL",
                  "Microsoft-Windows-AppLocker/Packaged app-Deployment",
                  "Microsoft-Windows-AppLocker/Packaged app-Execution"),
    "printservice-admin": ("Microsoft-Windows-PrintService/Admin",),
    "printservice-operational": ("Microsoft-Windows-PrintService/Operational",),
    "codeintegrity-operational": ("Microsoft-Windows-CodeIntegrity/Operational",),
    "smbclient-security": ("Microsoft-Windows-SmbClient/Security",),
    "smbclient-connectivity": ("Microsoft-Windows-SmbClient/Connectivity",),
    "smbserver-connectivity": ("Microsoft-Windows-SMBServer/Connectivity",),
    "firewall-as": ("Microsoft-Windows-Windows Firewall With Advanced Security/Firewall",),
    "bits-client": ("Microsoft-Windows-Bits-Client/Operational",),
    "windefend": ("Microsoft-Windows-Windows Defender/Operational",),
    "terminalservices-localsessionmanager": ("Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",),
    "microsoft-servicebus-client": ("Microsoft-ServiceBus-Client",),
    "ldap_debug": ("Microsoft-Windows-LDAP-Client/Debug",),
    "ldap": ("Microsoft-Windows-LDAP-Client/Debug",),
    "security-mitigations": ("Microsoft-Windows-Security-Mitigations/Kernel Mode",
                             "Microsoft-Windows-Security-Mitigations/User Mode"),
    "diagnosis-scripted": ("Microsoft-Windows-Diagnosis-Scripted/Operational",),
    "shell-core": ("Microsoft-Windows-Shell-Core/Operational",),
    "openssh": ("OpenSSH/Operational",),
    "bitlocker": ("Microsoft-Windows-BitLocker/BitLocker Management",),
    "vhdmp": ("Microsoft-Windows-VHDMP/Operational",),
    "appxdeployment-server": ("Microsoft-Windows-AppXDeploymentServer/Operational",),
    "lsa-server": ("Microsoft-Windows-LSA/Operational",),
    "appxpackaging-om": ("Microsoft-Windows-AppxPackaging/Operational",),
    "dns-client": ("Microsoft-Windows-DNS Client Events/Operational",),
    "appmodel-runtime": ("Microsoft-Windows-AppModel-Runtime/Admin",),
    "capi2": ("Microsoft-Windows-CAPI2/Operational",),
    "certificateservicesclient-lifecycle-system":
        ("Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational",),
    "iis-configuration": ("Microsoft-IIS-Configuration/Operational",),
    "kernel-shimengine": ("Microsoft-Windows-Kernel-ShimEngine/Operational",),
    "hyper-v-worker": ("Microsoft-Windows-Hyper-V-Worker",),
    "wmi-activity": ("Microsoft-Windows-WMI-Activity/Operational",),
}

# pySigma's sysmon pipeline: generic category → Sysmon event ids.
SYSMON_CATEGORIES: dict[str, tuple[int, ...]] = {
    "process_creation": (1,), "file_change": (2,), "network_connection": (3,), "sysmon_status": (4, 16),
    "process_termination": (5,), "driver_load": (6,), "image_load": (7,), "create_remote_thread": (8,),
    "raw_access_thread": (9,), "raw_access_read": (9,), "process_access": (10,), "file_event": (11,),
    "registry_add": (12,), "registry_delete": (12,), "registry_set": (13,), "registry_rename": (14,),
    "registry_event": (12, 13, 14), "create_stream_hash": (15,), "pipe_created": (17, 18), "wmi_event": (19, 20, 21),
    "dns_query": (22,), "file_delete": (23, 26), "clipboard_capture": (24,), "process_tampering": (25,),
    "file_delete_detected": (26,), "file_block_executable": (27,), "file_block_shredding": (28,),
    "file_executable_detected": (29,), "sysmon_error": (255,),
}

# pySigma's windows pipeline: PowerShell categories → (service, event id).
POWERSHELL_CATEGORIES: dict[str, tuple[str, int]] = {
    "ps_module": ("powershell", 4103), "ps_script": ("powershell", 4104),
    "ps_classic_start": ("powershell-classic", 400), "ps_classic_provider_start": ("powershell-classic", 600),
    "ps_classic_script": ("powershell-classic", 800),
}

# SQL over the EventData accessor `{ed}` ('{ed}."Name"' reads one value) for 4688 → process_creation.
# Sysmon's User/LogonId are the new process's: 4688's Target* fields (Windows 10+) when set, else the creator's.
_HAS_TARGET = "nullif(nullif({ed}.\"TargetUserName\", '-'), '') IS NOT NULL"


def _account(who: str) -> str:
    return (f"CASE {{ed}}.\"{who}UserSid\" WHEN 'S-1-5-18' THEN 'NT AUTHORITY\\SYSTEM' "
            f"WHEN 'S-1-5-19' THEN 'NT AUTHORITY\\LOCAL SERVICE' WHEN 'S-1-5-20' THEN 'NT AUTHORITY\\NETWORK SERVICE' "
            f"ELSE nullif(concat_ws('\\', nullif({{ed}}.\"{who}DomainName\", '-'), "
            f"nullif({{ed}}.\"{who}UserName\", '-')), '') END")


_USER = f"CASE WHEN {_HAS_TARGET} THEN {_account('Target')} ELSE {_account('Subject')} END"
_LOGON_ID = (f"CASE WHEN {_HAS_TARGET} AND {{ed}}.\"TargetLogonId\" NOT IN ('0x0', '-') THEN {{ed}}.\"TargetLogonId\" "
             "ELSE {ed}.\"SubjectLogonId\" END")
_LEVELS = ("CASE {ed}.\"MandatoryLabel\" WHEN 'S-1-16-0' THEN 'Untrusted' WHEN 'S-1-16-4096' THEN 'Low' "
           "WHEN 'S-1-16-8192' THEN 'Medium' WHEN 'S-1-16-8448' THEN 'MediumPlus' WHEN 'S-1-16-12288' THEN 'High' "
           "WHEN 'S-1-16-16384' THEN 'System' WHEN 'S-1-16-20480' THEN 'Protected' ELSE {ed}.\"MandatoryLabel\" END")
SECURITY_4688_RENAMES: dict[str, str] = {
    "Image": '{ed}."NewProcessName"',
    "ParentImage": '{ed}."ParentProcessName"',
    "ProcessId": '{ed}."NewProcessId"',
    "ParentProcessId": '{ed}."ProcessId"',
    "LogonId": _LOGON_ID,
    "User": _USER,
    "IntegrityLevel": _LEVELS,
}


@dataclass(frozen=True)
class Source:
    """One kind of event a logsource reads: a channel, optionally a provider and event ids, and field renames."""

    channel: str | None  # None: every Windows event (a rule with only `product: windows`)
    event_ids: tuple[int, ...] | None = None
    provider: str | None = None
    renames: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    name: str = ""

    def where(self, quote: Callable[[str], str]) -> str:
        """The SQL filter of this source over the events view."""
        parts = [f"channel = {quote(self.channel)}"] if self.channel else ["true"]
        if self.provider:
            parts.append(f"provider = {quote(self.provider)}")
        if self.event_ids:
            parts.append(f"event_id IN ({', '.join(str(i) for i in self.event_ids)})")
        return "(" + " AND ".join(parts) + ")"


def logsource_key(product: str | None, category: str | None, service: str | None) -> tuple[str | None, str]:
    """The key rules are grouped by, or None and the reason this logsource cannot be read."""
    product = (product or "").lower() or None
    category = (category or "").lower() or None
    service = (service or "").lower() or None
    if product != "windows":
        return None, f"not a Windows rule (product: {product or '-'})"
    if category:
        if category in SYSMON_CATEGORIES or category in POWERSHELL_CATEGORIES:
            return f"category:{category}", ""
        return None, f"unknown logsource (category: {category})"
    if service:
        if service in SERVICE_CHANNELS:
            return f"service:{service}", ""
        return None, f"unknown logsource (service: {service})"
    return "windows:all", ""


def sources(key: str) -> list[Source]:
    """The event sources of a logsource key (see logsource_key; a '#...' suffix names a sub-group)."""
    kind, _, name = key.partition("#")[0].partition(":")
    if kind == "windows":
        return [Source(None, name=key)]
    if kind == "service":
        return [Source(ch, name=key) for ch in SERVICE_CHANNELS[name]]
    if name in POWERSHELL_CATEGORIES:
        service, eid = POWERSHELL_CATEGORIES[name]
        return [Source(ch, (eid,), name=key) for ch in SERVICE_CHANNELS[service]]
    out = [Source(SYSMON, SYSMON_CATEGORIES[name], SYSMON_PROVIDER, name=key)]
    if name == "process_creation":
        out.append(Source("Security", (4688,), "Microsoft-Windows-Security-Auditing", SECURITY_4688_RENAMES, name=key))
    return out
