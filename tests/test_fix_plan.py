"""`wardwatch fix plan`: every generated file parses (INF by the audit's own parser, .reg by a strict reader
written here, PowerShell by the tree-sitter grammar), and the plan applied to a bundle's facts in a model makes
the audit pass for every check it claims to fix; undo puts the old values back; hardened hosts get no change."""
from __future__ import annotations

import copy
import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from builders.bundles import make_bundle
from typer.testing import CliRunner

from wardwatch.audit.bundle import Bundle, discover, load_bundle
from wardwatch.audit.encoding import decode
from wardwatch.audit.parsers import parse_auditpol, parse_inf
from wardwatch.fix import model
from wardwatch.fix.model import ABSENT
from wardwatch.fix.plan import audit_statuses, rdp_port

HOSTS = {  # host -> make_bundle options: weak and hardened, Japanese and English Windows, folders and zips
    "PC-WEAK-JA": {"hardened": False, "lang": "ja", "encoding": "utf-16", "ps": "5.1"},
    "SV-WEAK-EN": {"hardened": False, "lang": "en", "encoding": "utf-8", "ps": "7", "as_zip": True},
    "PC-HARD-JA": {"hardened": True, "lang": "ja", "encoding": "utf-8-sig", "ps": "5.1", "as_zip": True},
    "SV-HARD-EN": {"hardened": True, "lang": "en", "encoding": "utf-8", "ps": "7"},
}
WEAK = [h for h, o in HOSTS.items() if not o["hardened"]]


def invoke(args: list[str]):  # type: ignore[no-untyped-def]
    from wardwatch.cli import app
    return CliRunner().invoke(app, args, catch_exceptions=False)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fix")
    for host, opts in HOSTS.items():
        make_bundle(root / "bundles", host, **opts)  # type: ignore[arg-type]
    r = invoke(["audit", str(root / "bundles"), "--out", str(root / "audit")])
    assert r.exit_code in (0, 1), r.output
    scan = root / "scan.json"
    scan.write_text(json.dumps({"version": "1.0", "findings": [
        {"rule": "chronic-failures", "host": "PC-WEAK-JA", "accounts": ["svc-backup"], "facts": {}},
        {"rule": "brute-force", "host": "OTHER-PC", "accounts": ["not-this-host"], "facts": {}}]}), encoding="utf-8")
    r = invoke(["fix", "plan", str(root / "audit" / "findings.json"), "--bundles", str(root / "bundles"),
                "--scan", str(scan), "--rdp-from", "192.168.10.0/24", "--rdp-from", "203.0.113.10", "--out", str(root / "plan")])
    assert r.exit_code == 0, r.output
    return {"root": root, "plan": root / "plan", "bundles": root / "bundles", "findings": root / "audit" / "findings.json"}


def bundle_of(made: dict[str, Path], host: str) -> Bundle:
    return next(b for b in (load_bundle(s) for s in discover([made["bundles"]], [])) if b.host == host)


def plan_json(made: dict[str, Path], host: str) -> dict[str, Any]:
    return json.loads((made["plan"] / host / "plan.json").read_text(encoding="utf-8"))


# ---------- a strict .reg reader (Registry Editor 5.00), independent of the package's own ----------

_KEY = re.compile(r"^\[HKEY_LOCAL_MACHINE(\\[^\\\[\]\r\n]+)+\]$")
_VALUE = re.compile(r'^"([^"\\]+)"=(dword:([0-9a-f]{8})|"((?:[^"\\]|\\\\|\\")*)"|-)$')


