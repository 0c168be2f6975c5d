<#
.SYNOPSIS
    WardWatch collector: reads this computer's security settings with built-in Windows commands
    and writes one bundle (a folder and a .zip) for `wardwatch audit`.
    WardWatch 収集スクリプト: Windows 標準のコマンドだけでこのコンピューターのセキュリティ設定を読み取り、
    `wardwatch audit` 用の束（フォルダーと .zip）を 1 つ作ります。

.DESCRIPTION
    - Changes no setting, installs nothing, needs no internet. 設定は一切変更しません。
    - Never collects a password or a password hash: for auto-logon only the presence of a stored
      password is recorded, never its value. パスワードやハッシュは集めません。
    - Run it as administrator (secedit and auditpol need it). 管理者として実行してください。
    - Windows PowerShell 5.1 (Windows 10/11, Server 2012 R2 - 2025) or PowerShell 7.

    Run (one line; the execution policy is bypassed for this one process only, nothing is changed
    for the machine or the user):
    実行方法（1 行。実行ポリシーはこのプロセスだけ回避し、コンピューターやユーザーの設定は変えません）:

        powershell.exe -NoProfile -ExecutionPolicy Bypass -File .\wardwatch-collect.ps1

    The bundle is written beside the script (or to -OutDir) as
    wardwatch-<COMPUTERNAME>-<yyyyMMdd-HHmmss> and the same name with .zip.
    束はスクリプトと同じフォルダー（または -OutDir）に作られます。

.PARAMETER OutDir
    Folder where the bundle is written (default: the script's folder). 保存先フォルダー（既定はスクリプトの場所）。

.PARAMETER NoZip
    Keep the folder only, do not make a .zip. .zip を作らない。
#>
[CmdletBinding()]
param(
    [string]$OutDir = $(if ($PSScriptRoot) { $PSScriptRoot } else { (Get-Location).Path }),
    [switch]$NoZip
)

$ErrorActionPreference = 'Stop'
$CollectorVersion = '1.0'
$Inv = [System.Globalization.CultureInfo]::InvariantCulture
$Started = Get-Date
$Stamp = $Started.ToString('yyyyMMdd-HHmmss', $Inv)
$BundleName = 'wardwatch-{0}-{1}' -f $env:COMPUTERNAME, $Stamp
$Bundle = Join-Path $OutDir $BundleName
New-Item -ItemType Directory -Path $Bundle -Force | Out-Null
New-Item -ItemType Directory -Path (Join-Path $Bundle 'eventlogs') -Force | Out-Null
$Parts = [ordered]@{}

$Principal = New-Object System.Security.Principal.WindowsPrincipal([System.Security.Principal.WindowsIdentity]::GetCurrent())
$IsAdmin = $Principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
if (-not $IsAdmin) {
    Write-Warning 'Not running as administrator: some parts will be missing. 管理者として実行されていません。一部の項目が集められません。'
}

function ConvertTo-Iso($Value) {
    # A date as UTC ISO 8601 text, whatever the machine's language and calendar.
    if ($null -eq $Value) { return $null }
    if ($Value -is [datetime]) {
        if ($Value.Year -le 1601) { return $null }
        return $Value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $Inv)
    }
    return [string]$Value
}

function Save-Text([string]$Name, [string]$Text) {
    Set-Content -LiteralPath (Join-Path $Bundle $Name) -Value $Text -Encoding UTF8
}

function Save-Json([string]$Name, $Object) {
    Save-Text $Name (ConvertTo-Json -InputObject $Object -Depth 6)
}

function Save-Manifest([string]$State) {
    Save-Json 'manifest.json' ([ordered]@{
        format           = 'wardwatch-bundle'
        collector        = $CollectorVersion
        host             = $env:COMPUTERNAME
        collected_at     = ConvertTo-Iso $Started
        finished_at      = ConvertTo-Iso (Get-Date)
        state            = $State
        is_admin         = $IsAdmin
        ps_version       = $PSVersionTable.PSVersion.ToString()
        ui_culture       = (Get-UICulture).Name
        parts            = $Parts
    })
}

