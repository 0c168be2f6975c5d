"""apply.ps1 and undo.ps1 of a host plan: save every current value, then change (only with -Apply), and undo."""
from __future__ import annotations

from .plan import FIREWALL_RULE, RDP_RULE, HostPlan

MARKER = "wardwatch-backup.txt"
APPLIED = "applied.txt"  # written into the backup folder once -Apply has changed the host


def q(text: str) -> str:
    """A PowerShell single-quoted string."""
    return "'" + str(text).replace("'", "''") + "'"


COMMON = r"""
$ErrorActionPreference = 'Stop'
$Here = Split-Path -Parent $MyInvocation.MyCommand.Path

function Invoke-Step {
    param([string]$Text, [scriptblock]$Action)
    if ($Apply) {
        Write-Host "[実行 / apply] $Text"
        & $Action
    } else {
        Write-Host "[WhatIf] $Text"
    }
}

function Invoke-Native {
    param([string]$Exe, [string[]]$Arguments)
    $ErrorActionPreference = 'Continue'
    $out = & $Exe @Arguments 2>&1
    foreach ($line in $out) { Write-Host "    $line" }
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' '): exit code $LASTEXITCODE" }
}
"""


def _header(plan: HostPlan, what: str, param: str) -> list[str]:
    return ["<#", ".SYNOPSIS", f"    WardWatch {what}: {plan.host}",
            ".DESCRIPTION",
            "    既定では何も変更しません（WhatIf: 何をするかを表示するだけ）。-Apply を付けた時だけ変更します。",
            "    By default nothing is changed (WhatIf: it only shows what it would do); -Apply really changes.",
            "    先に plan.html を読み、事業者と調整してから実行してください。/ Read plan.html and coordinate first.",
            "#>", "#Requires -RunAsAdministrator", "[CmdletBinding()]", f"param({param})", COMMON.strip("\n"),
            f"$ExpectedHost = {q(plan.host)}",
            "if ($env:COMPUTERNAME -ne $ExpectedHost) {",
            "    Write-Warning \"この計画は $ExpectedHost 用です（このコンピューターは $env:COMPUTERNAME）。何も変更していません。/ This plan is for $ExpectedHost, not $env:COMPUTERNAME. Nothing was changed.\"",
            "    exit 2", "}",
            "if ([Environment]::Is64BitOperatingSystem -and -not [Environment]::Is64BitProcess) {",
            "    Write-Warning '32 ビット版の PowerShell ではレジストリが別の場所に書かれます。64 ビット版で実行してください。/ Run the 64-bit PowerShell: a 32-bit one writes the registry elsewhere (WOW6432Node).'",
            "    exit 2", "}"]


def _reg_table(plan: HostPlan) -> list[str]:
    rows = [f"    @{{ Key = {q(s.key[1])}; Name = {q(s.key[2])}; Secret = ${str(s.secret).lower()} }}" for s in plan.steps_of("reg")]
    return ["$RegValues = @(", ",\n".join(rows), ")"]