def read_reg_strict(data: bytes) -> dict[str, dict[str, Any]]:
    assert data[:2] == b"\xff\xfe", "a .reg file is UTF-16LE with a BOM"
    text = data[2:].decode("utf-16-le")
    assert "\n" not in text.replace("\r\n", ""), "CRLF line ends only"
    lines = text.split("\r\n")
    assert lines[0] == "Windows Registry Editor Version 5.00" and lines[1] == ""
    assert lines[-1] == "" and lines[-2] == "", "ends with an empty line"
    out: dict[str, dict[str, Any]] = {}
    key = None
    for n, line in enumerate(lines[2:], start=3):
        if line == "" or line.startswith(";"):
            continue
        if _KEY.match(line):
            key = line[1:-1]
            out.setdefault(key, {})
            continue
        m = _VALUE.match(line)
        assert m and key, f"line {n} is not a value line: {line!r}"
        if m.group(2) == "-":
            out[key][m.group(1)] = ABSENT
        elif m.group(3) is not None:
            out[key][m.group(1)] = int(m.group(3), 16)
        else:
            out[key][m.group(1)] = m.group(4).replace('\\"', '"').replace("\\\\", "\\")
    return out


def test_strict_reg_reader_rejects_bad_lines() -> None:
    good = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\A\\B]\r\n\"V\"=dword:00000001\r\n\r\n"
    assert read_reg_strict(b"\xff\xfe" + good.encode("utf-16-le")) == {"HKEY_LOCAL_MACHINE\\A\\B": {"V": 1}}
    for bad in (good.replace("dword:00000001", "dword:1"), good.replace("\"V\"", "V"),
                good.replace("Version 5.00", "Version 4.00"), good.replace("\r\n", "\n")):
        with pytest.raises(AssertionError):
            read_reg_strict(b"\xff\xfe" + bad.encode("utf-16-le"))


# ---------- PowerShell by a real grammar ----------

def ps_errors(source: bytes) -> list[str]:
    tree_sitter = pytest.importorskip("tree_sitter")
    tsp = pytest.importorskip("tree_sitter_powershell")
    parser = tree_sitter.Parser(tree_sitter.Language(tsp.language()))
    tree = parser.parse(source)
    found: list[str] = []

    def walk(node: Any) -> None:
        if node.type == "ERROR" or node.is_missing:
            found.append(f"{node.type} at {node.start_point}: {node.text[:60]!r}")
        for child in node.children:
            walk(child)
    walk(tree.root_node)
    return found


def test_grammar_check_can_fail() -> None:
    assert ps_errors(b"Invoke-Step 'x' {\n    $a = @('b', 'c'\n")
    assert not ps_errors(b"$s = if ($v -band 1) { 'enable' } else { 'disable' }\n")


