"""Every command: an output folder that cannot be written, a bad settings file or time zone is one line, exit 2."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from wardwatch.cli import app
from wardwatch.config import parse_tz

OUT_PARAMS = {"out", "folder"}


def _commands() -> dict[str, list[str]]:
    """Every leaf command of the CLI and the names of its parameters."""
    found: dict[str, list[str]] = {}

    def walk(cmd, path: list[str]) -> None:  # type: ignore[no-untyped-def]
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, path + [name])
        else:
            found[" ".join(path)] = [p.name for p in cmd.params]

    walk(typer.main.get_command(app), [])
    return found


def _inputs(tmp: Path) -> dict[str, Path]:
    empty = tmp / "empty"
    empty.mkdir()
    hashes = tmp / "hashes.txt"
    hashes.write_text("alice:1001:aad3b435b51404eeaad3b435b51404ee:31d6cfe0d16ae931b73c59d7e0c089c0:::\n",
                      encoding="utf-8")
    inv = tmp / "hospital.yml"
    from importlib import resources
    inv.write_text((resources.files("wardwatch.hospital") / "templates" / "hospital.yml").read_text(encoding="utf-8"),
                   encoding="utf-8")
    log = tmp / "fw.log"
    log.write_text("<134>Jan  5 10:00:01 rtx PP[01] Rejected at IN(2000) filter: TCP 10.1.0.5:50001 > 10.2.0.9:445\n",
                   encoding="utf-8")
    from test_audit_bundles import make_bundle
    bundles = tmp / "bundles"
    make_bundle(bundles, "PC1")
    return {"empty": empty, "hashes": hashes, "inv": inv, "log": log, "bundles": bundles}


def _writers(i: dict[str, Path], out: Path) -> dict[str, list[str]]:
    """The arguments that make each writing command write into `out`."""
    return {
        "scan": ["scan", str(i["empty"]), "--out", str(out)],
        "demo": ["demo", "--out", str(out)],
        "rules export-sigma": ["rules", "export-sigma", str(out)],
        "audit bundles": ["audit", "bundles", str(i["bundles"]), "--out", str(out)],
        "audit passwords": ["audit", "passwords", str(i["hashes"]), "--out", str(out)],
        "inventory init": ["inventory", "init", str(out / "hospital.yml")],
        "inventory check": ["inventory", "check", str(i["inv"]), "--out", str(out)],
        "checklist fill": ["checklist", "fill", "--inventory", str(i["inv"]), "--out", str(out)],
        "syslog scan": ["syslog", "scan", str(i["log"]), "--out", str(out)],
    }


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run([sys.executable, "-c", "from wardwatch.cli import main; main()", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env=env)


def test_every_writing_command_is_covered(tmp_path: Path) -> None:
    writing = {name for name, params in _commands().items() if OUT_PARAMS & set(params)}
    assert writing == set(_writers(_inputs(tmp_path), tmp_path / "o")), "add the new command to _writers"


def test_unwritable_output_is_one_line_and_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file.txt"
    blocker.write_text("not a folder", encoding="utf-8")  # root can write anywhere, but not under a file
    inputs = _inputs(tmp_path)
    for name, args in _writers(inputs, blocker / "out").items():
        res = _run(args, tmp_path)
        text = res.stdout + res.stderr
        assert res.returncode == 2, (name, text)
        assert "Traceback" not in text and "error" in res.stderr.lower(), (name, text)
        assert str(blocker) in res.stderr.replace("\n", ""), (name, res.stderr)


BAD_CONFIGS = {
    "rules:\n  brute-force:\n    burst_count: ten\n": "rules.brute-force.burst_count: 'ten' is not a whole number",
    "timezon: JST\n": "did you mean 'timezone'?",
    "evidence_limt: 3\n": "did you mean 'evidence_limit'?",
    "lang: jp\n": "lang: 'jp'",
    "segments: []\nsystems: []\n": "looks like a hospital inventory",
    "rules:\n  off-hours-logon:\n    night_start: 25\n": "not an hour of the day",
    "timezone: Mars/Base\n": "timezone: unknown time zone",
}


@pytest.mark.parametrize("text", list(BAD_CONFIGS))
def test_bad_settings_file_names_file_key_and_value(tmp_path: Path, text: str) -> None:
    cfg = tmp_path / "settings.yml"
    cfg.write_text(text, encoding="utf-8")
    res = _run(["scan", str(_inputs(tmp_path)["empty"]), "--config", str(cfg), "--out", str(tmp_path / "o")], tmp_path)
    err = " ".join(res.stderr.split())
    assert res.returncode == 2 and "Traceback" not in res.stdout + res.stderr
    assert str(cfg) in err and BAD_CONFIGS[text] in err, err
    assert not (tmp_path / "o").exists()  # nothing half-written to block the next run


def test_every_command_with_config_refuses_a_bad_one(tmp_path: Path) -> None:
    cfg = tmp_path / "settings.yml"
    cfg.write_text("timezon: JST\n", encoding="utf-8")
    inputs = _inputs(tmp_path)
    writers = _writers(inputs, tmp_path / "o")
    for name, params in _commands().items():
        if "config" not in params:
            continue
        args = writers.get(name, name.split())
        res = _run([*args, "--config", str(cfg)], tmp_path)
        assert res.returncode == 2 and "timezon" in res.stderr and "Traceback" not in res.stderr, (name, res.stderr)


@pytest.mark.parametrize(("text", "zone"), [("Asia/Tokyo", "Asia/Tokyo"), ("JST", "Asia/Tokyo"), ("UTC", "UTC"),
                                            ("+09:00", "Etc/GMT-9"), ("+0900", "Etc/GMT-9"), ("UTC+9", "Etc/GMT-9"),
                                            ("UTC+09:00", "Etc/GMT-9"), ("GMT+9", "Etc/GMT-9"), ("-05:00", "Etc/GMT+5")])
def test_time_zone_forms(text: str, zone: str) -> None:
    assert parse_tz(text) == zone


def test_tz_and_version_on_the_command_line(tmp_path: Path) -> None:
    res = _run(["scan", str(_inputs(tmp_path)["empty"]), "--tz", "+09:00", "--out", str(tmp_path / "o")], tmp_path)
    assert res.returncode == 1 and "Traceback" not in res.stderr  # nothing read: cannot judge
    assert '"timezone": "Etc/GMT-9"' in (tmp_path / "o" / "findings.json").read_text(encoding="utf-8")
    res = _run(["scan", str(tmp_path / "empty"), "--tz", "+05:30"], tmp_path)
    assert res.returncode == 2 and "--tz" in res.stderr
    res = _run(["--version"], tmp_path)
    assert res.returncode == 0 and res.stdout.startswith("wardwatch ")
