"""Store and collector unit tests: partial last record, records after the checkpoint, overload counting, framing."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wardwatch.netlog.cli import syslog_app
from wardwatch.netlog.server import Collector, ServeOptions, _Stream
from wardwatch.netlog.store import SegmentWriter, load_key, verify_dir

T = datetime(2024, 1, 5, 1, 0, tzinfo=timezone.utc)


def _store(root: Path, n: int = 10) -> Path:
    w = SegmentWriter(root, "10.0.0.1", load_key(root, create=True))  # type: ignore[arg-type]
    w.write_many(T, [b"line %d" % i for i in range(n)])
    w.write(T, b"\xff\xfe not utf-8")
    w.close()
    return next(root.rglob("*.log"))


def test_partial_last_record_is_a_note_not_a_failure(tmp_path: Path) -> None:
    seg = _store(tmp_path)
    with open(seg, "ab") as fh:
        fh.write(b'{"n":12,"t":"2024-')
    rep = verify_dir(tmp_path)
    assert rep.ok and rep.records == 11
    assert any("incomplete" in p.message and not p.fatal for p in rep.problems)
    r = CliRunner().invoke(syslog_app, ["verify", str(tmp_path)])
    assert r.exit_code == 0 and "incomplete" in r.output


def test_records_after_open_checkpoint_are_noted(tmp_path: Path) -> None:
    root = tmp_path
    w = SegmentWriter(root, "10.0.0.1", load_key(root, create=True))  # type: ignore[arg-type]
    w.write_many(T, [b"a", b"b"])
    w.checkpoint()
    w.write_many(T, [b"c"])
    w.fh.flush()  # a crash now: no closing checkpoint
    rep = verify_dir(root)
    assert rep.ok and rep.records == 3 and any("after the last checkpoint" in p.message for p in rep.problems)


def test_a_kill_while_a_segment_is_made_leaves_no_headerless_segment(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The kill -9 race: the collector dies after making a new segment, before its header is on disk. The segment
    appears only whole (header written and synced, then renamed), so what is on disk still verifies."""
    w = SegmentWriter(tmp_path, "10.0.0.1", load_key(tmp_path, create=True), max_bytes=300)  # type: ignore[arg-type]
    w.write_many(T, [b"x" * 100 for _ in range(3)])  # segments filled to their size
    before = sorted(tmp_path.rglob("*.log"))

    def killed(src: object, dst: object) -> None:
        raise KeyboardInterrupt("killed")  # the process dies here: the rename never happens

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        w.write(T, b"the record that needs a new segment")
    monkeypatch.undo()
    segments = sorted(tmp_path.rglob("*.log"))
    assert segments == before and all(seg.read_bytes().startswith(b'{"hdr"') for seg in segments)
    rep = verify_dir(tmp_path)
    assert rep.ok, [p.message for p in rep.problems]


def test_day_rollover_and_size_rotation_chain(tmp_path: Path) -> None:
    w = SegmentWriter(tmp_path, "10.0.0.1", load_key(tmp_path, create=True), max_bytes=2000)  # type: ignore[arg-type]
    for i in range(40):
        w.write(T, b"x" * 100 + b"%d" % i)
    w.write(T.replace(day=6), b"next day")
    w.close()
    segs = sorted(tmp_path.rglob("*.log"))
    assert len(segs) > 2 and segs[-1].name.startswith("2024-01-06")
    rep = verify_dir(tmp_path)
    assert rep.ok and rep.records == 41


def test_missing_key_fails(tmp_path: Path) -> None:
    _store(tmp_path)
    (tmp_path / ".hmac-key").unlink()
    assert not verify_dir(tmp_path).ok


def test_overload_drops_and_counts(tmp_path: Path) -> None:
    c = Collector(ServeOptions(root=tmp_path, max_pending=100))
    c.submit((0.0, "h", [b"x"] * 80))
    c.submit((0.0, "h", [b"x"] * 80))  # would exceed: dropped, counted, nothing blocks
    assert c.stats["dropped_overload"] == 80 and c.stats["received"] == 160 and c.q.qsize() == 1


class _T:
    def __init__(self) -> None:
        self.closed = False

    def get_extra_info(self, name: str) -> tuple[str, int]:
        return ("127.0.0.1", 1)

    def close(self) -> None:
        self.closed = True


def test_stream_framing_and_frame_errors(tmp_path: Path) -> None:
    c = Collector(ServeOptions(root=tmp_path))
    s = _Stream(c)
    t = _T()
    s.connection_made(t)
    s.data_received(b"5 hello3 abc<13>newline\n7 par")
    s.data_received(b"tial\n")
    got = [m for b in list(c.q.queue) if b for m in b[2]]
    assert got == [b"hello", b"abc", b"<13>newline", b"partial"]
    s.data_received(b"99999999 too long")
    assert c.stats["frame_errors"] == 1 and t.closed
    _Stream.live.discard(s)


def test_serve_usage_errors(tmp_path: Path) -> None:
    r = CliRunner().invoke(syslog_app, ["serve", "--dir", str(tmp_path), "--tls", "6514"])
    assert r.exit_code == 2 and "--cert" in r.output
    r = CliRunner().invoke(syslog_app, ["serve", "--dir", str(tmp_path), "--udp", "0", "--allow", "nonsense"])
    assert r.exit_code == 2 and "nonsense" in r.output
