"""Every command, found in the Typer app: a folder that cannot be written, a bad settings file, time zone or
language is one `error:` line and exit 2, never a traceback; settings files are checked with the file's name."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

import pytest

from builders.cli import commands
from wardwatch.config import ConfigError, load_config, parse_tz

OUT = "{OUT}"  # where a command writes; replaced by a folder that can or cannot be written
SIGMA_RULE = """title: Test rule
id: 5a3bcb16-1c1e-4c5c-9a63-6e0a6c0c0a01
status: test
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625}
  condition: selection
level: low
"""
LONG_RUNNING = {"syslog serve"}  # listens until stopped: only its error paths are run


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small valid inputs for every command."""
    tmp = tmp_path_factory.mktemp("inputs")
    files = {"hashes.txt": "alice:1001:aad3b435b51404eeaad3b435b51404ee:31d6cfe0d16ae931b73c59d7e0c089c0:::\n",
             "hospital.yml": (resources.files("wardwatch.hospital") / "templates" / "hospital.yml").read_text("utf-8"),
             "fw.log": "<134>Jan  5 10:00:01 rtx PP[01] Rejected at IN(2000) filter: TCP 10.1.0.5:50001 > 10.2.0.9:445\n",
             "rule.yml": SIGMA_RULE,
             "settings.yml": "timezon: JST\n",
             "findings.json": '{"findings": [], "audit": {"hosts": [{"host": "PC1"}], "checks": [], "fleet": []}}'}
    found = {}
    for name, text in files.items():
        (tmp / name).write_text(text, encoding="utf-8")
        found[name.split(".")[0]] = tmp / name
    for name in ("empty", "store"):
        (tmp / name).mkdir()
        found[name] = tmp / name
    from builders.bundles import make_bundle
    make_bundle(tmp / "bundles", "PC1")
    found["bundles"] = tmp / "bundles"
    from wardwatch import integrity
    from wardwatch.incident.case import Case, contact_list
    from wardwatch.web.site import make_baseline
    (tmp / "site").mkdir()
    (tmp / "site" / "index.html").write_text("<p>ok</p>", encoding="utf-8")
    key = integrity.load_key(tmp / "baseline.json.key", create=True)
    assert key is not None
    (tmp / "baseline.json").write_text(json.dumps(make_baseline(tmp / "site", key, [], [])), encoding="utf-8")
    Case.create(tmp / "case", "test", "tester", "Asia/Tokyo", contact_list(None))
    found.update(site=tmp / "site", baseline=tmp / "baseline.json", case=tmp / "case")
    from wardwatch.isac.engines import DuckDBEngine
    from wardwatch.isac.hospitals import tasks_of
    DuckDBEngine().ingest(tmp / "dataset", tasks_of("h", [found["fw"]]), "Asia/Tokyo")  # an ISAC dataset
    (tmp / "isac-scan").mkdir()
    (tmp / "isac-scan" / "indicators.json").write_text("[]", encoding="utf-8")  # what `isac scan` leaves to share
    found.update(dataset=tmp / "dataset", isac_scan=tmp / "isac-scan")
    return found