function Invoke-Part([string]$Name, [scriptblock]$Block) {
    Write-Host ('  {0} ...' -f $Name)
    try {
        $note = & $Block
        $Parts[$Name] = [ordered]@{ status = 'ok'; note = [string]$note }
    } catch {
        $Parts[$Name] = [ordered]@{ status = 'error'; message = $_.Exception.Message }
        Write-Warning ('{0}: {1}' -f $Name, $_.Exception.Message)
    }
    Save-Manifest 'running'
}

function Get-RegValues([string]$Path, [string[]]$Names) {
    # Named values of one registry key, read only; exists = $false when the key is absent.
    $out = [ordered]@{ path = $Path; exists = $false }
    if (Test-Path -LiteralPath $Path) {
        $out.exists = $true
        $key = Get-Item -LiteralPath $Path
        $present = $key.GetValueNames()
        foreach ($n in $Names) {
            if ($present -contains $n) { $out[$n] = $key.GetValue($n) } else { $out[$n] = $null }
        }
    }
    return $out
}

function Get-UserHives {
    # Loaded user hives (S-1-5-21-...), for per-user installs and Office policies.
    Get-ChildItem -LiteralPath 'Registry::HKEY_USERS' |
        Where-Object { $_.PSChildName -match '^S-1-5-21-[\d-]+$' } |
        ForEach-Object { $_.PSChildName }
}

Write-Host ('WardWatch collector {0}: {1}' -f $CollectorVersion, $Bundle)
Save-Manifest 'running'

Invoke-Part 'system' {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    $cs = Get-CimInstance -ClassName Win32_ComputerSystem
    Save-Json 'system.json' ([ordered]@{
        computer_name  = $env:COMPUTERNAME
        dns_host_name  = $cs.DNSHostName
        domain         = $cs.Domain
        part_of_domain = [bool]$cs.PartOfDomain
        domain_role    = [int]$cs.DomainRole
        os_caption     = $os.Caption
        os_version     = $os.Version
        os_build       = $os.BuildNumber
        product_type   = [int]$os.ProductType
        os_language    = [int]$os.OSLanguage
        install_date   = ConvertTo-Iso $os.InstallDate
        last_boot      = ConvertTo-Iso $os.LastBootUpTime
        current_version = Get-RegValues 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' @('ProductName', 'EditionID', 'DisplayVersion', 'ReleaseId', 'CurrentBuild', 'UBR', 'InstallationType')
        ps_version     = $PSVersionTable.PSVersion.ToString()
        culture        = (Get-Culture).Name
        ui_culture     = (Get-UICulture).Name
    })
}

Invoke-Part 'secedit' {
    $ErrorActionPreference = 'Continue'  # console tools write to stderr; keep going and check the exit code
    $path = Join-Path $Bundle 'secedit.inf'
    $log = Join-Path $Bundle 'secedit.log'
    & secedit.exe /export /cfg $path /areas SECURITYPOLICY USER_RIGHTS /log $log /quiet | Out-Null
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $path)) {
        throw ('secedit /export failed (exit code {0}); run as administrator' -f $LASTEXITCODE)
    }
}

Invoke-Part 'auditpol' {
    $ErrorActionPreference = 'Continue'
    $path = Join-Path $Bundle 'auditpol.csv'
    & auditpol.exe /backup "/file:$path" | Out-Null
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $path)) {
        throw ('auditpol /backup failed (exit code {0}); run as administrator' -f $LASTEXITCODE)
    }
}

Invoke-Part 'eventlogs' {
    $logs = @('Security', 'System', 'Application',
        'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational',
        'Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational',
        'Microsoft-Windows-TerminalServices-RDPClient/Operational',
        'Microsoft-Windows-SmbClient/Security', 'Microsoft-Windows-SMBServer/Security',
        'Microsoft-Windows-Windows Defender/Operational', 'Microsoft-Windows-PowerShell/Operational',
        'Windows PowerShell', 'Microsoft-Windows-Sysmon/Operational')
    $ErrorActionPreference = 'Continue'
    $index = [ordered]@{}
    foreach ($log in $logs) {
        $file = 'eventlogs/' + ($log -replace '/', '%4') + '.xml'
        $xml = $null
        try { $xml = & wevtutil.exe gl $log /f:xml 2>$null } catch { $xml = $null }
        if ($LASTEXITCODE -eq 0 -and $xml) {
            Save-Text $file (($xml | Out-String).Trim())
            $index[$log] = [ordered]@{ status = 'ok'; file = $file }
        } else {
            $index[$log] = [ordered]@{ status = 'absent'; exit_code = $LASTEXITCODE }
        }
    }
    Save-Json 'eventlogs.json' $index
}

