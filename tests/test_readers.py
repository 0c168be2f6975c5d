"""The reader registry: syslog is one reader of the one walker (zips too), read and hashed once; a new reader is
one registration away from a scan."""
from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from wardwatch.cli import app
from wardwatch.model import ReadProblem
from wardwatch.sources import READERS, ReadContext, Reader, Source, read_sources
from wardwatch.sources.canonical import evtx_record

SEGMENTS = "cidr,segment\n10.1.0.0/16,AD\n10.2.0.0/16,EHR\n10.3.0.0/16,office\n"
FW_LINES = [
    ("<166>Jan  5 10:00:00 asa %ASA-6-106100: access-list in permitted tcp inside/10.1.0.5(50000) -> "
     "dmz/10.2.0.9(3389) hit-cnt 1 first hit [0x0, 0x0]"),
    "<134>Jan  5 10:00:01 rtx PP[01] Rejected at IN(2000) filter: TCP 10.1.0.5:50001 > 10.2.0.9:445",
    *(f"<4>Jan  5 10:01:{i:02d} gw kernel: DROP SRC=10.3.0.77 DST=10.3.1.{i} PROTO=TCP SPT=40000 DPT=445"
      for i in range(30)),
    "<134>Jan  5 10:09:00 mystery something no parser knows",
]


def _fw_log(path: Path) -> Path:
    path.write_text("\n".join(FW_LINES) + "\n", encoding="utf-8")
    return path


def _scan(args: list[str]) -> dict[str, Any]:
    res = CliRunner().invoke(app, args)
    assert res.exit_code in (0, 1), res.output
    out = Path(args[args.index("--out") + 1])
    return json.loads((out / "findings.json").read_text(encoding="utf-8"))


def test_syslog_inside_a_zip_is_read_and_its_findings_appear(tmp_path: Path) -> None:
    fw = _fw_log(tmp_path / "fw.log")
    archive = tmp_path / "logs.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(fw, "network/fw.log")
    seg = tmp_path / "segments.csv"
    seg.write_text(SEGMENTS, encoding="utf-8")
    doc = _scan(["scan", str(archive), "--segments", str(seg), "--out", str(tmp_path / "out")])
    member = f"{archive}!network/fw.log"
    (inp,) = [i for i in doc["inputs"] if i["path"] == member]
    assert inp["format"] == "syslog" and inp["events"] == len(FW_LINES), inp
    assert [e["message"] for e in inp["errors"]] == ["1 line(s) not recognised (kept raw, counted)"]
    rules = {f["rule"] for f in doc["findings"]}
    assert {"net-cross-segment", "net-scan"} <= rules
    cross = [f for f in doc["findings"] if f["rule"] == "net-cross-segment"]
    # network evidence names the line in its own field; record_id stays the Windows event's own number
    assert {(e["file"], e["record_id"], e["line"]) for f in cross for e in f["evidence"]} == {(member, None, 1), (member, None, 2)}
    assert doc["stats"]["netlog"]["segments"] == ["AD", "EHR", "office"]
    # `syslog scan` shares the reader: the same zip gives the same network findings and inputs
    alone = _scan(["syslog", "scan", str(archive), "--segments", str(seg), "--out", str(tmp_path / "s")])
    assert [f["rule"] for f in alone["findings"]] == [f["rule"] for f in doc["findings"] if f["rule"].startswith("net")]
    assert [(i["path"], i["events"], i["sha256"]) for i in alone["inputs"] if i["path"] == member] == \
        [(member, inp["events"], inp["sha256"])]


def test_the_store_holds_a_network_events_table(tmp_path: Path) -> None:
    from wardwatch.scan import ingest
    from wardwatch.store import EventStore

    store = EventStore(tmp_path / "store")
    inputs = ingest([_fw_log(tmp_path / "fw.log")], store)
    assert [i.events for i in inputs] == [len(FW_LINES)]
    rows = store.query("SELECT file, line, vendor, src, dport FROM network_events ORDER BY line")
    assert len(rows) == len(FW_LINES) and rows[0][1] == 1 and rows[0][3] == "10.1.0.5" and rows[0][4] == 3389
    assert rows[-1][2] == ""  # the unknown line is kept (raw), with no vendor
    assert (tmp_path / "store" / "network" / "network-events.parquet").is_file()
    assert all(p.name.startswith("events-") for p in (tmp_path / "store").glob("*.parquet"))  # the events' parts only
    assert store.query("SELECT count(*) FROM events")[0][0] == 0  # no Windows line: nothing in the event table
    store.con.close()