def render_apply(plan: HostPlan) -> str:
    L = _header(plan, "修正の適用 / apply the fix plan", "[switch]$Apply")
    inf, audit, reg = plan.steps_of("inf"), plan.steps_of("auditpol"), plan.steps_of("reg")
    logs, fw, feats = plan.steps_of("eventlog"), plan.steps_of("firewall"), plan.steps_of("feature")
    scope = plan.steps_of("scope")
    L += ["",
          "# 0. 適用済みなら止める（2 回目のバックアップは元の値ではない）/ stop if already applied (a second backup would not hold the original values)",
          f"$done = Get-ChildItem -LiteralPath $Here -Directory -Filter 'backup-*' | Where-Object {{ Test-Path -LiteralPath (Join-Path $_.FullName {q(APPLIED)}) }}",
          "if ($Apply -and $done) {",
          "    Write-Warning \"適用済みです: $($done[0].FullName)。先にそこの undo.ps1 -Apply で戻してください。/ Already applied: undo with that folder's undo.ps1 -Apply first.\"",
          "    exit 3",
          "}",
          "",
          "# 1. 現在の値をすべて保存する / save every current value (in both modes; nothing is changed here)",
          "$Backup = Join-Path $Here ('backup-' + (Get-Date -Format 'yyyyMMdd-HHmmss'))",
          "New-Item -ItemType Directory -Path $Backup -Force | Out-Null",
          "Set-Content -LiteralPath (Join-Path $Backup " + q(MARKER) + ") -Value \"WardWatch backup of $ExpectedHost $(Get-Date -Format o)\" -Encoding UTF8",
          "Write-Host \"保存先 / backup: $Backup\""]
    if inf:
        L += ["Invoke-Native 'secedit.exe' @('/export', '/cfg', (Join-Path $Backup 'secedit-before.inf'), '/areas', 'SECURITYPOLICY', '/quiet')"]
    if audit:
        L += ["Invoke-Native 'auditpol.exe' @('/backup', \"/file:$(Join-Path $Backup 'auditpol-before.csv')\")"]
    if reg:
        L += _reg_table(plan)
        L += ["$RegBefore = foreach ($v in $RegValues) {",
              "    $path = 'Registry::' + $v.Key",
              "    $keyExisted = Test-Path -LiteralPath $path",
              "    $existed = $false; $kind = ''; $value = $null",
              "    if ($keyExisted) {",
              "        $item = Get-Item -LiteralPath $path",
              "        if ($item.GetValueNames() -contains $v.Name) {",
              "            $existed = $true",
              "            $kind = $item.GetValueKind($v.Name).ToString()",
              "            if (-not $v.Secret) { $value = $item.GetValue($v.Name) }  # a secret is never written down",
              "        }",
              "    }",
              "    [pscustomobject]@{ Key = $v.Key; Name = $v.Name; KeyExisted = $keyExisted; Existed = $existed; Kind = $kind; Value = $value; Secret = $v.Secret }",
              "}",
              "ConvertTo-Json -InputObject @($RegBefore) -Depth 3 | Set-Content -LiteralPath (Join-Path $Backup 'registry-before.json') -Encoding UTF8",
              "$n = 0",
              "foreach ($k in ($RegValues | Where-Object { -not $_.Secret } | ForEach-Object { $_.Key } | Select-Object -Unique)) {",
              "    $n++",
              "    if (Test-Path -LiteralPath ('Registry::' + $k)) {",
              "        Invoke-Native 'reg.exe' @('export', $k, (Join-Path $Backup \"reg-before-$n.reg\"), '/y')",
              "    }",
              "}"]
    if logs:
        names = sorted({s.key[1] for s in logs})
        L += ["$Logs = @(" + ", ".join(q(n) for n in names) + ")",
              "foreach ($log in $Logs) {",
              "    $file = Join-Path $Backup ('eventlog-' + ($log -replace '/', '%4') + '.xml')",
              "    $ErrorActionPreference = 'Continue'",
              "    $xml = & wevtutil.exe gl $log /f:xml",
              "    $ErrorActionPreference = 'Stop'",
              "    if ($LASTEXITCODE -eq 0) { Set-Content -LiteralPath $file -Value $xml -Encoding UTF8 }",
              "}"]
    if fw or scope:
        L += ["Invoke-Native 'netsh.exe' @('advfirewall', 'export', (Join-Path $Backup 'firewall-before.wfw'))"]
    for s in scope:
        L += ["$ScopeBefore = @{}",
              f"foreach ($r in @(Get-NetFirewallRule -Group {q(s.key[1])} -Direction Inbound -ErrorAction SilentlyContinue)) {{",
              "    $ScopeBefore[$r.Name] = @(($r | Get-NetFirewallAddressFilter).RemoteAddress | ForEach-Object { [string]$_ })",
              "}",
              "ConvertTo-Json -InputObject $ScopeBefore -Depth 3 | Set-Content -LiteralPath (Join-Path $Backup 'firewall-scope-before.json') -Encoding UTF8"]
    if feats:
        L += ["$Features = @{}",
              *[f"$f = Get-WindowsOptionalFeature -Online -FeatureName {q(s.key[1])} -ErrorAction SilentlyContinue\n"
                f"$Features[{q(s.key[1])}] = if ($f) {{ [string]$f.State }} else {{ '' }}" for s in feats],
              "ConvertTo-Json -InputObject $Features | Set-Content -LiteralPath (Join-Path $Backup 'features-before.json') -Encoding UTF8"]
    L += ["Copy-Item -LiteralPath (Join-Path $Here 'undo.ps1') -Destination $Backup",
          "", "# 2. 変更 / changes (only with -Apply); the mark is written first, so a half-done run is still undone from here",
          f"if ($Apply) {{ Set-Content -LiteralPath (Join-Path $Backup {q(APPLIED)}) -Value \"applied $(Get-Date -Format o)\" -Encoding UTF8 }}"]
    if inf:
        L += ["Invoke-Step 'secedit /configure secpol.inf (" + ", ".join(s.key[2].rsplit("\\", 1)[-1] for s in inf) + ")' {",
              "    Invoke-Native 'secedit.exe' @('/configure', '/db', (Join-Path $Backup 'wardwatch.sdb'), '/cfg', (Join-Path $Here 'secpol.inf'), '/areas', 'SECURITYPOLICY', '/quiet')",
              "}"]
    if audit:
        L += ["Invoke-Step 'auditpol /set: auditpol.csv の各行 / each row of auditpol.csv (" + ", ".join(s.key[2] for s in audit) + ")' {",
              "    foreach ($row in (Import-Csv -LiteralPath (Join-Path $Here 'auditpol.csv'))) {",
              "        $v = [int]$row.'Setting Value'",
              "        $s = if ($v -band 1) { 'enable' } else { 'disable' }",
              "        $f = if ($v -band 2) { 'enable' } else { 'disable' }",
              "        Invoke-Native 'auditpol.exe' @('/set', \"/subcategory:$($row.'Subcategory GUID')\", \"/success:$s\", \"/failure:$f\")",
              "    }",
              "}"]
    for name in dict.fromkeys(c.file for c in plan.changes if c.kind == "reg"):
        L += [f"Invoke-Step {q('reg import ' + name)} {{", f"    Invoke-Native 'reg.exe' @('import', (Join-Path $Here {q(name)}))", "}"]
    for s in logs:
        arg = f"/ms:{int(s.new)}" if s.key[2] == "max_size" else "/rt:false"
        L += [f"Invoke-Step {q('wevtutil sl ' + s.key[1] + ' ' + arg)} {{",
              f"    Invoke-Native 'wevtutil.exe' @('sl', {q(s.key[1])}, {q(arg)})", "}"]
    for s in fw:
        port = s.new["local_port"][0]
        L += [f"Invoke-Step {q(f'New-NetFirewallRule {FIREWALL_RULE} (TCP {port}, 既存の RDP 規則と同じ接続元 / same sources as the RDP rule)')} {{",
              "    $scope = @('Any')",
              f"    $old = Get-NetFirewallRule -Name {q(RDP_RULE)} -ErrorAction SilentlyContinue",
              "    if ($old) { $scope = @(($old | Get-NetFirewallAddressFilter).RemoteAddress) }",
              f"    New-NetFirewallRule -Name {q(FIREWALL_RULE)} -DisplayName {q(s.new['display_name'])} -Direction Inbound -Protocol TCP "
              f"-LocalPort {port} -RemoteAddress $scope -Action Allow -Profile Any | Out-Null", "}"]
    for s in scope:
        addrs = ", ".join(q(a) for a in s.new)
        L += [f"Invoke-Step {q('Set-NetFirewallRule (RDP rules, ' + s.key[2] + ') -RemoteAddress ' + ', '.join(s.new))} {{",
              f"    $addresses = @({addrs})",
              f"    $rules = @(Get-NetFirewallRule -Group {q(s.key[1])} -Direction Inbound -ErrorAction SilentlyContinue) + "
              f"@(Get-NetFirewallRule -Name {q(s.key[2])} -ErrorAction SilentlyContinue)",
              "    foreach ($r in $rules) { Set-NetFirewallRule -Name $r.Name -RemoteAddress $addresses }", "}"]
    for s in feats:
        L += [f"Invoke-Step {q('Disable-WindowsOptionalFeature ' + s.key[1])} {{",
              f"    if (Get-WindowsOptionalFeature -Online -FeatureName {q(s.key[1])} -ErrorAction SilentlyContinue) {{",
              f"        Disable-WindowsOptionalFeature -Online -FeatureName {q(s.key[1])} -NoRestart | Out-Null", "    }", "}"]
    L += ["", "if ($Apply) {",
          "    Write-Host \"完了。元に戻すには / to undo:  & '$Backup\\undo.ps1' -Apply\""]
    if plan.port:
        L += [f"    Write-Host 'RDP のポートは Restart-Service TermService -Force（接続中の RDP は切れます）か再起動で有効 / the RDP port takes effect after Restart-Service TermService -Force (drops sessions) or a reboot: mstsc /v:{plan.host}:{plan.port}'"]
    if feats:
        L += ["    Write-Host 'SMBv1 の変更は再起動後に有効 / the SMBv1 change takes effect after a reboot'"]
    L += ["} else {",
          "    Write-Host \"WhatIf: 何も変更していません（現在の値は $Backup に保存）。変更するには -Apply / nothing changed (current values saved in $Backup); add -Apply to change\"",
          "}"]
    return "\n".join(L).replace("\n", "\r\n") + "\r\n"