Invoke-Part 'eventlog_acl' {
    $path = Join-Path $env:SystemRoot 'System32\winevt\Logs'
    $acl = Get-Acl -LiteralPath $path
    $sidType = [System.Security.Principal.SecurityIdentifier]
    $rules = @($acl.GetAccessRules($true, $true, $sidType) | ForEach-Object {
        [ordered]@{
            sid       = $_.IdentityReference.Value
            rights    = [string]$_.FileSystemRights
            mask      = [int64]$_.FileSystemRights
            type      = [string]$_.AccessControlType
            inherited = [bool]$_.IsInherited
        }
    })
    Save-Json 'eventlog_acl.json' ([ordered]@{ path = $path; owner = $acl.GetOwner($sidType).Value; sddl = $acl.Sddl; rules = $rules })
}

Invoke-Part 'users' {
    $users = @()
    if (Get-Command -Name Get-LocalUser -ErrorAction SilentlyContinue) {
        $users = @(Get-LocalUser | ForEach-Object {
            [ordered]@{
                name                   = $_.Name
                sid                    = $_.SID.Value
                enabled                = [bool]$_.Enabled
                last_logon             = ConvertTo-Iso $_.LastLogon
                password_last_set      = ConvertTo-Iso $_.PasswordLastSet
                password_expires       = ConvertTo-Iso $_.PasswordExpires
                password_never_expires = ($null -eq $_.PasswordExpires)
                password_required      = [bool]$_.PasswordRequired
                description            = $_.Description
            }
        })
    } else {
        # Windows Server 2012 R2 and older: ADSI (WinNT provider), read only.
        $computer = [ADSI]('WinNT://{0},computer' -f $env:COMPUTERNAME)
        $users = @($computer.Children | Where-Object { $_.SchemaClassName -eq 'User' } | ForEach-Object {
            $flags = [int]$_.UserFlags.Value
            $sid = (New-Object System.Security.Principal.SecurityIdentifier($_.objectSid.Value, 0)).Value
            $last = $null
            try { $last = ConvertTo-Iso ([datetime]$_.LastLogin.Value) } catch { $last = $null }
            [ordered]@{
                name                   = [string]$_.Name.Value
                sid                    = $sid
                enabled                = -not [bool]($flags -band 0x2)
                last_logon             = $last
                password_last_set      = ConvertTo-Iso ((Get-Date).AddSeconds(-[double]$_.PasswordAge.Value))
                password_expires       = $null
                password_never_expires = [bool]($flags -band 0x10000)
                password_required      = -not [bool]($flags -band 0x20)
                description            = [string]$_.Description.Value
            }
        })
    }
    Save-Json 'users.json' $users
}