def test_a_syslog_file_is_read_once_and_hashed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fw = _fw_log(tmp_path / "fw.log")
    content = fw.read_bytes()
    reads: list[Path] = []
    hashed: list[bytes] = []
    real_read_bytes, real_sha256 = Path.read_bytes, hashlib.sha256

    def read_bytes(self: Path) -> bytes:
        data = real_read_bytes(self)
        if data == content:
            reads.append(self)
        return data

    class Counted:
        def __init__(self, data: bytes = b"") -> None:
            self.inner, self.seen = real_sha256(data), bytearray(data)

        def update(self, data: bytes) -> None:
            self.inner.update(data)
            self.seen += data

        def hexdigest(self) -> str:
            if bytes(self.seen) == content:
                hashed.append(bytes(self.seen))
            return self.inner.hexdigest()

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(hashlib, "sha256", Counted)
    seg = tmp_path / "segments.csv"
    seg.write_text(SEGMENTS, encoding="utf-8")
    doc = _scan(["scan", str(fw), "--segments", str(seg), "--out", str(tmp_path / "out")])
    assert {"net-cross-segment", "net-scan"} <= {f["rule"] for f in doc["findings"]}
    assert len(reads) == 1, reads
    assert len(hashed) == 1


class _KvReader:
    """A made-up format for the test: 'KVLOG' then one `time host event_id` per line (Security channel)."""

    name = "kvlog"

    def sniff(self, head: bytes) -> bool:
        return head.startswith(b"KVLOG\n")

    def read(self, source: Source, ctx: ReadContext) -> Iterator[str]:
        for n, line in enumerate(source.read_all().decode().splitlines()[1:], start=2):
            try:
                when, host, event_id = line.split()
                yield evtx_record(event_id=int(event_id), provider="Microsoft-Windows-Eventlog", channel="Security",
                                  computer=host, record_id=n, when=when)
            except ValueError:
                ctx.problems.append(ReadProblem(source.display, f"line {n}", "bad line"))


@pytest.fixture
def kv_reader() -> Iterator[Reader]:
    reader = READERS.register(_KvReader(), before="json")
    try:
        yield reader
    finally:
        READERS.unregister("kvlog")


def test_a_reader_added_to_the_registry_runs_end_to_end(tmp_path: Path, kv_reader: Reader) -> None:
    assert isinstance(kv_reader, Reader) and READERS.names().index("kvlog") < READERS.names().index("json")
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "dc01.kv").write_text("KVLOG\n2024-01-05T01:00:00.000000Z DC01 1102\nnonsense\n", encoding="utf-8")
    with zipfile.ZipFile(logs / "more.zip", "w") as zf:  # the walker opens zips for every reader
        zf.writestr("pc02.kv", "KVLOG\n2024-01-05T02:00:00.000000Z PC02 1102\n")
    doc = _scan(["scan", str(logs), "--out", str(tmp_path / "out")])
    kv = {i["path"]: i for i in doc["inputs"] if i["format"] == "kvlog"}
    assert set(kv) == {str(logs / "dc01.kv"), f"{logs / 'more.zip'}!pc02.kv"}
    assert kv[str(logs / "dc01.kv")]["events"] == 1 and kv[str(logs / "dc01.kv")]["errors"][0]["where"] == "line 3"
    tampering = [f for f in doc["findings"] if f["rule"] == "log-tampering"]
    assert sorted(f["host"] for f in tampering) == ["DC01", "PC02"]
    assert {(e["file"], e["record_id"]) for f in tampering for e in f["evidence"]} == \
        {(str(logs / "dc01.kv"), 2), (f"{logs / 'more.zip'}!pc02.kv", 2)}
    assert all("line" not in e for f in tampering for e in f["evidence"])  # event evidence keeps its shape


