"""Reading network logs for a scan: plain syslog files (context year from mtime) and stored collector segments."""
from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from ..model import InputFile, ReadProblem
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


def read_file(path: Path, tz: str) -> tuple[InputFile, list[NetEvent], Counter[str]]:
    """Every line of one file as NetEvents (unknown lines kept, kind 'unknown'), with the file's hash."""
    data = path.read_bytes()
    inp = InputFile(path=str(path), sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    events: list[NetEvent] = []
    kinds: Counter[str] = Counter()
    if is_segment(data[:16]):
        inp.format = "wardwatch-syslog-segment"
        for i, t, sender, msg in read_segment(path):
            e = parse_line(msg, t, tz, device=sender)
            e.file, e.line = str(path), i
            events.append(e)
    else:
        inp.format = "syslog"
        context = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
        text = data.decode("utf-8", "replace") if _utf8(data) else data.decode("cp932", "replace")
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            e = parse_line(line, context, tz)
            e.file, e.line = str(path), i
            events.append(e)
    for e in events:
        kinds[e.vendor or "unknown"] += 1
    inp.events = len(events)
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
