"""Reading network logs for a scan: plain syslog files (context year from mtime) and stored collector segments."""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ..model import InputFile, ReadProblem
from ..sources import winsyslog
from .parse import NetEvent, parse_line
from .store import is_segment, read_segment


def expand(paths: list[Path]) -> list[Path]:
    """Files as given, folders searched for *.log / *.txt / syslog* files (collector checkpoints skipped)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(".")
                          and f.suffix not in (".ckpt", ".tmp", ".json"))
        else:
            out.append(p)
    return out


def syslog_lines(path: Path, data: bytes) -> tuple[str, Iterator[tuple[int, datetime, str, str]]]:
    """(format, lines) of a syslog file or stored segment: each (line number, time context, sender, line).

    The time context gives a header without a year its year (the file's mtime, or a segment record's receive
    time); the sender is the collector's peer address for a segment, '' for a plain file."""
    if is_segment(data[:16]):
        return "wardwatch-syslog-segment", read_segment(path)
    context = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    text = data.decode("utf-8", "replace") if _utf8(data) else data.decode("cp932", "replace")
    return "syslog", ((i, context, "", line) for i, line in enumerate(text.splitlines(), start=1) if line.strip())


def read_file(path: Path, tz: str) -> tuple[InputFile, list[NetEvent], Counter[str]]:
    """Every line of one file as NetEvents (unknown lines kept, kind 'unknown'), with the file's hash.

    Lines that carry Windows events (Snare MSWinEventLog, NXLog / Winlogbeat JSON) are not network events: the
    scan stores them as Windows events; here they are counted and their unreadable ones reported."""
    data = path.read_bytes()
    inp = InputFile(path=str(path), sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    events: list[NetEvent] = []
    kinds: Counter[str] = Counter()
    windows: list[tuple[int, str]] = []
    inp.format, lines = syslog_lines(path, data)
    for i, context, sender, line in lines:
        if winsyslog.is_windows(line):
            windows.append((i, line))
            continue
        e = parse_line(line, context, tz, device=sender)
        e.file, e.line = str(path), i
        events.append(e)
    for e in events:
        kinds[e.vendor or "unknown"] += 1
    inp.events = len(events)
    if windows:  # converted again only to count them and name the bad ones (the scan's reader stored them)
        inp.events += sum(1 for _ in winsyslog.records(windows, str(path), inp.errors))
    unknown = kinds.get("unknown", 0)
    if unknown:
        inp.errors.append(ReadProblem(str(path), "-", f"{unknown} line(s) not recognised (kept raw, counted)"))
    return inp, events, kinds


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False
