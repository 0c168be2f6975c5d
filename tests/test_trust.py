"""Never lose a scan, never claim more than was read: damaged records, guarded parts, the one verdict, exit codes."""
from __future__ import annotations

import io
import json
import random
import tracemalloc
import zipfile
from pathlib import Path

import orjson
import pytest
from builders.corpus import CORPUS, need
from builders.events import scan
from evtx import PyEvtxParser
from rich.console import Console
from builders.syslog import SEGMENTS, syslog_lines
from typer.testing import CliRunner

from wardwatch.cli import app
from wardwatch.demo import write_scenario
from wardwatch.report.terminal import print_summary
from wardwatch.store import (
    DAMAGE_REPAIRED,
    DAMAGE_UNREADABLE,
    EventStore,
    damaged_records,
)
from wardwatch.verdict import ATTENTION, BREACH, CANNOT_JUDGE, CLEAR

GOOD = ('{"Event":{"System":{"EventID":4625,"EventRecordID":7,"Computer":"PC1","Channel":"Security",'
        '"TimeCreated":{"#attributes":{"SystemTime":"2022-10-31T04:07:12Z"}}},"EventData":{"TargetUserName":"x"}}}')


def _run(args: list[str]) -> tuple[int, str]:
    res = CliRunner().invoke(app, args)
    assert "Traceback" not in res.output, res.output
    return res.exit_code, res.output