Invoke-Part 'groups' {
    $result = [ordered]@{}
    foreach ($sid in @('S-1-5-32-544', 'S-1-5-32-555')) {
        $groupName = (New-Object System.Security.Principal.SecurityIdentifier($sid)).Translate([System.Security.Principal.NTAccount]).Value.Split('\')[-1]
        $members = @()
        try {
            $group = [ADSI]('WinNT://{0}/{1},group' -f $env:COMPUTERNAME, $groupName)
            $members = @($group.Invoke('Members') | ForEach-Object {
                $type = $_.GetType()
                $adsPath = $type.InvokeMember('ADsPath', 'GetProperty', $null, $_, $null)
                $class = $type.InvokeMember('Class', 'GetProperty', $null, $_, $null)
                $msid = $null
                try {
                    $bytes = $type.InvokeMember('objectSid', 'GetProperty', $null, $_, $null)
                    $msid = (New-Object System.Security.Principal.SecurityIdentifier($bytes, 0)).Value
                } catch { $msid = $null }
                $name = ($adsPath -replace '^WinNT://', '') -replace '/', '\'
                [ordered]@{ name = $name; sid = $msid; class = $class; source = 'ADSI' }
            })
        } catch {
            $members = @(Get-LocalGroupMember -SID $sid | ForEach-Object {
                [ordered]@{ name = $_.Name; sid = $_.SID.Value; class = [string]$_.ObjectClass; source = [string]$_.PrincipalSource }
            })
        }
        $result[$sid] = [ordered]@{ name = $groupName; members = $members }
    }
    Save-Json 'groups.json' $result
}

Invoke-Part 'winlogon' {
    $path = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon'
    $values = Get-RegValues $path @('AutoAdminLogon', 'DefaultUserName', 'DefaultDomainName', 'AutoLogonCount', 'ForceAutoLogon')
    # Presence only: the stored password itself is never read.
    $values['DefaultPasswordPresent'] = (Get-Item -LiteralPath $path).GetValueNames() -contains 'DefaultPassword'
    Save-Json 'winlogon.json' $values
}

Invoke-Part 'rdp' {
    $ts = Get-RegValues 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server' @('fDenyTSConnections')
    $tcp = Get-RegValues 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp' @('PortNumber', 'UserAuthentication', 'SecurityLayer', 'MinEncryptionLevel')
    $pol = Get-RegValues 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services' @('fDenyTSConnections', 'UserAuthentication', 'SecurityLayer', 'MinEncryptionLevel', 'fAllowToGetHelp')
    $svc = Get-CimInstance -ClassName Win32_Service -Filter "Name='TermService'"
    $port = 3389
    if ($null -ne $tcp['PortNumber']) { $port = [int]$tcp['PortNumber'] }
    $profiles = @()
    $rules = @()
    if (Get-Command -Name Get-NetFirewallRule -ErrorAction SilentlyContinue) {
        $profiles = @(Get-NetFirewallProfile -PolicyStore ActiveStore | ForEach-Object {
            [ordered]@{ name = [string]$_.Name; enabled = [string]$_.Enabled; default_inbound = [string]$_.DefaultInboundAction }
        })
        $ports = @{}
        Get-NetFirewallPortFilter -All -PolicyStore ActiveStore | ForEach-Object { $ports[$_.InstanceID] = $_ }
        $addresses = @{}
        Get-NetFirewallAddressFilter -All -PolicyStore ActiveStore | ForEach-Object { $addresses[$_.InstanceID] = $_ }
        $apps = @{}
        Get-NetFirewallApplicationFilter -All -PolicyStore ActiveStore | ForEach-Object { $apps[$_.InstanceID] = $_ }
        $rules = @(Get-NetFirewallRule -PolicyStore ActiveStore -Direction Inbound -Enabled True -Action Allow | ForEach-Object {
            $pf = $ports[$_.Name]
            $af = $addresses[$_.Name]
            $ap = $apps[$_.Name]
            $local = @($pf.LocalPort | ForEach-Object { [string]$_ })
            $proto = [string]$pf.Protocol
            $program = [string]$ap.Program
            $isRdpGroup = ([string]$_.Group) -eq '@FirewallAPI.dll,-28752'
            $opensPort = ($local | Where-Object { $_ -eq [string]$port -or $_ -eq 'RDP' }) -or
                         ($local -contains 'Any' -and @('Any', 'TCP') -contains $proto -and $program -eq 'Any')
            if ($isRdpGroup -or $opensPort) {
                [ordered]@{
                    name           = $_.Name
                    display_name   = $_.DisplayName
                    group          = [string]$_.Group
                    profile        = [string]$_.Profile
                    protocol       = $proto
                    local_port     = $local
                    remote_address = @($af.RemoteAddress | ForEach-Object { [string]$_ })
                    program        = $program
                }
            }
        })
    }
    Save-Json 'rdp.json' ([ordered]@{
        terminal_server = $ts
        rdp_tcp         = $tcp
        policy          = $pol
        service         = [ordered]@{ state = [string]$svc.State; start_mode = [string]$svc.StartMode }
        firewall_profiles = $profiles
        firewall_rules  = $rules
    })
}

Invoke-Part 'smb' {
    $server = $null
    if (Get-Command -Name Get-SmbServerConfiguration -ErrorAction SilentlyContinue) {
        $c = Get-SmbServerConfiguration
        $server = [ordered]@{ EnableSMB1Protocol = [bool]$c.EnableSMB1Protocol; EnableSMB2Protocol = [bool]$c.EnableSMB2Protocol; RequireSecuritySignature = [bool]$c.RequireSecuritySignature }
    }
    $feature = $null
    try { $feature = [string](Get-WindowsOptionalFeature -Online -FeatureName SMB1Protocol).State } catch { $feature = $null }
    Save-Json 'smb.json' ([ordered]@{
        server         = $server
        feature_state  = $feature
        lanman_server  = Get-RegValues 'HKLM:\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters' @('SMB1')
        mrxsmb10       = Get-RegValues 'HKLM:\SYSTEM\CurrentControlSet\Services\mrxsmb10' @('Start')
    })
}

Invoke-Part 'laps' {
    Save-Json 'laps.json' ([ordered]@{
        legacy_policy = Get-RegValues 'HKLM:\SOFTWARE\Policies\Microsoft Services\AdmPwd' @('AdmPwdEnabled', 'PasswordLength', 'PasswordAgeDays', 'PasswordComplexity', 'AdminAccountName')
        legacy_cse    = Test-Path -LiteralPath (Join-Path $env:ProgramFiles 'LAPS\CSE\AdmPwd.dll')
        windows_gpo   = Get-RegValues 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\LAPS' @('BackupDirectory', 'PasswordLength', 'PasswordAgeDays', 'AdministratorAccountName')
        windows_csp   = Get-RegValues 'HKLM:\SOFTWARE\Microsoft\Policies\LAPS' @('BackupDirectory', 'PasswordLength', 'PasswordAgeDays', 'AdministratorAccountName')
        windows_local = Get-RegValues 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\LAPS\Config' @('BackupDirectory', 'PasswordLength', 'PasswordAgeDays', 'AdministratorAccountName')
    })
}

Invoke-Part 'defender' {
    $mp = $null
    if (Get-Command -Name Get-MpComputerStatus -ErrorAction SilentlyContinue) {
        try {
            $s = Get-MpComputerStatus
            $mp = [ordered]@{
                AMServiceEnabled            = [bool]$s.AMServiceEnabled
                AntivirusEnabled            = [bool]$s.AntivirusEnabled
                RealTimeProtectionEnabled   = [bool]$s.RealTimeProtectionEnabled
                AMRunningMode               = [string]$s.AMRunningMode
                AntivirusSignatureVersion   = [string]$s.AntivirusSignatureVersion
                AntivirusSignatureLastUpdated = ConvertTo-Iso $s.AntivirusSignatureLastUpdated
                AntivirusSignatureAge       = [int]$s.AntivirusSignatureAge
                IsTamperProtected           = [bool]$s.IsTamperProtected
            }
        } catch { $mp = [ordered]@{ error = $_.Exception.Message } }
    }
    $av = @()
    try {
        $av = @(Get-CimInstance -Namespace 'root/SecurityCenter2' -ClassName AntiVirusProduct | ForEach-Object {
            [ordered]@{ name = $_.displayName; product_state = [int64]$_.productState; timestamp = [string]$_.timestamp }
        })
    } catch { $av = $null }  # servers have no Security Center
    Save-Json 'defender.json' ([ordered]@{ defender = $mp; security_center = $av })
}

Invoke-Part 'updates' {
    $hotfixes = @(Get-HotFix | ForEach-Object {
        $when = $null
        try { $when = ConvertTo-Iso $_.InstalledOn } catch { $when = $null }  # InstalledOn can fail to parse
        [ordered]@{ id = $_.HotFixID; description = $_.Description; installed_on = $when }
    })
    $history = $null
    try {
        $searcher = (New-Object -ComObject Microsoft.Update.Session).CreateUpdateSearcher()
        $count = $searcher.GetTotalHistoryCount()
        if ($count -gt 0) {
            $history = @($searcher.QueryHistory(0, [Math]::Min($count, 300)) | ForEach-Object {
                [ordered]@{ date = ConvertTo-Iso $_.Date; operation = [int]$_.Operation; result = [int]$_.ResultCode; title = $_.Title }
            })
        } else { $history = @() }
    } catch { $history = $null }
    Save-Json 'updates.json' ([ordered]@{
        hotfixes = $hotfixes
        history  = $history
        wsus     = Get-RegValues 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate' @('WUServer')
    })
}

Invoke-Part 'software' {
    $roots = @(
        @{ view = '64'; path = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall' },
        @{ view = '32'; path = 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall' }
    )
    foreach ($sid in @(Get-UserHives)) {
        $roots += @{ view = 'user:' + $sid; path = 'Registry::HKEY_USERS\' + $sid + '\Software\Microsoft\Windows\CurrentVersion\Uninstall' }
    }
    $items = @()
    foreach ($root in $roots) {
        if (-not (Test-Path -LiteralPath $root.path)) { continue }
        $items += @(Get-ChildItem -LiteralPath $root.path | ForEach-Object {
            $p = Get-ItemProperty -LiteralPath $_.PSPath
            if ($p.DisplayName) {
                [ordered]@{
                    name = [string]$p.DisplayName; version = [string]$p.DisplayVersion; publisher = [string]$p.Publisher
                    install_date = [string]$p.InstallDate; install_location = [string]$p.InstallLocation
                    view = $root.view; key = $_.PSChildName
                }
            }
        })
    }
    Save-Json 'software.json' $items
}

Invoke-Part 'services' {
    Save-Json 'services.json' @(Get-CimInstance -ClassName Win32_Service | ForEach-Object {
        [ordered]@{ name = $_.Name; display_name = $_.DisplayName; state = [string]$_.State; start_mode = [string]$_.StartMode; path = $_.PathName; account = $_.StartName }
    })
}

Invoke-Part 'removable' {
    $base = 'SOFTWARE\Policies\Microsoft\Windows\RemovableStorageDevices'
    $disk = '{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}'
    Save-Json 'removable.json' ([ordered]@{
        machine_all  = Get-RegValues ('HKLM:\' + $base) @('Deny_All')
        machine_disk = Get-RegValues ('HKLM:\' + $base + '\' + $disk) @('Deny_Execute', 'Deny_Read', 'Deny_Write')
        user_all     = Get-RegValues ('HKCU:\' + $base) @('Deny_All')
        user_disk    = Get-RegValues ('HKCU:\' + $base + '\' + $disk) @('Deny_Execute', 'Deny_Read', 'Deny_Write')
    })
}

Invoke-Part 'execution_policy' {
    Save-Json 'execution_policy.json' @(Get-ExecutionPolicy -List | ForEach-Object {
        [ordered]@{ scope = [string]$_.Scope; policy = [string]$_.ExecutionPolicy }
    })
}

Invoke-Part 'office' {
    $apps = @('Word', 'Excel', 'PowerPoint', 'Access', 'Outlook')
    $hives = @(@{ who = 'current'; root = 'HKCU:' })
    foreach ($sid in @(Get-UserHives)) { $hives += @{ who = $sid; root = 'Registry::HKEY_USERS\' + $sid } }
    $found = @()
    foreach ($h in $hives) {
        foreach ($ver in @('14.0', '15.0', '16.0')) {
            foreach ($app in $apps) {
                foreach ($kind in @('policy', 'user')) {
                    if ($kind -eq 'policy') { $path = '{0}\Software\Policies\Microsoft\Office\{1}\{2}\Security' -f $h.root, $ver, $app }
                    else { $path = '{0}\Software\Microsoft\Office\{1}\{2}\Security' -f $h.root, $ver, $app }
                    $v = Get-RegValues $path @('VBAWarnings', 'blockcontentexecutionfrominternet')
                    if ($v.exists) { $v['hive'] = $h.who; $v['version'] = $ver; $v['app'] = $app; $v['kind'] = $kind; $found += $v }
                }
            }
        }
    }
    $c2r = Get-RegValues 'HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration' @('VersionToReport', 'Platform')
    Save-Json 'office.json' ([ordered]@{ click_to_run = $c2r; security = $found })
}

Save-Manifest 'complete'
if (-not $NoZip) {
    Compress-Archive -Path (Join-Path $Bundle '*') -DestinationPath ($Bundle + '.zip') -Force
    Write-Host ('Done / 完了: {0}.zip' -f $Bundle)
} else {
    Write-Host ('Done / 完了: {0}' -f $Bundle)
}
Write-Host 'Copy it to the PC that runs WardWatch: wardwatch audit <bundle>  /  WardWatch の PC にコピーして wardwatch audit で点検します。'