def _args(i: dict[str, Path]) -> dict[str, list[str]]:
    """Minimal valid arguments of every command; OUT marks where it writes. A new command must be added here."""
    return {
        "scan": ["scan", str(i["empty"]), "--out", OUT],
        "demo": ["demo", "--out", OUT],
        "version": ["version"],
        "rules list": ["rules", "list"],
        "rules export-sigma": ["rules", "export-sigma", OUT],
        "rules check": ["rules", "check", str(i["rule"])],
        "audit bundles": ["audit", "bundles", str(i["bundles"]), "--out", OUT],
        "audit passwords": ["audit", "passwords", str(i["hashes"]), "--out", OUT],
        "audit checks": ["audit", "checks"],
        "collect": ["collect", "--script", "--out", OUT],
        "inventory init": ["inventory", "init", f"{OUT}/hospital.yml"],
        "inventory schema": ["inventory", "schema"],
        "inventory check": ["inventory", "check", str(i["hospital"]), "--out", OUT],
        "checklist fill": ["checklist", "fill", "--inventory", str(i["hospital"]), "--out", OUT],
        "checklist answer": ["checklist", "answer", "--answers", f"{OUT}/answers.yml"],
        "syslog serve": ["syslog", "serve", "--dir", OUT, "--udp", "5514"],
        "syslog verify": ["syslog", "verify", str(i["store"])],
        "syslog scan": ["syslog", "scan", str(i["fw"]), "--out", OUT],
        "web baseline": ["web", "baseline", str(i["site"]), "--out", f"{OUT}/base.json"],
        "web check": ["web", "check", str(i["site"]), "--baseline", str(i["baseline"]), "--out", OUT],
        "vuln check": ["vuln", "check", "--inventory", str(i["hospital"]), "--out", OUT],
        "incident start": ["incident", "start", f"{OUT}/case", "--by", "tester"],
        "incident status": ["incident", "status", str(i["case"])],
        "incident answer": ["incident", "answer", str(i["case"]), "isolate", "はい", "--by", "tester"],
        "incident walk": ["incident", "walk", str(i["case"]), "--by", "tester"],
        "incident note": ["incident", "note", str(i["case"]), "メモ", "--by", "tester"],
        "incident evidence add": ["incident", "evidence", "add", str(i["case"]), str(i["fw"]), "--by", "tester"],
        "incident verify": ["incident", "verify", str(i["case"])],
        "incident report": ["incident", "report", str(i["case"]), "--out", OUT],
        "fix plan": ["fix", "plan", str(i["findings"]), "--out", OUT],
        "procure": ["procure", "--all", "--out", OUT],
        "summary": ["summary", "--scan", str(i["findings"]), "--out", OUT],
        "isac ingest": ["isac", "ingest", str(i["fw"]), "--hospital", "h", "--out", OUT],
        "isac scan": ["isac", "scan", str(i["dataset"]), "--out", OUT],
        "isac share": ["isac", "share", str(i["isac_scan"]), "--out", OUT],
    }


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed entry point's code (wardwatch.cli:main) in a process of its own; prompts get Enter."""
    return subprocess.run([sys.executable, "-c", "from wardwatch.cli import main; main()", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, input="\n" * 3000,
                          env=dict(os.environ, COLUMNS="100"), check=False)


def _run_all(runs: dict[str, list[str]], cwd: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(runs, pool.map(lambda a: _run(a, cwd), runs.values())))


def _one_error_line(res: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The property: exit 2, no traceback, stderr exactly one `error:` line naming each needle."""
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert res.returncode == 2, (res.returncode, res.stdout[-1500:], res.stderr[-1500:])
    assert "Traceback" not in res.stdout + res.stderr, res.stderr[-3000:]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert all(n in lines[0] for n in needles), (needles, lines[0])
    return lines[0]


def _with(args: list[str], out: Path) -> list[str]:
    return [a.replace(OUT, str(out)) for a in args]


def test_every_command_has_minimal_arguments(inputs: dict[str, Path]) -> None:
    found, args = commands(), _args(inputs)
    assert set(args) == set(found), "add the new command to _args (with OUT where it writes)"
    for name, params in found.items():
        if params & {"out", "folder", "dir"} and name != "syslog verify":
            assert any(OUT in a for a in args[name]), f"{name} writes: mark its output with OUT"


def test_every_command_runs_with_minimal_arguments(inputs: dict[str, Path], tmp_path: Path) -> None:
    runs = {name: _with(a, tmp_path / name.replace(" ", "-")) for name, a in _args(inputs).items()
            if name not in LONG_RUNNING}
    for name, res in _run_all(runs, tmp_path).items():
        assert res.returncode in (0, 1) and "Traceback" not in res.stderr, (name, res.stdout[-800:], res.stderr[-2000:])


def test_every_writing_command_with_an_unwritable_output_is_one_line(inputs: dict[str, Path], tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file where a folder is needed: even root cannot write under it", encoding="utf-8")
    runs = {name: _with(a, blocker / "out") for name, a in _args(inputs).items() if any(OUT in x for x in a)}
    assert len(runs) >= 10
    for name, res in _run_all(runs, tmp_path).items():
        line = _one_error_line(res, str(blocker))
        assert "is a file, not a folder" in line or name == "scan", (name, line)  # scan: "Not a directory"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full to fill")
def test_a_full_disk_is_one_line(tmp_path: Path) -> None:
    for args in (["inventory", "init", "/dev/full", "--force"], ["collect", "--script", "--out", "/dev/full"]):
        _one_error_line(_run(args, tmp_path), "/dev/full", "No space left on device")


def test_every_command_with_options_refuses_bad_values(inputs: dict[str, Path], tmp_path: Path) -> None:
    """--config with an unknown key, --tz and --lang with unknown values: each names what is wrong."""
    bad = {"config": (["--config", str(inputs["settings"])], [str(inputs["settings"]), "did you mean 'timezone'?"]),
           "tz": (["--tz", "Mars/Base"], ["--tz", "Mars/Base", "Asia/Tokyo"]),
           "lang": (["--lang", "jp"], ["--lang", "'jp'"])}
    runs, needles = {}, {}
    for name, params in commands().items():
        for param in params & set(bad):
            extra, needles[f"{name} {param}"] = bad[param]
            runs[f"{name} {param}"] = _with(_args(inputs)[name], tmp_path / "o" / name.replace(" ", "-")) + extra
    assert {"scan config", "rules export-sigma config", "audit bundles tz", "syslog scan lang"} <= set(runs)
    for key, res in _run_all(runs, tmp_path).items():
        _one_error_line(res, *needles[key])
    assert not (tmp_path / "o").exists()  # refused before anything is written


BAD_SETTINGS = {
    "rules:\n  brute-force:\n    burst_count: ten\n": "settings.yml: rules.brute-force.burst_count: 'ten' is not a whole number",
    "timezon: JST\n": "settings.yml: unknown setting 'timezon' (did you mean 'timezone'?)",
    "evidence_limt: 3\n": "unknown setting 'evidence_limt' (did you mean 'evidence_limit'?)",
    "burst_count: 5\n": "unknown setting 'burst_count' (did you mean 'rules.brute-force.burst_count'?)",
    "rules:\n  brute-force:\n    burst_cont: 5\n": "did you mean 'rules.brute-force.burst_count'?",
    "lang: jp\n": "settings.yml: lang: 'jp' is not a language WardWatch speaks (ja or en)",
    "hospital: {name: x}\nsegments: []\nsystems: []\n": "keys hospital, segments, systems: this looks like a hospital inventory",
    "rules:\n  off-hours-logon:\n    night_start: 25\n": "night_start: 25 is not an hour of the day (0-23)",
    "rules:\n  brute-force:\n    min_count: 0\n": "min_count: 0 must be at least 1",
    "evidence_limit: 2.5\n": "evidence_limit: 2.5 is not a whole number",
    "timezone: Mars/Base\n": "settings.yml: timezone: unknown time zone 'Mars/Base'",
    "timezone: 9\n": "timezone: 9 is not text",
    "rdp_allowlist: 5\n": "rdp_allowlist: 5 is not a file name",
    "rdp_allowlist: missing.csv\n": "rdp_allowlist: 'missing.csv': no such file",
    "tools_file: tools.yml\n": "tools_file:",
    "audit:\n  rdp_hosts: PC1\n": "audit.rdp_hosts: 'PC1' is not a list",
    "rules:\n  log-coverage:\n    recommended_kb: {System: lots}\n": "recommended_kb.System: 'lots' is not a whole number",
    "- a list\n": "settings must be a mapping",
    "timezone: [\n": "not valid YAML",
}


@pytest.mark.parametrize("text", list(BAD_SETTINGS))
def test_bad_settings_file_names_file_key_and_value(tmp_path: Path, text: str) -> None:
    (tmp_path / "tools.yml").write_text("tools: [{name: X}]\n", encoding="utf-8")  # no match: list
    cfg = tmp_path / "settings.yml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert str(err.value).startswith(f"{cfg}: ") and BAD_SETTINGS[text] in str(err.value), str(err.value)


def test_a_bad_settings_file_on_the_command_line_is_blamed_on_the_file(inputs: dict[str, Path], tmp_path: Path) -> None:
    cfg = tmp_path / "settings.yml"
    cfg.write_text("lang: jp\n", encoding="utf-8")
    res = _run(["scan", str(inputs["empty"]), "--config", str(cfg), "--out", str(tmp_path / "o")], tmp_path)
    _one_error_line(res, f"{cfg}: lang: 'jp'")
    assert "--lang" not in res.stderr and not (tmp_path / "o").exists()


def test_good_settings_are_normalised(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "allow.csv").write_text("server,account,source\nEHR,vendor,*\n", encoding="utf-8")
    (tmp_path / "conf" / "tools.yml").write_text("tools:\n  - {name: Foo, match: [foo.exe]}\n", encoding="utf-8")
    cfg = tmp_path / "conf" / "settings.yml"
    cfg.write_text("timezone: UTC+9\nlang: en\nrdp_allowlist: allow.csv\ntools_file: tools.yml\n"
                   "rules:\n  log-coverage:\n    recommended_kb: {System: 30000}\naudit:\n  rdp_hosts: [PC1]\n",
                   encoding="utf-8")
    merged = load_config(cfg)
    assert merged["timezone"] == "Etc/GMT-9" and merged["lang"] == "en"
    assert merged["rdp_allowlist"] == str(tmp_path / "conf" / "allow.csv")  # beside the settings file
    assert merged["rules"]["log-coverage"]["recommended_kb"] == {"Security": 40000, "default": 20000, "System": 30000}
    assert merged["rules"]["brute-force"]["burst_count"] == 10


@pytest.mark.parametrize(("text", "zone"), [("Asia/Tokyo", "Asia/Tokyo"), ("asia/tokyo", "Asia/Tokyo"),
                                            ("JST", "Asia/Tokyo"), ("UTC", "UTC"), ("utc", "UTC"),
                                            ("+09:00", "Etc/GMT-9"), ("+0900", "Etc/GMT-9"), ("UTC+9", "Etc/GMT-9"),
                                            ("UTC+09:00", "Etc/GMT-9"), ("GMT+9", "Etc/GMT-9"), ("+00:00", "UTC"),
                                            ("-05:00", "Etc/GMT+5"), ("UTC-12", "Etc/GMT+12"), ("UTC+14", "Etc/GMT-14")])
def test_time_zone_forms(text: str, zone: str) -> None:
    assert parse_tz(text) == zone


@pytest.mark.parametrize(("text", "message"), [("+05:30", "such as Asia/"), ("UTC+15", "UTC-12 to UTC+14"),
                                               ("Asia/Tokio", "did you mean Asia/Tokyo?"), ("Mars", "+09:00")])
def test_time_zones_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("+", r"\+").replace("?", r"\?")):
        parse_tz(text)


def test_tz_reaches_the_report_and_version_option(inputs: dict[str, Path], tmp_path: Path) -> None:
    res = _run(["scan", str(inputs["empty"]), "--tz", "+09:00", "--out", str(tmp_path / "o")], tmp_path)
    assert res.returncode == 1 and "Traceback" not in res.stderr  # nothing read: cannot judge
    assert '"timezone": "Etc/GMT-9"' in (tmp_path / "o" / "findings.json").read_text(encoding="utf-8")
    _one_error_line(_run(["scan", str(inputs["empty"]), "--tz", "+05:30"], tmp_path), "--tz", "'+05:30'")
    for args in (["--version"], ["version"], ["--version", "scan"]):
        res = _run(args, tmp_path)
        assert res.returncode == 0 and res.stdout.startswith("wardwatch "), (args, res.stdout, res.stderr)


def test_a_failed_or_earlier_run_does_not_block_the_next(inputs: dict[str, Path], tmp_path: Path) -> None:
    half = tmp_path / "half"  # a scan that died before findings.json (written last) was written
    (half / "store").mkdir(parents=True)
    (half / "report.html").write_text("<html>", encoding="utf-8")
    assert _run(["scan", str(inputs["empty"]), "--out", str(half)], tmp_path).returncode == 1
    assert (half / "findings.json").exists()
    demo = tmp_path / "demo"
    (demo / "logs").mkdir(parents=True)  # a demo stopped half way
    for _ in range(2):
        res = _run(["demo", "--out", str(demo)], tmp_path)
        assert res.returncode in (0, 1) and (demo / "result" / "findings.json").exists(), res.stderr
    mine = tmp_path / "mine"  # someone's own folder is never deleted by the demo
    (mine / "logs").mkdir(parents=True)
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    _one_error_line(_run(["demo", "--out", str(mine)], tmp_path), "is not a demo folder")
    assert (mine / "notes.txt").exists() and (mine / "logs").exists()


@pytest.mark.parametrize(("args", "needle"), [
    (["checklist", "fill", "--items", "{bad}", "--out", "{tmp}/o"], "not a usable checklist items file"),
    (["checklist", "fill", "--answers", "{bin}", "--out", "{tmp}/o"], "not a usable answers file"),
    (["checklist", "answer", "--answers", "{bin}"], "not a usable answers file"),
    (["inventory", "check", "{bad}"], "problem(s)"),
    (["syslog", "scan", "{bad}", "--segments", "{bin}", "--out", "{tmp}/o"], "not UTF-8 text"),
    (["syslog", "serve", "--dir", "{tmp}/s", "--udp", "99999"], ""),
    (["scan", "{tmp}", "--rdp-allowlist", "{bin}", "--out", "{tmp}/o"], "not UTF-8 text"),
    (["scan", "{tmp}", "--config", "{bin}", "--out", "{tmp}/o"], "not UTF-8 text"),
    (["rules", "list", "--lang", "xx"], "--lang must be ja or en"),
    (["audit", "checks", "--lang", "xx"], "--lang must be ja or en"),
])
def test_broken_user_files_and_values_have_no_traceback(tmp_path: Path, args: list[str], needle: str) -> None:
    bad, binary = tmp_path / "bad.yml", tmp_path / "bin.dat"
    bad.write_text("segments: [\n", encoding="utf-8")
    binary.write_bytes(b"\xff\xfe\x00\xd0\x80 not text")
    res = _run([a.format(bad=bad, bin=binary, tmp=tmp_path) for a in args], tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stdout + res.stderr, res.stderr[-2000:]
    assert needle in " ".join(res.stderr.split()), res.stderr


def test_evidence_limit_has_an_upper_bound(tmp_path: Path) -> None:
    cfg = tmp_path / "settings.yml"
    cfg.write_text("evidence_limit: 1000000\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="evidence_limit: 1000000 is more than the 100,000"):
        load_config(cfg)
    cfg.write_text("evidence_limit: 100000\n", encoding="utf-8")
    assert load_config(cfg)["evidence_limit"] == 100_000