def render_undo(plan: HostPlan) -> str:
    L = _header(plan, "元に戻す / undo the fix plan", "[string]$BackupDir = '', [switch]$Apply")
    L += ["",
          "if (-not $BackupDir) {",
          f"    if (Test-Path -LiteralPath (Join-Path $Here {q(MARKER)})) {{ $BackupDir = $Here }}",
          "    else {",
          f"        $latest = Get-ChildItem -LiteralPath $Here -Directory -Filter 'backup-*' | Where-Object {{ Test-Path -LiteralPath (Join-Path $_.FullName {q(APPLIED)}) }} | Sort-Object Name | Select-Object -Last 1",
          "        if (-not $latest) { throw 'バックアップが見つかりません / no backup folder found: give -BackupDir' }",
          "        $BackupDir = $latest.FullName",
          "    }",
          "}",
          "Write-Host \"バックアップ / backup: $BackupDir\""]
    if plan.steps_of("feature"):
        L += ["$featFile = Join-Path $BackupDir 'features-before.json'",
              "if (Test-Path -LiteralPath $featFile) {",
              "    $before = Get-Content -Raw -LiteralPath $featFile | ConvertFrom-Json",
              "    foreach ($p in $before.PSObject.Properties) {",
              "        if ($p.Value -eq 'Enabled') {",
              "            Invoke-Step \"Enable-WindowsOptionalFeature $($p.Name)\" { Enable-WindowsOptionalFeature -Online -FeatureName $p.Name -NoRestart -All | Out-Null }",
              "        }", "    }", "}"]
    if plan.steps_of("scope"):
        L += ["$scopeFile = Join-Path $BackupDir 'firewall-scope-before.json'",
              "if (Test-Path -LiteralPath $scopeFile) {",
              "    $before = Get-Content -Raw -LiteralPath $scopeFile | ConvertFrom-Json",
              "    foreach ($p in $before.PSObject.Properties) {",
              "        Invoke-Step \"Set-NetFirewallRule $($p.Name) -RemoteAddress $(@($p.Value) -join ', ')\" { Set-NetFirewallRule -Name $p.Name -RemoteAddress @($p.Value) }",
              "    }", "}"]
    if plan.steps_of("firewall"):
        L += [f"Invoke-Step {q('Remove-NetFirewallRule ' + FIREWALL_RULE)} {{",
              f"    Remove-NetFirewallRule -Name {q(FIREWALL_RULE)} -ErrorAction SilentlyContinue", "}"]
    if plan.steps_of("eventlog"):
        L += ["foreach ($file in (Get-ChildItem -LiteralPath $BackupDir -Filter 'eventlog-*.xml')) {",
              "    [xml]$x = Get-Content -Raw -LiteralPath $file.FullName",
              "    $name = $x.channel.name",
              "    $size = $x.channel.logging.maxSize",
              "    $rt = $x.channel.logging.retention",
              "    Invoke-Step \"wevtutil sl $name /ms:$size /rt:$rt\" { Invoke-Native 'wevtutil.exe' @('sl', $name, \"/ms:$size\", \"/rt:$rt\") }",
              "}"]
    if plan.steps_of("reg"):
        L += ["$regFile = Join-Path $BackupDir 'registry-before.json'",
              "foreach ($v in (Get-Content -Raw -LiteralPath $regFile | ConvertFrom-Json)) {",
              "    $path = 'Registry::' + $v.Key",
              "    if ($v.Secret) {",
              "        if ($v.Existed) { Write-Warning \"$($v.Name): 秘密の値は保存していないため戻せません（必要なら人が入力し直す）/ a secret is never saved, so it cannot be put back\" }",
              "        continue",
              "    }",
              "    if ($v.Existed) {",
              "        Invoke-Step \"$($v.Key)\\$($v.Name) = $($v.Value) ($($v.Kind))\" {",
              "            if (-not (Test-Path -LiteralPath $path)) { New-Item -Path $path -Force | Out-Null }",
              "            New-ItemProperty -LiteralPath $path -Name $v.Name -PropertyType $v.Kind -Value $v.Value -Force | Out-Null",
              "        }",
              "    } else {",
              "        Invoke-Step \"$($v.Key)\\$($v.Name): 削除（元はなかった）/ delete (it did not exist)\" {",
              "            Remove-ItemProperty -LiteralPath $path -Name $v.Name -ErrorAction SilentlyContinue",
              "            $k = Get-Item -LiteralPath $path -ErrorAction SilentlyContinue",
              "            if (-not $v.KeyExisted -and $k -and $k.ValueCount -eq 0 -and $k.SubKeyCount -eq 0) { Remove-Item -LiteralPath $path }",
              "        }",
              "    }",
              "}"]
    if plan.steps_of("auditpol"):
        L += ["Invoke-Step 'auditpol /restore auditpol-before.csv' {",
              "    Invoke-Native 'auditpol.exe' @('/restore', \"/file:$(Join-Path $BackupDir 'auditpol-before.csv')\")", "}"]
    if plan.steps_of("inf"):
        L += ["Invoke-Step 'secedit /configure secedit-before.inf' {",
              "    Invoke-Native 'secedit.exe' @('/configure', '/db', (Join-Path $BackupDir 'undo.sdb'), '/cfg', (Join-Path $BackupDir 'secedit-before.inf'), '/areas', 'SECURITYPOLICY', '/quiet')",
              "}"]
    L += ["if ($Apply) {",
          f"    Remove-Item -LiteralPath (Join-Path $BackupDir {q(APPLIED)}) -ErrorAction SilentlyContinue",
          "    Write-Host '元に戻しました / undone'",
          "} else {",
          "    Write-Host 'WhatIf: 何も変更していません。戻すには -Apply / nothing changed; add -Apply to undo'",
          "}"]
    return "\n".join(L).replace("\n", "\r\n") + "\r\n"


def encode_ps1(text: str) -> bytes:
    """UTF-8 with a BOM: Windows PowerShell 5.1 reads a BOM-less script as ANSI (CP932) and breaks Japanese."""
    return b"\xef\xbb\xbf" + text.encode("utf-8")