@pytest.mark.parametrize("host", WEAK)
def test_every_file_parses(made: dict[str, Path], host: str) -> None:
    folder = made["plan"] / host
    names = {p.name for p in folder.iterdir()}
    assert {"secpol.inf", "auditpol.csv", "rdp.reg", "removable.reg", "autologon.reg", "smb1.reg", "eventlog.reg",
            "apply.ps1", "undo.ps1", "plan.json"} <= names
    inf_text, enc = decode((folder / "secpol.inf").read_bytes())
    assert enc.startswith("utf-16")
    inf = parse_inf(inf_text)
    assert inf["system access"]["lockoutbadcount"] == "5" and inf["unicode"]["unicode"] == "yes"
    assert inf["version"]["signature"] == "$CHICAGO$"
    audit = parse_auditpol((folder / "auditpol.csv").read_bytes().decode("ascii"))
    assert set(audit) == {"{0CCE9215-69AE-11D9-BED3-505054503030}", "{0CCE923F-69AE-11D9-BED3-505054503030}"}
    assert all(row["value"] == 3 for row in audit.values())
    for reg in folder.glob("*.reg"):
        assert read_reg_strict(reg.read_bytes()), reg.name
    sizes = [int(n) for n in re.findall(r"'/ms:(\d+)'", (folder / "apply.ps1").read_text(encoding="utf-8-sig"))]
    assert sizes and all(n % 65536 == 0 and n >= 20000 * 1024 for n in sizes)  # whole 64 KB blocks, at least the seed's size
    for script in ("apply.ps1", "undo.ps1"):
        data = (folder / script).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM for Windows PowerShell 5.1"
        assert ps_errors(data[3:]) == [], script
    rdp = read_reg_strict((folder / "rdp.reg").read_bytes())
    tcp = rdp[r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp"]
    assert tcp == {"PortNumber": rdp_port(host), "UserAuthentication": 1} and 49152 <= tcp["PortNumber"] <= 65535
    assert read_reg_strict((folder / "autologon.reg").read_bytes())[
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon"] == {"AutoAdminLogon": "0", "DefaultPassword": ABSENT}


def test_apply_script_is_whatif_by_default_and_saves_first(made: dict[str, Path]) -> None:
    text = (made["plan"] / "PC-WEAK-JA" / "apply.ps1").read_text(encoding="utf-8-sig")
    assert "param([switch]$Apply)" in text and "[WhatIf]" in text
    assert text.index("Is64BitProcess") < text.index("# 1.")  # a 32-bit PowerShell would write to WOW6432Node
    first_change = text.index("\nInvoke-Step ")  # the first call, after the function's definition
    for save in ("secedit.exe' @('/export'", "auditpol.exe' @('/backup'", "registry-before.json", "'reg.exe' @('export'",
                 "advfirewall', 'export'", "wevtutil.exe gl", "features-before.json", "Copy-Item -LiteralPath (Join-Path $Here 'undo.ps1')"):
        assert -1 < text.index(save) < first_change, save
    undo = (made["plan"] / "PC-WEAK-JA" / "undo.ps1").read_text(encoding="utf-8-sig")
    for restore in ("secedit-before.inf", "/restore", "registry-before.json", "Remove-NetFirewallRule -Name 'WardWatch-RDP-In-TCP'",
                    "Enable-WindowsOptionalFeature", "wevtutil.exe' @('sl'"):
        assert restore in undo, restore


# ---------- the model: apply what apply.ps1 would apply, then audit ----------

def apply_from_files(b: Bundle, folder: Path) -> list[tuple[str, ...]]:
    """Apply the plan as apply.ps1 does, reading the generated files and the script's own commands."""
    script = (folder / "apply.ps1").read_text(encoding="utf-8-sig")
    changed: list[tuple[str, ...]] = []

    def put(key: tuple[str, ...], value: Any) -> None:
        model.write(b, key, value)
        changed.append(key)
    if "(Join-Path $Here 'secpol.inf')" in script:
        inf = parse_inf(decode((folder / "secpol.inf").read_bytes())[0])
        raw = decode((folder / "secpol.inf").read_bytes())[0]
        for section in ("System Access", "Registry Values"):
            for line in raw.split(f"[{section}]\r\n", 1)[-1].split("\r\n[", 1)[0].splitlines() if f"[{section}]" in raw else []:
                name = line.split("=", 1)[0].strip()
                put(("inf", section, name), inf[section.lower()][name.lower()])
    if "(Join-Path $Here 'auditpol.csv')" in script:
        for row in csv.DictReader(io.StringIO((folder / "auditpol.csv").read_text(encoding="ascii"))):
            put(("auditpol", row["Subcategory GUID"], row["Subcategory"]), int(row["Setting Value"]))
    for name in re.findall(r"Invoke-Native 'reg.exe' @\('import', \(Join-Path \$Here '([\w.-]+\.reg)'\)\)", script):
        for key, values in read_reg_strict((folder / name).read_bytes()).items():
            for vname, value in values.items():
                put(("reg", key, vname), value)
    for log, arg in re.findall(r"Invoke-Native 'wevtutil.exe' @\('sl', '([^']+)', '(/ms:\d+|/rt:false)'\)", script):
        put(("eventlog", log, "max_size"), int(arg[4:])) if arg.startswith("/ms:") else put(("eventlog", log, "retention"), False)
    for feature in re.findall(r"Disable-WindowsOptionalFeature -Online -FeatureName '([^']+)'", script):
        put(("feature", feature), "Disabled")
    for name, port in re.findall(r"New-NetFirewallRule -Name '([^']+)' .*?-LocalPort (\d+)", script):
        put(("firewall", name), {"name": name, "local_port": [port], "remote_address": ["Any"], "protocol": "TCP"})
    for addresses, group, rule in re.findall(r"\$addresses = @\(([^)]*)\)\n\s*\$rules = @\(Get-NetFirewallRule -Group '([^']+)'"
                                             r" -Direction Inbound -ErrorAction SilentlyContinue\) \+ @\(Get-NetFirewallRule -Name '([^']+)'", script):
        put(("scope", group, rule), re.findall(r"'([^']+)'", addresses))
    return changed


@pytest.mark.parametrize("host", WEAK)
def test_plan_applied_in_the_model_makes_the_audit_pass(made: dict[str, Path], host: str) -> None:
    b = bundle_of(made, host)
    before = audit_statuses(b)
    plan = plan_json(made, host)
    claimed = {f.removeprefix("audit.") for c in plan["changes"] for f in c["fixes"]}
    assert claimed == {"account-lockout", "password-length", "builtin-admin", "audit-logon", "log-size", "log-overwrite",
                       "rdp-default-port", "rdp-nla", "removable-exec", "autologon", "smb1", "rdp-any-source"}
    assert all(before[c] == "fail" for c in claimed)
    changed = apply_from_files(b, made["plan"] / host)
    assert len(changed) == len(plan["steps"]), "the script applies exactly the plan's steps"
    after = audit_statuses(b)
    assert {c: after[c] for c in claimed} == {c: "pass" for c in claimed}
    assert all(after[c] == "pass" for c, s in before.items() if s == "pass"), "nothing that passed fails after the plan"
    assert plan["predicted_after"] == {f"audit.{c}": "pass" for c in claimed}


def test_the_model_check_can_fail(made: dict[str, Path]) -> None:
    """Without the firewall-free part of the plan (the .reg files), their checks still fail in the model."""
    b = bundle_of(made, "PC-WEAK-JA")
    folder = made["plan"] / "PC-WEAK-JA"
    half = made["root"] / "half"
    half.mkdir(exist_ok=True)
    for f in folder.iterdir():
        (half / f.name).write_bytes(f.read_bytes())
    script = (half / "apply.ps1").read_text(encoding="utf-8-sig")
    (half / "apply.ps1").write_text(re.sub(r"Invoke-Native 'reg.exe' @\('import'[^\n]*", "", script), encoding="utf-8-sig")
    apply_from_files(b, half)
    after = audit_statuses(b)
    assert after["rdp-nla"] == after["smb1"] == after["autologon"] == "fail" and after["account-lockout"] == "pass"


@pytest.mark.parametrize("host", WEAK)
def test_undo_restores_the_old_values(made: dict[str, Path], host: str) -> None:
    original = bundle_of(made, host)
    b = copy.deepcopy(original)
    backup = {}  # what apply.ps1 saves before changing: the current value of every target (a secret: presence only)
    plan = plan_json(made, host)
    for step in plan["steps"]:
        key = tuple(step["key"])
        backup[key] = model.read(b, key)
    apply_from_files(b, made["plan"] / host)
    assert model.snapshot(b) != model.snapshot(original)
    for step in reversed(plan["steps"]):  # undo.ps1: put back each saved value; a value that did not exist is deleted
        if step["secret"]:
            continue  # never saved, so never restored (the plan page says a person re-enters it)
        model.write(b, tuple(step["key"]), backup[tuple(step["key"])])
    restored, old = model.snapshot(b), model.snapshot(original)
    assert restored["parts"]["winlogon"].pop("DefaultPasswordPresent") is False
    assert old["parts"]["winlogon"].pop("DefaultPasswordPresent") is True
    assert restored == old
    assert audit_statuses(b) == audit_statuses(original)


@pytest.mark.parametrize("host", [h for h, o in HOSTS.items() if o["hardened"]])
def test_hardened_host_gets_an_empty_plan(made: dict[str, Path], host: str) -> None:
    plan = plan_json(made, host)
    assert plan["steps"] == [] and plan["changes"] == []
    assert sorted(p.name for p in (made["plan"] / host).iterdir()) == ["plan.json"]


def test_plan_page_and_notes(made: dict[str, Path]) -> None:
    html = (made["plan"] / "plan.html").read_text(encoding="utf-8")
    assert "修正プラン" in html and "<script" not in html and "http" not in html.split("</head>")[0].replace("http-equiv", "")
    for host in HOSTS:
        assert f'id="host-{host}"' in html
    assert "アカウント ロックアウト" in html and "ロールバック" not in html
    ja = plan_json(made, "PC-WEAK-JA")
    notes = " ".join(n["ja"] for n in ja["notes"])
    assert "svc-backup" in notes and "not-this-host" not in notes  # the accounts the scan saw failing on this host
    assert "保守事業者のリモート保守" in notes  # the RDP port change breaks the vendor's path until they change
    en = plan_json(made, "SV-WEAK-EN")
    assert "svc-backup" not in " ".join(n["en"] for n in en["notes"])
    gpo = (made["plan"] / "gpo.csv").read_bytes()
    assert gpo.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(gpo[3:].decode("utf-8"))))
    assert any("アカウント ロックアウトのポリシー" in r["gpo_ja"] and "Account Lockout Policy" in r["gpo_en"] for r in rows)
    assert all(r["gpo_ja"] and r["gpo_en"] and r["hosts"] for r in rows)