def test_store_repairs_control_characters_and_keeps_unreadable_records(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    bad_key = GOOD.replace('"TargetUserName"', '"Target\x01UserName"').replace('"EventRecordID":7', '"EventRecordID":8')
    bad_value = GOOD.replace('"x"', '"a\x00b\nc"').replace('"EventRecordID":7', '"EventRecordID":9')
    store.add([GOOD, bad_key, bad_value, '{"Event": {"System": {broken', "\x02not json at all"], "f.evtx")
    store.close()
    rows = store.query("SELECT record_id, event_id, target_user, damage, json_valid(data) FROM events ORDER BY record_id")
    assert len(rows) == 5 and all(r[4] for r in rows)  # nothing lost; every kept record is valid JSON
    by_id = {r[0]: r for r in rows}
    assert by_id[7][3] is None and by_id[7][1] == 4625
    assert by_id[8][1] == 4625 and by_id[8][3] == DAMAGE_REPAIRED  # its other fields still count
    assert by_id[9][2] == "a\x00b\nc" and by_id[9][3] == DAMAGE_REPAIRED
    assert [r[3] for r in rows if r[0] is None] == [DAMAGE_UNREADABLE, DAMAGE_UNREADABLE]
    damaged = {(d, n) for _, d, n, _ in damaged_records(store)}
    assert damaged == {(DAMAGE_REPAIRED, 2), (DAMAGE_UNREADABLE, 2)}


def _bit_flipped_with_control_characters(tmp: Path) -> Path:
    """A corpus evtx, bit-flipped (fixed seed) until the evtx parser gives a record that is not valid JSON."""
    files = sorted(need(CORPUS).rglob("*.evtx"))
    rng = random.Random(20261205)
    for attempt in range(3000):
        data = bytearray(rng.choice(files).read_bytes())
        for _ in range(rng.randint(20, 200)):
            data[rng.randrange(4096, len(data))] = rng.randrange(256)
        try:
            texts = [r["data"] for r in PyEvtxParser(io.BytesIO(bytes(data))).records_json()]
        except Exception:
            continue
        for text in texts:
            try:
                orjson.loads(text)
            except orjson.JSONDecodeError:
                path = tmp / f"flipped-{attempt}.evtx"
                path.write_bytes(bytes(data))
                return path
    pytest.fail("no mutation gave a record with raw control characters")


def test_one_bit_flipped_evtx_does_not_lose_the_scan(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_scenario(logs)
    flipped = _bit_flipped_with_control_characters(logs)
    before = flipped.read_bytes()
    code, out = _run(["scan", str(logs), "--out", str(tmp_path / "out")])
    assert code == 1, out
    data = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    assert {"brute-force", "breach-after-guessing"} <= {f["rule"] for f in data["findings"]}  # the good files count
    errors = [e for i in data["inputs"] if i["path"] == str(flipped) for e in i["errors"]]
    assert any("damaged record" in e["message"] for e in errors), errors
    assert data["verdict"]["level"] == BREACH
    assert (tmp_path / "out" / "report.html").exists() and (tmp_path / "out" / "timeline.csv").exists()
    assert flipped.read_bytes() == before


@pytest.mark.parametrize("make", ["empty", "word", "unknown_json"])
def test_nothing_read_cannot_be_judged(tmp_path: Path, make: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    if make == "word":
        (folder / "Security.evtx").write_bytes(b"PK\x03\x04" + bytes(200))  # a .docx renamed: a broken zip
    elif make == "unknown_json":
        (folder / "export.json").write_text('[{"time": "2022-10-31", "msg": "hello"}]', encoding="utf-8")
    code, out = _run(["scan", str(folder), "--out", str(tmp_path / "out")])
    assert code == 1
    assert "判定できません" in out and "攻撃の兆候は見つかりませんでした" not in out
    data = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    assert data["verdict"]["level"] == CANNOT_JUDGE and data["verdict"]["read"]["events"] == 0
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "判定できません" in html and "攻撃の兆候は見つかりませんでした" not in html
    assert "重大な問題は見つかりませんでした" not in html


def test_syslog_only_scan_prints_the_same_verdict_everywhere(tmp_path: Path) -> None:
    fw = tmp_path / "fw.log"
    fw.write_text("\n".join(syslog_lines()) + "\n", encoding="utf-8")
    seg = tmp_path / "segments.csv"
    seg.write_text(SEGMENTS, encoding="utf-8")
    code, out = _run(["scan", str(fw), "--segments", str(seg), "--out", str(tmp_path / "out"), "--lang", "en"])
    assert code in (0, 1)
    data = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    assert data["verdict"]["level"] == ATTENTION and data["verdict"]["read"]["network_lines"] > 40
    assert data["verdict"]["label"] in out and "No sign of an attack" not in out
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert data["verdict"]["label"] in html
    assert data["verdict"]["not_read"]["missing_logs"] == []  # no Windows events given: nothing to nag about


def test_clear_verdict_says_what_was_read_and_which_logs_are_missing(tmp_path: Path) -> None:
    from datetime import datetime

    from builders.events import write_jsonl

    from wardwatch.demo import JST, SEC, Ev
    ev = Ev(*SEC, "PC1", 4624, datetime(2024, 1, 5, 10, tzinfo=JST),
            data={"TargetUserName": "nurse", "LogonType": "2", "IpAddress": "-"})
    path = write_jsonl(tmp_path / "Security.jsonl", [ev])
    result = scan([path], tmp_path / "out")
    v = result.verdict
    assert v.level == CLEAR and v.read["hosts"] == ["PC1"] and v.read["logs"] == ["Security"]
    assert [m[0] for m in v.missing] == ["System", "Application", "TerminalServices"]
    assert "1 event (1 host, 1 log" in v.detail.en
    console = Console(record=True, width=100)
    print_summary(result, tmp_path / "out", console)
    text = console.export_text()
    assert "TerminalServices" in text and "RDP" in text and "攻撃の兆候は見つかりませんでした" in text


def test_terminal_counts_incidents_not_findings_and_english_reads_right(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_scenario(logs)
    result = scan([logs], tmp_path / "out", lang="en")
    assert result.incidents
    console = Console(record=True, width=120)
    print_summary(result, tmp_path / "out", console, max_incidents=0)
    text = console.export_text()
    n = len(result.incidents)
    assert (f"{n} more incident in the report" if n == 1 else f"{n} more incidents in the report") in text
    console = Console(record=True, width=120)
    print_summary(result, tmp_path / "out", console)
    text = console.export_text()
    assert "・" not in text and " 1 times" not in text and "(1 logons" not in text and " 1 events" not in text
    assert "[critical]" in text  # the incident header shows its severity, as the Japanese one does


def test_a_failing_rule_and_a_failing_report_are_named_and_the_rest_is_written(tmp_path: Path, monkeypatch) -> None:
    from wardwatch.detect import correlate
    from wardwatch.report import html

    def broken(*args, **kwargs):
        raise RuntimeError("boom in a correlator")

    kind = "spray"
    assert kind in correlate.CORRELATORS
    monkeypatch.setitem(correlate.CORRELATORS, kind, broken)
    monkeypatch.setattr(html, "write_html", broken)
    logs = tmp_path / "logs"
    write_scenario(logs)
    code, out = _run(["scan", str(logs), "--out", str(tmp_path / "out")])
    assert code == 1
    data = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    stages = {p["stage"] for p in data["problems"]}
    assert "report report.html" in stages and any(s.startswith("rule ") for s in stages)
    assert data["findings"] and (tmp_path / "out" / "timeline.csv").exists()
    assert "boom in a correlator" in (tmp_path / "out" / "errors.log").read_text(encoding="utf-8")
    assert "boom in a correlator" in out


def test_zip_bomb_member_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    bomb = tmp_path / "logs.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("Security.xml", "w") as member:
            chunk = b" " * (1 << 20)
            for _ in range(300):  # 300 MB of spaces, about 300 KB compressed
                member.write(chunk)
    from wardwatch.sources import read_sources
    tracemalloc.start()
    got = [(inp, list(records)) for inp, records in read_sources([bomb])]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 100 << 20, peak  # streamed and refused past the ratio limit, never 300 MB in memory
    messages = [e.message for inp, _ in got for e in inp.errors]
    assert any("zip bomb" in m for m in messages), messages


def test_a_syslog_store_folder_lists_only_its_logs(tmp_path: Path) -> None:
    """WardWatch's own checkpoints and server status in a syslog store are not inputs (no 'unreadable' noise)."""
    store = tmp_path / "syslog"
    store.mkdir()
    (store / "fw.log").write_text("\n".join(syslog_lines()) + "\n", encoding="utf-8")
    (store / "fw.ckpt").write_bytes(b"\x00\x01checkpoint")
    (store / "serve-status.json").write_text('{"udp": 514}', encoding="utf-8")
    result = scan([store], tmp_path / "out")
    assert [Path(i.path).name for i in result.inputs] == ["fw.log"]
