"""Bad input: every broken file is named with what is wrong and where; the rest is scanned; exit code 1."""
from __future__ import annotations

import zipfile
from pathlib import Path

from typer.testing import CliRunner

from wardwatch.cli import app
from wardwatch.demo import write_scenario

from builders.cli import one_line
from builders.corpus import DEEPBLUE, need
from builders.events import by_rule, scan


def _junk_folder(tmp_path: Path) -> Path:
    logs = tmp_path / "logs"
    write_scenario(logs)
    (logs / "notes.txt").write_text("これはログではありません\n", encoding="utf-8")
    (logs / "empty.evtx").write_bytes(b"")
    (logs / "picture.evtx").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (logs / "broken.xml").write_text("<Event><System><EventID>4625</EventID></System>\n<Event><System>", encoding="utf-8")
    (logs / "config.json").write_text('{"server": "x", "port": 1}', encoding="utf-8")
    with zipfile.ZipFile(logs / "mixed.zip", "w") as zf:
        zf.writestr("readme.txt", "hello")
        zf.writestr("Security.jsonl", (logs / "EHR-DB01" / "Security.jsonl").read_bytes())
    (logs / "fake.zip").write_bytes(b"PK\x03\x04 not really a zip")
    return logs


def test_junk_is_reported_and_the_rest_is_scanned(tmp_path):
    logs = _junk_folder(tmp_path)
    result = scan([logs], tmp_path / "out")
    problems = {Path(e.file).name: e.message for i in result.inputs for e in i.errors}
    assert "empty file" in problems["empty.evtx"]
    assert "not an event log" in problems["notes.txt"] and "not an event log" in problems["picture.evtx"]
    assert "broken.xml" in problems
    assert "not Windows events" in problems["config.json"] or "not" in problems["config.json"]
    assert "zip" in problems["fake.zip"]
    assert any(name.endswith("readme.txt") for name in problems)
    assert by_rule(result, "brute-force") and by_rule(result, "breach-after-guessing")  # the scan went on
    zipped = [i for i in result.inputs if i.path.endswith("mixed.zip!Security.jsonl")]
    assert zipped and zipped[0].events > 0


def test_cli_exit_code_one_and_no_traceback(tmp_path):
    logs = _junk_folder(tmp_path)
    res = CliRunner().invoke(app, ["scan", str(logs), "--out", str(tmp_path / "out")])
    assert res.exit_code == 1, res.output
    said = one_line(res.output)  # not cut by the terminal width, whatever the length of tmp_path
    assert "Traceback" not in said and "empty file" in said
    good = tmp_path / "good"
    write_scenario(good)
    res = CliRunner().invoke(app, ["scan", str(good), "--out", str(tmp_path / "out2")])
    assert res.exit_code == 0, res.output


def test_truncated_and_corrupted_evtx(tmp_path):
    src = need(DEEPBLUE) / "smb-password-guessing-security.evtx"
    data = src.read_bytes()
    (tmp_path / "truncated.evtx").write_bytes(data[: len(data) // 2])
    bad = bytearray(data)
    bad[200000:200400] = b"\xff" * 400
    (tmp_path / "corrupted.evtx").write_bytes(bytes(bad))
    result = scan([tmp_path / "truncated.evtx", tmp_path / "corrupted.evtx"], tmp_path / "out")
    info = {Path(i.path).name: i for i in result.inputs}
    trunc, corr = info["truncated.evtx"], info["corrupted.evtx"]
    assert 0 < trunc.events < 3561 and "truncated" in trunc.errors[0].message
    assert "byte" in trunc.errors[0].where
    assert 3000 < corr.events < 3561 and any("record" in e.where for e in corr.errors)
    assert by_rule(result, "brute-force")  # what could be read still tells the story


def test_bad_settings_files(tmp_path):
    logs = tmp_path / "logs"
    write_scenario(logs)
    cfg = tmp_path / "bad.yml"
    cfg.write_text("rules: {brute-forse: {gap_minutes: 5}}\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["scan", str(logs), "--config", str(cfg), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "brute-forse" in one_line(res.output)
    cfg.write_text("rules: [\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["scan", str(logs), "--config", str(cfg), "--out", str(tmp_path / "o2")])
    assert res.exit_code == 2 and "YAML" in one_line(res.output) and "Traceback" not in res.output