def test_no_secret_is_written(made: dict[str, Path]) -> None:
    for f in (made["plan"]).rglob("*"):
        if f.is_file():
            text = f.read_bytes().decode("utf-16" if f.suffix in (".inf", ".reg") else "utf-8-sig")
            assert not re.search(r"DefaultPassword\"?\s*=\s*\"", text), f  # never a password value
    for host in WEAK:
        for step in plan_json(made, host)["steps"]:
            if step["secret"]:
                assert step["old"] == {"state": "present"} and step["new"] == {"state": "absent"}
    script = (made["plan"] / "PC-WEAK-JA" / "apply.ps1").read_text(encoding="utf-8-sig")
    assert "Name = 'DefaultPassword'; Secret = $true" in script and "if (-not $v.Secret) { $value" in script


def test_english_page_and_bad_input(made: dict[str, Path], tmp_path: Path) -> None:
    r = invoke(["fix", "plan", str(made["findings"]), "--out", str(tmp_path / "en"), "--lang", "en"])
    assert r.exit_code == 0, r.output
    html = (tmp_path / "en" / "plan.html").read_text(encoding="utf-8")
    assert "WardWatch fix plan" in html and "Risk" in html
    assert "Account lockout is weak or missing" in html and "アカウント ロックアウトが弱い" not in html  # titles in the page's language
    plan = json.loads((tmp_path / "en" / "PC-WEAK-JA" / "plan.json").read_text(encoding="utf-8"))
    assert plan["predicted_after"] == {}  # no bundles: no model check, old values unknown
    assert all(s["old"] == {"state": "unknown"} for s in plan["steps"])
    assert "audit.rdp-any-source" in plan["not_fixed"] and any("--rdp-from" in n["en"] for n in plan["notes"])
    r = invoke(["fix", "plan", str(made["findings"]), "--out", str(tmp_path / "any"), "--rdp-from", "0.0.0.0/0"])
    assert r.exit_code == 2 and "never Any" in r.output
    again = invoke(["fix", "plan", str(made["findings"]), "--out", str(tmp_path / "en")])
    assert again.exit_code == 2 and "already holds a plan" in again.output
    bad = tmp_path / "scan-only.json"
    bad.write_text(json.dumps({"findings": [{"rule": "brute-force", "host": "X"}]}), encoding="utf-8")
    r = invoke(["fix", "plan", str(bad), "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "audit" in r.output and "Traceback" not in r.output


def test_inventory_names_the_vendors_for_the_rdp_port_note(made: dict[str, Path], tmp_path: Path) -> None:
    import wardwatch.hospital as hospital
    inventory = Path(hospital.__file__).parent / "templates" / "clinic.yml"  # remote_access: ○○メディカル via the router
    r = invoke(["fix", "plan", str(made["findings"]), "--inventory", str(inventory), "--out", str(tmp_path / "p")])
    assert r.exit_code == 0, r.output
    notes = json.loads((tmp_path / "p" / "PC-WEAK-JA" / "plan.json").read_text(encoding="utf-8"))["notes"]
    rdp = [n["ja"] for n in notes if "リモート保守" in n["ja"]]
    assert rdp and "○○メディカル" in rdp[0] and "203.0.113.10/32" in rdp[0]
    hard = json.loads((tmp_path / "p" / "PC-HARD-JA" / "plan.json").read_text(encoding="utf-8"))
    assert hard["notes"] == []  # no RDP port change there, so no vendor note


def test_a_stricter_current_value_is_kept(tmp_path: Path) -> None:
    """Threshold 3 (stricter than 5) stays; the 5-minute duration rises, and never below a 30-minute counter reset."""
    from builders.bundles import encode, secedit_inf
    folder = make_bundle(tmp_path / "b", "PC-STRICT", hardened=False, lang="ja")
    text = secedit_inf(3, 5, 20, True, "Administrator").replace("ResetLockoutCount = 5", "ResetLockoutCount = 30")
    (folder / "secedit.inf").write_bytes(encode(text, "utf-16"))
    assert invoke(["audit", str(tmp_path / "b"), "--out", str(tmp_path / "a")]).exit_code in (0, 1)
    r = invoke(["fix", "plan", str(tmp_path / "a" / "findings.json"), "--bundles", str(tmp_path / "b"), "--out", str(tmp_path / "p")])
    assert r.exit_code == 0, r.output
    plan = json.loads((tmp_path / "p" / "PC-STRICT" / "plan.json").read_text(encoding="utf-8"))
    inf = {s["key"][2]: s["new"]["value"] for s in plan["steps"] if s["kind"] == "inf"}
    assert "LockoutBadCount" not in inf and "ResetLockoutCount" not in inf and inf["LockoutDuration"] == 30
    assert "MinimumPasswordLength" not in inf  # 20 already passes
    assert plan["predicted_after"]["audit.account-lockout"] == "pass"
    b = bundle_of({"bundles": tmp_path / "b"}, "PC-STRICT")
    apply_from_files(b, tmp_path / "p" / "PC-STRICT")
    assert audit_statuses(b)["account-lockout"] == "pass"
    assert model.read(b, ("inf", "System Access", "LockoutBadCount")) == "3"


def test_plan_page_names_its_time_zone_and_its_input_as_given(made: dict[str, Path], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The header's time is local in --tz (not UTC); the input is shown as the person named it: a relative path as
    typed, an absolute one outside the working folder by its folder and name, never this machine's temporary path."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    monkeypatch.chdir(tmp_path)
    r = invoke(["fix", "plan", str(made["findings"]), "--out", "ny", "--tz", "America/New_York", "--lang", "en"])
    assert r.exit_code == 0, r.output
    html = (tmp_path / "ny" / "plan.html").read_text(encoding="utf-8")
    zone = datetime.now(ZoneInfo("America/New_York")).strftime("%Z")  # EST or EDT
    assert re.search(rf"\d{{4}}-\d\d-\d\d \d\d:\d\d(:\d\d)? {zone}", html) and " UTC" not in html
    assert "<code>audit/findings.json</code>" in html and str(made["root"]) not in html
    local = tmp_path / "mine" / "findings.json"
    local.parent.mkdir()
    local.write_bytes(made["findings"].read_bytes())
    assert invoke(["fix", "plan", "mine/findings.json", "--out", "tokyo"]).exit_code == 0
    html = (tmp_path / "tokyo" / "plan.html").read_text(encoding="utf-8")
    assert "<code>mine/findings.json</code>" in html and str(tmp_path) not in html and " JST" in html