def test_a_forced_reader_reads_anything_and_unregistered_formats_are_named(tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("hello\nworld\n", encoding="utf-8")
    (inp, records), = list(read_sources([odd]))
    assert list(records) == [] and inp.format == "unknown" and "not an event log" in inp.errors[0].message
    (inp, records), = list(read_sources([odd], reader="syslog"))
    assert list(records) == [] and inp.format == "syslog" and inp.events == 2
    with pytest.raises(KeyError, match="no reader named"):
        list(read_sources([odd], reader="nope"))


def test_a_stored_segment_inside_a_zip_is_read(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from wardwatch.netlog.store import SegmentWriter, load_key

    root = tmp_path / "collector"
    key = load_key(root, create=True)
    assert key is not None
    w = SegmentWriter(root, "10.9.9.1", key)
    for line in FW_LINES:
        w.write(datetime(2024, 1, 5, 1, 0, tzinfo=UTC), line.encode())
    w.close()
    (segment,) = sorted(root.rglob("*.log"))
    archive = tmp_path / "collector.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(segment, "10.9.9.1/" + segment.name)
    seg = tmp_path / "segments.csv"
    seg.write_text(SEGMENTS, encoding="utf-8")
    doc = _scan(["syslog", "scan", str(archive), "--segments", str(seg), "--out", str(tmp_path / "out")])
    (inp,) = [i for i in doc["inputs"] if "!" in i["path"]]
    assert inp["format"] == "wardwatch-syslog-segment" and inp["events"] == len(FW_LINES)
    cross = [f for f in doc["findings"] if f["rule"] == "net-cross-segment"]
    assert cross and all(e["line"] > 1 and e["record_id"] is None for f in cross for e in f["evidence"])
    assert {f["rule"] for f in doc["findings"]} >= {"net-cross-segment", "net-scan"}


def test_syslog_scan_walks_folders_with_the_same_walker(tmp_path: Path) -> None:
    folder = tmp_path / "syslog"
    (folder / "sub").mkdir(parents=True)
    _fw_log(folder / "sub" / "fw.log")
    (folder / "serve-status.json").write_text('{"udp": 514}', encoding="utf-8")
    (folder / "notes.json").write_text("{}", encoding="utf-8")
    (folder / "seg.ckpt").write_bytes(b"\x00checkpoint")
    (folder / "part.tmp").write_text("half", encoding="utf-8")
    (folder / "desktop.ini").write_text("[x]", encoding="utf-8")
    (folder / ".hmac-key").write_text("00", encoding="utf-8")
    doc = _scan(["syslog", "scan", str(folder), "--out", str(tmp_path / "out")])
    assert [Path(i["path"]).name for i in doc["inputs"]] == ["fw.log"]


def test_windows_lines_of_a_zipped_syslog_go_to_the_events(tmp_path: Path) -> None:
    fields = ["MSWinEventLog", "1", "Security", "7", "Mon Oct 31 04:07:12 2022", "1102",
              "Microsoft-Windows-Eventlog", "KYUSHOKU-SV\\Administrator", "N/A", "Success Audit", "KYUSHOKU-SV",
              "None", "The audit log was cleared.", "7"]
    snare = "\t".join(fields)
    archive = tmp_path / "logs.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mixed.log", "\n".join([*FW_LINES[:2], f"<13>Oct 31 04:07:12 KYUSHOKU-SV {snare}", *FW_LINES[2:]]))
    seg = tmp_path / "segments.csv"
    seg.write_text(SEGMENTS, encoding="utf-8")
    doc = _scan(["scan", str(archive), "--segments", str(seg), "--out", str(tmp_path / "out")])
    member = f"{archive}!mixed.log"
    (inp,) = [i for i in doc["inputs"] if i["path"] == member]
    assert inp["events"] == len(FW_LINES) + 1
    rules = {f["rule"]: f for f in doc["findings"]}
    assert {"log-tampering", "net-cross-segment", "net-scan"} <= set(rules)
    assert [e["file"] for e in rules["log-tampering"]["evidence"]] == [member]  # an event: no `line`
    assert "line" not in rules["log-tampering"]["evidence"][0]
    assert {e["line"] for e in rules["net-cross-segment"]["evidence"]} <= {1, 2}
