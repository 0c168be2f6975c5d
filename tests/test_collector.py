"""The collector script: built-in commands only (an allow-list), nothing that writes system settings, no password
or hash collected, PowerShell 5.1 syntax, and parts that match what the audit reads. Parsed by pwsh when present."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from wardwatch.audit.bundle import PARTS
from wardwatch.collector import RUN_LINE, script_text, write_script

ALLOWED_CMDLETS = {
    "ConvertTo-Json", "Set-Content", "Join-Path", "Get-Location", "New-Item", "New-Object", "Out-Null", "Out-String",
    "Write-Host", "Write-Warning", "Get-Date", "Get-UICulture", "Get-Culture", "Get-Item", "Get-ChildItem",
    "Get-ItemProperty", "Test-Path", "Where-Object", "ForEach-Object", "Get-CimInstance", "Get-Acl", "Get-Command",
    "Get-LocalUser", "Get-LocalGroupMember", "Get-NetFirewallProfile", "Get-NetFirewallPortFilter",
    "Get-NetFirewallAddressFilter", "Get-NetFirewallApplicationFilter", "Get-NetFirewallRule",
    "Get-SmbServerConfiguration", "Get-WindowsOptionalFeature", "Get-MpComputerStatus", "Get-HotFix",
    "Get-ExecutionPolicy", "Compress-Archive", "Invoke-Part", "Save-Text", "Save-Json", "Save-Manifest",
    "ConvertTo-Iso", "Get-RegValues", "Get-UserHives",
}
NATIVE = {"secedit.exe": "/export", "auditpol.exe": "/backup", "wevtutil.exe": "gl"}
ALLOWED_METHODS = {
    "GetValueNames", "GetValue", "ToUniversalTime", "ToString", "IsInRole", "GetCurrent", "Translate", "Split",
    "GetAccessRules", "GetOwner", "Invoke", "GetType", "InvokeMember", "CreateUpdateSearcher", "GetTotalHistoryCount",
    "QueryHistory", "Min", "Trim", "AddSeconds",
}
FORBIDDEN = [r"\bSet-(?!Content)\w+", r"\bRemove-\w+", r"\bEnable-\w+", r"\bDisable-\w+", r"\bStart-\w+", r"\bStop-\w+",
             r"\bRestart-\w+", r"\bInstall-\w+", r"\bInvoke-(Expression|WebRequest|RestMethod|Command)\b", r"\biex\b",
             r"\bNew-ItemProperty\b", r"\breg(\.exe)?\s+(add|delete|save|import|export)\b", r"\bnet(\.exe)?\s+(user|localgroup|accounts)\b",
             r"\bntdsutil\b", r"\bvssadmin\b", r"\bsecedit(\.exe)?\s+/(configure|import)", r"\bauditpol(\.exe)?\s+/(set|restore|clear)",
             r"\bwevtutil(\.exe)?\s+(sl|cl|set-log|clear-log|im|um)\b", r"\bbcdedit\b", r"\bschtasks\b", r"DownloadString",
             r"\bSAM\b", r"NTHash", r"\.(SetValue|DeleteValue|CreateSubKey|DeleteSubKey\w*|SetAccessControl)\("]


def code_only(script: str) -> str:
    """The script without comments and with string contents blanked (so words in messages are not commands)."""
    script = re.sub(r"<#.*?#>", "", script, flags=re.DOTALL)
    out, i, quote = [], 0, ""
    while i < len(script):
        ch = script[i]
        if quote:
            if ch == quote and not (quote == '"' and script[i - 1] == "`"):
                quote = ""
                out.append(ch)
            elif ch == "\n":
                out.append(ch)
            elif quote == '"' and ch == "$" and i + 1 < len(script) and (script[i + 1].isalpha() or script[i + 1] == "("):
                out.append(ch)  # expandable string: variables and subexpressions stay visible
            else:
                out.append(" " if not ch.isspace() else ch)
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "#":
            while i < len(script) and script[i] != "\n":
                i += 1
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


SCRIPT = script_text()
CODE = code_only(SCRIPT)


def test_only_allowed_cmdlets_and_functions() -> None:
    used = set(re.findall(r"\b([A-Z][a-z]+-[A-Z][A-Za-z0-9]+)\b", CODE))
    assert used - ALLOWED_CMDLETS == set()
    assert {"Get-LocalUser", "Get-NetFirewallRule", "Get-MpComputerStatus", "Get-HotFix", "Get-Acl"} <= used


def test_native_commands_only_read() -> None:
    calls = re.findall(r"&\s*([\w.-]+\.exe)\s+(\S+)", CODE)
    assert {exe for exe, _ in calls} == set(NATIVE)
    for exe, first in calls:
        assert first == NATIVE[exe], (exe, first)
    assert re.findall(r"-ComObject\s+([\w.]+)", CODE) == ["Microsoft.Update.Session"]


def test_nothing_writes_system_settings() -> None:
    for pattern in FORBIDDEN:
        assert not re.search(pattern, CODE, flags=re.IGNORECASE), pattern
    calls = re.sub(r"New-Object\s+[\w.]+", "", CODE)  # constructors: the type names are not method calls
    methods = set(re.findall(r"\.([A-Z]\w*)\(", calls)) | set(re.findall(r"::([A-Z]\w*)\(", calls))
    assert methods - ALLOWED_METHODS == set()
    assert set(re.findall(r"New-Item\s+-ItemType\s+(\w+)", CODE)) == {"Directory"}


def test_never_collects_passwords_or_hashes() -> None:
    assert re.findall(r".*DefaultPassword(?!Present).*", SCRIPT) == \
        ["    $values['DefaultPasswordPresent'] = (Get-Item -LiteralPath $path).GetValueNames() -contains 'DefaultPassword'"]
    for needle in ("HKLM:\\SAM", "HKLM\\SAM", "ntds.dit", "lsass", "Get-ADDBAccount", "mimikatz", "ConvertFrom-SecureString"):
        assert needle.lower() not in SCRIPT.lower()


def test_windows_powershell_51_syntax() -> None:
    for pattern in (r"\?\?", r"\?\.", r"&&", r"\|\|", r"-Parallel", r"\bclean\s*\{", r"\?\s*\$\w+\s*:"):
        assert not re.search(pattern, CODE), pattern
    assert "-Encoding UTF8" in SCRIPT  # PS 5.1 writes UTF-8 with BOM, PS 7 without: the audit reads both


def test_parts_match_what_the_audit_reads() -> None:
    parts = set(re.findall(r"Invoke-Part '(\w+)'", SCRIPT))
    assert parts == set(PARTS) | {"eventlogs"}
    files = set(re.findall(r"Save-Json '([\w.]+)'", SCRIPT)) | set(re.findall(r"Join-Path \$Bundle '([\w.]+)'", SCRIPT))
    assert {file for file, _ in PARTS.values()} <= files


def test_documented_invocation_changes_process_scope_only(tmp_path: Path) -> None:
    assert RUN_LINE == r"powershell.exe -NoProfile -ExecutionPolicy Bypass -File .\wardwatch-collect.ps1"
    assert RUN_LINE in SCRIPT
    path = write_script(tmp_path / "x.ps1")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    from importlib import resources
    shipped = (resources.files("wardwatch.collector") / "wardwatch-collect.ps1").read_bytes()
    assert shipped.startswith(b"\xef\xbb\xbf") and not script_text().startswith("\ufeff")


@pytest.mark.skipif(shutil.which("pwsh") is None, reason="pwsh is not installed (not on the package registries here)")
def test_pwsh_parses_the_script(tmp_path: Path) -> None:
    path = write_script(tmp_path / "wardwatch-collect.ps1")
    check = ("$e = $null; [void][System.Management.Automation.Language.Parser]::ParseFile('%s', [ref]$null, [ref]$e); "
             "if ($e) { $e | ForEach-Object { $_.ToString() }; exit 1 }" % path)
    done = subprocess.run(["pwsh", "-NoProfile", "-Command", check], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
